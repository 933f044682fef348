/**
 * The service's configuration: embedded defaults, a YAML or JSON file, environment
 * overrides, then command-line flags, validated at start-up. A bad setting stops the start
 * with a message that names it (`http.port must be an integer in [0, 65535], got "x"`).
 * Every default is here and in docs/server.md.
 *
 * Environment overrides: `SKYWARDEN__<SECTION>__<KEY>=value` (double underscores separate
 * the path, case-insensitive: `SKYWARDEN__HTTP__PORT=9090`, `SKYWARDEN__STORE__KIND=postgres`);
 * values are parsed as JSON when they parse, else taken as strings.
 */
import { BlockList, isIP } from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { ALERT_POLICY_DEFAULTS, ALERT_POLICY_RANGES } from '@skywarden/core';
import { CAP_LANGUAGES, checkCapSender, checkText, COT_OPEX, KR_PROVINCES, krProvinceCode, parseErrorMessage, ZONE_LEAD_MAX_S } from '@skywarden/formats';
import { SUBJECT_PREFIX, SUBJECT_TOKEN } from './bus/bus.js';
import { checkRegions } from './cluster/regions.js';

export interface UserConfig {
  name: string;
  /** Plain password (hashed at start; for demos and tests) ... */
  password?: string;
  /** ... or a hash made by `skywarden hash-password` (scrypt$...). */
  password_hash?: string;
  role: 'viewer' | 'operator' | 'admin';
}

export interface SensorCredential {
  /** Sensor id (a single sensor) ... */
  sensor?: string;
  /** ... or a gateway: an id and the sensor ids (or prefixes ending in `*`) it may publish for. */
  gateway?: string;
  sensors?: string[];
  /** The secret token (plain, hashed at start) or its hash. */
  token?: string;
  token_hash?: string;
}

export interface WebhookConfig {
  url: string;
  secret: string;
  /** `json` (alert changes) or `cap` (CAP 1.2 XML). */
  format: 'json' | 'cap';
}

/** TLS for the TAK Server connection (streaming port 8089): PEM file paths. */
export interface TakTlsConfig {
  /** Client certificate and its private key (PEM files). */
  cert: string;
  key: string;
  /** CA certificate(s) that signed the TAK Server's certificate (PEM file); default the system's. */
  ca?: string;
  /** Check the server's certificate (default true). */
  reject_unauthorized?: boolean;
  /** Name expected in the server's certificate; default `tak.host`. */
  server_name?: string;
}

/** A radar (CAT048) or system tracker (CAT062) on the ASTERIX input, by its SAC/SIC, and the Skywarden sensor id it maps to. */
export interface AsterixSourceConfig {
  sac: number;
  sic: number;
  sensor: string;
  /** Radars: the antenna's position (degrees, m above the WGS-84 ellipsoid), registering the sensor when it is missing. */
  lat?: number;
  lon?: number;
  alt_m?: number;
}

/** A SAPIENT node (by its UUID) accepted by the fusion node, and the Skywarden sensor id it maps to. */
export interface SapientNodeConfig {
  node_id: string;
  sensor: string;
  /** With `sapient.tls`: the subject CN the node's client certificate must carry (else any certificate of the CA). */
  cert_cn?: string;
}

/** Skywarden's link up to a parent SAPIENT fusion node (transports/sapient-parent.ts). */
export interface SapientParentConfig {
  host: string;
  port: number;
  /** Skywarden's node UUID towards the parent; null: `sapient.node_id`, else a new one at each start. */
  node_id: string | null;
  /** Each track is reported at most every this-many seconds. */
  interval_s: number;
  /** The status interval registered with the parent (s): a StatusReport that often. */
  status_interval_s: number;
  /** TLS to the parent (PEM file paths; a client certificate if the parent asks for one); null: plain TCP. */
  tls: { cert?: string; key?: string; ca?: string; reject_unauthorized?: boolean; server_name?: string } | null;
  /** Longest wait (s) between reconnection attempts (the wait doubles from 1 s). */
  reconnect_max_s: number;
  /** Messages held while the parent is slow; the oldest are dropped (and counted) beyond. */
  max_queue: number;
}

