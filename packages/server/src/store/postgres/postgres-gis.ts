/**
 * The PostgreSQL store's typed columns, geometries and views for GIS tools (QGIS, GeoServer,
 * psql). The store's own code reads and writes the JSON rows and epoch seconds as before; the
 * typed columns are computed by PostgreSQL from those, so rows written by any version of the
 * code, and rows already there at an upgrade, get them: generated (stored) columns, except on
 * detections and track_states, where one trigger per row fills them (a generated column takes
 * the JSON row apart on its own, some 20 times per row: 2-3 times the cost of the insert on the
 * ingest's critical path; bench/pg-store.mjs measures it).
 *
 * - schema version 3 (`typedColumnsMigration`): timestamptz, number and text columns, the
 *   `zones` and `sensor_config` tables; needs no PostGIS.
 * - at every start (`ensureGisLayout`): with PostGIS, `geometry(PointZ, 4326)` columns on
 *   detections, track states and sensors, `geometry(MultiPolygon, 4326)` on zones and their
 *   GiST indexes; the fill trigger of detections and track_states (their typed columns made
 *   plain columns, keeping their values); the `v_*` views (with geometry when PostGIS is used) and the comments.
 *   Skipped when the layout in the database is already this code's (a signature of the DDL).
 *   A geometry column of the wanted type is kept as it is: changing its expression, or a typed
 *   column, takes a schema migration.
 */

import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';

/** A generated column: name, SQL type, expression over the row's base columns, comment. */
interface GenColumn {
  name: string;
  type: string;
  expr: string;
  comment: string;
  /**
   * On the tables the ingest writes (detections, track_states): the same value as `expr`, as the
   * fill trigger computes it (PL/pgSQL over `j`, the row as jsonb, and `NEW`); see fillFunction.
   */
  fill?: string;
}

/** Bounds (s) within which an epoch time converts to timestamptz (PostgreSQL's range is wider; beyond these: NULL). */
const TS_MIN = -2e11;
const TS_MAX = 9e12;

const ALT_NOTE = 'metres above the WGS 84 ellipsoid (interchange alt_m; not above mean sea level)';
const GEOM_NOTE = `lon, lat in degrees (WGS 84, SRID 4326); Z = alt_m, ${ALT_NOTE}; Z is 0 when the altitude is unknown (alt_m NULL)`;

/** The helper functions the generated columns call (immutable: JSON field as number or text, most likely class). */
function helperFunctions(s: string): string {
  // PostgreSQL's json type stores the escape \u0000 but cannot take apart (->, ->>) a document
  // holding one ("unsupported Unicode escape sequence"): such a row keeps NULL typed columns
  // instead of failing its insert (it is stored, and read back, exactly as before).
  const ok = (j: string): string => `strpos(${j}::text, '\\u0000') = 0`;
  return `
  CREATE OR REPLACE FUNCTION ${s}.json_num(j json, k text) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN ${ok('j')} AND json_typeof(j) = 'object' AND json_typeof(j -> k) = 'number' THEN (j ->> k)::double precision END $$;
  COMMENT ON FUNCTION ${s}.json_num(json, text) IS 'Skywarden: field k of a JSON object as a number, NULL when missing or not a number';
  CREATE OR REPLACE FUNCTION ${s}.json_str(j json, k text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN ${ok('j')} AND json_typeof(j) = 'object' AND json_typeof(j -> k) = 'string' THEN j ->> k END $$;
  COMMENT ON FUNCTION ${s}.json_str(json, text) IS 'Skywarden: field k of a JSON object as text, NULL when missing or not a string';
  CREATE OR REPLACE FUNCTION ${s}.json_true(j json, k text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(${ok('j')} AND json_typeof(j) = 'object' AND json_typeof(j -> k) = 'true', false) $$;
  COMMENT ON FUNCTION ${s}.json_true(json, text) IS 'Skywarden: whether field k of a JSON object is true';
  CREATE OR REPLACE FUNCTION ${s}.epoch_ts(t double precision) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN t BETWEEN ${TS_MIN} AND ${TS_MAX} THEN to_timestamp(t) END $$;
  COMMENT ON FUNCTION ${s}.epoch_ts(double precision) IS 'Skywarden: seconds since the Unix epoch as timestamptz (microseconds), NULL beyond the range PostgreSQL can hold';
  CREATE OR REPLACE FUNCTION ${s}.top_class(j json, k text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN ${ok('j')} AND json_typeof(j) = 'object' AND json_typeof(j -> k) = 'object' THEN
      (SELECT e.key FROM json_each(j -> k) e WHERE json_typeof(e.value) = 'number' ORDER BY (e.value::text)::double precision DESC, e.key LIMIT 1) END $$;
  COMMENT ON FUNCTION ${s}.top_class(json, text) IS 'Skywarden: the most likely label of the class likelihoods {label: p} in field k';
  CREATE OR REPLACE FUNCTION ${s}.top_class_p(j json, k text) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN ${ok('j')} AND json_typeof(j) = 'object' AND json_typeof(j -> k) = 'object' THEN
      (SELECT max((e.value::text)::double precision) FROM json_each(j -> k) e WHERE json_typeof(e.value) = 'number') END $$;
  COMMENT ON FUNCTION ${s}.top_class_p(json, text) IS 'Skywarden: the probability of the most likely label of the class likelihoods in field k';
  CREATE OR REPLACE FUNCTION ${s}.geojson_geometry(f json) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN ${ok('f')} AND json_typeof(f) = 'object' THEN (f -> 'geometry')::text END $$;
  COMMENT ON FUNCTION ${s}.geojson_geometry(json) IS 'Skywarden: the geometry of a GeoJSON Feature as text';
  `;
}

