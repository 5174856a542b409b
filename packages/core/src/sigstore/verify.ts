// Sigstore bundle verification: every time source, log entry, certificate, identity and signature, in the client spec's order.
import { createHash } from 'node:crypto';
import { type Bundle, type BundleHashAlgorithm, parseBundle } from '../bundle.js';
import type { Digest } from '../digest.js';
import { pae, verifyEnvelopeSync } from '../dsse.js';
import { bytesEqual } from '../encoding.js';
import { isVouchError, ParseError, UsageError, VerificationError, type VouchErrorCode } from '../errors.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../image-signature.js';
import { isObject } from '../json.js';
import { type PrehashAlgorithm, type PublicKey, verifyDigestSignature } from '../keys/index.js';
import { parseStatementJson, type Statement } from '../statement.js';
import { verifyCertificateChain } from './certificate.js';
import {
  assertIdentity,
  certificatePublicKey,
  type DecodedCertificate,
  decodeCertificate,
} from './identity.js';
import { verifyTimestamps } from './timestamp.js';
import { type TlogVerification, verifyTlogEntry } from './tlog.js';
import type { CertificateIdentity, IdentityPolicy, TrustedRoot } from './types.js';

/** The artifact a bundle must be about: its bytes (an in-toto subject is matched by sha256), or only its digest (matched by that digest's algorithm). */
export type SigstoreArtifact = { readonly bytes: Uint8Array } | { readonly digest: Digest };

/** Options of {@link verifySigstoreBundle}. */
export interface VerifySigstoreBundleOptions {
  /** The bundle: JSON value, or JSON text (string or UTF-8 bytes). Untrusted. */
  readonly bundle: unknown;
  readonly artifact: SigstoreArtifact;
  readonly trustedRoot: TrustedRoot;
  /** Who must have signed a certificate-based bundle. Required for those (a keyless bundle is never accepted unchecked). */
  readonly identity?: IdentityPolicy;
  /** Trusted keys for a public-key bundle (cosign `--key`). */
  readonly keys?: readonly PublicKey[];
  /** The current time (core reads no clock): log entries from the future are refused. */
  readonly now: Date;
  /** How many verified transparency-log entries are required. Default 1. */
  readonly tlogThreshold?: number;
  /**
   * For a DSSE bundle: the in-toto predicate type required (e.g. cosign's image signature), and the payload must be
   * an in-toto statement. A message signature signs the artifact itself and has no predicate. Default: any.
   */
  readonly predicateType?: string;
  /**
   * Certificates in the bundle's x509CertificateChain that are byte-identical to the trusted CA's own certificates
   * (root included) are skipped, as sigstore-go does (npm's v0.1 bundles carry the whole chain). Default false:
   * the client spec refuses a bundle that includes the root, and so does vouch unless this is set.
   */
  readonly chainMayIncludeTrustedCertificates?: boolean;
}

/** The checks made, in order. */
export type SigstoreCheckId =
  | 'bundle'
  | 'key'
  | 'signature'
  | 'artifact'
  | 'timestamps'
  | 'tlog'
  | 'time-source'
  | 'certificate'
  | 'identity';

export interface SigstoreCheck {
  readonly id: SigstoreCheckId;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly code?: VouchErrorCode;
  readonly message: string;
}

/** A verified time and where it came from. */
export interface VerifiedTime {
  readonly source: 'tlog' | 'timestamp-authority';
  readonly time: Date;
}

/** Who signed, as proven. */
export type SigstoreSigner =
  | {
      readonly type: 'certificate';
      readonly identity: CertificateIdentity;
      readonly notBefore: Date;
      readonly notAfter: Date;
    }
  | { readonly type: 'key'; readonly keyId: string };

/** What a verified bundle proved. */
export interface SigstoreVerification {
  readonly bundleVersion: Bundle['version'];
  readonly signer: SigstoreSigner;
  readonly times: readonly VerifiedTime[];
  readonly tlogEntries: readonly TlogVerification[];
  /** For a DSSE bundle: the verified payload and its type; the statement when it is in-toto. */
  readonly payloadType?: string;
  readonly payload?: Uint8Array;
  readonly statement?: Statement;
  readonly checks: readonly SigstoreCheck[];
}

