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
import { quietLogger, smallSceneConfig, tempDir } from './testing.js';

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
    // ids MQTT cannot carry, or too long to name a topic: refused, saying why
    for (const [id, why] of [['x/+/#', /id has "\+" \(an MQTT wildcard\) at 2/], ['a#', /id has "#" \(an MQTT wildcard\) at 1/], ['nul\u0000', /id has a control character \(U\+0000\) at 3/], ['m'.repeat(300), /id of 300 characters; at most 256/]] as [string, RegExp][]) {
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