export interface ServerConfig {
  /** Folder for the SQLite store and other files. */
  data_dir: string;
  http: {
    host: string;
    port: number;
    body_limit_bytes: number;
    /** Bearer token that lets a scraper read /metrics from another host (loopback and logged-in viewers need none); null: none. */
    metrics_token: string | null;
    /** Reverse proxies whose X-Forwarded-For gives the client's address (addresses or CIDRs, comma-separated); null: none. */
    trust_proxy: string | null;
    /** The URL the service is reached at (feeds' absolute links); null: from the request. */
    public_url: string | null;
    /** Longest time (s) a client may take to send a whole request (headers and body); a slower one (a slowloris) is cut off. */
    request_timeout_s: number;
    /** Most simultaneous HTTP connections; more are refused. */
    max_connections: number;
    /**
     * Most simultaneous HTTP connections from one address (the trusted proxies of `trust_proxy`
     * excepted); more are closed at once, so that one host cannot take every slot.
     */
    max_connections_per_address: number;
    /**
     * Most clients of each event stream (the operators' and the public one); at the cap a client
     * from the address that holds the most gives way to a newcomer from another, else the newcomer
     * gets 503. Keep both streams together well under `max_connections`.
     */
    max_stream_clients: number;
    /** History reads (detections, track histories, stored frames) served at once; 4 times as many wait, more get 429. */
    max_concurrent_reads: number;
  };
  mqtt: {
    /** `embedded` (an aedes broker in the process), `external` (subscribe to a broker such as Mosquitto), `off`. */
    mode: 'embedded' | 'external' | 'off';
    host: string;
    port: number;
    /** External broker address (mqtt://host:port) and the service's credentials there. */
    url: string;
    username: string | null;
    password: string | null;
    client_id: string;
    topic_prefix: string;
    max_message_bytes: number;
    /** Embedded broker: largest MQTT packet before login (the CONNECT); after login the larger of this and max_message_bytes + 64 KiB. A larger one closes the connection. */
    max_packet_bytes: number;
    /** Embedded broker: seconds a packet may take beyond its size at min_upload_bytes_per_s; a connection stalled inside a packet for longer is closed. */
    packet_timeout_s: number;
    /** Embedded broker: the slowest upload a packet is given time for, bytes per second. */
    min_upload_bytes_per_s: number;
    /** Embedded broker: most simultaneous connections; more are refused. */
    max_connections: number;
    /** Embedded broker: most simultaneous connections from one address; more are closed at once. */
    max_connections_per_address: number;
    /** Embedded broker, MQTT 5: the longest session expiry interval a client is granted (s); a longer one asked for is cut to it (told in the CONNACK). */
    session_expiry_max_s: number;
    /** Embedded broker, MQTT 5: sessions kept after their connection ended (and, apart, delayed wills) at most; beyond it a session ends with its connection and a will is sent at once. */
    max_pending_sessions: number;
  };
  store: {
    kind: 'sqlite' | 'postgres';
    /** SQLite file; default `<data_dir>/skywarden.db`. */
    path: string | null;
    /** `full` survives power loss; `normal` survives a process crash (faster). */
    sync: 'full' | 'normal';
    /** SQLite: run the store in a worker thread (commits do not block the main thread); false = in the main thread. */
    worker: boolean;
    /** PostgreSQL connection string and schema. */
    url: string;
    schema: string;
    /** PostGIS geometries: `prefer` (used when it can be; a warning at start when not), `require` (the start fails without), `off`. */
    postgis: 'prefer' | 'require' | 'off';
  };
  /** Sensors registered at start: a sensors.json file (spec/interchange.md) and/or inline rows. */
  sensors: { file: string | null; list: Record<string, unknown>[] };
  credentials: SensorCredential[];
  ingest: {
    /** Most detections in one HTTP request or MQTT message. */
    max_batch: number;
    /** Per-sensor token bucket: sustained detections per second and burst. */
    rate_per_s: number;
    burst: number;
    /** Detections dated further ahead of the clock than this (s) are refused. */
    max_future_s: number;
    /** Group commit: a journal write waits at most this long (ms) to gather more detections. */
    commit_wait_ms: number;
  };
  fusion: {
    reorder_delay_s: number;
    report_every_s: number;
    /** On start the live picture is rebuilt by replaying the journal's last this-many seconds. */
    replay_window_s: number;
    /** Keep track states in the store (history, replay) every this-many reports (1 = all). */
    store_every: number;
    /** Tick (ms) of the fusion clock when no detection arrives. */
    tick_ms: number;
    /** Acoustic nodes of the register get particle-cloud tracks and negative information (docs/tracker.md); false: presence as discs. */
    acoustic_clouds: boolean;
    /** The tracker's data associator: `gnn` (one detection per track) or `jpda` (tracks that compete for detections weigh them; docs/tracker.md). */
    associator: 'gnn' | 'jpda';
  };
  zones: {
    /** A zones.geojson file ... */
    file: string | null;
    /** ... or KOSTAT provinces from data/kr-admin (`seoul`, `incheon`, `gyeonggi`, codes). */
    kr_admin: string[];
    lead_s: number;
  };
  alerts: {
    interval_s: number;
    /** CAP `<status>`: `Exercise` by default; a real deployment sets `Actual`. */
    cap_status: 'Actual' | 'Exercise';
    cap_sender: string;
    /** Open the CAP feed and the public zone-state endpoint to anyone, without login. */
    public_feed: boolean;
    /** CAP `<info>` languages in order (RFC 3066 tags with built-in texts: en, ko); null: Korean and English when the zones carry Korean names (KOSTAT zones do), else English. */
    cap_languages: string[] | null;
    /** Instructions by language tag, replacing the built-in ones: `{ "en-US": { "shelter": "...", "clear": "..." } }`. */
    instructions: Record<string, { shelter?: string; clear?: string }>;
    /** Least P(entering within the zone's lead time) to raise (docs/warnings.md "Choosing the raise thresholds"). */
    p_raise: number;
    /** Least P(entering within 180 s) to raise: the urgent raise. */
    p_raise_imminent: number;
    /** Least P(entering within the lead time) to raise by an imprecise track (position one-sigma above `imprecise_sd_m`). */
    p_raise_imprecise: number;
    imprecise_sd_m: number;
  };
  health: {
    /** A sensor not heard (detection or status) for this long (s) is `silent`. */
    silent_after_s: number;
    /** A sensor detecting in every one of the last 5 minutes at least this many times a minute is `stuck` (radars, ADS-B exempt). */
    stuck_per_min: number;
    /** A mobile position farther than this (m) from the registered one is `implausible`. */
    max_position_offset_m: number;
  };
  auth: {
    users: UserConfig[];
    session_ttl_s: number;
    /** Failed logins for one user name within `login_window_s` before its logins are refused for a while (429); 4 times as many from one address. */
    login_max_failures: number;
    login_window_s: number;
    /**
     * Failed sensor (or gateway) credential checks from one address within `login_window_s`
     * before that address's uncached checks are refused for a while (429): each check of a
     * token costs scrypt time. Credentials already verified are not throttled.
     */
    sensor_max_failures: number;
    /** Let anyone view (read-only) without logging in. For demos; announced at start. */
    open_viewing: boolean;
  };
  webhooks: WebhookConfig[];
  /** Cursor-on-Target to and from TAK (transports/tak-cot.ts). */
  tak: {
    /** `client`: connect to a TAK Server's streaming port (TCP 8087, TLS 8089); `off`. */
    mode: 'off' | 'client';
    host: string;
    port: number;
    /** Client certificate for the TLS port (null: plain TCP). */
    tls: TakTlsConfig | null;
    /** Longest wait (s) between reconnection attempts (the wait doubles from 1 s). */
    reconnect_max_s: number;
    /** CoT over UDP: `multicast` (the SA group), `unicast` (one host) or `off`. */
    /** `ttl`: IP TTL of the datagrams; null: 1 for multicast (the local SA group), 64 for unicast (a TAK Server routers away). */
    udp: { mode: 'off' | 'multicast' | 'unicast'; host: string; port: number; ttl: number | null };
    /** Listen for CoT on UDP (TAK clients' markers); `group`: a multicast group to join, or null. */
    /**
     * UDP listener for CoT markers (unauthenticated by nature). `allow_from`: the source
     * addresses or CIDRs whose datagrams are read (comma-separated), others are dropped and
     * counted; null: any, allowed only on a loopback host without a multicast group unless
     * `allow_any` says so (a closed network).
     */
    listen: {
      enabled: boolean;
      host: string;
      port: number;
      group: string | null;
      allow_from: string | null;
      allow_any: boolean;
      /** Datagram bytes read (parsed) a second at most, over all senders; beyond it datagrams are dropped unread and counted. */
      max_bytes_per_s: number;
    };
    /** Each track is sent at most every this-many seconds. */
    interval_s: number;
    stale_s: number;
    uid_prefix: string;
    /**
     * CoT `opex` of every event: `o` operations, `e` exercise, `s` simulation (optionally
     * `-<name>`); null: `s-skywarden-demo` in demo mode, else `e` while `alerts.cap_status` is
     * Exercise and `o` when it is Actual.
     */
    opex: string | null;
    /**
     * TAK protocol: `auto` (default, as TAK clients do) switches a TAK Server connection to
     * protocol 1 (protobuf) when the server offers it and sends XML over UDP; `1` also sends
     * protocol 1 over UDP (mesh framing); `xml` never switches. Both are read everywhere.
     */
    protocol: 'auto' | 'xml' | 1 | '1';
    /** Take TAK users' air markers as observer detections. */
    read_markers: boolean;
    /** Sensor id of those detections (registered as kind `observer` when missing). */
    observer_sensor: string;
    /**
     * That sensor's own rate limit, markers per second and burst, in place of the ingest's (one
     * sensor relays every TAK user's markers; at the ingest's 2,000/s and burst of 20,000 a
     * flooding TAK Server put 42,848 markers in the picture in 10 s).
     */
    rate_per_s: number;
    burst: number;
  };
  /** ASTERIX CAT062 system tracks over UDP (transports/asterix-out.ts). */
  asterix: {
    enabled: boolean;
    host: string;
    port: number;
    sac: number;
    sic: number;
    /** I062/015 service identification, or null. */
    service_id: number | null;
    interval_s: number;
    max_block_bytes: number;
    /** Multicast TTL when `host` is a multicast group. */
    ttl: number;
    /** CAT065 SDPS status every this many seconds (0: none); an end-of-batch message follows each update. */
    status_period_s: number;
    /** Write each track's class designator in I062/245 (STI 1), docs/standards.md "Identity and class in CAT062". */
    class_in_callsign: boolean;
  };
  /** ASTERIX input over UDP: CAT048 plots and CAT062 system tracks (transports/asterix-in.ts). */
  asterix_in: {
    enabled: boolean;
    host: string;
    port: number;
    /** Multicast group to join, or null. */
    group: string | null;
    /** Senders allowed (addresses or CIDRs, comma-separated); null: see allow_any. */
    allow_from: string | null;
    /** Read datagrams from anyone (on a closed network) when the listener is not on loopback. */
    allow_any: boolean;
    /** CAT048 sources (radars). */
    radars: AsterixSourceConfig[];
    /** CAT062 sources (other trackers). */
    trackers: AsterixSourceConfig[];
    /** CAT062 from an unlisted SAC/SIC is taken as sensor `asterix-<sac>-<sic>`. */
    accept_unknown: boolean;
    /** Most sources `accept_unknown` registers; records from further new SAC/SICs are refused (counted, logged). */
    max_unknown_sources: number;
    /** Bytes of datagrams the listener reads a second (a token bucket of one second's worth); beyond, datagrams are dropped unread. */
    max_bytes_per_s: number;
  };
  /** SAPIENT (BSI Flex 335 v2.0) fusion node: a TCP server sensors connect to (transports/sapient-node.ts). */
  sapient: {
    enabled: boolean;
    host: string;
    port: number;
    /** Skywarden's node UUID (null: a new one at each start). */
    node_id: string | null;
    max_frame_bytes: number;
    /** Nodes accepted and their sensor ids. */
    nodes: SapientNodeConfig[];
    /** Accept any node, as sensor `sapient-<node_id>`. */
    accept_unknown: boolean;
    /** A connection that sends nothing for this long (s) is closed (a node reports its status every few seconds). */
    idle_timeout_s: number;
    /** Most simultaneous node connections; more are refused. */
    max_connections: number;
    /** Most simultaneous connections from one address (one host cannot take every slot); more are refused. */
    max_connections_per_address: number;
    /** A connection that has registered no node this long (s) after it opened is closed: idle ones cannot hold the slots real nodes need. */
    registration_timeout_s: number;
    /** Most nodes `accept_unknown` registers; Registrations of further new node ids are refused (counted, logged). */
    max_unknown_nodes: number;
    /** Most node ids one connection may register; a Registration of one more is refused. */
    max_nodes_per_connection: number;
    /** Most elements (sub-messages and repeated values) one SapientMessage may hold; a message of more is refused before it is decoded. */
    max_message_elements: number;
    /** Bytes of replies waiting to be sent to a connection (a client that does not read) past which it is closed. */
    max_write_backlog_bytes: number;
    /** TLS with client certificates (PEM file paths): nodes must present a certificate signed by `ca`. Null: plain TCP. */
    tls: { cert: string; key: string; ca: string } | null;
    /** Plain TCP on an address other than loopback (anyone who can reach the port and knows a node UUID can inject detections). Default false: refused. */
    allow_plaintext: boolean;
    /** Register with a parent fusion node and report the fused tracks to it; null: off. Missing keys take the defaults of SAPIENT_PARENT_DEFAULTS. */
    parent: SapientParentConfig | null;
  };
  /**
   * The bus between ingest and fusion (bus/bus.ts): `local` (in the process, no persistence)
   * or `nats` (NATS JetStream: journalled detections on `<subject_prefix>.detections.<region>`
   * in the stream `stream`, which the service creates when missing).
   */
  bus: { kind: 'local' | 'nats'; url: string; stream: string; subject_prefix: string; region: string; replicas: number | null };
  /**
   * Fusion as a cluster (cluster/, docs/deployment.md "Cluster"): this process's `role`
   * (`all`: ingest, fusion and API in one, as without a cluster; `ingest`, `fusion`, `api`:
   * one part, over NATS JetStream) and the tiling the fusion workers share.
   */
  cluster: {
    role: 'all' | 'ingest' | 'fusion' | 'api';
    regions: Record<string, unknown>[];
    overlap_m: number;
    worker_id: string | null;
    prefer: string[] | null;
    lease_ttl_s: number;
    lease_renew_s: number;
    handover_gate_m: number;
    sensor_reach_m: number;
    stale_s: number;
  };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  /** The web map (packages/web). */
  web: {
    /**
     * A PMTiles (v3) file of the user's own base map (another region, roads, ...), served at
     * /api/v1/basemap/tiles.pmtiles with HTTP Range and drawn by the map under its outlines
     * (raster tiles as they are, vector tiles with a built-in plain style); null: none.
     */
    basemap_pmtiles: string | null;
    /** The attribution the tiles' licence asks for, shown on the map (required with basemap_pmtiles). */
    basemap_attribution: string | null;
  };
}

