// Runs the vouch CLI in-process (fast, for many cases) or as the built bin (the real process contract).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliIo, main, slsaMain } from '@vouch/cli';
import { VOUCH_BIN } from '../support/bins.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const BIN = VOUCH_BIN;

/** Runs a command line's main() with captured streams and the given environment (never the test process's own). */
async function runCaptured(
  run: (argv: readonly string[], io: CliIo) => Promise<number>,
  argv: readonly string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env,
    interactive: false,
    stdoutIsTty: false,
    promptSecret: () => Promise.reject(new Error('no terminal in tests')),
    ...(stdin === undefined ? {} : { readStdin: () => Promise.resolve(stdin) }),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** Runs `vouch` in process; `stdin` is what `-f -` reads. */
export function runInProcess(
  argv: readonly string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<RunResult> {
  return runCaptured(main, argv, env, stdin);
}

/** Runs `vouch-slsa` in process; `failure` is the code its last line names (`FAILED: … [ERR_…]`). */
export async function runSlsaInProcess(
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<RunResult & { readonly failure?: string }> {
  const r = await runCaptured(slsaMain, argv, env);
  const failure = /\[(ERR_[A-Z0-9_]+)\]\s*$/.exec(r.stderr)?.[1];
  return failure === undefined ? r : { ...r, failure };
}

/** Runs the built bin with execFile (no shell), a clean environment plus `env`. */
export function runBin(argv: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (pnpm run build)`);
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [BIN, ...argv],
      { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** A temp folder for one test, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-cli-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
