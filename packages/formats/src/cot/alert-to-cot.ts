/**
 * A zone's alert state as Cursor-on-Target drawing events: one `u-d-f` (a drawn shape, the
 * type TAK clients use for free-form polygons and lines) per polygon of the zone, the outer
 * ring's vertices as `<link point="lat,lon"/>` children, the first vertex repeated last so
 * that TAK closes the shape and fills it. Colours are TAK's signed 32-bit ARGB integers:
 * red while the zone is alerted, green once it is clear.
 *
 * ```xml
 * <event version="2.0" uid="skywarden-zone-seoul-jongno" type="u-d-f" how="m-c" time start stale>
 *   <point lat lon hae="9999999.0" ce="9999999.0" le="9999999.0"/>   (centroid of the ring)
 *   <detail>
 *     <link point="37.60,126.97"/>…  <strokeColor value/> <strokeWeight value/> <fillColor value/>
 *     <contact callsign="ALERT Jongno"/> <remarks>…</remarks> <labels_on value="true"/>
 *     <skywarden zone state eta_s reason><track id/>…</skywarden>
 *   </detail>
 * </event>
 * ```
 *
 * Holes of polygons are not drawn (TAK's `u-d-f` has no holes).
 */
import type { AlertWire } from '../live/wire.js';
import type { Zone } from '../interchange/zones.js';
import { attr, cotTime, decimal, pointXml, XML_DECLARATION } from './cot-write.js';
import { escapeXml } from './xml.js';
import { checkOpex, DEFAULT_COT_UID_PREFIX } from './track-to-cot.js';
import { importanceOrder } from '../ring-simplify.js';

/** Options of {@link alertToCot}. */
export interface AlertToCotOptions {
  /** When the events are generated (`time`), s since the Unix epoch. Default: `alert.t`. */
  now?: number;
  /** How long an alert's shape stays valid after `alert.t` (s); resend to keep it. Default 300. */
  alertStaleS?: number;
  /** How long a clear zone's (green) shape stays after `alert.t` (s). Default 60. */
  clearStaleS?: number;
  /** Uid prefix, as for tracks. Default `skywarden-`. */
  uidPrefix?: string;
  /** Most vertices written per ring; longer rings keep their most significant vertices (Douglas-Peucker importance). Default 500. */
  maxVertices?: number;
  /**
   * Most bytes (UTF-8, declaration included) of one event: fewer vertices are kept until it fits, as one UDP
   * datagram must (a ring is never cut below 3 vertices and the closing one; an event that still does not fit is
   * written as it is). Default none.
   */
  maxBytes?: number;
  /** CoT `opex` (see trackToCot). Default none. */
  opex?: string;
  /** Write the `<?xml …?>` declaration first. Default true. */
  xmlDeclaration?: boolean;
}

/** TAK colours as signed 32-bit ARGB. */
const ALERT_STROKE = argb(0xff, 0xff, 0x00, 0x00);
const ALERT_FILL = argb(0x60, 0xff, 0x00, 0x00);
const CLEAR_STROKE = argb(0xff, 0x00, 0xc0, 0x00);
const CLEAR_FILL = argb(0x30, 0x00, 0xc0, 0x00);

function argb(a: number, r: number, g: number, b: number): number {
  return ((a << 24) | (r << 16) | (g << 8) | b) | 0;
}

/** Centroid (area-weighted, planar in degrees) of a closed ring [lon, lat, ...]; vertex mean if degenerate. */
function ringCentre(ring: Float64Array): { latDeg: number; lonDeg: number } {
  const n = ring.length / 2;
  let a = 0;
  let cx = 0;
  let cy = 0;
  let mx = 0;
  let my = 0;
  const x0 = ring[0]!;
  const y0 = ring[1]!;
  for (let i = 0; i < n; i++) {
    const xi = ring[2 * i]! - x0;
    const yi = ring[2 * i + 1]! - y0;
    const j = (i + 1) % n;
    const xj = ring[2 * j]! - x0;
    const yj = ring[2 * j + 1]! - y0;
    const cross = xi * yj - xj * yi;
    a += cross;
    cx += (xi + xj) * cross;
    cy += (yi + yj) * cross;
    mx += xi;
    my += yi;
  }
  if (Math.abs(a) < 1e-12) return { lonDeg: x0 + mx / n, latDeg: y0 + my / n };
  return { lonDeg: x0 + cx / (3 * a), latDeg: y0 + cy / (3 * a) };
}

/**
 * The CoT events showing a zone's alert state: one per polygon of the zone (most zones have
 * one). The uid is `<prefix>zone-<zone id>`, with `-<n>` (n = 2, 3, …) for further polygons,
 * so each update replaces the previous shape in TAK. A clear zone's shape turns green and goes
 * stale after `clearStaleS`.
 */