export const DEFAULT_CONFIG: ServerConfig = {
  data_dir: './skywarden-data',
  http: { host: '127.0.0.1', port: 8080, body_limit_bytes: 8 * 1024 * 1024, metrics_token: null, request_timeout_s: 30, max_connections: 1024, max_connections_per_address: 128, max_stream_clients: 256, max_concurrent_reads: 4, trust_proxy: null, public_url: null },
  mqtt: {
    mode: 'embedded',
    host: '127.0.0.1',
    port: 1883,
    url: 'mqtt://127.0.0.1:1883',
    username: null,
    password: null,
    client_id: 'skywarden-service',
    topic_prefix: 'skywarden/v1',
    max_message_bytes: 1024 * 1024,
    max_packet_bytes: 64 * 1024,
    packet_timeout_s: 30,
    min_upload_bytes_per_s: 8 * 1024,
    session_expiry_max_s: 3600,
    max_pending_sessions: 1000,
    max_connections: 20_000,
    max_connections_per_address: 1000,
  },
  store: { kind: 'sqlite', path: null, sync: 'full', worker: true, url: 'postgres://postgres@127.0.0.1:5432/skywarden', schema: 'skywarden', postgis: 'prefer' },
  sensors: { file: null, list: [] },
  credentials: [],
  ingest: { max_batch: 10000, rate_per_s: 2000, burst: 20000, max_future_s: 30, commit_wait_ms: 2 },
  // reports every 0.25 s: a detection reaches the stream at most 0.25 s (plus the work) after
  // the reorder delay (docs/server.md, Latency); track states stored once a second (store_every
  // defaults to round(1 / report_every_s))
  fusion: { reorder_delay_s: 5, report_every_s: 0.25, replay_window_s: 900, store_every: 4, tick_ms: 250, acoustic_clouds: true, associator: 'jpda' },
  zones: { file: null, kr_admin: [], lead_s: 300 },
  alerts: { interval_s: 5, cap_status: 'Exercise', cap_sender: 'skywarden@localhost', public_feed: false, cap_languages: null, instructions: {}, ...ALERT_POLICY_DEFAULTS },
  health: { silent_after_s: 300, stuck_per_min: 30, max_position_offset_m: 5000 },
  auth: { users: [], session_ttl_s: 12 * 3600, open_viewing: false, login_max_failures: 5, login_window_s: 300, sensor_max_failures: 50 },
  webhooks: [],
  tak: {
    mode: 'off',
    host: '127.0.0.1',
    port: 8087,
    tls: null,
    reconnect_max_s: 30,
    udp: { mode: 'off', host: '239.2.3.1', port: 6969, ttl: null },
    listen: { enabled: false, host: '127.0.0.1', port: 6969, group: null, allow_from: null, allow_any: false, max_bytes_per_s: 1024 * 1024 },
    interval_s: 1,
    stale_s: 15,
    uid_prefix: 'skywarden-',
    opex: null,
    protocol: 'auto',
    read_markers: true,
    observer_sensor: 'tak-observer',
    rate_per_s: 100,
    burst: 1000,
  },
  asterix: { enabled: false, host: '127.0.0.1', port: 8600, sac: 0, sic: 1, service_id: null, interval_s: 1, max_block_bytes: 1400, ttl: 1, status_period_s: 10, class_in_callsign: true },
  asterix_in: { enabled: false, host: '127.0.0.1', port: 8601, group: null, allow_from: null, allow_any: false, radars: [], trackers: [], accept_unknown: false, max_unknown_sources: 16, max_bytes_per_s: 1024 * 1024 },
  sapient: { enabled: false, host: '127.0.0.1', port: 5020, node_id: null, max_frame_bytes: 1024 * 1024, nodes: [], accept_unknown: false, idle_timeout_s: 300, max_connections: 256, max_connections_per_address: 16, registration_timeout_s: 10, max_unknown_nodes: 16, max_nodes_per_connection: 64, max_message_elements: 2048, max_write_backlog_bytes: 1024 * 1024, tls: null, allow_plaintext: false, parent: null },
  bus: { kind: 'local', url: 'nats://127.0.0.1:4222', stream: 'SKYWARDEN', subject_prefix: 'skywarden', region: 'default', replicas: null },
  cluster: { role: 'all', regions: [], overlap_m: 10000, worker_id: null, prefer: null, lease_ttl_s: 5, lease_renew_s: 1.5, handover_gate_m: 500, sensor_reach_m: 20000, stale_s: 20 },
  log: { level: 'info' },
  web: { basemap_pmtiles: null, basemap_attribution: null },
};

