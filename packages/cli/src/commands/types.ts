// The shape every subcommand has: its help text and a run function that returns an exit code (names and summaries live in main's registry).
import type { ExitCode } from '../exit.js';
import type { CliIo } from '../io.js';

export interface Command {
  readonly usage: string;
  run(argv: readonly string[], io: CliIo): Promise<ExitCode>;
}
