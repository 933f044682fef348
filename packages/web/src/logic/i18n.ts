/**
 * The UI's texts in English and Korean (issue 17): one dictionary per language with the same
 * keys, `{name}` placeholders filled by `tr`. Pure (no DOM): the choice of language, its
 * storage and applying it to the page are in ../i18n.ts.
 */

export type Lang = 'en' | 'ko';
export const LANGS: readonly Lang[] = ['en', 'ko'];

const en = {
  'lang.switch': '한국어',
  'lang.switch.label': 'Switch the language to Korean',
  'top.replay': 'Replay',
  'top.settings': 'Settings',
  'top.login': 'Log in',
  'top.logout': 'Log out',
  'tab.threats': 'Threats',
  'tab.threats.n': 'Threats ({n})',
  'tab.alerts': 'Alerts',
  'tab.alerts.n': 'Alerts ({n})',
  'tab.tracks.n': 'Tracks ({n})',
  'tab.sensors.n': 'Sensors ({n})',
  'tier.imminent': 'IMMINENT',
  'tier.warning': 'WARNING',
  'tier.watch': 'WATCH',
  'queue.col.tier': 'Tier',
  'queue.col.threat': 'Threat · zones it may enter (ETA, probability)',
  'queue.none': 'No threats',
  'queue.count.1': '1 threat',
  'queue.count.n': '{n} threats',
  'queue.imminent': ', {n} imminent',
  'queue.coast': '(coast)',
  'queue.inside': 'inside {zone} ({p})',
  'queue.now': '{zone} now ({p})',
  'queue.in': '{zone} in {eta} ({p})',
  'queue.no_zone': 'no zone in its path',
  'queue.more': '+{n} more',
  'queue.ack': 'Ack',
  'queue.ack.label': 'Acknowledge threat {track}',
  'queue.acked': 'acked by {user}',
  'queue.assign': 'Assign',
  'queue.assign.label': 'Assign threat {track}',
  'queue.assigned': 'assigned to {to}',
  'queue.assign.placeholder': 'user or team',
  'queue.assign.ok': 'OK',
  'queue.assign.cancel': 'Cancel',
  'queue.ack.done': '{track}: acknowledged',
  'queue.assign.done': '{track}: assigned to {to}',
  'queue.failed': '{track}: {what} failed: {why}',
  'queue.forbidden': 'not allowed for your role',
  'sound.on': 'Sound',
  'sound.off': 'Muted',
  'sound.label': 'Sound cue on a new IMMINENT threat',
  'eta.now': 'now',
  'eta.s': '{s} s',
  'eta.ms': '{m} min {s} s',
} as const;

export type TextKey = keyof typeof en;

const ko: Record<TextKey, string> = {
  'lang.switch': 'English',
  'lang.switch.label': '언어를 영어로 바꾸기',
  'top.replay': '다시 보기',
  'top.settings': '설정',
  'top.login': '로그인',
  'top.logout': '로그아웃',
  'tab.threats': '위협',
  'tab.threats.n': '위협 ({n})',
  'tab.alerts': '경보',
  'tab.alerts.n': '경보 ({n})',
  'tab.tracks.n': '항적 ({n})',
  'tab.sensors.n': '센서 ({n})',
  'tier.imminent': '임박',
  'tier.warning': '경고',
  'tier.watch': '주의',
  'queue.col.tier': '등급',
  'queue.col.threat': '위협 · 진입 예상 구역 (도달 시간, 확률)',
  'queue.none': '위협 없음',
  'queue.count.1': '위협 1건',
  'queue.count.n': '위협 {n}건',
  'queue.imminent': ', 임박 {n}건',
  'queue.coast': '(탐지 끊김)',
  'queue.inside': '{zone} 내부 ({p})',
  'queue.now': '{zone} 지금 진입 ({p})',
  'queue.in': '{zone} {eta} 후 ({p})',
  'queue.no_zone': '경로상 구역 없음',
  'queue.more': '외 {n}곳',
  'queue.ack': '확인',
  'queue.ack.label': '위협 {track} 확인',
  'queue.acked': '{user} 확인함',
  'queue.assign': '배정',
  'queue.assign.label': '위협 {track} 배정',
  'queue.assigned': '{to} 담당',
  'queue.assign.placeholder': '사용자 또는 팀',
  'queue.assign.ok': '확정',
  'queue.assign.cancel': '취소',
  'queue.ack.done': '{track}: 확인됨',
  'queue.assign.done': '{track}: {to} 담당으로 배정됨',
  'queue.failed': '{track}: {what} 실패: {why}',
  'queue.forbidden': '이 역할로는 할 수 없습니다',
  'sound.on': '소리',
  'sound.off': '무음',
  'sound.label': '새 임박 위협 알림음',
  'eta.now': '지금',
  'eta.s': '{s}초',
  'eta.ms': '{m}분 {s}초',
};

export const DICTIONARIES: Readonly<Record<Lang, Readonly<Record<TextKey, string>>>> = { en, ko };

/** The text of `key` in `lang` with its `{name}` placeholders filled from `params`; a missing key falls back to English. */
export function tr(lang: Lang, key: TextKey, params: Record<string, string | number> = {}): string {
  const s = DICTIONARIES[lang][key] ?? en[key];
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** The placeholders a text uses, sorted (every language must use the same ones). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

/** The language to start in: the stored choice if valid, else Korean for a Korean browser, else English. */
export function pickLang(stored: string | null | undefined, navigatorLanguages: readonly string[]): Lang {
  if (stored === 'en' || stored === 'ko') return stored;
  for (const l of navigatorLanguages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'ko') return 'ko';
    if (base === 'en') return 'en';
  }
  return 'en';
}

/** An ETA in seconds, in words of `lang`: "now", "45 s", "3 min 05 s" / "지금", "45초", "3분 05초". */
export function etaText(lang: Lang, etaS: number): string {
  if (!Number.isFinite(etaS)) return '';
  if (etaS <= 0.5) return tr(lang, 'eta.now');
  const s = Math.round(etaS);
  if (s < 60) return tr(lang, 'eta.s', { s });
  const sec = s % 60;
  return tr(lang, 'eta.ms', { m: Math.floor(s / 60), s: sec < 10 ? `0${sec}` : String(sec) });
}