export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; errors: string[] };

type Check = (v: unknown) => string | null;
const int = (lo: number, hi: number): Check => (v) => (Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi ? null : `an integer in [${lo}, ${hi}]`);
const num = (lo: number, hi: number): Check => (v) => (typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi ? null : `a number in [${lo}, ${hi}]`);
const str: Check = (v) => (typeof v === 'string' && v.length > 0 ? null : 'a non-empty string');
const strOrNull: Check = (v) => (v === null || (typeof v === 'string' && v.length > 0) ? null : 'a non-empty string or null');
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'true or false');
const oneOf = (...xs: string[]): Check => (v) => (typeof v === 'string' && xs.includes(v) ? null : `one of ${xs.map((x) => JSON.stringify(x)).join(', ')}`);
const strList: Check = (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0) ? null : 'a list of non-empty strings');
const objList: Check = (v) => (Array.isArray(v) && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x)) ? null : 'a list of objects');

/** Longest instruction text taken per language and kind (`alerts.instructions`): several screens of a phone. */
const INSTRUCTION_MAX = 2000;
/** A language tag as BCP 47 writes its common forms: a 2-3 letter language, then subtags of 1-8 letters or digits. */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;

/** The check of every scalar setting, by path. Lists of objects are checked item by item below. */
const CHECKS: Record<string, Check> = {
  data_dir: str,
  'http.host': str,
  'http.port': int(0, 65535),
  'http.body_limit_bytes': int(1024, 1 << 30),
  'http.request_timeout_s': int(1, 3600),
  'http.max_connections': int(1, 1_000_000),
  'http.max_connections_per_address': int(1, 1_000_000),
  'http.max_stream_clients': int(1, 1_000_000),
  'http.max_concurrent_reads': int(1, 10_000),
  'http.metrics_token': (v) => (v === null || (typeof v === 'string' && v.length >= 16) ? null : 'null or a token of at least 16 characters'),
  'http.trust_proxy': (v) => (v === null || (typeof v === 'string' && v.length > 0) ? null : 'null or the reverse proxies\' addresses or CIDRs, comma-separated (e.g. "127.0.0.1,10.0.0.0/8")'),
  'http.public_url': (v) => (v === null || (typeof v === 'string' && /^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(v) && !v.endsWith('/')) ? null : 'null or the URL the service is reached at, without a trailing slash (e.g. https://warn.example.org)'),
  'mqtt.mode': oneOf('embedded', 'external', 'off'),
  'mqtt.host': str,
  'mqtt.port': int(0, 65535),
  'mqtt.url': (v) => (typeof v === 'string' && /^(mqtts?|wss?|tcp|tls):\/\/./.test(v) ? null : 'a URL such as mqtt://127.0.0.1:1883'),
  'mqtt.username': strOrNull,
  'mqtt.password': strOrNull,
  'mqtt.client_id': str,
  'mqtt.topic_prefix': (v) => (typeof v === 'string' && /^[^#+]+$/.test(v) && !v.endsWith('/') ? null : 'a topic prefix without wildcards or a trailing slash'),
  'mqtt.max_message_bytes': int(1024, 256 * 1024 * 1024),
  'mqtt.max_packet_bytes': int(1024, 256 * 1024 * 1024),
  'mqtt.packet_timeout_s': int(1, 3600),
  'mqtt.min_upload_bytes_per_s': int(128, 1 << 30),
  'mqtt.max_connections': int(1, 1_000_000),
  'mqtt.max_connections_per_address': int(1, 1_000_000),
  'mqtt.session_expiry_max_s': int(1, 0xfffffffe),
  'mqtt.max_pending_sessions': int(1, 1_000_000),
  'store.kind': oneOf('sqlite', 'postgres'),
  'store.path': strOrNull,
  'store.sync': oneOf('full', 'normal'),
  'store.postgis': oneOf('prefer', 'require', 'off'),
  'store.worker': bool,
  'store.url': (v) => (typeof v === 'string' && /^postgres(ql)?:\/\//.test(v) ? null : 'a postgres:// connection URL'),
  'store.schema': (v) => (typeof v === 'string' && /^[a-z_][a-z0-9_]{0,62}$/.test(v) ? null : 'a lower-case SQL identifier'),
  'sensors.file': strOrNull,
  'sensors.list': objList,
  credentials: objList,
  'ingest.max_batch': int(1, 1_000_000),
  'ingest.rate_per_s': num(0.001, 1e7),
  'ingest.burst': num(1, 1e8),
  'ingest.max_future_s': num(0, 86400),
  'ingest.commit_wait_ms': num(0, 1000),
  'fusion.reorder_delay_s': num(0, 600),
  'fusion.report_every_s': num(0.05, 3600),
  'fusion.replay_window_s': num(0, 7 * 86400),
  'fusion.acoustic_clouds': bool,
  'fusion.associator': oneOf('gnn', 'jpda'),
  'fusion.store_every': int(0, 3600),
  'fusion.tick_ms': int(10, 60000),
  'zones.file': strOrNull,
  'zones.kr_admin': strList,
  'zones.lead_s': num(0, ZONE_LEAD_MAX_S),
  'alerts.interval_s': num(0, 3600),
  'alerts.cap_status': oneOf('Actual', 'Exercise'),
  'alerts.cap_sender': (v) => {
    // every CAP message and the Atom feed carry it (checkCapSender: CAP's token rules, at most 256 characters, readable as written)
    const bad = typeof v === 'string' ? checkCapSender(v) : 'it must be a string';
    return bad ? `a CAP sender id (${bad})` : null;
  },
  'alerts.public_feed': bool,
  // the alert policy's ranges (core/alerts/policy.ts), as skywarden track --alert-policy checks them
  ...Object.fromEntries(Object.entries(ALERT_POLICY_RANGES).map(([k, [lo, hi]]) => [`alerts.${k}`, num(lo, hi)])),
  'alerts.cap_languages': (v) => {
    if (v === null) return null;
    if (!Array.isArray(v) || v.length === 0) return 'null or a non-empty list of language tags';
    for (const x of v) if (typeof x !== 'string' || !CAP_LANGUAGES.includes(x.split('-')[0].toLowerCase())) return `language tags with built-in texts (${CAP_LANGUAGES.join(', ')}), got ${JSON.stringify(x)}`;
    return new Set(v).size === v.length ? null : 'tags without repeats';
  },
  'alerts.instructions': (v) => {
    if (!(isObj(v) && Object.values(v).every((x) => isObj(x) && Object.entries(x).every(([k, t]) => (k === 'shelter' || k === 'clear') && typeof t === 'string' && t.trim() !== '')))) {
      return 'an object of language tag -> { shelter?, clear? } (non-empty texts)';
    }
    // the texts go to residents (CAP <instruction>, the public page): each must read as written
    // (line feeds allowed), at a length a phone shows, under a key that is a language tag
    for (const [lang, x] of Object.entries(v)) {
      if (!LANGUAGE_TAG.test(lang)) return `an object keyed by language tags (such as en, ko, uk-UA), not ${JSON.stringify(lang.slice(0, 40))}`;
      for (const [k, t] of Object.entries(x as Record<string, string>)) {
        const bad = t.length > INSTRUCTION_MAX ? `${lang}.${k} has ${t.length} characters, at most ${INSTRUCTION_MAX}` : checkText(`${lang}.${k}`, t, true);
        if (bad) return `instructions that read as written (${bad})`;
      }
    }
    return null;
  },
  'health.silent_after_s': num(1, 86400 * 30),
  'health.stuck_per_min': num(1, 1e6),
  'health.max_position_offset_m': num(1, 1e7),
  'auth.users': objList,
  'auth.session_ttl_s': num(60, 86400 * 365),
  'auth.login_max_failures': int(1, 1000),
  'auth.login_window_s': num(1, 86400),
  'auth.sensor_max_failures': int(1, 1_000_000),
  'auth.open_viewing': bool,
  webhooks: objList,
  'tak.mode': oneOf('off', 'client'),
  'tak.host': str,
  'tak.port': int(1, 65535),
  'tak.tls': (v) =>
    v === null || (isObj(v) && typeof v.cert === 'string' && v.cert.length > 0 && typeof v.key === 'string' && v.key.length > 0 && (v.ca === undefined || (typeof v.ca === 'string' && v.ca.length > 0)) && (v.reject_unauthorized === undefined || typeof v.reject_unauthorized === 'boolean') && (v.server_name === undefined || typeof v.server_name === 'string'))
      ? null
      : 'null or {cert, key, ca?, reject_unauthorized?, server_name?} (PEM file paths)',
  'tak.reconnect_max_s': num(1, 3600),
  'tak.udp.mode': oneOf('off', 'multicast', 'unicast'),
  'tak.udp.host': str,
  'tak.udp.port': int(1, 65535),
  'tak.udp.ttl': (v) => (v === null || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255) ? null : 'null or an integer in [0, 255]'),
  'tak.listen.enabled': bool,
  'tak.listen.host': str,
  'tak.listen.port': int(0, 65535),
  'tak.listen.group': strOrNull,
  'tak.listen.allow_from': (v) => (v === null || (typeof v === 'string' && parseAllowList(v) !== null) ? null : 'null or source addresses or CIDRs, comma-separated (e.g. "10.20.0.0/16,192.168.1.7")'),
  'tak.listen.allow_any': bool,
  'tak.listen.max_bytes_per_s': int(1024, 1 << 30),
  'tak.interval_s': num(0, 3600),
  'tak.stale_s': num(1, 86400),
  'tak.uid_prefix': (v) => (typeof v === 'string' && /^[A-Za-z0-9_.:-]{1,40}$/.test(v) ? null : '1-40 letters, digits or _.:-'),
  'tak.opex': (v) => (v === null || (typeof v === 'string' && COT_OPEX.test(v)) ? null : 'null or o, e or s, optionally followed by -<name> (letters, digits, . _ -)'),
  'tak.protocol': (v) => (v === 'auto' || v === 'xml' || v === 1 || v === '1' ? null : 'auto, xml or 1'),
  'tak.read_markers': bool,
  'tak.observer_sensor': str,
  'tak.rate_per_s': num(0.001, 1e7),
  'tak.burst': num(1, 1e9),
  'asterix.enabled': bool,
  'asterix.host': str,
  'asterix.port': int(1, 65535),
  'asterix.sac': int(0, 255),
  'asterix.sic': int(0, 255),
  'asterix.service_id': (v) => (v === null || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255) ? null : 'null or an integer in [0, 255]'),
  'asterix.interval_s': num(0.1, 3600),
  'asterix.max_block_bytes': int(100, 65507),
  'asterix.ttl': int(0, 255),
  'asterix.status_period_s': num(0, 3600),
  'asterix.class_in_callsign': bool,
  'asterix_in.enabled': bool,
  'asterix_in.host': str,
  'asterix_in.port': int(0, 65535),
  'asterix_in.group': strOrNull,
  'asterix_in.allow_from': (v) => (v === null || (typeof v === 'string' && parseAllowList(v) !== null) ? null : 'null or source addresses or CIDRs, comma-separated (e.g. "10.20.0.0/16,192.168.1.7")'),
  'asterix_in.allow_any': bool,
  'asterix_in.radars': objList,
  'asterix_in.trackers': objList,
  'asterix_in.accept_unknown': bool,
  'asterix_in.max_unknown_sources': int(0, 65536),
  'asterix_in.max_bytes_per_s': int(1024, 1 << 30),
  'sapient.enabled': bool,
  'sapient.host': str,
  'sapient.port': int(0, 65535),
  'sapient.node_id': (v) => (v === null || (typeof v === 'string' && /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(v)) ? null : 'null or a UUID'),
  'sapient.max_frame_bytes': int(1024, 64 * 1024 * 1024),
  'sapient.nodes': objList,
  'sapient.accept_unknown': bool,
  'sapient.idle_timeout_s': int(5, 86400),
  'sapient.max_connections': int(1, 100_000),
  'sapient.max_connections_per_address': int(1, 100_000),
  'sapient.registration_timeout_s': int(1, 3600),
  'sapient.max_unknown_nodes': int(0, 65536),
  'sapient.max_nodes_per_connection': int(1, 4096),
  'sapient.max_message_elements': int(64, 1_000_000),
  'sapient.max_write_backlog_bytes': int(64 * 1024, 1024 * 1024 * 1024),
  'sapient.tls': (v) =>
    v === null || (isObj(v) && ['cert', 'key', 'ca'].every((k) => typeof v[k] === 'string' && (v[k] as string).length > 0) && Object.keys(v).every((k) => ['cert', 'key', 'ca'].includes(k)))
      ? null
      : 'null or {cert, key, ca} (PEM file paths; ca signs the nodes\' client certificates)',
  'sapient.allow_plaintext': bool,
  'sapient.parent': (v) => (v === null || isObj(v) ? null : 'null or {host, port, node_id?, interval_s?, status_interval_s?, tls?, reconnect_max_s?, max_queue?}'),
  'bus.kind': oneOf('local', 'nats'),
  'bus.url': (v) => (typeof v === 'string' && v.split(',').every((u) => /^(nats|tls|ws|wss):\/\/./.test(u.trim())) ? null : 'a URL such as nats://127.0.0.1:4222 (several: comma-separated)'),
  'bus.stream': (v) => (typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? null : '1-64 letters, digits, _ or -'),
  'bus.subject_prefix': (v) => (typeof v === 'string' && SUBJECT_PREFIX.test(v) ? null : 'dot-separated tokens of letters, digits, _ or - (no wildcards)'),
  'bus.region': (v) => (typeof v === 'string' && SUBJECT_TOKEN.test(v) ? null : 'letters, digits, _ or - (one subject token)'),
  'bus.replicas': (v) => (v === null || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 5) ? null : 'an integer in [1, 5] (the stream\'s replicas in a NATS cluster), or null to keep an existing stream\'s'),
  'cluster.role': oneOf('all', 'ingest', 'fusion', 'api'),
  'cluster.regions': objList,
  'cluster.overlap_m': num(0, 1e6),
  'cluster.worker_id': (v) => (v === null || (typeof v === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(v)) ? null : 'null or 1-64 letters, digits or _.:-'),
  'cluster.prefer': (v) => (v === null ? null : strList(v) === null || (Array.isArray(v) && v.length === 0) ? null : 'null (every region) or a list of region ids ([]: none, a standby)'),
  'cluster.lease_ttl_s': num(1, 600),
  'cluster.lease_renew_s': num(0.1, 300),
  'cluster.handover_gate_m': num(1, 1e5),
  'cluster.sensor_reach_m': num(0, 1e6),
  'cluster.stale_s': num(1, 3600),
  'log.level': oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  'web.basemap_pmtiles': (v) => (v === null || (typeof v === 'string' && v.length > 0) ? null : 'null or the path of a PMTiles file (convert MBTiles with `pmtiles convert in.mbtiles out.pmtiles`)'),
  'web.basemap_attribution': strOrNull,
};

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
};

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge of plain objects (arrays and scalars replace). */
function merge(base: Record<string, unknown>, over: Record<string, unknown>, path: string, errors: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in base)) {
      errors.push(`${p} is not a setting (known here: ${Object.keys(base).join(', ')})`);
      continue;
    }
    if (isObj(base[k]) && Object.keys(base[k] as object).length === 0) {
      // an empty default object is a free map (alerts.instructions): taken whole, checked by CHECKS
      out[k] = v;
    } else if (isObj(base[k]) && !Array.isArray(base[k])) {
      if (!isObj(v)) errors.push(`${p} must be a section (an object), got ${show(v)}`);
      else out[k] = merge(base[k] as Record<string, unknown>, v, p, errors);
    } else out[k] = v;
  }
  return out;
}

