// Sigstore bundles (v0.1–v0.3): a typed, frozen parser of the JSON form, and the v0.3 encoder for key-based DSSE bundles.

import { type Envelope, type EnvelopeJson, parseEnvelope } from './dsse.js';
import { decodeBase64 } from './encoding.js';
import { type Issue, ParseError, UsageError } from './errors.js';
import { describe, isObject, type JsonObject, joinPath, parseJson } from './json.js';

/** The media type vouch writes (bundle v0.3). */
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** Bundle versions vouch reads. */
export type BundleVersion = '0.1' | '0.2' | '0.3';

/** Every accepted media type and the version it means; anything else is refused. */
export const BUNDLE_MEDIA_TYPES: Readonly<Record<string, BundleVersion>> = Object.freeze({
  'application/vnd.dev.sigstore.bundle+json;version=0.1': '0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': '0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': '0.3',
  [BUNDLE_V03_MEDIA_TYPE]: '0.3',
});

/** A DER X.509 certificate (not checked here: trust decisions belong to the keyless verifier). */
export interface X509Certificate {
  readonly rawBytes: Uint8Array;
}

/** Which key material the bundle carries: exactly one of the protobuf `oneof content` cases. */
export type VerificationMaterialContent =
  | { readonly type: 'publicKey' /** unauthenticated; `''` when absent */; readonly hint: string }
  | { readonly type: 'x509CertificateChain'; readonly certificates: readonly X509Certificate[] }
  | { readonly type: 'certificate'; readonly rawBytes: Uint8Array };

/** A Rekor inclusion proof (decoded, not verified). int64 values stay decimal strings. */
export interface InclusionProof {
  readonly logIndex: string;
  readonly rootHash: Uint8Array;
  readonly treeSize: string;
  readonly hashes: readonly Uint8Array[];
  readonly checkpoint?: { readonly envelope: string };
}

/** One transparency-log entry (decoded, not verified). */
export interface TransparencyLogEntry {
  readonly logIndex: string;
  readonly logId: { readonly keyId: Uint8Array };
  readonly kindVersion: { readonly kind: string; readonly version: string };
  /** Absent in Rekor v2 entries. */
  readonly integratedTime?: string;
  readonly inclusionPromise?: { readonly signedEntryTimestamp: Uint8Array };
  readonly inclusionProof?: InclusionProof;
  readonly canonicalizedBody?: Uint8Array;
}

/** RFC 3161 timestamps over the signature (decoded, not verified). */
export interface TimestampVerificationData {
  readonly rfc3161Timestamps: readonly { readonly signedTimestamp: Uint8Array }[];
}

export interface VerificationMaterial {
  readonly content: VerificationMaterialContent;
  readonly tlogEntries: readonly TransparencyLogEntry[];
  readonly timestampVerificationData: TimestampVerificationData;
}

/** The hash algorithms a message-signature bundle may name (protobuf `HashAlgorithm`). */
export type BundleHashAlgorithm = 'SHA2_256' | 'SHA2_384' | 'SHA2_512' | 'SHA3_256' | 'SHA3_384';

const HASH_SIZES: Readonly<Record<BundleHashAlgorithm, number>> = Object.freeze({
  SHA2_256: 32,
  SHA2_384: 48,
  SHA2_512: 64,
  SHA3_256: 32,
  SHA3_384: 48,
});

/** What a bundle signs: a DSSE envelope, or a signature over an artifact whose digest it names. */
export type BundleContent =
  | { readonly type: 'dsseEnvelope'; readonly envelope: Envelope }
  | {
      readonly type: 'messageSignature';
      readonly messageDigest: { readonly algorithm: BundleHashAlgorithm; readonly digest: Uint8Array };
      readonly signature: Uint8Array;
    };

/** A parsed, frozen Sigstore bundle. Nothing in it is verified yet. */
export interface Bundle {
  readonly mediaType: string;
  readonly version: BundleVersion;
  readonly verificationMaterial: VerificationMaterial;
  readonly content: BundleContent;
}

