/**
 * The HTTP API's schemas, the one source of truth for validation (Ajv), serialisation
 * (fast-json-stringify) and the OpenAPI description (@fastify/swagger), written with TypeBox.
 *
 * Shared objects are registered once (`app.addSchema`, by their `$id`) and referenced with
 * `ref('Name')`; they become `components.schemas` in the OpenAPI document, from which the web
 * app's client types are generated (packages/web/src/api-types.ts).
 *
 * A response schema decides what is sent: fast-json-stringify writes only the properties a
 * schema names, unless the schema allows more (`additionalProperties`). So every closed object
 * here names all the fields the service sends (the wire types of
 * packages/formats/src/live/wire.ts), and the open ones (stored rows, GeoJSON, audit details)
 * say so. The OpenAPI test (openapi.e2e.test.ts) checks both against real answers.
 */
import { Type, type TSchema } from 'typebox';
import { CLASS_LABELS } from '@skywarden/core';

/** A reference to a shared schema (registered by `$id`). */
export const ref = (id: string) => Type.Unsafe({ $ref: `${id}#` });
/** A string that is one of `values`. */
const oneOf = (values: readonly string[], description?: string) => Type.Unsafe({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
/** An object whose keys are free and whose values are `value`. */
const dict = (value: TSchema, description?: string) => Type.Unsafe({ type: 'object', additionalProperties: value, ...(description ? { description } : {}) });
/** `s` or null. */
const nullable = (s: TSchema) => Type.Union([s, Type.Null()]);
const num = (description: string) => Type.Number({ description });
const str = (description: string) => Type.String({ description });
const TIER = ['imminent', 'warning', 'watch', 'none'] as const;
const STATE = ['alert', 'clear'] as const;

// ---------------------------------------------------------------- shared objects

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: str('A stable code from the catalogue (docs/server.md "Error codes"): bad_request, invalid_json, unauthenticated, bad_credentials, forbidden, sensor_mismatch, not_found, conflict, payload_too_large, batch_too_large, unsupported_media_type, rate_limited, unavailable, internal, ...'),
      message: str('What is wrong and where, for people'),
      details: Type.Optional(Type.Unknown({ description: 'More about the error, when there is more' })),
    }),
  },
  { $id: 'Error', description: 'The body of every 4xx and 5xx answer' },
);

const OperatorMark = Type.Object(
  {
    confirmed: Type.Optional(Type.Boolean()),
    dismissed: Type.Optional(Type.Boolean()),
    label: Type.Optional(Type.String()),
    by: Type.Optional(str('The operator')),
    t: Type.Optional(num('When (s)')),
    ackedBy: Type.Optional(str('Who acknowledged the track in the threat queue')),
    ackedAt: Type.Optional(num('When (s)')),
    assignedTo: Type.Optional(str('The user or team the track is assigned to')),
    assignedBy: Type.Optional(str('Who assigned it')),
    assignedAt: Type.Optional(num('When (s)')),
  },
  { $id: 'OperatorMark', description: "An operator's decisions on a track" },
);

const ZoneThreat = Type.Object(
  {
    zone: Type.String(),
    name: Type.Optional(Type.String()),
    p: num('P(inside now or entering within the prediction horizon)'),
    eta_s: num('Median entry time, s after the row\'s t (0 when inside)'),
    inside: Type.Optional(Type.Boolean()),
    speed_bound_mps: Type.Optional(num('The top speed (m/s) the prediction held the track to: the fastest threat class it may be (absent: no bound)')),
  },
  { $id: 'ZoneThreat', description: 'A zone a track may enter' },
);

