/**
 * ASTERIX input end to end: the live service with `asterix_in` on an ephemeral UDP port takes
 * CAT048 plots (written byte by byte from the item layouts here) of a target flying a line from
 * a configured radar, journals them as range/bearing/elevation detections of that radar, and
 * forms a track at the target's place; CAT062 tracks of a configured tracker become position
 * detections; a replayed datagram is a duplicate; garbage, a truncated block and a cut record
 * are counted and the service stays up, still taking the good records.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { encodeCat062Blocks, encodeCat062Record, type TrackWire } from '@skywarden/formats';
import { startServer, type RunningServer } from '../server.js';
import { buildConfig } from '../config.js';
import { createService } from '../service.js';
import type { JournalEntry } from '../store/store.js';
import { http, quietLogger, tempDir, until } from '../testing.js';
import { elevationFromAltitude, MAX_PENDING_BATCHES, startAsterixIn } from './asterix-in.js';

const R = 6371000;
const FT = 0.3048;
const NM = 1852;
const RADAR = { lat: 37.5, lon: 127.0, alt: 50 };
const T0 = 1764000000 + 100; // 57700 s after midnight

/** The target at time t: ENU from the radar (m). */
function target(t: number): { e: number; n: number; u: number } {
  const dt = t - T0;
  return { e: 3000 + 40 * dt, n: 6000 - 15 * dt, u: 600 };
}
const toLatLon = (p: { e: number; n: number }) => ({ lat: RADAR.lat + (p.n / R) * (180 / Math.PI), lon: RADAR.lon + (p.e / (R * Math.cos((RADAR.lat * Math.PI) / 180))) * (180 / Math.PI) });

/** A CAT048 record by hand: FSPEC 010 140 020 040 090 (and 161 when a track number is given); `descriptor`: the I048/020 octet (TYP 1 single PSR; SIM 0x10, RAB 0x02). */
function plotRecord(sac: number, sic: number, t: number, p: { e: number; n: number; u: number }, trackNumber?: number, descriptor = 0x20): number[] {
  const slant = Math.hypot(p.e, p.n, p.u);
  const az = ((Math.atan2(p.e, p.n) * 180) / Math.PI + 360) % 360;
  const alt = RADAR.alt + p.u + (p.e ** 2 + p.n ** 2) / (2 * R); // above the sphere
  const tod = Math.round(((t % 86400) + 86400) % 86400 * 128);
  const rho = Math.round((slant / NM) * 256);
  const theta = Math.round((az / 360) * 65536) % 65536;
  const fl = Math.round((alt / FT / 100) * 4);
  const out = [trackNumber === undefined ? 0xf4 : 0xf5, ...(trackNumber === undefined ? [] : [0x10]), sac, sic, tod >> 16, (tod >> 8) & 255, tod & 255, descriptor, rho >> 8, rho & 255, theta >> 8, theta & 255, (fl >> 8) & 0x3f, fl & 255];
  if (trackNumber !== undefined) out.push(trackNumber >> 8, trackNumber & 255);
  return out;
}
const block = (cat: number, body: number[]) => Buffer.from([cat, (body.length + 3) >> 8, (body.length + 3) & 255, ...body]);

