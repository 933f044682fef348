/**
 * The REST client of the live service (/api/v1). JSON in and out; errors come back as
 * ApiError with the server's stable code. The bearer token is kept for this tab only
 * (sessionStorage); the server's HttpOnly cookie authenticates the event stream as well.
 */
import type { AlertWire, SensorWire, TrackWire, ZoneStateWire } from '@skywarden/formats';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface LoginResult {
  token: string;
  role: string;
  user: string;
  expires?: number | string;
}

export interface Me {
  /** null when the server lets anyone view (demo mode) and nobody is logged in. */
  user: string | null;
  role: string;
  mode?: string;
}

export interface HistoryPoint {
  t: number;
  lat: number;
  lon: number;
  alt_m?: number;
}

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
  zoneStates(): Promise<{ t: number; zones: ZoneStateWire[] }>;
  alerts(q?: { from?: number; to?: number; zone?: string }): Promise<{ alerts: AlertWire[] }>;
  tracks(): Promise<{ t: number; tracks: TrackWire[] }>;
  track(id: string): Promise<{ track: TrackWire | null; history: HistoryPoint[] }>;
  sensors(): Promise<{ t: number; sensors: SensorWire[] }>;
  historyRange(): Promise<{ from: number | null; to: number | null }>;
  historyTracks(from: number, to: number, every: number): Promise<{ frames: { t: number; tracks: TrackWire[] }[] }>;
  trackAction(id: string, action: 'confirm' | 'dismiss' | 'classify', label?: string): Promise<{ track: TrackWire }>;
  zoneAlert(id: string, action: 'raise' | 'end', reason: string): Promise<{ zone: ZoneStateWire }>;
  /** The threat queue's work (issue 17): acknowledge a track, assign it to a user or team. */
  trackAck(id: string): Promise<{ track: TrackWire | null }>;
  trackAssign(id: string, to: string): Promise<{ track: TrackWire | null }>;
  /** URL of the event stream (token in the query as well, for when the cookie is not sent). */
  streamUrl(): string;
}

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
      throw new ApiError(0, 'network', `cannot reach the server (${(e as Error).message})`);
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
    zones: () => request('GET', '/zones'),
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
    streamUrl: () => `${base}/stream${token ? `?token=${encodeURIComponent(token)}` : ''}`,
  };
  return api;
}
