/** The `skywarden` command line: dispatches to the subcommands. */
import { CliError, numberOption, parse, UsageError } from './args.js';
import { trackCommand } from './track.js';
import { demoCommand } from './demo.js';
import { scoreCommand } from './score.js';

const USAGE = `usage: skywarden <command> [options]

commands:
  track   --sensors FILE --detections FILE|- --out FILE|- [--report-every S] [--reorder-delay S] [--strict]
          fuse detections (spec/interchange.md) into tracks
  score   --truth FILE --tracks FILE [--zones FILE --alerts FILE] [--json]
          score tracks against the truth (spec Scoring: GOSPA, id switches, targets tracked)
  demo    [--seed N] [--targets N] [--duration S]
          simulate a raid over microphones, a radar, observers and ADS-B; track it; print a summary
  help    this text
`;

const TRACK_USAGE = `usage: skywarden track --sensors FILE --detections FILE|- --out FILE|- [options]
  --sensors FILE        sensors.json
  --detections FILE|-   detections.ndjson, or - for standard input
  --out FILE|-          tracks.ndjson to write, or - for standard output
  --report-every S      report interval in seconds (default 1)
  --reorder-delay S     how late a detection may arrive, in seconds (default 5)
  --strict              stop at the first malformed or refused line (exit code 1)`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'track': {
        if (rest.includes('--help') || rest.includes('-h')) {
          process.stdout.write(TRACK_USAGE + '\n');
          return 0;
        }
        const { values } = parse(
          rest,
          {
            sensors: { type: 'string' },
            detections: { type: 'string' },
            out: { type: 'string' },
            'report-every': { type: 'string' },
            'reorder-delay': { type: 'string' },
            strict: { type: 'boolean' },
          },
          TRACK_USAGE,
        );
        for (const k of ['sensors', 'detections', 'out'] as const) {
          if (values[k] === undefined) throw new UsageError(`missing --${k}\n\n${TRACK_USAGE}`);
        }
        return await trackCommand({
          sensors: values.sensors as string,
          detections: values.detections as string,
          out: values.out as string,
          reportEvery: numberOption(values['report-every'] as string | undefined, 'report-every', 1, (v) => v > 0, 'a positive number of seconds'),
          reorderDelay: numberOption(values['reorder-delay'] as string | undefined, 'reorder-delay', 5, (v) => v >= 0, 'a number of seconds >= 0'),
          strict: Boolean(values.strict),
        });
      }
      case 'score': {
        const usage = 'usage: skywarden score --truth FILE --tracks FILE [--zones FILE --alerts FILE] [--json]';
        const { values } = parse(
          rest,
          { truth: { type: 'string' }, tracks: { type: 'string' }, zones: { type: 'string' }, alerts: { type: 'string' }, json: { type: 'boolean' } },
          usage,
        );
        for (const k of ['truth', 'tracks'] as const) if (values[k] === undefined) throw new UsageError(`missing --${k}\n\n${usage}`);
        return await scoreCommand({
          truth: values.truth as string,
          tracks: values.tracks as string,
          zones: values.zones as string | undefined,
          alerts: values.alerts as string | undefined,
          json: Boolean(values.json),
        });
      }
      case 'demo': {
        const { values } = parse(rest, { seed: { type: 'string' }, targets: { type: 'string' }, duration: { type: 'string' } }, USAGE);
        return await demoCommand({
          seed: numberOption(values.seed as string | undefined, 'seed', 1, Number.isInteger, 'an integer'),
          targets: numberOption(values.targets as string | undefined, 'targets', 50, (v) => Number.isInteger(v) && v > 0 && v <= 2000, 'an integer in 1..2000'),
          duration: numberOption(values.duration as string | undefined, 'duration', 600, (v) => v >= 60 && v <= 7200, 'seconds in [60, 7200]'),
        });
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return cmd === undefined ? 2 : 0;
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
