// SLSA Verification Summary Attestations: typed parsers (v1, v0.2), slsa-verifier's `verify-vsa` checks, and building a VSA.
import {
  buildStatement,
  copyJson,
  type Digest,
  type DigestSet,
  deepFreeze,
  describeJson as describe,
  IssueCollector,
  isObject,
  type JsonObject,
  joinPath as join,
  ParseError,
  parseResourceDescriptor,
  type ResourceDescriptor,
  type Statement,
  type StatementJson,
  statementHasSubjectDigest,
  UsageError,
  type VouchErrorCode,
} from '@vouch/core';
import { isRfc3339 } from './predicate-fields.js';
import { type SlsaCheck, type SlsaCheckId, SlsaVerificationError } from './slsa-types.js';

/** The predicateType of a SLSA VSA v1. */
export const VSA_V1_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';
/** The predicateType of a SLSA VSA v0.2 (snake_case fields, one `policy_level`). */
export const VSA_V02_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v0.2';

/** A policy or input attestation: a ResourceDescriptor; unknown fields are kept. */
export interface VsaResourceRef extends ResourceDescriptor {
  readonly uri?: string;
  readonly digest?: DigestSet;
}

/**
 * A parsed, validated and frozen VSA predicate, v1 or v0.2 read into one camelCase shape.
 * `verifiedLevels` is v1's list; `policyLevel` is v0.2's single `policy_level`.
 */
export interface VerificationSummary {
  readonly predicateType: string;
  readonly version: '1' | '0.2';
  readonly verifier: { readonly id: string; readonly version?: Readonly<Record<string, string>> };
  /** RFC 3339, as written. */
  readonly timeVerified?: string;
  readonly resourceUri: string;
  readonly policy?: VsaResourceRef;
  readonly inputAttestations?: readonly VsaResourceRef[];
  readonly verificationResult: 'PASSED' | 'FAILED';
  /** v1 (`[]` when absent): the highest level of each track verified (`SLSA_BUILD_LEVEL_3`), plus verifier-defined properties. */
  readonly verifiedLevels?: readonly string[];
  /** v0.2: `SLSA_LEVEL_0`…`SLSA_LEVEL_4` or `FAILED`. */
  readonly policyLevel?: string;
  /** Level → number of transitive dependencies verified at it. */
  readonly dependencyLevels?: Readonly<Record<string, number>>;
  /** v1: the SLSA version the verifier used (`1.0`). */
  readonly slsaVersion?: string;
  /** The whole predicate as read (a frozen copy, unknown fields included). */
  readonly raw: JsonObject;
}

const CODE = 'ERR_MALFORMED_PREDICATE';

/** The JSON names of each version's fields (v0.2 is snake_case). */
interface FieldNames {
  readonly timeVerified: string;
  readonly resourceUri: string;
  readonly inputAttestations: string;
  readonly verificationResult: string;
  readonly dependencyLevels: string;
}
const V1_FIELDS: FieldNames = {
  timeVerified: 'timeVerified',
  resourceUri: 'resourceUri',
  inputAttestations: 'inputAttestations',
  verificationResult: 'verificationResult',
  dependencyLevels: 'dependencyLevels',
};
const V02_FIELDS: FieldNames = {
  timeVerified: 'time_verified',
  resourceUri: 'resource_uri',
  inputAttestations: 'input_attestations',
  verificationResult: 'verification_result',
  dependencyLevels: 'dependency_levels',
};

/** A required non-empty string: absent, null, `""` or another type are issues. */
function requiredString(
  obj: JsonObject,
  key: string,
  path: string,
  issues: IssueCollector,
): string | undefined {
  const v = obj[key];
  const at = join(path, key);
  if (v === undefined || v === null || v === '') issues.add(at, 'is required: a non-empty string');
  else if (typeof v !== 'string') issues.add(at, `must be a string, found ${describe(v)}`);
  else return v;
  return undefined;
}

/** An optional string; null counts as absent, as in the reference Go decoding. */
function optionalString(
  obj: JsonObject,
  key: string,
  path: string,
  issues: IssueCollector,
): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  issues.add(join(path, key), `must be a string, found ${describe(v)}`);
  return undefined;
}

