/**
 * Wireshark's ASTERIX dissector (tshark) as the reference decoder in tests: writes datagrams
 * to a pcap on UDP port 8600, has tshark decode them as ASTERIX, and returns each packet's
 * ASTERIX layer (or layers). Fails the test when tshark is missing, fails, or marks a packet
 * malformed or with an expert warning. Test support only; not exported from the package.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from './pcap.js';

export type SharkObj = Record<string, unknown>;

/** One packet's decode: its ASTERIX blocks, each with its category and messages. */
export interface SharkPacket {
  blocks: { category: number; messages: SharkObj[] }[];
  /** The packet's layers as tshark gives them. */
  layers: SharkObj;
}

/** Runs tshark on the datagrams (capture times t0, t0 + 1, ...). */
export function tsharkAsterix(datagrams: readonly Uint8Array[], t0 = 1764000000): SharkPacket[] {
  const probe = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (probe.error) assert.fail(`tshark is needed as the reference ASTERIX decoder (Debian package tshark): ${probe.error.message}`);
  const dir = mkdtempSync(join(tmpdir(), 'sw-shark-'));
  try {
    const file = join(dir, 'asterix.pcap');
    writeFileSync(file, writePcap(datagrams.map((payload, i) => ({ t: t0 + i, payload }))));
    const r = spawnSync('tshark', ['-r', file, '-d', 'udp.port==8600,asterix', '-T', 'json', '--no-duplicate-keys'], { encoding: 'utf8', maxBuffer: 512 << 20 });
    assert.equal(r.status, 0, `tshark failed: ${r.stderr}`);
    // packets with any expert info (malformed, warnings): none allowed
    const ex = spawnSync('tshark', ['-r', file, '-d', 'udp.port==8600,asterix', '-Y', '_ws.expert'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(ex.status, 0, `tshark failed: ${ex.stderr}`);
    assert.equal(ex.stdout.trim(), '', `tshark reports expert infos on these packets:\n${ex.stdout}`);
    const packets = JSON.parse(r.stdout) as { _source: { layers: SharkObj } }[];
    assert.equal(packets.length, datagrams.length);
    return packets.map((p) => {
      const layers = p._source.layers;
      assert.ok(!('_ws.malformed' in layers), `tshark found a malformed packet: ${JSON.stringify(layers['_ws.malformed'])}`);
      const raw = layers.asterix as SharkObj | SharkObj[] | undefined;
      assert.ok(raw !== undefined, 'tshark found no ASTERIX layer');
      const blocks = (Array.isArray(raw) ? raw : [raw]).map((b) => {
        const m = b['asterix.message'] as SharkObj | SharkObj[] | undefined;
        return { category: Number(b['asterix.category']), messages: m === undefined ? [] : Array.isArray(m) ? m : [m] };
      });
      return { blocks, layers };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A field of an item: `item` like `048_040`, `name` like `RHO`; nested `{..._VALUE}` objects are followed. Undefined when absent. */
export function sharkField(m: SharkObj, item: string, name: string, prefix = 'asterix.'): number | undefined {
  const it = m[`${prefix}${item}`] as SharkObj | undefined;
  if (it === undefined) return undefined;
  let v = it[`${prefix}${item}_${name}`];
  if (typeof v === 'object' && v !== null) v = (v as SharkObj)[`${prefix}${item}_${name}_VALUE`];
  return typeof v === 'string' ? Number(v) : undefined;
}
