// Transparency-log (Rekor v1 and v2) entries: trust, signed entry timestamp, inclusion proof with checkpoint, and agreement with the bundle.
import { createHash } from 'node:crypto';
import type { Bundle, BundleHashAlgorithm, BundleVersion, TransparencyLogEntry } from '../bundle.js';
import { pae } from '../dsse.js';
import {
  bytesEqual,
  decodeBase64,
  decodeHex,
  decodeUtf8,
  encodeBase64,
  encodeHex,
  utf8,
} from '../encoding.js';
import { UsageError, VerificationError, type VouchErrorCode } from '../errors.js';
import { describe, isObject, type JsonObject } from '../json.js';
import type { PublicKey } from '../keys/index.js';
import { decodePem } from '../keys/pem.js';
import { parseCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { hashLeaf, verifyInclusionProof } from './merkle.js';
import { selectValidAt } from './trusted-root.js';
import type { TrustedLog, TrustedRoot } from './types.js';

/** Who the bundle says signed: the leaf certificate (DER) or the trusted public key. */
export type TlogSigner =
  | { readonly type: 'certificate'; readonly der: Uint8Array }
  | { readonly type: 'publicKey'; readonly key: PublicKey };

/** Options of {@link verifyTlogEntry}. */
export interface VerifyTlogEntryOptions {
  /** One entry of `bundle.verificationMaterial.tlogEntries`. */
  readonly entry: TransparencyLogEntry;
  readonly bundle: Bundle;
  readonly signer: TlogSigner;
  readonly trustedRoot: TrustedRoot;
  /** The verification time: an integrated time after it is refused. */
  readonly now: Date;
  readonly bundleVersion: BundleVersion;
  /**
   * Times already proven by other sources (verified RFC 3161 timestamps). An entry without a signed entry
   * timestamp has no proven time of its own, so its checkpoint's log key must be valid at each of these,
   * or at `now` when none is given.
   */
  readonly verifiedTimes?: readonly Date[];
}

/** What {@link verifyTlogEntry} proved about one entry. */
export interface TlogVerification {
  /** The trusted log that signed the SET or the checkpoint. */
  readonly log: TrustedLog;
  readonly logIndex: bigint;
  /** Only when proven by a verified signed entry timestamp (inclusion promise). */
  readonly integratedTime?: Date;
  /** Whether a Merkle inclusion proof to a verified checkpoint was checked. */
  readonly inclusionProof: boolean;
  readonly checkpoint?: { readonly origin: string; readonly treeSize: bigint; readonly rootHash: Uint8Array };
}

const INT64_MAX = (1n << 63n) - 1n;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

function fail(code: VouchErrorCode, message: string, cause?: unknown): never {
  throw new VerificationError(code, message, cause === undefined ? {} : { cause });
}

/** A decimal int64 (non-negative): the parser keeps log indexes as strings; garbage never reaches BigInt. */
function int64(value: string, field: string): bigint {
  if (!DECIMAL.test(value) || value.length > 19 || BigInt(value) > INT64_MAX) {
    fail(
      'ERR_TLOG_ENTRY_MISMATCH',
      `${field} must be a non-negative int64, found ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return BigInt(value);
}

/** The trusted log with this id whose key was valid at every one of `times`. */
function logAt(candidates: readonly TrustedLog[], times: readonly Date[], what: string): TrustedLog {
  const log = candidates.find((l) => times.every((t) => selectValidAt(l.validFor, t)));
  if (log !== undefined) return log;
  const windows = candidates
    .map((l) => `${l.validFor.start.toISOString()}..${l.validFor.end?.toISOString() ?? 'open'}`)
    .join(', ');
  return fail(
    'ERR_TLOG_UNTRUSTED',
    `the key of log ${candidates[0]?.logIdHex ?? ''} must be valid at ${what} (${times.map((t) => t.toISOString()).join(', ')}), but it is trusted only for ${windows}`,
  );
}

/** RFC 8785 form of the fixed-shape SET payload: keys in code-unit order, integers as exact decimals, base64 and hex strings with no characters to escape. */
function setPayload(
  body: Uint8Array,
  integratedTime: bigint,
  logId: Uint8Array,
  logIndex: bigint,
): Uint8Array {
  return utf8(
    `{"body":"${encodeBase64(body)}","integratedTime":${integratedTime},"logID":"${encodeHex(logId)}","logIndex":${logIndex}}`,
  );
}

/**
 * Verifies one transparency-log entry of a bundle completely: its log is trusted (log id in the trusted
 * root, key valid at the entry's proven time); its log index is an int64; its signed entry timestamp (when
 * present; required in v0.1 bundles) verifies with the log key and is not in the future; its inclusion proof
 * (when present; required from v0.2 and for Rekor v2) leads to the root of a checkpoint signed by the log,
 * whose tree size and root hash equal the proof's; and its body (Rekor v1 `hashedrekord` 0.0.1, `dsse` 0.0.1,
 * `intoto` 0.0.2; Rekor v2 `hashedrekord` 0.0.2, `dsse` 0.0.2) records this bundle's signature, digest and
 * certificate or key. How many entries and time sources a bundle needs is the caller's decision.
 *
 * @throws VerificationError `ERR_TLOG_UNTRUSTED`, `ERR_TLOG_SET_INVALID`, `ERR_TLOG_TIME`,
 *   `ERR_TLOG_INCLUSION_PROOF`, `ERR_TLOG_CHECKPOINT` or `ERR_TLOG_ENTRY_MISMATCH`; ParseError
 *   `ERR_TLOG_CHECKPOINT` for a malformed checkpoint
 * @example
 * ```ts
 * const bundle = parseBundle(json);
 * const [entry] = bundle.verificationMaterial.tlogEntries;
 * const v = verifyTlogEntry({ entry, bundle, signer: { type: 'certificate', der: leafDer }, trustedRoot, now: new Date(), bundleVersion: bundle.version });
 * console.log(v.log.baseUrl, v.logIndex, v.integratedTime);
 * ```
 */
export function verifyTlogEntry(options: VerifyTlogEntryOptions): TlogVerification {
  const { entry, bundle, signer, trustedRoot, now, bundleVersion } = options;
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new UsageError('ERR_USAGE', 'now must be a valid Date');
  const candidates = trustedRoot.tlogs.filter((l) => bytesEqual(l.logId, entry.logId.keyId));
  if (candidates.length === 0) {
    fail(
      'ERR_TLOG_UNTRUSTED',
      `the entry's log id ${encodeHex(entry.logId.keyId)} is not a transparency log of the trusted root`,
    );
  }
  const logIndex = int64(entry.logIndex, 'logIndex');
  const body = entry.canonicalizedBody;
  if (body === undefined || body.length === 0)
    fail('ERR_TLOG_ENTRY_MISMATCH', 'canonicalizedBody is required to verify an entry');
  const rekorV2 = entry.kindVersion.version === '0.0.2' && entry.kindVersion.kind !== 'intoto';
  if (bundleVersion === '0.1' && entry.inclusionPromise === undefined) {
    fail(
      'ERR_TLOG_SET_INVALID',
      'a v0.1 bundle entry must carry an inclusion promise (signed entry timestamp)',
    );
  }
  if ((bundleVersion !== '0.1' || rekorV2) && entry.inclusionProof === undefined) {
    fail(
      'ERR_TLOG_INCLUSION_PROOF',
      `an inclusion proof is required (bundle v${bundleVersion}${rekorV2 ? ', Rekor v2 entry' : ''})`,
    );
  }
  if (entry.inclusionPromise === undefined && entry.inclusionProof === undefined) {
    fail('ERR_TLOG_INCLUSION_PROOF', 'the entry carries neither an inclusion promise nor an inclusion proof');
  }

  let log: TrustedLog | undefined;
  let integratedTime: Date | undefined;
  if (entry.inclusionPromise !== undefined) {
    if (entry.integratedTime === undefined)
      fail('ERR_TLOG_SET_INVALID', 'integratedTime is required with an inclusion promise');
    const seconds = int64(entry.integratedTime, 'integratedTime');
    const time = new Date(Number(seconds) * 1000);
    if (seconds * 1000n > BigInt(now.getTime()) || Number.isNaN(time.getTime())) {
      fail(
        'ERR_TLOG_TIME',
        `integratedTime must not be after the verification time ${now.toISOString()}, found ${entry.integratedTime}`,
      );
    }
    log = logAt(candidates, [time], 'the integrated time');
    const payload = setPayload(body, seconds, entry.logId.keyId, logIndex);
    if (!log.key.verifySync(payload, entry.inclusionPromise.signedEntryTimestamp)) {
      fail(
        'ERR_TLOG_SET_INVALID',
        `the signed entry timestamp does not verify with the key of log ${log.baseUrl}`,
      );
    }
    integratedTime = time;
  }

  let checkpoint: TlogVerification['checkpoint'];
  // A v0.1 bundle predates checkpoints: its proof of inclusion is the SET, verified above. An inclusion proof it
  // carries without a checkpoint cannot be anchored to a signed root, so it is not used (never counted as proven).
  const unanchoredV01 =
    options.bundleVersion === '0.1' &&
    integratedTime !== undefined &&
    entry.inclusionProof?.checkpoint === undefined;
  const proof = unanchoredV01 ? undefined : entry.inclusionProof;
  if (proof !== undefined) {
    // The checkpoint's log key must be valid at a proven time: the SET's, else the caller's timestamps, else now.
    const times =
      integratedTime !== undefined
        ? [integratedTime]
        : options.verifiedTimes?.length
          ? options.verifiedTimes
          : [now];
    const proofLog = logAt(
      candidates,
      times,
      integratedTime !== undefined ? 'the integrated time' : 'the verified time',
    );
    if (proof.checkpoint === undefined)
      fail('ERR_TLOG_CHECKPOINT', 'the inclusion proof has no checkpoint to anchor its root hash');
    const cp = parseCheckpoint(proof.checkpoint.envelope);
    verifyCheckpoint({ checkpoint: cp, log: proofLog });
    const treeSize = int64(proof.treeSize, 'inclusionProof.treeSize');
    const proofIndex = int64(proof.logIndex, 'inclusionProof.logIndex');
    if (cp.treeSize !== treeSize || !bytesEqual(cp.rootHash, proof.rootHash)) {
      fail(
        'ERR_TLOG_CHECKPOINT',
        `the inclusion proof (treeSize ${treeSize}, rootHash ${encodeHex(proof.rootHash)}) must match its checkpoint (treeSize ${cp.treeSize}, rootHash ${encodeHex(cp.rootHash)})`,
      );
    }
    // Rekor v2 has one tree per log, so both indexes are the same; a v1 index is global across shards (never smaller).
    if (rekorV2 ? proofIndex !== logIndex : proofIndex > logIndex) {
      fail(
        'ERR_TLOG_ENTRY_MISMATCH',
        `inclusionProof.logIndex ${proofIndex} does not fit the entry's logIndex ${logIndex}`,
      );
    }
    verifyInclusionProof({
      leafHash: hashLeaf(body),
      logIndex: proofIndex,
      treeSize,
      hashes: proof.hashes,
      rootHash: proof.rootHash,
    });
    checkpoint = Object.freeze({ origin: cp.origin, treeSize: cp.treeSize, rootHash: cp.rootHash });
    log ??= proofLog;
  }
  if (log === undefined) return fail('ERR_TLOG_INCLUSION_PROOF', 'the entry is not proven to be in the log');

  verifyBody(entry, body, bundle, signer);
  return Object.freeze({
    log,
    logIndex,
    ...(integratedTime === undefined ? {} : { integratedTime }),
    inclusionProof: checkpoint !== undefined,
    ...(checkpoint === undefined ? {} : { checkpoint }),
  });
}

// ---- the entry body against the bundle ----

function mismatch(message: string): never {
  return fail('ERR_TLOG_ENTRY_MISMATCH', message);
}

/** Typed reads of the untrusted body, each failing with the JSON path it expected. */
function obj(o: JsonObject, key: string, path: string): JsonObject {
  const v = o[key];
  return isObject(v)
    ? v
    : mismatch(`the entry body's ${path}.${key} must be an object, found ${describe(v)}`);
}

function str(o: JsonObject, key: string, path: string): string {
  const v = o[key];
  return typeof v === 'string'
    ? v
    : mismatch(`the entry body's ${path}.${key} must be a string, found ${describe(v)}`);
}

function b64(o: JsonObject, key: string, path: string): Uint8Array {
  const v = str(o, key, path);
  try {
    return decodeBase64(v, `${path}.${key}`);
  } catch (e) {
    return fail('ERR_TLOG_ENTRY_MISMATCH', `the entry body's ${path}.${key} is not base64`, e);
  }
}

function hex(o: JsonObject, key: string, path: string): Uint8Array {
  const v = str(o, key, path);
  try {
    return decodeHex(v, `${path}.${key}`);
  } catch (e) {
    return fail('ERR_TLOG_ENTRY_MISMATCH', `the entry body's ${path}.${key} is not hex`, e);
  }
}

/** intoto 0.0.2 stores the envelope's base64 fields base64-encoded once more. */
function doubleB64(o: JsonObject, key: string, path: string): Uint8Array {
  const inner = b64(o, key, path);
  try {
    return decodeBase64(decodeUtf8(inner, `${path}.${key}`), `${path}.${key}`);
  } catch (e) {
    return fail('ERR_TLOG_ENTRY_MISMATCH', `the entry body's ${path}.${key} is not base64 of base64`, e);
  }
}

function single(o: JsonObject, key: string, path: string): JsonObject {
  const v = o[key];
  if (!Array.isArray(v) || v.length !== 1 || !isObject(v[0])) {
    return mismatch(
      `the entry body's ${path}.${key} must hold exactly one signature, found ${Array.isArray(v) ? v.length : describe(v)}`,
    );
  }
  return v[0];
}

const V1_ALGORITHMS: Readonly<Record<string, BundleHashAlgorithm>> = {
  sha256: 'SHA2_256',
  sha384: 'SHA2_384',
  sha512: 'SHA2_512',
};
const V2_ALGORITHMS: Readonly<Record<string, BundleHashAlgorithm>> = {
  SHA2_256: 'SHA2_256',
  SHA2_384: 'SHA2_384',
  SHA2_512: 'SHA2_512',
};
const NODE_HASH: Readonly<Record<string, string>> = {
  SHA2_256: 'sha256',
  SHA2_384: 'sha384',
  SHA2_512: 'sha512',
};

function digest(algorithm: BundleHashAlgorithm, data: Uint8Array): Uint8Array {
  const name = NODE_HASH[algorithm];
  if (name === undefined) return mismatch(`the entry's hash algorithm ${algorithm} is not supported`);
  return new Uint8Array(createHash(name).update(data).digest());
}

/** The bundle's signature bytes (message signature, or the envelope's one DSSE signature). */
function bundleSignature(bundle: Bundle): Uint8Array {
  if (bundle.content.type === 'messageSignature') return bundle.content.signature;
  const sig = bundle.content.envelope.signatures[0];
  return sig === undefined ? mismatch('the bundle envelope has no signature') : sig.sig;
}

/** The digest the signature covers, under `algorithm`: the artifact's (message signature) or the DSSE PAE's. */
function signedDigest(bundle: Bundle, algorithm: BundleHashAlgorithm): Uint8Array {
  if (bundle.content.type === 'messageSignature') {
    const md = bundle.content.messageDigest;
    if (md.algorithm !== algorithm)
      mismatch(`the entry records a ${algorithm} digest, the bundle a ${md.algorithm} one`);
    return md.digest;
  }
  const env = bundle.content.envelope;
  return digest(algorithm, pae(env.payloadType, env.payload));
}

function dssePayloadDigest(bundle: Bundle, algorithm: BundleHashAlgorithm, kind: string): Uint8Array {
  if (bundle.content.type !== 'dsseEnvelope')
    return mismatch(`a ${kind} entry records a DSSE envelope, but the bundle holds a message signature`);
  return digest(algorithm, bundle.content.envelope.payload);
}

function expectEqual(found: Uint8Array, expected: Uint8Array, what: string): void {
  if (!bytesEqual(found, expected)) {
    mismatch(
      `the entry's ${what} ${encodeHex(found).slice(0, 160)} does not equal the bundle's ${encodeHex(expected).slice(0, 160)}`,
    );
  }
}

/** Compares a signer recorded as DER (v2: certificate or SPKI) with the bundle's signer. */
function expectSigner(kind: 'certificate' | 'publicKey', der: Uint8Array, signer: TlogSigner): void {
  if (kind !== signer.type)
    mismatch(
      `the entry records a ${kind === 'certificate' ? 'certificate' : 'public key'}, but the bundle is signed with a ${signer.type === 'certificate' ? 'certificate' : 'public key'}`,
    );
  expectEqual(
    der,
    signer.type === 'certificate' ? signer.der : signer.key.spki,
    kind === 'certificate' ? 'certificate' : 'public key',
  );
}

/** Compares a signer recorded as base64 PEM (Rekor v1) with the bundle's signer: the DER, never the PEM text. */
function expectPemSigner(pemBytes: Uint8Array, path: string, signer: TlogSigner): void {
  let text: string;
  let block: ReturnType<typeof decodePem>;
  try {
    text = decodeUtf8(pemBytes, path);
    block = decodePem(text, path);
  } catch (e) {
    fail('ERR_TLOG_ENTRY_MISMATCH', `the entry body's ${path} is not a PEM certificate or public key`, e);
  }
  if (text.split('-----BEGIN ').length !== 2)
    mismatch(`the entry body's ${path} must hold exactly one PEM block`);
  if (block.label === 'CERTIFICATE') expectSigner('certificate', block.der, signer);
  else if (block.label === 'PUBLIC KEY') expectSigner('publicKey', block.der, signer);
  else
    mismatch(
      `the entry body's ${path} must be a CERTIFICATE or PUBLIC KEY PEM block, found ${JSON.stringify(block.label)}`,
    );
}

function v1Hash(
  o: JsonObject,
  key: string,
  parent: string,
): { algorithm: BundleHashAlgorithm; value: Uint8Array } {
  const h = obj(o, key, parent);
  const path = `${parent}.${key}`;
  const name = str(h, 'algorithm', path);
  const algorithm = Object.hasOwn(V1_ALGORITHMS, name) ? V1_ALGORITHMS[name] : undefined;
  if (algorithm === undefined)
    return mismatch(
      `the entry body's ${path}.algorithm must be sha256, sha384 or sha512, found ${JSON.stringify(name.slice(0, 40))}`,
    );
  return { algorithm, value: hex(h, 'value', path) };
}

function v2Hash(
  o: JsonObject,
  key: string,
  parent: string,
): { algorithm: BundleHashAlgorithm; value: Uint8Array } {
  const h = obj(o, key, parent);
  const path = `${parent}.${key}`;
  const name = str(h, 'algorithm', path);
  const algorithm = Object.hasOwn(V2_ALGORITHMS, name) ? V2_ALGORITHMS[name] : undefined;
  if (algorithm === undefined) {
    return mismatch(
      `the entry body's ${path}.algorithm must be SHA2_256, SHA2_384 or SHA2_512, found ${JSON.stringify(name.slice(0, 40))}`,
    );
  }
  return { algorithm, value: b64(h, 'digest', path) };
}

/** Rekor v2 `Signature { content, verifier { x509Certificate | publicKey, keyDetails } }`. */
function v2Signature(s: JsonObject, path: string, bundle: Bundle, signer: TlogSigner): void {
  expectEqual(b64(s, 'content', path), bundleSignature(bundle), 'signature');
  const verifier = obj(s, 'verifier', path);
  const vpath = `${path}.verifier`;
  str(verifier, 'keyDetails', vpath);
  const cert = verifier.x509Certificate;
  const key = verifier.publicKey;
  if ((cert === undefined) === (key === undefined))
    mismatch(`the entry body's ${vpath} must hold exactly one of x509Certificate or publicKey`);
  if (cert !== undefined)
    expectSigner(
      'certificate',
      b64(obj(verifier, 'x509Certificate', vpath), 'rawBytes', `${vpath}.x509Certificate`),
      signer,
    );
  else
    expectSigner(
      'publicKey',
      b64(obj(verifier, 'publicKey', vpath), 'rawBytes', `${vpath}.publicKey`),
      signer,
    );
}

/** Checks that the entry body records exactly this bundle's signature, signer and digest. */
function verifyBody(
  entry: TransparencyLogEntry,
  bodyBytes: Uint8Array,
  bundle: Bundle,
  signer: TlogSigner,
): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeUtf8(bodyBytes, 'canonicalizedBody'));
  } catch (e) {
    fail('ERR_TLOG_ENTRY_MISMATCH', 'canonicalizedBody is not JSON', e);
  }
  if (!isObject(parsed)) mismatch(`canonicalizedBody must be a JSON object, found ${describe(parsed)}`);
  const { kind, version } = entry.kindVersion;
  const bodyKind = str(parsed, 'kind', 'body');
  const bodyVersion = str(parsed, 'apiVersion', 'body');
  if (bodyKind !== kind || bodyVersion !== version) {
    mismatch(
      `the entry's kindVersion ${kind}/${version} does not equal its body's ${bodyKind.slice(0, 40)}/${bodyVersion.slice(0, 40)}`,
    );
  }
  const spec = obj(parsed, 'spec', 'body');
  const key = `${kind}/${version}`;
  if (key === 'hashedrekord/0.0.1') {
    const sig = obj(spec, 'signature', 'spec');
    expectEqual(b64(sig, 'content', 'spec.signature'), bundleSignature(bundle), 'signature');
    expectPemSigner(
      b64(obj(sig, 'publicKey', 'spec.signature'), 'content', 'spec.signature.publicKey'),
      'spec.signature.publicKey.content',
      signer,
    );
    const hash = v1Hash(obj(spec, 'data', 'spec'), 'hash', 'spec.data');
    expectEqual(hash.value, signedDigest(bundle, hash.algorithm), 'artifact digest');
  } else if (key === 'dsse/0.0.1') {
    const sig = single(spec, 'signatures', 'spec');
    expectEqual(b64(sig, 'signature', 'spec.signatures[0]'), bundleSignature(bundle), 'signature');
    expectPemSigner(b64(sig, 'verifier', 'spec.signatures[0]'), 'spec.signatures[0].verifier', signer);
    // envelopeHash covers the envelope JSON exactly as the client sent it, which a bundle does not keep; the
    // payload hash with the signature and signer pins the same envelope.
    const hash = v1Hash(spec, 'payloadHash', 'spec');
    expectEqual(hash.value, dssePayloadDigest(bundle, hash.algorithm, kind), 'payload digest');
  } else if (key === 'intoto/0.0.2') {
    const content = obj(spec, 'content', 'spec');
    const env = obj(content, 'envelope', 'spec.content');
    const sig = single(env, 'signatures', 'spec.content.envelope');
    const path = 'spec.content.envelope.signatures[0]';
    expectEqual(doubleB64(sig, 'sig', path), bundleSignature(bundle), 'signature');
    expectPemSigner(b64(sig, 'publicKey', path), `${path}.publicKey`, signer);
    const hash = v1Hash(content, 'payloadHash', 'spec.content');
    expectEqual(hash.value, dssePayloadDigest(bundle, hash.algorithm, kind), 'payload digest');
    if (bundle.content.type === 'dsseEnvelope') {
      const { payloadType, payload } = bundle.content.envelope;
      if (env.payloadType !== undefined && str(env, 'payloadType', 'spec.content.envelope') !== payloadType) {
        mismatch(`the entry's payloadType does not equal the bundle's ${JSON.stringify(payloadType)}`);
      }
      if (env.payload !== undefined)
        expectEqual(doubleB64(env, 'payload', 'spec.content.envelope'), payload, 'payload');
    }
  } else if (key === 'intoto/0.0.1') {
    // The body records the envelope's hash, the payload's hash and the signer, but not the signature: the envelope
    // hash, over the JSON the client sent (Go's field order, as cosign writes it), is what pins the signature.
    if (bundle.content.type !== 'dsseEnvelope')
      mismatch(`a ${kind} entry records a DSSE envelope, but the bundle holds a message signature`);
    const content = obj(spec, 'content', 'spec');
    expectPemSigner(b64(spec, 'publicKey', 'spec'), 'spec.publicKey', signer);
    const payloadHash = v1Hash(content, 'payloadHash', 'spec.content');
    expectEqual(payloadHash.value, dssePayloadDigest(bundle, payloadHash.algorithm, kind), 'payload digest');
    const { payloadType, payload, signatures } = bundle.content.envelope;
    const sent = utf8(
      JSON.stringify({
        payloadType,
        payload: encodeBase64(payload),
        signatures: signatures.map((s) => ({ keyid: s.keyid, sig: encodeBase64(s.sig) })),
      }),
    );
    const hash = v1Hash(content, 'hash', 'spec.content');
    expectEqual(hash.value, digest(hash.algorithm, sent), 'envelope digest');
  } else if (key === 'hashedrekord/0.0.2') {
    const v2 = obj(spec, 'hashedRekordV002', 'spec');
    const hash = v2Hash(v2, 'data', 'spec.hashedRekordV002');
    expectEqual(hash.value, signedDigest(bundle, hash.algorithm), 'signed digest');
    v2Signature(
      obj(v2, 'signature', 'spec.hashedRekordV002'),
      'spec.hashedRekordV002.signature',
      bundle,
      signer,
    );
  } else if (key === 'dsse/0.0.2') {
    const v2 = obj(spec, 'dsseV002', 'spec');
    const hash = v2Hash(v2, 'payloadHash', 'spec.dsseV002');
    expectEqual(hash.value, dssePayloadDigest(bundle, hash.algorithm, kind), 'payload digest');
    v2Signature(single(v2, 'signatures', 'spec.dsseV002'), 'spec.dsseV002.signatures[0]', bundle, signer);
  } else {
    mismatch(
      `entry kind ${JSON.stringify(key.slice(0, 80))} is not supported (hashedrekord 0.0.1/0.0.2, dsse 0.0.1/0.0.2, intoto 0.0.1/0.0.2)`,
    );
  }
}
