/**
 * `skywarden simulate --scenario FILE --out DIR [--annotate]`: writes sensors.json,
 * detections.ndjson, truth.ndjson and zones.geojson (spec/interchange.md) for the scenario,
 * seeded and deterministic. The scenario is YAML or JSON (sim/src/scenario/scenario.ts).
 */
import { createWriteStream, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { once } from 'node:events';
import { parse as parseYaml } from 'yaml';
import { buildScenarioScene, parseScenario, type ScenarioIo } from '@skywarden/sim';
import { describeJsonError, parseErrorMessage, withoutBom } from '@skywarden/formats';
import { CliError } from './args.js';
import { describeFsError, readWholeBytes, readWholeText, WHOLE_FILE_MAX_BYTES } from './lines.js';

/** The repository's data folder (shipped boundaries and trajectories). */
const DATA_DIR = new URL('../../../data/', import.meta.url);

export interface SimulateArgs {
  scenario: string;
  out: string;
  annotate: boolean;
  /** Seconds between progress lines on stderr while the scene is written (default 5; 0: after every chunk). */
  progressEveryS?: number;
}

/** The presets `--scenario` takes by name (a scenario with the preset's defaults). */
const PRESET_NAMES = ['small', 'mixed', 'national'];

/** Reads and validates a scenario file, or a preset's name; throws a CliError listing every problem. */
export function loadScenario(path: string) {
  let doc: unknown;
  if (PRESET_NAMES.includes(path) && !existsSync(path)) doc = { name: path, preset: path };
  else {
    let text: string;
    try {
      text = readWholeText(path);
    } catch (err) {
      throw new CliError(`${(err as Error).message} (a scenario file, or a preset: ${PRESET_NAMES.join(', ')})`);
    }
    text = withoutBom(text);
    try {
      doc = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
    } catch (err) {
      throw new CliError(`${path}: ${parseErrorMessage(err)}`);
    }
  }
  const r = parseScenario(doc);
  if (!r.ok) throw new CliError(`${path}: ${r.errors.length} problem${r.errors.length > 1 ? 's' : ''}:\n  ${r.errors.join('\n  ')}`);
  return r.scenario;
}

/** File access for the scene builder: paths relative to the scenario file, then to the repository. */
export function scenarioIo(scenarioPath: string): ScenarioIo {
  const base = dirname(resolve(scenarioPath));
  const find = (p: string): string => {
    if (isAbsolute(p)) return p;
    for (const cand of [join(base, p), resolve(p), new URL(p.replace(/^data\//, ''), DATA_DIR).pathname]) if (existsSync(cand)) return cand;
    throw new CliError(`${scenarioPath}: file ${JSON.stringify(p)} not found (looked beside the scenario, in the working directory and in the shipped data/)`);
  };
  return {
    readText: (p) => readWholeText(find(p)),
    readJson: (p) => {
      const f = find(p);
      const buf = readWholeBytes(f);
      let text: string;
      if (/\.gz$/i.test(f)) {
        // a truncated or corrupt file, or one that inflates beyond what is read whole: named, in one line
        try {
          text = gunzipSync(buf, { maxOutputLength: WHOLE_FILE_MAX_BYTES }).toString('utf8');
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          const why = e.code === 'ERR_BUFFER_TOO_LARGE' ? `it inflates to more than the ${WHOLE_FILE_MAX_BYTES} bytes a file is read whole` : e.code === 'Z_BUF_ERROR' ? 'the gzip data ends early (a truncated file)' : e.code === 'Z_DATA_ERROR' ? `not gzip data (${e.message})` : e.message;
          throw new CliError(`${f}: cannot read it as gzip: ${why}`);
        }
      } else text = buf.toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new CliError(`${f}: not valid JSON (${describeJsonError(text, err)})`);
      }
    },
    krAdminTopology: () => readFileSync(new URL('kr-admin/skorea-municipalities-2018-topo-simple.json', DATA_DIR), 'utf8'),
  };
}

/** Writes rows as NDJSON lines, waiting for the stream to drain. */
async function writeRows(out: NodeJS.WritableStream, rows: readonly unknown[]): Promise<void> {
  let buf = '';
  for (const r of rows) {
    buf += JSON.stringify(r) + '\n';
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  if (buf.length > 0 && !out.write(buf)) await once(out, 'drain');
}

function openOut(path: string): NodeJS.WritableStream {
  try {
    return createWriteStream(path, { fd: openSync(path, 'w') });
  } catch (err) {
    throw new CliError(describeFsError(err, path, 'write'));
  }
}

export async function simulateCommand(a: SimulateArgs): Promise<number> {
  const started = performance.now();
  const scenario = loadScenario(a.scenario);
  // building a large scene takes a while before anything is written: say what is being made
  process.stderr.write(`simulating ${scenario.name}: ${scenario.durationS} s, seed ${scenario.seed}...\n`);
  let scene: ReturnType<typeof buildScenarioScene>;
  try {
    scene = buildScenarioScene(scenario, scenarioIo(a.scenario), { annotate: a.annotate });
  } catch (err) {
    if (err instanceof RangeError) throw new CliError(`${a.scenario}: ${err.message}`);
    throw err;
  }
  try {
    mkdirSync(a.out, { recursive: true });
  } catch (err) {
    throw new CliError(describeFsError(err, a.out, 'write'));
  }
  writeFileSync(join(a.out, 'sensors.json'), JSON.stringify({ sensors: scene.sensors }, null, 1) + '\n');
  writeFileSync(join(a.out, 'zones.geojson'), JSON.stringify(scene.zones) + '\n');
  const detOut = openOut(join(a.out, 'detections.ndjson'));
  const truthOut = openOut(join(a.out, 'truth.ndjson'));
  let nDet = 0;
  let nTruth = 0;
  const targets = new Map<string, string>();
  // a large scene takes minutes: a line every few seconds says how far it is
  const progressMs = (a.progressEveryS ?? 5) * 1000;
  let noted = performance.now();
  for (const chunk of scene.chunks()) {
    for (const r of chunk.truth) if (!targets.has(r.id)) targets.set(r.id, String(r.class ?? ''));
    await writeRows(truthOut, chunk.truth);
    await writeRows(detOut, chunk.detections);
    nDet += chunk.detections.length;
    nTruth += chunk.truth.length;
    const now = performance.now();
    if (now - noted >= progressMs) {
      noted = now;
      const last = chunk.detections.at(-1)?.t;
      const at = typeof last === 'number' ? `scene second ${Math.round(last - scenario.t0)} of ${scenario.durationS}: ` : '';
      process.stderr.write(`  ${at}${nDet} detections written so far (${((now - started) / 1000).toFixed(0)} s)\n`);
    }
  }
  for (const o of [detOut, truthOut]) {
    o.end();
    await once(o, 'finish');
  }
  const kinds = new Map<string, number>();
  for (const s of scene.sensors) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
  const byClass = new Map<string, number>();
  for (const c of targets.values()) byClass.set(c, (byClass.get(c) ?? 0) + 1);
  process.stderr.write(
    [
      `${scenario.name}: ${scenario.durationS} s from ${new Date(scenario.t0 * 1000).toISOString()}, seed ${scenario.seed}`,
      `  targets: ${[...byClass].map(([c, n]) => `${n} ${c}`).join(', ') || 'none'}`,
      `  sensors: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`,
      `  ${nDet} detections, ${nTruth} truth rows, ${scene.zones.features.length} zones`,
      `  written to ${a.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ].join('\n') + '\n',
  );
  return 0;
}