/** The overrides of SKYWARDEN__A__B=value variables as a nested object, with each variable's path resolved against the defaults' spelling. */
export function envOverrides(env: Record<string, string | undefined>): { over: Record<string, unknown>; errors: string[] } {
  const over: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('SKYWARDEN__') || raw === undefined) continue;
    const parts = name.slice('SKYWARDEN__'.length).toLowerCase().split('__');
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a plain string */
    }
    let node = over;
    let known: unknown = DEFAULT_CONFIG;
    for (let i = 0; i < parts.length; i++) {
      const key = parts[i];
      if (!isObj(known) || !(key in known)) {
        errors.push(`environment ${name}: ${parts.slice(0, i + 1).join('.')} is not a setting`);
        break;
      }
      known = known[key];
      if (i === parts.length - 1) node[key] = value;
      else node = (node[key] ??= {}) as Record<string, unknown>;
    }
  }
  return { over, errors };
}

/** Defaults of `sapient.parent`'s optional keys. */
export const SAPIENT_PARENT_DEFAULTS = { node_id: null, interval_s: 1, status_interval_s: 5, tls: null, reconnect_max_s: 30, max_queue: 1000 } as const;

const SAPIENT_PARENT_CHECKS: Record<string, Check> = {
  host: str,
  port: int(1, 65535),
  node_id: (v) => (v === null || (typeof v === 'string' && /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(v)) ? null : 'null or a UUID'),
  interval_s: num(0, 3600),
  status_interval_s: num(0.1, 86400),
  tls: (v) =>
    v === null || (isObj(v) && Object.entries(v).every(([k, x]) => (['cert', 'key', 'ca', 'server_name'].includes(k) && typeof x === 'string' && x.length > 0) || (k === 'reject_unauthorized' && typeof x === 'boolean')) && (v.cert === undefined) === (v.key === undefined))
      ? null
      : 'null or {cert?, key?, ca?, reject_unauthorized?, server_name?} (PEM file paths; cert and key together)',
  reconnect_max_s: num(1, 3600),
  max_queue: int(1, 1_000_000),
};