export function alertToCot(zone: Zone, alert: AlertWire, opts: AlertToCotOptions = {}): string[] {
  if (!Number.isFinite(alert.t)) throw new RangeError(`alert t must be a finite number, got ${alert.t}`);
  const alerted = alert.state === 'alert';
  const staleS = alerted ? (opts.alertStaleS ?? 300) : (opts.clearStaleS ?? 60);
  const maxVertices = Math.max(4, opts.maxVertices ?? 500);
  const prefix = opts.uidPrefix ?? DEFAULT_COT_UID_PREFIX;
  const name = zone.name || zone.id;
  const callsign = `${alerted ? 'ALERT' : 'clear'} ${name}`;
  let remarks = alerted
    ? `Skywarden alert for zone ${name}: ${alert.tracks.length} track(s) ${alert.tracks.join(', ')}`
    : `Skywarden: zone ${name} is clear`;
  if (alerted && alert.eta_s !== undefined) remarks += `, predicted entry in ${Math.round(alert.eta_s)} s`;
  if (alert.reason !== undefined) remarks += ` (${alert.reason}${alert.by !== undefined ? ` by ${alert.by}` : ''})`;

  let sw =
    `<skywarden${attr('version', '1')}${attr('zone', zone.id)}${attr('state', alert.state)}` +
    (alert.eta_s !== undefined && Number.isFinite(alert.eta_s) ? attr('eta_s', decimal(alert.eta_s, 1)) : '') +
    (alert.reason !== undefined ? attr('reason', alert.reason) : '') +
    (alert.by !== undefined ? attr('by', alert.by) : '') +
    '>';
  for (const t of alert.tracks) sw += `<track${attr('id', t)}/>`;
  sw += '</skywarden>';

  const opex = opts.opex !== undefined ? attr('opex', checkOpex(opts.opex)) : '';
  const out: string[] = [];
  zone.area.polygons.forEach((poly, k) => {
    const ring = poly.rings[0];
    if (ring === undefined || ring.length < 8) return;
    let n = ring.length / 2;
    // A closed GeoJSON ring repeats its first vertex; drop it here and close again below.
    if (ring[0] === ring[2 * n - 2] && ring[1] === ring[2 * n - 1]) n--;
    // the vertices in order of significance: any count keeps the shape as well as it can
    const cosLat = Math.cos(((ring[1] ?? 0) * Math.PI) / 180);
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      xs[i] = ring[2 * i]! * cosLat;
      ys[i] = ring[2 * i + 1]!;
    }
    const c = ringCentre(ring);
    const uid = `${prefix}zone-${zone.id}${k === 0 ? '' : `-${k + 1}`}`;
    // the ranking is made once; any count takes its head
    let order: number[] | null = null;
    const eventOf = (count: number): string => {
      const keep = count >= n ? Array.from({ length: n }, (_, i) => i) : (order ??= importanceOrder(xs, ys)).slice(0, count).sort((a, b) => a - b);
      let links = '';
      for (const i of keep) links += `<link${attr('point', `${decimal(ring[2 * i + 1]!, 7)},${decimal(ring[2 * i]!, 7)}`)}/>`;
      links += `<link${attr('point', `${decimal(ring[2 * keep[0]! + 1]!, 7)},${decimal(ring[2 * keep[0]!]!, 7)}`)}/>`;
      const e = shape(uid, c, links);
      return (opts.xmlDeclaration ?? true) ? XML_DECLARATION + e : e;
    };
    let count = Math.min(n, maxVertices - 1);
    let event = eventOf(count);
    if (opts.maxBytes !== undefined && Buffer.byteLength(event) > opts.maxBytes && count > 3) {
      // the most vertices that fit: bisection on the count (the size grows with it)
      let lo = 3;
      let hi = count;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (Buffer.byteLength(eventOf(mid)) <= opts.maxBytes) lo = mid;
        else hi = mid;
      }
      count = lo;
      event = eventOf(count);
    }
    out.push(event);
  });
  return out;

  function shape(uid: string, c: { latDeg: number; lonDeg: number }, links: string): string {
    return (
      `<event${attr('version', '2.0')}${attr('uid', uid)}${attr('type', 'u-d-f')}${attr('how', 'm-c')}` +
      `${attr('time', cotTime(opts.now ?? alert.t))}${attr('start', cotTime(alert.t))}${attr('stale', cotTime(alert.t + staleS))}${opex}>` +
      pointXml(c.latDeg, c.lonDeg, undefined, undefined, undefined) +
      '<detail>' +
      links +
      `<strokeColor${attr('value', String(alerted ? ALERT_STROKE : CLEAR_STROKE))}/>` +
      `<strokeWeight${attr('value', '3.0')}/>` +
      `<fillColor${attr('value', String(alerted ? ALERT_FILL : CLEAR_FILL))}/>` +
      `<contact${attr('callsign', callsign)}/>` +
      `<remarks>${escapeXml(remarks)}</remarks>` +
      `<labels_on${attr('value', 'true')}/>` +
      sw +
      '</detail></event>'
    );
  }
}