const num = (s: string, j: string, k: string): string => `${s}.json_num(${j}, '${k}')`;
/** json_num and json_str of the fill trigger: field k of the row taken apart once (jsonb `j`). */
const fnum = (k: string): string => `CASE WHEN jsonb_typeof(j -> '${k}') = 'number' THEN (j -> '${k}')::double precision END`;
const fstr = (k: string): string => `CASE WHEN jsonb_typeof(j -> '${k}') = 'string' THEN j ->> '${k}' END`;
const str = (s: string, j: string, k: string): string => `${s}.json_str(${j}, '${k}')`;
const ts = (s: string, col: string): string => `${s}.epoch_ts(${col})`;

/** The typed columns of each table (generated from its JSON and epoch columns). */
function typedColumns(s: string): Record<string, GenColumn[]> {
  const pos = (j: string, what: string, fill = false): GenColumn[] => [
    { name: 'lat', type: 'double precision', expr: num(s, j, 'lat'), comment: `${what} latitude, degrees (WGS 84)`, ...(fill ? { fill: fnum('lat') } : {}) },
    { name: 'lon', type: 'double precision', expr: num(s, j, 'lon'), comment: `${what} longitude, degrees (WGS 84)`, ...(fill ? { fill: fnum('lon') } : {}) },
    { name: 'alt_m', type: 'double precision', expr: num(s, j, 'alt_m'), comment: `${what} altitude, ${ALT_NOTE}; NULL when unknown`, ...(fill ? { fill: fnum('alt_m') } : {}) },
  ];
  const ve = num(s, 'row', 've_mps');
  const vn = num(s, 'row', 'vn_mps');
  return {
    detections: [
      { name: 'time', type: 'timestamptz', expr: ts(s, 't'), fill: `${s}.epoch_ts(NEW.t)`, comment: 'measurement time (t)' },
      { name: 'received', type: 'timestamptz', expr: ts(s, 'received_at'), fill: `${s}.epoch_ts(NEW.received_at)`, comment: 'arrival time at the service (received_at)' },
      { name: 'type', type: 'text', expr: str(s, 'row', 'type'), fill: fstr('type'), comment: 'position, range_bearing, bearing or presence' },
      ...pos('row', 'reported target', true),
      { name: 'pos_sd_m', type: 'double precision', expr: num(s, 'row', 'pos_sd_m'), fill: fnum('pos_sd_m'), comment: 'horizontal position error, one sigma (m)' },
      { name: 'range_m', type: 'double precision', expr: num(s, 'row', 'range_m'), fill: fnum('range_m'), comment: 'slant range (m), or the presence radius' },
      { name: 'bearing_deg', type: 'double precision', expr: num(s, 'row', 'bearing_deg'), fill: fnum('bearing_deg'), comment: 'bearing, degrees clockwise from true north' },
      { name: 'elevation_deg', type: 'double precision', expr: num(s, 'row', 'elevation_deg'), fill: fnum('elevation_deg'), comment: 'elevation above the horizontal, degrees' },
      { name: 'class', type: 'text', expr: `${s}.top_class(row, 'class')`, fill: 'top_label', comment: 'most likely class label reported' },
      { name: 'class_p', type: 'double precision', expr: `${s}.top_class_p(row, 'class')`, fill: 'top_p', comment: 'its probability (0..1)' },
      { name: 'target', type: 'text', expr: str(s, 'row', 'target'), fill: fstr('target'), comment: 'cooperative identity (ADS-B ICAO address, Remote ID serial)' },
      { name: 'sensor_lat', type: 'double precision', expr: num(s, 'row', 'sensor_lat'), fill: fnum('sensor_lat'), comment: 'mobile sensor latitude at t, degrees' },
      { name: 'sensor_lon', type: 'double precision', expr: num(s, 'row', 'sensor_lon'), fill: fnum('sensor_lon'), comment: 'mobile sensor longitude at t, degrees' },
    ],
    track_states: [
      { name: 'time', type: 'timestamptz', expr: ts(s, 't'), fill: `${s}.epoch_ts(NEW.t)`, comment: 'report time (t)' },
      ...pos('row', 'estimated', true),
      { name: 'pos_sd_m', type: 'double precision', expr: num(s, 'row', 'pos_sd_m'), fill: fnum('pos_sd_m'), comment: 'horizontal position error, one sigma (m)' },
      { name: 've_mps', type: 'double precision', expr: ve, fill: fnum('ve_mps'), comment: 'velocity east (m/s)' },
      { name: 'vn_mps', type: 'double precision', expr: vn, fill: fnum('vn_mps'), comment: 'velocity north (m/s)' },
      { name: 'vu_mps', type: 'double precision', expr: num(s, 'row', 'vu_mps'), fill: fnum('vu_mps'), comment: 'velocity up (m/s)' },
      { name: 'speed_mps', type: 'double precision', expr: `sqrt(${ve} ^ 2 + ${vn} ^ 2)`, fill: 'sqrt(NEW.ve_mps ^ 2 + NEW.vn_mps ^ 2)', comment: 'ground speed (m/s)' },
      { name: 'course_deg', type: 'double precision', expr: `mod(degrees(atan2(${ve}, ${vn}))::numeric + 360, 360)::double precision`, fill: 'mod(degrees(atan2(NEW.ve_mps, NEW.vn_mps))::numeric + 360, 360)::double precision', comment: 'course over ground, degrees clockwise from true north' },
      { name: 'status', type: 'text', expr: str(s, 'row', 'status'), fill: fstr('status'), comment: 'confirmed or coasting' },
      { name: 'class', type: 'text', expr: `${s}.top_class(row, 'class')`, fill: 'top_label', comment: 'most likely class (piston_owa, jet_owa, multirotor, bird, ...)' },
      { name: 'class_p', type: 'double precision', expr: `${s}.top_class_p(row, 'class')`, fill: 'top_p', comment: 'its probability (0..1)' },
      { name: 'label', type: 'text', expr: str(s, 'row', 'label'), fill: fstr('label'), comment: "label shown to operators (an operator's classification, else the most likely class)" },
      { name: 'threat', type: 'double precision', expr: num(s, 'row', 'threat'), fill: fnum('threat'), comment: 'threat probability (0..1); 0.5 and above is shown hostile' },
      { name: 'affiliation', type: 'text', expr: str(s, 'row', 'affiliation'), fill: fstr('affiliation'), comment: 'hostile, neutral or unknown' },
      { name: 'target', type: 'text', expr: str(s, 'row', 'target'), fill: fstr('target'), comment: 'cooperative identity (ADS-B, Remote ID), when known' },
    ],
    alerts: [
      { name: 'time', type: 'timestamptz', expr: ts(s, 't'), comment: 'time of the change (t)' },
      { name: 'tier', type: 'text', expr: str(s, 'row', 'tier'), comment: 'warning tier of the zone after the change' },
      { name: 'eta_s', type: 'double precision', expr: num(s, 'row', 'eta_s'), comment: 'predicted time until a track enters the zone (s)' },
      { name: 'reason', type: 'text', expr: str(s, 'row', 'reason'), comment: 'why the state changed' },
      { name: 'by_user', type: 'text', expr: str(s, 'row', 'by'), comment: 'operator who raised or ended it by hand' },
      { name: 'is_update', type: 'boolean', expr: `${s}.json_true(row, 'update')`, comment: 'an update of an alert that stays on (tier or tracks changed), not a change of state' },
      { name: 'cap_identifier', type: 'text', expr: str(s, 'row', 'cap_identifier'), comment: 'identifier of the CAP message sent' },
    ],
    sensors: [
      { name: 'kind', type: 'text', expr: str(s, 'def', 'kind'), comment: 'acoustic, radar, observer, rf, eo, adsb, remote_id, ...' },
      ...pos('def', 'fixed sensor'),
      { name: 'range_m', type: 'double precision', expr: num(s, 'def', 'range_m'), comment: 'maximum detection range (m)' },
      { name: 'updated', type: 'timestamptz', expr: ts(s, 'updated_at'), comment: 'time of registration (updated_at)' },
    ],
    sensor_config: [
      { name: 'kind', type: 'text', expr: str(s, 'def', 'kind'), comment: 'acoustic, radar, observer, rf, eo, adsb, remote_id, ...' },
      ...pos('def', 'fixed sensor'),
      { name: 'range_m', type: 'double precision', expr: num(s, 'def', 'range_m'), comment: 'maximum detection range (m)' },
    ],
    users: [{ name: 'created', type: 'timestamptz', expr: ts(s, 'created_at'), comment: 'created_at as timestamptz' }],
    audit: [{ name: 'time', type: 'timestamptz', expr: ts(s, 't'), comment: 'time of the action (t)' }],
    quarantine: [
      { name: 'time', type: 'timestamptz', expr: ts(s, 't'), comment: 'measurement time of the detection (t)' },
      { name: 'quarantined', type: 'timestamptz', expr: ts(s, 'at'), comment: 'when it was quarantined (at)' },
    ],
  };
}