describe('ASTERIX input over UDP', () => {
  const tmp = tempDir();
  let srv: RunningServer;
  let tx: UdpSocket;
  let now = T0;
  const reports: { t: number; tracks: TrackWire[] }[] = [];
  let port = 0;
  const send = async (b: Buffer, waitFor?: () => boolean, what = 'the datagram') => {
    const before = srv.transports.asterixIn!.stats().datagrams;
    tx.send(b, port, '127.0.0.1');
    await until(() => srv.transports.asterixIn!.stats().datagrams > before, 10000, 'the datagram to be read');
    if (waitFor) await until(waitFor, 10000, what);
  };
  const settled = () => {
    const s = srv.transports.asterixIn!.stats();
    return s.accepted + s.duplicates + s.rejected;
  };
  const journal = async (): Promise<JournalEntry[]> => srv.service.store.readJournal(0, 100000);

  before(async () => {
    tx = createSocket('udp4');
    tx.bind(0, '127.0.0.1');
    await once(tx, 'listening');
    srv = await startServer({
      config: {
        data_dir: tmp.dir,
        http: { port: 0 },
        mqtt: { mode: 'off' },
        fusion: { tick_ms: 50 },
        log: { level: 'silent' },
        asterix_in: {
          enabled: true,
          host: '127.0.0.1',
          port: 0,
          radars: [{ sac: 10, sic: 20, sensor: 'psr-1', lat: RADAR.lat, lon: RADAR.lon, alt_m: RADAR.alt }],
          trackers: [{ sac: 30, sic: 40, sensor: 'sdps-a' }],
          accept_unknown: true,
          max_unknown_sources: 2,
        },
      },
      clock: () => now,
      logger: quietLogger(),
    });
    port = srv.transports.asterixIn!.port;
    srv.service.onTracks((t, tracks) => reports.push({ t, tracks: structuredClone(tracks) }));
  });
  after(async () => {
    await srv?.close();
    tx?.close();
    tmp.cleanup();
  });

  it('journals the radar\'s plots as range/bearing/elevation detections and forms a track at the target', async () => {
    const N = 40;
    for (let k = 0; k < N; k++) {
      const t = T0 + 2 * k;
      now = t + 0.3;
      const want = settled() + 1;
      await send(block(48, plotRecord(10, 20, t, target(t))), () => settled() >= want, `plot ${k} to be journalled`);
    }
    const s = srv.transports.asterixIn!.stats();
    assert.equal(s.accepted, N);
    assert.equal(s.bad, 0);
    const rows = (await journal()).filter((e) => e.sensor === 'psr-1');
    assert.equal(rows.length, N);
    for (const e of rows) {
      const p = target(e.t);
      const row = e.row;
      assert.equal(row.type, 'range_bearing');
      assert.ok(Math.abs((row.range_m as number) - Math.hypot(p.e, p.n, p.u)) <= NM / 512 + 1e-6, 'slant range');
      const az = ((Math.atan2(p.e, p.n) * 180) / Math.PI + 360) % 360;
      assert.ok(Math.abs((row.bearing_deg as number) - az) <= 360 / 65536, 'azimuth');
      const el = (Math.asin(p.u / Math.hypot(p.e, p.n, p.u)) * 180) / Math.PI;
      // the flight level is coded in 25 ft steps: the elevation is within that of the truth
      assert.ok(Math.abs((row.elevation_deg as number) - el) < ((8 / Math.hypot(p.e, p.n)) * 180) / Math.PI + 0.01, `elevation ${row.elevation_deg} vs ${el}`);
      assert.ok((row.elevation_sd_deg as number) > 0);
    }
    // the fusion's reports: a track near the target's true position
    const last = T0 + 2 * (N - 1);
    now = last + 8;
    const rep = (await until(() => reports.find((r) => r.t >= last - 1e-6 && r.tracks.length > 0), 20000, 'a report with a track after the last plot'))!;
    const truth = toLatLon(target(rep.t));
    const best = Math.min(...rep.tracks.map((tr) => Math.hypot((tr.lat - truth.lat) * 111320, (tr.lon - truth.lon) * 111320 * Math.cos((truth.lat * Math.PI) / 180))));
    process.stderr.write(`nearest track ${best.toFixed(1)} m from the target, ${rep.tracks.length} tracks\n`);
    assert.ok(best < 150, `the nearest track is ${best.toFixed(0)} m from the target`);
    assert.equal(rep.tracks.filter((tr) => tr.sensors.includes('psr-1')).length >= 1, true);
  });

  it('drops a replayed datagram as a duplicate, and plots from an unknown radar (accept_unknown cannot place them)', async () => {
    const t = T0 + 2;
    const before = srv.transports.asterixIn!.stats();
    await send(block(48, plotRecord(10, 20, t, target(t))), () => srv.transports.asterixIn!.stats().duplicates > before.duplicates, 'the duplicate');
    await send(block(48, plotRecord(11, 20, t, target(t))), () => srv.transports.asterixIn!.stats().unknownSource > before.unknownSource, 'the unknown source');
    const after = srv.transports.asterixIn!.stats();
    assert.equal(after.accepted, before.accepted);
  });

  it('takes CAT062 tracks of a configured tracker as position detections (velocity, accuracy, address), and of an unknown one with accept_unknown', async () => {
    const before = srv.transports.asterixIn!.stats();
    const t = now - 1;
    const blocks = encodeCat062Blocks([
      { sac: 30, sic: 40, t, latDeg: 37.6, lonDeg: 127.1, ve: 12, vn: -3, trackNumber: 77, altM: 1500, accuracy: { positionSdM: 40 }, targetAddress: 0x71d273, targetId: { sti: 1, chars: 'UAV OWAP' } },
      { sac: 30, sic: 40, t, latDeg: 37.61, lonDeg: 127.11, ve: 0, vn: 0, trackNumber: 78, status: { coasting: true } },
      { sac: 99, sic: 1, t, latDeg: 37.62, lonDeg: 127.12, ve: 0, vn: 0, trackNumber: 1 },
    ]);
    assert.equal(blocks.length, 1);
    await send(Buffer.from(blocks[0]!), () => settled() >= before.accepted + before.duplicates + before.rejected + 2, 'the tracks to be journalled');
    const s = srv.transports.asterixIn!.stats();
    assert.equal(s.accepted, before.accepted + 2);
    assert.equal(s.ignored, before.ignored + 1, 'the coasting record');
    assert.equal(s.unknownSource, before.unknownSource, 'SAC 99 is taken (accept_unknown)');
    // accept_unknown: SAC 99 SIC 1 is registered as a tracker sensor of its own
    assert.equal(srv.service.registry.def('asterix-99-1')?.kind, 'tracker');
    assert.equal((await journal()).filter((x) => x.sensor === 'asterix-99-1').length, 1);
    const e = (await journal()).filter((x) => x.sensor === 'sdps-a');
    assert.equal(e.length, 1);
    const row = e[0]!.row;
    assert.equal(row.type, 'position');
    assert.ok(Math.abs((row.lat as number) - 37.6) <= 90 / 2 ** 25 && Math.abs((row.lon as number) - 127.1) <= 90 / 2 ** 25);
    assert.ok(Math.abs((row.alt_m as number) - 1500) <= 6.25 * FT / 2 + 1e-6);
    assert.equal(row.pos_sd_m, 40);
    assert.equal(row.target, '71D273');
    assert.equal(row.callsign, 'UAV OWAP');
    assert.equal(row.ve_mps, 12);
    assert.ok(Math.abs(e[0]!.t - t) <= 1 / 256);
  });

  it('counts garbage, a truncated block and a cut record, stays up, and takes the good records', async () => {
    const before = srv.transports.asterixIn!.stats();
    await send(Buffer.from('hello, this is not ASTERIX'), () => srv.transports.asterixIn!.stats().bad > before.bad, 'the garbage to be counted');
    const t1 = now - 2;
    const good = block(48, plotRecord(10, 20, t1, target(t1), 5));
    // a good block, then a block whose LEN runs past the datagram
    await send(Buffer.concat([good, block(48, plotRecord(10, 20, t1, target(t1))).subarray(0, 9)]), () => srv.transports.asterixIn!.stats().bad > before.bad + 1, 'the truncated block');
    // one block: a good record, then a record cut in I048/040
    const t2 = now - 1;
    const cut = plotRecord(10, 20, t2, target(t2)).slice(0, 9);
    await send(block(48, [...plotRecord(10, 20, t2, target(t2), 6), ...cut]), () => srv.transports.asterixIn!.stats().bad > before.bad + 2, 'the cut record');
    await until(() => settled() >= before.accepted + before.duplicates + before.rejected + 2, 10000, 'the good records');
    const s = srv.transports.asterixIn!.stats();
    assert.equal(s.bad, before.bad + 3);
    assert.equal(s.accepted, before.accepted + 2, 'the two good plots are journalled');
    const ids = (await journal()).filter((e) => e.sensor === 'psr-1').map((e) => e.id);
    assert.ok(ids.some((id) => id.endsWith(':5')) && ids.some((id) => id.endsWith(':6')), 'plots with track numbers 5 and 6');
    const h = await http(srv.httpPort, 'GET', '/api/v1/health');
    assert.equal(h.status, 200);
  });

  it('leaves out simulated plots (I048/020 SIM), field monitor / fixed transponder plots (RAB) and simulated tracks (I062/080 SIM), counted by kind; takes a track whose I062/245 is bad, without the callsign', async () => {
    const before = srv.transports.asterixIn!.stats();
    const t = now - 1;
    const p = target(t);
    const plots = block(48, [...plotRecord(10, 20, t, p, 11), ...plotRecord(10, 20, t, p, 12, 0x30), ...plotRecord(10, 20, t, p, 13, 0x22)]);
    const tracks = Buffer.from(encodeCat062Blocks([
      { sac: 30, sic: 40, t, latDeg: 37.6, lonDeg: 127.1, ve: 0, vn: 0, trackNumber: 81 },
      { sac: 30, sic: 40, t, latDeg: 37.6, lonDeg: 127.1, ve: 0, vn: 0, trackNumber: 82, status: { simulated: true } },
    ])[0]!);
    // I062/245 with all-zero characters (not in the ICAO alphabet): STI at 20, characters from 21 (FSPEC 3, 010, 070, 105, 185)
    const badId = Uint8Array.from(encodeCat062Record({ sac: 30, sic: 40, t, latDeg: 37.7, lonDeg: 127.2, ve: 0, vn: 0, trackNumber: 83, targetId: { sti: 1, chars: 'ABC' } }));
    badId.fill(0, 21, 27);
    await send(Buffer.concat([plots, tracks, block(62, [...badId])]), () => settled() >= before.accepted + before.duplicates + before.rejected + 3, 'the real plot and tracks');
    const s = srv.transports.asterixIn!.stats();
    assert.equal(s.accepted, before.accepted + 3, 'plot 11, tracks 81 and 83');
    assert.equal(s.bad, before.bad);
    assert.equal(s.ignored, before.ignored + 3);
    const kind = (k: string) => (s.ignoredKinds[k] ?? 0) - (before.ignoredKinds[k] ?? 0);
    assert.deepEqual([kind('simulated_plot'), kind('fixed_transponder'), kind('simulated_track')], [1, 1, 1]);
    const ids = (await journal()).map((e) => e.id);
    assert.ok(ids.some((id) => id.startsWith('asterix:048:') && id.endsWith(':11')));
    assert.ok(!ids.some((id) => id.startsWith('asterix:048:') && (id.endsWith(':12') || id.endsWith(':13'))), 'no simulated or RAB plot');
    assert.ok(!ids.some((id) => id.startsWith('asterix:062:') && id.endsWith(':82')), 'no simulated track');
    const r83 = (await journal()).find((e) => e.id.startsWith('asterix:062:') && e.id.endsWith(':83'));
    assert.ok(r83, 'the track with the bad I062/245 is taken');
    assert.equal(r83.row.callsign, undefined);
    assert.ok(Math.abs((r83.row.lat as number) - 37.7) < 1e-5);
  });

  it('accept_unknown registers at most max_unknown_sources sources; further new SAC/SICs are refused and counted', async () => {
    // asterix-99-1 was taken above: one more (SAC 100) fits under the limit of 2
    const before = srv.transports.asterixIn!.stats();
    const t = now - 1;
    const blocks = encodeCat062Blocks([100, 101, 102].map((sac) => ({ sac, sic: 1, t, latDeg: 37.6, lonDeg: 127.1, ve: 0, vn: 0, trackNumber: 5 })));
    await send(Buffer.from(blocks[0]!), () => srv.transports.asterixIn!.stats().unknownOverLimit >= before.unknownOverLimit + 2, 'the refusals');
    await until(() => settled() >= before.accepted + before.duplicates + before.rejected + 1, 10000, 'the track of SAC 100');
    const s = srv.transports.asterixIn!.stats();
    assert.equal(s.unknownOverLimit, before.unknownOverLimit + 2);
    assert.equal(s.unknownSource, before.unknownSource + 2);
    assert.equal(s.accepted, before.accepted + 1);
    assert.equal(srv.service.registry.def('asterix-100-1')?.kind, 'tracker');
    assert.equal(srv.service.registry.def('asterix-101-1'), undefined);
    assert.equal(srv.service.registry.def('asterix-102-1'), undefined);
  });

  it('elevationFromAltitude: level flight at the sensor\'s height is slightly below the horizon; impossible geometry gives none', () => {
    const e = elevationFromAltitude(10000, 50, 50)!;
    assert.ok(e < 0 && e > -0.1);
    assert.ok(Math.abs(elevationFromAltitude(1000, 1050, 50)! - 90) < 1e-6);
    assert.equal(elevationFromAltitude(1000, 5000, 50), undefined);
    assert.equal(elevationFromAltitude(0, 50, 50), undefined);
  });
});

