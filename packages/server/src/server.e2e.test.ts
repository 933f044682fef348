/**
 * The live service end to end on its embedded defaults (SQLite journal, embedded MQTT broker,
 * HTTP on free ports): accounts and roles, HTTP and MQTT ingest with their error handling,
 * acknowledgement after the journal, the live stream, the picture, operator actions, metrics.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import mqtt from 'mqtt';
import { startServer, type RunningServer } from './server.js';
import { basic, http, login, quietLogger, smallSceneConfig, takeSseEvents, tempDir, until } from './testing.js';

describe('skywarden serve (embedded defaults)', () => {
  const tmp = tempDir();
  const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 240 });
  let now = scene.t0;
  let srv: RunningServer;
  let port: number;
  let admin: string;
  let viewer: string;
  const radar = 'radar-1';
  const radarAuth = basic(radar, `token-${radar}`);
  const rows = scene.detections as unknown as Record<string, unknown>[];

  before(async () => {
    srv = await startServer({ config, clock: () => now, logger: quietLogger() });
    port = srv.httpPort;
    admin = await login(port, 'admin', 'admin-secret-1');
    viewer = await login(port, 'view', 'view-secret-1');
  });
  after(async () => {
    await srv.close();
    tmp.cleanup();
  });

  it('answers health without login and nothing else', async () => {
    const h = await http(port, 'GET', '/api/v1/health');
    assert.equal(h.status, 200);
    assert.equal(h.json.ok, true);
    const t = await http(port, 'GET', '/api/v1/tracks');
    assert.equal(t.status, 401);
    assert.equal(t.json.error?.code, 'unauthenticated');
    const bad = await http(port, 'POST', '/api/v1/login', { body: { user: 'admin', password: 'wrong' } });
    assert.equal(bad.status, 401);
    assert.equal(bad.json.error?.code, 'bad_credentials');
    const nobody = await http(port, 'POST', '/api/v1/login', { body: { user: 'nobody', password: 'x' } });
    assert.equal(nobody.status, 401);
    const me = await http(port, 'GET', '/api/v1/me', { token: viewer });
    assert.deepEqual(me.json, { user: 'view', role: 'viewer', mode: 'live' });
  });

  it('refuses operator actions to a viewer, with a stable code', async () => {
    const r = await http(port, 'POST', '/api/v1/zones/x/alert', { token: viewer, body: { action: 'raise', reason: 'test' } });
    assert.equal(r.status, 403);
    assert.equal(r.json.error?.code, 'forbidden');
    const a = await http(port, 'GET', '/api/v1/audit', { token: viewer });
    assert.equal(a.status, 403);
  });

  it('takes a mixed HTTP batch: the good detections are journalled, each bad one is named', async () => {
    const good = rows.find((r) => r.sensor === radar) as Record<string, unknown>;
    now = (good.t as number) + 1;
    const batch = [
      { ...good, id: 'http-good-1' },
      { ...good, id: 'http-bad-1', range_m: -5 },
      { ...good, id: 'http-other', sensor: 'adsb-1', type: 'position', lat: 37.5, lon: 127 },
      'not an object',
      { ...good, id: 'http-future', t: now + 3600 },
    ];
    const r = await http(port, 'POST', '/api/v1/detections', { body: batch, headers: { authorization: radarAuth } });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.accepted, 1);
    const rej = r.json.rejected as { index: number; code: string; message: string }[];
    assert.deepEqual(
      rej.map((x) => [x.index, x.code]),
      [
        [1, 'invalid_detection'],
        [2, 'sensor_mismatch'],
        [3, 'invalid_detection'],
        [4, 'in_future'],
      ],
    );
    assert.match(rej[0].message, /range_m/);
    // sent again: a duplicate, not stored twice
    const again = await http(port, 'POST', '/api/v1/detections', { body: [batch[0]], headers: { authorization: radarAuth } });
    assert.equal(again.status, 202);
    assert.equal(again.json.duplicates, 1);
    assert.equal(again.json.accepted, 0);
    const stored = await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: radar });
    assert.equal(stored.filter((e) => e.id === 'http-good-1').length, 1);
  });

  it('takes NDJSON with a broken line, and refuses bad credentials, bodies and sizes', async () => {
    const good = rows.filter((r) => r.sensor === radar).slice(1, 3);
    const nd = `${JSON.stringify({ ...good[0], id: 'nd-1' })}\n{oops\n${JSON.stringify({ ...good[1], id: 'nd-2' })}\n`;
    const r = await http(port, 'POST', '/api/v1/detections', { raw: nd, headers: { authorization: radarAuth, 'content-type': 'application/x-ndjson' } });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.accepted, 2);
    assert.deepEqual((r.json.rejected as { code: string }[]).map((x) => x.code), ['invalid_json']);
    assert.match((r.json.rejected as { message: string }[])[0].message, /^line 2: not valid JSON \(at column 2 \("oops"\)/, r.text);
    // indexes are line indexes: blank lines before a bad one count
    const blank = `\n\n${JSON.stringify({ ...good[0], id: 'nd-3' })}\n\n{oops\n${JSON.stringify({ bad: 1 })}\n`;
    const rb = await http(port, 'POST', '/api/v1/detections', { raw: blank, headers: { authorization: radarAuth, 'content-type': 'application/x-ndjson' } });
    assert.equal(rb.status, 202, rb.text);
    assert.deepEqual((rb.json.rejected as { index: number; code: string }[]).map((x) => [x.index, x.code]), [[4, 'invalid_json'], [5, 'invalid_detection']]);

    const noAuth = await http(port, 'POST', '/api/v1/detections', { body: [good[0]] });
    assert.equal(noAuth.status, 401);
    const wrong = await http(port, 'POST', '/api/v1/detections', { body: [good[0]], headers: { authorization: basic(radar, 'wrong-token') } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error?.code, 'bad_credentials');
    const allBad = await http(port, 'POST', '/api/v1/detections', { body: [{ t: 'x' }], headers: { authorization: radarAuth } });
    assert.equal(allBad.status, 422);
    const broken = await http(port, 'POST', '/api/v1/detections', { raw: '[{"t":', headers: { authorization: radarAuth, 'content-type': 'application/json' } });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error?.code, 'invalid_json');
    assert.match(String(broken.json.error?.message), /not valid JSON: the text ends early \(6 characters\)/);
    // a syntax error in a batch of several lines is named by line and column
    const typo = `[\n${JSON.stringify({ ...good[0], id: 'ty-1' })},\n{"t": 1, "sensor": "${radar}",}\n]`;
    const badTypo = await http(port, 'POST', '/api/v1/detections', { raw: typo, headers: { authorization: radarAuth, 'content-type': 'application/json' } });
    assert.equal(badTypo.status, 400);
    assert.equal(badTypo.json.error?.code, 'invalid_json');
    assert.match(String(badTypo.json.error?.message), new RegExp(`^the body is not valid JSON: at line 3, column ${`{"t": 1, "sensor": "${radar}",`.length + 1} \\("}`), String(badTypo.json.error?.message));
    const tooMany = await http(port, 'POST', '/api/v1/detections', { body: new Array(10001).fill(good[0]), headers: { authorization: radarAuth } });
    assert.equal(tooMany.status, 413);
    assert.equal(tooMany.json.error?.code, 'batch_too_large');
    const xml = await http(port, 'POST', '/api/v1/detections', { raw: '<x/>', headers: { authorization: radarAuth, 'content-type': 'application/xml' } });
    assert.equal(xml.status, 415);
  });

  it('acknowledges MQTT QoS 1 only after the journal has the detections; enforces topics; reports bad ones', async () => {
    const bad = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: radar, password: 'nope', reconnectPeriod: 0 }).then(
      () => 'connected',
      (e: Error) => e.message,
    );
    assert.match(bad, /Not authorized|Bad username or password|authori/i);

    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: radar, password: `token-${radar}`, reconnectPeriod: 0 });
    const errors: unknown[] = [];
    c.on('message', (_topic, payload) => errors.push(JSON.parse(payload.toString())));
    await c.subscribeAsync(`skywarden/v1/${radar}/errors`, { qos: 0 });
    const some = rows.filter((r) => r.sensor === radar).slice(3, 8).map((r, i) => ({ ...r, id: `mq-${i}` }));
    await c.publishAsync(`skywarden/v1/${radar}/detections`, JSON.stringify([...some, { ...some[0], id: 'mq-bad', bearing_deg: 'north' }]), { qos: 1 });
    // the PUBACK has come back: every good one is already in the journal
    const stored = await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: radar });
    for (let i = 0; i < some.length; i++) assert.ok(stored.some((e) => e.id === `mq-${i}`), `mq-${i} journalled before the PUBACK`);
    assert.ok(!stored.some((e) => e.id === 'mq-bad'));
    await until(() => errors.length > 0, 3000, 'the rejection report on the errors topic');
    assert.match(JSON.stringify(errors[0]), /bearing_deg/);
    // publishing as another sensor: the broker drops the connection
    const closed = new Promise((resolve) => c.once('close', () => resolve(undefined)));
    c.publish('skywarden/v1/adsb-1/detections', JSON.stringify(some[0]), { qos: 1 });
    await closed;
    c.end(true);
  });

  it('each QoS as documented: 0 taken without an acknowledgement, 2 completed only after the journal', async () => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: radar, password: `token-${radar}`, reconnectPeriod: 0 });
    const base = rows.filter((r) => r.sensor === radar).slice(10, 12);
    // QoS 0: no acknowledgement at all; the rows reach the journal all the same while the service runs
    await c.publishAsync(`skywarden/v1/${radar}/detections`, JSON.stringify({ ...base[0], id: 'q0-1' }), { qos: 0 });
    await until(async () => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: radar })).some((e) => e.id === 'q0-1'), 3000, 'the QoS 0 row in the journal');
    // QoS 2: PUBCOMP has come back, so the row is in the journal
    await c.publishAsync(`skywarden/v1/${radar}/detections`, JSON.stringify({ ...base[1], id: 'q2-1' }), { qos: 2 });
    assert.ok((await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: radar })).some((e) => e.id === 'q2-1'), 'journalled before PUBCOMP');
    c.end(true);
  });

  it('speaks MQTT 5: PUBACK after the journal, reason codes and reason strings for what is refused, the connection kept', async () => {
    const base = rows.filter((r) => r.sensor === radar).slice(12, 15);
    const wrong = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: radar, password: 'nope', protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 }).then(
      () => 0,
      (e: Error & { code?: number }) => e.code ?? -1,
    );
    assert.equal(wrong, 0x86, 'bad credentials: CONNACK 0x86 (bad user name or password)');
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: radar, password: `token-${radar}`, protocolVersion: 5, reconnectPeriod: 0 });
    const errors: unknown[] = [];
    c.on('message', (_topic, payload) => errors.push(JSON.parse(payload.toString())));
    await c.subscribeAsync(`skywarden/v1/${radar}/errors`, { qos: 0 });
    const stored = async () => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: radar })).map((e) => e.id);
    // a good message with one bad row: success, the good row journalled before the PUBACK, the bad one reported
    const ok = await c.publishAsync(`skywarden/v1/${radar}/detections`, JSON.stringify([{ ...base[0], id: 'v5-1' }, { ...base[0], id: 'v5-bad', range_m: -1 }]), { qos: 1 });
    assert.equal((ok as { reasonCode?: number } | undefined)?.reasonCode ?? 0, 0);
    assert.ok((await stored()).includes('v5-1'), 'journalled before the PUBACK');
    await until(() => errors.length > 0, 5000, 'the rejection report on the errors topic');
    assert.match(JSON.stringify(errors[0]), /range_m/);
    // nothing usable: PUBACK 0x87 whose reason string names the field; nothing journalled
    const refusal = await c.publishAsync(`skywarden/v1/${radar}/detections`, JSON.stringify({ ...base[1], id: 'v5-all-bad', bearing_deg: 'north' }), { qos: 1 }).then(
      () => null,
      (e: Error & { code?: number }) => e,
    );
    assert.equal(refusal?.code, 0x87);
    const acks: { reasonCode?: number; properties?: { reasonString?: string } }[] = [];
    c.on('packetreceive', (pk) => {
      if (pk.cmd === 'puback') acks.push(pk as never);
    });
    await c.publishAsync(`skywarden/v1/${radar}/detections`, '{oops', { qos: 1 }).catch(() => {});
    assert.equal(acks.at(-1)?.reasonCode, 0x87);
    assert.match(acks.at(-1)?.properties?.reasonString ?? '', /invalid_json/);
    assert.ok(!(await stored()).includes('v5-all-bad'));
    // another sensor's topic: 0x87 with the topic named, and the connection stays up
    await c.publishAsync('skywarden/v1/adsb-1/detections', JSON.stringify(base[2]), { qos: 1 }).catch(() => {});
    assert.equal(acks.at(-1)?.reasonCode, 0x87);
    assert.match(acks.at(-1)?.properties?.reasonString ?? '', /may not publish to skywarden\/v1\/adsb-1/);
    assert.ok(c.connected, 'the connection is kept after refusals');
    // QoS 2 completes after the journal too
    await c.publishAsync(`skywarden/v1/${radar}/detections`, JSON.stringify({ ...base[2], id: 'v5-q2' }), { qos: 2 });
    assert.ok((await stored()).includes('v5-q2'), 'journalled before PUBCOMP');
    c.end(true);
  });

  it('MQTT 5: a message the journal could not take gets no acknowledgement at all, and the sensor sends it again', { timeout: 60_000 }, async () => {
    const ingest = srv.service.ingest;
    const real = ingest.ingest.bind(ingest);
    let failures = 1;
    ingest.ingest = async (...a: Parameters<typeof real>) => {
      if (failures-- > 0) throw new Error('journal write failed (test)');
      return real(...a);
    };
    try {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: radar, password: `token-${radar}`, protocolVersion: 5, reconnectPeriod: 100 });
      let closes = 0;
      c.on('close', () => closes++);
      const row = rows.filter((r) => r.sensor === radar)[16];
      // resolves only on a PUBACK: a refusal (0x87) would reject, a lost message would hang
      await c.publishAsync(`skywarden/v1/${radar}/detections`, JSON.stringify({ ...row, id: 'v5-retry' }), { qos: 1 });
      assert.equal(failures, -1, 'the first delivery failed and the second was journalled');
      assert.ok(closes >= 1, 'the broker dropped the connection instead of acknowledging');
      const ids = (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: radar })).map((e) => e.id);
      assert.equal(ids.filter((i) => i === 'v5-retry').length, 1);
      c.end(true);
    } finally {
      ingest.ingest = real;
    }
  });

  it('builds tracks from a stream, shows them in the API and on the event stream', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/stream`, { headers: { authorization: `Bearer ${viewer}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const events: { event: string; data: Record<string, unknown> }[] = [];
    let buf = '';
    const pump = (async () => {
      const dec = new TextDecoder();
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        const got = takeSseEvents(buf + dec.decode(value, { stream: true }));
        buf = got.rest;
        events.push(...got.events);
      }
    })().catch(() => {});
    // all radar and ADS-B detections, in time order, the clock following them
    const auth = new Map<string, string>();
    for (const r of rows) {
      const s = String(r.sensor);
      if (!auth.has(s)) auth.set(s, basic(s, `token-${s}`));
    }
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      const bySensor = new Map<string, Record<string, unknown>[]>();
      for (const r of batch) {
        const s = String(r.sensor);
        if (!bySensor.has(s)) bySensor.set(s, []);
        bySensor.get(s)!.push(r);
      }
      for (const [s, list] of bySensor) {
        const r = await http(port, 'POST', '/api/v1/detections', { body: list, headers: { authorization: auth.get(s)! } });
        assert.equal(r.status, 202, r.text);
      }
      batch = [];
    };
    for (const r of rows) {
      if ((r.t as number) > now + 2) {
        await flush();
        now = r.t as number;
        await new Promise((res) => setTimeout(res, 2));
      }
      batch.push(r);
    }
    await flush();
    now += 10;
    await until(() => (srv.service.fusion?.snapshot().tracks.length ?? 0) > 0, 5000, 'tracks');
    const tr = await http(port, 'GET', '/api/v1/tracks', { token: viewer });
    const tracks = tr.json.tracks as { track: string; class: Record<string, number>; sensors: string[] }[];
    assert.ok(tracks.length >= 3, `${tracks.length} tracks`);
    const one = await http(port, 'GET', `/api/v1/tracks/${tracks[0].track}`, { token: viewer });
    assert.equal(one.status, 200);
    assert.ok((one.json.history as unknown[]).length > 10);
    await until(() => events.some((e) => e.event === 'tracks' && (e.data.tracks as unknown[]).length > 0), 5000, 'a tracks event with tracks');
    assert.equal(events[0].event, 'hello');
    assert.ok(events.some((e) => e.event === 'detections'));
    await reader.cancel();
    await pump;

    // operator decision, audited
    const op = await login(port, 'op', 'op-secret-1');
    const act = await http(port, 'POST', `/api/v1/tracks/${tracks[0].track}/actions`, { token: op, body: { action: 'classify', label: 'bird' } });
    assert.equal(act.status, 200, act.text);
    assert.equal((act.json.operator as { label: string }).label, 'bird');
    const badAct = await http(port, 'POST', `/api/v1/tracks/${tracks[0].track}/actions`, { token: op, body: { action: 'classify', label: 'ufo' } });
    assert.equal(badAct.status, 400);
    const audit = await http(port, 'GET', '/api/v1/audit', { token: admin });
    assert.ok((audit.json.audit as { action: string }[]).some((a) => a.action === 'track-classify'));

    // stored history and replay of the window
    await until(async () => (await srv.service.store.trackStatesInWindow({ from: 0, to: 1e12, limit: 1 })).length > 0, 5000, 'stored track states');
    const frames = await http(port, 'GET', `/api/v1/history/tracks?from=${scene.t0}&to=${now}&every=10`, { token: viewer });
    assert.equal(frames.status, 200, frames.text);
    assert.ok((frames.json.frames as unknown[]).length > 5);
    // the tracker replay costs the service work: operators only
    const byViewer = await http(port, 'POST', '/api/v1/replay', { token: viewer, body: { from: scene.t0, to: now } });
    assert.equal(byViewer.status, 403);
    const rep = await http(port, 'POST', '/api/v1/replay', { token: op, body: { from: scene.t0, to: now } });
    assert.equal(rep.status, 200);
    assert.ok(rep.text.split('\n').filter(Boolean).length > 100);
  });

  it('serves sensors with health, detections by window, OpenAPI and metrics', async () => {
    const s = await http(port, 'GET', '/api/v1/sensors', { token: viewer });
    const list = s.json.sensors as { id: string; status: string; accepted: number }[];
    assert.equal(list.find((x) => x.id === radar)?.status, 'ok');
    assert.ok((list.find((x) => x.id === radar)?.accepted ?? 0) > 10);
    // heartbeats: only for the credential's own sensors
    const hb = await http(port, 'POST', `/api/v1/sensors/${radar}/status`, { body: { ok: true }, headers: { authorization: radarAuth } });
    assert.equal(hb.status, 200, hb.text);
    const other = await http(port, 'POST', '/api/v1/sensors/adsb-1/status', { body: { ok: true }, headers: { authorization: radarAuth } });
    assert.equal(other.status, 403);
    assert.equal(other.json.error?.code, 'sensor_mismatch');
    const anon = await http(port, 'POST', `/api/v1/sensors/${radar}/status`, { body: { ok: true } });
    assert.equal(anon.status, 401);
    const d = await http(port, 'GET', `/api/v1/detections?from=${scene.t0}&to=${scene.t0 + 30}&sensor=${radar}`, { token: viewer });
    assert.ok((d.json.detections as unknown[]).length > 0);
    const badQ = await http(port, 'GET', '/api/v1/detections?from=abc', { token: viewer });
    assert.equal(badQ.status, 400);
    const o = await http(port, 'GET', '/api/v1/openapi.json', { token: viewer });
    assert.equal(o.status, 200);
    assert.ok((o.json.paths as Record<string, unknown>)['/api/v1/detections']);
    const m = await http(port, 'GET', '/metrics');
    assert.match(m.text, /skywarden_detections_accepted_total\{source="http"\} \d+/);
    assert.match(m.text, /skywarden_detections_rejected_total\{source="http",reason="invalid_detection"\} \d+/);
    // Prometheus' own checker: no problem and no warning (counters end in _total, nothing else does)
    const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((x) => existsSync(x));
    assert.ok(promtool, 'promtool is needed to check the metrics (apt-get install prometheus; .ci/run does)');
    const check = spawnSync(promtool, ['check', 'metrics'], { input: m.text, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.equal((check.stdout + check.stderr).trim(), '', 'promtool: nothing to say');
    assert.match(m.text, /^# TYPE skywarden_process_nodejs_active_handles gauge$/m);
  });

  it('registers a sensor through the admin API, which then may publish', async () => {
    const put = await http(port, 'PUT', '/api/v1/sensors/obs-new', { token: admin, body: { kind: 'observer', token: 'new-sensor-token' } });
    assert.equal(put.status, 200, put.text);
    const r = await http(port, 'POST', '/api/v1/detections', {
      body: [{ t: now - 1, sensor: 'obs-new', type: 'position', lat: 37.55, lon: 127.0, pos_sd_m: 300, id: 'obs-new-1' }],
      headers: { authorization: basic('obs-new', 'new-sensor-token') },
    });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.accepted, 1);
    const badPut = await http(port, 'PUT', '/api/v1/sensors/bad', { token: admin, body: { kind: 'radar', lat: 200, lon: 0 } });
    assert.equal(badPut.status, 400);
    assert.match(badPut.json.error?.message ?? '', /lat/);
  });
});
