/**
 * The live picture: wires the stream, the REST client, the map layers, the panels, replay and
 * the operator actions. Incoming events only update state and set dirty flags; a scheduler
 * draws at most FLUSH_HZ times a second (one setData per source), and the panels at most
 * PANEL_HZ, so a burst of events never turns into a burst of map work.
 */
import type { AlertWire, SensorWire, TrackWire, ZoneStateWire } from '@skywarden/formats';
import type { Map as MlMap } from 'maplibre-gl';
import type { Api, HistoryPoint, Me } from './api.js';
import { $, show, toast } from './dom.js';
import { createMap, baseStyle, loadBaseData, placesUrl } from './map-setup.js';
import { addTracksLayer, TRACK_SOURCES, type TracksLayer } from './layers/tracks-layer.js';
import { addDetectionsLayer, type DetectionsLayer } from './layers/detections-layer.js';
import { addSensorsLayer, type SensorsLayer } from './layers/sensors-layer.js';
import { addCoverageLayer, type CoverageLayer } from './layers/coverage-layer.js';
import { addZonesLayer, type ZonesLayer } from './layers/zones-layer.js';
import { addTrackLabels, type TrackLabels } from './layers/track-labels.js';
import { addPlaceLabels } from './layers/place-labels.js';
import { installUserBase, loadUserBase, showUserRegion, USER_SOURCE, type UserBaseSpec } from './user-base.js';
import { addLegend } from './legend.js';
import { impactZones } from './logic/geojson.js';
import { createStatusStrip } from './status-strip.js';
import { showLogin } from './login.js';
import { openStream, type StreamClient } from './stream.js';
import { renderAlertsPanel } from './panels/alerts-panel.js';
import { renderTracksPanel } from './panels/tracks-panel.js';
import { renderThreatsPanel } from './panels/threats-panel.js';
import { isThreat } from './logic/threat-queue.js';
import { createRefreshGovernor } from './logic/refresh-governor.js';
import { createServerClock } from './logic/server-clock.js';
import { renderTrackDetails } from './panels/track-details.js';
import { renderSensorsPanel } from './panels/sensors-panel.js';
import { trackActionBox, zoneActionBox } from './actions.js';
import { createReplay, type ReplayController } from './replay.js';
import { createTrailBuffer } from './logic/trail-buffer.js';
import { createDetectionBuffer } from './logic/detection-buffer.js';
import { mergeAlerts } from './logic/lists.js';
import { clockUtc } from './logic/format.js';
import { loadSettings, type Settings } from './settings.js';
import { bindSettingsPanel } from './settings-panel.js';
import { measureFrames, type Hooks, type LatencySample } from './test-hooks.js';
import { currentLang, initLang, onLangChange, t } from './i18n.js';
import { zoneOptionText } from './actions.js';
import { etaText, trOr } from './logic/i18n.js';
import { createQueueController } from './queue-controller.js';

const FLUSH_HZ = 4;
const PANEL_HZ = 1;
const DETECTION_FADE_S = 10;

export interface AppOptions {
  api: Api;
  me: Me;
  onLogout: () => void;
}

interface State {
  mode: 'live' | 'replay';
  liveTracks: TrackWire[];
  liveT: number;
  shown: TrackWire[];
  shownT: number;
  byId: Map<string, TrackWire>;
  sensors: Map<string, SensorWire>;
  zoneStates: Map<string, ZoneStateWire>;
  zoneT: number;
  liveZoneStates: Map<string, ZoneStateWire>;
  alerts: AlertWire[];
  liveAlerts: AlertWire[];
  selectedTrack: string | null;
  selectedZone: string | null;
  selectedSensor: string | null;
  history: HistoryPoint[];
  tab: 'threats' | 'alerts' | 'tracks' | 'sensors';
  filter: string;
  serverOffset: number; // server time − local time (s), from hello (the clock before any report)
}