const TrackWire = Type.Object(
  {
    t: num('Report time (s since the epoch)'),
    track: str('Track id'),
    lat: Type.Number(),
    lon: Type.Number(),
    alt_m: Type.Optional(Type.Number()),
    ve_mps: Type.Number(),
    vn_mps: Type.Number(),
    vu_mps: Type.Optional(Type.Number()),
    pos_sd_m: num('Position one-sigma (m)'),
    vel_sd_mps: Type.Optional(num('Horizontal velocity one-sigma per axis (m/s)')),
    status: oneOf(['confirmed', 'coasting']),
    class: dict(Type.Number(), 'Class probabilities (label -> probability)'),
    label: str('Most probable class, after any operator override'),
    threat: num('P(piston_owa) + P(jet_owa) + P(cruise_missile)'),
    affiliation: oneOf(['hostile', 'unknown', 'neutral', 'friendly']),
    speed_mps: Type.Number(),
    course_deg: num('Degrees clockwise from north'),
    cooperative_id: Type.Optional(Type.String()),
    sensors: Type.Array(Type.String(), { description: 'Ids of the sensors that contributed' }),
    predicted: Type.Optional(Type.Array(Type.Object({ dt_s: Type.Number(), lat: Type.Number(), lon: Type.Number() }), { description: 'Predicted positions ahead of t (threats)' })),
    threatens: Type.Optional(Type.Array(ref('ZoneThreat'), { description: 'Zones the track may enter (P >= 0.1), soonest first, at most 5' })),
    operator: Type.Optional(ref('OperatorMark')),
    acked_by: Type.Optional(str('Who acknowledged the track in the threat queue')),
    acked_at: Type.Optional(num('When it was acknowledged (s)')),
    assigned_to: Type.Optional(str('The user or team the track is assigned to')),
    assigned_by: Type.Optional(str('Who assigned it')),
    assigned_at: Type.Optional(num('When it was assigned (s)')),
  },
  { $id: 'TrackWire', description: 'A track as the live service shows it' },
);

const TrackSnapshot = Type.Object({ t: Type.Number(), tracks: Type.Array(ref('TrackWire')) }, { $id: 'TrackSnapshot', description: 'Every confirmed and coasting track at report time t' });

const HistoryPoint = Type.Object({ t: Type.Number(), lat: Type.Number(), lon: Type.Number(), alt_m: Type.Optional(Type.Number()) }, { $id: 'HistoryPoint' });

const TrackRow = Type.Object(
  {
    t: Type.Number(),
    track: Type.String(),
    lat: Type.Number(),
    lon: Type.Number(),
    alt_m: Type.Optional(Type.Number()),
    ve_mps: Type.Number(),
    vn_mps: Type.Number(),
    vu_mps: Type.Optional(Type.Number()),
    pos_sd_m: Type.Optional(Type.Number()),
    class: Type.Optional(dict(Type.Number(), 'Class probabilities (label -> probability)')),
    status: oneOf(['confirmed', 'coasting']),
    target: Type.Optional(str('The cooperative id (ADS-B, Remote ID), when there is one')),
    label: Type.Optional(str('Most probable class, after any operator override')),
    threat: Type.Optional(Type.Number()),
    affiliation: Type.Optional(oneOf(['hostile', 'unknown', 'neutral', 'friendly'])),
    sensors: Type.Optional(Type.Array(Type.String())),
  },
  {
    $id: 'TrackRow',
    additionalProperties: true,
    description: "A stored track state: the tracks.ndjson row (spec/interchange.md) plus the service's label, threat, affiliation and sensors; writers may add fields",
  },
);

const SensorWire = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    lat: Type.Optional(Type.Number()),
    lon: Type.Optional(Type.Number()),
    alt_m: Type.Optional(Type.Number()),
    range_m: Type.Optional(Type.Number()),
    status: oneOf(['ok', 'silent', 'stuck', 'implausible', 'never_seen', 'offline']),
    status_reason: Type.Optional(str('Why the status is not ok')),
    last_seen: Type.Optional(num('Last detection or heartbeat (s)')),
    rate_per_min: num('Detections per minute over the last 5 whole minutes'),
    accepted: num('Detections accepted since the service started'),
    rejected: num('Detections rejected since the service started'),
    last_error: Type.Optional(str('Last rejection reason')),
  },
  { $id: 'SensorWire', description: 'A sensor and its health' },
);

