// Rendering results for people (text, colour only on a TTY without NO_COLOR) and for machines (exactly one JSON document).
import type { CliIo } from './io.js';

/** One line of a verification explanation. */
export interface CheckView {
  readonly id: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly code?: string | undefined;
  readonly message: string;
}

export type OutputFormat = 'text' | 'json';

export interface Renderer {
  readonly format: OutputFormat;
  /** The command's result: one JSON document, or text lines, on stdout. */
  result(document: Readonly<Record<string, unknown>>, textLines: readonly string[]): void;
  /** A message for people, on stderr. */
  info(text: string): void;
  checks(checks: readonly CheckView[]): string[];
}

export function createRenderer(io: CliIo, format: OutputFormat): Renderer {
  const colour = io.stdoutIsTty && io.env.NO_COLOR === undefined && format === 'text';
  const paint = (code: string, text: string): string => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const mark = { pass: paint('32', 'PASS'), fail: paint('31', 'FAIL'), skip: paint('33', 'SKIP') };
  return {
    format,
    result(document, textLines) {
      if (format === 'json') io.stdout(`${JSON.stringify(document, null, 2)}\n`);
      else if (textLines.length > 0) io.stdout(`${textLines.join('\n')}\n`);
    },
    info(text) {
      io.stderr(`${text}\n`);
    },
    checks(checks) {
      const width = Math.max(0, ...checks.map((c) => c.id.length));
      return checks.map(
        (c) =>
          `${mark[c.status]}  ${c.id.padEnd(width)}  ${c.message}${c.code && c.status === 'fail' ? ` [${c.code}]` : ''}`,
      );
    },
  };
}