/** A failed Sigstore verification; `checks` lists every check (those after the failure are `skip`). */
export class SigstoreVerificationError extends VerificationError {
  readonly checks: readonly SigstoreCheck[];

  constructor(code: VouchErrorCode, message: string, checks: readonly SigstoreCheck[], cause?: unknown) {
    super(code, message, cause === undefined ? {} : { cause });
    this.checks = Object.freeze([...checks]);
  }
}

const ORDER: readonly SigstoreCheckId[] = [
  'bundle',
  'key',
  'signature',
  'artifact',
  'timestamps',
  'tlog',
  'time-source',
  'certificate',
  'identity',
];

class Checks {
  readonly list: SigstoreCheck[] = [];

  pass(id: SigstoreCheckId, message: string): void {
    this.list.push(Object.freeze({ id, status: 'pass', message }));
  }

  skip(id: SigstoreCheckId, message: string): void {
    this.list.push(Object.freeze({ id, status: 'skip', message }));
  }

  fail(id: SigstoreCheckId, code: VouchErrorCode, message: string, cause?: unknown): never {
    this.list.push(Object.freeze({ id, status: 'fail', code, message }));
    for (const later of ORDER.slice(ORDER.indexOf(id) + 1)) {
      if (!this.list.some((c) => c.id === later)) this.skip(later, `not checked: the ${id} check failed`);
    }
    throw new SigstoreVerificationError(code, `${id} check failed: ${message}`, this.list, cause);
  }

  /** Runs `step`; a VouchError it throws fails check `id` with that error's code. */
  run<T>(id: SigstoreCheckId, step: () => T): T {
    try {
      return step();
    } catch (e) {
      if (e instanceof SigstoreVerificationError) throw e;
      if (isVouchError(e) && !(e instanceof UsageError)) return this.fail(id, e.code, e.message, e);
      throw e;
    }
  }
}

const HASHES: Readonly<Partial<Record<BundleHashAlgorithm, PrehashAlgorithm>>> = {
  SHA2_256: 'sha256',
  SHA2_384: 'sha384',
  SHA2_512: 'sha512',
};

/** The scheme's own hash for a key, so a message signature over bytes can use the native path. */
const KEY_HASH: Readonly<Record<string, PrehashAlgorithm | undefined>> = {
  'ecdsa-p256-sha256': 'sha256',
  'ecdsa-p384-sha384': 'sha384',
  'ecdsa-p521-sha512': 'sha512',
  'rsa-pkcs1-sha256': 'sha256',
};

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** The artifact's digest with `algorithm`, or undefined when only a digest of another algorithm is known. */
function artifactDigest(artifact: SigstoreArtifact, algorithm: PrehashAlgorithm): Uint8Array | undefined {
  if ('bytes' in artifact) return new Uint8Array(createHash(algorithm).update(artifact.bytes).digest());
  if (artifact.digest.algorithm !== algorithm) return undefined;
  return new Uint8Array(Buffer.from(artifact.digest.hex, 'hex'));
}

/**
 * Verifies a Sigstore bundle (v0.1, v0.2, v0.3; message signature or DSSE; Fulcio certificate, chain or public key)
 * offline against a trusted root. Fails closed with one code per failed check, and lists every check made.
 *
 * Order: bundle shape; the signing key (a trusted key, or the certificate's, not yet trusted); the signature; the
 * artifact (message digest, or the in-toto subject); RFC 3161 timestamps; transparency-log entries (SET, inclusion
 * proof + checkpoint, entry matches the bundle); a verified time exists for a certificate; the certificate chains to
 * a trusted CA at every verified time (with SCTs); the identity policy. Nothing is trusted until all have passed;
 * checking the signature early only makes the explanation of a changed bundle precise.
 *
 * @throws UsageError `ERR_USAGE` when neither an identity policy nor keys fit the bundle's material
 * @throws SigstoreVerificationError with the failing check's code and every check in `checks`
 * @example
 * ```ts
 * const result = verifySigstoreBundle({ bundle, artifact: { bytes }, trustedRoot, now: new Date(),
 *   identity: { subjectAlternativeName: { exact: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1' },
 *               issuer: { exact: 'https://token.actions.githubusercontent.com' } } });
 * ```
 */
