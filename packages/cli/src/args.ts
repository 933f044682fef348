/** Small helpers over node:util parseArgs for the subcommands. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

/** A failure caused by the user's input or environment (bad file, missing file): reported without a stack, exit code 1. */
export class CliError extends Error {}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
}

export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>, usage: string): ParsedArgs {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }) as ParsedArgs;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}

/** A finite number option, or the default; throws UsageError naming the option. */
export function numberOption(value: string | undefined, name: string, dflt: number, check: (v: number) => boolean, what: string): number {
  if (value === undefined) return dflt;
  const v = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(v) || !check(v)) throw new UsageError(`--${name} must be ${what}, got "${value}"`);
  return v;
}
