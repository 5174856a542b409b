// cosign's legacy "simple signing" payload (`.sig` tags): build, parse (case-insensitive keys), verify then parse.
import { type Digest, parseDigest } from './digest.js';
import { decodeBase64, utf8 } from './encoding.js';
import { type Issue, ParseError, UsageError, VerificationError } from './errors.js';
import { deepFreeze, describe, isObject, type JsonObject, parseJson } from './json.js';
import type { PublicKey } from './keys/index.js';
import type { CryptoBackendName } from './keys/types.js';

/** The `critical.type` of a cosign image signature. */
export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

/** A parsed simple-signing payload (frozen). */
export interface SimpleSigningPayload {
  /** `critical.identity.docker-reference`. */
  readonly dockerReference: string;
  /** `critical.image.docker-manifest-digest`. */
  readonly manifestDigest: Digest;
  /** `critical.type` as written. */
  readonly type: string;
  /** `optional` (cosign's annotations), `null` when absent or null. */
  readonly optional: JsonObject | null;
}

/** What {@link verifySimpleSigning} proved. */
export interface SimpleSigningVerification {
  readonly payload: SimpleSigningPayload;
  /** The id of the trusted key that verified the signature. */
  readonly signerKeyId: string;
}

const CODE = 'ERR_MALFORMED_PAYLOAD';

/**
 * Reads `obj[name]` matching the key case-insensitively, as cosign's Go decoder does. Two keys that differ only in
 * case are refused: Go would keep the last one, another reader the first, and a signature must mean one thing.
 */
function field(obj: JsonObject, name: string, path: string, issues: Issue[]): unknown {
  const keys = Object.keys(obj).filter((k) => k.toLowerCase() === name);
  const at = path === '' ? name : `${path}.${name}`;
  if (keys.length > 1) {
    issues.push({
      path: at,
      message: `appears ${keys.length} times with different case (${keys.join(', ')})`,
    });
    return undefined;
  }
  const key = keys[0];
  if (key === undefined) {
    issues.push({ path: at, message: 'is required' });
    return undefined;
  }
  return obj[key];
}

function objectField(obj: JsonObject, name: string, path: string, issues: Issue[]): JsonObject | undefined {
  const v = field(obj, name, path, issues);
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    issues.push({
      path: path === '' ? name : `${path}.${name}`,
      message: `must be an object, found ${describe(v)}`,
    });
    return undefined;
  }
  return v;
}

function stringField(obj: JsonObject, name: string, path: string, issues: Issue[]): string | undefined {
  const v = field(obj, name, path, issues);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    issues.push({ path: `${path}.${name}`, message: `must be a string, found ${describe(v)}` });
    return undefined;
  }
  return v;
}

/**
 * Parses a simple-signing payload (cosign SIGNATURE_SPEC): `critical.identity.docker-reference`,
 * `critical.image.docker-manifest-digest`, `critical.type`, optional `optional`. Keys match case-insensitively.
 * Parse only bytes whose signature verified: {@link verifySimpleSigning} does both in that order.
 *
 * @throws ParseError `ERR_MALFORMED_PAYLOAD` listing every bad path (`ERR_MALFORMED_JSON` for bad JSON)
 * @example
 * ```ts
 * const { manifestDigest } = parseSimpleSigningPayload(verifiedBytes);
 * ```
 */
export function parseSimpleSigningPayload(bytes: Uint8Array): SimpleSigningPayload {
  const value = parseJson(bytes, 'payload');
  if (!isObject(value))
    throw new ParseError(CODE, [
      { path: '', message: `payload must be a JSON object, found ${describe(value)}` },
    ]);
  const issues: Issue[] = [];
  const critical = objectField(value, 'critical', '', issues);
  let dockerReference: string | undefined;
  let digestText: string | undefined;
  let type: string | undefined;
  if (critical !== undefined) {
    const identity = objectField(critical, 'identity', 'critical', issues);
    if (identity !== undefined)
      dockerReference = stringField(identity, 'docker-reference', 'critical.identity', issues);
    const image = objectField(critical, 'image', 'critical', issues);
    if (image !== undefined)
      digestText = stringField(image, 'docker-manifest-digest', 'critical.image', issues);
    type = stringField(critical, 'type', 'critical', issues);
  }
  let manifestDigest: Digest | undefined;
  if (digestText !== undefined) {
    try {
      manifestDigest = parseDigest(digestText, 'critical.image.docker-manifest-digest');
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      issues.push(...e.issues);
    }
  }
  const optionalKeys = Object.keys(value).filter((k) => k.toLowerCase() === 'optional');
  const optionalValue = optionalKeys.length === 1 ? value[optionalKeys[0] as string] : null;
  if (optionalKeys.length > 1)
    issues.push({ path: 'optional', message: `appears ${optionalKeys.length} times with different case` });
  if (optionalValue !== null && optionalValue !== undefined && !isObject(optionalValue)) {
    issues.push({ path: 'optional', message: `must be an object or null, found ${describe(optionalValue)}` });
  }
  if (
    issues.length > 0 ||
    dockerReference === undefined ||
    manifestDigest === undefined ||
    type === undefined
  ) {
    throw new ParseError(CODE, issues);
  }
  const optional = isObject(optionalValue) ? deepFreeze(optionalValue) : null;
  return Object.freeze({ dockerReference, manifestDigest, type, optional });
}