function resourceRef(
  value: unknown,
  path: string,
  need: 'uri' | 'digest',
  issues: IssueCollector,
): VsaResourceRef | undefined {
  let rd: ResourceDescriptor;
  try {
    rd = parseResourceDescriptor(value, path);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    for (const issue of e.issues) issues.add(issue.path, issue.message);
    return undefined;
  }
  if (need === 'uri' && (rd.uri === undefined || rd.uri === '')) {
    issues.add(join(path, 'uri'), 'is required: the URI of the policy');
    return undefined;
  }
  if (need === 'digest' && (rd.digest === undefined || Object.keys(rd.digest).length === 0)) {
    issues.add(join(path, 'digest'), 'is required: a non-empty DigestSet of the attestation');
    return undefined;
  }
  return rd;
}

function stringMap(
  obj: JsonObject,
  key: string,
  path: string,
  issues: IssueCollector,
): Readonly<Record<string, string>> | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  const at = join(path, key);
  if (!isObject(v)) {
    issues.add(at, `must be an object of strings, found ${describe(v)}`);
    return undefined;
  }
  let ok = true;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') {
      issues.add(join(at, k), `must be a string, found ${describe(x)}`);
      ok = false;
    }
  }
  return ok ? (v as Readonly<Record<string, string>>) : undefined;
}

function levelCounts(
  obj: JsonObject,
  key: string,
  issues: IssueCollector,
): Readonly<Record<string, number>> | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    issues.add(key, `must be an object of level → count, found ${describe(v)}`);
    return undefined;
  }
  let ok = true;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) {
      issues.add(
        join(key, k),
        `must be a non-negative integer, found ${typeof x === 'number' ? x : describe(x)}`,
      );
      ok = false;
    }
  }
  return ok ? (v as Readonly<Record<string, number>>) : undefined;
}

/** Reads the fields both versions share; the version-specific ones are added by the caller. */
function parseCommon(
  predicate: unknown,
  version: '1' | '0.2',
): { readonly copy: JsonObject; readonly out: Record<string, unknown>; readonly issues: IssueCollector } {
  const issues = new IssueCollector();
  const copy = copyJson(predicate, '', issues);
  issues.throwIfAny(CODE);
  if (!isObject(copy)) {
    throw new ParseError(CODE, [
      { path: '', message: `a VSA v${version} predicate must be an object, found ${describe(copy)}` },
    ]);
  }
  const names = version === '1' ? V1_FIELDS : V02_FIELDS;
  const out: Record<string, unknown> = {
    predicateType: version === '1' ? VSA_V1_PREDICATE_TYPE : VSA_V02_PREDICATE_TYPE,
    version,
  };

  const verifier = copy.verifier;
  if (verifier === undefined || verifier === null)
    issues.add('verifier', 'is required: an object with an id');
  else if (!isObject(verifier)) issues.add('verifier', `must be an object, found ${describe(verifier)}`);
  else {
    const id = requiredString(verifier, 'id', 'verifier', issues);
    const v = stringMap(verifier, 'version', 'verifier', issues);
    out.verifier = { ...(id === undefined ? {} : { id }), ...(v === undefined ? {} : { version: v }) };
  }

  const rawTime = copy[names.timeVerified];
  const time = optionalString(copy, names.timeVerified, '', issues);
  if (version === '0.2' && (rawTime === undefined || rawTime === null))
    issues.add(names.timeVerified, 'is required: an RFC 3339 date-time');
  if (time !== undefined) {
    if (isRfc3339(time, { minYear: 1 })) out.timeVerified = time;
    else
      issues.add(
        names.timeVerified,
        `must be an RFC 3339 date-time (2024-01-31T12:00:00Z), found ${JSON.stringify(time.slice(0, 80))}`,
      );
  }

  out.resourceUri = requiredString(copy, names.resourceUri, '', issues);

  const policy = copy.policy;
  if (policy === undefined || policy === null) {
    // v1 readers (slsa-verifier among them) accept a VSA without a policy; v0.2 requires one.
    if (version === '0.2') issues.add('policy', 'is required: an object with a uri');
  } else {
    const ref = resourceRef(policy, 'policy', 'uri', issues);
    if (ref !== undefined) out.policy = ref;
  }

  const inputs = copy[names.inputAttestations];
  if (inputs !== undefined && inputs !== null) {
    if (!Array.isArray(inputs))
      issues.add(names.inputAttestations, `must be an array, found ${describe(inputs)}`);
    else {
      out.inputAttestations = inputs.flatMap((x, i) => {
        const ref = resourceRef(x, join(names.inputAttestations, i), 'digest', issues);
        return ref === undefined ? [] : [ref];
      });
    }
  }

  const result = copy[names.verificationResult];
  if (result === 'PASSED' || result === 'FAILED') out.verificationResult = result;
  else {
    issues.add(
      names.verificationResult,
      `must be "PASSED" or "FAILED", found ${typeof result === 'string' ? JSON.stringify(result.slice(0, 80)) : describe(result)}`,
    );
  }

  const deps = levelCounts(copy, names.dependencyLevels, issues);
  if (deps !== undefined) out.dependencyLevels = deps;
  out.raw = copy;
  return { copy, out, issues };
}

