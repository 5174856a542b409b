// The SLSA Provenance v1 predicate: a typed, frozen model checked as the reference Go `Provenance.Validate()`.
import {
  copyJson,
  deepFreeze,
  describeJson as describe,
  IssueCollector,
  isObject,
  type JsonObject,
  joinPath as join,
  ParseError,
  parseResourceDescriptor,
  type ResourceDescriptor,
} from '@vouch/core';
import { isRfc3339 } from './predicate-fields.js';

/** The predicateType of SLSA Provenance v1. */
export const SLSA_PROVENANCE_V1_PREDICATE_TYPE = 'https://slsa.dev/provenance/v1';

/** What was built and from what. Fields this type does not name are kept. */
export interface SlsaBuildDefinitionV1 {
  readonly buildType: string;
  /** The parameters under the control of whoever started the build; never empty. */
  readonly externalParameters: JsonObject;
  readonly internalParameters?: JsonObject;
  readonly resolvedDependencies?: readonly ResourceDescriptor[];
  readonly [field: string]: unknown;
}

/** The build platform that ran the build. */
export interface SlsaBuilderV1 {
  readonly id: string;
  /** Component name → version. */
  readonly version?: Readonly<Record<string, string>>;
  readonly builderDependencies?: readonly ResourceDescriptor[];
  readonly [field: string]: unknown;
}

/** Optional facts about one run; timestamps are RFC 3339 strings as written. */
export interface SlsaBuildMetadataV1 {
  readonly invocationId?: string;
  readonly startedOn?: string;
  readonly finishedOn?: string;
  readonly [field: string]: unknown;
}

/** How the build ran. */
export interface SlsaRunDetailsV1 {
  readonly builder: SlsaBuilderV1;
  readonly metadata?: SlsaBuildMetadataV1;
  readonly byproducts?: readonly ResourceDescriptor[];
  readonly [field: string]: unknown;
}

/** A parsed, validated and frozen SLSA Provenance v1 predicate. */
export interface SlsaProvenanceV1 {
  readonly buildDefinition: SlsaBuildDefinitionV1;
  readonly runDetails: SlsaRunDetailsV1;
  readonly [field: string]: unknown;
}

const CODE = 'ERR_MALFORMED_PREDICATE';

/** How protobuf decides whether a field is set: message fields by presence, the others by a non-default value. */
type FieldKind = 'scalar' | 'message' | 'repeated';

/**
 * Whether a message is unset in the sense of the reference `proto.Equal(m, &Empty{})`: no known field is set.
 * A message field set to `{}` counts as set; a scalar `""` or an empty list/map does not.
 */
function isEmptyMessage(obj: JsonObject, fields: Readonly<Record<string, FieldKind>>): boolean {
  return Object.entries(fields).every(([f, kind]) => {
    const v = obj[f];
    if (v === undefined || v === null) return true;
    if (kind === 'scalar') return v === '';
    if (kind === 'repeated')
      return (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
    return false;
  });
}

/** Reads an optional string field: absent is fine, another type is an issue. */
function optionalString(
  obj: JsonObject,
  key: string,
  path: string,
  issues: IssueCollector,
): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  issues.add(join(path, key), `must be a string, found ${describe(v)}`);
  return undefined;
}

/** Reads a required object field that must hold at least one entry. */
function requiredObject(
  obj: JsonObject,
  key: string,
  path: string,
  issues: IssueCollector,
): JsonObject | undefined {
  const v = obj[key];
  const at = join(path, key);
  if (v === undefined || v === null) issues.add(at, 'is required: a non-empty object');
  else if (!isObject(v)) issues.add(at, `must be an object, found ${describe(v)}`);
  else if (Object.keys(v).length === 0) issues.add(at, 'is required: a non-empty object, found {}');
  else return v;
  return undefined;
}

/** Validates `obj[key]`, when present, as an array of ResourceDescriptors; returns the parsed ones. */
function descriptors(
  obj: JsonObject,
  key: string,
  path: string,
  issues: IssueCollector,
): readonly ResourceDescriptor[] | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  const at = join(path, key);
  if (!Array.isArray(v)) {
    issues.add(at, `must be an array of ResourceDescriptors, found ${describe(v)}`);
    return undefined;
  }
  return v.flatMap((rd, i) => {
    try {
      return [parseResourceDescriptor(rd, join(at, i))];
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      for (const issue of e.issues) issues.add(issue.path, issue.message);
      return [];
    }
  });
}

function timestamp(obj: JsonObject, key: string, path: string, issues: IssueCollector): void {
  const v = optionalString(obj, key, path, issues);
  if (v !== undefined && !isRfc3339(v, { minYear: 1, maxFractionDigits: 9 })) {
    issues.add(
      join(path, key),
      `must be an RFC 3339 date-time (2024-01-31T12:00:00Z), found ${JSON.stringify(v)}`,
    );
  }
}

const BUILD_DEFINITION_FIELDS: Readonly<Record<string, FieldKind>> = {
  buildType: 'scalar',
  externalParameters: 'message',
  internalParameters: 'message',
  resolvedDependencies: 'repeated',
};
const RUN_DETAILS_FIELDS: Readonly<Record<string, FieldKind>> = {
  builder: 'message',
  metadata: 'message',
  byproducts: 'repeated',
};
// `version` is a map<string, string>: an empty map is its default.
const BUILDER_FIELDS: Readonly<Record<string, FieldKind>> = {
  id: 'scalar',
  version: 'repeated',
  builderDependencies: 'repeated',
};

