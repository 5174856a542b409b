// The SLSA Provenance v0.2 predicate (and in-toto Provenance v0.1, read as v0.2): a typed, frozen model.
import {
  copyJson,
  type DigestSet,
  deepFreeze,
  describeJson as describe,
  IssueCollector,
  isObject,
  type JsonObject,
  joinPath as join,
  ParseError,
} from '@vouch/core';
import { isRfc3339 } from './predicate-fields.js';

/** The predicateType of SLSA Provenance v0.2. */
export const SLSA_PROVENANCE_V02_PREDICATE_TYPE = 'https://slsa.dev/provenance/v0.2';
/** The predicateType of in-toto Provenance v0.1, SLSA v0.2's predecessor with the same fields. */
export const INTOTO_PROVENANCE_V01_PREDICATE_TYPE = 'https://in-toto.io/Provenance/v0.1';

/** Where the build's top-level instructions came from. */
export interface SlsaConfigSourceV02 {
  readonly uri?: string;
  readonly digest?: DigestSet;
  readonly entryPoint?: string;
  readonly [field: string]: unknown;
}

/** How the build was started: the config, its parameters and the environment (kept as JSON). */
export interface SlsaInvocationV02 {
  readonly configSource?: SlsaConfigSourceV02;
  readonly parameters?: unknown;
  readonly environment?: unknown;
  readonly [field: string]: unknown;
}

/** What the builder claims about the run; timestamps are RFC 3339 strings as written. */
export interface SlsaMetadataV02 {
  readonly buildInvocationId?: string;
  readonly buildStartedOn?: string;
  readonly buildFinishedOn?: string;
  readonly completeness?: {
    readonly parameters?: boolean;
    readonly environment?: boolean;
    readonly materials?: boolean;
    readonly [field: string]: unknown;
  };
  readonly reproducible?: boolean;
  readonly [field: string]: unknown;
}

/** One input of the build (the source first, for GitHub builders). */
export interface SlsaMaterialV02 {
  readonly uri?: string;
  readonly digest?: DigestSet;
  readonly [field: string]: unknown;
}

/** A parsed, validated and frozen SLSA Provenance v0.2 predicate. Unknown fields are kept. */
export interface SlsaProvenanceV02 {
  readonly builder: { readonly id: string; readonly [field: string]: unknown };
  readonly buildType: string;
  readonly invocation?: SlsaInvocationV02;
  readonly buildConfig?: unknown;
  readonly metadata?: SlsaMetadataV02;
  readonly materials?: readonly SlsaMaterialV02[];
  readonly [field: string]: unknown;
}

const CODE = 'ERR_MALFORMED_PREDICATE';

/** An optional object field: absent is fine, anything but an object (`null` included) is an issue. */
function optionalObject(
  obj: JsonObject,
  key: string,
  path: string,
  issues: IssueCollector,
): JsonObject | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (isObject(v)) return v;
  issues.add(join(path, key), `must be an object, found ${describe(v)}`);
  return undefined;
}

function optionalType(
  obj: JsonObject,
  key: string,
  path: string,
  type: 'string' | 'boolean',
  issues: IssueCollector,
): void {
  const v = obj[key];
  if (v !== undefined && typeof v !== type) {
    issues.add(join(path, key), `must be a ${type}, found ${describe(v)}`);
  }
}

function digestSet(obj: JsonObject, key: string, path: string, issues: IssueCollector): void {
  const d = optionalObject(obj, key, path, issues);
  if (d === undefined) return;
  for (const [alg, value] of Object.entries(d)) {
    if (typeof value !== 'string')
      issues.add(join(join(path, key), alg), `must be a string, found ${describe(value)}`);
  }
}

function timestamp(obj: JsonObject, key: string, path: string, issues: IssueCollector): void {
  const v = obj[key];
  if (v === undefined) return;
  if (typeof v !== 'string' || !isRfc3339(v, { minYear: 0, maxFractionDigits: 9 })) {
    issues.add(join(path, key), `must be an RFC 3339 date-time (2024-01-31T12:00:00Z), found ${describe(v)}`);
  }
}

