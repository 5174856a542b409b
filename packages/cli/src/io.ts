// What a command may touch of the outside world, passed in so commands run in-process in tests.
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stdin and stderr are a terminal (for password prompts). */
  readonly interactive: boolean;
  /** Whether stdout is a terminal (colour). */
  readonly stdoutIsTty: boolean;
  /** Reads a line without echo; only called when `interactive`. */
  readonly promptSecret: (question: string) => Promise<string>;
  /** Reads all of standard input (`-f -`); absent where there is none. */
  readonly readStdin?: () => Promise<string>;
}
