/**
 * One picture, three drivers (issue 12): the same detections through `skywarden track
 * --zones --alerts --cap-dir` (batch), through the live service's ingest, journal, bus and
 * picture on a clock the test moves (live), and through the service's replay of the journal
 * window (replay) give the same track rows, the same alert changes and the same sequence of
 * CAP messages (Alert, Updates, the all-clear), byte for byte but for the times of making.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTrackRow, type TrackRow } from '@skywarden/formats';
import { replayWindow, startServer } from '@skywarden/server';
import { feedScene, smallSceneConfig, tempDir, until } from '@skywarden/server/testing';
import { trackCommand } from './track.js';

/** A square zone (GeoJSON polygon) of half-side `h` degrees about a point. */
function square(id: string, lat: number, lon: number, h: number) {
  const ring = [[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h], [lon - h, lat - h]];
  return { type: 'Feature', properties: { id, name: `Zone ${id}`, lead_s: 300 }, geometry: { type: 'Polygon', coordinates: [ring] } };
}

const SENDER = 'skywarden@equal.example';
const REORDER = 5;

test('batch, live and replay give the same tracks, alerts and CAP messages for the same detections', async (t) => {
  const tmp = tempDir('sw-equal-');
  try {
    const { scene, config } = smallSceneConfig({ dataDir: join(tmp.dir, 'live'), seed: 3, durationS: 400 });
    const rows = scene.detections as unknown as Record<string, unknown>[];
    const truth = scene.truth as unknown as { t: number; lat: number; lon: number; class: string }[];
    // zones on the drones' paths half-way through, and one far away
    const mid = scene.t0 + 200;
    const at = truth.filter((r) => Math.abs(r.t - mid) < 0.5 && r.class === 'piston_owa');
    assert.ok(at.length >= 2);
    const features = at.slice(0, 3).map((r, i) => square(`z${i}`, r.lat, r.lon, 0.03));
    // a small zone far along one path: raised at WARNING, later IMMINENT (an Update)
    const late = truth.find((r) => Math.abs(r.t - (scene.t0 + 390)) < 0.5 && r.class === 'piston_owa');
    assert.ok(late);
    features.push(square('late', late.lat, late.lon, 0.025));
    features.push(square('far', 36.0, 126.0, 0.05));
    const zonesFile = join(tmp.dir, 'zones.geojson');
    writeFileSync(zonesFile, JSON.stringify({ type: 'FeatureCollection', features }));

    // --- batch: the command itself, files in and out
    const sensorsFile = join(tmp.dir, 'sensors.json');
    const detectionsFile = join(tmp.dir, 'detections.ndjson');
    writeFileSync(sensorsFile, JSON.stringify({ sensors: scene.sensors }));
    writeFileSync(detectionsFile, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const capDir = join(tmp.dir, 'cap');
    const code = await trackCommand({
      sensors: sensorsFile, detections: detectionsFile, out: join(tmp.dir, 'tracks.ndjson'), reportEvery: 1, reorderDelay: REORDER, strict: false,
      zones: zonesFile, alerts: join(tmp.dir, 'alerts.ndjson'), capDir, capSender: SENDER,
    });
    assert.equal(code, 0);
    const batchTracks = readFileSync(join(tmp.dir, 'tracks.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown> & { t: number; track: string });
    const batchAlerts = readFileSync(join(tmp.dir, 'alerts.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown> & { t: number });
    const batchCap = readdirSync(capDir).map((n) => readFileSync(join(capDir, n), 'utf8'));

    // --- live: the service on a clock that follows the detections
    mkdirSync(join(tmp.dir, 'live'));
    let now = scene.t0;
    const srv = await startServer({
      config: {
        ...config,
        zones: { file: zonesFile },
        alerts: { interval_s: 5, cap_status: 'Exercise', cap_sender: SENDER },
        fusion: { reorder_delay_s: REORDER, report_every_s: 1, store_every: 1, replay_window_s: 0, tick_ms: 20 },
      },
      clock: () => now,
    });
    let liveTracks: Record<string, unknown>[];
    let liveAlerts: Record<string, unknown>[];
    let replayed: Record<string, unknown>[];
    const lastT = rows[rows.length - 1].t as number;
    const cutoff = lastT - REORDER;
    try {
      await feedScene((chunk) => srv.service.ingest.ingest(null, chunk, 'test'), rows, (x) => (now = x), REORDER + 2);
      await until(() => (srv.service.fusion?.snapshot().t ?? 0) >= cutoff, 10000, 'the live reports to reach the end');
      await new Promise((r) => setTimeout(r, 300)); // the store's writes settle
      liveTracks = (await srv.service.store.trackStatesInWindow({ from: 0, to: cutoff, limit: 1e6 })).map((s) => s.row);
      liveAlerts = (await srv.service.store.alertHistory({ from: 0, to: 1e15, limit: 10000 })).map((r) => r.row).reverse();
      replayed = (await replayWindow(srv.service, scene.t0 - 1, lastT + 1, 1)) as unknown as Record<string, unknown>[];
    } finally {
      await srv.close();
    }

    // tracks: every field of every row up to the live picture's last report
    const want = batchTracks.filter((r) => r.t <= cutoff);
    assert.ok(want.length > 300, `${want.length} batch rows`);
    const key = (r: Record<string, unknown>) => `${r.t}|${r.track}`;
    const fields = ['t', 'track', 'lat', 'lon', 'alt_m', 've_mps', 'vn_mps', 'vu_mps', 'pos_sd_m', 'status', 'class'];
    // as tracks.ndjson writes them (rounded by formatTrackRow)
    const pick = (r: Record<string, unknown>) => {
      const asFile = JSON.parse(formatTrackRow(r as unknown as TrackRow)) as Record<string, unknown>;
      return Object.fromEntries(fields.map((f) => [f, asFile[f]]));
    };
    assert.deepEqual(liveTracks.map(pick).sort((a, b) => (key(a) < key(b) ? -1 : 1)), want.map(pick).sort((a, b) => (key(a) < key(b) ? -1 : 1)), 'live track rows = batch rows');
    // replay runs the whole window: every batch row
    assert.deepEqual(replayed.map(pick), batchTracks.map(pick), 'replayed track rows = batch rows');

    // alerts: the changes of state (alerts.ndjson) and every CAP message, in order
    const changes = liveAlerts.filter((r) => !r.update).map((r) => ({ t: r.t, zone: r.zone, state: r.state, eta_s: r.eta_s, tracks: r.tracks }));
    const wantChanges = batchAlerts.filter((r) => r.t <= cutoff).map((r) => ({ t: r.t, zone: r.zone, state: r.state, eta_s: r.eta_s, tracks: r.tracks }));
    assert.ok(wantChanges.length >= 2, `${wantChanges.length} alert changes`);
    assert.deepEqual(changes, wantChanges, 'live alert changes = batch alerts.ndjson');
    const liveCap = liveAlerts.filter((r) => typeof r.cap_xml === 'string').map((r) => r.cap_xml as string);
    const sentOf = (x: string) => /<sent>([^<]+)<\/sent>/.exec(x)?.[1] ?? '';
    const batchCapInWindow = batchCap.filter((x) => Date.parse(sentOf(x)) / 1000 <= cutoff);
    const types = (xs: string[]) => xs.map((x) => /<msgType>(\w+)<\/msgType>/.exec(x)?.[1]);
    assert.ok(types(liveCap).includes('Update'), 'the scene has Updates');
    assert.ok(liveAlerts.some((r) => r.zone === 'late' && r.tier === 'imminent' && /^update: tier warning -> imminent/.test(String(r.reason))), 'the late zone rises to imminent');
    // the same messages byte for byte but for the times of making: live <sent> is the service's
    // clock when made (at or after the change), batch <sent> the change's time; <expires> and
    // the references' third field follow <sent>
    const made = (x: string) =>
      x
        .replace(/<sent>[^<]+<\/sent>/, '<sent/>')
        .replace(/<expires>[^<]+<\/expires>/g, '<expires/>')
        .replace(/<references>[^<]+<\/references>/, (r) => r.replace(/,[^, <]+(?=\s|<)/g, (m) => (m.includes('+00:00') ? ',SENT' : m)));
    assert.deepEqual(liveCap.map(made).sort(), batchCapInWindow.map(made).sort(), 'the same CAP messages but for the times of making');
    for (const x of liveCap) {
      const id = /<identifier>[^<]*-(\d{8}T\d{6})Z(?:-\d+)?<\/identifier>/.exec(x)?.[1] ?? '';
      const changeT = Date.parse(`${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}Z`) / 1000;
      assert.ok(Date.parse(sentOf(x)) / 1000 >= changeT, `sent ${sentOf(x)} is not before the change (${id})`);
    }
    t.diagnostic(`${want.length} track rows, ${wantChanges.length} alert changes, CAP ${types(liveCap).join(' ')}`);
  } finally {
    tmp.cleanup();
  }
});
