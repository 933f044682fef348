/**
 * The sensors a service starts with: a repeated id is refused at start-up, naming both rows
 * (an outside probe, 2026-12-06: the later row replaced the earlier without a word, and moved a
 * radar to 0°, 0°); ids with MQTT's wildcards or control characters, or longer than 256
 * characters, are refused; a sensors file saved with a byte-order mark is read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './server.js';
import { http, login, quietLogger, smallSceneConfig, tempDir } from './testing.js';

test('a sensor id repeated in the sensors file or the inline list is refused at start-up, naming both rows', async () => {
  const tmp = tempDir();
  try {
    const { config, sensors } = smallSceneConfig({ dataDir: tmp.dir, durationS: 30 });
    const file = join(tmp.dir, 'sensors.json');
    writeFileSync(file, JSON.stringify({ sensors: [...sensors, { ...sensors[0], lat: 0, lon: 0 }] }));
    const fromFile = { ...config, sensors: { file, list: [] } };
    await assert.rejects(startServer({ config: fromFile, logger: quietLogger() }), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} sensors\\[${sensors.length}\\] repeats the id "${String(sensors[0].id)}" of ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} sensors\\[0\\]`));
    const inList = { ...config, sensors: { file, list: [{ ...sensors[1] }] } };
    writeFileSync(file, JSON.stringify({ sensors }));
    await assert.rejects(startServer({ config: inList, logger: quietLogger() }), new RegExp(`sensors.list\\[0\\] repeats the id "${String(sensors[1].id)}"`));
    // ids MQTT cannot carry, too long to name a topic, or passing for another (a Cyrillic а in a Latin id): refused, saying why
    for (const [id, why] of [['x/+/#', /id has "\+" \(an MQTT wildcard\) at 2/], ['a#', /id has "#" \(an MQTT wildcard\) at 1/], ['nul\u0000', /id has a control character \(U\+0000\) at 3/], ['m'.repeat(300), /id of 300 characters; at most 256/], ['r\u0430dar-1', /id mixes Latin and Cyrillic letters \(the Cyrillic "\u0430", U\+0430, at character 1\)/]] as [string, RegExp][]) {
      await assert.rejects(startServer({ config: { ...config, sensors: { list: [...sensors, { ...sensors[0], id }] } }, logger: quietLogger() }), why, id.slice(0, 10));
    }
    // the file alone, saved with a byte-order mark: read as it is meant
    writeFileSync(file, '\ufeff' + JSON.stringify({ sensors }));
    const srv = await startServer({ config: { ...config, sensors: { file, list: [] } }, logger: quietLogger() });
    try {
      assert.equal(srv.service.registry.ids().length, sensors.length);
    } finally {
      await srv.close();
    }
  } finally {
    tmp.cleanup();
  }
});

test('a sensor of the config replaced through the API: the answer warns, the replacement outlives a restart, and its removal brings the config\'s row back', async () => {
  const tmp = tempDir();
  try {
    const { config, sensors } = smallSceneConfig({ dataDir: tmp.dir, durationS: 30 });
    const id = String(sensors[0].id);
    const cfg = { ...config, sensors: { list: sensors } };
    const lat0 = Number(sensors[0].lat);
    let srv = await startServer({ config: cfg, logger: quietLogger() });
    try {
      const admin = await login(srv.httpPort, 'admin', 'admin-secret-1');
      const put = await http(srv.httpPort, 'PUT', `/api/v1/sensors/${encodeURIComponent(id)}`, { token: admin, body: { ...sensors[0], id: undefined, lat: lat0 + 0.01 } });
      assert.equal(put.status, 200, put.text);
      const warnings = put.json.warnings as string[];
      assert.equal(warnings.length, 1, put.text);
      assert.match(warnings[0], new RegExp(`sensor "${id}" of the config .* is replaced by this registration, also after a restart`));
      assert.equal(srv.service.registry.def(id)?.lat, lat0 + 0.01);
      // a sensor the config does not give registers without a warning
      const other = await http(srv.httpPort, 'PUT', '/api/v1/sensors/api-only-1', { token: admin, body: { kind: 'observer' } });
      assert.equal(other.status, 200, other.text);
      assert.equal(other.json.warnings, undefined);
    } finally {
      await srv.close();
    }
    srv = await startServer({ config: cfg, logger: quietLogger() });
    try {
      assert.equal(srv.service.registry.def(id)?.lat, lat0 + 0.01, 'the replacement is kept across a restart');
      const admin = await login(srv.httpPort, 'admin', 'admin-secret-1');
      assert.equal((await http(srv.httpPort, 'DELETE', `/api/v1/sensors/${encodeURIComponent(id)}`, { token: admin })).status, 200);
      assert.equal(srv.service.registry.def(id)?.lat, lat0, "removed: the config's row again");
    } finally {
      await srv.close();
    }
    // a sensors file that is not JSON is named with its line and column
    const file = join(tmp.dir, 'bad-sensors.json');
    writeFileSync(file, '{"sensors": [\n  {"id": "a", "kind": "radar",}\n]}');
    await assert.rejects(startServer({ config: { ...config, sensors: { file, list: [] } }, logger: quietLogger() }), /bad-sensors\.json: not valid JSON \(at line 2, column 31/);
  } finally {
    tmp.cleanup();
  }
});