const ZoneStateWire = Type.Object(
  {
    zone: Type.String(),
    name: Type.Optional(Type.String()),
    state: oneOf(STATE),
    tier: Type.Optional(oneOf(TIER)),
    tier_since: Type.Optional(num('When the current tier began (s)')),
    since: num('When the current state began (s)'),
    eta_s: Type.Optional(num('Earliest predicted entry (s after t), when alerted by a prediction')),
    tracks: Type.Array(Type.String()),
    manual: Type.Optional(Type.Boolean()),
  },
  { $id: 'ZoneStateWire', description: "A zone's alert state now" },
);

const PublicZoneWire = Type.Object(
  {
    zone: Type.String(),
    name: Type.String(),
    names: Type.Optional(dict(Type.String(), 'Names by language')),
    state: oneOf(STATE),
    tier: oneOf(TIER),
    since: num('When the current tier began (s); 0 when it never changed'),
    eta_s: Type.Optional(Type.Number()),
  },
  { $id: 'PublicZoneWire', description: 'A zone as residents see it' },
);

const alertFields = {
  t: Type.Number(),
  zone: Type.String(),
  state: oneOf(STATE),
  tier: Type.Optional(oneOf(TIER)),
  eta_s: Type.Optional(Type.Number()),
  tracks: Type.Array(Type.String()),
  reason: Type.Optional(str('predicted, inside, manual, all_clear, manual_end')),
  by: Type.Optional(str('The operator, for manual changes')),
};
const AlertWire = Type.Object(alertFields, { $id: 'AlertWire', description: 'An alert change' });
const AlertRecord = Type.Object(
  {
    ...alertFields,
    update: Type.Optional(Type.Boolean({ description: 'True on an Update of an alert already on (a tier change or a moved ETA): the zone stays under alert' })),
    cap_identifier: Type.Optional(str('The CAP message published for it')),
    cap_msg_type: Type.Optional(Type.String()),
  },
  { $id: 'AlertRecord', additionalProperties: true, description: 'A stored alert change (alerts.ndjson row plus the service\'s fields; writers may add more)' },
);

const DetectionRecord = Type.Object(
  {
    t: Type.Number(),
    sensor: Type.String(),
    type: Type.String(),
    id: Type.Optional(Type.String()),
    seq: num('Journal sequence number'),
    received_at: num('Arrival at the service (s)'),
  },
  { $id: 'DetectionRecord', additionalProperties: true, description: 'A journalled detection: its interchange row as accepted, plus seq and received_at' },
);

const IngestResult = Type.Object(
  {
    accepted: num('Detections journalled'),
    duplicates: num('Detections already journalled (same sensor and id)'),
    rejected: Type.Array(
      Type.Object({
        index: num('Index in the batch (line index for NDJSON)'),
        code: Type.String(),
        message: Type.String(),
      }),
    ),
    not_fused: Type.Optional(
      Type.Array(
        Type.Object({
          index: num('Index in the batch (line index for NDJSON)'),
          message: Type.String(),
        }),
        { description: 'Journalled (kept, acknowledged) but not taken by the live picture, each with why: most often older than its reorder delay allows (a sensor clock behind). Absent when the picture took them all' },
      ),
    ),
  },
  { $id: 'IngestResult' },
);

const Ok = Type.Object({ ok: Type.Boolean() }, { $id: 'Ok' });

const Feature = Type.Object(
  {
    type: Type.Literal('Feature'),
    id: Type.Optional(Type.Union([Type.String(), Type.Number()])),
    properties: nullable(Type.Object({}, { additionalProperties: true, description: 'id, name, names, lead_s, ...' })),
    geometry: Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }, { additionalProperties: true }),
  },
  { $id: 'ZoneFeature', additionalProperties: true, description: 'A GeoJSON Feature (RFC 7946) of a warning zone' },
);
const ZonesGeoJson = Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(ref('ZoneFeature')) }, { $id: 'ZonesGeoJson', additionalProperties: true, description: 'The warning zones (GeoJSON FeatureCollection, RFC 7946)' });

