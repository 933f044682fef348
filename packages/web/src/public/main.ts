/**
 * The public warning page (/public/): read-only, no login, for residents on a phone. It loads
 * the zones' public states and texts, then follows GET /api/v1/public/stream; the last state is
 * kept (localStorage, and the service worker's cache) so the page still says something offline.
 * Everything shown comes from ../logic/public-view.ts.
 */
import './public.css';
import { activeZones, hhmm, pickLang, texts, tierCounts, zoneLine, zoneName, type Lang, type PublicZone } from '../logic/public-view.js';

interface Info {
  languages: string[];
  texts: Record<string, { event: string; shelter: string; clear: string }>;
}
interface Snapshot {
  t: number;
  zones: PublicZone[];
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const store = {
  get: (k: string) => {
    try {
      return localStorage.getItem(k);
    } catch {
      return null;
    }
  },
  set: (k: string, v: string) => {
    try {
      localStorage.setItem(k, v);
    } catch {
      /* private mode: the page still works, it only forgets */
    }
  },
};

const isInfo = (x: unknown): x is Info => typeof x === 'object' && x !== null && Array.isArray((x as Info).languages) && typeof (x as Info).texts === 'object' && (x as Info).texts !== null;
const isSnapshot = (x: unknown): x is Snapshot => typeof x === 'object' && x !== null && typeof (x as Snapshot).t === 'number' && Array.isArray((x as Snapshot).zones);

let lang: Lang = pickLang(store.get('sw-public-lang'), navigator.languages ?? [navigator.language]);
let info: Info | null = null;
let snap: Snapshot | null = null;
let conn: 'loading' | 'live' | 'reconnecting' | 'offline' = 'loading';
let mine = store.get('sw-public-zone') ?? '';

function instruction(tier: PublicZone['tier']): string {
  if (!info) return '';
  const tag = info.languages.find((l) => l.toLowerCase().startsWith(lang)) ?? info.languages[0];
  const t = info.texts[tag];
  if (!t) return '';
  return tier === 'imminent' || tier === 'warning' ? t.shelter : '';
}

function el(tag: string, cls: string, text: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  e.textContent = text;
  return e;
}

function render(): void {
  const L = texts(lang);
  document.documentElement.lang = lang;
  document.title = L.title;
  $('title').textContent = L.title;
  $('lang').textContent = L.other;
  $('lang').setAttribute('aria-label', L.otherLabel);
  $('mine-label').textContent = L.mine;
  $('list-title').textContent = L.list;
  $('footer').textContent = L.footer;
  const at = snap ? hhmm(snap.t) : '';
  const status = $('status');
  status.textContent = conn === 'loading' || !snap ? L.loading : conn === 'live' ? L.live(at) : conn === 'reconnecting' ? L.reconnecting(at) : L.offline(at);
  status.className = `status status-${conn}`;
  document.body.dataset.conn = conn;
  const zones = snap?.zones ?? [];
  // my area: the picker (sorted by name in the language) and its card
  const select = $<HTMLSelectElement>('mine-select');
  const byName = zones.slice().sort((a, b) => zoneName(a, lang).localeCompare(zoneName(b, lang), lang));
  select.replaceChildren(new Option(L.choose, ''), ...byName.map((z) => new Option(zoneName(z, lang), z.zone)));
  select.value = zones.some((z) => z.zone === mine) ? mine : '';
  const card = $('mine');
  const my = zones.find((z) => z.zone === mine);
  card.replaceChildren();
  if (my) {
    card.className = `card tier-${my.tier}`;
    card.dataset.tier = my.tier;
    card.append(el('div', 'badge', L.tier[my.tier]), el('div', 'head', L.head[my.tier]));
    const line = zoneLine(my, lang);
    if (line) card.append(el('div', 'line', line));
    const ins = instruction(my.tier);
    if (ins) card.append(el('p', 'ins', ins));
  } else {
    card.className = 'card tier-none hidden';
    delete card.dataset.tier;
  }
  // every area under some tier, the most urgent first
  const active = activeZones(zones, lang);
  $('counts').textContent = L.counts(tierCounts(zones));
  const list = $('list');
  list.replaceChildren(
    ...(active.length === 0
      ? [el('li', 'empty', L.none)]
      : active.map((z) => {
          const li = el('li', `row tier-${z.tier}`, '');
          li.dataset.zone = z.zone;
          li.dataset.tier = z.tier;
          li.append(el('span', 'badge', L.tier[z.tier]), el('span', 'name', zoneName(z, lang)));
          const line = zoneLine(z, lang);
          if (line) li.append(el('span', 'line', line));
          return li;
        })),
  );
  document.body.dataset.ready = snap ? 'true' : 'false';
}

let updates = 0;
function accept(s: Snapshot): void {
  snap = s;
  document.body.dataset.updates = String(++updates);
  store.set('sw-public-state', JSON.stringify(s));
  render();
}

async function load(): Promise<void> {
  const cached = store.get('sw-public-state');
  if (cached) {
    try {
      const c = JSON.parse(cached) as unknown;
      snap = isSnapshot(c) ? c : null;
    } catch {
      snap = null;
    }
  }
  // an error answer is no news: keep what we knew (never show "no warning" for a failed request)
  const json = async (path: string) => {
    const r = await fetch(path);
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return r.json();
  };
  try {
    const [i, s] = await Promise.all([json('/api/v1/public/info'), json('/api/v1/public/alerts/state')]);
    if (!isInfo(i) || !isSnapshot(s)) throw new Error('unexpected answer');
    info = i;
    store.set('sw-public-info', JSON.stringify(info));
    conn = navigator.onLine === false ? 'offline' : 'reconnecting';
    accept(s);
  } catch {
    try {
      const ci = JSON.parse(store.get('sw-public-info') ?? 'null') as unknown;
      if (isInfo(ci)) info = ci;
    } catch {
      /* nothing kept */
    }
    conn = 'offline';
    render();
  }
  openPublicStream();
}

/**
 * The public stream. EventSource reconnects by itself after a dropped connection, but not after
 * a refusal (a 503 while the service starts, or at its client cap): the source then closes, and
 * a new one is opened after 10-20 s (spread, so that a city's phones do not all come back at once).
 */
function openPublicStream(): void {
  const es = new EventSource('/api/v1/public/stream');
  es.addEventListener('open', () => {
    conn = 'live';
    render();
  });
  es.addEventListener('public', (ev) => {
    let s: unknown;
    try {
      s = JSON.parse((ev as MessageEvent<string>).data);
    } catch {
      return;
    }
    if (!isSnapshot(s)) return;
    conn = 'live';
    accept(s);
  });
  es.addEventListener('error', () => {
    conn = navigator.onLine === false ? 'offline' : 'reconnecting';
    render();
    if (es.readyState === EventSource.CLOSED) setTimeout(openPublicStream, 10_000 + Math.random() * 10_000);
  });
}

$('lang').addEventListener('click', () => {
  lang = lang === 'ko' ? 'en' : 'ko';
  store.set('sw-public-lang', lang);
  render();
});
$<HTMLSelectElement>('mine-select').addEventListener('change', (e) => {
  mine = (e.target as HTMLSelectElement).value;
  store.set('sw-public-zone', mine);
  render();
});
window.addEventListener('offline', () => {
  conn = 'offline';
  render();
});
if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/public/sw.js', { scope: '/public/' }).catch(() => undefined);
render();
void load();