/** `sapient.parent` with its defaults filled in; problems named in `errors`. */
function checkSapientParent(p: Record<string, unknown>, errors: string[]): SapientParentConfig {
  const out: Record<string, unknown> = { ...SAPIENT_PARENT_DEFAULTS, ...p };
  for (const k of Object.keys(p)) if (!(k in SAPIENT_PARENT_CHECKS)) errors.push(`sapient.parent.${k} is not a setting (known here: ${Object.keys(SAPIENT_PARENT_CHECKS).join(', ')})`);
  for (const [k, check] of Object.entries(SAPIENT_PARENT_CHECKS)) {
    if (out[k] === undefined) {
      errors.push(`sapient.parent.${k} is required`);
      continue;
    }
    const want = check(out[k]);
    if (want !== null) errors.push(`sapient.parent.${k} must be ${want}, got ${show(out[k])}`);
  }
  return out as unknown as SapientParentConfig;
}

function checkItems(cfg: ServerConfig, errors: string[]): void {
  errors.push(...checkRegions(cfg.cluster.regions));
  if (cfg.cluster.role !== 'all') {
    if (cfg.bus.kind !== 'nats') errors.push(`cluster.role ${cfg.cluster.role} needs bus.kind nats (the parts meet on NATS JetStream)`);
    if (cfg.cluster.regions.length === 0) errors.push(`cluster.role ${cfg.cluster.role} needs cluster.regions (at least one region)`);
  }
  for (const id of cfg.cluster.prefer ?? []) if (!cfg.cluster.regions.some((r) => r.id === id)) errors.push(`cluster.prefer names ${JSON.stringify(id)}, not among cluster.regions`);
  if (cfg.cluster.lease_renew_s * 2 > cfg.cluster.lease_ttl_s) errors.push(`cluster.lease_renew_s ${cfg.cluster.lease_renew_s} must be at most half of cluster.lease_ttl_s ${cfg.cluster.lease_ttl_s}`);
  cfg.auth.users.forEach((u, i) => {
    const p = `auth.users[${i}]`;
    if (typeof u.name !== 'string' || !/^[A-Za-z0-9_.@-]{1,64}$/.test(u.name)) errors.push(`${p}.name must be 1-64 letters, digits or _.@-, got ${show(u.name)}`);
    if (!['viewer', 'operator', 'admin'].includes(u.role)) errors.push(`${p}.role must be one of "viewer", "operator", "admin", got ${show(u.role)}`);
    const hasPw = typeof u.password === 'string' && u.password.length > 0;
    const hasHash = typeof u.password_hash === 'string' && u.password_hash.startsWith('scrypt$');
    if (hasPw === hasHash) errors.push(`${p} needs exactly one of password or password_hash (scrypt$...)`);
  });
  cfg.credentials.forEach((c, i) => {
    const p = `credentials[${i}]`;
    const single = typeof c.sensor === 'string' && c.sensor.length > 0;
    const gw = typeof c.gateway === 'string' && c.gateway.length > 0;
    if (single === gw) errors.push(`${p} needs exactly one of sensor or gateway`);
    if (gw && (!Array.isArray(c.sensors) || c.sensors.length === 0 || !c.sensors.every((s) => typeof s === 'string' && s.length > 0))) {
      errors.push(`${p}.sensors must list the sensor ids (or prefixes ending in *) the gateway publishes for`);
    }
    const hasTok = typeof c.token === 'string' && c.token.length >= 8;
    const hasHash = typeof c.token_hash === 'string' && c.token_hash.startsWith('scrypt$');
    if (hasTok === hasHash) errors.push(`${p} needs exactly one of token (at least 8 characters) or token_hash (scrypt$...)`);
  });
  cfg.webhooks.forEach((w, i) => {
    const p = `webhooks[${i}]`;
    if (typeof w.url !== 'string' || !/^https?:\/\/./.test(w.url)) errors.push(`${p}.url must be an http(s) URL, got ${show(w.url)}`);
    if (typeof w.secret !== 'string' || w.secret.length < 16) errors.push(`${p}.secret must be a string of at least 16 characters`);
    if (w.format !== undefined && w.format !== 'json' && w.format !== 'cap') errors.push(`${p}.format must be "json" or "cap", got ${show(w.format)}`);
    w.format ??= 'json';
  });
  const seenNodes = new Set<string>();
  cfg.sapient.nodes.forEach((n, i) => {
    const p = `sapient.nodes[${i}]`;
    if (typeof n.node_id !== 'string' || n.node_id.length === 0) errors.push(`${p}.node_id must be the node's UUID (a non-empty string), got ${show(n.node_id)}`);
    else if (seenNodes.has(n.node_id)) errors.push(`${p}.node_id ${show(n.node_id)} is listed twice`);
    else seenNodes.add(n.node_id);
    if (typeof n.sensor !== 'string' || n.sensor.length === 0) errors.push(`${p}.sensor must be a sensor id (a non-empty string), got ${show(n.sensor)}`);
    if (n.cert_cn !== undefined && !(typeof n.cert_cn === 'string' && n.cert_cn.length > 0)) errors.push(`${p}.cert_cn must be a certificate subject CN (a non-empty string), got ${show(n.cert_cn)}`);
    if (n.cert_cn !== undefined && cfg.sapient.tls === null) errors.push(`${p}.cert_cn needs sapient.tls (client certificates)`);
  });
  if (cfg.sapient.parent !== null) cfg.sapient.parent = checkSapientParent(cfg.sapient.parent as unknown as Record<string, unknown>, errors);
  const seenSources = new Set<string>();
  for (const [list, key] of [[cfg.asterix_in.radars, 'radars'], [cfg.asterix_in.trackers, 'trackers']] as const) {
    list.forEach((x, i) => {
      const p = `asterix_in.${key}[${i}]`;
      const byte = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255;
      if (!byte(x.sac)) errors.push(`${p}.sac must be an integer in [0, 255], got ${show(x.sac)}`);
      if (!byte(x.sic)) errors.push(`${p}.sic must be an integer in [0, 255], got ${show(x.sic)}`);
      const id = `${key}:${x.sac}/${x.sic}`;
      if (seenSources.has(id)) errors.push(`${p}: SAC ${x.sac} SIC ${x.sic} is listed twice`);
      seenSources.add(id);
      if (typeof x.sensor !== 'string' || x.sensor.length === 0) errors.push(`${p}.sensor must be a sensor id (a non-empty string), got ${show(x.sensor)}`);
      if (x.lat !== undefined && !(typeof x.lat === 'number' && x.lat >= -90 && x.lat <= 90)) errors.push(`${p}.lat must be a latitude in [-90, 90], got ${show(x.lat)}`);
      if (x.lon !== undefined && !(typeof x.lon === 'number' && x.lon >= -180 && x.lon <= 180)) errors.push(`${p}.lon must be a longitude in [-180, 180], got ${show(x.lon)}`);
      if (x.alt_m !== undefined && !(typeof x.alt_m === 'number' && Number.isFinite(x.alt_m))) errors.push(`${p}.alt_m must be a number (m), got ${show(x.alt_m)}`);
      if ((x.lat === undefined) !== (x.lon === undefined)) errors.push(`${p}: give both lat and lon, or neither (the sensor's registered position is used)`);
    });
  }
  const loopback = (h: string) => h === 'localhost' || h === '::1' || /^127\./.test(h);
  if (cfg.sapient.enabled && cfg.sapient.tls === null && !loopback(cfg.sapient.host) && !cfg.sapient.allow_plaintext) {
    errors.push(
      `sapient.host ${show(cfg.sapient.host)} is not loopback and sapient.tls is off: anyone who can reach the port and knows a node UUID could inject detections. Set sapient.tls (client certificates), or sapient.allow_plaintext: true on a closed network`,
    );
  }
  const ai = cfg.asterix_in;
  if (ai.enabled && ai.allow_from === null && !ai.allow_any && (!loopback(ai.host) || ai.group !== null)) {
    errors.push(
      `asterix_in on ${show(ai.host)}${ai.group !== null ? ` (group ${ai.group})` : ''} reads unauthenticated ASTERIX from anyone who can reach it: set asterix_in.allow_from to the radars' and trackers' addresses or CIDRs, or asterix_in.allow_any: true on a closed network`,
    );
  }
  const l = cfg.tak.listen;
  if (l.enabled && l.allow_from === null && !l.allow_any && (!loopback(l.host) || l.group !== null)) {
    errors.push(
      `tak.listen on ${show(l.host)}${l.group !== null ? ` (group ${l.group})` : ''} reads unauthenticated CoT from anyone who can reach it: set tak.listen.allow_from to the senders' addresses or CIDRs, or tak.listen.allow_any: true on a closed network`,
    );
  }
  if (cfg.zones.file !== null && cfg.zones.kr_admin.length > 0) errors.push('zones.file and zones.kr_admin exclude each other: choose one');
  if (cfg.web.basemap_pmtiles !== null && cfg.web.basemap_attribution === null) {
    errors.push(`web.basemap_attribution is required with web.basemap_pmtiles (${show(cfg.web.basemap_pmtiles)}): the attribution its data's licence asks for, e.g. "© OpenStreetMap contributors"`);
  }
  for (const p of cfg.zones.kr_admin) {
    if (krProvinceCode(p) === undefined) errors.push(`zones.kr_admin: unknown province ${show(p)} (known: ${Object.values(KR_PROVINCES).join(', ')}, or a two-digit KOSTAT code)`);
  }
}

