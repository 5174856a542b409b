// Content digests (`sha256:<hex>`): strict parsing, hashing of bytes and streams, comparison.
import { createHash } from 'node:crypto';
import { type Issue, ParseError, UsageError } from './errors.js';
import { describe } from './json.js';

/** The digest algorithms vouch accepts (the ones OCI registries and in-toto subjects use). */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** A parsed, validated digest. Values are frozen; `hex` is always lowercase. */
export interface Digest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  /** `algorithm:hex`, the form registries and references use. */
  readonly value: string;
}

const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = Object.freeze({
  sha256: 64,
  sha384: 96,
  sha512: 128,
});

/** Every accepted algorithm, strongest last. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.freeze(['sha256', 'sha384', 'sha512']);

const EXPECTED_ALGORITHMS = 'sha256, sha384 or sha512';
const LOWER_HEX = /^[0-9a-f]*$/;
const ANY_HEX = /^[0-9a-fA-F]*$/;

/**
 * Whether `value` names an accepted digest algorithm (exactly, lowercase).
 *
 * @example
 * ```ts
 * isDigestAlgorithm('sha256'); // true
 * isDigestAlgorithm('md5'); // false
 * ```
 */
export function isDigestAlgorithm(value: unknown): value is DigestAlgorithm {
  return value === 'sha256' || value === 'sha384' || value === 'sha512';
}

/** Quotes a found value for a message, escaped and cut short so hostile input cannot flood logs. */
function quoteFound(value: string, max = 80): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}

function algorithmIssue(algorithm: string, field: string): Issue {
  const hint = isDigestAlgorithm(algorithm.toLowerCase()) ? ' (algorithm names are lowercase)' : '';
  return {
    path: field,
    message: `algorithm must be ${EXPECTED_ALGORITHMS}, found ${quoteFound(algorithm)}${hint}`,
  };
}

function hexIssues(algorithm: DigestAlgorithm, hex: string, field: string): Issue[] {
  const issues: Issue[] = [];
  if (!ANY_HEX.test(hex)) {
    const bad = [...hex].find((c) => !/[0-9a-fA-F]/.test(c)) ?? '';
    issues.push({
      path: field,
      message: `${algorithm} hex must contain only 0-9 and a-f, found ${quoteFound(bad)} at position ${hex.indexOf(bad)}`,
    });
  } else if (!LOWER_HEX.test(hex)) {
    issues.push({ path: field, message: `${algorithm} hex must be lowercase, found uppercase hex digits` });
  }
  const expected = HEX_LENGTH[algorithm];
  if (hex.length !== expected) {
    issues.push({
      path: field,
      message: `${algorithm} hex must be ${expected} characters long, found ${hex.length}`,
    });
  }
  return issues;
}

function makeDigest(algorithm: DigestAlgorithm, hex: string): Digest {
  return Object.freeze({ algorithm, hex, value: `${algorithm}:${hex}` });
}

/** The digest, or every issue found in `input`. */
function checkDigest(input: unknown, field: string): Digest | Issue[] {
  if (input === undefined) return [{ path: field, message: 'is required: expected "algorithm:hex"' }];
  if (typeof input !== 'string') {
    return [{ path: field, message: `must be a string "algorithm:hex", found ${describe(input)}` }];
  }
  if (input === '') {
    return [
      { path: field, message: 'must be "algorithm:hex" (e.g. sha256:<64 hex>), found an empty string' },
    ];
  }
  const colon = input.indexOf(':');
  if (colon < 0) {
    return [
      {
        path: field,
        message: `must be "algorithm:hex" (e.g. sha256:<64 hex>), found no ":" in ${quoteFound(input)}`,
      },
    ];
  }
  const algorithm = input.slice(0, colon);
  if (!isDigestAlgorithm(algorithm)) return [algorithmIssue(algorithm, field)];
  const hex = input.slice(colon + 1);
  const issues = hexIssues(algorithm, hex, field);
  return issues.length > 0 ? issues : makeDigest(algorithm, hex);
}

/**
 * Parses `algorithm:hex` into a frozen {@link Digest}. Only sha256, sha384 and sha512 are accepted, the hex must
 * be lowercase and exactly as long as the algorithm's output (64, 96 or 128 characters).
 *
 * @throws ParseError `ERR_MALFORMED_DIGEST` naming `field` and saying what was expected and what was found.
 * @example
 * ```ts
 * const d = parseDigest('sha256:' + 'ab'.repeat(32), 'subject[0].digest');
 * d.algorithm; // 'sha256'
 * ```
 */
export function parseDigest(input: unknown, field = 'digest'): Digest {
  const result = checkDigest(input, field);
  if (Array.isArray(result)) throw new ParseError('ERR_MALFORMED_DIGEST', result);
  return result;
}

