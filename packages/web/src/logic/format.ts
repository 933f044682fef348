/** Text formatting for the panels (times, ETAs, speeds). */
import { tr, type Lang } from './i18n.js';

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** UTC clock time hh:mm:ss of `t` (s since the epoch). */
export function clockUtc(t: number): string {
  if (!Number.isFinite(t)) return '--:--:--';
  const d = new Date(t * 1000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** An ETA in seconds as "now", "45 s", "3 min 05 s". */
export function formatEta(etaS: number | undefined): string {
  if (etaS === undefined || !Number.isFinite(etaS)) return '';
  if (etaS <= 0.5) return 'now';
  const s = Math.round(etaS);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${pad(s % 60)} s`;
}

/** Speed m/s and km/h. */
export function formatSpeed(mps: number): string {
  if (!Number.isFinite(mps)) return '-';
  return `${Math.round(mps)} m/s (${Math.round(mps * 3.6)} km/h)`;
}

export function formatAlt(altM: number | undefined): string {
  return altM === undefined || !Number.isFinite(altM) ? '-' : `${Math.round(altM)} m`;
}

export function formatPercent(p: number): string {
  return `${(p * 100).toFixed(p >= 0.995 || p < 0.1 ? 1 : 0)}%`;
}

/** Age "12 s ago" / "12초 전" of a time relative to `now` (both seconds). */
export function formatAge(t: number | undefined, now: number, lang: Lang = 'en'): string {
  if (t === undefined || !Number.isFinite(t)) return tr(lang, 'age.never');
  const a = Math.max(0, Math.round(now - t));
  if (a < 120) return tr(lang, 'age.s', { n: a });
  if (a < 7200) return tr(lang, 'age.min', { n: Math.round(a / 60) });
  return tr(lang, 'age.h', { n: Math.round(a / 3600) });
}
