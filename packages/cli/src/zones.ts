/** `skywarden zones`: any GeoJSON of districts into zones.geojson (formats/interchange/zones-from.ts). */
import { writeFileSync } from 'node:fs';
import { zonesFromGeoJson, type ZonesFromOptions } from '@skywarden/formats';
import { CliError } from './args.js';
import { checkDistinctFiles, describeFsError, readWholeText } from './lines.js';

export async function zonesCommand(a: ZonesFromOptions & { in: string; out: string }): Promise<number> {
  checkDistinctFiles([['--in', a.in]], [['--out', a.out]]);
  const r = zonesFromGeoJson(readWholeText(a.in), a);
  if (!r.ok) throw new CliError(`${a.in}: ${r.errors.slice(0, 20).join('\n  ')}${r.errors.length > 20 ? `\n  ... and ${r.errors.length - 20} more` : ''}`);
  if (a.out === '-') process.stdout.write(r.text);
  else {
    try {
      writeFileSync(a.out, r.text);
    } catch (err) {
      throw new CliError(describeFsError(err, a.out, 'write'));
    }
  }
  for (const n of r.notes.slice(0, 20)) process.stderr.write(`note: ${n}\n`);
  if (r.notes.length > 20) process.stderr.write(`note: ... and ${r.notes.length - 20} more\n`);
  process.stderr.write(`zones written: ${r.kept}${r.skipped > 0 ? ` (${r.skipped} features skipped)` : ''}${a.out === '-' ? '' : ` to ${a.out}`}\n`);
  return 0;
}
