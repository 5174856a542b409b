// cosign's legacy layer material (certificate, Rekor bundle, RFC 3161 timestamp annotations) as Sigstore bundles.
import { createHash } from 'node:crypto';
import type { Digest } from '../digest.js';
import { decodeBase64, decodeHex, decodeUtf8, encodeBase64 } from '../encoding.js';
import { ParseError, VerificationError } from '../errors.js';
import { describe, IssueCollector, isObject, type JsonObject, joinPath, parseJson } from '../json.js';
import { decodePem } from '../keys/pem.js';
import { checkSimpleSigningPayload, type SimpleSigningPayload } from '../simple-signing.js';
import type { IdentityPolicy, TrustedRoot } from './types.js';
import { type SigstoreVerification, verifySigstoreBundle } from './verify.js';

/** The annotations cosign puts on a legacy `.sig` or `.att` layer, JSON values parsed but not yet trusted. */
export interface CosignLayerMaterial {
  /** PEM Fulcio certificate (`dev.sigstore.cosign/certificate`); absent for key-based signatures. */
  readonly certificate?: string;
  /** PEM chain (`dev.sigstore.cosign/chain`): informational only, trust comes from the trusted root's CAs. */
  readonly chain?: string;
  /** `dev.sigstore.cosign/bundle`: `{ SignedEntryTimestamp, Payload: { body, integratedTime, logIndex, logID } }`. */
  readonly rekorBundle?: unknown;
  /** `dev.sigstore.cosign/rfc3161timestamp`: `{ SignedRFC3161Timestamp }`. */
  readonly rfc3161Timestamp?: unknown;
}

/** What a legacy layer signs: a simple-signing payload (`.sig`) or a DSSE envelope (`.att`). */
export type CosignLayerContent =
  | { readonly type: 'messageSignature'; readonly payload: Uint8Array; readonly signature: string }
  | { readonly type: 'dsseEnvelope'; readonly envelope: Uint8Array };

/** A cosign Rekor bundle, decoded (its SET is verified later, as a bundle's inclusion promise). */
export interface CosignRekorBundle {
  readonly signedEntryTimestamp: Uint8Array;
  /** The canonicalized entry body, base64 as Rekor returned it. */
  readonly body: string;
  readonly kind: string;
  readonly apiVersion: string;
  readonly integratedTime: string;
  readonly logIndex: string;
  readonly logId: Uint8Array;
}

const CODE = 'ERR_MALFORMED_BUNDLE';
const BUNDLE_ANNOTATION = 'annotations["dev.sigstore.cosign/bundle"]';
const TIMESTAMP_ANNOTATION = 'annotations["dev.sigstore.cosign/rfc3161timestamp"]';