/** Name of the trigger that fills the typed columns of a table (detections, track_states). */
export const FILL_TRIGGER = 'fill_typed_columns';

/**
 * The trigger function that fills the typed columns of `table` (those with a `fill`) from its
 * row at each insert and update: the JSON row is taken apart once (as jsonb) instead of once per
 * generated column, and the class likelihoods walked with one jsonpath call and a loop of plain
 * expressions instead of a query per row. The values are those of the generated expressions
 * (`expr`, which schema version 3 made and the other tables keep): a number is a JSON number,
 * text a JSON string, NULL otherwise or when the row holds \u0000 or is not an object; jsonb
 * keeps the last of duplicate keys, as `->` on json and JSON.parse do (the store's own rows,
 * from JSON.stringify, have none). A value a client writes in a typed column is replaced.
 */
function fillFunction(s: string, table: string, cols: GenColumn[]): string {
  const assign = cols.filter((c) => c.fill !== undefined).map((c) => `NEW.${c.name} := ${c.fill};`);
  return `
  CREATE OR REPLACE FUNCTION ${s}.fill_${table}() RETURNS trigger LANGUAGE plpgsql AS $f$
  DECLARE j jsonb; kvs jsonb; kv jsonb; top_label text; top_p double precision; q double precision;
  BEGIN
    IF strpos(NEW.row::text, '\\u0000') = 0 AND json_typeof(NEW.row) = 'object' THEN
      j := NEW.row::jsonb;
      IF jsonb_typeof(j -> 'class') = 'object' THEN
        kvs := jsonb_path_query_array(j -> 'class', '$.keyvalue() ? (@.value.type() == "number")');
        FOR i IN 0 .. jsonb_array_length(kvs) - 1 LOOP
          kv := kvs -> i;
          q := (kv -> 'value')::double precision;
          IF top_label IS NULL OR q > top_p OR (q = top_p AND (kv ->> 'key') < top_label) THEN
            top_label := kv ->> 'key';
            top_p := q;
          END IF;
        END LOOP;
      END IF;
    END IF;
    -- j is NULL when the row cannot be taken apart: then every field is NULL
    ${assign.join('\n    ')}
    RETURN NEW;
  END $f$;
  COMMENT ON FUNCTION ${s}.fill_${table}() IS ${lit(`Skywarden: fills the typed columns of ${table} from its row (trigger ${FILL_TRIGGER})`)};`;
}

