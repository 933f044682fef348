/**
 * Track labels (issue 17) as a few HTML elements over the map: the style has no glyphs (nothing
 * is fetched from the web), so MapLibre cannot draw text. Bounded work: labels are placed only
 * when the tracks change (the report rate, through the draw scheduler) and when the map stops
 * moving, never per animation frame; while the map moves they are hidden. Only tracks in view
 * are considered, at most MAX_LABELS are drawn, by priority (logic/labels.ts), and the others
 * are counted in a corner note. Each label has a fixed size in CSS pixels computed from its
 * text in a monospace font (a Hangul syllable measured on its own: it comes from a fallback
 * font), so the placement's boxes are the boxes on screen. The texts are in the UI's language
 * (logic/labels.ts), zones named as the zone layer names them.
 */
import type { Map as MlMap } from 'maplibre-gl';
import type { TrackWire } from '@skywarden/formats';
import { hiddenNote, keepNonOverlapping, labelLines, labelPriority, placeLabels, shortIds, textWidth, type LabelRequest, type Rect } from '../logic/labels.js';
import type { Lang } from '../logic/i18n.js';
import { affiliationOf, AFFILIATION_COLOUR } from '../logic/symbology.js';
import type { PlaceLabels } from './place-labels.js';

const MAX_LABELS = 30;
const PAD_X = 4;
const PAD_Y = 1;
const BORDER = 1;

export interface TrackLabels {
  update(tracks: readonly TrackWire[], selected: string | null): void;
  /** Place again with the tracks as they are (the place names arrived), unless the map moves. */
  refresh(): void;
  /** Labels drawn and tracks in view without one, at the last placement. */
  counts(): { placed: number; hidden: number; zoneHidden: number; runs: number; meanMs: number; maxMs: number };
}

/** Half the size of the box about a track icon that place names keep clear of (px). */
const ICON_HALF = 8;
/** At most this many track icons are obstacles for the place names (the first by label priority). */
const MAX_ICON_OBSTACLES = 300;

/** The UI's language and a zone's name in it by id (undefined: the name the track carries). */
export interface LabelTexts {
  lang: () => Lang;
  zoneName: (id: string) => string | undefined;
}

/**
 * `places`: the place names, placed after the track labels (the lowest labels), with the zone
 * and track labels shown, the track icons, the legend and the controls as their obstacles.
 */
