/** The `skywarden` command line: dispatches to the subcommands. */
import { readFileSync } from 'node:fs';
import { alertPolicyOptions, type AlertMachineOptions } from '@skywarden/core';
import { isZoneNameLanguage, ZONE_LEAD_MAX_S } from '@skywarden/formats';
import { CliError, numberOption, parse, UsageError } from './args.js';
import { trackCommand } from './track.js';
import { demoCommand } from './demo.js';
import { scoreCommand } from './score.js';
import { simulateCommand } from './simulate.js';
import { zonesCommand } from './zones.js';
import { backupCommand, hashPasswordCommand, serveCommand } from './serve.js';

const USAGE = `usage: skywarden <command> [options]

commands:
  serve   [--config FILE] [--demo [--speed X] [--seed N]] [--port N] [--mqtt-port N] [--data-dir DIR] [--role ROLE]
          run the live service: MQTT and HTTP ingest, journal, live tracks and alerts, API, web map
  track   --sensors FILE --detections FILE|- --out FILE|- [--report-every S] [--reorder-delay S] [--strict]
          [--zones FILE --alerts FILE [--cap-dir DIR] [--cap-sender ID] [--alert-policy JSON] [--one-thread]]
          fuse detections (docs/interchange.md) into tracks; with zones, write alert changes (and CAP 1.2 messages)
  simulate --scenario FILE|PRESET --out DIR [--annotate]
          write sensors.json, detections.ndjson, truth.ndjson and zones.geojson for a scenario (YAML or JSON) or a preset (small, mixed, national)
  score   --truth FILE --tracks FILE|- [--zones FILE --alerts FILE] [--detections FILE --sensors FILE] [--json]
          score tracks against the truth (docs/interchange.md "Scoring": GOSPA, id switches, targets tracked)
  demo    [--seed N] [--targets N] [--duration S]
          simulate a raid over microphones, a radar, observers and ADS-B; track it; print a summary (no service: serve --demo runs that)
  zones   --in FILE --out FILE|- --id PROP [--name PROP] [--code PROP [--code-name NAME]] [--where PROP=VALUE ...]
          [--kind admin|site] [--lead S] [--names LANGS]
          turn any GeoJSON of districts into zones.geojson (the warning zones)
  hash-password   read a secret on standard input, print its hash for the config
  backup          copy the SQLite store while the service runs (restore: docs/deployment.md)
  help    this text; <command> --help for a command's options; --version

The file formats (sensors.json, detections.ndjson, tracks.ndjson, ...) and the scoring are in docs/interchange.md.
`;

const SCORE_USAGE = `usage: skywarden score --truth FILE --tracks FILE|- [--zones FILE --alerts FILE] [--detections FILE --sensors FILE] [--json]
  --truth FILE     truth.ndjson (sorted by t)
  --tracks FILE|-  tracks.ndjson (sorted by t), or - for standard input
  --zones FILE     zones.geojson, with --alerts: score the warnings too
  --alerts FILE    alerts.ndjson
  --detections FILE  annotated detections.ndjson (simulate --annotate), with --sensors: also the
                   coverage of observable target-seconds by what observed them
  --sensors FILE   sensors.json
  --json           print the metrics as JSON
  Both NDJSON files must be valid: the first bad line stops the scoring (exit code 1).`;

const SIMULATE_USAGE = `usage: skywarden simulate --scenario FILE|PRESET --out DIR [--annotate]
  --scenario FILE  a scenario, YAML or JSON (see examples/ and docs/simulator.md), or a
                   preset's name with its defaults: small, mixed, national
  --out DIR        folder for sensors.json, detections.ndjson, truth.ndjson, zones.geojson
  --annotate       add sim_target (the truth id, null for clutter) to each detection`;

const BACKUP_USAGE = `usage: skywarden backup [--config FILE] [--data-dir DIR] --out FILE
  A consistent copy of the SQLite store (journal, track states, alerts, sensors, users,
  audit), taken while the service runs. Restore: stop the service, put the copy in the data
  folder as skywarden.db, start it (docs/deployment.md). PostgreSQL: use pg_dump.`;

const ZONES_USAGE = `usage: skywarden zones --in FILE --out FILE|- --id PROP [options]
  Turns a GeoJSON FeatureCollection of districts (any source: national open data, Natural Earth,
  OpenStreetMap exports) into zones.geojson: id, name, kind, lead_s, code and name_<lang> only.
  --in FILE           the source GeoJSON (longitude, latitude: EPSG:4326)
  --out FILE|-        zones.geojson to write, or - for standard output
  --id PROP           source property of each zone's id (unique)
  --name PROP         source property of its name (default: the id)
  --code PROP         source property of its official code, for CAP <geocode>
  --code-name NAME    the code's name in CAP (e.g. ISO3166-2; default code)
  --where PROP=VALUE  keep only features whose PROP is VALUE (repeatable: all must hold)
  --kind admin|site   properties.kind of every zone
  --lead S            properties.lead_s of every zone (wanted warning lead, seconds)
  --names LANGS       languages whose name_<lang> properties are kept, comma-separated (e.g. ko,uk)`;