/**
 * Makes the typed columns of the tables the ingest writes (detections, track_states) plain
 * columns filled by the trigger: a generated column (schema version 3 made them so) keeps its
 * values and loses its expression (no table rewrite), then the trigger is made again.
 */
async function ensureFillTriggers(client: PoolClient, s: string, schema: string, typed: Record<string, GenColumn[]>): Promise<void> {
  for (const [table, cols] of Object.entries(typed)) {
    const filled = cols.filter((c) => c.fill !== undefined);
    if (filled.length === 0) continue;
    await client.query(fillFunction(s, table, cols));
    const gen = await client.query<{ attname: string }>(
      `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attgenerated = 's' AND attname = ANY($2::text[]) AND NOT attisdropped`,
      [`${schema}.${table}`, filled.map((c) => c.name)],
    );
    if (gen.rows.length > 0) await client.query(`ALTER TABLE ${s}.${table} ${gen.rows.map((r) => `ALTER COLUMN "${r.attname}" DROP EXPRESSION`).join(', ')}`);
    await client.query(`DROP TRIGGER IF EXISTS ${FILL_TRIGGER} ON ${s}.${table}`);
    await client.query(`CREATE TRIGGER ${FILL_TRIGGER} BEFORE INSERT OR UPDATE ON ${s}.${table} FOR EACH ROW EXECUTE FUNCTION ${s}.fill_${table}()`);
  }
}

/**
 * The typed columns of `table` as schema version 3 made them: generated columns (on detections
 * and track_states the start then makes them plain columns filled by the trigger), added to
 * table `into` (default: `table`; tests and the bench compare the two).
 */