export function verifySigstoreBundle(options: VerifySigstoreBundleOptions): SigstoreVerification {
  const checks = new Checks();
  const bundle = checks.run('bundle', () => parseBundle(options.bundle));
  const material = bundle.verificationMaterial.content;
  const keyBased = material.type === 'publicKey';
  if (!keyBased && options.identity === undefined) {
    throw new UsageError('ERR_USAGE', 'an identity policy is required to verify a certificate-based bundle');
  }
  checks.pass('bundle', `Sigstore bundle v${bundle.version} (${bundle.content.type}, ${material.type})`);

  // The signing key: a trusted key that verifies the signature (the hint is never trusted), or the certificate's
  // key, which is only trusted once the certificate chains to a CA at a verified time (checked below).
  let leafDer: Uint8Array | undefined;
  let decodedLeaf: DecodedCertificate | undefined;
  let publicKey: PublicKey;
  if (keyBased) {
    const keys = options.keys ?? [];
    if (keys.length === 0) {
      return checks.fail(
        'key',
        'ERR_UNTRUSTED_KEY',
        'the bundle is signed with a key, but no trusted key was given',
      );
    }
    const found = findSigningKey(bundle, keys, options.artifact);
    if (found === undefined) {
      return checks.fail(
        'key',
        'ERR_SIGNATURE_INVALID',
        `no trusted key (of ${keys.length}) verifies the signature`,
      );
    }
    publicKey = found;
    checks.pass('key', `trusted key ${publicKey.keyId}`);
  } else {
    leafDer =
      material.type === 'certificate'
        ? material.rawBytes
        : material.type === 'x509CertificateChain'
          ? material.certificates[0]?.rawBytes
          : undefined;
    if (leafDer === undefined)
      return checks.fail('key', 'ERR_MALFORMED_BUNDLE', 'the certificate chain is empty');
    const leaf = leafDer;
    // Decoded once: the same decoded certificate is what the chain check verifies below.
    decodedLeaf = checks.run('key', () => decodeCertificate(leaf, 'certificate'));
    const decoded = decodedLeaf;
    publicKey = checks.run('key', () =>
      certificatePublicKey(decoded, { field: 'certificate.subjectPublicKeyInfo' }),
    );
    // The chain at the certificate's own issuance first: a certificate that no trusted CA signed is explained as
    // such, before anything that recorded it is compared. Its validity at the signing times is checked below.
    const early = checks.run('key', () =>
      verifyCertificateChain({
        leaf: decoded,
        intermediates: intermediatesOf(material),
        trustedRoot: options.trustedRoot,
        times: [decoded.notBefore],
        ...lenientChain(options),
      }),
    );
    checks.pass(
      'key',
      `the certificate's ${publicKey.algorithm} key, issued by ${early.authority.uri} (validity at the signing time checked below)`,
    );
  }

  // The signature, then what it signs: cheap, and the most precise explanation when the content was changed.
  const signed = verifyContent(bundle, publicKey, options, checks);

  // Time sources: they decide at which times the certificate must be valid.
  const times: VerifiedTime[] = [];
  const stamps = checks.run('timestamps', () => verifyTimestamps(bundle, options.trustedRoot));
  for (const s of stamps) times.push({ source: 'timestamp-authority', time: s.time });
  if (stamps.length === 0) checks.skip('timestamps', 'no RFC 3161 timestamp in the bundle');
  else
    checks.pass(
      'timestamps',
      `${stamps.length} RFC 3161 timestamp(s): ${stamps.map((s) => s.time.toISOString()).join(', ')}`,
    );

  const tlogThreshold = options.tlogThreshold ?? 1;
  const entries = bundle.verificationMaterial.tlogEntries;
  const tlogs = checks.run('tlog', () => {
    if (entries.length < tlogThreshold) {
      throw new VerificationError(
        'ERR_TLOG_INCLUSION_PROOF',
        `expected at least ${tlogThreshold} transparency-log entr${tlogThreshold === 1 ? 'y' : 'ies'}, found ${entries.length}`,
      );
    }
    return entries.map((entry) =>
      verifyTlogEntry({
        entry,
        bundle,
        signer:
          leafDer === undefined
            ? { type: 'publicKey', key: publicKey }
            : { type: 'certificate', der: leafDer },
        trustedRoot: options.trustedRoot,
        now: options.now,
        bundleVersion: bundle.version,
        verifiedTimes: stamps.map((s) => s.time),
      }),
    );
  });
  for (const t of tlogs) if (t.integratedTime) times.push({ source: 'tlog', time: t.integratedTime });
  if (tlogs.length === 0) checks.skip('tlog', 'no transparency-log entry required');
  else checks.pass('tlog', tlogs.map((t) => `entry ${t.logIndex} in ${t.log.baseUrl}`).join('; '));

  if (leafDer === undefined) {
    checks.skip('time-source', 'a trusted key needs no signing time');
    checks.skip('certificate', 'a public-key bundle');
    checks.skip('identity', 'a public-key bundle');
    return done(bundle, { type: 'key', keyId: publicKey.keyId }, times, tlogs, checks, signed);
  }
  if (times.length === 0) {
    return checks.fail(
      'time-source',
      'ERR_TIME_SOURCE_MISSING',
      'expected a verified time (a signed entry timestamp or an RFC 3161 timestamp) for the certificate, found none',
    );
  }
  checks.pass('time-source', times.map((t) => `${t.source} ${t.time.toISOString()}`).join(', '));

  const leaf = decodedLeaf ?? leafDer;
  const intermediates = intermediatesOf(material);
  const certificate = checks.run('certificate', () =>
    verifyCertificateChain({
      leaf,
      intermediates,
      trustedRoot: options.trustedRoot,
      times: times.map((t) => t.time),
      ...lenientChain(options),
    }),
  );
  checks.pass(
    'certificate',
    `issued by ${certificate.authority.uri}, valid ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}`,
  );
  checks.run('identity', () => assertIdentity(certificate.identity, options.identity ?? {}));
  checks.pass(
    'identity',
    `${certificate.identity.subjectAlternativeName} (issuer ${certificate.identity.extensions.issuer ?? 'none'})`,
  );
  const signer: SigstoreSigner = {
    type: 'certificate',
    identity: certificate.identity,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  };
  return done(bundle, signer, times, tlogs, checks, signed);
}

