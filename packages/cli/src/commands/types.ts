// The shape every subcommand has: its help text and a run function that returns an exit code.
import type { ExitCode } from '../exit.js';
import type { CliIo } from '../io.js';

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: CliIo): Promise<ExitCode>;
}