export function generatedColumnsDdl(s: string, table: string, into = table): string {
  const cols = typedColumns(s)[table] ?? [];
  return `ALTER TABLE ${s}.${into} ${cols.map((c) => `ADD COLUMN ${c.name} ${c.type} GENERATED ALWAYS AS (${c.expr}) STORED`).join(', ')};`;
}

/** Schema version 2 to 3: typed columns, their b-tree indexes, the zones and configured sensors tables. */
export function typedColumnsMigration(s: string): string {
  const parts = [
    helperFunctions(s),
    `CREATE TABLE ${s}.zones (
      id TEXT PRIMARY KEY,
      name TEXT,
      kind TEXT,
      lead_s DOUBLE PRECISION,
      feature JSON NOT NULL,
      updated TIMESTAMPTZ NOT NULL DEFAULT now()
    );`,
    `CREATE TABLE ${s}.sensor_config (
      id TEXT PRIMARY KEY,
      def JSON NOT NULL
    );`,
  ];
  for (const table of Object.keys(typedColumns(s))) parts.push(generatedColumnsDdl(s, table));
  parts.push(`
    CREATE INDEX detections_time ON ${s}.detections (time);
    CREATE INDEX track_states_time ON ${s}.track_states (time);
    CREATE INDEX alerts_time ON ${s}.alerts (time);
    CREATE INDEX audit_time ON ${s}.audit (time);`);
  return parts.join('\n');
}

/** A geometry column: its table, type (typmod) and expression over the base columns. */
interface GeomColumn {
  table: string;
  type: string;
  expr: string;
  comment: string;
}

function geometryColumns(s: string, g: string): GeomColumn[] {
  const point = (j: string): string =>
    `CASE WHEN ${num(s, j, 'lat')} IS NOT NULL AND ${num(s, j, 'lon')} IS NOT NULL THEN ` +
    `${g}.ST_SetSRID(${g}.ST_MakePoint(${num(s, j, 'lon')}, ${num(s, j, 'lat')}, coalesce(${num(s, j, 'alt_m')}, 0)), 4326) END`;
  // on the tables with the fill trigger, from its lat, lon, alt_m (filled before generated columns are computed)
  const filled = `CASE WHEN lat IS NOT NULL AND lon IS NOT NULL THEN ${g}.ST_SetSRID(${g}.ST_MakePoint(lon, lat, coalesce(alt_m, 0)), 4326) END`;
  return [
    { table: 'detections', type: 'PointZ', expr: filled, comment: `reported target position (position detections): ${GEOM_NOTE}` },
    { table: 'track_states', type: 'PointZ', expr: filled, comment: `estimated track position: ${GEOM_NOTE}` },
    { table: 'sensors', type: 'PointZ', expr: point('def'), comment: `fixed sensor position: ${GEOM_NOTE}` },
    { table: 'sensor_config', type: 'PointZ', expr: point('def'), comment: `fixed sensor position: ${GEOM_NOTE}` },
    {
      table: 'zones',
      type: 'MultiPolygon',
      expr: `${g}.ST_Multi(${g}.ST_Force2D(${g}.ST_SetSRID(${g}.ST_GeomFromGeoJSON(${s}.geojson_geometry(feature)), 4326)))`,
      comment: 'zone area: lon, lat in degrees (WGS 84, SRID 4326)',
    },
  ];
}

/** A view column a user sees: name and comment. */
type ViewCols = [string, string][];

interface ViewDef {
  name: string;
  comment: string;
  sql: string;
  /** Its columns and comments, or the name of the view whose columns it has. */
  cols: ViewCols | string;
}

