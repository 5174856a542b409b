// in-toto Statements (v1, and v0.1 for reading): ResourceDescriptor and DigestSet validation as the reference Go `Validate()`, build and serialize.
import { decodeBase64, utf8 } from './encoding.js';
import { ParseError } from './errors.js';
import {
  copyJson,
  deepFreeze,
  describe,
  IssueCollector,
  isObject,
  type JsonObject,
  joinPath,
  parseJson,
} from './json.js';

/** The `_type` of an in-toto Statement v1. */
export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
/** The `_type` of a legacy in-toto Statement v0.1 (read only). */
export const STATEMENT_TYPE_V01 = 'https://in-toto.io/Statement/v0.1';

/** Algorithm name → hex digest value. Names outside {@link DIGEST_SET_ALGORITHMS} may hold any string. */
export type DigestSet = { readonly [algorithm: string]: string };

/**
 * The DigestSet algorithms whose values are checked, with the digest sizes (bytes) each accepts.
 * The list is the reference Go implementation's: the spec names more (shake128, blake2b, ...), but gives them
 * no fixed size, so like Go we treat them as custom names. git objects are named by SHA-1 or SHA-256.
 */
export const DIGEST_SET_ALGORITHMS: Readonly<Record<string, readonly number[]>> = Object.freeze({
  md5: Object.freeze([16]),
  sha1: Object.freeze([20]),
  sha224: Object.freeze([28]),
  sha512_224: Object.freeze([28]),
  sha256: Object.freeze([32]),
  sha512_256: Object.freeze([32]),
  sha384: Object.freeze([48]),
  sha512: Object.freeze([64]),
  sha3_224: Object.freeze([28]),
  sha3_256: Object.freeze([32]),
  sha3_384: Object.freeze([48]),
  sha3_512: Object.freeze([64]),
  dirHash: Object.freeze([32]),
  gitBlob: Object.freeze([20, 32]),
  gitCommit: Object.freeze([20, 32]),
  gitTag: Object.freeze([20, 32]),
  gitTree: Object.freeze([20, 32]),
});

/**
 * An in-toto ResourceDescriptor. Fields this type does not name are kept as they were in the JSON.
 * `content` stays in its JSON form (base64, checked on parse) so the value can be frozen and re-serialized as is.
 */
export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest?: DigestSet;
  /** Base64 (standard or URL-safe) of the resource's bytes; decode with `decodeBase64`. */
  readonly content?: string;
  readonly downloadLocation?: string;
  readonly mediaType?: string;
  readonly annotations?: JsonObject;
  readonly [field: string]: unknown;
}

/** A parsed, validated and frozen in-toto Statement. */
export interface Statement {
  /** The `_type` URI. */
  readonly type: string;
  readonly version: 'v1' | 'v0.1';
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: string;
  /** The predicate object; `undefined` only for a v0.1 Statement that has none. */
  readonly predicate: JsonObject | undefined;
  /** The whole Statement as it was read, unknown fields included (a frozen copy). */
  readonly raw: JsonObject;
}

