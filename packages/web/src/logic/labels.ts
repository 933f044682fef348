/**
 * Track labels on the map (issue 17): what each label says and where it goes. Pure (no DOM):
 * the label layer (layers/track-labels.ts) projects the tracks to screen pixels, asks
 * {@link placeLabels} for a placement and draws the result as a few HTML elements, so no glyph
 * server is needed.
 *
 * Short ids: track ids are the tracker's decimal counter ("4123" after an hour of a busy
 * picture). A label shows "#" and the last three characters ("#123"), which is what an operator
 * reads aloud; when two tracks in the picture would show the same short id, both show their
 * full id, so a label never names two tracks. The panels show the full id, which ends in the
 * label's digits.
 */
import type { TrackWire } from '@skywarden/formats';
import { isThreat } from './threat-queue.js';
import { etaText, tr, type Lang } from './i18n.js';

/** Characters of the id a label keeps. */
export const SHORT_ID_CHARS = 3;

/** The label id of every track: "#" + the last three characters, or the full id where those collide. */
export function shortIds(ids: Iterable<string>, chars = SHORT_ID_CHARS): Map<string, string> {
  const all = [...ids];
  const byShort = new Map<string, number>();
  const tail = (id: string) => (id.length > chars ? id.slice(-chars) : id);
  for (const id of all) byShort.set(tail(id), (byShort.get(tail(id)) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const id of all) out.set(id, `#${(byShort.get(tail(id)) ?? 0) > 1 ? id : tail(id)}`);
  return out;
}

/** The first zone a threat may enter (the queue's rule: P >= rankP; inside: ETA 0), or null. */
export function firstZone(t: TrackWire, rankP = 0.3): { zone: string; name: string; etaS: number; inside: boolean } | null {
  let best: { zone: string; name: string; etaS: number; inside: boolean } | null = null;
  for (const z of t.threatens ?? []) {
    if (z.p < rankP) continue;
    const eta = z.inside ? 0 : z.eta_s;
    if (best === null || eta < best.etaS) best = { zone: z.zone, name: z.name ?? z.zone, etaS: eta, inside: z.inside === true };
  }
  return best;
}

/**
 * The label's lines in `lang`: "#123 · 450 m · 185 km/h" and, for a threat with a zone in its
 * path, "ETA 2 min 40 s Paju-si" / "파주시 2분 40초 후" (or "INSIDE Paju-si" / "파주시 내부",
 * "ETA now Paju-si" / "파주시 지금 진입"). Altitude "alt -" / "고도 -" when not observable.
 * `zoneName`: a zone's name in `lang` by its id (logic/zone-text.ts; the Korean UI names it in
 * Korean); undefined, or a zone it does not know: the name the track carries.
 */
export function labelLines(t: TrackWire, shortId: string, lang: Lang = 'en', zoneName?: (id: string) => string | undefined): string[] {
  const speed = Number.isFinite(t.speed_mps) ? t.speed_mps : Math.hypot(t.ve_mps || 0, t.vn_mps || 0);
  const alt = t.alt_m !== undefined && Number.isFinite(t.alt_m) ? `${Math.round(t.alt_m)} m` : tr(lang, 'label.alt.none');
  const lines = [`${shortId} · ${alt} · ${Math.round(speed * 3.6)} km/h`];
  if (isThreat(t)) {
    const z = firstZone(t);
    if (z) {
      const zone = shortZone(zoneName?.(z.zone) ?? z.name);
      if (z.inside) lines.push(tr(lang, 'label.inside', { zone }));
      else if (z.etaS <= 0.5) lines.push(tr(lang, 'label.eta.now', { zone }));
      else lines.push(tr(lang, 'label.eta', { eta: etaText(lang, z.etaS), zone }));
    }
  }
  return lines;
}

/** The provinces' short Korean names that open a KOSTAT zone's Korean name ("경기 파주시"); the same as formats' KR_PROVINCE_NAMES (tested). */
export const KO_PROVINCES: readonly string[] = ['서울', '부산', '대구', '인천', '광주', '대전', '울산', '세종', '경기', '강원', '충북', '충남', '전북', '전남', '경북', '경남', '제주'];

/**
 * A zone name without its province, for the short label: "Paju-si, Gyeonggi" -> "Paju-si",
 * "경기 파주시" -> "파주시", "경기 고양시 일산동구" -> "고양시 일산동구"; any other name as it is.
 */
export function shortZone(name: string): string {
  const i = name.lastIndexOf(', ');
  if (i > 0) return name.slice(0, i);
  const sp = name.indexOf(' ');
  return sp > 0 && KO_PROVINCES.includes(name.slice(0, sp)) && name.slice(sp + 1).trim() !== '' ? name.slice(sp + 1) : name;
}

/**
 * The corner note under the map for the labels that found no place: "3 track labels, 1 zone
 * label hidden (zoom in)" / "항적 표지 3개, 구역 표지 1개 숨김 (지도를 확대하십시오)"; '' when none.
 */
export function hiddenNote(lang: Lang, tracks: number, zones: number): string {
  const parts: string[] = [];
  if (tracks > 0) parts.push(tracks === 1 ? tr(lang, 'label.hidden.tracks.1') : tr(lang, 'label.hidden.tracks.n', { n: tracks }));
  if (zones > 0) parts.push(zones === 1 ? tr(lang, 'label.hidden.zones.1') : tr(lang, 'label.hidden.zones.n', { n: zones }));
  return parts.length > 0 ? tr(lang, 'label.hidden', { what: parts.join(', ') }) : '';
}

/** Whether a character takes two cells of a monospace font (Hangul, CJK, full-width forms). */
function wide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6)
  );
}