export function addTrackLabels(map: MlMap, onSelect: (id: string) => void, places?: PlaceLabels, texts: LabelTexts = { lang: () => 'en', zoneName: () => undefined }): TrackLabels {
  const host = map.getContainer();
  const layer = document.createElement('div');
  layer.className = 'trk-labels';
  layer.id = 'track-labels';
  const note = document.createElement('div');
  note.className = 'trk-labels-note';
  note.id = 'track-labels-hidden';
  host.append(layer, note);
  // the size of one character and one line of the label font, and of one Hangul syllable, measured once
  const probe = document.createElement('span');
  probe.className = 'trk-label';
  probe.style.cssText = 'position:absolute;visibility:hidden;width:auto;height:auto;padding:0;border:0';
  probe.textContent = '0'.repeat(20);
  layer.append(probe);
  const chW = probe.getBoundingClientRect().width / 20 || 7;
  const lineH = probe.getBoundingClientRect().height || 14;
  probe.textContent = '가'.repeat(20);
  const wideW = probe.getBoundingClientRect().width / 20 || 2 * chW;
  probe.remove();
  layer.addEventListener('click', (e) => {
    const id = (e.target as HTMLElement).closest<HTMLElement>('.trk-label')?.dataset.track;
    if (id) onSelect(id);
  });

  const els = new Map<string, HTMLElement>();
  let tracks: readonly TrackWire[] = [];
  let selected: string | null = null;
  let last = { placed: 0, hidden: 0, zoneHidden: 0 };

  /**
   * The zone labels (HTML markers of the zone layer, at most 12) are placed first: of two that
   * overlap the less urgent is hidden. Those shown, the legend and the map's controls are
   * obstacles for the track labels. One layout read per placement.
   */
  const obstaclesAndZones = (): { obstacles: Rect[]; zoneHidden: number } => {
    const base = host.getBoundingClientRect();
    const rel = (e: Element): Rect => {
      const r = e.getBoundingClientRect();
      return { left: r.left - base.left, top: r.top - base.top, w: r.width, h: r.height };
    };
    const zl = [...host.querySelectorAll<HTMLElement>('.zone-label')].sort((a, b) => Number(a.dataset.rank) - Number(b.dataset.rank));
    const zr = zl.map(rel);
    const keep = keepNonOverlapping(zr);
    const obstacles: Rect[] = [];
    zl.forEach((e, i) => {
      e.classList.toggle('label-hidden', !keep[i]);
      if (keep[i]) obstacles.push(zr[i]);
    });
    for (const e of host.querySelectorAll('#legend, .maplibregl-ctrl')) obstacles.push(rel(e));
    return { obstacles, zoneHidden: keep.filter((k) => !k).length };
  };

  let runs = 0;
  let totalMs = 0;
  let maxMs = 0;
  const place = () => {
    const t0 = performance.now();
    const { clientWidth: width, clientHeight: height } = host;
    const { obstacles, zoneHidden } = obstaclesAndZones();
    const ids = shortIds(tracks.map((t) => t.track));
    const lang = texts.lang();
    const reqs: LabelRequest[] = [];
    const lines = new Map<string, string[]>();
    const byId = new Map<string, TrackWire>();
    for (const t of tracks) {
      if (!Number.isFinite(t.lat) || !Number.isFinite(t.lon)) continue;
      const p = map.project([t.lon, t.lat]);
      if (p.x < 0 || p.y < 0 || p.x > width || p.y > height) continue;
      const ls = labelLines(t, ids.get(t.track) ?? t.track, lang, texts.zoneName);
      lines.set(t.track, ls);
      byId.set(t.track, t);
      const textW = Math.max(...ls.map((l) => textWidth(l, chW, wideW)));
      reqs.push({ id: t.track, x: p.x, y: p.y, w: Math.ceil(textW + 2 * (PAD_X + BORDER)), h: Math.ceil(ls.length * lineH + 2 * (PAD_Y + BORDER)), priority: labelPriority(t, selected) });
    }
    const r = placeLabels(reqs, { width, height, max: MAX_LABELS, obstacles });
    if (places) {
      // after the zone and track labels: the place names keep off them and off the track icons
      const icons = reqs
        .slice()
        .sort((a, b) => a.priority - b.priority)
        .slice(0, MAX_ICON_OBSTACLES)
        .map((q): Rect => ({ left: q.x - ICON_HALF, top: q.y - ICON_HALF, w: 2 * ICON_HALF, h: 2 * ICON_HALF }));
      places.place([...obstacles, ...r.placed.map((p): Rect => ({ left: p.left, top: p.top, w: p.w, h: p.h })), ...icons], width, height);
    }
    const keep = new Set<string>();
    for (const pl of r.placed) {
      keep.add(pl.id);
      let el = els.get(pl.id);
      if (!el) {
        el = document.createElement('div');
        el.className = 'trk-label';
        el.dataset.track = pl.id;
        layer.append(el);
        els.set(pl.id, el);
      }
      const t = byId.get(pl.id)!;
      const text = lines.get(pl.id)!.join('\n');
      if (el.textContent !== text) el.textContent = text;
      el.style.transform = `translate(${pl.left}px, ${pl.top}px)`; // not rounded: the placed box is the box on screen
      el.style.width = `${pl.w}px`;
      el.style.height = `${pl.h}px`;
      el.style.borderColor = AFFILIATION_COLOUR[affiliationOf(t.affiliation)];
      el.classList.toggle('selected', pl.id === selected);
      el.classList.toggle('threat', lines.get(pl.id)!.length > 1);
    }
    for (const [id, el] of els) {
      if (keep.has(id)) continue;
      el.remove();
      els.delete(id);
    }
    last = { placed: r.placed.length, hidden: r.hidden, zoneHidden };
    const noteText = hiddenNote(lang, r.hidden, zoneHidden);
    if (note.textContent !== noteText) note.textContent = noteText;
    note.classList.toggle('hidden', noteText === '');
    const ms = performance.now() - t0;
    runs++;
    totalMs += ms;
    maxMs = Math.max(maxMs, ms);
  };

  map.on('movestart', () => layer.classList.add('moving'));
  map.on('moveend', () => {
    layer.classList.remove('moving');
    place();
  });
  map.on('resize', place);

  return {
    update(t, sel) {
      tracks = t;
      selected = sel;
      if (!layer.classList.contains('moving')) place();
    },
    refresh() {
      if (!layer.classList.contains('moving')) place();
    },
    counts: () => ({ ...last, runs, meanMs: runs > 0 ? totalMs / runs : 0, maxMs }),
  };
}