describe('ASTERIX input in demo mode', () => {
  it('takes simulated and fixed-transponder reports: the demo\'s own inputs are simulated', async () => {
    const tmp = tempDir();
    const built = buildConfig({ data_dir: tmp.dir, mqtt: { mode: 'off' }, log: { level: 'silent' }, asterix_in: { enabled: true, host: '127.0.0.1', port: 0, radars: [{ sac: 10, sic: 20, sensor: 'psr-1', lat: RADAR.lat, lon: RADAR.lon, alt_m: RADAR.alt }], trackers: [{ sac: 30, sic: 40, sensor: 'sdps-a' }] } }, {});
    assert.ok(built.ok, built.ok ? '' : built.errors.join('; '));
    const t = T0;
    const svc = await createService({ config: built.config, log: quietLogger(), clock: () => t + 0.5, mode: 'demo' });
    const tx = createSocket('udp4');
    let input: Awaited<ReturnType<typeof startAsterixIn>> | undefined;
    try {
      await svc.start();
      input = await startAsterixIn(svc);
      const plots = block(48, [...plotRecord(10, 20, t, target(t), 12, 0x30), ...plotRecord(10, 20, t, target(t), 13, 0x22)]);
      const tracks = Buffer.from(encodeCat062Blocks([{ sac: 30, sic: 40, t, latDeg: 37.6, lonDeg: 127.1, ve: 0, vn: 0, trackNumber: 82, status: { simulated: true } }])[0]!);
      tx.send(Buffer.concat([plots, tracks]), input.port, '127.0.0.1');
      await until(() => input!.stats().accepted >= 3, 10000, 'the simulated reports to be journalled');
      assert.equal(input.stats().ignored, 0);
    } finally {
      tx.close();
      await input?.close();
      await svc.close();
      tmp.cleanup();
    }
  });
});