/** The chain option for verifyCertificateChain, only when set (the default path stays the strict one). */
function lenientChain(options: VerifySigstoreBundleOptions): { chainMayIncludeTrustedCertificates?: true } {
  return options.chainMayIncludeTrustedCertificates === true
    ? { chainMayIncludeTrustedCertificates: true }
    : {};
}

/** What the signature covers, once verified. */
interface SignedContent {
  readonly payloadType?: string;
  readonly payload?: Uint8Array;
  readonly statement?: Statement;
}

/** Verifies the signature with `publicKey`, then that it is about the artifact. */
function verifyContent(
  bundle: Bundle,
  publicKey: PublicKey,
  options: Pick<VerifySigstoreBundleOptions, 'artifact' | 'predicateType'>,
  checks: Checks,
): SignedContent {
  const { artifact } = options;
  const content = bundle.content;
  if (content.type === 'messageSignature') {
    const hash = HASHES[content.messageDigest.algorithm];
    if (hash === undefined) {
      return checks.fail(
        'signature',
        'ERR_UNSUPPORTED_ALGORITHM',
        `message digest algorithm ${content.messageDigest.algorithm} is not supported`,
      );
    }
    const digest = artifactDigest(artifact, hash);
    if (digest === undefined) {
      return checks.fail(
        'signature',
        'ERR_DIGEST_MISMATCH',
        `the bundle's digest is ${hash}, but only a digest of another algorithm was given`,
      );
    }
    const ok = checks.run('signature', () =>
      signatureOverArtifact(publicKey, artifact, digest, hash, content.signature),
    );
    if (!ok)
      return checks.fail(
        'signature',
        'ERR_SIGNATURE_INVALID',
        'the signature does not verify over the artifact under the signing key',
      );
    checks.pass('signature', `verified over the artifact (${hash})`);
    // The bundle's digest is an unauthenticated hint, but one that disagrees with the artifact is refused.
    if (!bytesEqual(digest, content.messageDigest.digest)) {
      return checks.fail(
        'artifact',
        'ERR_DIGEST_MISMATCH',
        `expected messageDigest ${hash}:${hex(digest)} (the artifact), found ${hash}:${hex(content.messageDigest.digest)}`,
      );
    }
    checks.pass('artifact', `${hash}:${hex(digest)}`);
    return {};
  }

  const verified = checks.run('signature', () => {
    try {
      return verifyEnvelopeSync(content.envelope, { keys: [publicKey] });
    } catch (e) {
      if (isVouchError(e) && e.code === 'ERR_SIGNATURE_INVALID' && payloadChanged(bundle)) {
        throw new VerificationError(
          'ERR_PAYLOAD_MISMATCH',
          'the DSSE payload was changed: its signature does not verify, and the transparency log recorded this same signature over another payload',
          { cause: e },
        );
      }
      throw e;
    }
  });
  checks.pass('signature', `DSSE signature over ${verified.payloadType}`);
  if (verified.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    if (options.predicateType !== undefined) {
      return checks.fail(
        'artifact',
        'ERR_PAYLOAD_TYPE',
        `expected payloadType ${IN_TOTO_PAYLOAD_TYPE}, found ${verified.payloadType}`,
      );
    }
    checks.skip(
      'artifact',
      `payload type ${verified.payloadType} is not an in-toto statement: no subject to match`,
    );
    return { payloadType: verified.payloadType, payload: verified.payload };
  }
  const statement = checks.run('artifact', () => parseStatementJson(verified.payload));
  // A given digest is matched with its own algorithm (npm subjects carry only sha512); bytes are hashed with sha256.
  const algorithm: PrehashAlgorithm = 'digest' in artifact ? artifact.digest.algorithm : 'sha256';
  const subjectHex = hex(artifactDigest(artifact, algorithm) ?? new Uint8Array());
  if (!statement.subject.some((s) => s.digest?.[algorithm] === subjectHex)) {
    return checks.fail(
      'artifact',
      'ERR_DIGEST_MISMATCH',
      `expected a statement subject with ${algorithm} ${subjectHex}, found ${statement.subject.map((s) => s.digest?.[algorithm] ?? `(no ${algorithm})`).join(', ')}`,
    );
  }
  if (options.predicateType !== undefined && statement.predicateType !== options.predicateType) {
    return checks.fail(
      'artifact',
      'ERR_PREDICATE_TYPE',
      `expected predicateType ${options.predicateType}, found ${statement.predicateType}`,
    );
  }
  checks.pass(
    'artifact',
    `${algorithm}:${subjectHex} is a subject of the ${statement.predicateType} statement`,
  );
  return { payloadType: verified.payloadType, payload: verified.payload, statement };
}