function viewDefs(s: string, g: string | null): ViewDef[] {
  const geom = (expr: string): string => (g === null ? '' : `, ${expr} AS geom`);
  const geomCol = (c: string): ViewCols => (g === null ? [] : [['geom', c]]);
  return [
    {
      name: 'v_tracks_latest',
      comment: 'One row per track: its latest stored state (key: track). Filter on updated for the live picture, e.g. updated > now() - interval \'1 minute\'.',
      sql: `SELECT DISTINCT ON (s.track) s.track, s.time AS updated, extract(epoch FROM now()) - s.t AS age_s, s.status, s.class, s.class_p, s.label, s.threat, s.affiliation,
              s.lat, s.lon, s.alt_m, s.pos_sd_m, s.speed_mps, s.course_deg, s.vu_mps, s.target${geom('s.geom')}
            FROM ${s}.track_states s ORDER BY s.track, s.t DESC`,
      cols: [
        ['track', 'track id (unique key)'],
        ['updated', 'time of the latest stored state'],
        ['age_s', 'seconds since that state (at query time)'],
        ['status', 'confirmed or coasting'],
        ['class', 'most likely class'],
        ['class_p', 'its probability (0..1)'],
        ['label', "label shown to operators (an operator's classification, else the most likely class)"],
        ['threat', 'threat probability (0..1)'],
        ['affiliation', 'hostile, neutral or unknown'],
        ['lat', 'latitude, degrees (WGS 84)'],
        ['lon', 'longitude, degrees (WGS 84)'],
        ['alt_m', `altitude, ${ALT_NOTE}; NULL when unknown`],
        ['pos_sd_m', 'horizontal position error, one sigma (m)'],
        ['speed_mps', 'ground speed (m/s)'],
        ['course_deg', 'course over ground, degrees clockwise from true north'],
        ['vu_mps', 'vertical speed, up (m/s)'],
        ['target', 'cooperative identity, when known'],
        ...geomCol(`position: ${GEOM_NOTE}`),
      ],
    },
    {
      name: 'v_tracks_live',
      comment: 'The live picture: v_tracks_latest for the tracks with a state stored in the last 60 s of the database clock (key: track); reads only those states (time index), however long the history.',
      sql: `SELECT DISTINCT ON (s.track) s.track, s.time AS updated, extract(epoch FROM now()) - s.t AS age_s, s.status, s.class, s.class_p, s.label, s.threat, s.affiliation,
              s.lat, s.lon, s.alt_m, s.pos_sd_m, s.speed_mps, s.course_deg, s.vu_mps, s.target${geom('s.geom')}
            FROM ${s}.track_states s WHERE s.time > now() - interval '60 seconds' ORDER BY s.track, s.t DESC`,
      cols: 'v_tracks_latest',
    },
    {
      name: 'v_track_lines',
      comment: 'One row per track with two or more stored positions: its path as a 3-D line in time order (key: track).',
      sql:
        `SELECT s.track, min(s.time) AS first_seen, max(s.time) AS last_seen, count(*) AS states, max(s.threat) AS max_threat,
              (array_agg(s.label ORDER BY s.t DESC))[1] AS label` +
        (g === null ? '' : `, ${g}.ST_MakeLine(s.geom ORDER BY s.t)::${g}.geometry(LineStringZ, 4326) AS geom`) +
        ` FROM ${s}.track_states s WHERE s.lat IS NOT NULL AND s.lon IS NOT NULL GROUP BY s.track HAVING count(*) >= 2`,
      cols: [
        ['track', 'track id (unique key)'],
        ['first_seen', 'time of its first stored state'],
        ['last_seen', 'time of its latest stored state'],
        ['states', 'number of stored states with a position'],
        ['max_threat', 'highest threat probability it had (0..1)'],
        ['label', 'its latest label'],
        ...geomCol(`path through the stored states in time order: ${GEOM_NOTE}`),
      ],
    },
    {
      name: 'v_zones',
      comment: 'Warning zones of the running configuration with their alert state now (key: zone).',
      sql: `SELECT z.id AS zone, z.name, z.kind, z.lead_s, coalesce(l.state, 'clear') AS state, l.tier, l.time AS changed${geom('z.geom')}
            FROM ${s}.zones z LEFT JOIN LATERAL (SELECT a.state, a.tier, a.time FROM ${s}.alerts a WHERE a.zone = z.id ORDER BY a.t DESC, a.n DESC LIMIT 1) l ON true`,
      cols: [
        ['zone', 'zone id (unique key)'],
        ['name', 'zone name'],
        ['kind', 'admin or site'],
        ['lead_s', 'warning lead time the zone wants (s)'],
        ['state', 'alert or clear now (the latest stored change)'],
        ['tier', 'warning tier of the latest change'],
        ['changed', 'time of the latest change (NULL: never alerted)'],
        ...geomCol('zone area: lon, lat in degrees (WGS 84, SRID 4326)'),
      ],
    },
    {
      name: 'v_alerts_active',
      comment: 'Zones under an alert now: the latest change of the zone is an alert (key: zone), with the zone polygon.',
      sql: `WITH last AS (SELECT DISTINCT ON (a.zone) a.zone, a.n, a.t, a.time, a.state, a.tier, a.eta_s, a.reason FROM ${s}.alerts a ORDER BY a.zone, a.t DESC, a.n DESC)
            SELECT l.zone, z.name, l.tier, ${s}.epoch_ts(e.since) AS since, l.time AS updated, l.eta_s, l.reason${geom('z.geom')}
            FROM last l
            LEFT JOIN ${s}.zones z ON z.id = l.zone
            CROSS JOIN LATERAL (SELECT min(a.t) AS since FROM ${s}.alerts a WHERE a.zone = l.zone AND a.state = 'alert' AND a.t <= l.t
              AND a.t > coalesce((SELECT max(c.t) FROM ${s}.alerts c WHERE c.zone = l.zone AND c.state = 'clear' AND c.t <= l.t), '-Infinity'::double precision)) e
            WHERE l.state = 'alert'`,
      cols: [
        ['zone', 'zone id (unique key)'],
        ['name', 'zone name (NULL: the zone is no longer configured)'],
        ['tier', 'warning tier now'],
        ['since', 'when this alert began (first alert change after the last clear)'],
        ['updated', 'time of the latest change (raise or update)'],
        ['eta_s', 'predicted time until entry at the latest change (s)'],
        ['reason', 'why, at the latest change'],
        ...geomCol('zone area: lon, lat in degrees (WGS 84, SRID 4326)'),
      ],
    },
    {
      name: 'v_alerts',
      comment: 'Every stored alert change with the zone polygon (key: n); the history of v_alerts_active.',
      sql: `SELECT a.n, a.time, a.zone, z.name, a.state, a.tier, a.eta_s, a.reason, a.by_user, a.is_update${geom('z.geom')}
            FROM ${s}.alerts a LEFT JOIN ${s}.zones z ON z.id = a.zone`,
      cols: [
        ['n', 'change number (unique key)'],
        ['time', 'time of the change'],
        ['zone', 'zone id'],
        ['name', 'zone name'],
        ['state', 'alert or clear'],
        ['tier', 'warning tier after the change'],
        ['eta_s', 'predicted time until entry (s)'],
        ['reason', 'why the state changed'],
        ['by_user', 'operator who raised or ended it by hand'],
        ['is_update', 'an update of an alert that stays on'],
        ...geomCol('zone area: lon, lat in degrees (WGS 84, SRID 4326)'),
      ],
    },
    {
      name: 'v_sensors',
      comment: 'Sensors: those of the running configuration and those registered through the API (a registration wins over a configured sensor of the same id); key: id.',
      sql: `SELECT r.id, 'registered'::text AS source, r.kind, r.lat, r.lon, r.alt_m, r.range_m, r.updated${geom('r.geom')} FROM ${s}.sensors r
            UNION ALL
            SELECT c.id, 'config'::text, c.kind, c.lat, c.lon, c.alt_m, c.range_m, NULL::timestamptz${geom('c.geom')} FROM ${s}.sensor_config c
            WHERE NOT EXISTS (SELECT 1 FROM ${s}.sensors r WHERE r.id = c.id)`,
      cols: [
        ['id', 'sensor id (unique key)'],
        ['source', 'config (sensors.file, sensors.list) or registered (API)'],
        ['kind', 'acoustic, radar, observer, rf, eo, adsb, remote_id, ...'],
        ['lat', 'latitude, degrees (WGS 84); NULL for mobile sensors'],
        ['lon', 'longitude, degrees (WGS 84); NULL for mobile sensors'],
        ['alt_m', `altitude, ${ALT_NOTE}`],
        ['range_m', 'maximum detection range (m)'],
        ['updated', 'time of registration (registered sensors)'],
        ...geomCol(`sensor position: ${GEOM_NOTE}`),
      ],
    },
  ];
}

