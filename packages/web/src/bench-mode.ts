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
import type { TrackWire } from '@skywarden/formats';
import { renderThreatsPanel } from './panels/threats-panel.js';

/**
 * The threat queue on the synthetic picture: hostile tracks get a zone ahead of them with a
 * fixed ETA (0-900 s by id), the acked ones their ack, as the server's rows would carry them.
 */
function withThreats(list: TrackWire[], acked: ReadonlySet<string>): TrackWire[] {
  return list.map((t, i) => {
    if (t.affiliation !== 'hostile') return t;
    const eta = (i * 37) % 900;
    const w: TrackWire = { ...t, threatens: [{ zone: `Z${i % 50}`, name: `Zone ${i % 50}`, p: 0.9, eta_s: eta, inside: eta === 0 }] };
    if (acked.has(t.track)) w.acked_by = 'bench';
    return w;
  });
}

export async function startBench(): Promise<void> {
  show($('login'), false);
  show($('app'), true);
  document.body.classList.add('bench');
  // ?res=full pins the canvas at full resolution (the benchmark compares it with the governor)
  const handle = createMap($('map'), { ...DEFAULT_SETTINGS }, { adaptiveResolution: new URLSearchParams(location.search).get('res') !== 'full' });
  const map = handle.map;
  await handle.ready;
  const trails = createTrailBuffer({ maxPoints: 40, maxAgeS: 90 });
  addZonesLayer(map, undefined, () => undefined);
  const sensors = addSensorsLayer(map, () => undefined);
  addDetectionsLayer(map, () => undefined);
  const tracks = addTracksLayer(map, trails, () => undefined);
  let timer: ReturnType<typeof setInterval> | undefined;
  let panelTimer: ReturnType<typeof setInterval> | undefined;
  const updateMs: number[] = [];
  const panelMs: number[] = [];
  // the threat queue (loadQueue): the panel at 1 Hz as in the app, a click selects a row
  // (redraws the queue at once and the map's selection ring at the next flush) or acks it
  let queueOn = false;
  let current: TrackWire[] = [];
  let selected: string | null = null;
  const acked = new Set<string>();
  const drawPanel = () => {
    if (!queueOn) return;
    const b = performance.now();
    renderThreatsPanel($('threats-body'), withThreats(current, acked), selected, select, { lang: 'en', canAct: true, me: 'bench', onAck, onAssign: async () => undefined });
    panelMs.push(performance.now() - b);
  };
  function select(id: string) {
    selected = id;
    drawPanel();
    setTimeout(() => tracks.update(current, selected), 0);
  }
  async function onAck(id: string) {
    await Promise.resolve(); // the answer of the server, at once
    acked.add(id);
    drawPanel();
  }
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
    resolution: () => handle.resolution(),
    latency: [],
    measureFrames: (ms) => measureFrames(map, ms),
    syntheticUpdateMs: () => updateMs.slice(),
    panelRenderMs: () => panelMs.slice(),
    async loadQueue(n, m, hz = 1) {
      queueOn = true;
      const r = await hooks.loadSynthetic!(n, m, hz);
      drawPanel();
      if (panelTimer) clearInterval(panelTimer);
      panelTimer = setInterval(drawPanel, 1000);
      return r;
    },
    async loadSynthetic(n, m, hz = 1) {
      if (timer) clearInterval(timer);
      const seeds = syntheticTrackSeeds(n, 1);
      const t0 = 1_700_000_000;
      let k = 0;
      const step = () => {
        const t = t0 + k++;
        const list = syntheticTracks(seeds, t, k);
        current = list;
        trails.update(t, list);
        const b = performance.now();
        tracks.update(list, selected);
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