describe('ASTERIX input while the journal is behind', () => {
  it(`drops datagrams unread once ${MAX_PENDING_BATCHES} wait for the journal, counts them, and takes datagrams again when it catches up`, async () => {
    const tmp = tempDir();
    const built = buildConfig({ data_dir: tmp.dir, mqtt: { mode: 'off' }, log: { level: 'silent' }, asterix_in: { enabled: true, host: '127.0.0.1', port: 0, radars: [{ sac: 10, sic: 20, sensor: 'psr-1', lat: RADAR.lat, lon: RADAR.lon, alt_m: RADAR.alt }] } }, {});
    assert.ok(built.ok, built.ok ? '' : built.errors.join('; '));
    const t = T0;
    const svc = await createService({ config: built.config, log: quietLogger(), clock: () => t + 0.5 });
    const tx = createSocket('udp4');
    let input: Awaited<ReturnType<typeof startAsterixIn>> | undefined;
    // a journal that does not answer until released (a slow disk, a store far behind)
    const held: (() => void)[] = [];
    const ingest = svc.ingest.ingest.bind(svc.ingest);
    svc.ingest.ingest = (principal, items, source) => new Promise((resolve, reject) => held.push(() => ingest(principal, items, source).then(resolve, reject)));
    try {
      await svc.start();
      input = await startAsterixIn(svc);
      const n = MAX_PENDING_BATCHES + 10;
      for (let k = 0; k < n; k++) {
        tx.send(block(48, plotRecord(10, 20, t + k * 0.01, target(t), 100 + k)), input.port, '127.0.0.1');
        await until(() => input!.stats().datagrams >= k + 1, 10000, `datagram ${k} read`);
      }
      assert.equal(input.stats().overloaded, 10, 'the datagrams beyond the queue dropped unread');
      assert.equal(held.length, MAX_PENDING_BATCHES);
      for (const release of held.splice(0)) release();
      await until(() => input!.stats().accepted === MAX_PENDING_BATCHES, 10000, 'the waiting datagrams journalled');
      // caught up: the next datagram is taken
      tx.send(block(48, plotRecord(10, 20, t + 1, target(t), 999)), input.port, '127.0.0.1');
      await until(() => held.length === 1, 10000, 'the next datagram sent to the journal');
      held.splice(0)[0]();
      await until(() => input!.stats().accepted === MAX_PENDING_BATCHES + 1, 10000, 'the next datagram journalled');
      assert.equal(input.stats().overloaded, 10);
    } finally {
      for (const release of held.splice(0)) release();
      tx.close();
      await input?.close();
      await svc.close();
      tmp.cleanup();
    }
  });
});

