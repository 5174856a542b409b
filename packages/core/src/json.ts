// JSON at the boundary: parse text into `unknown`, and small helpers parsers use to check fields and collect issues.

import { decodeUtf8 } from './encoding.js';
import { type Issue, ParseError, type VouchErrorCode } from './errors.js';

/** Parses JSON text (or UTF-8 bytes) into `unknown`; bad JSON is a ParseError naming `what`. */
export function parseJson(
  input: string | Uint8Array,
  what: string,
  code: VouchErrorCode = 'ERR_MALFORMED_JSON',
): unknown {
  const text = typeof input === 'string' ? input : decodeUtf8(input, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ParseError(code, [{ path: what, message: `is not valid JSON (${reason})` }], { cause });
  }
}

/** A plain JSON object. */
export type JsonObject = { readonly [key: string]: unknown };

/** Whether `value` is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Joins a JSON path: `join('subject', 0)` → `subject[0]`, `join('a', 'b')` → `a.b`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

/** Collects the issues of one parse, then throws them all at once. */
export class IssueCollector {
  readonly issues: Issue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** Reads `obj[key]` as a string; records an issue when missing (if required) or of another type. */
  string(obj: JsonObject, key: string, path: string, required = true): string | undefined {
    const v = obj[key];
    if (v === undefined) {
      if (required) this.add(joinPath(path, key), 'is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(joinPath(path, key), `must be a string, found ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** Reads `obj[key]` as a JSON object. */
  object(obj: JsonObject, key: string, path: string, required = true): JsonObject | undefined {
    const v = obj[key];
    if (v === undefined) {
      if (required) this.add(joinPath(path, key), 'is required');
      return undefined;
    }
    if (!isObject(v)) {
      this.add(joinPath(path, key), `must be an object, found ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** Reads `obj[key]` as an array. */
  array(obj: JsonObject, key: string, path: string, required = true): readonly unknown[] | undefined {
    const v = obj[key];
    if (v === undefined) {
      if (required) this.add(joinPath(path, key), 'is required');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add(joinPath(path, key), `must be an array, found ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  throwIfAny(code: VouchErrorCode): void {
    if (this.issues.length > 0) throw new ParseError(code, this.issues);
  }
}

/** A short description of a JSON value's type for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Deep-freezes a parsed JSON value so a verified result cannot be changed afterwards. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** How deep untrusted JSON may nest before it is refused (bounds recursion on hostile input). */
export const MAX_JSON_DEPTH = 512;

/**
 * Copies a JSON value (plain objects, arrays, strings, finite numbers, booleans, null) so the caller's object is
 * neither frozen nor re-read later; anything else is recorded as an issue and copied as `undefined`.
 * `Object.fromEntries` keeps a `__proto__` key as data instead of calling the prototype setter.
 *
 * @example
 * ```ts
 * const issues = new IssueCollector();
 * const copy = copyJson(untrusted, 'predicate', issues);
 * issues.throwIfAny('ERR_MALFORMED_PREDICATE');
 * ```
 */
export function copyJson(value: unknown, path: string, issues: IssueCollector, depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    issues.add(path, `must be a finite JSON number, found ${value}`);
    return undefined;
  }
  if (depth >= MAX_JSON_DEPTH) {
    issues.add(path, `nests deeper than ${MAX_JSON_DEPTH} levels`);
    return undefined;
  }
  if (Array.isArray(value)) return value.map((v, i) => copyJson(v, joinPath(path, i), issues, depth + 1));
  if (isObject(value)) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      issues.add(path, 'must be a plain JSON object');
      return undefined;
    }
    return Object.fromEntries(
      Object.keys(value).map((k) => [k, copyJson(value[k], joinPath(path, k), issues, depth + 1)]),
    );
  }
  issues.add(path, `must be a JSON value, found ${describe(value)}`);
  return undefined;
}
