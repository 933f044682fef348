/**
 * The REST client of the live service (/api/v1). JSON in and out; errors come back as
 * ApiError with the server's stable code. The bearer token is kept for this tab only
 * (sessionStorage); the server's HttpOnly cookie authenticates the event stream as well.
 */
import type { AlertWire, SensorWire, TrackWire, ZoneStateWire } from '@skywarden/formats';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { components, operations } from './api-types.js';

/** The objects of the server's OpenAPI description (components.schemas), generated into api-types.ts. */
export type Schemas = components['schemas'];
/** The JSON answer of an operation (by operationId) with status `S`. */
export type ResponseOf<Op extends keyof operations, S extends number = 200> = operations[Op]['responses'] extends Record<S, { content: { 'application/json': infer B } }> ? B : never;
/** The JSON body an operation takes. */
export type BodyOf<Op extends keyof operations> = NonNullable<operations[Op]['requestBody']> extends { content: { 'application/json': infer B } } ? B : never;
/** The query parameters of an operation. */
export type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export class ApiError extends Error {
  /** `detail`: for code `network`, the browser's own words (the UI words the rest, logic/i18n.ts errorText). */
  constructor(readonly status: number, readonly code: string, message: string, readonly detail?: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export type LoginResult = ResponseOf<'login'>;
/** Who is logged in; user null when the server lets anyone view (demo mode) and nobody is logged in; mode unknown right after a login. */
export type Me = Omit<ResponseOf<'getMe'>, 'mode'> & { mode?: ResponseOf<'getMe'>['mode'] };
export type HistoryPoint = Schemas['HistoryPoint'];

const TOKEN_KEY = 'skywarden.token';

export interface Api {
  readonly base: string;
  token(): string | null;
  setToken(t: string | null): void;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  login(user: string, password: string): Promise<LoginResult>;
  logout(): Promise<void>;
  me(): Promise<Me>;
  zones(): Promise<FeatureCollection<Polygon | MultiPolygon>>;
  zoneStates(): Promise<ResponseOf<'getAlertState'>>;
  alerts(q?: QueryOf<'getAlerts'>): Promise<ResponseOf<'getAlerts'>>;
  tracks(): Promise<ResponseOf<'getTracks'>>;
  track(id: string): Promise<ResponseOf<'getTrack'>>;
  sensors(): Promise<ResponseOf<'getSensors'>>;
  historyRange(): Promise<ResponseOf<'getHistoryRange'>>;
  historyTracks(from: number, to: number, every: number): Promise<ResponseOf<'getHistoryTracks'>>;
  trackAction(id: string, action: BodyOf<'trackAction'>['action'], label?: BodyOf<'trackAction'>['label']): Promise<ResponseOf<'trackAction'>>;
  zoneAlert(id: string, action: BodyOf<'zoneAlert'>['action'], reason: string): Promise<ResponseOf<'zoneAlert'>>;
  /** The threat queue's work (issue 17): acknowledge a track, assign it to a user or team. */
  trackAck(id: string): Promise<ResponseOf<'trackAck'>>;
  trackAssign(id: string, to: string): Promise<ResponseOf<'trackAssign'>>;
  /** The user's own base map (web.basemap_pmtiles), or pmtiles null. */
  basemap(): Promise<ResponseOf<'getBasemap'>>;
  /** URL of the event stream (token in the query as well, for when the cookie is not sent). */
  streamUrl(): string;
}

// The generated objects and the wire types the map is written against (packages/formats) must
// be the same: a field the description lacks or has differently fails the web build here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameWire: [
  Same<Schemas['TrackWire'], TrackWire>,
  Same<Schemas['SensorWire'], SensorWire>,
  Same<Schemas['ZoneStateWire'], ZoneStateWire>,
  Same<Schemas['AlertWire'], AlertWire>,
] = [true, true, true, true];
void sameWire;

function query(q: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function createApi(base = '/api/v1'): Api {
  let token: string | null = null;
  try {
    token = sessionStorage.getItem(TOKEN_KEY);
  } catch {
    token = null;
  }

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    } catch (e) {
      throw new ApiError(0, 'network', `cannot reach the server (${(e as Error).message})`, (e as Error).message);
    }
    const text = await res.text();
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return data as T;
  }

  const api: Api = {
    base,
    token: () => token,
    setToken(t) {
      token = t;
      try {
        if (t) sessionStorage.setItem(TOKEN_KEY, t);
        else sessionStorage.removeItem(TOKEN_KEY);
      } catch {
        /* storage may be disabled: keep the token in memory */
      }
    },
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body ?? {}),
    async login(user, password) {
      const r = await request<LoginResult>('POST', '/login', { user, password });
      api.setToken(r.token);
      return r;
    },
    async logout() {
      try {
        await request('POST', '/logout', {});
      } finally {
        api.setToken(null);
      }
    },
    me: () => request('GET', '/me'),
    // GeoJSON: the description says FeatureCollection with open members; the map reads it as polygons
    zones: () => request<Schemas['ZonesGeoJson']>('GET', '/zones') as Promise<unknown> as Promise<FeatureCollection<Polygon | MultiPolygon>>,
    zoneStates: () => request('GET', '/alerts/state'),
    alerts: (q = {}) => request('GET', `/alerts${query(q)}`),
    tracks: () => request('GET', '/tracks'),
    track: (id) => request('GET', `/tracks/${encodeURIComponent(id)}`),
    sensors: () => request('GET', '/sensors'),
    historyRange: () => request('GET', '/history/range'),
    historyTracks: (from, to, every) => request('GET', `/history/tracks${query({ from, to, every })}`),
    trackAction: (id, action, label) => request('POST', `/tracks/${encodeURIComponent(id)}/actions`, label === undefined ? { action } : { action, label }),
    zoneAlert: (id, action, reason) => request('POST', `/zones/${encodeURIComponent(id)}/alert`, { action, reason }),
    trackAck: (id) => request('POST', `/tracks/${encodeURIComponent(id)}/ack`, {}),
    trackAssign: (id, to) => request('POST', `/tracks/${encodeURIComponent(id)}/assign`, { to }),
    basemap: () => request('GET', '/basemap'),
    streamUrl: () => `${base}/stream${token ? `?token=${encodeURIComponent(token)}` : ''}`,
  };
  return api;
}
