import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from '../testing/pcap.js';
import { encodeCat048Block, NM, type Cat048Plot } from './index.js';

test('CAT048 plots decode in tshark to the same time, range and azimuth', () => {
  const probe = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (probe.error) assert.fail(`tshark is needed as the reference ASTERIX decoder (Debian package tshark): ${probe.error.message}`);
  const plots: Cat048Plot[] = Array.from({ length: 20 }, (_, i) => ({ sac: 3, sic: 4, t: 1764000000 + i * 0.37, range: 150 + i * 997.3, azimuthDeg: -15 + i * 19.7, simulated: i % 2 === 0 }));
  const block = encodeCat048Block(plots);
  assert.equal((block[1]! << 8) | block[2]!, block.length);
  const dir = mkdtempSync(join(tmpdir(), 'sw-048-'));
  try {
    const file = join(dir, 'cat048.pcap');
    writeFileSync(file, writePcap([{ t: 1764000000, payload: block }]));
    const r = spawnSync('tshark', ['-r', file, '-d', 'udp.port==8600,asterix', '-T', 'json', '--no-duplicate-keys'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const layers = (JSON.parse(r.stdout) as { _source: { layers: Record<string, unknown> } }[])[0]!._source.layers;
    assert.ok(!('_ws.malformed' in layers));
    const ast = layers.asterix as { 'asterix.category': string; 'asterix.message': Record<string, Record<string, string>>[] };
    assert.equal(ast['asterix.category'], '48');
    const msgs = ast['asterix.message'];
    assert.equal(msgs.length, plots.length);
    plots.forEach((p, i) => {
      const m = msgs[i]!;
      assert.equal(Number(m['asterix.048_010']!['asterix.048_010_SAC']), 3);
      assert.ok(Math.abs(Number(m['asterix.048_140']!['asterix.048_140_VALUE']) - (57600 + i * 0.37)) <= 1 / 256 + 1e-9);
      assert.equal(Number(m['asterix.048_020']!['asterix.048_020_TYP']), 1);
      assert.equal(Number(m['asterix.048_020']!['asterix.048_020_SIM']), i % 2 === 0 ? 1 : 0);
      assert.ok(Math.abs(Number(m['asterix.048_040']!['asterix.048_040_RHO']) - p.range / NM) <= 1 / 512 + 1e-9);
      const az = (((p.azimuthDeg % 360) + 360) % 360);
      assert.ok(Math.abs(Number(m['asterix.048_040']!['asterix.048_040_THETA']) - az) <= 360 / 65536 / 2 + 1e-9);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => encodeCat048Block([{ sac: 1, sic: 1, t: 0, range: 300 * NM, azimuthDeg: 0 }]), /range must be within/);
});
