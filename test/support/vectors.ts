// The one loader for the third-party vectors in ../shared/vectors: every suite reads them through here.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the vectors live: `$VOUCH_VECTORS`, else `../shared/vectors` beside the repository. */
export const VECTORS_DIR =
  process.env.VOUCH_VECTORS ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/vectors');

/** One case of a set's `cases.json`; the fields beyond these depend on `kind`. */
export interface VectorCase {
  readonly id: string;
  readonly kind: string;
  readonly files: Readonly<Record<string, string | null | { readonly path: string | null }>>;
  readonly expect: 'pass' | 'fail';
  readonly why?: string;
  readonly offline?: boolean;
  readonly [field: string]: unknown;
}

/** A vector set: its cases and a way to read the files they name. */
export interface VectorSet {
  readonly name: string;
  readonly dir: string;
  readonly cases: readonly VectorCase[];
  /** Bytes of a file named relative to the set's folder. */
  bytes(relative: string): Buffer;
  /** UTF-8 text of a file named relative to the set's folder. */
  text(relative: string): string;
  /** Parsed JSON of a file named relative to the set's folder. */
  json(relative: string): unknown;
}

/** Loads `../shared/vectors/<name>/cases.json`. */
export function loadVectorSet(name: string): VectorSet {
  const dir = join(VECTORS_DIR, name);
  const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as VectorCase[];
  if (!Array.isArray(cases) || cases.length === 0) throw new Error(`vector set ${name} has no cases`);
  const bytes = (relative: string): Buffer => readFileSync(join(dir, relative));
  return {
    name,
    dir,
    cases,
    bytes,
    text: (relative) => bytes(relative).toString('utf8'),
    json: (relative) => JSON.parse(bytes(relative).toString('utf8')) as unknown,
  };
}

/** The path of a case's named file, or a thrown error when the case lacks it. */
export function caseFile(c: VectorCase, key: string): string {
  const f = c.files[key];
  const path = typeof f === 'string' ? f : f?.path;
  if (typeof path !== 'string') throw new Error(`case ${c.id} has no file ${key}`);
  return path;
}
