/**
 * The coverage layer (issue 17; off by default: Settings): the ground the working acoustic
 * nodes and radars cover, as a soft fill coloured by kind, and the ground that sensors not ok
 * leave uncovered, hatched (logic/coverage.ts). Recomputed in a web worker, only when what
 * covers changed (a sensor turned ok or not ok, moved, got another range), at most every
 * MIN_INTERVAL_MS, and only while the layer is shown; never per frame.
 */
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl';
import type { FeatureCollection, MultiPolygon } from 'geojson';
import type { SensorWire } from '@skywarden/formats';
import { emptyFC } from '../logic/geojson.js';
import { computeCoverage, coverageDisc, createCoverageSchedule, type CoverageDisc, type CoverageGroupStats, type CoverageResult } from '../logic/coverage.js';
import { COVERAGE_COLOUR, COVERAGE_LOST_COLOUR } from '../logic/symbology.js';

const MIN_INTERVAL_MS = 5000;
const LAYERS = ['coverage-fill', 'coverage-lost'] as const;
export const COVERAGE_SOURCE = 'coverage';

export interface CoverageInfo {
  /** Recomputes done, and the last one's time in the worker (ms) and features. */
  runs: number;
  lastMs: number;
  features: number;
  stats: CoverageGroupStats[];
  computing: boolean;
  visible: boolean;
}

export interface CoverageLayer {
  /** Sensors that changed (or all): recomputes later if what covers changed. */
  observe(changed: Iterable<SensorWire>): void;
  setVisible(on: boolean): void;
  info(): CoverageInfo;
}

let worker: Worker | null | undefined;
function getWorker(): Worker | null {
  if (worker === undefined) {
    try {
      worker = new Worker(new URL('../coverage-worker.ts', import.meta.url), { type: 'module' });
    } catch (e) {
      console.warn('coverage worker unavailable, computing on the page:', e);
      worker = null;
    }
  }
  return worker;
}

/** A 12 × 12 diagonal hatch for the lost coverage (fill-pattern; the style has no sprite). */
function hatch(colour: string): { width: number; height: number; data: Uint8Array } {
  const n = 12;
  const data = new Uint8Array(n * n * 4);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const d = (x + y) % n;
      const a = d === 0 ? 200 : d === 1 || d === n - 1 ? 90 : 0; // a 1.5 px line every 12 px, softened
      const k = (y * n + x) * 4;
      data[k] = r;
      data[k + 1] = g;
      data[k + 2] = b;
      data[k + 3] = a;
    }
  }
  return { width: n, height: n, data };
}

export function addCoverageLayer(map: MlMap, allSensors: () => Iterable<SensorWire>, beforeId?: string): CoverageLayer {
  map.addSource(COVERAGE_SOURCE, { type: 'geojson', data: emptyFC() });
  if (!map.hasImage('coverage-hatch')) map.addImage('coverage-hatch', hatch(COVERAGE_LOST_COLOUR));
  // no antialiasing: a large area is traced in tiles whose pieces abut, and antialiased edges would show the seams
  map.addLayer({
    id: 'coverage-fill', type: 'fill', source: COVERAGE_SOURCE, filter: ['==', ['get', 'part'], 'covered'],
    layout: { visibility: 'none' },
    paint: {
      'fill-color': ['match', ['get', 'group'], 'radar', COVERAGE_COLOUR.radar, COVERAGE_COLOUR.acoustic],
      'fill-opacity': ['match', ['get', 'group'], 'radar', 0.07, 0.28],
      'fill-antialias': false,
    },
  }, beforeId);
  map.addLayer({
    id: 'coverage-lost', type: 'fill', source: COVERAGE_SOURCE, filter: ['==', ['get', 'part'], 'lost'],
    layout: { visibility: 'none' },
    paint: { 'fill-pattern': 'coverage-hatch', 'fill-antialias': false },
  }, beforeId);

  const sched = createCoverageSchedule(MIN_INTERVAL_MS);
  let visible = false;
  let computing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reqId = 0;
  const info: CoverageInfo = { runs: 0, lastMs: 0, features: 0, stats: [], computing: false, visible: false };

  const show = (res: CoverageResult, ms: number) => {
    const src = map.getSource(COVERAGE_SOURCE) as GeoJSONSource | undefined;
    if (!src) return; // the style was replaced: a new layer took over
    src.setData(res.fc as FeatureCollection<MultiPolygon>);
    info.runs++;
    info.lastMs = ms;
    info.features = res.fc.features.length;
    info.stats = res.stats;
  };
  const done = () => {
    computing = false;
    info.computing = false;
    kick();
  };
  const kick = () => {
    if (!visible || computing || timer) return;
    const wait = sched.due(performance.now());
    if (wait === null) return;
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        kick();
      }, wait);
      return;
    }
    sched.started(performance.now());
    const discs: CoverageDisc[] = [];
    for (const s of allSensors()) {
      const d = coverageDisc(s);
      if (d) discs.push(d);
    }
    computing = true;
    info.computing = true;
    const w = getWorker();
    if (!w) {
      const t0 = performance.now();
      show(computeCoverage(discs), performance.now() - t0);
      done();
      return;
    }
    const id = ++reqId;
    const finish = () => {
      w.removeEventListener('message', onMessage);
      w.removeEventListener('error', onError);
      done();
    };
    const onMessage = (e: MessageEvent<(CoverageResult & { id: number; ms: number }) | { id: number; error: string }>) => {
      if (e.data.id !== id) return;
      if ('error' in e.data) console.warn('coverage:', e.data.error);
      else show(e.data, e.data.ms);
      finish();
    };
    // the worker could not start (or died): compute on the page from now on
    const onError = (e: Event) => {
      console.warn('coverage worker failed, computing on the page:', (e as ErrorEvent).message ?? e);
      worker = null;
      w.terminate();
      const t0 = performance.now();
      show(computeCoverage(discs), performance.now() - t0);
      finish();
    };
    w.addEventListener('message', onMessage);
    w.addEventListener('error', onError);
    w.postMessage({ id, discs });
  };

  return {
    observe(changed) {
      sched.observe(changed);
      kick();
    },
    setVisible(on) {
      visible = on;
      info.visible = on;
      for (const id of LAYERS) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
      kick();
    },
    info: () => ({ ...info, stats: info.stats.slice() }),
  };
}
