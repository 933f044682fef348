/**
 * The district-alert test's measures (district-reach.ts) on made-up inputs: distances, the
 * class top speeds, the reach windows of the warning rules, and reading tiers from pixels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distanceToDistrict, districtReach, districtsOf, etaReachOf, paletteSeparation, placeThreats, parseHex, reachRules, readDistrictTiers, threatTopSpeed, tierPalette, TOP_SPEED, type ZoneCollection } from './district-reach.js';
import { TIER_COLOUR } from '../src/logic/symbology.js';

/** A square zone of `km` kilometres with its south-west corner at (lat, lon). */
function square(id: string, lat: number, lon: number, km: number): ZoneCollection['features'][number] {
  const dLat = km / 111.0;
  const dLon = km / (111.32 * Math.cos((lat * Math.PI) / 180));
  return { properties: { id }, geometry: { type: 'Polygon', coordinates: [[[lon, lat], [lon + dLon, lat], [lon + dLon, lat + dLat], [lon, lat + dLat], [lon, lat]]] } };
}

test('distances to a district: 0 inside, else to the nearest edge', () => {
  const { districts, toXY } = districtsOf({ features: [square('a', 37.5, 127.0, 10)] });
  const a = districts[0];
  assert.equal(distanceToDistrict(a, toXY(37.5 + 5 / 111, 127.05)), 0);
  // 20 km north of the north edge
  const d = distanceToDistrict(a, toXY(37.5 + 30 / 111.0, 127.0 + 5 / (111.32 * Math.cos((37.5 * Math.PI) / 180))));
  assert.ok(Math.abs(d - 20_000) < 150, `${d}`);
});

test('top speeds come from the class model; the fastest likely threat class counts', () => {
  assert.equal(TOP_SPEED.piston_owa, 70);
  assert.equal(TOP_SPEED.jet_owa, 200);
  assert.equal(threatTopSpeed({ piston_owa: 0.97, jet_owa: 0.02, aircraft: 0.01 }), 70);
  assert.equal(threatTopSpeed({ piston_owa: 0.8, jet_owa: 0.2 }), 200);
  assert.equal(threatTopSpeed({ piston_owa: 0.01, aircraft: 0.99 }), 70);
  assert.equal(threatTopSpeed(undefined), TOP_SPEED.cruise_missile);
});

test('reach: a Shahed-type 15 km away may make a district IMMINENT, 20 km away only WARNING, old states count for their windows only', () => {
  const fc = { features: [square('z', 37.5, 127.0, 4)] };
  const { districts, toXY } = districtsOf(fc);
  const rules = reachRules(300, 5, 1);
  assert.equal(rules.alertS, 420);
  assert.equal(rules.imminentHoldS, 240);
  assert.equal(rules.alertWindowS, 125);
  assert.equal(rules.imminentWindowS, 245);
  const south = (km: number) => 37.5 - km / 111.0;
  const st = (km: number, t: number, threat = 1) => ({ t, track: '1', lat: south(km), lon: 127.01, pos_sd_m: 100, threat, class: { piston_owa: 1 } });
  // 70 m/s × 241 s + 300 m = 17.2 km; × 181 s + 300 m = 13.0 km; × 421 s + 300 m = 29.8 km
  assert.deepEqual(districtReach(districts, placeThreats([st(15, 1000)], 1000, rules, toXY)).get('z'), { alert: true, imminent: true });
  assert.deepEqual(districtReach(districts, placeThreats([st(20, 1000)], 1000, rules, toXY)).get('z'), { alert: true, imminent: false });
  assert.deepEqual(districtReach(districts, placeThreats([st(31, 1000)], 1000, rules, toXY)).get('z'), { alert: false, imminent: false });
  // 200 s old: too old to hold (125 s), near enough to have set the IMMINENT tier (12 km ≤ 13.0 km, 245 s)
  assert.deepEqual(districtReach(districts, placeThreats([st(12, 800)], 1000, rules, toXY)).get('z'), { alert: false, imminent: true });
  assert.deepEqual(districtReach(districts, placeThreats([st(15, 800)], 1000, rules, toXY)).get('z'), { alert: false, imminent: false });
  // a track that is no threat holds nothing
  assert.deepEqual(districtReach(districts, placeThreats([st(1, 1000, 0.1)], 1000, rules, toXY)).get('z'), { alert: false, imminent: false });
  // an ETA of 100 s, counted down from a prediction up to 5 s old: 70 m/s × 110 s + 300 m
  assert.equal(etaReachOf(st(0, 1000), 100, rules), 8_000);
});

test('tiers read from pixels: the fill blended over the land, outlines and masked parts left out', () => {
  const palette = tierPalette(TIER_COLOUR, ['#141d26', '#0b1219']);
  assert.ok(paletteSeparation(palette) > 25, `tiers ${paletteSeparation(palette)} apart`);
  const W = 200;
  const H = 100;
  const data = new Uint8Array(W * H * 4);
  const colourOf = (tier: keyof typeof TIER_COLOUR) => palette.find((p) => p.tier === tier && p.base === '#141d26')!.rgb.map(Math.round);
  const paint = (x0: number, x1: number, rgb: number[]) => {
    for (let y = 0; y < H; y++) for (let x = x0; x < x1; x++) data.set([...rgb, 255], (y * W + x) * 4);
  };
  paint(0, 100, colourOf('imminent'));
  paint(100, 200, colourOf('watch'));
  // a white track path across the left district, and the outline between the two
  for (let x = 0; x < 100; x++) data.set([255, 255, 255, 255], (50 * W + x) * 4);
  paint(98, 102, parseHex('#ff7875'));
  const left = { id: 'L', rings: [[[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]] as [number, number][]] };
  const right = { id: 'R', rings: [[[100, 0], [200, 0], [200, 100], [100, 100], [100, 0]] as [number, number][]] };
  const hidden = { id: 'H', rings: [[[150, 20], [190, 20], [190, 60], [150, 60], [150, 20]] as [number, number][]] };
  const read = readDistrictTiers({ width: W, height: H, data }, [left, right, hidden], [{ l: 140, t: 10, r: 200, b: 70 }], palette);
  assert.equal(read.get('L')!.tier, 'imminent');
  assert.ok(read.get('L')!.other >= 90, 'the path is no tier');
  assert.equal(read.get('R')!.tier, 'watch');
  assert.equal(read.get('R')!.counts.imminent ?? 0, 0, 'the outline is eroded away');
  assert.equal(read.get('H')!.tier, null, 'a district under an HTML element is not read');
});