export const SHARED_SCHEMAS: TSchema[] = [ErrorBody, OperatorMark, ZoneThreat, TrackWire, TrackSnapshot, HistoryPoint, TrackRow, SensorWire, ZoneStateWire, PublicZoneWire, AlertWire, AlertRecord, DetectionRecord, IngestResult, Ok, Feature, ZonesGeoJson];

// ---------------------------------------------------------------- parameters and bodies

export const IdParam = Type.Object({ id: Type.String({ description: 'The id (at most 256 characters, as sensor ids)', minLength: 1, maxLength: 256 }) });
export const CapIdParam = Type.Object({ identifier: Type.String({ description: 'The CAP message identifier', minLength: 1 }) });
const limit = (dflt: number, max: number) => Type.Integer({ minimum: 1, description: `At most this many rows (default ${dflt}; larger values are taken as ${max}, and the answer's Skywarden-Limit header then says so)` });
export const queries = {
  detections: Type.Object({ from: Type.Optional(num('Window start (s; default 60 s ago)')), to: Type.Optional(num('Window end (s; default now)')), sensor: Type.Optional(str('Only this sensor')), limit: Type.Optional(limit(10000, 50000)) }),
  trackHistory: Type.Object({ from: Type.Optional(num('Window start (s; default an hour ago)')), to: Type.Optional(num('Window end (s; default now)')), limit: Type.Optional(limit(10000, 100000)) }),
  historyTracks: Type.Object({ from: num('Window start (s)'), to: num('Window end (s); at most 6 hours after from'), every: Type.Optional(Type.Number({ description: 'Seconds between frames, above 0 (at least the report interval, the default)', exclusiveMinimum: 0 })) }),
  alerts: Type.Object({ from: Type.Optional(num('Window start (s; default a day ago)')), to: Type.Optional(num('Window end (s; default now)')), zone: Type.Optional(str('Only this zone')), limit: Type.Optional(limit(1000, 10000)) }),
  audit: Type.Object({ from: Type.Optional(num('Window start (s; default 7 days ago)')), to: Type.Optional(num('Window end (s; default now)')), limit: Type.Optional(limit(1000, 10000)) }),
  limitOnly: (dflt: number, max: number) => Type.Object({ limit: Type.Optional(limit(dflt, max)) }),
  stream: Type.Object({ token: Type.Optional(str('The bearer token, for an EventSource that cannot send headers (the session cookie works too)')) }),
};

export const bodies = {
  login: Type.Object({ user: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 1024 }) }),
  trackAction: Type.Object({ action: oneOf(['confirm', 'dismiss', 'classify']), label: Type.Optional(oneOf(CLASS_LABELS, 'The class, for classify')) }),
  trackAssign: Type.Object(
    { to: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$', description: 'A user name or a team: 1-64 characters, no control characters, not blank' }) },
    { additionalProperties: false },
  ),
  sensorPut: Type.Object(
    { kind: str('Sensor kind (sensors.json)'), token: Type.Optional(Type.String({ minLength: 8, description: "The sensor's new credential (replaces the old at once)" })) },
    { additionalProperties: true, description: 'The sensors.json fields of the sensor (lat, lon, alt_m, range_m, sigmas, ...), plus an optional token' },
  ),
  replay: Type.Object({ from: num('Window start (s)'), to: num('Window end (s); at most 3 hours after from'), report_every_s: Type.Optional(Type.Number({ minimum: 0.1, description: 'Report interval (s; default the live one)' })) }),
  heartbeats: Type.Object(
    { sensors: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 100000, description: 'The ids of the sensors heard (a gateway may list only its own)' }) },
    { additionalProperties: false },
  ),
  zoneAlert: Type.Object({ action: oneOf(['raise', 'end']), reason: Type.String({ minLength: 1, maxLength: 500 }) }),
  /** The ingest's body by content type; each item is checked by the ingest, which names every bad one by index. */
  detections: {
    content: {
      'application/json': {
        schema: {
          description: 'A JSON array of detections, or one detection object (interchange rows, spec/interchange.md). Items that are not valid detections are rejected one by one with their index.',
          anyOf: [{ type: 'array', items: {} }, { type: 'object', additionalProperties: true }],
        },
      },
      'application/x-ndjson': { schema: { type: 'string', description: 'One detection (JSON object) per line' } },
      'application/ndjson': { schema: { type: 'string', description: 'As application/x-ndjson' } },
      'text/plain': { schema: { type: 'string', description: 'As application/x-ndjson' } },
    },
  },
};