/**
 * Whether `input` is a digest string {@link parseDigest} accepts.
 *
 * @example
 * ```ts
 * isDigest('sha256:' + '0'.repeat(64)); // true
 * isDigest('sha256:ABC'); // false
 * ```
 */
export function isDigest(input: unknown): input is string {
  return !Array.isArray(checkDigest(input, 'digest'));
}

/**
 * Throws unless `input` is a digest string {@link parseDigest} accepts.
 *
 * @throws ParseError `ERR_MALFORMED_DIGEST`.
 * @example
 * ```ts
 * assertDigest(value, 'manifest.config.digest'); // value is now typed as string
 * ```
 */
export function assertDigest(input: unknown, field = 'digest'): asserts input is string {
  parseDigest(input, field);
}

/**
 * Builds a {@link Digest} from an algorithm and its hex, as found apart in JSON (`{"sha256": "<hex>"}`).
 *
 * @throws ParseError `ERR_MALFORMED_DIGEST` when the algorithm is unknown or the hex is not lowercase of the
 * right length.
 * @example
 * ```ts
 * const d = digestFromHex('sha256', subject.digest.sha256, 'subject[0].digest.sha256');
 * ```
 */
export function digestFromHex(algorithm: unknown, hex: unknown, field = 'digest'): Digest {
  if (!isDigestAlgorithm(algorithm)) {
    const found = typeof algorithm === 'string' ? algorithm : describe(algorithm);
    throw new ParseError('ERR_MALFORMED_DIGEST', [algorithmIssue(found, field)]);
  }
  if (typeof hex !== 'string') {
    throw new ParseError('ERR_MALFORMED_DIGEST', [
      {
        path: field,
        message: `must be a string of ${HEX_LENGTH[algorithm]} hex characters, found ${describe(hex)}`,
      },
    ]);
  }
  const issues = hexIssues(algorithm, hex, field);
  if (issues.length > 0) throw new ParseError('ERR_MALFORMED_DIGEST', issues);
  return makeDigest(algorithm, hex);
}

function checkAlgorithm(algorithm: unknown): DigestAlgorithm {
  if (!isDigestAlgorithm(algorithm)) {
    const found = typeof algorithm === 'string' ? quoteFound(algorithm) : describe(algorithm);
    throw new UsageError(
      'ERR_UNSUPPORTED_ALGORITHM',
      `digest algorithm must be ${EXPECTED_ALGORITHMS}, found ${found}`,
    );
  }
  return algorithm;
}

function checkBytes(bytes: unknown, what: string): Uint8Array {
  // A string would hash its UTF-8 silently in node:crypto; refuse it so callers hash exactly the bytes they mean.
  if (!(bytes instanceof Uint8Array))
    throw new UsageError('ERR_USAGE', `${what} must be a Uint8Array, found ${describe(bytes)}`);
  return bytes;
}

/**
 * Hashes bytes with `algorithm`.
 *
 * @throws UsageError `ERR_UNSUPPORTED_ALGORITHM` for an unknown algorithm.
 * @example
 * ```ts
 * digestBytes('sha256', utf8('hello')).value; // 'sha256:2cf24dba…'
 * ```
 */
export function digestBytes(algorithm: DigestAlgorithm, bytes: Uint8Array): Digest {
  const algo = checkAlgorithm(algorithm);
  const hex = createHash(algo).update(checkBytes(bytes, 'bytes')).digest('hex');
  return makeDigest(algo, hex);
}

/**
 * Lowercase hex SHA-256 of bytes (key ids, subject digests).
 *
 * @example
 * ```ts
 * sha256Hex(new Uint8Array()); // 'e3b0c442…b855'
 * ```
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(checkBytes(bytes, 'bytes')).digest('hex');
}

/**
 * Hashes a stream of chunks incrementally, so a large file never has to be in memory at once.
 *
 * @throws UsageError when the algorithm is unknown or a chunk is not a Uint8Array.
 * @example
 * ```ts
 * const d = await digestStream(createReadStream(path, { highWaterMark: 1 << 20 }));
 * ```
 */
export async function digestStream(
  chunks: AsyncIterable<Uint8Array>,
  algorithm: DigestAlgorithm = 'sha256',
): Promise<Digest> {
  const algo = checkAlgorithm(algorithm);
  const hash = createHash(algo);
  let index = 0;
  for await (const chunk of chunks) {
    hash.update(checkBytes(chunk, `chunk ${index}`));
    index++;
  }
  return makeDigest(algo, hash.digest('hex'));
}

/**
 * Whether two digests are the same algorithm and value.
 *
 * @example
 * ```ts
 * digestsEqual(parseDigest(a), parseDigest(b));
 * ```
 */
export function digestsEqual(a: Digest, b: Digest): boolean {
  return a.algorithm === b.algorithm && a.hex === b.hex;
}