export async function startApp(o: AppOptions): Promise<void> {
  const { api, me } = o;
  const settings = loadSettings();
  const clock = createServerClock();
  const st: State = {
    mode: 'live', liveTracks: [], liveT: 0, shown: [], shownT: 0, byId: new Map(), sensors: new Map(),
    zoneStates: new Map(), zoneT: 0, liveZoneStates: new Map(), alerts: [], liveAlerts: [],
    selectedTrack: null, selectedZone: null, selectedSensor: null, history: [], tab: 'threats', filter: '', serverOffset: 0,
  };
  const role = me.role;
  initLang();
  document.body.dataset.role = role;
  // who is logged in, the role in the UI's language: "operator (operator)" / "operator (운용자)"
  const showUser = () => {
    const roleName = trOr(currentLang(), `role.${role}`, role);
    $('user-name').textContent = me.user ? `${me.user} (${roleName})` : t('user.none', { role: roleName });
  };
  showUser();
  show($('btn-login'), !me.user);
  show($('btn-logout'), !!me.user);
  $('btn-login').addEventListener('click', () => {
    void showLogin(api, true).then(() => location.reload());
  });
  show($('app'), true);

  const handle = createMap($('map'), settings);
  const map: MlMap = handle.map;
  await new Promise<void>((r) => (map.isStyleLoaded() ? r() : map.once('load', () => r())));
  const trails = createTrailBuffer({ maxPoints: 40, maxAgeS: 90 });
  const dets = createDetectionBuffer({ maxAgeS: DETECTION_FADE_S, maxCount: 4000 });
  let zones: ZonesLayer;
  let coverageL: CoverageLayer;
  let sensorsL: SensorsLayer;
  let detsL: DetectionsLayer;
  let tracksL: TracksLayer;
  const addLive = () => {
    zones = addZonesLayer(map, undefined, selectZone, currentLang);
    // coverage over the zone fills (a zone in alert would hide it) and under their outlines and everything live
    coverageL = addCoverageLayer(map, () => st.sensors.values(), 'zones-line');
    coverageL.observe(st.sensors.values());
    coverageL.setVisible(settings.showCoverage);
    sensorsL = addSensorsLayer(map, selectSensor);
    detsL = addDetectionsLayer(map, (id) => st.sensors.get(id)?.range_m, DETECTION_FADE_S);
    tracksL = addTracksLayer(map, trails, selectTrack);
    tracksL.setVisible('trails', settings.showTrails);
    tracksL.setVisible('uncertainty', settings.showUncertainty);
    detsL.setVisible(settings.showDetections);
    sensorsL.setVisible(settings.showSensors);
  };
  addLive();
  // labels and legend are HTML over the map: they survive a style reload
  // the place names are placed with the track labels, after them (the lowest labels)
  const places = addPlaceLabels(map, placesUrl, () => labels.refresh());
  const labels: TrackLabels = addTrackLabels(map, (id) => selectTrack(id), places, { lang: currentLang, zoneName: (id) => zones.zoneName(id) });
  addLegend($('map'));
  // the map's zoom buttons (MapLibre's own tooltips) in the UI's language
  const localiseMap = () => {
    for (const [sel, key] of [['.maplibregl-ctrl-zoom-in', 'map.zoom_in'], ['.maplibregl-ctrl-zoom-out', 'map.zoom_out']] as const) {
      const b = $('map').querySelector<HTMLElement>(sel);
      if (!b) continue;
      b.title = t(key);
      b.setAttribute('aria-label', t(key));
    }
  };
  localiseMap();
  void handle.ready.then(() => { dirty.map = true; });
  // the user's own base map (web.basemap_pmtiles), from our server, under the outlines
  let userBase: UserBaseSpec | null = null;
  let userTiles = 0;
  map.on('sourcedata', (e) => {
    if (e.sourceId === USER_SOURCE && (e as { tile?: unknown }).tile) userTiles++;
  });
  void api
    .basemap()
    .then(async (b) => {
      if (!b.pmtiles) return;
      const path = b.pmtiles.url.startsWith('/api/v1/') ? `${api.base}${b.pmtiles.url.slice('/api/v1'.length)}` : b.pmtiles.url;
      userBase = await loadUserBase(path, b.pmtiles.attribution, api.token());
      installUserBase(map, userBase);
      showUserRegion(map, userBase);
    })
    .catch((e: unknown) => console.error('own base map not loaded:', e));

  // ---- dirty flags and the scheduler ---------------------------------------------------
  const dirty = { tracks: true, sensors: true, zones: true, panels: true, map: false };
  const latency: LatencySample[] = [];
  let pendingLatency: { receivedAt: number; setAt: number; sentMs?: number; n: number } | null = null;
  let lastTracksReceived: { at: number; sentMs?: number } | null = null;

  // for the tests: the time of the zone states last handed to the map, and the zone update the
  // map had finished drawing when it last went idle
  let zonesDrawnT = 0;
  let zonesIdleUpdate = -1;
  map.on('idle', () => {
    zonesIdleUpdate = zones.drawn().updates;
  });

  const flush = () => {
    let relabel = false;
    if (dirty.tracks) {
      tracksL.update(st.shown, st.selectedTrack);
      zones.setImpact(impactZones(st.selectedTrack ? st.byId.get(st.selectedTrack) : null));
      relabel = true;
      dirty.tracks = false;
      if (lastTracksReceived) {
        pendingLatency = { receivedAt: lastTracksReceived.at, sentMs: lastTracksReceived.sentMs, setAt: performance.now(), n: st.shown.length };
        lastTracksReceived = null;
      }
    }
    if (dirty.sensors) {
      sensorsL.update(st.sensors.values());
      dirty.sensors = false;
    }
    if (dirty.zones) {
      zones.update(st.zoneStates, Math.max(0, serverNow() - st.zoneT));
      zonesDrawnT = st.zoneT;
      dirty.zones = false;
      relabel = true;
    }
    // after the zone labels: the track labels keep off them
    if (relabel) labels.update(st.shown, st.selectedTrack);
    if (st.mode === 'live' && (dets.all().length > 0 || detsL.count() > 0)) {
      const now = serverNow();
      dets.expire(now);
      detsL.update(dets.all(), now);
    }
  };
  // Latency: the first render after the track source has taken the new data.
  map.on('render', () => {
    if (!pendingLatency || !map.isSourceLoaded(TRACK_SOURCES.points)) return;
    const now = performance.now();
    const s: LatencySample = { toSetData: pendingLatency.setAt - pendingLatency.receivedAt, toRender: now - pendingLatency.receivedAt, tracks: pendingLatency.n };
    if (pendingLatency.sentMs !== undefined) s.serverToRender = performance.timeOrigin + now - pendingLatency.sentMs;
    latency.push(s);
    if (latency.length > 500) latency.shift();
    pendingLatency = null;
  });
  // Frame cost: a map render to the next task is the draw's paint and composite, which is
  // where a software-rasterised WebGL canvas spends its time. One flush can cost several
  // frames (each GeoJSON source comes back from the worker on its own), so the governor is
  // fed the cost of all frames between two flushes and stretches the interval so the map
  // never takes more than about a third of the main thread.
  const refresh = createRefreshGovernor({ minMs: 1000 / FLUSH_HZ, maxMs: 4000, share: 0.35 });
  let frameCostSinceFlush = 0;
  map.on('render', () => {
    const t = performance.now();
    setTimeout(() => (frameCostSinceFlush += performance.now() - t), 0);
  });
  // Draw as soon as something changed, but at most FLUSH_HZ times a second (fewer when
  // frames are slow).
  let lastFlush = 0;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  const scheduleFlush = () => {
    if (flushTimer) return;
    const wait = Math.max(0, lastFlush + refresh.intervalMs() - performance.now());
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      lastFlush = performance.now();
      refresh.observe(frameCostSinceFlush);
      frameCostSinceFlush = 0;
      flush();
    }, wait);
  };
  // Detections fade with time: redraw them even when no event came.
  setInterval(scheduleFlush, 1000 / FLUSH_HZ);
  let lastTracksAt: number | null = null;
  let serverMode = '';
  // the stream's state in the top bar: LIVE, reconnecting… / 실시간, 재연결 중…
  let connState = 'connecting';
  const showConn = () => {
    $('conn').textContent = trOr(currentLang(), `conn.${connState}`, connState);
  };
  showConn();
  // the server's mode in the top bar: LIVE / DEMO, 실시간 / 데모
  function showServerMode() {
    $('server-mode').textContent = serverMode ? trOr(currentLang(), `mode.${serverMode}`, serverMode.toUpperCase()) : '';
  }
  const strip = createStatusStrip($('status-strip'), api, {
    mode: () => st.mode,
    serverMode: () => serverMode,
    sensors: () => st.sensors.values(),
    reportAgeS: () => (lastTracksAt === null ? null : (performance.now() - lastTracksAt) / 1000),
  });
  setInterval(() => {
    renderPanels();
    strip.render();
    $('clock').textContent = `${clockUtc(st.mode === 'replay' ? replay.time() : serverNow())} UTC`;
  }, 1000 / PANEL_HZ);

  const serverNow = () => {
    const x = clock.now(Date.now() / 1000);
    return Number.isFinite(x) ? x : Date.now() / 1000 + st.serverOffset;
  };

  // ---- selection -------------------------------------------------------------------------
  let historyTimer: ReturnType<typeof setInterval> | undefined;
  function selectTrack(id: string | null) {
    st.selectedTrack = id;
    st.history = [];
    tracksL.setHistory([]);
    dirty.tracks = true;
    if (historyTimer) clearInterval(historyTimer);
    historyTimer = undefined;
    if (id) {
      if (document.body.classList.contains('panel-closed')) document.body.classList.remove('panel-closed');
      const load = async () => {
        if (st.selectedTrack !== id) return;
        if (st.mode === 'replay') {
          st.history = replayHistory(id);
        } else {
          try {
            const r = await api.track(id);
            if (st.selectedTrack !== id) return;
            st.history = r.history ?? [];
          } catch (e) {
            st.history = [];
            if ((e as { status?: number }).status !== 404) console.warn('history', e);
          }
        }
        tracksL.setHistory(st.history.map((p) => [p.lon, p.lat]));
        renderDetails();
      };
      void load();
      historyTimer = setInterval(() => void load(), 5000);
    }
    renderDetails();
    renderPanels();
  }
  function selectZone(id: string) {
    st.selectedZone = id;
    setTab('alerts');
    renderPanels();
  }
  function selectSensor(id: string) {
    st.selectedSensor = id;
    setTab('sensors');
    renderPanels();
  }

  // ---- panels ----------------------------------------------------------------------------
  // a zone's name in the UI's language (its Korean name in Korean: logic/zone-text.ts)
  const zoneName = (id: string) => zones.zoneName(id) ?? st.zoneStates.get(id)?.name ?? id;
  function renderPanels() {
    const now = serverNow();
    let nThreats: number | null = null;
    if (st.tab === 'threats') {
      nThreats = renderThreatsPanel($('threats-body'), st.shown, st.selectedTrack, selectTrack, { ...queue.options(), zoneName: zones.zoneName });
    } else if (st.tab === 'alerts') {
      renderAlertsPanel($('alerts-body'), { alerts: st.alerts, states: st.zoneStates, zoneName, lang: currentLang(), etaAge: Math.max(0, (st.mode === 'live' ? now : replay.time()) - st.zoneT) }, selectZone, selectTrack);
      const ids = zones.zoneIds();
      const key = st.mode === 'live' ? `${currentLang()}|${ids.map((z) => z.id).join(',')}|${st.selectedZone}` : '';
      if (key !== zoneBoxKey) {
        zoneBoxKey = key;
        zoneBoxEl = key ? zoneActionBox(api, role, ids, st.selectedZone, st.zoneStates, (z) => {
          st.zoneStates.set(z.zone, z);
          dirty.zones = true;
        }) : null;
        $('zone-actions-slot').replaceChildren(zoneBoxEl ?? '');
      } else if (zoneBoxEl) {
        // only the "(ALERT)" marks change: update the option labels in place
        for (const opt of zoneBoxEl.querySelectorAll('option')) {
          const name = ids.find((z) => z.id === opt.value)?.name ?? opt.value;
          const text = zoneOptionText(name, st.zoneStates.get(opt.value)?.state === 'alert');
          if (opt.textContent !== text) opt.textContent = text;
        }
      }
    } else if (st.tab === 'tracks') {
      renderTracksPanel($('tracks-body'), st.shown, st.filter, st.selectedTrack, selectTrack, currentLang());
    } else {
      renderSensorsPanel($('sensors-body'), st.sensors, now, st.selectedSensor, currentLang());
    }
    const nAlert = [...st.zoneStates.values()].filter((z) => z.state === 'alert').length;
    $('tab-alerts').textContent = nAlert > 0 ? t('tab.alerts.n', { n: nAlert }) : t('tab.alerts');
    $('tab-alerts').classList.toggle('has-alert', nAlert > 0);
    $('tab-tracks').textContent = t('tab.tracks.n', { n: st.shown.length });
    $('tab-threats').textContent = t('tab.threats.n', { n: nThreats ?? st.shown.filter(isThreat).length });
    $('tab-sensors').textContent = t('tab.sensors.n', { n: st.sensors.size });
    const every = refresh.intervalMs();
    const res = handle.resolution().scale;
    const slow = (every >= 1000 ? t('top.slow', { s: (every / 1000).toFixed(1) }) : '') + (res < 1 ? t('top.res', { pct: Math.round(res * 100) }) : '');
    $('status-counts').textContent = t('top.counts', { tracks: st.shown.length, sensors: st.sensors.size, zones: nAlert }) + slow;
    renderDetails();
  }
  let actionsKey = '';
  let actionsEl: HTMLElement | null = null;
  let zoneBoxKey = '';
  let zoneBoxEl: HTMLElement | null = null;
  function renderDetails() {
    const detailsEl = $('details');
    if (detailsEl.contains(document.activeElement) && document.activeElement?.tagName === 'SELECT') return;
    const t = st.selectedTrack ? st.byId.get(st.selectedTrack) ?? null : null;
    // The action box is rebuilt only when the track or its operator marks change, so a
    // button under the pointer stays the same element while the details refresh.
    const key = t && st.mode === 'live' ? `${currentLang()}|${t.track}|${JSON.stringify(t.operator ?? {})}|${t.label}` : '';
    if (key !== actionsKey) {
      actionsKey = key;
      actionsEl = t && key ? trackActionBox(api, role, t, (nt) => {
        const i = st.liveTracks.findIndex((x) => x.track === nt.track);
        if (i >= 0) st.liveTracks[i] = nt;
        setShown(st.liveTracks, st.liveT);
        renderDetails();
      }) : null;
    }
    const actions = actionsEl;
    renderTrackDetails(detailsEl, t, st.selectedTrack, st.history, actions, () => selectTrack(null), selectSensor, currentLang());
  }
  const setTab = (tab: State['tab']) => {
    st.tab = tab;
    for (const k of ['threats', 'alerts', 'tracks', 'sensors'] as const) {
      $(`tab-${k}`).classList.toggle('active', k === tab);
      $(`tab-${k}`).setAttribute('aria-selected', String(k === tab));
      show($(`${k}-body`), k === tab);
    }
    show($('zone-actions-slot'), tab === 'alerts');
    show($('track-filter'), tab === 'tracks');
    renderPanels();
  };
  for (const k of ['threats', 'alerts', 'tracks', 'sensors'] as const) $(`tab-${k}`).addEventListener('click', () => setTab(k));
  ($('track-filter') as HTMLInputElement).addEventListener('input', (e) => {
    st.filter = (e.target as HTMLInputElement).value;
    renderPanels();
  });
  $('btn-panel').addEventListener('click', () => {
    document.body.classList.toggle('panel-closed');
    setTimeout(() => map.resize(), 50);
  });
  // the threat queue's work: Ack, Assign, the cue on a new IMMINENT threat, sound and language toggles
  const queue = createQueueController({
    api,
    role,
    user: me.user,
    replaceTrack(nt) {
      const i = st.liveTracks.findIndex((x) => x.track === nt.track);
      if (i >= 0) st.liveTracks[i] = nt;
      if (st.mode === 'live') setShown(st.liveTracks, st.liveT);
      renderPanels();
    },
  });
  onLangChange(() => {
    // the map's zone and track labels too (they name the zones in the language)
    dirty.zones = true;
    scheduleFlush();
    renderPanels();
    strip.render();
    showUser();
    showConn();
    showServerMode();
    localiseMap();
  });
  setTab('threats');

  function setShown(tracks: TrackWire[], t: number) {
    st.shown = tracks;
    st.shownT = t;
    st.byId = new Map(tracks.map((x) => [x.track, x]));
    dirty.tracks = true;
    scheduleFlush();
  }

  // ---- initial state over REST, then the stream ------------------------------------------
  const initial = async () => {
    const [z, zs, al, tr, se] = await Promise.allSettled([api.zones(), api.zoneStates(), api.alerts({}), api.tracks(), api.sensors()]);
    if (z.status === 'fulfilled' && z.value?.features) zones.setZones(z.value);
    if (zs.status === 'fulfilled' && zs.value?.zones) {
      st.liveZoneStates = new Map(zs.value.zones.map((x) => [x.zone, x]));
      st.zoneT = zs.value.t;
      if (st.mode === 'live') st.zoneStates = st.liveZoneStates;
    }
    if (al.status === 'fulfilled' && al.value?.alerts) st.liveAlerts = mergeAlerts(st.liveAlerts, al.value.alerts);
    if (tr.status === 'fulfilled' && tr.value?.tracks && st.liveTracks.length === 0) {
      st.liveTracks = tr.value.tracks;
      st.liveT = tr.value.t;
      trails.update(tr.value.t, tr.value.tracks);
      if (st.mode === 'live') setShown(st.liveTracks, st.liveT);
    }
    if (se.status === 'fulfilled' && se.value?.sensors) {
      for (const s of se.value.sensors) st.sensors.set(s.id, s);
      coverageL.observe(se.value.sensors);
    }
    if (st.mode === 'live') st.alerts = st.liveAlerts;
    dirty.zones = dirty.sensors = true;
    for (const r of [z, zs, al, tr, se]) if (r.status === 'rejected') console.warn('initial load:', r.reason);
  };
  await initial();

  const connEl = $('conn');
  const stream: StreamClient = openStream(() => api.streamUrl(), {
    state(s) {
      connState = s;
      showConn();
      connEl.className = `conn conn-${s}`;
      if (s === 'retrying') {
        api.me().catch((e) => {
          if ((e as { status?: number }).status === 401) {
            stream.close();
            toast(t('session.expired'), 'error');
            o.onLogout();
          }
        });
      }
    },
    hello(d) {
      if (Number.isFinite(d.server_time)) {
        st.serverOffset = d.server_time - Date.now() / 1000;
        clock.reset();
        clock.anchor(Date.now() / 1000, d.server_time);
      }
      serverMode = d.mode;
      showServerMode();
    },
    tracks(d, receivedAt) {
      const sent = (d as { sent_ms?: number }).sent_ms;
      st.liveTracks = d.tracks ?? [];
      st.liveT = d.t;
      // the picture's clock runs at the demo's speed, not the wall clock's (logic/server-clock.ts)
      clock.anchor(Date.now() / 1000, d.t);
      lastTracksAt = receivedAt;
      if (st.mode !== 'live') return;
      trails.update(d.t, st.liveTracks);
      setShown(st.liveTracks, d.t);
      lastTracksReceived = { at: receivedAt, sentMs: typeof sent === 'number' ? sent : undefined };
      // a threat just became IMMINENT: the queue shows it now, not at the next 1 Hz refresh
      if (queue.onTracks(st.liveTracks, receivedAt).length > 0 && st.tab === 'threats') renderPanels();
    },
    detections(d) {
      if (st.mode === 'live') dets.add(d.detections ?? []);
    },
    sensors(d) {
      for (const s of d.sensors ?? []) st.sensors.set(s.id, s);
      coverageL.observe(d.sensors ?? []);
      dirty.sensors = true;
    },
    alert(a) {
      st.liveAlerts = mergeAlerts(st.liveAlerts, [a]);
      if (st.mode === 'live') {
        st.alerts = st.liveAlerts;
        dirty.panels = true;
        if (a.state === 'alert' && !a.update) toast(a.eta_s !== undefined ? t('toast.alert.eta', { zone: zoneName(a.zone), eta: etaText(currentLang(), a.eta_s) }) : t('toast.alert', { zone: zoneName(a.zone) }), 'alert', 6000);
      }
    },
    zones(d) {
      st.liveZoneStates = new Map((d.zones ?? []).map((x) => [x.zone, x]));
      if (st.mode === 'live') {
        st.zoneStates = st.liveZoneStates;
        st.zoneT = d.t;
        dirty.zones = true;
      }
    },
  });

  // ---- replay ------------------------------------------------------------------------------
  let replayFrames: { t: number; tracks: TrackWire[] }[] = [];
  const replayHistory = (id: string): HistoryPoint[] => {
    const out: HistoryPoint[] = [];
    for (const f of replayFrames) {
      if (f.t > replay.time()) break;
      const t = f.tracks.find((x) => x.track === id);
      if (t) out.push({ t: f.t, lat: t.lat, lon: t.lon, alt_m: t.alt_m });
    }
    return out;
  };
  const replay: ReplayController = createReplay(api, (f) => {
    if (f.jumped) trails.clear();
    for (const p of f.passed) trails.update(p.t, p.tracks);
    trails.update(f.frameT, f.tracks);
    replayFrames.push({ t: f.frameT, tracks: f.tracks });
    if (replayFrames.length > 600) replayFrames = replayFrames.slice(-600);
    setShown(f.tracks, f.frameT);
    st.zoneStates = new Map([...f.zones].map(([k, v]) => [k, { ...v, name: undefined }]));
    st.zoneT = f.time;
    st.alerts = f.alerts;
    dirty.zones = true;
  }, (on) => {
    st.mode = on ? 'replay' : 'live';
    show($('mode-badge'), on);
    dets.clear();
    detsL.update([], 0);
    trails.clear();
    replayFrames = [];
    if (!on) {
      st.zoneStates = st.liveZoneStates;
      st.alerts = st.liveAlerts;
      setShown(st.liveTracks, st.liveT);
      dirty.zones = true;
    } else {
      setShown([], 0);
      st.zoneStates = new Map();
      st.alerts = [];
      dirty.zones = true;
    }
    renderPanels();
  });
  $('btn-replay').addEventListener('click', () => (replay.active() ? replay.exit() : replay.enter()));

  // ---- settings and logout -----------------------------------------------------------------
  bindSettingsPanel(settings, (s: Settings, reloadStyle: boolean) => {
    if (reloadStyle) {
      // A new base style drops every source; rebuild the live layers on it.
      map.setStyle(baseStyle(s), { diff: false });
      map.once('style.load', () => {
        void loadBaseData(map, handle.baseCounts);
        if (userBase) installUserBase(map, userBase);
        addLive();
        dirty.tracks = dirty.sensors = dirty.zones = true;
        void api.zones().then((z) => zones.setZones(z)).catch(() => undefined);
      });
    } else {
      tracksL.setVisible('trails', s.showTrails);
      tracksL.setVisible('uncertainty', s.showUncertainty);
      detsL.setVisible(s.showDetections);
      sensorsL.setVisible(s.showSensors);
      coverageL.setVisible(s.showCoverage);
      map.setLayoutProperty('municipalities-line', 'visibility', s.showMunicipalities ? 'visible' : 'none');
    }
  });
  $('btn-logout').addEventListener('click', async () => {
    stream.close();
    try {
      await api.logout();
    } catch {
      /* logged out locally anyway */
    }
    o.onLogout();
  });

  // ---- hooks for tests and the benchmark -----------------------------------------------------
  const hooks: Hooks = {
    map,
    trackCount: () => tracksL.count(),
    renderedTrackCount: () => map.queryRenderedFeatures({ layers: ['trk-symbol'] }).length,
    sourceFeatureCount: (source) => map.querySourceFeatures(source).length,
    trackIds: () => st.shown.map((t) => t.track),
    alertClock: () => ({ latest: st.alerts.reduce<number | null>((m, a) => (m === null || a.t > m ? a.t : m), null), now: serverNow(), n: st.alerts.length }),
    trackPosition: (id) => {
      const t = st.byId.get(id);
      return t ? [t.lon, t.lat] : null;
    },
    sensorCount: () => sensorsL.count(),
    coverageInfo: () => coverageL.info(),
    detectionCount: () => detsL.count(),
    zoneAlertCount: () => zones.alertCount(),
    impactFilter: () => JSON.stringify(map.getFilter('zones-impact')),
    zonesDrawn: () => ({ ...zones.drawn(), idleUpdate: zonesIdleUpdate, t: zonesDrawnT }),
    mode: () => st.mode,
    replayFrameCount: () => replay.frameCount(),
    streamCounts: () => stream.counts(),
    baseCounts: () => ({ ...handle.baseCounts }),
    latency,
    measureFrames: (ms) => measureFrames(map, ms),
    refresh: () => ({ costMs: refresh.costMs(), intervalMs: refresh.intervalMs() }),
    resolution: () => handle.resolution(),
    cueCounts: () => queue.cue.counts(),
    imminentEvents: () => queue.imminentEvents.slice(),
    labelCounts: () => labels.counts(),
    placeCounts: () => places.counts(),
    userBase: () => {
      if (!userBase) return null;
      const src = userBase.layers.map((l) => (l as { 'source-layer'?: string })['source-layer']).filter((x): x is string => !!x);
      const features = userBase.kind === 'vector' ? [...new Set(src)].reduce((n, sl) => n + map.querySourceFeatures(USER_SOURCE, { sourceLayer: sl }).length, 0) : 0;
      return { kind: userBase.kind, tiles: userTiles, layers: userBase.layers.map((l) => l.id), features, loaded: map.isSourceLoaded(USER_SOURCE) };
    },
  };
  window.__skywarden = hooks;
  document.body.dataset.ready = 'true';
}