function requiredString(obj: JsonObject, key: string, path: string, issues: IssueCollector): void {
  const v = obj[key];
  if (typeof v !== 'string') issues.add(join(path, key), `is required: a string, found ${describe(v)}`);
  else if (v === '') issues.add(join(path, key), 'is required: a non-empty string, found ""');
}

function checkInvocation(inv: JsonObject, issues: IssueCollector): void {
  const cs = optionalObject(inv, 'configSource', 'invocation', issues);
  if (cs === undefined) return;
  optionalType(cs, 'uri', 'invocation.configSource', 'string', issues);
  optionalType(cs, 'entryPoint', 'invocation.configSource', 'string', issues);
  digestSet(cs, 'digest', 'invocation.configSource', issues);
}

function checkMetadata(md: JsonObject, issues: IssueCollector): void {
  optionalType(md, 'buildInvocationId', 'metadata', 'string', issues);
  optionalType(md, 'reproducible', 'metadata', 'boolean', issues);
  timestamp(md, 'buildStartedOn', 'metadata', issues);
  timestamp(md, 'buildFinishedOn', 'metadata', issues);
  const c = optionalObject(md, 'completeness', 'metadata', issues);
  if (c === undefined) return;
  for (const k of ['parameters', 'environment', 'materials']) {
    optionalType(c, k, 'metadata.completeness', 'boolean', issues);
  }
}

function checkMaterials(value: unknown, issues: IssueCollector): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    issues.add('materials', `must be an array, found ${describe(value)}`);
    return;
  }
  value.forEach((m: unknown, i) => {
    const at = join('materials', i);
    if (!isObject(m)) {
      issues.add(at, `must be an object, found ${describe(m)}`);
      return;
    }
    optionalType(m, 'uri', at, 'string', issues);
    digestSet(m, 'digest', at, issues);
  });
}

/**
 * Parses and validates a SLSA Provenance v0.2 predicate (the same reading serves in-toto Provenance v0.1):
 * `builder.id` and `buildType` are required non-empty strings; `invocation`, `metadata` and `materials` have the
 * types the SLSA v0.2 schema gives them (RFC 3339 timestamps, string digests); `invocation.parameters`,
 * `invocation.environment` and `buildConfig` are kept as JSON. Unknown fields are kept. Every problem is
 * collected and thrown at once.
 *
 * @throws ParseError `ERR_MALFORMED_PREDICATE` listing every bad path (`materials[0].uri: ...`)
 * @example
 * ```ts
 * if (statement.predicateType === SLSA_PROVENANCE_V02_PREDICATE_TYPE) {
 *   const provenance = parseSlsaProvenanceV02(statement.predicate);
 *   console.log(provenance.builder.id, provenance.materials?.[0]?.uri);
 * }
 * ```
 */
export function parseSlsaProvenanceV02(predicate: unknown): SlsaProvenanceV02 {
  const issues = new IssueCollector();
  const copy = copyJson(predicate, '', issues);
  if (issues.issues.length > 0) throw new ParseError(CODE, issues.issues);
  if (!isObject(copy)) {
    throw new ParseError(CODE, [
      { path: '', message: `a SLSA v0.2 predicate must be an object, found ${describe(copy)}` },
    ]);
  }
  const builder = copy.builder;
  if (!isObject(builder))
    issues.add('builder', `is required: an object with an id, found ${describe(builder)}`);
  else requiredString(builder, 'id', 'builder', issues);
  requiredString(copy, 'buildType', '', issues);
  const inv = optionalObject(copy, 'invocation', '', issues);
  if (inv !== undefined) checkInvocation(inv, issues);
  const md = optionalObject(copy, 'metadata', '', issues);
  if (md !== undefined) checkMetadata(md, issues);
  checkMaterials(copy.materials, issues);
  if (issues.issues.length > 0) throw new ParseError(CODE, issues.issues);
  return deepFreeze(asProvenance(copy));
}

// The checks above establish every field the model names; this is the one place the shape is asserted.
function asProvenance(value: JsonObject): SlsaProvenanceV02 {
  return value as SlsaProvenanceV02;
}