/** A bundle's intermediate certificates (after the leaf). */
function intermediatesOf(material: Bundle['verificationMaterial']['content']): Uint8Array[] {
  return material.type === 'x509CertificateChain'
    ? material.certificates.slice(1).map((c) => c.rawBytes)
    : [];
}

/**
 * Whether a DSSE bundle's first log entry recorded the bundle's very signature over a payload with another digest:
 * then the payload, not the signature, was changed. Only chooses the code of a failure already certain (the log
 * entry is not trusted here), so any shape it does not know answers false.
 */
function payloadChanged(bundle: Bundle): boolean {
  const body = bundle.verificationMaterial.tlogEntries[0]?.canonicalizedBody;
  if (bundle.content.type !== 'dsseEnvelope' || body === undefined) return false;
  const { envelope } = bundle.content;
  const sig = envelope.signatures[0]?.sig;
  if (sig === undefined) return false;
  let recorded: { signature: string; digest: Uint8Array; covers: 'payload' | 'pae' } | undefined;
  try {
    const json: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    recorded = recordedDsse(json);
  } catch {
    return false;
  }
  if (recorded === undefined || recorded.signature !== Buffer.from(sig).toString('base64')) return false;
  const covered =
    recorded.covers === 'payload' ? envelope.payload : pae(envelope.payloadType, envelope.payload);
  return !bytesEqual(new Uint8Array(createHash('sha256').update(covered).digest()), recorded.digest);
}

