/**
 * Track symbols drawn at start on a canvas and registered with map.addImage: one image per
 * shape × affiliation (24), white outline for contrast, pointing north (the symbol layer
 * rotates them by course). No sprite sheet is fetched.
 */
import type { Map as MlMap } from 'maplibre-gl';
import { AFFILIATIONS, AFFILIATION_COLOUR, TRACK_SHAPES, type TrackShape } from './logic/symbology.js';

const SIZE = 28; // CSS pixels
const RATIO = 2;

function path(ctx: CanvasRenderingContext2D, shape: TrackShape, s: number): void {
  const c = s / 2;
  ctx.beginPath();
  switch (shape) {
    case 'delta': // one-way attack drone: a broad delta wing
      ctx.moveTo(c, s * 0.1);
      ctx.lineTo(s * 0.88, s * 0.82);
      ctx.lineTo(c, s * 0.64);
      ctx.lineTo(s * 0.12, s * 0.82);
      break;
    case 'dart': // cruise missile: a slim dart
      ctx.moveTo(c, s * 0.04);
      ctx.lineTo(s * 0.64, s * 0.9);
      ctx.lineTo(c, s * 0.76);
      ctx.lineTo(s * 0.36, s * 0.9);
      break;
    case 'rotor': // multirotor: a diamond with a nose tick
      ctx.moveTo(c, s * 0.12);
      ctx.lineTo(s * 0.84, c);
      ctx.lineTo(c, s * 0.88);
      ctx.lineTo(s * 0.16, c);
      break;
    case 'small_wing': // small fixed-wing: a cross-shaped plane
      ctx.moveTo(c - s * 0.06, s * 0.12);
      ctx.lineTo(c + s * 0.06, s * 0.12);
      ctx.lineTo(c + s * 0.06, s * 0.38);
      ctx.lineTo(s * 0.9, s * 0.46);
      ctx.lineTo(s * 0.9, s * 0.56);
      ctx.lineTo(c + s * 0.06, s * 0.56);
      ctx.lineTo(c + s * 0.06, s * 0.76);
      ctx.lineTo(s * 0.66, s * 0.86);
      ctx.lineTo(s * 0.34, s * 0.86);
      ctx.lineTo(c - s * 0.06, s * 0.76);
      ctx.lineTo(c - s * 0.06, s * 0.56);
      ctx.lineTo(s * 0.1, s * 0.56);
      ctx.lineTo(s * 0.1, s * 0.46);
      ctx.lineTo(c - s * 0.06, s * 0.38);
      break;
    case 'aircraft': // manned aircraft: a circle with a heading tick (drawn below)
      ctx.arc(c, c + s * 0.06, s * 0.28, 0, 2 * Math.PI);
      break;
    default: // unknown: a square with a heading notch
      ctx.moveTo(s * 0.24, s * 0.24);
      ctx.lineTo(c, s * 0.08);
      ctx.lineTo(s * 0.76, s * 0.24);
      ctx.lineTo(s * 0.76, s * 0.76);
      ctx.lineTo(s * 0.24, s * 0.76);
  }
  ctx.closePath();
}

/** One track icon as a PNG data URL (the legend shows the same shapes as the map). */
export function iconDataUrl(shape: TrackShape, colour: string, cssSize = 20): string {
  const px = cssSize * RATIO;
  const canvas = document.createElement('canvas');
  canvas.width = px;
  canvas.height = px;
  const ctx = canvas.getContext('2d');
  if (!ctx) return '';
  path(ctx, shape, px);
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.lineWidth = RATIO;
  ctx.strokeStyle = '#0b1219';
  ctx.stroke();
  return canvas.toDataURL('image/png');
}

/** Register the 24 track icons on the map (idempotent). */
export function addTrackIcons(map: MlMap): void {
  const px = SIZE * RATIO;
  const canvas = document.createElement('canvas');
  canvas.width = px;
  canvas.height = px;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('addTrackIcons: no 2D canvas context');
  for (const shape of TRACK_SHAPES) {
    for (const aff of AFFILIATIONS) {
      const id = `trk-${shape}-${aff}`;
      if (map.hasImage(id)) continue;
      ctx.clearRect(0, 0, px, px);
      path(ctx, shape, px);
      ctx.fillStyle = AFFILIATION_COLOUR[aff];
      ctx.fill();
      ctx.lineWidth = RATIO * 1.5;
      ctx.strokeStyle = '#0b1219';
      ctx.stroke();
      if (shape === 'aircraft') {
        ctx.beginPath();
        ctx.moveTo(px / 2, px * 0.02);
        ctx.lineTo(px / 2, px * 0.3);
        ctx.lineWidth = RATIO * 2.5;
        ctx.strokeStyle = AFFILIATION_COLOUR[aff];
        ctx.stroke();
      }
      map.addImage(id, ctx.getImageData(0, 0, px, px), { pixelRatio: RATIO });
    }
  }
}