// ---------------------------------------------------------------- responses

const Health = Type.Object({
  ok: Type.Boolean(),
  version: Type.String(),
  mode: Type.String(),
  time: num('The service clock (s)'),
  store: Type.Optional(str('The store (with a session or open viewing)')),
  tracks: Type.Optional(num('Tracks now (with a session or open viewing)')),
  journal_seq: Type.Optional(num('Last journal sequence number (with a session or open viewing)')),
  ingest: Type.Optional(
    Type.Object(
      {
        accepted: num('Detections journalled since the start'),
        duplicates: num('Detections dropped as already journalled'),
        rejected: Type.Record(Type.String(), Type.Number(), { description: 'Detections the ingest refused, by error code' }),
        refused: Type.Record(Type.String(), Type.Number(), { description: 'Journalled detections the fusion refused, by reason: late, duplicate, bad_time, no_anchor, other' }),
        taken: num('Detections the picture took'),
        pending: num('Detections journalled and not yet given to the picture'),
      },
      { description: "The ingest's and the fusion's figures (with a session or open viewing): the web app's status strip" },
    ),
  ),
});
const HealthStarting = Type.Object({
  ok: Type.Boolean(),
  starting: Type.Boolean(),
  version: Type.String(),
  mode: Type.String(),
  replayed: Type.Optional(num('Journal entries replayed so far (with a session or open viewing)')),
  of: Type.Optional(num('About how many there are')),
});