/** The SQLite store's file: `store.path`, else `skywarden.db` in the data folder. */
export function sqliteStorePath(c: ServerConfig): string {
  return c.store.path ?? join(c.data_dir, 'skywarden.db');
}

/**
 * A source allow list ("10.0.0.0/8, 192.168.1.7, fd00::/8") as a BlockList of the allowed
 * addresses, or null when an entry is not an address or CIDR.
 */
export function parseAllowList(text: string): BlockList | null {
  const list = new BlockList();
  const entries = text.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  if (entries.length === 0) return null;
  for (const e of entries) {
    const [addr, bits, extra] = e.split('/');
    const family = isIP(addr);
    if (family === 0 || extra !== undefined) return null;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const n = Number(bits);
      if (!Number.isInteger(n) || n < 0 || n > (family === 6 ? 128 : 32) || !/^\d+$/.test(bits)) return null;
      list.addSubnet(addr, n, type);
    }
  }
  return list;
}

/**
 * Builds the configuration: defaults, then `file` (parsed YAML or JSON object, or null),
 * then environment overrides, then `flags` (already nested, e.g. `{ http: { port: 0 } }`).
 */
export function buildConfig(file: unknown, env: Record<string, string | undefined>, flags: Record<string, unknown> = {}): ConfigResult {
  const errors: string[] = [];
  if (file !== null && file !== undefined && !isObj(file)) return { ok: false, errors: [`the config file must hold a mapping (object) at its top, got ${show(file)}`] };
  let merged = merge(DEFAULT_CONFIG as unknown as Record<string, unknown>, (file ?? {}) as Record<string, unknown>, '', errors);
  const e = envOverrides(env);
  errors.push(...e.errors);
  merged = merge(merged, e.over, '', errors);
  merged = merge(merged, flags, '', errors);
  // fusion.store_every, when no source sets it, keeps one stored state per track a second
  const setsStoreEvery = (o: unknown) => isObj(o) && isObj(o.fusion) && o.fusion.store_every !== undefined;
  if (![file, e.over, flags].some(setsStoreEvery) && isObj(merged.fusion)) {
    const every = merged.fusion.report_every_s;
    if (typeof every === 'number' && every > 0 && Number.isFinite(every)) merged.fusion.store_every = Math.max(1, Math.round(1 / every));
  }
  for (const [path, check] of Object.entries(CHECKS)) {
    let v: unknown = merged;
    for (const k of path.split('.')) v = (v as Record<string, unknown>)[k];
    const want = check(v);
    if (want !== null) errors.push(`${path} must be ${want}, got ${show(v)}`);
  }
  const cfg = merged as unknown as ServerConfig;
  if (errors.length === 0) checkItems(cfg, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: cfg };
}

/** Parses a config file's text (YAML, of which JSON is a subset). */
export function parseConfigText(text: string, name: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    const doc = YAML.parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) return { ok: false, error: `${name}: ${doc.errors[0].message}` };
    return { ok: true, value: doc.toJS() };
  } catch (err) {
    return { ok: false, error: `${name}: ${parseErrorMessage(err)}` };
  }
}