/**
 * Runs `fn` with a service (its clock fixed at T0 + 0.5: buckets do not refill by it) whose
 * ASTERIX input has `asterixIn` besides the one radar psr-1 (SAC 10, SIC 20), and `ingest`
 * settings; stops everything after.
 */
async function withAsterixInput(settings: { ingest?: Record<string, unknown>; asterixIn?: Record<string, unknown> }, fn: (o: { svc: Service; input: AsterixInput; tx: UdpSocket; t: number }) => Promise<void>): Promise<void> {
  const tmp = tempDir();
  const built = buildConfig({ data_dir: tmp.dir, mqtt: { mode: 'off' }, log: { level: 'silent' }, ...(settings.ingest ? { ingest: settings.ingest } : {}), asterix_in: { enabled: true, host: '127.0.0.1', port: 0, radars: [{ sac: 10, sic: 20, sensor: 'psr-1', lat: RADAR.lat, lon: RADAR.lon, alt_m: RADAR.alt }], ...settings.asterixIn } }, {});
  assert.ok(built.ok, built.ok ? '' : built.errors.join('; '));
  const t = T0;
  const svc = await createService({ config: built.config, log: quietLogger(), clock: () => t + 0.5 });
  const tx = createSocket('udp4');
  let input: AsterixInput | undefined;
  try {
    await svc.start();
    input = await startAsterixIn(svc);
    await fn({ svc, input, tx, t });
  } finally {
    tx.close();
    await input?.close();
    await svc.close();
    tmp.cleanup();
  }
}
type AsterixInput = Awaited<ReturnType<typeof startAsterixIn>>;
type Service = Awaited<ReturnType<typeof createService>>;