export const bodiesOut = {
  health: Health,
  healthStarting: HealthStarting,
  login: Type.Object({ token: str('The bearer token'), user: Type.String(), role: oneOf(['viewer', 'operator', 'admin']), expires: num('When the session ends (s)') }),
  me: Type.Object({ user: nullable(str('null: nobody is logged in (open viewing)')), role: oneOf(['viewer', 'operator', 'admin']), mode: oneOf(['live', 'demo']) }),
  track: Type.Object({ track: nullable(ref('TrackWire')), history: Type.Array(ref('HistoryPoint'), { description: 'The last 10 minutes of reports' }) }),
  trackHistory: Type.Object({ track: Type.String(), rows: Type.Array(ref('TrackRow')) }),
  trackAction: Type.Object({ track: nullable(ref('TrackWire')), operator: ref('OperatorMark') }),
  trackWork: Type.Object({ track: nullable(ref('TrackWire')) }),
  sensors: Type.Object({ t: Type.Number(), sensors: Type.Array(ref('SensorWire')) }),
  heartbeats: Type.Object({
    heard: num('Sensors marked as heard'),
    refused: Type.Array(Type.Object({ index: num('Index in `sensors`'), sensor: Type.String(), code: Type.String(), message: Type.String() }), { description: 'The ids not marked, each with why (the first 1,000)' }),
    refused_total: Type.Optional(num('When more than 1,000 ids were refused: how many (only the first 1,000 are named)')),
  }),
  sensor: Type.Object({
    sensor: nullable(ref('SensorWire')),
    warnings: Type.Optional(Type.Array(Type.String(), { description: 'What the registration did beyond the obvious: it replaces a sensor of the config (sensors.file or sensors.list), kept across restarts until DELETE /api/v1/sensors/<id>' })),
  }),
  detections: Type.Object({ from: Type.Number(), to: Type.Number(), detections: Type.Array(ref('DetectionRecord')) }),
  historyRange: Type.Object({ from: nullable(num('The oldest journalled detection (s), null when none')), to: num('Now (s)') }),
  historyTracks: Type.Object({ frames: Type.Array(Type.Object({ t: Type.Number(), tracks: Type.Array(ref('TrackRow')) })) }),
  zoneStates: Type.Object({ t: Type.Number(), zones: Type.Array(ref('ZoneStateWire')) }),
  alerts: Type.Object({ alerts: Type.Array(ref('AlertRecord')) }),
  zoneAlert: Type.Object({ zone: Type.Optional(nullable(ref('ZoneStateWire'))), change: nullable(ref('AlertWire')) }),
  cap: Type.Object({
    sender: Type.String(),
    status: Type.String(),
    messages: Type.Array(
      Type.Object({
        identifier: Type.String(),
        msg_type: str('Alert, Update or Cancel'),
        zone: Type.String(),
        state: oneOf(STATE),
        tier: Type.Optional(oneOf(TIER)),
        t: Type.Number(),
        href: str('The message (application/cap+xml)'),
      }),
    ),
  }),
  publicState: Type.Object({ t: Type.Number(), zones: Type.Array(ref('PublicZoneWire')) }),
  publicInfo: Type.Object({
    languages: Type.Array(Type.String()),
    texts: dict(Type.Object({ event: Type.String(), shelter: Type.String(), clear: Type.String() }), 'Per language: the event name and the instructions'),
  }),
  audit: Type.Object({ audit: Type.Array(Type.Object({ t: Type.Number(), user: Type.String(), action: Type.String(), target: Type.String(), detail: Type.Object({}, { additionalProperties: true }) })) }),
  quarantine: Type.Object({
    quarantine: Type.Array(
      Type.Object({ seq: num('Journal sequence number'), sensor: Type.String(), id: Type.String(), t: num('Measurement time (s)'), reason: Type.String(), at: num('When it was quarantined (s)') }),
    ),
  }),
  basemap: Type.Object({
    pmtiles: nullable(
      Type.Object(
        {
          url: str('Where the map reads the PMTiles file (HTTP Range requests): /api/v1/basemap/tiles.pmtiles'),
          attribution: str('web.basemap_attribution: shown on the map'),
          bytes: Type.Integer({ description: 'Size of the file now' }),
          tile_type: oneOf(['unknown', 'mvt', 'png', 'jpeg', 'webp', 'avif'], 'The tiles of the file (its header): mvt vector tiles, or raster images'),
          min_zoom: Type.Integer(),
          max_zoom: Type.Integer(),
          bounds: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'West, south, east, north (degrees), from the header' }),
        },
        { description: 'The base map of web.basemap_pmtiles; null when none is configured' },
      ),
    ),
  }),
};

/** A non-JSON answer: its content type and a description. */
export const textBody = (contentType: string, description: string) => ({ description, content: { [contentType]: { schema: { type: 'string' } } } });

/** What each error status means in this API. */
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'bad_request or invalid_json: a parameter, the body or a cookie is malformed (the message names it)',
  401: 'unauthenticated or bad_credentials',
  403: 'forbidden (the role is too low) or sensor_mismatch',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large (http.body_limit_bytes) or batch_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable: the Range asked for starts past the end of the file (Content-Range: bytes */size)',
  422: 'invalid_detection',
  429: 'rate_limited (Retry-After says when to retry)',
  500: 'internal (logged)',
  503: 'unavailable: the service is starting (Retry-After), the journal could not store, or an event stream is at its client cap (http.max_stream_clients; Retry-After)',
};

/**
 * The responses of a route: its successes plus the error statuses it can answer with, each with
 * the shared error body. Every route may answer 400 (a malformed session cookie) and 500.
 */
export function responses(ok: Record<number, unknown>, errors: readonly number[] = []): Record<number, unknown> {
  const out: Record<number, unknown> = { ...ok };
  for (const s of [...new Set([400, ...errors, 500])].sort((a, b) => a - b)) {
    if (out[s] === undefined) out[s] = { description: ERROR_DESCRIPTIONS[s] ?? 'error', ...ref('Error') };
  }
  return out;
}