const HASH_USAGE = `usage: skywarden hash-password < secret.txt
  Reads a secret (8 characters or more) on standard input and prints its scrypt hash, for
  auth.users[].password_hash or credentials[].token_hash in the config.`;

const DEMO_USAGE = `usage: skywarden demo [--seed N] [--targets N] [--duration S]
  --seed N       random seed (default 1)
  --targets N    drones in the raid, 1..2000 (default 50)
  --duration S   seconds simulated, 60..7200 (default 600)`;

const TRACK_USAGE = `usage: skywarden track --sensors FILE --detections FILE|- --out FILE|- [options]
  --sensors FILE        sensors.json
  --detections FILE|-   detections.ndjson, or - for standard input
  --out FILE|-          tracks.ndjson to write, or - for standard output
  --report-every S      report interval in seconds, 0.05..3600 (default 1)
  --reorder-delay S     how late a detection may arrive, in seconds, 0..600 (default 5)
  --strict              stop at the first malformed or refused line (exit code 1)
  --zones FILE          zones.geojson: with --alerts, predict threats per zone and write alert changes
  --alerts FILE         alerts.ndjson to write (one row per change of a zone's alert state)
  --cap-dir DIR         with --zones and --alerts: also write each alert change as a CAP 1.2 message,
                        DIR/<identifier>.xml (status Exercise; DIR is created if needed)
  --cap-sender ID       CAP sender (default skywarden@<host name>); no spaces, commas, < or &, at most 256 characters
  --alert-policy JSON   with --zones: the raise thresholds, as the service's alerts.* settings, e.g.
                        '{"p_raise": 0.7}' (keys p_raise, p_raise_imminent, p_raise_imprecise, imprecise_sd_m)
  --one-thread          with --zones: predict the warnings in the main thread too (by default a worker
                        thread does, beside the tracking; the alerts are the same)
  --associator A        the tracker's data associator: jpda (default) or gnn (as fusion.associator;
                        docs/tracker.md "Joint probabilistic association")`;

const SERVE_USAGE = `usage: skywarden serve [--config FILE] [--demo [--speed X] [--seed N]] [--port N] [--mqtt-port N] [--data-dir DIR] [--role ROLE]
  --config FILE     YAML or JSON settings (docs/server.md); SKYWARDEN__SECTION__KEY=value overrides any
  --demo            play the simulated Seoul raid through the real MQTT and HTTP ingest (demo users printed)
  --speed X         demo clock rate (default 1: real time)
  --seed N          demo raid seed (default 7)
  --port N          HTTP port (default 8080; 0 = any free port, printed)
  --mqtt-port N     embedded MQTT broker port (default 1883; 0 = any free port, printed)
  --data-dir DIR    folder of the SQLite journal and store (default ./skywarden-data)
  --role ROLE       all (default), or one part of a cluster on NATS JetStream: ingest, fusion, api (cluster.role; docs/deployment.md)
  Stops gracefully on SIGTERM or SIGINT.`;