describe('ASTERIX input beyond a radar\'s rate limit', () => {
  it('decodes only the records the radar may still send, and skips a whole block unread once it has none left', async () => {
    // the bucket (burst 5) does not refill during the test
    await withAsterixInput({ ingest: { rate_per_s: 0.001, burst: 5 } }, async ({ svc, input, tx, t }) => {
      const eight = Array.from({ length: 8 }, (_, k) => plotRecord(10, 20, t + k * 0.01, target(t + k), 200 + k)).flat();
      tx.send(block(48, eight), input.port, '127.0.0.1');
      await until(() => input.stats().accepted === 5, 10000, 'the five records within the burst journalled');
      let s = input.stats();
      assert.equal(s.records, 5, 'only the records within the rate were decoded');
      assert.equal(s.overRateBlocks, 1, 'the block was cut short');
      // nothing left: the next block is skipped before it is decoded
      tx.send(block(48, Array.from({ length: 4 }, (_, k) => plotRecord(10, 20, t + 1 + k * 0.01, target(t + 1), 300 + k)).flat()), input.port, '127.0.0.1');
      await until(() => input.stats().datagrams === 2, 10000, 'the second datagram read');
      s = input.stats();
      assert.equal(s.overRateBlocks, 2, 'the whole block skipped');
      assert.equal(s.records, 5, 'none of its records decoded');
      assert.equal(s.accepted, 5);
      assert.equal((await svc.store.readJournal(0, 100)).length, 5);
    });
  });
});

describe('ASTERIX input beyond asterix_in.max_bytes_per_s', () => {
  it('drops datagrams unread once the second\'s bytes are read, whatever their first record, and reads again a second later', async () => {
    // a block whose first record is another source's decodes in full (the rate check looks at the first
    // record): only the byte budget bounds the decoding (an outside probe, 2026-12-07)
    await withAsterixInput({ asterixIn: { max_bytes_per_s: 4096 } }, async ({ input, tx, t }) => {
      const datagram = block(48, Array.from({ length: 20 }, (_, k) => plotRecord(10, 20, t + k * 0.01, target(t + k), 500 + k)).flat());
      assert.ok(datagram.length > 300 && datagram.length < 1000, `a datagram of ${datagram.length} bytes`);
      const per = Math.floor(4096 / datagram.length);
      for (let k = 0; k < per + 20; k++) tx.send(datagram, input.port, '127.0.0.1');
      await until(() => input.stats().datagrams === per + 20, 10000, 'every datagram read from the socket');
      const s = input.stats();
      // (the budget refills as they are read: a datagram or two more may fit on a slow machine)
      assert.ok(s.overBytes >= 15 && s.overBytes <= 20, `${s.overBytes} dropped unread of ${per + 20} (${per} fit in 4,096 bytes)`);
      assert.equal(s.records, (per + 20 - s.overBytes) * 20, 'the records of the datagrams read, no more');
      // a second later the budget is back
      await new Promise((r) => setTimeout(r, 1100));
      tx.send(datagram, input.port, '127.0.0.1');
      await until(() => input.stats().datagrams === per + 21, 10000, 'the datagram a second later read');
      assert.equal(input.stats().overBytes, s.overBytes, 'read, not dropped');
    });
  });
});
