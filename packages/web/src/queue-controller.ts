/**
 * The threat queue's live behaviour (issue 17), beside the panel that draws it: which threats
 * just became IMMINENT (once per track: the audible cue and the row's flash), the operators'
 * Ack and Assign calls, and the top bar's sound and language toggles.
 */
import type { TrackWire } from '@skywarden/formats';
import type { Api } from './api.js';
import { ApiError } from './api.js';
import { h, toast } from './dom.js';
import { createCue, type Cue } from './cue.js';
import { applyStatic, currentLang, onLangChange, setLang, t } from './i18n.js';
import { canAct } from './logic/lists.js';
import { errorText } from './logic/i18n.js';
import { createImminentWatcher, threatQueue } from './logic/threat-queue.js';
import type { ThreatsPanelOptions } from './panels/threats-panel.js';

const FLASH_MS = 4000;

export interface ImminentEvent {
  track: string;
  /** performance.now() when the tracks event that made it IMMINENT arrived. */
  receivedAt: number;
}

export interface QueueController {
  /** A tracks event (live): returns the ids that just became IMMINENT (the panel should be drawn at once). */
  onTracks(tracks: readonly TrackWire[], receivedAt: number): string[];
  options(): ThreatsPanelOptions;
  cue: Cue;
  imminentEvents: ImminentEvent[];
}

export function createQueueController(o: { api: Api; role: string; user: string | null; replaceTrack: (t: TrackWire) => void }): QueueController {
  const cue = createCue();
  const watcher = createImminentWatcher();
  const flash = new Map<string, number>();
  const imminentEvents: ImminentEvent[] = [];
  const why = (e: unknown) => (e instanceof ApiError ? (e.code === 'forbidden' ? t('queue.forbidden') : `${errorText(currentLang(), e)} (${e.code})`) : errorText(currentLang(), e));

  const onAck = async (id: string) => {
    try {
      const r = await o.api.trackAck(id);
      if (r?.track) o.replaceTrack(r.track);
      toast(t('queue.ack.done', { track: id }), 'ok');
    } catch (e) {
      toast(t('queue.failed', { track: id, what: t('queue.ack'), why: why(e) }), 'error', 6000);
      throw e;
    }
  };
  const onAssign = async (id: string, to: string) => {
    try {
      const r = await o.api.trackAssign(id, to);
      if (r?.track) o.replaceTrack(r.track);
      toast(t('queue.assign.done', { track: id, to }), 'ok');
    } catch (e) {
      toast(t('queue.failed', { track: id, what: t('queue.assign'), why: why(e) }), 'error', 6000);
      throw e;
    }
  };

  // ---- top bar: sound and language toggles ------------------------------------------------
  const mute = h('button', { id: 'btn-mute', class: 'btn btn-toggle', type: 'button' });
  const lang = h('button', { id: 'btn-lang', class: 'btn btn-toggle', type: 'button' });
  const label = () => {
    mute.textContent = cue.muted() ? t('sound.off') : t('sound.on');
    mute.setAttribute('aria-pressed', String(cue.muted()));
    mute.setAttribute('aria-label', t('sound.label'));
    mute.title = t('sound.label');
    lang.textContent = t('lang.switch');
    lang.setAttribute('aria-label', t('lang.switch.label'));
    lang.setAttribute('lang', currentLang() === 'en' ? 'ko' : 'en');
  };
  mute.addEventListener('click', () => {
    cue.setMuted(!cue.muted());
    label();
  });
  lang.addEventListener('click', () => setLang(currentLang() === 'en' ? 'ko' : 'en'));
  onLangChange(label);
  label();
  // the top bar's fixed texts follow the language too
  for (const [id, key] of [['btn-replay', 'top.replay'], ['btn-settings', 'top.settings'], ['btn-login', 'top.login'], ['btn-logout', 'top.logout']] as const) {
    const el = document.getElementById(id);
    if (el) el.dataset.i18n = key;
  }
  applyStatic();
  document.getElementById('btn-settings')?.before(mute, lang);

  return {
    cue,
    imminentEvents,
    onTracks(tracks, receivedAt) {
      const fresh = watcher.update(threatQueue(tracks));
      if (fresh.length === 0) return fresh;
      const until = performance.now() + FLASH_MS;
      for (const id of fresh) {
        flash.set(id, until);
        imminentEvents.push({ track: id, receivedAt });
      }
      if (imminentEvents.length > 1000) imminentEvents.splice(0, imminentEvents.length - 1000);
      for (const [id, u] of flash) if (u < performance.now()) flash.delete(id);
      cue.play(); // one cue per event, however many became IMMINENT in it
      return fresh;
    },
    options: () => ({ lang: currentLang(), canAct: canAct(o.role), me: o.user ?? undefined, flash, onAck, onAssign }),
  };
}