const HELP: Record<string, string> = { serve: SERVE_USAGE, track: TRACK_USAGE, score: SCORE_USAGE, demo: DEMO_USAGE, simulate: SIMULATE_USAGE, 'hash-password': HASH_USAGE, backup: BACKUP_USAGE, zones: ZONES_USAGE };

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== undefined && HELP[cmd] && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(HELP[cmd] + '\n');
    return 0;
  }
  try {
    switch (cmd) {
      case 'track': {
        const { values } = parse(
          rest,
          {
            sensors: { type: 'string' },
            detections: { type: 'string' },
            out: { type: 'string' },
            'report-every': { type: 'string' },
            'reorder-delay': { type: 'string' },
            strict: { type: 'boolean' },
            zones: { type: 'string' },
            alerts: { type: 'string' },
            'cap-dir': { type: 'string' },
            'cap-sender': { type: 'string' },
            'alert-policy': { type: 'string' },
            'one-thread': { type: 'boolean' },
            associator: { type: 'string' },
          },
          TRACK_USAGE,
        );
        for (const k of ['sensors', 'detections', 'out'] as const) {
          if (values[k] === undefined) throw new UsageError(`missing --${k}\n\n${TRACK_USAGE}`);
        }
        if ((values['cap-dir'] !== undefined || values['cap-sender'] !== undefined) && (values.zones === undefined || values.alerts === undefined)) {
          throw new UsageError(`--cap-dir and --cap-sender need --zones and --alerts\n\n${TRACK_USAGE}`);
        }
        if (values['cap-sender'] !== undefined && values['cap-dir'] === undefined) throw new UsageError(`--cap-sender needs --cap-dir\n\n${TRACK_USAGE}`);
        if ((values.zones === undefined) !== (values.alerts === undefined)) throw new UsageError(`--zones and --alerts go together\n\n${TRACK_USAGE}`);
        let alertPolicy: AlertMachineOptions | undefined;
        if (values['alert-policy'] !== undefined) {
          if (values.zones === undefined) throw new UsageError(`--alert-policy needs --zones and --alerts\n\n${TRACK_USAGE}`);
          let policy: unknown;
          try {
            policy = JSON.parse(values['alert-policy'] as string);
          } catch (err) {
            throw new UsageError(`--alert-policy: not JSON (${(err as Error).message})\n\n${TRACK_USAGE}`);
          }
          try {
            alertPolicy = alertPolicyOptions(policy, '--alert-policy');
          } catch (err) {
            throw new UsageError(`${(err as Error).message}\n\n${TRACK_USAGE}`);
          }
        }
        const associator = values.associator as string | undefined;
        if (associator !== undefined && associator !== 'gnn' && associator !== 'jpda') throw new UsageError(`--associator: "gnn" or "jpda", got ${JSON.stringify(associator)}\n\n${TRACK_USAGE}`);
        return await trackCommand({
          ...(associator ? { associator } : {}),
          sensors: values.sensors as string,
          detections: values.detections as string,
          out: values.out as string,
          reportEvery: numberOption(values['report-every'] as string | undefined, 'report-every', 1, (v) => v >= 0.05 && v <= 3600, 'a number of seconds in [0.05, 3600] (as fusion.report_every_s)'),
          reorderDelay: numberOption(values['reorder-delay'] as string | undefined, 'reorder-delay', 5, (v) => v >= 0 && v <= 600, 'a number of seconds in [0, 600] (as fusion.reorder_delay_s)'),
          strict: Boolean(values.strict),
          zones: values.zones as string | undefined,
          alerts: values.alerts as string | undefined,
          capDir: values['cap-dir'] as string | undefined,
          capSender: values['cap-sender'] as string | undefined,
          alertPolicy,
          oneThread: Boolean(values['one-thread']),
        });
      }
      case 'serve': {
        const { values } = parse(
          rest,
          { config: { type: 'string' }, demo: { type: 'boolean' }, speed: { type: 'string' }, seed: { type: 'string' }, port: { type: 'string' }, 'mqtt-port': { type: 'string' }, 'data-dir': { type: 'string' }, role: { type: 'string' } },
          SERVE_USAGE,
        );
        const port = (v: unknown, name: string) => (v === undefined ? undefined : numberOption(v as string, name, 0, (x) => Number.isInteger(x) && x >= 0 && x <= 65535, 'a port number, 0..65535'));
        if (!values.demo && (values.speed !== undefined || values.seed !== undefined)) throw new UsageError(`--speed and --seed go with --demo\n\n${SERVE_USAGE}`);
        return await serveCommand({
          config: values.config as string | undefined,
          demo: Boolean(values.demo),
          speed: values.speed === undefined ? undefined : numberOption(values.speed as string, 'speed', 1, (v) => v > 0 && v <= 1000, 'a number in (0, 1000]'),
          seed: values.seed === undefined ? undefined : numberOption(values.seed as string, 'seed', 7, Number.isInteger, 'an integer'),
          port: port(values.port, 'port'),
          mqttPort: port(values['mqtt-port'], 'mqtt-port'),
          dataDir: values['data-dir'] as string | undefined,
          role: values.role as string | undefined,
        });
      }
      case 'backup': {
        const { values } = parse(rest, { config: { type: 'string' }, 'data-dir': { type: 'string' }, out: { type: 'string' } }, BACKUP_USAGE);
        if (values.out === undefined) throw new UsageError(`missing --out\n\n${BACKUP_USAGE}`);
        return await backupCommand({ config: values.config as string | undefined, dataDir: values['data-dir'] as string | undefined, out: values.out as string });
      }
      case 'zones': {
        const { values } = parse(
          rest,
          {
            in: { type: 'string' },
            out: { type: 'string' },
            id: { type: 'string' },
            name: { type: 'string' },
            code: { type: 'string' },
            'code-name': { type: 'string' },
            where: { type: 'string', multiple: true },
            kind: { type: 'string' },
            lead: { type: 'string' },
            names: { type: 'string' },
          },
          ZONES_USAGE,
        );
        for (const k of ['in', 'out', 'id'] as const) if (values[k] === undefined) throw new UsageError(`missing --${k}\n\n${ZONES_USAGE}`);
        if (values['code-name'] !== undefined && values.code === undefined) throw new UsageError(`--code-name needs --code\n\n${ZONES_USAGE}`);
        const kind = values.kind as string | undefined;
        if (kind !== undefined && kind !== 'admin' && kind !== 'site') throw new UsageError(`--kind must be admin or site, got "${kind}"\n\n${ZONES_USAGE}`);
        const where: Record<string, string> = {};
        for (const w of (values.where as unknown as string[] | undefined) ?? []) {
          const eq = w.indexOf('=');
          if (eq <= 0) throw new UsageError(`--where must be PROP=VALUE, got "${w}"\n\n${ZONES_USAGE}`);
          where[w.slice(0, eq)] = w.slice(eq + 1);
        }
        const names = values.names === undefined ? undefined : (values.names as string).split(',').map((x) => x.trim()).filter(Boolean);
        for (const l of names ?? []) if (!isZoneNameLanguage(l)) throw new UsageError(`--names takes 2- or 3-letter language codes, got "${l}"\n\n${ZONES_USAGE}`);
        return await zonesCommand({
          in: values.in as string,
          out: values.out as string,
          idProperty: values.id as string,
          nameProperty: values.name as string | undefined,
          codeProperty: values.code as string | undefined,
          codeName: values['code-name'] as string | undefined,
          where: Object.keys(where).length > 0 ? where : undefined,
          kind: kind as 'admin' | 'site' | undefined,
          leadS: values.lead === undefined ? undefined : numberOption(values.lead as string, 'lead', 0, (v) => v >= 0 && v <= ZONE_LEAD_MAX_S, `a number of seconds in [0, ${ZONE_LEAD_MAX_S}]`),
          languages: names,
        });
      }
      case 'hash-password':
        if (rest.length > 0) throw new UsageError(`hash-password takes no arguments: ${rest.join(' ')}\n\n${HASH_USAGE}`);
        return await hashPasswordCommand();
      case 'simulate': {
        const { values } = parse(rest, { scenario: { type: 'string' }, out: { type: 'string' }, annotate: { type: 'boolean' } }, SIMULATE_USAGE);
        for (const k of ['scenario', 'out'] as const) if (values[k] === undefined) throw new UsageError(`missing --${k}\n\n${SIMULATE_USAGE}`);
        return await simulateCommand({ scenario: values.scenario as string, out: values.out as string, annotate: Boolean(values.annotate) });
      }
      case 'score': {
        const usage = SCORE_USAGE;
        const { values } = parse(
          rest,
          {
            truth: { type: 'string' },
            tracks: { type: 'string' },
            zones: { type: 'string' },
            alerts: { type: 'string' },
            detections: { type: 'string' },
            sensors: { type: 'string' },
            json: { type: 'boolean' },
          },
          usage,
        );
        for (const k of ['truth', 'tracks'] as const) if (values[k] === undefined) throw new UsageError(`missing --${k}\n\n${usage}`);
        // one standard input: one of the two may read it
        if (values.truth === '-' && values.tracks === '-') throw new UsageError(`only one of --truth and --tracks may be - (standard input)\n\n${usage}`);
        return await scoreCommand({
          truth: values.truth as string,
          tracks: values.tracks as string,
          zones: values.zones as string | undefined,
          alerts: values.alerts as string | undefined,
          detections: values.detections as string | undefined,
          sensors: values.sensors as string | undefined,
          json: Boolean(values.json),
        });
      }
      case 'demo': {
        const { values } = parse(rest, { seed: { type: 'string' }, targets: { type: 'string' }, duration: { type: 'string' } }, DEMO_USAGE);
        return await demoCommand({
          seed: numberOption(values.seed as string | undefined, 'seed', 1, Number.isInteger, 'an integer'),
          targets: numberOption(values.targets as string | undefined, 'targets', 50, (v) => Number.isInteger(v) && v > 0 && v <= 2000, 'an integer in 1..2000'),
          duration: numberOption(values.duration as string | undefined, 'duration', 600, (v) => v >= 60 && v <= 7200, 'seconds in [60, 7200]'),
        });
      }
      case '--version':
      case 'version':
        process.stdout.write(`skywarden ${version()}\n`);
        return 0;
      case undefined:
        process.stderr.write(USAGE);
        return 2;
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command "${cmd}"\n\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`skywarden: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CliError || (err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string')) {
      process.stderr.write(`skywarden: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
