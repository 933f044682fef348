/**
 * The page's language (English or Korean, issue 17): chosen by the toggle in the top bar and
 * kept in localStorage; the first time, from the browser's languages. Static texts carry
 * `data-i18n="key"` (their text), `data-i18n-placeholder="key"` (an input's placeholder),
 * `data-i18n-label="key"` (their aria-label and title) or `data-i18n-aria="key"` (their
 * aria-label only: no tooltip over a whole region); the page's title is `page.title`. The
 * panels ask `t()` when they render and re-render when the language changes.
 */
import { pickLang, tr, type Lang, type TextKey } from './logic/i18n.js';

const KEY = 'skywarden.lang';
let lang: Lang = 'en';
const listeners: ((l: Lang) => void)[] = [];

function stored(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function initLang(): Lang {
  lang = pickLang(stored(), navigator.languages?.length ? navigator.languages : [navigator.language]);
  applyStatic();
  return lang;
}

export const currentLang = (): Lang => lang;

export function t(key: TextKey, params?: Record<string, string | number>): string {
  return tr(lang, key, params);
}

export function setLang(l: Lang): void {
  lang = l;
  try {
    localStorage.setItem(KEY, l);
  } catch {
    /* storage disabled: this page only */
  }
  applyStatic();
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn: (l: Lang) => void): void {
  listeners.push(fn);
}

/** Sets every static text of the page to the current language. */
export function applyStatic(root: ParentNode = document): void {
  document.documentElement.lang = lang;
  document.title = t('page.title');
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const s = t(el.dataset.i18n as TextKey);
    if (el.textContent !== s) el.textContent = s;
  }
  for (const el of root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder as TextKey);
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-label]')) {
    const s = t(el.dataset.i18nLabel as TextKey);
    el.setAttribute('aria-label', s);
    el.title = s;
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria as TextKey));
}