/**
 * Parses and validates a SLSA VSA v1 predicate: `verifier.id`, `resourceUri` (non-empty strings) and
 * `verificationResult` (`PASSED`|`FAILED`) are required; `verifiedLevels` (strings; absent is read as `[]`, as
 * slsa-verifier does), `timeVerified` (RFC 3339), `policy` (with a `uri`), `inputAttestations` (each with a
 * digest), `dependencyLevels` (counts) and `slsaVersion` are checked when present. Every problem is collected and
 * thrown at once.
 *
 * @throws ParseError `ERR_MALFORMED_PREDICATE` listing every bad path (`inputAttestations[0].digest: ...`)
 * @example
 * ```ts
 * if (statement.predicateType === VSA_V1_PREDICATE_TYPE) {
 *   const vsa = parseVsaV1(statement.predicate);
 *   console.log(vsa.verifier.id, vsa.verifiedLevels);
 * }
 * ```
 */
export function parseVsaV1(predicate: unknown): VerificationSummary {
  const { copy, out, issues } = parseCommon(predicate, '1');
  const levels = copy.verifiedLevels;
  // The spec requires verifiedLevels, but slsa-verifier reads a VSA without them as having none.
  if (levels === undefined || levels === null) out.verifiedLevels = [];
  else if (!Array.isArray(levels))
    issues.add('verifiedLevels', `must be an array, found ${describe(levels)}`);
  else {
    levels.forEach((l, i) => {
      if (typeof l !== 'string')
        issues.add(join('verifiedLevels', i), `must be a string, found ${describe(l)}`);
    });
    out.verifiedLevels = levels;
  }
  const slsaVersion = optionalString(copy, 'slsaVersion', '', issues);
  if (slsaVersion !== undefined) out.slsaVersion = slsaVersion;
  issues.throwIfAny(CODE);
  return deepFreeze(asSummary(out));
}

/**
 * Parses and validates a SLSA VSA v0.2 predicate (snake_case): `verifier.id`, `time_verified`, `resource_uri`,
 * `policy.uri`, `verification_result` and `policy_level` are required; `input_attestations` and
 * `dependency_levels` are checked when present. Read into the same camelCase shape as v1.
 *
 * @throws ParseError `ERR_MALFORMED_PREDICATE` listing every bad path (`policy.uri: ...`)
 * @example
 * ```ts
 * const vsa = parseVsaV02(statement.predicate);
 * vsa.policyLevel; // 'SLSA_LEVEL_3'
 * ```
 */
export function parseVsaV02(predicate: unknown): VerificationSummary {
  const { copy, out, issues } = parseCommon(predicate, '0.2');
  const level = requiredString(copy, 'policy_level', '', issues);
  if (level !== undefined) out.policyLevel = level;
  issues.throwIfAny(CODE);
  return deepFreeze(asSummary(out));
}

/**
 * Parses the predicate of a Statement whose predicateType is a SLSA VSA (v1 or v0.2).
 *
 * @throws ParseError `ERR_PREDICATE_TYPE` for another predicate type; `ERR_MALFORMED_PREDICATE` as the parsers
 * @example
 * ```ts
 * const vsa = parseVsa(parseStatementJson(payload));
 * ```
 */
