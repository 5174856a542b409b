// docs/errors.md is the public table of error codes: every code in the closed union is documented with the exit code
// the CLI really gives it.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../packages/cli/src/exit.js';

const root = new URL('../../', import.meta.url);

describe('docs/errors.md', () => {
  it('documents every VouchErrorCode, each with the exit code the CLI maps it to', async () => {
    const source = await readFile(new URL('packages/core/src/errors.ts', root), 'utf8');
    const union = source.slice(
      source.indexOf('export type VouchErrorCode'),
      source.indexOf(';', source.indexOf('export type VouchErrorCode')),
    );
    const codes = [...union.matchAll(/'(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]);
    const doc = await readFile(new URL('docs/errors.md', root), 'utf8');
    const rows = new Map(
      [...doc.matchAll(/^\| `(ERR_[A-Z0-9_]+)`\s*\|[^|]*\|\s*(\d)\s*\|/gm)].map((m) => [m[1], Number(m[2])]),
    );
    expect(codes.length).toBeGreaterThan(40);
    expect([...rows.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) expect(rows.get(code), code).toBe(exitCodeFor(code));
  });
});
