/**
 * Render benchmark page (`?bench=1`): the same map and layers as the live picture, fed with
 * a seeded synthetic picture instead of the server. bench/render.bench.mjs drives it.
 */
import { $, show } from './dom.js';
import { createMap } from './map-setup.js';
import { addTracksLayer } from './layers/tracks-layer.js';
import { addSensorsLayer } from './layers/sensors-layer.js';
import { addZonesLayer } from './layers/zones-layer.js';
import { addDetectionsLayer } from './layers/detections-layer.js';
import { createTrailBuffer } from './logic/trail-buffer.js';
import { syntheticSensors, syntheticTrackSeeds, syntheticTracks } from './logic/synthetic.js';
import { DEFAULT_SETTINGS } from './settings.js';
import { measureFrames, type Hooks } from './test-hooks.js';

export async function startBench(): Promise<void> {
  show($('login'), false);
  show($('app'), true);
  document.body.classList.add('bench');
  const handle = createMap($('map'), { ...DEFAULT_SETTINGS });
  const map = handle.map;
  await handle.ready;
  const trails = createTrailBuffer({ maxPoints: 40, maxAgeS: 90 });
  addZonesLayer(map, undefined, () => undefined);
  const sensors = addSensorsLayer(map, () => undefined);
  addDetectionsLayer(map, () => undefined);
  const tracks = addTracksLayer(map, trails, () => undefined);
  let timer: ReturnType<typeof setInterval> | undefined;
  const updateMs: number[] = [];
  const hooks: Hooks = {
    map,
    trackCount: () => tracks.count(),
    renderedTrackCount: () => map.queryRenderedFeatures({ layers: ['trk-symbol'] }).length,
    sourceFeatureCount: (s) => map.querySourceFeatures(s).length,
    trackIds: () => [],
    trackPosition: () => null,
    sensorCount: () => sensors.count(),
    detectionCount: () => 0,
    zoneAlertCount: () => 0,
    mode: () => 'live',
    replayFrameCount: () => 0,
    streamCounts: () => ({}),
    baseCounts: () => ({ ...handle.baseCounts }),
    latency: [],
    measureFrames: (ms) => measureFrames(map, ms),
    syntheticUpdateMs: () => updateMs.slice(),
    async loadSynthetic(n, m, hz = 1) {
      if (timer) clearInterval(timer);
      const seeds = syntheticTrackSeeds(n, 1);
      const t0 = 1_700_000_000;
      let k = 0;
      const step = () => {
        const t = t0 + k++;
        const list = syntheticTracks(seeds, t, k);
        trails.update(t, list);
        const b = performance.now();
        tracks.update(list, null);
        const ms = performance.now() - b;
        updateMs.push(ms);
        return ms;
      };
      const b = performance.now();
      sensors.update(syntheticSensors(m, 2));
      step();
      const buildMs = performance.now() - b;
      await new Promise<void>((r) => map.once('idle', () => r()));
      timer = setInterval(step, 1000 / hz);
      return { buildMs };
    },
  };
  window.__skywarden = hooks;
  document.body.dataset.ready = 'true';
}