function integer(issues: IssueCollector, obj: JsonObject, key: string, path: string): string | undefined {
  const v = obj[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  issues.add(joinPath(path, key), `must be a non-negative integer, found ${describe(v)}`);
  return undefined;
}

function bytes(
  issues: IssueCollector,
  decode: (text: string, field: string) => Uint8Array,
  text: string | undefined,
  path: string,
): Uint8Array | undefined {
  if (text === undefined) return undefined;
  try {
    return decode(text, path);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    for (const issue of e.issues) issues.add(issue.path, issue.message);
    return undefined;
  }
}

/**
 * Parses cosign's Rekor bundle annotation (Go's `bundle.RekorBundle`): the SET, and the entry body, integrated time,
 * log index and hex log id it signs. The body's `kind` and `apiVersion` name the entry type.
 *
 * @throws ParseError `ERR_MALFORMED_BUNDLE` naming every bad field under `path`
 * @example
 * ```ts
 * const entry = parseCosignRekorBundle(JSON.parse(annotation), 'layers[0].annotations["dev.sigstore.cosign/bundle"]');
 * ```
 */
export function parseCosignRekorBundle(value: unknown, path = BUNDLE_ANNOTATION): CosignRekorBundle {
  const issues = new IssueCollector();
  if (!isObject(value))
    throw new ParseError(CODE, [{ path, message: `must be an object, found ${describe(value)}` }]);
  const set = bytes(
    issues,
    decodeBase64,
    issues.string(value, 'SignedEntryTimestamp', path),
    joinPath(path, 'SignedEntryTimestamp'),
  );
  const payloadPath = joinPath(path, 'Payload');
  const payload = issues.object(value, 'Payload', path);
  let kind: string | undefined;
  let apiVersion: string | undefined;
  let body: string | undefined;
  let integratedTime: string | undefined;
  let logIndex: string | undefined;
  let logId: Uint8Array | undefined;
  if (payload !== undefined) {
    body = issues.string(payload, 'body', payloadPath);
    const bodyPath = joinPath(payloadPath, 'body');
    const decoded = bytes(issues, decodeBase64, body, bodyPath);
    if (decoded !== undefined) {
      try {
        const entry = parseJson(decodeUtf8(decoded, bodyPath), bodyPath);
        if (isObject(entry)) {
          kind = issues.string(entry, 'kind', bodyPath);
          apiVersion = issues.string(entry, 'apiVersion', bodyPath);
        } else issues.add(bodyPath, `must encode a JSON object, found ${describe(entry)}`);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        for (const issue of e.issues) issues.add(issue.path, issue.message);
      }
    }
    integratedTime = integer(issues, payload, 'integratedTime', payloadPath);
    logIndex = integer(issues, payload, 'logIndex', payloadPath);
    logId = bytes(
      issues,
      decodeHex,
      issues.string(payload, 'logID', payloadPath),
      joinPath(payloadPath, 'logID'),
    );
  }
  issues.throwIfAny(CODE);
  if (
    set === undefined ||
    body === undefined ||
    kind === undefined ||
    apiVersion === undefined ||
    integratedTime === undefined ||
    logIndex === undefined ||
    logId === undefined
  ) {
    throw new ParseError(CODE, [{ path, message: 'is incomplete' }]);
  }
  return Object.freeze({
    signedEntryTimestamp: set,
    body,
    kind,
    apiVersion,
    integratedTime,
    logIndex,
    logId,
  });
}

function timestampBytes(value: unknown): string {
  const issues = new IssueCollector();
  if (!isObject(value))
    throw new ParseError(CODE, [
      { path: TIMESTAMP_ANNOTATION, message: `must be an object, found ${describe(value)}` },
    ]);
  const text = issues.string(value, 'SignedRFC3161Timestamp', TIMESTAMP_ANNOTATION);
  bytes(issues, decodeBase64, text, joinPath(TIMESTAMP_ANNOTATION, 'SignedRFC3161Timestamp'));
  issues.throwIfAny(CODE);
  return text ?? '';
}

function certificateBase64(pem: string): string {
  try {
    return encodeBase64(decodePem(pem, 'annotations["dev.sigstore.cosign/certificate"]').der);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    throw new ParseError('ERR_MALFORMED_CERTIFICATE', e.issues, { cause: e });
  }
}

/**
 * The Sigstore bundle (JSON) that says what a cosign legacy layer says, so one verifier decides both: the layer's
 * signature or envelope as content, its certificate (or an unnamed public key) as material, its Rekor bundle as a
 * v0.1 log entry with an inclusion promise, and its RFC 3161 timestamp. Nothing is verified here.
 *
 * @throws ParseError `ERR_MALFORMED_BUNDLE` / `ERR_MALFORMED_CERTIFICATE` naming the bad annotation
 * @example
 * ```ts
 * const bundle = cosignLayerBundle({ content: { type: 'messageSignature', payload, signature }, certificate, rekorBundle });
 * verifySigstoreBundle({ bundle, artifact: { bytes: payload }, trustedRoot, identity, now });
 * ```
 */
export function cosignLayerBundle(
  options: CosignLayerMaterial & { readonly content: CosignLayerContent },
): JsonObject {
  const rekor = options.rekorBundle === undefined ? undefined : parseCosignRekorBundle(options.rekorBundle);
  const timestamp =
    options.rfc3161Timestamp === undefined ? undefined : timestampBytes(options.rfc3161Timestamp);
  const material =
    options.certificate === undefined
      ? { publicKey: { hint: '' } }
      : { x509CertificateChain: { certificates: [{ rawBytes: certificateBase64(options.certificate) }] } };
  const tlogEntries =
    rekor === undefined
      ? []
      : [
          {
            logIndex: rekor.logIndex,
            logId: { keyId: encodeBase64(rekor.logId) },
            kindVersion: { kind: rekor.kind, version: rekor.apiVersion },
            integratedTime: rekor.integratedTime,
            inclusionPromise: { signedEntryTimestamp: encodeBase64(rekor.signedEntryTimestamp) },
            canonicalizedBody: rekor.body,
          },
        ];
  const content =
    options.content.type === 'dsseEnvelope'
      ? { dsseEnvelope: parseJson(options.content.envelope, 'envelope') }
      : messageSignature(options.content.payload, options.content.signature);
  return {
    // v0.1 is the version whose log entries carry only an inclusion promise, as cosign's Rekor bundle does.
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      ...material,
      tlogEntries,
      timestampVerificationData: {
        rfc3161Timestamps: timestamp === undefined ? [] : [{ signedTimestamp: timestamp }],
      },
    },
    ...content,
  };
}

