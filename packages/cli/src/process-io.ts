// The real process as a CliIo: stdout/stderr, environment, and a no-echo password prompt on the terminal.
import type { CliIo } from './io.js';

function promptSecret(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(question);
    let answer = '';
    const done = (error?: Error): void => {
      input.off('data', onData);
      if (input.isTTY) input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          return;
        }
        if (ch === '\u0003') {
          done(new Error('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    if (input.isTTY) input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/** All of standard input, as UTF-8 text. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export function processIo(): CliIo {
  return {
    readStdin,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    stdoutIsTty: Boolean(process.stdout.isTTY),
    promptSecret,
  };
}