export function parseVsa(statement: Statement): VerificationSummary {
  if (statement.predicateType === VSA_V1_PREDICATE_TYPE) return parseVsaV1(statement.predicate);
  if (statement.predicateType === VSA_V02_PREDICATE_TYPE) return parseVsaV02(statement.predicate);
  throw new ParseError('ERR_PREDICATE_TYPE', [
    {
      path: 'predicateType',
      message: `must be ${VSA_V1_PREDICATE_TYPE} or ${VSA_V02_PREDICATE_TYPE}, found ${JSON.stringify(statement.predicateType.slice(0, 200))}`,
    },
  ]);
}

// The checks above establish every field the model names; this is the one place the shape is asserted.
function asSummary(value: Record<string, unknown>): VerificationSummary {
  return value as unknown as VerificationSummary;
}

/** A subject digest to look for: `Digest` from core, or any in-toto DigestSet entry (`gce_image_id`). */
export interface VsaSubjectDigest {
  readonly algorithm: string;
  readonly hex: string;
}

/** What `verify-vsa` is told to expect (its flags). */
export interface VerifyVsaOptions {
  /** The VSA Statement; its envelope signature must already be verified by the caller. */
  readonly statement: Statement;
  /** `--subject-digest`: every one must be a subject of the VSA. At least one. */
  readonly subjectDigests: readonly (Digest | VsaSubjectDigest)[];
  /** `--verifier-id`, compared exactly. */
  readonly verifierId: string;
  /** `--resource-uri`, compared exactly. */
  readonly resourceUri: string;
  /** `--verified-level`: `SLSA_<TRACK>_LEVEL_<n>` is met by that level or higher of the track; others exactly. */
  readonly verifiedLevels: readonly string[];
}

/** What a successful `verifyVsa` proved. */
export interface VsaVerification {
  readonly vsa: VerificationSummary;
  readonly checks: readonly SlsaCheck[];
}

type Outcome =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly code: VouchErrorCode; readonly message: string };

