// Argument parsing on node:util's parseArgs: strict (unknown flags are usage errors), one shape per command.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from 'vouch';
import type { OutputFormat } from './render.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  output: { type: 'string', short: 'o', default: 'text' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

export type ArgValue = string | boolean | (string | boolean)[] | undefined;

/** The parsed flags and positionals of one command. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, ArgValue>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
  readonly format: OutputFormat;
}

/** Parses `argv` for one command; throws ERR_USAGE naming the bad flag or the missing argument. */
export function parseCommandArgs(
  argv: readonly string[],
  options: Options,
  positionals: readonly string[],
): ParsedArgs {
  let parsed: { values: Record<string, ArgValue>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, ...COMMON_OPTIONS },
      allowPositionals: true,
      strict: true,
    });
  } catch (cause) {
    throw new UsageError('ERR_USAGE', cause instanceof Error ? cause.message : String(cause), { cause });
  }
  const help = parsed.values.help === true;
  // A last name ending in `...` takes any number of arguments (none included).
  const variadic = positionals.at(-1)?.endsWith('...') === true;
  const required = variadic ? positionals.length - 1 : positionals.length;
  if (!help) {
    if (parsed.positionals.length < required) {
      throw new UsageError('ERR_USAGE', `missing argument ${positionals[parsed.positionals.length]}`);
    }
    if (!variadic && parsed.positionals.length > positionals.length) {
      throw new UsageError(
        'ERR_USAGE',
        `unexpected argument ${JSON.stringify(parsed.positionals[positionals.length])}`,
      );
    }
  }
  return {
    values: parsed.values,
    positionals: parsed.positionals,
    help,
    format: outputFormat(parsed.values.output),
  };
}

/** A string flag's value (the last one when repeated). */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (Array.isArray(v)) {
    const last = v.at(-1);
    return typeof last === 'string' ? last : undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a repeatable string flag. */
export function stringFlags(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** A boolean flag. */
export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** Reads `--output`. */
export function outputFormat(value: unknown): OutputFormat {
  if (value === 'text' || value === 'json') return value;
  throw new UsageError('ERR_USAGE', `--output must be text or json, found ${JSON.stringify(value)}`);
}

/** A required string flag. */
export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError('ERR_USAGE', `${flag} is required`);
  return value;
}

/** `--annotation k=v` flags into a record; a repeated key is a usage error. */
export function annotations(values: readonly string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const entry of values) {
    const eq = entry.indexOf('=');
    if (eq <= 0)
      throw new UsageError('ERR_USAGE', `--annotation must be key=value, found ${JSON.stringify(entry)}`);
    const key = entry.slice(0, eq);
    if (Object.hasOwn(out, key)) throw new UsageError('ERR_USAGE', `--annotation ${key} is given twice`);
    out[key] = entry.slice(eq + 1);
  }
  return out;
}

/** `--threshold N` as a positive integer. */
export function threshold(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,3}$/.test(value))
    throw new UsageError(
      'ERR_USAGE',
      `--threshold must be a positive integer, found ${JSON.stringify(value)}`,
    );
  return Number(value);
}
