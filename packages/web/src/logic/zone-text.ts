/**
 * Zone names and the map's zone labels in the UI's language. Zones carry their Korean name as
 * `properties.name_ko` (the KOSTAT zones: "서울 종로구"; any zones file may add `name_<lang>`,
 * docs/interchange.md) or in `properties.names.ko`; the Korean UI shows it, and falls back to
 * `name` (then the id) when a zone has none. Pure: no DOM.
 */
import { etaText, tr, trOr, type Lang } from './i18n.js';

/** A zone's name in `lang`. */
export function zoneDisplayName(props: Readonly<Record<string, unknown>> | null | undefined, lang: Lang, id: string): string {
  const p = props ?? {};
  if (lang !== 'en') {
    const own = p[`name_${lang}`];
    if (typeof own === 'string' && own.trim() !== '') return own;
    const names = p.names as Record<string, unknown> | undefined;
    const v = names && typeof names === 'object' ? names[lang] : undefined;
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return typeof p.name === 'string' && p.name !== '' ? p.name : id;
}

/** "ETA 2 min 40 s" / "2분 40초 후 도달"; "ETA now" / "지금 도달". */
export function etaPhrase(lang: Lang, etaS: number): string {
  if (!Number.isFinite(etaS)) return '';
  return etaS <= 0.5 ? tr(lang, 'alerts.eta.now') : tr(lang, 'alerts.eta', { eta: etaText(lang, etaS) });
}

/** The label of a zone in alert on the map: "Paju-si, Gyeonggi · IMMINENT · manual · ETA 1 min 24 s" / "경기 파주시 · 임박 · 수동 · 1분 24초 후 도달". */
export function zoneLabelText(lang: Lang, name: string, tier: string, manual: boolean, etaS: number | null): string {
  const parts = [name, trOr(lang, `tier.${tier}`, tier.toUpperCase())];
  if (manual) parts.push(tr(lang, 'zone.label.manual'));
  if (etaS !== null && Number.isFinite(etaS)) parts.push(etaPhrase(lang, etaS));
  return parts.join(' · ');
}
