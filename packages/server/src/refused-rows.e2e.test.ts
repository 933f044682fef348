/**
 * Refused rows cost their sender (an outside probe, 2026-12-07: one sensor credential posting
 * batches of malformed rows, which its rate limit did not count, held the service's health
 * answer for 2-17 s). Each refused row is charged to the credential's bucket; past its burst it
 * owes, and its HTTP requests get 429 with Retry-After before their body is read, its MQTT
 * messages a rate_limited report unread, while the other sensors go on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { startServer, type RunningServer } from './server.js';
import { basic, http, quietLogger, smallSceneConfig, tempDir, until } from './testing.js';

describe('refused rows count against the sender\'s rate limit', () => {
  const tmp = tempDir();
  const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 60 });
  const cfg = { ...config, ingest: { rate_per_s: 100, burst: 300 } };
  const rows = scene.detections as unknown as Record<string, unknown>[];
  let now = scene.t0 + 30;
  let srv: RunningServer;
  let port: number;
  const sensorIds = [...new Set(rows.map((r) => String(r.sensor)))];
  const [noisy, other] = sensorIds;

  before(async () => {
    srv = await startServer({ config: cfg, clock: () => now, logger: quietLogger() });
    port = srv.httpPort;
  });
  after(async () => {
    await srv.close();
    tmp.cleanup();
  });

  it('HTTP: malformed NDJSON lines beyond the burst put the credential in debt: 429 with Retry-After, the body unread; another sensor is served', async () => {
    const auth = { authorization: basic(noisy, `token-${noisy}`) };
    const badBody = '{"t":1,"x":[}\n'.repeat(200);
    // 200 refused lines: within the burst of 300, answered row by row
    const a = await http(port, 'POST', '/api/v1/detections', { raw: badBody, headers: { ...auth, 'content-type': 'application/x-ndjson' } });
    assert.equal(a.status, 422);
    assert.equal((a.json as { rejected: unknown[] }).rejected.length, 200);
    // 200 more: 400 refused in all, 100 owed
    const b = await http(port, 'POST', '/api/v1/detections', { raw: badBody, headers: { ...auth, 'content-type': 'application/x-ndjson' } });
    assert.equal(b.status, 422);
    // now in debt: refused whole before the body is read, naming why and for how long
    const good = { ...rows.find((r) => r.sensor === noisy)!, t: now - 1, id: 'after-debt' };
    const c = await http(port, 'POST', '/api/v1/detections', { body: [good], headers: auth });
    assert.equal(c.status, 429);
    assert.match(String(c.headers.get('retry-after')), /^[12]$/);
    const err = (c.json as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'rate_limited');
    assert.match(err.message, new RegExp(`"${noisy}" sent more refused detections .* than its rate limit of 100/s \\(burst 300\\) allows: nothing of its batches is read for about [12] s`));
    // another sensor is not affected
    const o = { ...rows.find((r) => r.sensor === other)!, t: now - 1, id: 'other-still-served' };
    const d = await http(port, 'POST', '/api/v1/detections', { body: [o], headers: { authorization: basic(other, `token-${other}`) } });
    assert.equal(d.status, 202, JSON.stringify(d.json));
    assert.equal((d.json as { accepted: number }).accepted, 1);
  });

  it('MQTT: a credential in debt gets one rate_limited report for its message, unread; once paid off its good rows are journalled', { timeout: 30_000 }, async () => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: other, password: `token-${other}`, protocolVersion: 5, reconnectPeriod: 0 });
    const reports: Record<string, unknown>[] = [];
    c.on('message', (_topic, payload) => reports.push(JSON.parse(payload.toString())));
    await c.subscribeAsync(`skywarden/v1/${other}/errors`, { qos: 0 });
    try {
      // 700 lines that are not JSON: 300 of the burst, then 300 owed (the most), one report
      await c.publishAsync(`skywarden/v1/${other}/detections`, 'x\n'.repeat(700), { qos: 1 }).catch(() => {});
      await until(() => reports.length >= 1, 10_000, 'the invalid_json report');
      assert.equal(reports[0].code, 'invalid_json');
      assert.ok(srv.service.ingest.owes(other) > 0, 'the lines were charged');
      const good = { ...rows.find((r) => r.sensor === other)!, t: now - 0.5, id: 'mqtt-in-debt' };
      await c.publishAsync(`skywarden/v1/${other}/detections`, JSON.stringify(good), { qos: 1 }).catch(() => {});
      await until(() => reports.length >= 2, 10_000, 'the rate_limited report');
      assert.equal(reports[1].code, 'rate_limited');
      assert.match(String(reports[1].message), /nothing of its batches is read for about \d+ s/);
      const stored = () => srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: other }).then((e) => e.map((x) => x.id));
      assert.ok(!(await stored()).includes('mqtt-in-debt'), 'refused unread');
      // 300 owed at 100 a second: paid off 3 s later (the service's clock), and then taken
      now += 3.5;
      assert.equal(srv.service.ingest.owes(other), 0);
      const later = { ...good, t: now - 0.5, id: 'mqtt-paid-off' };
      await c.publishAsync(`skywarden/v1/${other}/detections`, JSON.stringify(later), { qos: 1 });
      await until(async () => (await stored()).includes('mqtt-paid-off'), 10_000, 'the row sent once the debt was paid off');
      assert.equal(reports.length, 2, JSON.stringify(reports.map((x) => x.code)));
    } finally {
      c.end(true);
    }
    assert.equal((await http(port, 'GET', '/api/v1/health')).status, 200);
  });
});