const pass = (message: string): Outcome => ({ ok: true, message });
const fail = (code: VouchErrorCode, message: string): Outcome => ({ ok: false, code, message });
const quote = (s: string): string => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * The highest level per track among `SLSA_`-prefixed levels, read as slsa-verifier does
 * (`SLSA_<TRACK>_LEVEL_<int>`, the int as Go's `strconv.Atoi`); the first malformed one otherwise.
 */
function trackLevels(
  levels: readonly string[],
): { readonly tracks: Map<string, bigint> } | { readonly invalid: string } {
  const tracks = new Map<string, bigint>();
  for (const level of levels) {
    if (!level.startsWith('SLSA_')) continue;
    const parts = level.split('_');
    const track = parts[1];
    const n = parts.slice(3).join('_');
    if (parts.length < 4 || track === undefined || parts[2] !== 'LEVEL' || !/^[+-]?\d+$/.test(n))
      return { invalid: level };
    const value = BigInt(n);
    if (value > INT64_MAX || value < INT64_MIN) return { invalid: level };
    const prev = tracks.get(track);
    tracks.set(track, prev === undefined || value > prev ? value : prev);
  }
  return { tracks };
}

function levelsOutcome(got: readonly string[], wanted: readonly string[]): Outcome {
  const want = trackLevels(wanted);
  const have = trackLevels(got);
  if ('invalid' in want)
    return fail('ERR_VSA_MISMATCH', `invalid expected SLSA level ${quote(want.invalid)}`);
  if ('invalid' in have)
    return fail('ERR_VSA_MISMATCH', `invalid SLSA level in the VSA: ${quote(have.invalid)}`);
  for (const [track, min] of want.tracks) {
    const level = have.tracks.get(track);
    if (level === undefined)
      return fail(
        'ERR_VSA_MISMATCH',
        `expected SLSA ${track} track level ${min}, the VSA has no ${track} level`,
      );
    if (level < min)
      return fail('ERR_VSA_MISMATCH', `expected SLSA ${track} track level at least ${min}, found ${level}`);
  }
  const others = new Set(got.filter((l) => !l.startsWith('SLSA_')));
  for (const level of wanted) {
    if (!level.startsWith('SLSA_') && !others.has(level))
      return fail('ERR_VSA_MISMATCH', `expected verified level ${quote(level)}, not in the VSA`);
  }
  return pass(
    wanted.length === 0 ? 'no verified level required' : `verified levels include ${wanted.join(', ')}`,
  );
}

function checkVerifyOptions(options: VerifyVsaOptions): void {
  if (options.subjectDigests.length === 0)
    throw new UsageError(
      'ERR_USAGE',
      'subjectDigests (--subject-digest): expected at least one digest, found none',
    );
  for (const [i, d] of options.subjectDigests.entries()) {
    if (typeof d.algorithm !== 'string' || d.algorithm === '' || typeof d.hex !== 'string' || d.hex === '')
      throw new UsageError('ERR_USAGE', `subjectDigests[${i}]: expected <type>:<value>, found an empty part`);
  }
  if (typeof options.verifierId !== 'string' || options.verifierId === '')
    throw new UsageError('ERR_USAGE', 'verifierId (--verifier-id): expected a non-empty string');
  if (typeof options.resourceUri !== 'string' || options.resourceUri === '')
    throw new UsageError('ERR_USAGE', 'resourceUri (--resource-uri): expected a non-empty string');
}

/**
 * Checks a VSA as slsa-verifier v2.7.1's `verify-vsa`, in its order: the predicate type is VSA v1 (and the
 * predicate well-formed), every expected subject digest is a subject, the verifier id and the resource URI match
 * exactly, the result is `PASSED`, and the verified levels are met (`SLSA_BUILD_LEVEL_2` is met by
 * `SLSA_BUILD_LEVEL_3`; other properties must be listed exactly). Every check is evaluated and reported.
 *
 * @throws UsageError `ERR_USAGE` when no subject digest, verifier id or resource URI is given
 * @throws SlsaVerificationError with the first failure's code: `ERR_PREDICATE_TYPE`, `ERR_MALFORMED_PREDICATE`,
 * `ERR_DIGEST_MISMATCH` (subjects) or `ERR_VSA_MISMATCH` (verifier, resource, result, levels); `checks` has them all
 * @example
 * ```ts
 * const { statement } = verifyDsseEnvelope({ envelope, key }); // signature first
 * const { vsa } = verifyVsa({
 *   statement,
 *   subjectDigests: [parseDigest('sha256:…')],
 *   verifierId: 'https://example.com/verifier',
 *   resourceUri: 'pkg:oci/app@sha256:…',
 *   verifiedLevels: ['SLSA_BUILD_LEVEL_2'],
 * });
 * ```
 */
export function verifyVsa(options: VerifyVsaOptions): VsaVerification {
  checkVerifyOptions(options);
  const checks: SlsaCheck[] = [];
  const add = (id: SlsaCheckId, o: Outcome): void => {
    checks.push(
      Object.freeze(
        o.ok
          ? { id, status: 'pass' as const, message: o.message }
          : { id, status: 'fail' as const, code: o.code, message: o.message },
      ),
    );
  };
  const skip = (id: SlsaCheckId, message: string): void => {
    checks.push(Object.freeze({ id, status: 'skip' as const, message }));
  };
  const { statement } = options;

  let vsa: VerificationSummary | undefined;
  let cause: unknown;
  if (statement.predicateType !== VSA_V1_PREDICATE_TYPE) {
    add(
      'vsa',
      fail(
        'ERR_PREDICATE_TYPE',
        `predicate type: expected ${VSA_V1_PREDICATE_TYPE}, found ${quote(statement.predicateType)}`,
      ),
    );
  } else {
    try {
      vsa = parseVsaV1(statement.predicate);
      add('vsa', pass(`predicate type ${VSA_V1_PREDICATE_TYPE}, well-formed`));
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      cause = e;
      add('vsa', fail(CODE, `malformed VSA predicate: ${e.message}`));
    }
  }

  for (const d of options.subjectDigests) {
    const name = `${d.algorithm}:${d.hex}`;
    add(
      'subject',
      statementHasSubjectDigest(statement, d)
        ? pass(`subject digest ${name} found`)
        : fail('ERR_DIGEST_MISMATCH', `expected subject digest ${name}, not among the VSA's subjects`),
    );
  }

  if (vsa === undefined) {
    for (const what of ['verifier id', 'resource URI', 'verification result', 'verified levels'])
      skip('vsa', `${what}: not checked, the predicate is not a VSA v1`);
  } else {
    add(
      'vsa',
      vsa.verifier.id === options.verifierId
        ? pass(`verifier id ${quote(vsa.verifier.id)}`)
        : fail(
            'ERR_VSA_MISMATCH',
            `verifier id: expected ${quote(options.verifierId)}, found ${quote(vsa.verifier.id)}`,
          ),
    );
    add(
      'vsa',
      vsa.resourceUri === options.resourceUri
        ? pass(`resource URI ${quote(vsa.resourceUri)}`)
        : fail(
            'ERR_VSA_MISMATCH',
            `resource URI: expected ${quote(options.resourceUri)}, found ${quote(vsa.resourceUri)}`,
          ),
    );
    add(
      'vsa',
      vsa.verificationResult === 'PASSED'
        ? pass('verification result PASSED')
        : fail('ERR_VSA_MISMATCH', `verification result: expected PASSED, found ${vsa.verificationResult}`),
    );
    add('vsa', levelsOutcome(vsa.verifiedLevels ?? [], options.verifiedLevels));
  }

  const frozen = Object.freeze([...checks]);
  const first = frozen.find((c) => c.status === 'fail');
  if (first !== undefined || vsa === undefined) {
    throw new SlsaVerificationError(
      first?.code ?? CODE,
      `VSA verification failed: ${first?.message ?? 'no VSA'}`,
      frozen,
      cause,
    );
  }
  return Object.freeze({ vsa, checks: frozen });
}

/** What {@link createVsa} records. */
export interface CreateVsaOptions {
  /** The artifacts verified. */
  readonly subject: readonly { readonly name?: string; readonly digest: Digest }[];
  readonly verifierId: string;
  readonly resourceUri: string;
  readonly timeVerified: Date;
  readonly policy?: { readonly uri: string; readonly digest?: DigestSet };
  /** The attestations the decision used, each by digest. */
  readonly inputAttestations: readonly { readonly uri?: string; readonly digest: DigestSet }[];
  readonly verifiedLevels: readonly string[];
  readonly result: 'PASSED' | 'FAILED';
}

/**
 * Builds an in-toto Statement v1 carrying a SLSA VSA v1 predicate (`slsaVersion` `1.0`), ready to serialize and
 * sign after a verification. The predicate is checked with {@link parseVsaV1} so a malformed VSA is never emitted.
 *
 * @throws UsageError `ERR_USAGE` for an invalid `timeVerified`
 * @throws ParseError `ERR_MALFORMED_PREDICATE` or `ERR_MALFORMED_STATEMENT` naming the bad field
 * @example
 * ```ts
 * const statement = createVsa({
 *   subject: [{ name: 'ghcr.io/o/app', digest: parseDigest(imageDigest) }],
 *   verifierId: 'https://github.com/o/vouch',
 *   resourceUri: 'ghcr.io/o/app',
 *   timeVerified: now,
 *   inputAttestations: [{ digest: { sha256: provenanceHex } }],
 *   verifiedLevels: ['SLSA_BUILD_LEVEL_3'],
 *   result: 'PASSED',
 * });
 * const payload = serializeStatement(statement);
 * ```
 */
export function createVsa(options: CreateVsaOptions): StatementJson {
  const time = options.timeVerified;
  if (!(time instanceof Date) || Number.isNaN(time.getTime()))
    throw new UsageError('ERR_USAGE', 'timeVerified: expected a valid Date');
  const predicate = {
    verifier: { id: options.verifierId },
    timeVerified: time.toISOString(),
    resourceUri: options.resourceUri,
    ...(options.policy === undefined
      ? {}
      : {
          policy: {
            uri: options.policy.uri,
            ...(options.policy.digest === undefined ? {} : { digest: { ...options.policy.digest } }),
          },
        }),
    inputAttestations: options.inputAttestations.map((a) => ({
      ...(a.uri === undefined ? {} : { uri: a.uri }),
      digest: { ...a.digest },
    })),
    verificationResult: options.result,
    verifiedLevels: [...options.verifiedLevels],
    slsaVersion: '1.0',
  };
  parseVsaV1(predicate);
  return buildStatement({
    subject: options.subject.map((s) => ({
      ...(s.name === undefined ? {} : { name: s.name }),
      digest: { [s.digest.algorithm]: s.digest.hex },
    })),
    predicateType: VSA_V1_PREDICATE_TYPE,
    predicate,
  });
}
