// DSSE (Dead Simple Signing Envelope) v1: PAE, the JSON envelope parser, signing, and threshold verification.
import { decodeBase64, encodeBase64 } from './encoding.js';
import { type Issue, ParseError, UsageError, VerificationError } from './errors.js';
import { describe, isObject, joinPath } from './json.js';
import type { PrivateKey, PublicKey } from './keys/index.js';
import type { CryptoBackendName } from './keys/types.js';

/** One signature of a parsed envelope. `keyid` is an unauthenticated hint; `''` when the envelope had none. */
export interface EnvelopeSignature {
  readonly keyid: string;
  readonly sig: Uint8Array;
}

/** A parsed DSSE envelope (frozen): bytes decoded, nothing verified yet. */
export interface Envelope {
  readonly payloadType: string;
  readonly payload: Uint8Array;
  readonly signatures: readonly EnvelopeSignature[];
}

/**
 * The JSON form of an envelope, fields in the order sigstore-js / protobuf JSON write them
 * (`payload`, `payloadType`, `signatures`; each signature `sig`, `keyid`).
 */
export interface EnvelopeJson {
  readonly payload: string;
  readonly payloadType: string;
  readonly signatures: readonly { readonly sig: string; readonly keyid: string }[];
}

/** What {@link verifyEnvelope} proved: the payload bytes it checked (a copy) and the distinct keys that signed them. */
export interface VerifiedEnvelope {
  readonly payloadType: string;
  readonly payload: Uint8Array;
  /** Key ids (hex SHA-256 of SPKI DER) of the distinct trusted keys whose signature verified. */
  readonly signerKeyIds: readonly string[];
}

/** Options of {@link verifyEnvelope} and {@link verifyEnvelopeSync}. */
export interface VerifyEnvelopeOptions {
  /** The trusted keys. Only these are ever used; a `keyid` in the envelope only changes the order they are tried in. */
  readonly keys: readonly PublicKey[];
  /** How many distinct trusted keys must have signed. Default 1. */
  readonly threshold?: number;
  /** Force a crypto backend (async verification only). */
  readonly backend?: CryptoBackendName;
}

const encoder = new TextEncoder();

function decimalLength(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}

/**
 * The DSSE v1 Pre-Authentication Encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`, lengths in bytes,
 * in ASCII decimal. This is what a DSSE signature covers. Built with a single allocation.
 *
 * @example
 * ```ts
 * pae('http://example.com/HelloWorld', utf8('hello world'));
 * // bytes of "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
 * ```
 */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const typeLength = Buffer.byteLength(payloadType, 'utf8');
  // "DSSEv1 " + len + " " + type + " " + len + " "
  const headLength = 7 + decimalLength(typeLength) + 1 + typeLength + 1 + decimalLength(payload.length) + 1;
  const out = new Uint8Array(headLength + payload.length);
  encoder.encodeInto(`DSSEv1 ${typeLength} ${payloadType} ${payload.length} `, out);
  out.set(payload, headLength);
  return out;
}

/** Decodes one base64 field, recording an issue instead of throwing. */
function base64Field(value: unknown, path: string, issues: Issue[]): Uint8Array | undefined {
  if (value === undefined) {
    issues.push({ path, message: 'is required' });
    return undefined;
  }
  if (typeof value !== 'string') {
    issues.push({ path, message: `must be a base64 string, found ${describe(value)}` });
    return undefined;
  }
  try {
    return decodeBase64(value, path);
  } catch (e) {
    if (e instanceof ParseError) issues.push(...e.issues);
    else throw e;
    return undefined;
  }
}

/** Reads an envelope, recording every issue under `path` (so one parse reports every bad field). */
function collectEnvelope(input: unknown, path: string, issues: Issue[]): Envelope | undefined {
  if (!isObject(input)) {
    issues.push({ path, message: `must be a DSSE envelope object, found ${describe(input)}` });
    return undefined;
  }
  const before = issues.length;
  const payload = base64Field(input.payload, joinPath(path, 'payload'), issues);
  const payloadType = input.payloadType;
  if (typeof payloadType !== 'string' || payloadType === '') {
    issues.push({
      path: joinPath(path, 'payloadType'),
      message:
        payloadType === undefined
          ? 'is required'
          : `must be a non-empty string, found ${describeValue(payloadType)}`,
    });
  }
  const signatures: EnvelopeSignature[] = [];
  const list = input.signatures;
  const listPath = joinPath(path, 'signatures');
  if (!Array.isArray(list)) {
    issues.push({
      path: listPath,
      message: list === undefined ? 'is required' : `must be an array, found ${describe(list)}`,
    });
  } else {
    list.forEach((entry: unknown, i) => {
      const at = joinPath(listPath, i);
      if (!isObject(entry)) {
        issues.push({ path: at, message: `must be an object with "sig", found ${describe(entry)}` });
        return;
      }
      const sig = base64Field(entry.sig, joinPath(at, 'sig'), issues);
      const keyid = entry.keyid;
      if (keyid !== undefined && keyid !== null && typeof keyid !== 'string') {
        issues.push({ path: joinPath(at, 'keyid'), message: `must be a string, found ${describe(keyid)}` });
        return;
      }
      if (sig !== undefined)
        signatures.push(Object.freeze({ keyid: typeof keyid === 'string' ? keyid : '', sig }));
    });
  }
  if (issues.length > before || payload === undefined || typeof payloadType !== 'string') return undefined;
  return Object.freeze({ payloadType, payload, signatures: Object.freeze(signatures) });
}