/**
 * The width of a line of label text (CSS px) from the width of one narrow character of the
 * label's monospace font and one wide one (a Hangul syllable, drawn in a fallback font), so a
 * Korean label's box fits its text as an English one does.
 */
export function textWidth(line: string, narrowW: number, wideW: number): number {
  let w = 0;
  for (const ch of line) w += wide(ch.codePointAt(0) ?? 0) ? wideW : narrowW;
  return w;
}

/**
 * Label priority, lower first: the selected track, then threats by the time to their first
 * zone (soonest first), then threats with no zone in their path, then the rest, each by
 * threat probability.
 */
export function labelPriority(t: TrackWire, selected: string | null): number {
  if (t.track === selected) return -1;
  if (isThreat(t)) {
    const z = firstZone(t);
    return z ? z.etaS : 1e6 + (1 - t.threat);
  }
  return 2e6 + (1 - (Number.isFinite(t.threat) ? t.threat : 0));
}

export interface LabelRequest {
  id: string;
  /** The track's screen position (CSS px). */
  x: number;
  y: number;
  /** The label's size (CSS px). */
  w: number;
  h: number;
  /** Lower is placed first. */
  priority: number;
}

export interface PlacedLabel {
  id: string;
  /** Top-left corner of the label box (CSS px). */
  left: number;
  top: number;
  w: number;
  h: number;
}

export interface PlaceOptions {
  width: number;
  height: number;
  /** At most this many labels (default 40). */
  max?: number;
  /** Gap between the track's position and its label (px, default 12: clear of the icon). */
  offset?: number;
  /** Half the size of a track icon kept free of labels (px, default 8). */
  iconHalf?: number;
  /** Empty space kept between two labels (px, default 2). */
  margin?: number;
  /** Boxes no label may overlap: the zone labels shown, the legend, the map's controls. */
  obstacles?: readonly Rect[];
}

/** A box on screen (CSS px). */
export interface Rect {
  left: number;
  top: number;
  w: number;
  h: number;
}

export interface Placement {
  placed: PlacedLabel[];
  /** Tracks in view that got no label (no free place, or over the cap). */
  hidden: number;
  /** Tracks in view. */
  inView: number;
}

/** A screen box by its edges (px). */
export interface Box {
  l: number;
  t: number;
  r: number;
  b: number;
}

/**
 * The four places a w × h label may take about a point, in order of preference: right, left,
 * above, below, `off` px clear of the point (top-left corners).
 */
export function spotsAround(x: number, y: number, off: number, w: number, h: number): [number, number][] {
  return [
    [x + off, y - h / 2],
    [x - off - w, y - h / 2],
    [x - w / 2, y - off - h],
    [x - w / 2, y + off],
  ];
}

/** Whether two boxes overlap (touching edges do not). */
export const overlaps = (a: Box, b: Box) => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;

/**
 * Greedy placement by priority: each track in view, most urgent first, takes the first of
 * four places about its icon (right, left, above, below) that stays inside the view and
 * overlaps neither a label already placed nor a track icon; otherwise it is hidden (counted).
 * The labels placed never overlap one another (with `margin` between them).
 */
export function placeLabels(reqs: readonly LabelRequest[], o: PlaceOptions): Placement {
  const max = o.max ?? 40;
  const off = o.offset ?? 12;
  const half = o.iconHalf ?? 8;
  const m = o.margin ?? 2;
  const inView = reqs.filter((q) => q.x >= 0 && q.y >= 0 && q.x <= o.width && q.y <= o.height);
  inView.sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // the icons of the most urgent tracks (bounded: the first 300) are obstacles for every label
  const icons: Box[] = inView.slice(0, 300).map((q) => ({ l: q.x - half, t: q.y - half, r: q.x + half, b: q.y + half }));
  // other labels and the legend keep the margin too (what is on screen is placed to the sub-pixel)
  const others: Box[] = (o.obstacles ?? []).map((r) => ({ l: r.left, t: r.top, r: r.left + r.w, b: r.top + r.h }));
  const placed: PlacedLabel[] = [];
  const boxes: Box[] = [];
  for (const q of inView) {
    if (placed.length >= max) break;
    for (const [l, t] of spotsAround(q.x, q.y, off, q.w, q.h)) {
      const box = { l, t, r: l + q.w, b: t + q.h };
      if (box.l < 0 || box.t < 0 || box.r > o.width || box.b > o.height) continue;
      const padded = { l: box.l - m, t: box.t - m, r: box.r + m, b: box.b + m };
      if (boxes.some((b) => overlaps(padded, b)) || others.some((b) => overlaps(padded, b))) continue;
      if (icons.some((b) => overlaps(box, b))) continue;
      boxes.push(box);
      placed.push({ id: q.id, left: l, top: t, w: q.w, h: q.h });
      break;
    }
  }
  return { placed, hidden: inView.length - placed.length, inView: inView.length };
}

/**
 * Which of some labels already on screen (the zone labels, most urgent first) stay shown: each
 * is shown unless it overlaps one shown before it (with `margin`). Returns one flag per box.
 */
export function keepNonOverlapping(boxes: readonly Rect[], margin = 2): boolean[] {
  const shown: Box[] = [];
  return boxes.map((r) => {
    const b = { l: r.left - margin, t: r.top - margin, r: r.left + r.w + margin, b: r.top + r.h + margin };
    if (shown.some((x) => overlaps(b, x))) return false;
    shown.push({ l: r.left, t: r.top, r: r.left + r.w, b: r.top + r.h });
    return true;
  });
}