/**
 * Builds a simple-signing payload exactly as cosign writes it (`optional` is `null` without annotations).
 *
 * @throws ParseError `ERR_MALFORMED_DIGEST`; UsageError `ERR_USAGE` for an empty reference
 * @example
 * ```ts
 * const payload = createSimpleSigningPayload({ reference: 'ghcr.io/acme/app', digest: 'sha256:' + hex });
 * const signature = privateKey.sign(payload);
 * ```
 */
export function createSimpleSigningPayload(options: {
  readonly reference: string;
  readonly digest: Digest | string;
  readonly annotations?: Readonly<Record<string, string>>;
}): Uint8Array {
  const digest = parseDigest(
    typeof options.digest === 'string' ? options.digest : options.digest.value,
    'digest',
  );
  if (typeof options.reference !== 'string' || options.reference === '') {
    throw new UsageError('ERR_USAGE', 'reference must be a non-empty docker reference');
  }
  const json = {
    critical: {
      identity: { 'docker-reference': options.reference },
      image: { 'docker-manifest-digest': digest.value },
      type: SIMPLE_SIGNING_TYPE,
    },
    optional: options.annotations === undefined ? null : { ...options.annotations },
  };
  return utf8(JSON.stringify(json));
}

/**
 * Verifies a cosign simple-signing signature: first the signature over the payload bytes (by any trusted key),
 * then parses those bytes, checks `critical.type` (case-insensitively) and that the signed manifest digest is
 * `digest`. Returns only the verified payload's fields.
 *
 * @throws ParseError `ERR_MALFORMED_SIGNATURE` (signature not base64), `ERR_MALFORMED_PAYLOAD`
 * @throws VerificationError `ERR_SIGNATURE_INVALID`, `ERR_PAYLOAD_TYPE`, `ERR_DIGEST_MISMATCH`
 * @example
 * ```ts
 * const { payload } = await verifySimpleSigning({ payload: bytes, signature: b64, keys: [pub], digest });
 * ```
 */
export async function verifySimpleSigning(options: {
  readonly payload: Uint8Array;
  readonly signature: string | Uint8Array;
  readonly keys: readonly PublicKey[];
  readonly digest: Digest | string;
  readonly backend?: CryptoBackendName;
}): Promise<SimpleSigningVerification> {
  const digest = parseDigest(
    typeof options.digest === 'string' ? options.digest : options.digest.value,
    'digest',
  );
  if (options.keys.length === 0)
    throw new UsageError('ERR_USAGE', 'keys must name at least one trusted public key');
  let signature: Uint8Array;
  if (typeof options.signature === 'string') {
    try {
      signature = decodeBase64(options.signature.trim(), 'signature');
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      throw new ParseError('ERR_MALFORMED_SIGNATURE', e.issues, { cause: e });
    }
  } else {
    signature = options.signature;
  }
  // Copy first: the bytes verified are the bytes parsed, whatever the caller does with its array meanwhile.
  const payload = options.payload.slice();
  const verifyOptions = options.backend === undefined ? undefined : { backend: options.backend };
  let signer: PublicKey | undefined;
  for (const key of options.keys) {
    if (await key.verify(payload, signature, verifyOptions)) {
      signer = key;
      break;
    }
  }
  if (signer === undefined) {
    throw new VerificationError(
      'ERR_SIGNATURE_INVALID',
      `simple-signing signature: expected a signature over the payload by one of ${options.keys.length} trusted key(s), found none verifies`,
    );
  }
  const parsed = checkSimpleSigningPayload(payload, digest);
  return Object.freeze({ payload: parsed, signerKeyId: signer.keyId });
}

/**
 * Parses verified simple-signing bytes and checks what they claim: `critical.type` (case-insensitively, as cosign)
 * and that the signed manifest digest is `digest`. Call it only on bytes whose signature verified.
 *
 * @throws ParseError `ERR_MALFORMED_PAYLOAD`; VerificationError `ERR_PAYLOAD_TYPE`, `ERR_DIGEST_MISMATCH`
 * @example
 * ```ts
 * const { optional } = checkSimpleSigningPayload(verifiedPayload, imageDigest);
 * ```
 */
export function checkSimpleSigningPayload(payload: Uint8Array, digest: Digest): SimpleSigningPayload {
  const parsed = parseSimpleSigningPayload(payload);
  if (parsed.type.toLowerCase() !== SIMPLE_SIGNING_TYPE) {
    throw new VerificationError(
      'ERR_PAYLOAD_TYPE',
      `critical.type: expected ${JSON.stringify(SIMPLE_SIGNING_TYPE)}, found ${JSON.stringify(parsed.type.slice(0, 80))}`,
    );
  }
  if (parsed.manifestDigest.value !== digest.value) {
    throw new VerificationError(
      'ERR_DIGEST_MISMATCH',
      `critical.image.docker-manifest-digest: expected ${digest.value}, found ${parsed.manifestDigest.value}`,
    );
  }
  return parsed;
}
