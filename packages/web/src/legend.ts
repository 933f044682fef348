/**
 * The map legend (issue 17): zone tiers, affiliations, class icons, the uncertainty circle, the
 * velocity leader, the predicted path and trail, the selection rings and the label. Built once
 * from the same constants the layers draw with (logic/symbology.ts, icons.ts), as plain HTML and
 * inline SVG over the map: nothing is fetched. Collapsible (a <details>); its open state is kept
 * per browser.
 */
import { h } from './dom.js';
import { iconDataUrl } from './icons.js';
import { t } from './i18n.js';
import type { TextKey } from './logic/i18n.js';
import { AFFILIATION_COLOUR, AFFILIATIONS, COVERAGE_COLOUR, COVERAGE_LOST_COLOUR, TIER_COLOUR, type TrackShape } from './logic/symbology.js';

const SVG = 'http://www.w3.org/2000/svg';
const KEY = 'skywarden.legend.open';

function svg(w: number, hgt: number, ...children: [string, Record<string, string | number>][]): SVGElement {
  const s = document.createElementNS(SVG, 'svg');
  s.setAttribute('width', String(w));
  s.setAttribute('height', String(hgt));
  s.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  s.setAttribute('aria-hidden', 'true');
  for (const [tag, attrs] of children) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    s.append(el);
  }
  return s;
}

/** A text of the legend in the page's language; marked so a change of language rewrites it (i18n.ts applyStatic). */
function text(tag: 'span' | 'h4' | 'summary', key: TextKey): HTMLElement {
  return h(tag, { 'data-i18n': key, text: t(key) });
}

function row(swatch: Node, key: TextKey, rowKey: string): HTMLElement {
  return h('li', { 'data-key': rowKey }, h('span', { class: 'lg-swatch' }, swatch), text('span', key));
}

const CLASSES: readonly TrackShape[] = ['delta', 'dart', 'rotor', 'small_wing', 'aircraft', 'unknown'];

export function addLegend(host: HTMLElement): HTMLElement {
  const tiers = h('ul', { class: 'lg-list' });
  for (const k of ['imminent', 'warning', 'watch', 'none'] as const) {
    const c = TIER_COLOUR[k];
    tiers.append(row(svg(22, 14, ['rect', { x: 1, y: 1, width: 20, height: 12, fill: c.fill, 'fill-opacity': Math.max(0.25, c.opacity * 1.6), stroke: c.line, 'stroke-width': k === 'none' ? 1 : 2 }]), `legend.tier.${k}`, `tier-${k}`));
  }
  const affs = h('ul', { class: 'lg-list' });
  for (const a of AFFILIATIONS) affs.append(row(svg(22, 14, ['circle', { cx: 11, cy: 7, r: 6, fill: AFFILIATION_COLOUR[a] }]), `aff.${a}`, `aff-${a}`));
  const classes = h('ul', { class: 'lg-list' });
  for (const shape of CLASSES) {
    const img = h('img', { src: iconDataUrl(shape, '#d8e1ea', 18), width: 18, height: 18, alt: '' });
    classes.append(row(img, `legend.class.${shape}`, `class-${shape}`));
  }
  const grey = '#d8e1ea';
  const symbols = h('ul', { class: 'lg-list' },
    row(svg(22, 14, ['circle', { cx: 11, cy: 7, r: 6, fill: grey, 'fill-opacity': 0.15, stroke: grey, 'stroke-opacity': 0.6 }]), 'legend.uncertainty', 'uncertainty'),
    row(svg(22, 14, ['line', { x1: 2, y1: 7, x2: 20, y2: 7, stroke: grey, 'stroke-width': 1.5 }]), 'legend.leader', 'leader'),
    row(svg(22, 14, ['line', { x1: 2, y1: 7, x2: 20, y2: 7, stroke: grey, 'stroke-width': 1.5, 'stroke-dasharray': '3 3' }]), 'legend.predicted', 'predicted'),
    row(svg(22, 14, ['line', { x1: 2, y1: 7, x2: 20, y2: 7, stroke: grey, 'stroke-width': 1.5, 'stroke-opacity': 0.5 }]), 'legend.trail', 'trail'),
    row(svg(22, 14, ['rect', { x: 2, y: 2, width: 18, height: 10, fill: 'none', stroke: '#ffffff', 'stroke-width': 2, 'stroke-dasharray': '4 2' }]), 'legend.impact', 'impact'),
    row(svg(22, 14, ['circle', { cx: 11, cy: 7, r: 6, fill: 'none', stroke: '#ffffff', 'stroke-width': 2 }]), 'legend.selected', 'selected'),
    row(svg(22, 14, ['circle', { cx: 11, cy: 7, r: 5, fill: 'none', stroke: grey, 'stroke-width': 1 }]), 'legend.confirmed', 'confirmed'),
    row(h('span', { class: 'lg-label', text: '#123' }), 'legend.label', 'label'),
  );
  // the coverage layer (off by default: Settings), drawn as on the map: soft fills and a hatch
  const coverage = h('ul', { class: 'lg-list' },
    row(svg(22, 14, ['rect', { x: 1, y: 1, width: 20, height: 12, fill: COVERAGE_COLOUR.acoustic, 'fill-opacity': 0.35 }]), 'legend.coverage.acoustic', 'coverage-acoustic'),
    row(svg(22, 14, ['rect', { x: 1, y: 1, width: 20, height: 12, fill: COVERAGE_COLOUR.radar, 'fill-opacity': 0.3 }]), 'legend.coverage.radar', 'coverage-radar'),
    row(svg(22, 14,
      ['line', { x1: 1, y1: 13, x2: 13, y2: 1, stroke: COVERAGE_LOST_COLOUR, 'stroke-width': 1.5 }],
      ['line', { x1: 9, y1: 13, x2: 21, y2: 1, stroke: COVERAGE_LOST_COLOUR, 'stroke-width': 1.5 }],
    ), 'legend.coverage.lost', 'coverage-lost'),
  );
  const open = localStorage.getItem(KEY) ?? (window.innerWidth >= 900 ? '1' : '0');
  const box = h('details', { class: 'legend', id: 'legend', open: open === '1' },
    text('summary', 'legend.title'),
    h('div', { class: 'lg-body' },
      text('h4', 'legend.zones'), tiers,
      text('h4', 'legend.tracks'), affs,
      text('h4', 'legend.class'), classes,
      text('h4', 'legend.symbols'), symbols,
      text('h4', 'legend.coverage'), coverage,
    ),
  );
  box.addEventListener('toggle', () => localStorage.setItem(KEY, (box as HTMLDetailsElement).open ? '1' : '0'));
  host.append(box);
  return box;
}