/** cosign signs the payload's SHA-256 (its hashedrekord entries record that digest), so the bundle names it too. */
function messageSignature(payload: Uint8Array, signature: string) {
  const digest = new Uint8Array(createHash('sha256').update(payload).digest());
  return {
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: encodeBase64(digest) },
      signature: signature.trim(),
    },
  };
}

/** What {@link verifyCosignLegacySignature} proved: the Sigstore checks and the verified simple-signing payload. */
export interface CosignLegacySignatureVerification extends SigstoreVerification {
  readonly simpleSigning: SimpleSigningPayload;
}

/**
 * Verifies a keyless cosign legacy `.sig` layer for the image `digest`: the Fulcio certificate, Rekor SET and any
 * RFC 3161 timestamp are checked as a Sigstore bundle over the simple-signing payload (against the trusted root and
 * the identity policy), then the verified payload must name `digest`.
 *
 * @throws SigstoreVerificationError (every check); VerificationError `ERR_UNTRUSTED_KEY` for a layer without a
 * certificate, `ERR_PAYLOAD_TYPE`, `ERR_DIGEST_MISMATCH`; ParseError for malformed annotations or payload
 * @example
 * ```ts
 * const result = verifyCosignLegacySignature({ layer, digest, trustedRoot, identity, now: new Date() });
 * result.signer; // { type: 'certificate', identity: … }
 * ```
 */
export function verifyCosignLegacySignature(options: {
  readonly layer: CosignLayerMaterial & { readonly payload: Uint8Array; readonly signature: string };
  readonly digest: Digest;
  readonly trustedRoot: TrustedRoot;
  readonly identity: IdentityPolicy;
  readonly now: Date;
}): CosignLegacySignatureVerification {
  const { layer } = options;
  if (layer.certificate === undefined) {
    throw new VerificationError(
      'ERR_UNTRUSTED_KEY',
      'legacy signature: expected a Fulcio certificate (dev.sigstore.cosign/certificate) for keyless verification, found a key-based signature',
    );
  }
  const payload = layer.payload.slice();
  const bundle = cosignLayerBundle({
    ...layer,
    content: { type: 'messageSignature', payload, signature: layer.signature },
  });
  const result = verifySigstoreBundle({
    bundle,
    artifact: { bytes: payload },
    trustedRoot: options.trustedRoot,
    identity: options.identity,
    now: options.now,
  });
  return Object.freeze({ ...result, simpleSigning: checkSimpleSigningPayload(payload, options.digest) });
}