/** Comments of the tables and the columns the store's code writes (the typed ones have theirs above). */
const BASE_COMMENTS: [string, string, ViewCols][] = [
  ['detections', 'The journal: every accepted detection as its interchange row (key: seq)', [
    ['seq', 'journal sequence number (increasing, never reused; unique key)'],
    ['t', 'measurement time, seconds since the Unix epoch (see time)'],
    ['received_at', 'arrival time, seconds since the Unix epoch (see received)'],
    ['row', 'the interchange detection row as accepted (JSON)'],
  ]],
  ['track_states', 'Track states: the tracks.ndjson row of a track at a report time, stored once a second by default (key: track, t)', [
    ['t', 'report time, seconds since the Unix epoch (see time)'],
    ['row', 'tracks.ndjson row plus label, threat, affiliation, sensors (JSON)'],
  ]],
  ['alerts', 'Alert changes of the zones (key: n)', [
    ['n', 'change number (unique key)'],
    ['t', 'time, seconds since the Unix epoch (see time)'],
    ['row', 'alerts.ndjson row plus reason, tier, CAP message (JSON)'],
  ]],
  ['sensors', 'Sensors registered through the API (key: id)', [['def', 'the sensors.json object (JSON)']]],
  ['zones', 'Warning zones of the running configuration, replaced at each start (key: id)', [['feature', 'the zones.geojson Feature (JSON)']]],
  ['sensor_config', 'Sensors of the running configuration (sensors.file, sensors.list), replaced at each start (key: id)', [['def', 'the sensors.json object (JSON)']]],
  ['schema_version', 'Version of this schema (the store upgrades it at start)', []],
  ['gis_layout', 'Signature of the views and geometry columns the store made (it remakes them when its code wants others)', []],
];