/** The JSON of a v0.3 key-based DSSE bundle with no log entry, field for field what sigstore-js writes. */
export interface BundleJson {
  readonly mediaType: typeof BUNDLE_V03_MEDIA_TYPE;
  readonly verificationMaterial: {
    readonly publicKey: { readonly hint: string };
    readonly tlogEntries: readonly [];
    readonly timestampVerificationData: { readonly rfc3161Timestamps: readonly [] };
  };
  readonly dsseEnvelope: EnvelopeJson;
}

const CODE = 'ERR_MALFORMED_BUNDLE';
const UINT64 = /^(?:0|[1-9][0-9]{0,19})$/;

/** Field readers that record an issue and return undefined instead of throwing. */
class Reader {
  readonly issues: Issue[] = [];

  add(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  object(obj: JsonObject, key: string, path: string, required: boolean): JsonObject | undefined {
    const v = obj[key];
    const at = joinPath(path, key);
    if (v === undefined || v === null) return required ? this.add(at, 'is required') : undefined;
    return isObject(v) ? v : this.add(at, `must be an object, found ${describe(v)}`);
  }

  string(obj: JsonObject, key: string, path: string, required: boolean): string | undefined {
    const v = obj[key];
    const at = joinPath(path, key);
    if (v === undefined || v === null) return required ? this.add(at, 'is required') : undefined;
    return typeof v === 'string' ? v : this.add(at, `must be a string, found ${describe(v)}`);
  }

  array(obj: JsonObject, key: string, path: string, required: boolean): readonly unknown[] | undefined {
    const v = obj[key];
    const at = joinPath(path, key);
    if (v === undefined || v === null) return required ? this.add(at, 'is required') : [];
    return Array.isArray(v) ? v : this.add(at, `must be an array, found ${describe(v)}`);
  }

  bytesValue(v: unknown, at: string, nonEmpty: boolean): Uint8Array | undefined {
    if (typeof v !== 'string') return this.add(at, `must be a base64 string, found ${describe(v)}`);
    try {
      // Go's protojson (which wrote many bundles) skips CR and LF inside base64, so line-wrapped values are valid.
      const bytes = decodeBase64(v.includes('\n') || v.includes('\r') ? v.replace(/[\r\n]/g, '') : v, at);
      return nonEmpty && bytes.length === 0 ? this.add(at, 'must not be empty') : bytes;
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.issues.push(...e.issues);
      return undefined;
    }
  }

  bytes(obj: JsonObject, key: string, path: string, required: boolean): Uint8Array | undefined {
    const v = obj[key];
    const at = joinPath(path, key);
    if (v === undefined || v === null) return required ? this.add(at, 'is required') : undefined;
    return this.bytesValue(v, at, required);
  }

  /** An int64/uint64 in protobuf JSON (a decimal string, or a number); negatives refused. Missing means 0. */
  uint64(obj: JsonObject, key: string, path: string, required: boolean): string | undefined {
    const v = obj[key];
    const at = joinPath(path, key);
    if (v === undefined || v === null) return required ? this.add(at, 'is required') : undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
    if (typeof v === 'string' && UINT64.test(v)) return v;
    return this.add(
      at,
      `must be a non-negative integer (decimal string), found ${typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : describe(v)}`,
    );
  }
}

function readContent(r: Reader, vm: JsonObject, path: string): VerificationMaterialContent | undefined {
  const present = (['publicKey', 'x509CertificateChain', 'certificate'] as const).filter(
    (k) => vm[k] !== undefined && vm[k] !== null,
  );
  if (present.length !== 1) {
    return r.add(
      path,
      `must hold exactly one of publicKey, x509CertificateChain or certificate, found ${present.length === 0 ? 'none' : present.join(' and ')}`,
    );
  }
  const kind = present[0];
  if (kind === 'publicKey') {
    const pk = r.object(vm, 'publicKey', path, true);
    if (pk === undefined) return undefined;
    const hint = r.string(pk, 'hint', joinPath(path, 'publicKey'), false);
    return Object.freeze({ type: 'publicKey', hint: hint ?? '' });
  }
  if (kind === 'certificate') {
    const cert = r.object(vm, 'certificate', path, true);
    if (cert === undefined) return undefined;
    const rawBytes = r.bytes(cert, 'rawBytes', joinPath(path, 'certificate'), true);
    return rawBytes === undefined ? undefined : Object.freeze({ type: 'certificate', rawBytes });
  }
  const chainPath = joinPath(path, 'x509CertificateChain');
  const chain = r.object(vm, 'x509CertificateChain', path, true);
  if (chain === undefined) return undefined;
  const list = r.array(chain, 'certificates', chainPath, true);
  if (list === undefined) return undefined;
  if (list.length === 0)
    return r.add(joinPath(chainPath, 'certificates'), 'must hold at least one certificate');
  const certificates: X509Certificate[] = [];
  for (const [i, c] of list.entries()) {
    const at = joinPath(joinPath(chainPath, 'certificates'), i);
    if (!isObject(c)) {
      r.add(at, `must be an object with rawBytes, found ${describe(c)}`);
      continue;
    }
    const rawBytes = r.bytes(c, 'rawBytes', at, true);
    if (rawBytes !== undefined) certificates.push(Object.freeze({ rawBytes }));
  }
  return Object.freeze({ type: 'x509CertificateChain', certificates: Object.freeze(certificates) });
}

function readInclusionProof(r: Reader, p: JsonObject, at: string): InclusionProof | undefined {
  const logIndex = r.uint64(p, 'logIndex', at, false) ?? '0';
  const rootHash = r.bytes(p, 'rootHash', at, true);
  const treeSize = r.uint64(p, 'treeSize', at, true);
  const hashList = r.array(p, 'hashes', at, false) ?? [];
  const hashes: Uint8Array[] = [];
  hashList.forEach((h, i) => {
    const b = r.bytesValue(h, joinPath(joinPath(at, 'hashes'), i), false);
    if (b !== undefined) hashes.push(b);
  });
  const cp = r.object(p, 'checkpoint', at, false);
  const envelope = cp === undefined ? undefined : r.string(cp, 'envelope', joinPath(at, 'checkpoint'), true);
  if (rootHash === undefined || treeSize === undefined) return undefined;
  return Object.freeze({
    logIndex,
    rootHash,
    treeSize,
    hashes: Object.freeze(hashes),
    ...(envelope === undefined ? {} : { checkpoint: Object.freeze({ envelope }) }),
  });
}

function readTlogEntry(
  r: Reader,
  e: unknown,
  at: string,
  version: BundleVersion,
): TransparencyLogEntry | undefined {
  if (!isObject(e)) return r.add(at, `must be an object, found ${describe(e)}`);
  const logIndex = r.uint64(e, 'logIndex', at, false) ?? '0';
  const logIdObj = r.object(e, 'logId', at, true);
  const keyId = logIdObj === undefined ? undefined : r.bytes(logIdObj, 'keyId', joinPath(at, 'logId'), true);
  const kv = r.object(e, 'kindVersion', at, true);
  const kind = kv === undefined ? undefined : r.string(kv, 'kind', joinPath(at, 'kindVersion'), true);
  const kvVersion = kv === undefined ? undefined : r.string(kv, 'version', joinPath(at, 'kindVersion'), true);
  const integratedTime = r.uint64(e, 'integratedTime', at, false);
  const promise = r.object(e, 'inclusionPromise', at, false);
  const set =
    promise === undefined
      ? undefined
      : r.bytes(promise, 'signedEntryTimestamp', joinPath(at, 'inclusionPromise'), true);
  const proofObj = r.object(e, 'inclusionProof', at, false);
  const proof =
    proofObj === undefined ? undefined : readInclusionProof(r, proofObj, joinPath(at, 'inclusionProof'));
  const canonicalizedBody = r.bytes(e, 'canonicalizedBody', at, false);
  // The shape each version requires (protobuf-specs, sigstore-js assertBundleV01 / assertBundleLatest).
  if (version === '0.1' && promise === undefined) {
    r.add(joinPath(at, 'inclusionPromise'), 'is required in a v0.1 bundle');
  }
  if (version !== '0.1') {
    if (proofObj === undefined) r.add(joinPath(at, 'inclusionProof'), `is required in a v${version} bundle`);
    else if (proof !== undefined && proof.checkpoint === undefined) {
      r.add(joinPath(at, 'inclusionProof.checkpoint'), `is required in a v${version} bundle`);
    }
  }
  if (keyId === undefined || kind === undefined || kvVersion === undefined) return undefined;
  return Object.freeze({
    logIndex,
    logId: Object.freeze({ keyId }),
    kindVersion: Object.freeze({ kind, version: kvVersion }),
    ...(integratedTime === undefined ? {} : { integratedTime }),
    ...(set === undefined ? {} : { inclusionPromise: Object.freeze({ signedEntryTimestamp: set }) }),
    ...(proof === undefined ? {} : { inclusionProof: proof }),
    ...(canonicalizedBody === undefined ? {} : { canonicalizedBody }),
  });
}

function readVerificationMaterial(
  r: Reader,
  vm: JsonObject,
  version: BundleVersion,
): VerificationMaterial | undefined {
  const path = 'verificationMaterial';
  const content = readContent(r, vm, path);
  if (version === '0.3' && content?.type === 'x509CertificateChain') {
    r.add(
      joinPath(path, 'x509CertificateChain'),
      'is not allowed in a v0.3 bundle (v0.3 carries a single certificate)',
    );
  }
  const tlogEntries: TransparencyLogEntry[] = [];
  (r.array(vm, 'tlogEntries', path, false) ?? []).forEach((e, i) => {
    const entry = readTlogEntry(r, e, joinPath(joinPath(path, 'tlogEntries'), i), version);
    if (entry !== undefined) tlogEntries.push(entry);
  });
  const tsvPath = joinPath(path, 'timestampVerificationData');
  const tsv = r.object(vm, 'timestampVerificationData', path, false);
  const rfc3161Timestamps: { readonly signedTimestamp: Uint8Array }[] = [];
  if (tsv !== undefined) {
    for (const [i, t] of (r.array(tsv, 'rfc3161Timestamps', tsvPath, false) ?? []).entries()) {
      const at = joinPath(joinPath(tsvPath, 'rfc3161Timestamps'), i);
      if (!isObject(t)) {
        r.add(at, `must be an object, found ${describe(t)}`);
        continue;
      }
      const signedTimestamp = r.bytes(t, 'signedTimestamp', at, true);
      if (signedTimestamp !== undefined) rfc3161Timestamps.push(Object.freeze({ signedTimestamp }));
    }
  }
  if (content === undefined) return undefined;
  return Object.freeze({
    content,
    tlogEntries: Object.freeze(tlogEntries),
    timestampVerificationData: Object.freeze({ rfc3161Timestamps: Object.freeze(rfc3161Timestamps) }),
  });
}

function isHashAlgorithm(value: string): value is BundleHashAlgorithm {
  return Object.hasOwn(HASH_SIZES, value);
}

function readMessageSignature(r: Reader, ms: JsonObject): BundleContent | undefined {
  const path = 'messageSignature';
  const md = r.object(ms, 'messageDigest', path, true);
  const mdPath = joinPath(path, 'messageDigest');
  const algorithm = md === undefined ? undefined : r.string(md, 'algorithm', mdPath, true);
  const digest = md === undefined ? undefined : r.bytes(md, 'digest', mdPath, true);
  const signature = r.bytes(ms, 'signature', path, true);
  let alg: BundleHashAlgorithm | undefined;
  if (algorithm !== undefined) {
    if (isHashAlgorithm(algorithm)) alg = algorithm;
    else
      r.add(
        joinPath(mdPath, 'algorithm'),
        `must be one of ${Object.keys(HASH_SIZES).join(', ')}, found ${JSON.stringify(algorithm.slice(0, 40))}`,
      );
  }
  if (alg !== undefined && digest !== undefined && digest.length !== HASH_SIZES[alg]) {
    r.add(joinPath(mdPath, 'digest'), `must be ${HASH_SIZES[alg]} bytes for ${alg}, found ${digest.length}`);
    return undefined;
  }
  if (alg === undefined || digest === undefined || signature === undefined) return undefined;
  return Object.freeze({
    type: 'messageSignature',
    messageDigest: Object.freeze({ algorithm: alg, digest }),
    signature,
  });
}

function readDsse(r: Reader, input: unknown): Envelope | undefined {
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(input, 'dsseEnvelope');
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    r.issues.push(...e.issues);
    return undefined;
  }
  // protobuf-specs: "DSSE envelopes in a bundle MUST have exactly one signature".
  if (envelope.signatures.length !== 1) {
    return r.add(
      'dsseEnvelope.signatures',
      `must hold exactly one signature in a bundle, found ${envelope.signatures.length}`,
    );
  }
  return envelope;
}

