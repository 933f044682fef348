/**
 * State exposed on `window.__skywarden` for the end-to-end tests and the render benchmark:
 * read-only views of what the map holds and a way to time renders. Not used by the app.
 */
import type { Map as MlMap } from 'maplibre-gl';
import type { CoverageInfo } from './layers/coverage-layer.js';

export interface LatencySample {
  /** Stream event received → sources handed to the map (ms). */
  toSetData: number;
  /** Stream event received → first render after the new data was loaded (ms). */
  toRender: number;
  /** Server `sent_ms` → render (ms), when the server stamps the event (same clock only). */
  serverToRender?: number;
  tracks: number;
}

export interface Hooks {
  map: MlMap;
  trackCount(): number;
  renderedTrackCount(): number;
  sourceFeatureCount(source: string): number;
  trackIds(): string[];
  /** The alert log's latest entry time and the picture's clock (server time, s), and the number of entries. */
  alertClock?(): { latest: number | null; now: number; n: number };
  trackPosition(id: string): [number, number] | null;
  sensorCount(): number;
  /** The coverage layer: recomputes done, their time, features, the areas by kind. */
  coverageInfo?(): CoverageInfo;
  detectionCount(): number;
  zoneAlertCount(): number;
  mode(): 'live' | 'replay';
  replayFrameCount(): number;
  streamCounts(): Record<string, number>;
  baseCounts(): Record<string, number>;
  latency: LatencySample[];
  /** The map's smoothed frame cost and the redraw interval the governor allows (ms). */
  refresh?(): { costMs: number; intervalMs: number };
  /** The map canvas's drawing scale (1 = full resolution) and its smoothed frame cost (ms). */
  resolution?(): { scale: number; frameMs: number };
  /**
   * The zone tiers last handed to the map (zone id -> tier), the count of those updates, the
   * update the map had drawn when it last went idle (equal to `updates`: the map shows these
   * tiers), and the time `t` (s) of the zone states they came from.
   */
  zonesDrawn?(): { updates: number; idleUpdate: number; t: number; tiers: Record<string, string> };
  /** The filter of the selected threat's impact-area layer (JSON). */
  impactFilter?(): string;
  /** Track labels drawn and tracks in view without one (issue 17). */
  labelCounts?(): { placed: number; hidden: number; zoneHidden: number; runs: number; meanMs: number; maxMs: number };
  /** Place names: loaded, offered at this zoom, in view, drawn (the offline base map). */
  placeCounts?(): { places: number; offered: number; inView: number; placed: number; zoom: number };
  /** The user's own base map (web.basemap_pmtiles): its kind and tiles loaded, or null. */
  userBase?(): { kind: 'raster' | 'vector'; tiles: number; layers: string[]; features: number; loaded: boolean } | null;
  /** rAF intervals and map render durations over `ms` (for the benchmark). */
  measureFrames(ms: number): Promise<{ frames: number; intervals: number[]; renders: number[] }>;
  /** The IMMINENT cue: cues asked for (a threat became IMMINENT) and sounded (not muted). */
  cueCounts?(): { requested: number; played: number };
  /** Threats that became IMMINENT, with when (performance.now) the tracks event saying so arrived. */
  imminentEvents?(): { track: string; receivedAt: number }[];
  /** Bench mode only: draw a synthetic picture of n tracks and m sensors, moving at `hz`. */
  loadSynthetic?(n: number, m: number, hz?: number): Promise<{ buildMs: number }>;
  /** Bench mode only: the synthetic picture with the threat queue drawn (1 Hz) and clickable (select, Ack). */
  loadQueue?(n: number, m: number, hz?: number): Promise<{ buildMs: number }>;
  /** Bench mode only: JS time of each threat queue render. */
  panelRenderMs?(): number[];
  /** Bench mode only: JS time of each synthetic track update (GeoJSON build + setData calls). */
  syntheticUpdateMs?(): number[];
}

declare global {
  interface Window {
    __skywarden?: Hooks;
  }
}

export function measureFrames(map: MlMap, ms: number): Promise<{ frames: number; intervals: number[]; renders: number[] }> {
  return new Promise((resolve) => {
    const intervals: number[] = [];
    const renders: number[] = [];
    let last = 0;
    const start = performance.now();
    // Time each call of the map's internal render (the CPU side of one map frame; with
    // software GL the rasterisation shows up in the rAF intervals).
    const m = map as unknown as { _render: (t: number) => unknown };
    const original = m._render;
    m._render = function (this: unknown, t: number) {
      const t0 = performance.now();
      const r = original.call(this, t);
      renders.push(performance.now() - t0);
      return r;
    };
    // Keep the map repainting every frame so the frame time includes a full map draw.
    const repaint = map.repaint;
    map.repaint = true;
    const frame = (now: number) => {
      if (last) intervals.push(now - last);
      last = now;
      if (now - start < ms) requestAnimationFrame(frame);
      else {
        map.repaint = repaint;
        m._render = original;
        resolve({ frames: intervals.length, intervals, renders });
      }
    };
    requestAnimationFrame(frame);
  });
}