/** The views, in creation order (dropped in the reverse order). */
export const GIS_VIEWS = ['v_tracks_latest', 'v_tracks_live', 'v_track_lines', 'v_zones', 'v_alerts_active', 'v_alerts', 'v_sensors'] as const;

const lit = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * Makes the geometry columns (with PostGIS: `g` is the quoted schema of PostGIS, else null),
 * their indexes, the views and the comments this code wants, unless the database has them
 * already. Runs inside the start-up transaction (under the migration lock), after the migrations.
 */
export async function ensureGisLayout(client: PoolClient, s: string, schema: string, g: string | null): Promise<void> {
  const geoms = g === null ? [] : geometryColumns(s, g);
  const views = viewDefs(s, g);
  const typed = typedColumns(s);
  const signature = createHash('sha256')
    .update(JSON.stringify({ geoms, views, typed, fns: helperFunctions(s), fill: Object.entries(typed).map(([t, c]) => fillFunction(s, t, c)) }))
    .digest('hex');
  await client.query(`CREATE TABLE IF NOT EXISTS ${s}.gis_layout (signature TEXT NOT NULL)`);
  const got = await client.query<{ signature: string }>(`SELECT signature FROM ${s}.gis_layout`);
  if (got.rows[0]?.signature === signature) return;

  for (const v of [...GIS_VIEWS].reverse()) await client.query(`DROP VIEW IF EXISTS ${s}.${v}`);
  await client.query(helperFunctions(s));
  await ensureFillTriggers(client, s, schema, typed);
  for (const c of geoms) {
    // a column of another type (schema version 2 wrote geometry(Point, 4326) itself) is made again
    const have = await client.query<{ type: string; generated: string; expr: string | null }>(
      `SELECT format_type(a.atttypid, a.atttypmod) AS type, a.attgenerated AS generated, pg_get_expr(d.adbin, d.adrelid) AS expr FROM pg_attribute a
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = $1::regclass AND a.attname = 'geom' AND NOT a.attisdropped`,
      [`${schema}.${c.table}`],
    );
    const row = have.rows[0];
    const wanted = new RegExp(`geometry\\(${c.type},4326\\)$`, 'i');
    // schema 3 as first released computed the points of detections and track_states from the
    // JSON row (json_num): those are made again from the filled columns (a rewrite of the table)
    const stale = row !== undefined && (!wanted.test(row.type) || row.generated !== 's' || (row.expr ?? '').includes('json_num') !== c.expr.includes('json_num'));
    if (stale) await client.query(`ALTER TABLE ${s}.${c.table} DROP COLUMN geom`);
    if (!row || stale) {
      await client.query(`ALTER TABLE ${s}.${c.table} ADD COLUMN geom ${g}.geometry(${c.type}, 4326) GENERATED ALWAYS AS (${c.expr}) STORED`);
    }
    await client.query(`CREATE INDEX IF NOT EXISTS ${c.table}_geom ON ${s}.${c.table} USING gist (geom)`);
    await client.query(`COMMENT ON COLUMN ${s}.${c.table}.geom IS ${lit(c.comment)}`);
  }
  for (const [table, cols] of Object.entries(typed)) {
    for (const c of cols) await client.query(`COMMENT ON COLUMN ${s}.${table}.${c.name} IS ${lit(c.comment)}`);
  }
  for (const [table, comment, cols] of BASE_COMMENTS) {
    await client.query(`COMMENT ON TABLE ${s}.${table} IS ${lit(comment)}`);
    for (const [col, c] of cols) await client.query(`COMMENT ON COLUMN ${s}.${table}.${col} IS ${lit(c)}`);
  }
  for (const v of views) {
    await client.query(`CREATE VIEW ${s}.${v.name} AS ${v.sql}`);
    await client.query(`COMMENT ON VIEW ${s}.${v.name} IS ${lit(v.comment)}`);
    const cols = typeof v.cols === 'string' ? (views.find((w) => w.name === v.cols)?.cols as ViewCols) : v.cols;
    for (const [col, comment] of cols) await client.query(`COMMENT ON COLUMN ${s}.${v.name}.${col} IS ${lit(comment)}`);
  }
  await client.query(`DELETE FROM ${s}.gis_layout`);
  await client.query(`INSERT INTO ${s}.gis_layout (signature) VALUES ($1)`, [signature]);
}
