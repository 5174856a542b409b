// Mutations of JSON values for property tests: every path in a value, and copies with one node replaced or removed.
import fc from 'fast-check';

/** Where a node sits in a JSON value: object keys and array indexes from the root, which is `[]`. */
export type JsonPath = readonly (string | number)[];

/** Every path inside `value`: the root first, then depth first in key order. */
export function jsonPaths(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => void out.push(...jsonPaths(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...jsonPaths(v, [...prefix, k]));
  }
  return out;
}

/**
 * A copy of `value` with the node at `path` set to `replacement`, or removed when that is `undefined`
 * (an array item is spliced out). Only the containers along the path are copied; `value` is left as it was.
 */
export function mutateJson(value: unknown, path: JsonPath, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && replacement === undefined) copy.splice(Number(head), 1);
    else copy[Number(head)] = mutateJson(copy[Number(head)], rest, replacement);
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = { ...value };
    if (rest.length === 0 && replacement === undefined) delete copy[head];
    else copy[head] = mutateJson(copy[head], rest, replacement);
    return copy;
  }
  return value;
}

/** One of `bases` with one node anywhere in it (the root included) set to a `replacements` value, or removed where that is `undefined`. */
export function mutatedJson(
  bases: readonly unknown[],
  replacements: fc.Arbitrary<unknown>,
): fc.Arbitrary<unknown> {
  return fc.tuple(fc.constantFrom(...bases), fc.nat(), replacements).map(([base, pick, replacement]) => {
    const paths = jsonPaths(base);
    return mutateJson(base, paths[pick % paths.length] ?? [], replacement);
  });
}