/**
 * Parses a Sigstore bundle (a JSON value, or its JSON text as a string or UTF-8 bytes) into a frozen {@link Bundle}.
 * Checks the shape and what each version requires of it (v0.1 log entries carry an inclusion promise; v0.2+ an
 * inclusion proof with a checkpoint; v0.3 uses `certificate`, not a chain; a DSSE envelope holds exactly one
 * signature whose keyid, when set, equals the public-key hint). Nothing is verified: log entries, timestamps and
 * certificates are decoded and kept for the verifier.
 *
 * @throws ParseError `ERR_UNSUPPORTED_MEDIA_TYPE` for a media type other than bundle v0.1–v0.3, else
 *   `ERR_MALFORMED_BUNDLE` listing every bad JSON path
 * @example
 * ```ts
 * const bundle = parseBundle(await readFile('artifact.sigstore.json'));
 * if (bundle.content.type === 'dsseEnvelope') console.log(bundle.content.envelope.payloadType);
 * ```
 */
export function parseBundle(input: unknown): Bundle {
  const value =
    typeof input === 'string' || input instanceof Uint8Array ? parseJson(input, 'bundle', CODE) : input;
  if (!isObject(value))
    throw new ParseError(CODE, [
      { path: '', message: `bundle must be a JSON object, found ${describe(value)}` },
    ]);
  const r = new Reader();
  const mediaType = r.string(value, 'mediaType', '', true);
  if (mediaType === undefined) throw new ParseError(CODE, r.issues);
  const version = Object.hasOwn(BUNDLE_MEDIA_TYPES, mediaType) ? BUNDLE_MEDIA_TYPES[mediaType] : undefined;
  if (version === undefined) {
    throw new ParseError('ERR_UNSUPPORTED_MEDIA_TYPE', [
      {
        path: 'mediaType',
        message: `expected a Sigstore bundle v0.1, v0.2 or v0.3 media type (${Object.keys(BUNDLE_MEDIA_TYPES).join(', ')}), found ${JSON.stringify(mediaType.slice(0, 100))}`,
      },
    ]);
  }
  const vmObj = r.object(value, 'verificationMaterial', '', true);
  const verificationMaterial = vmObj === undefined ? undefined : readVerificationMaterial(r, vmObj, version);

  const hasDsse = value.dsseEnvelope !== undefined && value.dsseEnvelope !== null;
  const hasMessage = value.messageSignature !== undefined && value.messageSignature !== null;
  let content: BundleContent | undefined;
  if (hasDsse === hasMessage) {
    r.add(
      '',
      `bundle must hold exactly one of dsseEnvelope or messageSignature, found ${hasDsse ? 'both' : 'neither'}`,
    );
  } else if (hasDsse) {
    const envelope = readDsse(r, value.dsseEnvelope);
    if (envelope !== undefined) content = Object.freeze({ type: 'dsseEnvelope', envelope });
  } else {
    const ms = r.object(value, 'messageSignature', '', true);
    if (ms !== undefined) content = readMessageSignature(r, ms);
  }
  // protobuf-specs: with a public-key hint and a DSSE envelope, "the key hints MUST be exactly the same".
  const hint = verificationMaterial?.content.type === 'publicKey' ? verificationMaterial.content.hint : '';
  const keyid = content?.type === 'dsseEnvelope' ? (content.envelope.signatures[0]?.keyid ?? '') : '';
  if (hint !== '' && keyid !== '' && hint !== keyid) {
    r.add(
      'dsseEnvelope.signatures[0].keyid',
      `must equal verificationMaterial.publicKey.hint ${JSON.stringify(hint.slice(0, 100))}, found ${JSON.stringify(keyid.slice(0, 100))}`,
    );
  }
  if (r.issues.length > 0 || verificationMaterial === undefined || content === undefined) {
    throw new ParseError(CODE, r.issues.length > 0 ? r.issues : [{ path: '', message: 'is not a bundle' }]);
  }
  return Object.freeze({ mediaType, version, verificationMaterial, content });
}

