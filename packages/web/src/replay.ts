/**
 * Replay mode: fetch stored track frames of a window (GET /api/v1/history/tracks) and the
 * alert log of that window, then play them on a time slider (play, pause, speed). The page
 * is marked REPLAY while this runs; live events keep arriving but are not drawn. The bar's
 * texts follow the UI's language (its fixed words carry data-i18n in index.html; the window
 * choices, the play button and the line of information are set here and again on a change).
 */
import type { AlertWire, TrackWire } from '@skywarden/formats';
import type { Api } from './api.js';
import { $, show, toast } from './dom.js';
import { advanceClock, clampWindow, frameEvery, frameIndexAt, storedTrackToWire, windowText, zoneStatesAt, type ReplayClock, type ReplayZoneState } from './logic/replay-frames.js';
import { clockUtc } from './logic/format.js';
import { currentLang, onLangChange, t } from './i18n.js';
import { errorText, type TextKey } from './logic/i18n.js';

export interface ReplayFrameOut {
  time: number;
  frameT: number;
  tracks: TrackWire[];
  /** Frames passed since the previous output, oldest first (for trails); empty after a jump. */
  passed: { t: number; tracks: TrackWire[] }[];
  jumped: boolean;
  zones: Map<string, ReplayZoneState>;
  alerts: AlertWire[];
}

export interface ReplayController {
  active(): boolean;
  enter(): void;
  exit(): void;
  frameCount(): number;
  time(): number;
  /** Load a window (seconds); defaults to the last `minutes` the journal holds. */
  load(from?: number, to?: number): Promise<void>;
  play(): void;
  pause(): void;
  seek(time: number): void;
}

export function createReplay(api: Api, onFrame: (f: ReplayFrameOut) => void, onModeChange: (replay: boolean) => void): ReplayController {
  const bar = $('replay-bar');
  const slider = $('replay-slider') as HTMLInputElement;
  const timeEl = $('replay-time');
  const playBtn = $('replay-play') as HTMLButtonElement;
  const speedSel = $('replay-speed') as HTMLSelectElement;
  const windowSel = $('replay-window') as HTMLSelectElement;
  const info = $('replay-info');
  let frames: { t: number; tracks: TrackWire[] }[] = [];
  let alerts: AlertWire[] = [];
  let clock: ReplayClock = { from: 0, to: 0, time: 0, playing: false, speed: 10 };
  let active = false;
  let lastIdx = -1;
  let raf = 0;
  let lastWall = 0;
  // the line of information as a text of the dictionary, so a change of language rewrites it
  let infoText: { key: TextKey; params?: Record<string, string | number> } | null = null;
  const setInfo = (key: TextKey, params?: Record<string, string | number>) => {
    infoText = { key, params };
    info.textContent = t(key, params);
  };
  const relabel = () => {
    for (const opt of Array.from(windowSel.options)) opt.textContent = windowText(currentLang(), Number(opt.value));
    playBtn.textContent = t(clock.playing ? 'replay.pause' : 'replay.play');
    if (infoText) info.textContent = t(infoText.key, infoText.params);
  };

  const emit = (force = false) => {
    const idx = frameIndexAt(frames, clock.time);
    timeEl.textContent = `${clockUtc(clock.time)} UTC`;
    slider.value = String(clock.time);
    if (idx === lastIdx && !force) return;
    const jumped = force || idx < lastIdx || idx - lastIdx > 30 || lastIdx < 0;
    const passed = jumped ? [] : frames.slice(lastIdx + 1, idx);
    lastIdx = idx;
    const f = idx >= 0 ? frames[idx] : null;
    onFrame({
      time: clock.time,
      frameT: f?.t ?? clock.time,
      tracks: f?.tracks ?? [],
      passed,
      jumped,
      zones: zoneStatesAt(alerts, clock.time),
      alerts: alerts.filter((a) => a.t <= clock.time).sort((a, b) => b.t - a.t),
    });
  };
  const tick = (now: number) => {
    raf = 0;
    if (!clock.playing) return;
    const dt = lastWall ? (now - lastWall) / 1000 : 0;
    lastWall = now;
    clock = advanceClock(clock, Math.min(dt, 0.5));
    emit();
    if (clock.playing) raf = requestAnimationFrame(tick);
    else playBtn.textContent = t('replay.play');
  };

  const ctl: ReplayController = {
    active: () => active,
    frameCount: () => frames.length,
    time: () => clock.time,
    enter() {
      if (active) return;
      active = true;
      show(bar, true);
      document.body.classList.add('replay');
      onModeChange(true);
      setInfo('replay.choose');
    },
    exit() {
      if (!active) return;
      ctl.pause();
      active = false;
      frames = [];
      alerts = [];
      lastIdx = -1;
      show(bar, false);
      document.body.classList.remove('replay');
      onModeChange(false);
    },
    async load(from, to) {
      setInfo('replay.loading');
      try {
        const have = await api.historyRange();
        if (have.from === null || have.to === null || have.from === undefined || have.to === undefined) {
          setInfo('replay.empty');
          return;
        }
        const minutes = Number(windowSel.value) || 10;
        const want = { from: from ?? have.to - minutes * 60, to: to ?? have.to };
        const w = clampWindow(want, { from: have.from, to: have.to });
        if (!w) {
          setInfo('replay.nothing');
          return;
        }
        const every = frameEvery(w.to - w.from);
        const [fr, al] = await Promise.all([api.historyTracks(w.from, w.to, every), api.alerts({ from: w.from - 86_400, to: w.to }).catch(() => ({ alerts: [] as AlertWire[] }))]);
        frames = (fr.frames ?? []).map((f) => ({ t: f.t, tracks: f.tracks.map(storedTrackToWire) })).sort((a, b) => a.t - b.t);
        alerts = al.alerts ?? [];
        clock = { from: w.from, to: w.to, time: w.from, playing: false, speed: Number(speedSel.value) || 10 };
        slider.min = String(w.from);
        slider.max = String(w.to);
        slider.step = String(Math.min(1, every));
        lastIdx = -1;
        setInfo('replay.loaded', { n: frames.length, from: clockUtc(w.from), to: clockUtc(w.to), s: every });
        emit(true);
      } catch (e) {
        setInfo('replay.failed', { why: errorText(currentLang(), e) });
        toast(t('replay.failed', { why: errorText(currentLang(), e) }), 'error');
      }
    },
    play() {
      if (frames.length === 0) return;
      if (clock.time >= clock.to) clock = { ...clock, time: clock.from };
      clock = { ...clock, playing: true, speed: Number(speedSel.value) || clock.speed };
      playBtn.textContent = t('replay.pause');
      lastWall = 0;
      if (!raf) raf = requestAnimationFrame(tick);
    },
    pause() {
      clock = { ...clock, playing: false };
      playBtn.textContent = t('replay.play');
      if (raf) cancelAnimationFrame(raf);
      raf = 0;
    },
    seek(time) {
      clock = { ...clock, time: Math.min(clock.to, Math.max(clock.from, time)) };
      emit(true);
    },
  };
  playBtn.addEventListener('click', () => (clock.playing ? ctl.pause() : ctl.play()));
  speedSel.addEventListener('change', () => (clock = { ...clock, speed: Number(speedSel.value) || 1 }));
  slider.addEventListener('input', () => ctl.seek(Number(slider.value)));
  $('replay-load').addEventListener('click', () => void ctl.load());
  $('replay-exit').addEventListener('click', () => ctl.exit());
  onLangChange(relabel);
  relabel();
  return ctl;
}
