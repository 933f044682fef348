/**
 * What the public warning page shows (docs/warnings.md "Public warning page"), as pure
 * functions of the zones' public states: the order of the list, the counts, and every text in
 * Korean and English. The page (src/public/main.ts) only puts these into the DOM.
 */
export type Tier = 'imminent' | 'warning' | 'watch' | 'none';
export type Lang = 'ko' | 'en';

export interface PublicZone {
  zone: string;
  name: string;
  names?: Record<string, string>;
  state: 'alert' | 'clear';
  tier: Tier;
  since: number;
  eta_s?: number;
}

export const TIER_RANK: Record<Tier, number> = { imminent: 0, warning: 1, watch: 2, none: 3 };

export function zoneName(z: PublicZone, lang: Lang): string {
  return (lang === 'ko' ? z.names?.ko : undefined) ?? z.name;
}

/** Zones under some tier, most urgent first, then by name in the page's language. */
export function activeZones(zones: readonly PublicZone[], lang: Lang): PublicZone[] {
  return zones.filter((z) => z.tier !== 'none').sort((a, b) => TIER_RANK[a.tier] - TIER_RANK[b.tier] || zoneName(a, lang).localeCompare(zoneName(b, lang), lang));
}

export function tierCounts(zones: readonly PublicZone[]): Record<Tier, number> {
  const c: Record<Tier, number> = { imminent: 0, warning: 0, watch: 0, none: 0 };
  for (const z of zones) c[z.tier]++;
  return c;
}

const T = {
  en: {
    title: 'Drone warnings',
    other: '한국어',
    otherLabel: 'Switch the language to Korean',
    mine: 'My area',
    choose: 'Choose your area',
    list: 'Areas under warning',
    none: 'No area is under warning now.',
    tier: { imminent: 'IMMINENT', warning: 'WARNING', watch: 'WATCH', none: 'NO WARNING' } as Record<Tier, string>,
    head: {
      imminent: 'Take shelter now',
      warning: 'Drones are expected: get ready to take shelter',
      watch: 'Drones may come later: stay alert',
      none: 'No drone warning for this area',
    } as Record<Tier, string>,
    counts: (c: Record<Tier, number>) => `${c.imminent} imminent · ${c.warning} warning · ${c.watch} watch`,
    since: (hhmm: string) => `since ${hhmm}`,
    eta: (min: number) => (min < 1 ? 'arriving now' : `expected in about ${min} min`),
    live: (hhmm: string) => `Live · updated ${hhmm}`,
    reconnecting: (hhmm: string) => `Reconnecting… showing ${hhmm}`,
    offline: (hhmm: string) => `Offline · last known state of ${hhmm}`,
    loading: 'Loading…',
    footer: 'Official instructions of your local authorities come first. This page shows automatic warnings from sensors.',
  },
  ko: {
    title: '드론 경보',
    other: 'English',
    otherLabel: '언어를 영어로 바꾸기',
    mine: '우리 지역',
    choose: '지역을 선택하세요',
    list: '경보 발령 지역',
    none: '현재 경보가 발령된 지역이 없습니다.',
    tier: { imminent: '임박', warning: '경고', watch: '주의', none: '경보 없음' } as Record<Tier, string>,
    head: {
      imminent: '지금 즉시 대피하십시오',
      warning: '드론이 접근 중입니다: 대피할 준비를 하십시오',
      watch: '드론이 올 수 있습니다: 상황을 주시하십시오',
      none: '이 지역에는 드론 경보가 없습니다',
    } as Record<Tier, string>,
    counts: (c: Record<Tier, number>) => `임박 ${c.imminent} · 경고 ${c.warning} · 주의 ${c.watch}`,
    since: (hhmm: string) => `${hhmm}부터`,
    eta: (min: number) => (min < 1 ? '곧 도달' : `약 ${min}분 후 도달 예상`),
    live: (hhmm: string) => `실시간 · ${hhmm} 갱신`,
    reconnecting: (hhmm: string) => `다시 연결 중… ${hhmm} 기준`,
    offline: (hhmm: string) => `오프라인 · ${hhmm} 기준 마지막 상태`,
    loading: '불러오는 중…',
    footer: '지방자치단체의 공식 안내를 먼저 따르십시오. 이 페이지는 센서에 따른 자동 경보를 보여 줍니다.',
  },
};

export function texts(lang: Lang) {
  return T[lang];
}

/** The language of the page: a saved choice, else Korean for a Korean browser, else English. */
export function pickLang(saved: string | null, browser: readonly string[]): Lang {
  if (saved === 'ko' || saved === 'en') return saved;
  return browser.some((l) => l.toLowerCase().startsWith('ko')) ? 'ko' : 'en';
}

/** Local clock time HH:MM of a time in seconds since the epoch. */
export function hhmm(t: number): string {
  const d = new Date(t * 1000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** The line under a zone's tier: since when, and the ETA under a warning. */
export function zoneLine(z: PublicZone, lang: Lang): string {
  const L = T[lang];
  const parts: string[] = [];
  if (z.since > 0) parts.push(L.since(hhmm(z.since)));
  if (z.tier === 'warning' && z.eta_s !== undefined) parts.push(L.eta(Math.round(z.eta_s / 60)));
  return parts.join(' · ');
}