function describeValue(value: unknown): string {
  return value === '' ? 'an empty string' : describe(value);
}

/**
 * Parses the JSON form of a DSSE envelope. `payload` and `sig` may be standard or URL-safe base64 (padded or
 * not); an empty `signatures` array parses, but verification then fails with `ERR_NO_SIGNATURES`.
 *
 * @param field the JSON path of the envelope, used as the prefix of every reported path
 * @throws ParseError `ERR_MALFORMED_ENVELOPE` listing every bad path
 * @example
 * ```ts
 * const envelope = parseEnvelope(JSON.parse(text));
 * const { payload } = await verifyEnvelope(envelope, { keys: [publicKey] });
 * ```
 */
export function parseEnvelope(input: unknown, field = 'dsseEnvelope'): Envelope {
  const issues: Issue[] = [];
  const envelope = collectEnvelope(input, field, issues);
  if (envelope === undefined || issues.length > 0) throw new ParseError('ERR_MALFORMED_ENVELOPE', issues);
  return envelope;
}

/**
 * Signs `payload` with every key and returns the envelope's JSON form. Each signature's `keyid` is the signing
 * key's id (lowercase hex SHA-256 of its SPKI DER). sigstore-js does the same in bundles: the DSSE `keyid`
 * equals the bundle's `verificationMaterial.publicKey.hint`, which the bundle spec requires to match.
 *
 * @throws UsageError `ERR_USAGE` when `keys` is empty or `payloadType` is empty
 * @example
 * ```ts
 * const json = signEnvelope({ payloadType: 'application/vnd.in-toto+json', payload, keys: [privateKey] });
 * ```
 */
export function signEnvelope(options: {
  readonly payloadType: string;
  readonly payload: Uint8Array;
  readonly keys: readonly PrivateKey[];
}): EnvelopeJson {
  const { payloadType, payload, keys } = options;
  if (typeof payloadType !== 'string' || payloadType === '') {
    throw new UsageError('ERR_USAGE', 'payloadType must be a non-empty string');
  }
  if (keys.length === 0)
    throw new UsageError('ERR_USAGE', 'keys must name at least one private key to sign with');
  const message = pae(payloadType, payload);
  const signatures = keys.map((key) =>
    Object.freeze({ sig: encodeBase64(key.sign(message)), keyid: key.keyId }),
  );
  return Object.freeze({
    payload: encodeBase64(payload),
    payloadType,
    signatures: Object.freeze(signatures),
  });
}

/** One signature check the verification loop asks its driver to make. */
interface Attempt {
  readonly key: PublicKey;
  readonly sig: Uint8Array;
}

/** Checks the options and counts the distinct trusted keys. */
function checkOptions(envelope: Envelope, options: VerifyEnvelopeOptions): number {
  const { keys } = options;
  const threshold = options.threshold ?? 1;
  if (keys.length === 0) throw new UsageError('ERR_USAGE', 'keys must name at least one trusted public key');
  const distinct = keys.length === 1 ? 1 : new Set(keys.map((k) => k.keyId)).size;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > distinct) {
    throw new UsageError(
      'ERR_USAGE',
      `threshold must be an integer from 1 to the number of distinct trusted keys (${distinct}), found ${threshold}`,
    );
  }
  if (envelope.signatures.length === 0) {
    throw new VerificationError(
      'ERR_NO_SIGNATURES',
      'DSSE envelope: signatures is empty; expected at least one',
    );
  }
  return threshold;
}

/**
 * Whether an unauthenticated key hint (a DSSE `keyid` or a bundle's `publicKey.hint`) names `key`: vouch writes
 * the hex key id; cosign and sigstore-go write the standard base64 of the same SHA-256 of the SPKI DER. A hint
 * only orders the keys to try; it is never a reason to trust a key.
 *
 * @example
 * ```ts
 * hintNamesKey(bundle.verificationMaterial.hint, publicKey); // true when the bundle says it was signed by publicKey
 * ```
 */