/**
 * Wraps a signed DSSE envelope in a v0.3 bundle identified by a public-key hint, with no log entry and no
 * timestamp: the JSON sigstore-js writes for a key-based DSSE bundle (`tlogEntries: []`,
 * `timestampVerificationData: { rfc3161Timestamps: [] }`, and the DSSE `keyid` equal to the hint).
 *
 * @throws UsageError `ERR_USAGE` unless the envelope has exactly one signature whose keyid is empty or the hint
 * @example
 * ```ts
 * const json = encodeBundle({ envelope: signEnvelope({ payloadType, payload, keys: [key] }), publicKeyHint: key.keyId });
 * const text = serializeBundle(json);
 * ```
 */
export function encodeBundle(options: {
  readonly envelope: EnvelopeJson;
  readonly publicKeyHint: string;
}): BundleJson {
  const { envelope, publicKeyHint } = options;
  const [signature, ...rest] = envelope.signatures;
  if (signature === undefined || rest.length > 0) {
    throw new UsageError(
      'ERR_USAGE',
      `a bundle holds exactly one DSSE signature, found ${envelope.signatures.length}`,
    );
  }
  if (signature.keyid !== '' && signature.keyid !== publicKeyHint) {
    throw new UsageError(
      'ERR_USAGE',
      `the DSSE keyid must equal the public-key hint ${JSON.stringify(publicKeyHint)}, found ${JSON.stringify(signature.keyid)}`,
    );
  }
  return Object.freeze({
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: Object.freeze({
      publicKey: Object.freeze({ hint: publicKeyHint }),
      tlogEntries: Object.freeze([]) as readonly [],
      timestampVerificationData: Object.freeze({ rfc3161Timestamps: Object.freeze([]) as readonly [] }),
    }),
    dsseEnvelope: Object.freeze({
      payload: envelope.payload,
      payloadType: envelope.payloadType,
      signatures: Object.freeze([Object.freeze({ sig: signature.sig, keyid: publicKeyHint })]),
    }),
  });
}

/**
 * Serializes bundle JSON as compact JSON text (what sigstore-js and cosign write to `*.sigstore.json`).
 *
 * @example
 * ```ts
 * await writeFile('image.sigstore.json', serializeBundle(bundleJson));
 * ```
 */
export function serializeBundle(json: BundleJson): string {
  return JSON.stringify(json);
}