/** The signature (base64) and sha256 digest a Rekor DSSE-bearing body records, for the kinds Rekor writes. */
function recordedDsse(
  json: unknown,
): { signature: string; digest: Uint8Array; covers: 'payload' | 'pae' } | undefined {
  const at = (v: unknown, ...path: (string | number)[]): unknown =>
    path.reduce<unknown>((o, k) => {
      if (typeof k === 'number') return Array.isArray(o) ? o[k] : undefined;
      return isObject(o) ? o[k] : undefined;
    }, v);
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const kind = str(at(json, 'kind'));
  const version = str(at(json, 'apiVersion'));
  const decode = (v: unknown, encoding: 'hex' | 'base64'): Uint8Array | undefined => {
    const text = str(v);
    return text === undefined ? undefined : new Uint8Array(Buffer.from(text, encoding));
  };
  const hex = (v: unknown) => decode(v, 'hex');
  const b64 = (v: unknown) => decode(v, 'base64');
  let signature: string | undefined;
  let digest: Uint8Array | undefined;
  let covers: 'payload' | 'pae' = 'payload';
  if (kind === 'dsse' && version === '0.0.1') {
    signature = str(at(json, 'spec', 'signatures', 0, 'signature'));
    digest = hex(at(json, 'spec', 'payloadHash', 'value'));
  } else if (kind === 'dsse' && version === '0.0.2') {
    signature = str(at(json, 'spec', 'dsseV002', 'signatures', 0, 'content'));
    digest = b64(at(json, 'spec', 'dsseV002', 'payloadHash', 'digest'));
  } else if (kind === 'intoto' && version === '0.0.2') {
    const doubled = str(at(json, 'spec', 'content', 'envelope', 'signatures', 0, 'sig'));
    signature = doubled === undefined ? undefined : Buffer.from(doubled, 'base64').toString('utf8');
    digest = hex(at(json, 'spec', 'content', 'payloadHash', 'value'));
  } else if (kind === 'hashedrekord' && version === '0.0.2') {
    signature = str(at(json, 'spec', 'hashedRekordV002', 'signature', 'content'));
    digest = b64(at(json, 'spec', 'hashedRekordV002', 'data', 'digest'));
    covers = 'pae';
  }
  return signature === undefined || digest === undefined ? undefined : { signature, digest, covers };
}

function signatureOverArtifact(
  key: PublicKey,
  artifact: SigstoreArtifact,
  digest: Uint8Array,
  hash: PrehashAlgorithm,
  signature: Uint8Array,
): boolean {
  // Over the bytes, node:crypto's native path when the key's own hash is the bundle's; else by digest.
  if ('bytes' in artifact && (key.algorithm === 'ed25519' || KEY_HASH[key.scheme] === hash)) {
    return key.verifySync(artifact.bytes, signature);
  }
  if (key.algorithm === 'ed25519') return false;
  return verifyDigestSignature({ key, digest, hash, signature });
}

function findSigningKey(
  bundle: Bundle,
  keys: readonly PublicKey[],
  artifact: SigstoreArtifact,
): PublicKey | undefined {
  const content = bundle.content;
  return keys.find((key) => {
    try {
      if (content.type === 'dsseEnvelope') {
        verifyEnvelopeSync(content.envelope, { keys: [key] });
        return true;
      }
      const hash = HASHES[content.messageDigest.algorithm];
      if (hash === undefined) return false;
      const digest = artifactDigest(artifact, hash) ?? content.messageDigest.digest;
      return signatureOverArtifact(key, artifact, digest, hash, content.signature);
    } catch (e) {
      if (e instanceof ParseError || e instanceof VerificationError || e instanceof UsageError) return false;
      throw e;
    }
  });
}

function done(
  bundle: Bundle,
  signer: SigstoreSigner,
  times: readonly VerifiedTime[],
  tlogEntries: readonly TlogVerification[],
  checks: Checks,
  extra: SignedContent,
): SigstoreVerification {
  return Object.freeze({
    bundleVersion: bundle.version,
    signer,
    times: Object.freeze([...times]),
    tlogEntries: Object.freeze([...tlogEntries]),
    ...extra,
    checks: Object.freeze([...checks.list]),
  });
}