/** One subject given to {@link buildStatement}. */
export interface StatementSubjectInput {
  readonly name?: string;
  readonly digest: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

/** The JSON form of a v1 Statement, keys in the order they are serialized. */
export interface StatementJson {
  readonly _type: typeof STATEMENT_TYPE_V1;
  readonly subject: readonly {
    readonly name?: string;
    readonly digest: DigestSet;
    readonly annotations?: JsonObject;
  }[];
  readonly predicateType: string;
  readonly predicate: JsonObject;
}

const CODE = 'ERR_MALFORMED_STATEMENT';
const LOWER_HEX = /^[0-9a-f]*$/;
// Deeper than any real attestation; stops recursion on hostile nesting (and on cycles in caller objects).

/** A short, bounded rendering of a found value for messages. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/** Checks a DigestSet's values as the reference validation does. */
function checkDigestSet(digest: JsonObject, path: string, issues: IssueCollector): void {
  for (const [algorithm, value] of Object.entries(digest)) {
    const at = joinPath(path, algorithm);
    if (typeof value !== 'string') {
      issues.add(at, `must be a string, found ${describe(value)}`);
      continue;
    }
    const sizes = Object.hasOwn(DIGEST_SET_ALGORITHMS, algorithm)
      ? DIGEST_SET_ALGORITHMS[algorithm]
      : undefined;
    if (sizes === undefined) continue; // custom algorithms may use any encoding
    // Odd length counts as an encoding error, as hex decoding fails before any length check.
    if (!LOWER_HEX.test(value) || value.length % 2 !== 0) {
      issues.add(at, `must be lowercase hex, found ${quote(value)}`);
      continue;
    }
    if (!sizes.includes(value.length / 2)) {
      const want = sizes.map((s) => `${s * 2}`).join(' or ');
      issues.add(at, `has incorrect length: must be ${want} hex characters, found ${value.length}`);
    }
  }
}

/**
 * Validates an already-copied ResourceDescriptor object at `path`. When `requireDigest` (Statement subjects),
 * a non-empty digest is required on top of the RD rules.
 */
function checkResourceDescriptor(
  value: unknown,
  path: string,
  issues: IssueCollector,
  requireDigest: boolean,
): value is ResourceDescriptor {
  if (!isObject(value)) {
    issues.add(path, `must be an object, found ${describe(value)}`);
    return false;
  }
  const before = issues.issues.length;
  const name = issues.string(value, 'name', path, false);
  const uri = issues.string(value, 'uri', path, false);
  issues.string(value, 'downloadLocation', path, false);
  issues.string(value, 'mediaType', path, false);
  issues.object(value, 'annotations', path, false);
  const content = issues.string(value, 'content', path, false);
  if (content !== undefined) {
    try {
      decodeBase64(content, joinPath(path, 'content'));
    } catch {
      issues.add(joinPath(path, 'content'), 'must be base64 (standard or URL-safe alphabet)');
    }
  }
  const digest = issues.object(value, 'digest', path, false);
  if (digest !== undefined) checkDigestSet(digest, joinPath(path, 'digest'), issues);
  const hasDigest = digest !== undefined && Object.keys(digest).length > 0;
  // A wrongly typed name/uri/digest was reported already; judge presence only when those fields are well typed.
  const mistyped = ['name', 'uri', 'digest'].some(
    (k) => value[k] !== undefined && (k === 'digest' ? !isObject(value[k]) : typeof value[k] !== 'string'),
  );
  if (!mistyped && !name && !uri && !hasDigest) {
    issues.add(path, 'must have at least one of name, uri or digest');
  } else if (!mistyped && requireDigest && !hasDigest) {
    issues.add(joinPath(path, 'digest'), 'is required in a subject: at least one digest');
  }
  return issues.issues.length === before;
}

/**
 * Parses and validates an in-toto ResourceDescriptor: at least one of name, uri or digest; a DigestSet's known
 * algorithms (sha256, sha512, gitCommit, ...) must be lowercase hex of their exact size; unknown fields are kept.
 *
 * @param field the JSON path of the descriptor, used in messages
 * @throws ParseError `ERR_MALFORMED_STATEMENT` listing every bad path
 * @example
 * ```ts
 * const rd = parseResourceDescriptor({ name: 'app.tgz', digest: { sha256: hex } }, 'subject[0]');
 * rd.digest?.sha256; // hex
 * ```
 */
export function parseResourceDescriptor(input: unknown, field = 'resourceDescriptor'): ResourceDescriptor {
  const issues = new IssueCollector();
  const copy = copyJson(input, field, issues);
  issues.throwIfAny(CODE);
  if (!checkResourceDescriptor(copy, field, issues, false)) throw new ParseError(CODE, issues.issues);
  return deepFreeze(copy);
}

/**
 * Parses and validates an in-toto Statement (`_type` v1 or v0.1) as the reference Go `Statement.Validate()`
 * does: at least one subject, each a valid ResourceDescriptor with a digest, a non-empty `predicateType`, and
 * (for v1) a `predicate` object. Every problem is collected and thrown at once.
 *
 * @throws ParseError `ERR_MALFORMED_STATEMENT` listing every bad path (`subject[0].digest.sha256: ...`)
 * @example
 * ```ts
 * const statement = parseStatement(JSON.parse(payloadText));
 * statement.subject[0]?.digest?.sha256;
 * ```
 */
export function parseStatement(input: unknown): Statement {
  const issues = new IssueCollector();
  const raw = copyJson(input, '', issues);
  issues.throwIfAny(CODE);
  if (!isObject(raw))
    throw new ParseError(CODE, [
      { path: '', message: `a Statement must be a JSON object, found ${describe(raw)}` },
    ]);

  const type = issues.string(raw, '_type', '');
  let version: Statement['version'] = 'v1';
  if (type === STATEMENT_TYPE_V01) version = 'v0.1';
  else if (type !== undefined && type !== STATEMENT_TYPE_V1) {
    issues.add('_type', `must be "${STATEMENT_TYPE_V1}" or "${STATEMENT_TYPE_V01}", found ${quote(type)}`);
  }

  const subjects = issues.array(raw, 'subject', '');
  const subject: ResourceDescriptor[] = [];
  if (subjects?.length === 0) issues.add('subject', 'must list at least one subject, found an empty array');
  subjects?.forEach((rd, i) => {
    if (checkResourceDescriptor(rd, joinPath('subject', i), issues, true)) subject.push(rd);
  });

  const predicateType = issues.string(raw, 'predicateType', '');
  if (predicateType === '') issues.add('predicateType', 'must be a non-empty type URI, found ""');

  // `null` is how JSON spells an unset message field, so it counts as missing.
  const predicateValue = raw.predicate === null ? undefined : raw.predicate;
  let predicate: JsonObject | undefined;
  if (predicateValue === undefined) {
    if (version === 'v1') issues.add('predicate', 'is required: a JSON object');
  } else if (isObject(predicateValue)) predicate = predicateValue;
  else issues.add('predicate', `must be an object, found ${describe(predicateValue)}`);

  issues.throwIfAny(CODE);
  deepFreeze(raw);
  return Object.freeze({
    type: type ?? STATEMENT_TYPE_V1,
    version,
    subject: Object.freeze(subject),
    predicateType: predicateType ?? '',
    predicate,
    raw,
  });
}

/**
 * Parses Statement bytes: strict UTF-8, then JSON, then {@link parseStatement}.
 *
 * @throws ParseError `ERR_MALFORMED_PAYLOAD` (not UTF-8), `ERR_MALFORMED_JSON` or `ERR_MALFORMED_STATEMENT`
 * @example
 * ```ts
 * const statement = parseStatementJson(envelopePayloadBytes);
 * ```
 */
export function parseStatementJson(bytes: Uint8Array): Statement {
  return parseStatement(parseJson(bytes, 'statement'));
}

/**
 * Builds a v1 Statement in its JSON form (`_type`, `subject`, `predicateType`, `predicate`, in that order),
 * checked with {@link parseStatement} and frozen. Inputs are copied.
 *
 * @throws ParseError `ERR_MALFORMED_STATEMENT` when the result would not be a valid Statement
 * @example
 * ```ts
 * const json = buildStatement({
 *   subject: [{ digest: { sha256: imageDigestHex } }],
 *   predicateType: 'https://sigstore.dev/cosign/sign/v1',
 *   predicate: {},
 * });
 * const payload = serializeStatement(json);
 * ```
 */
export function buildStatement(options: {
  readonly subject: readonly StatementSubjectInput[];
  readonly predicateType: string;
  readonly predicate: object;
}): StatementJson {
  const issues = new IssueCollector();
  const subject = options.subject.map((s, i) => {
    const at = joinPath('subject', i);
    const digest = copyJson(s.digest, joinPath(at, 'digest'), issues);
    const annotations =
      s.annotations === undefined ? undefined : copyJson(s.annotations, joinPath(at, 'annotations'), issues);
    return { name: s.name, digest, annotations };
  });
  const predicate = copyJson(options.predicate, 'predicate', issues);
  issues.throwIfAny(CODE);
  const draft = {
    _type: STATEMENT_TYPE_V1,
    subject: subject.map((s) => ({
      ...(s.name === undefined ? {} : { name: s.name }),
      digest: s.digest,
      ...(s.annotations === undefined ? {} : { annotations: s.annotations }),
    })),
    predicateType: options.predicateType,
    predicate,
  };
  // Validating the draft gives the caller the same messages a reader would get.
  const checked = parseStatement(draft);
  if (checked.predicate === undefined)
    throw new ParseError(CODE, [{ path: 'predicate', message: 'is required' }]);
  const subjects: StatementJson['subject'] = checked.subject.map((rd, i) => {
    const d = rd.digest;
    if (d === undefined)
      throw new ParseError(CODE, [{ path: `subject[${i}].digest`, message: 'is required' }]);
    return {
      ...(rd.name === undefined ? {} : { name: rd.name }),
      digest: d,
      ...(rd.annotations === undefined ? {} : { annotations: rd.annotations }),
    };
  });
  return deepFreeze({
    _type: STATEMENT_TYPE_V1,
    subject: subjects,
    predicateType: checked.predicateType,
    predicate: checked.predicate,
  });
}

/**
 * Serializes a Statement's JSON form to UTF-8 bytes (`JSON.stringify`, keys in the order built).
 *
 * @example
 * ```ts
 * const bytes = serializeStatement(buildStatement({ subject, predicateType, predicate: {} }));
 * ```
 */
export function serializeStatement(statement: StatementJson): Uint8Array {
  return utf8(JSON.stringify(statement));
}

/**
 * Whether some subject of `statement` has exactly `digest.hex` under `digest.algorithm`.
 *
 * @example
 * ```ts
 * if (!statementHasSubjectDigest(statement, { algorithm: 'sha256', hex: imageHex })) throw new Error('not this image');
 * ```
 */
export function statementHasSubjectDigest(
  statement: Statement,
  digest: { readonly algorithm: string; readonly hex: string },
): boolean {
  return statement.subject.some(
    (rd) =>
      rd.digest !== undefined &&
      Object.hasOwn(rd.digest, digest.algorithm) &&
      rd.digest[digest.algorithm] === digest.hex,
  );
}