function checkBuildDefinition(bd: JsonObject, issues: IssueCollector): JsonObject {
  const path = 'buildDefinition';
  const buildType = optionalString(bd, 'buildType', path, issues);
  if (bd.buildType === undefined || buildType === '')
    issues.add(join(path, 'buildType'), 'is required: a non-empty URI');
  requiredObject(bd, 'externalParameters', path, issues);
  const internal = bd.internalParameters;
  if (internal !== undefined && internal !== null && !isObject(internal)) {
    issues.add(join(path, 'internalParameters'), `must be an object, found ${describe(internal)}`);
  }
  const resolved = descriptors(bd, 'resolvedDependencies', path, issues);
  return resolved === undefined ? bd : { ...bd, resolvedDependencies: resolved };
}

function checkBuilder(builder: JsonObject, issues: IssueCollector): JsonObject {
  const path = 'runDetails.builder';
  const id = optionalString(builder, 'id', path, issues);
  if (builder.id === undefined || id === '') issues.add(join(path, 'id'), 'is required: a non-empty URI');
  const version = builder.version;
  if (version !== undefined) {
    if (!isObject(version))
      issues.add(join(path, 'version'), `must be an object, found ${describe(version)}`);
    else {
      for (const [k, v] of Object.entries(version)) {
        if (typeof v !== 'string')
          issues.add(join(join(path, 'version'), k), `must be a string, found ${describe(v)}`);
      }
    }
  }
  const deps = descriptors(builder, 'builderDependencies', path, issues);
  return deps === undefined ? builder : { ...builder, builderDependencies: deps };
}

function checkRunDetails(rd: JsonObject, issues: IssueCollector): JsonObject {
  const path = 'runDetails';
  let out: JsonObject = rd;
  const builder = rd.builder;
  if (builder !== undefined && builder !== null && !isObject(builder)) {
    issues.add(join(path, 'builder'), `must be an object, found ${describe(builder)}`);
  } else if (!isObject(builder) || isEmptyMessage(builder, BUILDER_FIELDS)) {
    issues.add(join(path, 'builder'), 'is required: an object with an id');
  } else out = { ...out, builder: checkBuilder(builder, issues) };

  const metadata = rd.metadata;
  if (metadata !== undefined && metadata !== null) {
    const at = join(path, 'metadata');
    if (!isObject(metadata)) issues.add(at, `must be an object, found ${describe(metadata)}`);
    else {
      optionalString(metadata, 'invocationId', at, issues);
      timestamp(metadata, 'startedOn', at, issues);
      timestamp(metadata, 'finishedOn', at, issues);
    }
  }
  const byproducts = descriptors(rd, 'byproducts', path, issues);
  return byproducts === undefined ? out : { ...out, byproducts };
}

/**
 * Parses and validates a SLSA Provenance v1 predicate as the reference Go `Provenance.Validate()`:
 * `buildDefinition` (not empty) with `buildType` and a non-empty `externalParameters`; `runDetails` (not empty)
 * with a `builder` that has an `id`; every ResourceDescriptor inside valid; timestamps RFC 3339.
 * Unknown fields are kept. Every problem is collected and thrown at once.
 *
 * @throws ParseError `ERR_MALFORMED_PREDICATE` listing every bad path (`buildDefinition.buildType: ...`)
 * @example
 * ```ts
 * const statement = parseStatementJson(payload);
 * if (statement.predicateType === SLSA_PROVENANCE_V1_PREDICATE_TYPE) {
 *   const provenance = parseSlsaProvenanceV1(statement.predicate);
 *   console.log(provenance.runDetails.builder.id);
 * }
 * ```
 */
export function parseSlsaProvenanceV1(predicate: unknown): SlsaProvenanceV1 {
  const issues = new IssueCollector();
  const copy = copyJson(predicate, '', issues);
  if (issues.issues.length > 0) throw new ParseError(CODE, issues.issues);
  if (!isObject(copy)) {
    throw new ParseError(CODE, [
      { path: '', message: `a SLSA v1 predicate must be an object, found ${describe(copy)}` },
    ]);
  }
  let buildDefinition: JsonObject | undefined;
  let runDetails: JsonObject | undefined;

  const bd = copy.buildDefinition;
  if (bd !== undefined && bd !== null && !isObject(bd)) {
    issues.add('buildDefinition', `must be an object, found ${describe(bd)}`);
  } else if (!isObject(bd) || isEmptyMessage(bd, BUILD_DEFINITION_FIELDS)) {
    issues.add('buildDefinition', 'is required: an object with buildType and externalParameters');
  } else buildDefinition = checkBuildDefinition(bd, issues);

  const rd = copy.runDetails;
  if (rd !== undefined && rd !== null && !isObject(rd)) {
    issues.add('runDetails', `must be an object, found ${describe(rd)}`);
  } else if (!isObject(rd) || isEmptyMessage(rd, RUN_DETAILS_FIELDS)) {
    issues.add('runDetails', 'is required: an object with a builder');
  } else runDetails = checkRunDetails(rd, issues);

  if (issues.issues.length > 0 || buildDefinition === undefined || runDetails === undefined) {
    throw new ParseError(CODE, issues.issues);
  }
  const result: JsonObject = { ...copy, buildDefinition, runDetails };
  return deepFreeze(asProvenance(result));
}

// The checks above establish every field the model names; this is the one place the shape is asserted.
function asProvenance(value: JsonObject): SlsaProvenanceV1 {
  return value as SlsaProvenanceV1;
}
