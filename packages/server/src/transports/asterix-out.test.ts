/**
 * ASTERIX CAT062 out of the live service, received on a real UDP socket: every datagram is
 * one data block within the configured size, decodes (decodeCat062), and carries the live
 * tracks of one report: positions, velocities, coasting and first/last flags, and track
 * numbers that stay with their track.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { classDesignator, decodeCat062, type Cat062Record, type TrackWire } from '@skywarden/formats';
import { tsharkAsterix, type SharkObj } from '@skywarden/formats/testing/tshark';
import { startServer, type RunningServer } from '../server.js';
import { buildConfig } from '../config.js';
import { feedScene, http, quietLogger, smallSceneConfig, tempDir, until } from '../testing.js';

describe('ASTERIX CAT062 over UDP', () => {
  const tmp = tempDir();
  let srv: RunningServer;
  let rx: UdpSocket;
  const datagrams: Buffer[] = [];
  const status065: Buffer[] = [];
  const reports: { t: number; tracks: TrackWire[] }[] = [];
  let now = 0;
  const MAX_BLOCK = 120;

  before(async () => {
    rx = createSocket('udp4');
    rx.on('message', (m) => (m[0] === 65 ? status065 : datagrams).push(m));
    rx.bind(0, '127.0.0.1');
    await once(rx, 'listening');
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, seed: 3, durationS: 240 });
    now = scene.t0;
    srv = await startServer({
      config: { ...config, asterix: { enabled: true, host: '127.0.0.1', port: rx.address().port, sac: 7, sic: 42, service_id: 3, interval_s: 2, max_block_bytes: MAX_BLOCK, status_period_s: 0.2, class_in_callsign: true } },
      clock: () => now,
      logger: quietLogger(),
    });
    srv.service.onTracks((t, tracks) => reports.push({ t, tracks: structuredClone(tracks) }));
    await feedScene((r) => srv.service.ingest.ingest(null, r, 'test'), scene.detections as unknown as Record<string, unknown>[], (t) => (now = t), 20);
    await until(() => reports.length > 0 && reports[reports.length - 1].t >= now - 6, 10000, 'the last reports');
    const st = srv.transports.asterix!.stats();
    await until(() => datagrams.length >= st.datagrams && status065.length >= st.endOfBatch + st.statusMessages, 5000, 'the datagrams');
  });
  after(async () => {
    await srv?.close();
    rx?.close();
    tmp.cleanup();
  });

  it('sends decodable blocks within the size limit carrying the live tracks of each report', async () => {
    const st = srv.transports.asterix!.stats();
    assert.equal(st.errors, 0);
    assert.equal(datagrams.length, st.datagrams);
    assert.ok(datagrams.length > st.updates, 'some updates take several datagrams');
    const records: Cat062Record[] = [];
    for (const d of datagrams) {
      assert.ok(d.length <= MAX_BLOCK, `a datagram of ${d.length} bytes`);
      assert.equal(d[0], 62);
      assert.equal(d.readUInt16BE(1), d.length, 'one data block per datagram');
      const r = decodeCat062(new Uint8Array(d), { referenceTime: now });
      assert.ok(r.ok, r.ok ? '' : r.reason);
      records.push(...r.records);
    }
    assert.equal(records.length, st.records);
    assert.ok(records.length >= 40, `${records.length} records`);

    const byT = new Map(reports.map((r) => [r.t, r.tracks]));
    const idOfNumber = new Map<number, string>();
    const times: number[] = [];
    const sentIds = new Set<string>();
    const ended: string[] = [];
    const labels = new Set<string>();
    for (const rec of records) {
      assert.equal(rec.sac, 7);
      assert.equal(rec.sic, 42);
      assert.equal(rec.serviceId, 3);
      assert.equal(rec.status?.simulated ?? false, false);
      // I062/070 has 1/128 s resolution: find the report it came from
      const t = [...byT.keys()].find((x) => Math.abs(x - rec.t!) <= 1 / 256 + 1e-9);
      assert.ok(t !== undefined, `no report at ${rec.t}`);
      const near = byT.get(t)!.filter((x) => Math.abs(x.lat - rec.latDeg!) < 1e-5 && Math.abs(x.lon - rec.lonDeg!) < 1e-5);
      assert.equal(near.length, 1, `one live track at the record's position at ${t}`);
      const tr = near[0];
      assert.ok(Math.abs(tr.ve_mps - rec.ve!) <= 0.125 + 1e-9 && Math.abs(tr.vn_mps - rec.vn!) <= 0.125 + 1e-9, 'velocity');
      if (tr.alt_m !== undefined) assert.ok(Math.abs(tr.alt_m - rec.altM!) <= 1, 'altitude');
      assert.equal(rec.status?.coasting ?? false, tr.status === 'coasting');
      // identity and class: the label's designator in I062/245, SDS from the sensors' kinds, PFT for clutter
      assert.deepEqual(rec.targetId, { sti: 1, chars: classDesignator(tr.label).padEnd(8, ' ') }, `track ${tr.track} (${tr.label})`);
      labels.add(tr.label);
      const coop = tr.sensors.filter((s) => ['adsb', 'remote_id'].includes(String(srv.service.registry.def(s)?.kind))).length;
      assert.equal(rec.status?.sources, coop === 0 ? 2 : coop === tr.sensors.length ? 1 : 0, `SDS of ${tr.track} (${tr.sensors.join(', ')})`);
      assert.equal(rec.status?.potentiallyFalse, tr.label === 'clutter');
      const had = idOfNumber.get(rec.trackNumber!);
      if (rec.status?.first) {
        assert.equal(had, undefined, `track number ${rec.trackNumber} given to ${tr.track} while held by ${had}`);
        idOfNumber.set(rec.trackNumber!, tr.track);
      } else assert.equal(had, tr.track, `track number ${rec.trackNumber} stays with its track`);
      if (rec.status?.last) {
        ended.push(tr.track);
        idOfNumber.delete(rec.trackNumber!);
      } else {
        sentIds.add(tr.track);
        if (!times.includes(t)) times.push(t);
      }
    }
    // updates at most every interval_s (2 s) of report time
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 2 - 1e-6, `updates ${times[i] - times[i - 1]} s apart`);
    // every track of those reports was sent
    for (const t of times) {
      const sent = records.filter((r) => !r.status?.last && Math.abs(r.t! - t) <= 1 / 256).length;
      assert.equal(sent, byT.get(t)!.length, `all ${byT.get(t)!.length} tracks of the report at ${t}`);
    }
    assert.ok(records.some((r) => r.status?.first));
    // a track sent and gone by the last update ends with one TSE record (its last state)
    const inLast = new Set(byT.get(times[times.length - 1])!.map((x) => x.track));
    assert.deepEqual(ended.sort(), [...sentIds].filter((id) => !inLast.has(id)).sort());
    assert.ok(ended.length > 0, 'some tracks ended');
    assert.ok(labels.size >= 1 && [...labels].some((l) => classDesignator(l) !== 'UNKNOWN'), `labels ${[...labels].join(', ')}`);
    // Wireshark reads the same designators from the service's datagrams
    const shark = tsharkAsterix(datagrams).flatMap((p) => p.blocks.flatMap((b) => b.messages));
    assert.equal(shark.length, records.length);
    shark.forEach((m, i) => {
      const id = m['asterix.062_245'] as Record<string, string>;
      assert.deepEqual([Number(id['asterix.062_245_STI']), id['asterix.062_245_CHR']], [records[i]!.targetId!.sti, records[i]!.targetId!.chars]);
    });
  });

  it('asterix.class_in_callsign is a boolean, true by default', () => {
    const def = buildConfig({}, {});
    assert.ok(def.ok && def.config.asterix.class_in_callsign === true);
    const off = buildConfig({ asterix: { class_in_callsign: false } }, {});
    assert.ok(off.ok && off.config.asterix.class_in_callsign === false);
    const bad = buildConfig({ asterix: { class_in_callsign: 'yes' } }, {});
    assert.ok(!bad.ok && /asterix\.class_in_callsign must be true or false/.test(bad.errors[0]!), bad.ok ? '' : bad.errors[0]);
  });

  it('sends CAT065 SDPS status and end-of-batch messages that tshark decodes with no warnings', async () => {
    // the service goes on sending: the counts and the packets are taken at one moment when every
    // message counted has arrived (one counted and still in flight made the counts differ by one
    // on a loaded machine)
    let st = srv.transports.asterix!.stats();
    let packets: Buffer[] = [];
    await until(
      () => {
        st = srv.transports.asterix!.stats();
        packets = status065.slice();
        return packets.length === st.statusMessages + st.endOfBatch;
      },
      5000,
      'every CAT065 message counted has arrived',
    );
    assert.ok(st.statusMessages >= 2, `${st.statusMessages} status messages`);
    assert.ok(st.endOfBatch >= st.updates && st.endOfBatch > 0, `${st.endOfBatch} end-of-batch messages for ${st.updates} updates`);
    const msgs = tsharkAsterix(packets).map((p) => {
      assert.equal(p.blocks.length, 1);
      assert.equal(p.blocks[0]!.category, 65);
      assert.equal(p.blocks[0]!.messages.length, 1);
      return p.blocks[0]!.messages[0]!;
    });
    const get = (m: SharkObj, item: string, name: string): number | undefined => {
      const k = Object.keys(m).find((x) => x.endsWith(`_${item}`));
      const v = k === undefined ? undefined : (m[k] as SharkObj)[`${k}_${name}`];
      return typeof v === 'string' ? Number(v) : undefined;
    };
    let status = 0;
    let eob = 0;
    for (const m of msgs) {
      assert.equal(get(m, '010', 'SAC'), 7);
      assert.equal(get(m, '010', 'SIC'), 42);
      assert.equal(get(m, '015', 'VALUE'), 3);
      const type = get(m, '000', 'VALUE');
      if (type === 1) {
        status++;
        assert.equal(get(m, '040', 'NOGO'), 0);
      } else {
        assert.equal(type, 2);
        eob++;
        assert.equal(get(m, '020', 'VALUE'), 0);
      }
      // the time of the message is a time of the service clock (the scene's), as a time of day
      const tod = get(m, '030', 'VALUE')!;
      assert.ok(tod >= 0 && tod < 86400);
    }
    assert.equal(status, st.statusMessages);
    assert.equal(eob, st.endOfBatch);
    // each end of batch carries an update's report time
    const updateTimes = new Set(reports.map((r) => Math.round((r.t % 86400) * 128)));
    for (const m of msgs) if (get(m, '000', 'VALUE') === 2) assert.ok(updateTimes.has(Math.round(get(m, '030', 'VALUE')! * 128)), 'end of batch at a report time');
  });

  it('keeps serving HTTP', async () => {
    const h = await http(srv.httpPort, 'GET', '/api/v1/health');
    assert.equal(h.status, 200);
  });

  it('ends with a CAT065 service status report "service ended by the operator" when it closes', async () => {
    const had = status065.length;
    await srv.transports.asterix!.close();
    await until(() => status065.length > had && status065.some((d, i) => i >= had && d[6] === 3), 5000, 'the service status report');
    const last = tsharkAsterix([status065[status065.length - 1]!])[0]!.blocks[0]!.messages[0]!;
    const k = (item: string) => Object.keys(last).find((x) => x.endsWith(`_${item}`))!;
    assert.equal((last[k('000')] as SharkObj)[`${k('000')}_VALUE`], '3');
    assert.equal((last[k('050')] as SharkObj)[`${k('050')}_VALUE`], '7');
  });
});