export function hintNamesKey(hint: string, key: PublicKey): boolean {
  if (hint === '') return false;
  if (hint === key.keyId) return true;
  return hint.length === 44 && hint === Buffer.from(key.keyId, 'hex').toString('base64');
}

/**
 * The verification loop, written once for the sync and async drivers: it yields each (key, signature) pair to
 * check and receives whether it verified. Per the DSSE protocol, the keyid only narrows which key is tried first;
 * the other trusted keys are still tried, and a key counts once however many signatures it made.
 */
function* verificationSteps(
  envelope: Envelope,
  keys: readonly PublicKey[],
  threshold: number,
): Generator<Attempt, readonly string[], boolean> {
  const signers: string[] = [];
  for (const { keyid, sig } of envelope.signatures) {
    if (keys.length === 1) {
      const key = keys[0] as PublicKey;
      if (signers.length === 0 && (yield { key, sig })) signers.push(key.keyId);
    } else {
      const hinted = keyid === '' ? [] : keys.filter((k) => hintNamesKey(keyid, k));
      const order = hinted.length === 0 ? keys : [...hinted, ...keys.filter((k) => !hinted.includes(k))];
      for (const key of order) {
        if (signers.includes(key.keyId)) continue;
        if (yield { key, sig }) {
          signers.push(key.keyId);
          break;
        }
      }
    }
    if (signers.length >= threshold) break;
  }
  return signers;
}

/**
 * `message` is the PAE that was verified: the returned payload is a view of its tail, so it is exactly the bytes
 * checked and costs no second copy (the buffer was allocated by this call and is referenced nowhere else).
 */
function finish(
  envelope: Envelope,
  message: Uint8Array,
  signers: readonly string[],
  threshold: number,
  keyCount: number,
): VerifiedEnvelope {
  if (signers.length === 0) {
    throw new VerificationError(
      'ERR_SIGNATURE_INVALID',
      `DSSE signature: expected a signature by one of the ${keyCount} trusted key(s) over PAE(payloadType, payload), ` +
        `found none of the ${envelope.signatures.length} signature(s) verifies`,
    );
  }
  if (signers.length < threshold) {
    throw new VerificationError(
      'ERR_THRESHOLD_NOT_MET',
      `DSSE threshold: expected signatures by ${threshold} distinct trusted keys, found ${signers.length}`,
    );
  }
  return Object.freeze({
    payloadType: envelope.payloadType,
    payload: message.subarray(message.length - envelope.payload.length),
    signerKeyIds: Object.freeze([...signers]),
  });
}

/**
 * Verifies a parsed envelope against trusted keys and returns what was verified. A threshold counts distinct
 * trusted keys: one key signing twice counts once, a signature that no trusted key verifies counts for nothing.
 *
 * @throws UsageError `ERR_USAGE` for no keys or a threshold outside 1..distinct keys
 * @throws VerificationError `ERR_NO_SIGNATURES`, `ERR_SIGNATURE_INVALID` (no signature verified) or
 *   `ERR_THRESHOLD_NOT_MET` (some did, too few distinct keys)
 * @example
 * ```ts
 * const verified = await verifyEnvelope(parseEnvelope(json), { keys: [a, b, c], threshold: 2 });
 * verified.signerKeyIds; // ids of the keys that signed
 * ```
 */
export async function verifyEnvelope(
  envelope: Envelope,
  options: VerifyEnvelopeOptions,
): Promise<VerifiedEnvelope> {
  const threshold = checkOptions(envelope, options);
  const message = pae(envelope.payloadType, envelope.payload);
  const verifyOptions = options.backend === undefined ? undefined : { backend: options.backend };
  const steps = verificationSteps(envelope, options.keys, threshold);
  let step = steps.next();
  while (!step.done) {
    const { key, sig } = step.value;
    step = steps.next(await key.verify(message, sig, verifyOptions));
  }
  return finish(envelope, message, step.value, threshold, options.keys.length);
}

/**
 * The synchronous form of {@link verifyEnvelope} (node:crypto fast path; `backend` is ignored).
 *
 * @example
 * ```ts
 * const { payload } = verifyEnvelopeSync(envelope, { keys: [publicKey] });
 * ```
 */
export function verifyEnvelopeSync(envelope: Envelope, options: VerifyEnvelopeOptions): VerifiedEnvelope {
  const threshold = checkOptions(envelope, options);
  const message = pae(envelope.payloadType, envelope.payload);
  const steps = verificationSteps(envelope, options.keys, threshold);
  let step = steps.next();
  while (!step.done) {
    const { key, sig } = step.value;
    step = steps.next(key.verifySync(message, sig));
  }
  return finish(envelope, message, step.value, threshold, options.keys.length);
}
