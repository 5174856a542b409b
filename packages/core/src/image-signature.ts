// Key-based image signatures: an in-toto Statement about a digest, in DSSE, in a Sigstore bundle v0.3; sign and verify.
import { type BundleJson, encodeBundle, parseBundle } from './bundle.js';
import { type Digest, parseDigest } from './digest.js';
import { hintNamesKey, signEnvelope, type VerifiedEnvelope, verifyEnvelope } from './dsse.js';
import {
  isVouchError,
  ParseError,
  UsageError,
  VerificationError,
  type VouchErrorCode,
  type VouchErrorOptions,
} from './errors.js';
import type { JsonObject } from './json.js';
import type { PrivateKey, PublicKey } from './keys/index.js';
import type { CryptoBackendName } from './keys/types.js';
import {
  buildStatement,
  parseStatementJson,
  type ResourceDescriptor,
  type Statement,
  serializeStatement,
  statementHasSubjectDigest,
} from './statement.js';

/** The predicate type of a cosign v3 image signature (predicate `{}`). */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';

/** The DSSE payload type of an in-toto Statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** The checks a statement-bundle verification makes, in order. */
export type VerificationCheckId =
  | 'bundle'
  | 'signature'
  | 'payload-type'
  | 'statement'
  | 'predicate-type'
  | 'subject-digest'
  | 'threshold';

/** The outcome of one check; a failed check carries the error code it threw. */
export interface VerificationCheck {
  readonly id: VerificationCheckId;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly code?: VouchErrorCode;
  readonly message: string;
}

/** What a verified statement bundle proved. Every field comes from the verified payload. */
export interface StatementVerification {
  readonly digest: Digest;
  readonly signerKeyIds: readonly string[];
  readonly statement: Statement;
  /** The first subject whose digest is the one verified. */
  readonly subject: ResourceDescriptor;
  /** That subject's annotations (`{}` when it has none). */
  readonly annotations: JsonObject;
  readonly checks: readonly VerificationCheck[];
}

/** What {@link verifyImageSignature} returns. */
export type ImageVerification = StatementVerification;

/**
 * A failed statement-bundle verification. `code` is the failing check's code; `checks` lists every check (the
 * ones after the failure are `skip`) so a CLI can print them all.
 *
 * @example
 * ```ts
 * try { await verifyImageSignature(options); } catch (e) {
 *   if (e instanceof ImageVerificationError) for (const c of e.checks) console.error(c.id, c.status, c.message);
 * }
 * ```
 */
export class ImageVerificationError extends VerificationError {
  readonly checks: readonly VerificationCheck[];

  constructor(
    code: VouchErrorCode,
    message: string,
    checks: readonly VerificationCheck[],
    options: VouchErrorOptions = {},
  ) {
    super(code, message, options);
    this.checks = Object.freeze([...checks]);
  }
}

/** Options of {@link signStatementBundle}. */
export interface SignStatementBundleOptions {
  /** The subject's digest; the subject digest set is `{ [digest.algorithm]: digest.hex }`. */
  readonly digest: Digest | string;
  readonly name?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
  readonly predicateType: string;
  readonly predicate: object;
  readonly key: PrivateKey;
}

/** Options of {@link verifyStatementBundle}. */
export interface VerifyStatementBundleOptions {
  /** The bundle: its JSON value, or its JSON text (string or UTF-8 bytes). Untrusted. */
  readonly bundle: unknown;
  /** The digest the statement must name as a subject. */
  readonly digest: Digest | string;
  /** The trusted keys. A bundle holds one signature, so one of them must have made it. */
  readonly keys: readonly PublicKey[];
  readonly backend?: CryptoBackendName;
  /** The predicate type required; when omitted any predicate type is accepted (the check is `skip`). */
  readonly predicateType?: string;
}

const ORDER: readonly VerificationCheckId[] = Object.freeze([
  'bundle',
  'signature',
  'payload-type',
  'statement',
  'predicate-type',
  'subject-digest',
]);

function toDigest(input: Digest | string): Digest {
  // Re-parse a Digest object too: it is caller input, and the check is cheap.
  return parseDigest(typeof input === 'string' ? input : input.value, 'digest');
}

/**
 * Signs a one-subject in-toto Statement v1 in DSSE and wraps it in a v0.3 bundle whose public-key hint (and DSSE
 * keyid) is the key id. The shared core of {@link signImageDigest} and `signBlob`; also the way to sign any other
 * predicate about a digest.
 *
 * @throws ParseError `ERR_MALFORMED_DIGEST` (digest) or `ERR_MALFORMED_STATEMENT` (subject, predicate)
 * @example
 * ```ts
 * const bundle = signStatementBundle({ digest, predicateType: 'https://slsa.dev/provenance/v1', predicate, key });
 * ```
 */
export function signStatementBundle(options: SignStatementBundleOptions): BundleJson {
  const digest = toDigest(options.digest);
  const statement = buildStatement({
    subject: [
      {
        ...(options.name === undefined ? {} : { name: options.name }),
        digest: { [digest.algorithm]: digest.hex },
        ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
      },
    ],
    predicateType: options.predicateType,
    predicate: options.predicate,
  });
  const envelope = signEnvelope({
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    payload: serializeStatement(statement),
    keys: [options.key],
  });
  return encodeBundle({ envelope, publicKeyHint: options.key.keyId });
}

/**
 * Signs an image digest as cosign v3 does: Statement v1 with subject `{ digest: { sha256 } }` (no name),
 * predicateType `https://sigstore.dev/cosign/sign/v1`, predicate `{}`, in DSSE, in a bundle v0.3.
 *
 * @throws ParseError `ERR_MALFORMED_DIGEST` naming `digest` unless it is a valid sha256 digest
 * @example
 * ```ts
 * const bundle = signImageDigest({ digest: 'sha256:' + hex, key: privateKey, annotations: { env: 'prod' } });
 * ```
 */
export function signImageDigest(options: {
  readonly digest: Digest | string;
  readonly key: PrivateKey;
  readonly annotations?: Readonly<Record<string, string>>;
}): BundleJson {
  const digest = toDigest(options.digest);
  if (digest.algorithm !== 'sha256') {
    throw new ParseError('ERR_MALFORMED_DIGEST', [
      {
        path: 'digest',
        message: `must be a sha256 digest (an image signature's subject is sha256), found ${digest.algorithm}`,
      },
    ]);
  }
  return signStatementBundle({
    digest,
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    predicate: {},
    key: options.key,
  });
}

/** Records checks in order and throws with all of them on the first failure. */
class Checks {
  readonly list: VerificationCheck[] = [];

  pass(id: VerificationCheckId, message: string): void {
    this.list.push(Object.freeze({ id, status: 'pass', message }));
  }

  skip(id: VerificationCheckId, message: string): void {
    this.list.push(Object.freeze({ id, status: 'skip', message }));
  }

  fail(id: VerificationCheckId, code: VouchErrorCode, message: string, cause?: unknown): never {
    this.list.push(Object.freeze({ id, status: 'fail', code, message }));
    for (const later of ORDER.slice(ORDER.indexOf(id) + 1))
      this.skip(later, `not checked: the ${id} check failed`);
    throw new ImageVerificationError(
      code,
      `${id} check failed: ${message}`,
      this.list,
      cause === undefined ? {} : { cause },
    );
  }
}

function subjectHas(subject: ResourceDescriptor, digest: Digest): boolean {
  const set = subject.digest;
  return set !== undefined && Object.hasOwn(set, digest.algorithm) && set[digest.algorithm] === digest.hex;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/**
 * Verifies a bundle that carries, in DSSE, an in-toto Statement about `digest`, signed by one of `keys`.
 * Checks in order, verifying bytes before parsing them: bundle shape, DSSE signature, payload type, statement,
 * predicate type, subject digest. Only DSSE bundles are accepted: a `messageSignature` bundle signs the artifact
 * bytes themselves, which this digest-only verifier does not have.
 *
 * Which code a bad signature gets: `ERR_UNTRUSTED_KEY` when no trusted key verifies it AND the bundle's key hint
 * (public-key hint, else DSSE keyid) is set and names none of the trusted keys (the bundle says it was signed by
 * a key you do not trust); `ERR_SIGNATURE_INVALID` when no trusted key verifies it and the hint is empty or names
 * a trusted key (the signature is bad). The hint only words the error: it never selects a key on its own, and
 * every trusted key is tried.
 *
 * @throws UsageError `ERR_USAGE` (no keys); ParseError `ERR_MALFORMED_DIGEST` (the `digest` option)
 * @throws ImageVerificationError with the failing check's code: `ERR_MALFORMED_BUNDLE`,
 *   `ERR_UNSUPPORTED_MEDIA_TYPE`, `ERR_SIGNATURE_INVALID`, `ERR_UNTRUSTED_KEY`, `ERR_NO_SIGNATURES`,
 *   `ERR_PAYLOAD_TYPE`, `ERR_MALFORMED_STATEMENT`, `ERR_PREDICATE_TYPE`, `ERR_DIGEST_MISMATCH`
 * @example
 * ```ts
 * const result = await verifyStatementBundle({ bundle, digest, keys: [publicKey], predicateType: 'https://slsa.dev/provenance/v1' });
 * result.statement.predicate;
 * ```
 */
export async function verifyStatementBundle(
  options: VerifyStatementBundleOptions,
): Promise<StatementVerification> {
  const digest = toDigest(options.digest);
  const { keys } = options;
  if (keys.length === 0) throw new UsageError('ERR_USAGE', 'keys must name at least one trusted public key');
  const checks = new Checks();

  let bundle: ReturnType<typeof parseBundle>;
  try {
    bundle = parseBundle(options.bundle);
  } catch (e) {
    if (!isVouchError(e)) throw e;
    return checks.fail('bundle', e.code, errorMessage(e), e);
  }
  const { content } = bundle;
  if (content.type !== 'dsseEnvelope') {
    return checks.fail(
      'bundle',
      'ERR_MALFORMED_BUNDLE',
      'expected a dsseEnvelope bundle, found messageSignature (it signs the artifact bytes, not a statement about a digest)',
    );
  }
  checks.pass('bundle', `Sigstore bundle v${bundle.version} with a DSSE envelope`);

  let verified: VerifiedEnvelope;
  try {
    verified = await verifyEnvelope(content.envelope, {
      keys,
      ...(options.backend === undefined ? {} : { backend: options.backend }),
    });
  } catch (e) {
    if (!isVouchError(e)) throw e;
    const material = bundle.verificationMaterial.content;
    const hint =
      (material.type === 'publicKey' ? material.hint : '') || (content.envelope.signatures[0]?.keyid ?? '');
    if (e.code === 'ERR_SIGNATURE_INVALID' && hint !== '' && !keys.some((k) => hintNamesKey(hint, k))) {
      return checks.fail(
        'signature',
        'ERR_UNTRUSTED_KEY',
        `expected a signature by one of ${keys.length} trusted key(s), found one by key ${quote(hint)}, which is not trusted (no trusted key verifies it)`,
        e,
      );
    }
    return checks.fail('signature', e.code, errorMessage(e), e);
  }
  checks.pass('signature', `signed by trusted key ${verified.signerKeyIds.join(', ')}`);

  if (verified.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return checks.fail(
      'payload-type',
      'ERR_PAYLOAD_TYPE',
      `expected payloadType ${IN_TOTO_PAYLOAD_TYPE}, found ${quote(verified.payloadType)}`,
    );
  }
  checks.pass('payload-type', IN_TOTO_PAYLOAD_TYPE);

  let statement: Statement;
  try {
    statement = parseStatementJson(verified.payload);
  } catch (e) {
    if (!isVouchError(e)) throw e;
    return checks.fail('statement', 'ERR_MALFORMED_STATEMENT', errorMessage(e), e);
  }
  checks.pass('statement', `in-toto Statement ${statement.version}`);

  if (options.predicateType === undefined) {
    checks.skip('predicate-type', `any predicate type accepted (found ${quote(statement.predicateType)})`);
  } else if (statement.predicateType !== options.predicateType) {
    return checks.fail(
      'predicate-type',
      'ERR_PREDICATE_TYPE',
      `expected predicateType ${quote(options.predicateType)}, found ${quote(statement.predicateType)}`,
    );
  } else {
    checks.pass('predicate-type', statement.predicateType);
  }

  const subject = statementHasSubjectDigest(statement, digest)
    ? statement.subject.find((s) => subjectHas(s, digest))
    : undefined;
  if (subject === undefined) {
    const found = statement.subject.flatMap((s) =>
      s.digest !== undefined && Object.hasOwn(s.digest, digest.algorithm)
        ? [`${digest.algorithm}:${s.digest[digest.algorithm]}`]
        : [],
    );
    return checks.fail(
      'subject-digest',
      'ERR_DIGEST_MISMATCH',
      `expected subject digest ${digest.value}, found ${found.length === 0 ? `no ${digest.algorithm} subject digest` : found.slice(0, 5).join(', ')}`,
    );
  }
  checks.pass('subject-digest', digest.value);

  return Object.freeze({
    digest,
    signerKeyIds: verified.signerKeyIds,
    statement,
    subject,
    annotations: subject.annotations ?? Object.freeze({}),
    checks: Object.freeze(checks.list),
  });
}

/**
 * Verifies a key-based image signature bundle (see {@link signImageDigest}) for `digest`. Same checks and codes as
 * {@link verifyStatementBundle}, with predicateType `https://sigstore.dev/cosign/sign/v1` unless told otherwise.
 * A bundle carries exactly one signature, so thresholds over several signers are counted across bundles by the
 * caller (the policy), not here.
 *
 * @example
 * ```ts
 * const { signerKeyIds, annotations } = await verifyImageSignature({ bundle, digest: 'sha256:' + hex, keys: [pub] });
 * ```
 */
export function verifyImageSignature(options: VerifyStatementBundleOptions): Promise<ImageVerification> {
  return verifyStatementBundle({
    ...options,
    predicateType: options.predicateType ?? COSIGN_SIGN_PREDICATE_TYPE,
  });
}

/** Options of {@link verifyImageSignatures}. */
export interface VerifyImageSignaturesOptions extends Omit<VerifyStatementBundleOptions, 'bundle'> {
  /** One bundle per signature (a bundle holds exactly one). Untrusted. */
  readonly bundles: readonly unknown[];
  /** How many distinct trusted keys must have signed. Default 1; at most the number of distinct trusted keys. */
  readonly threshold?: number;
}

/** What {@link verifyImageSignatures} returns: the distinct signers, and each bundle that verified. */
export interface ImageSignaturesVerification extends ImageVerification {
  /** The verification of every bundle that passed, in the order given. */
  readonly verified: readonly ImageVerification[];
}

/**
 * Verifies several signature bundles for one image and requires `threshold` distinct trusted keys among their
 * signers. A key that signed twice counts once; a bundle that fails does not count (and is reported), so with a
 * threshold of 1 any one good signature by a trusted key suffices, as with cosign. With one bundle and threshold 1
 * this is exactly {@link verifyImageSignature}: its error, with its own code, is thrown unchanged.
 *
 * @throws UsageError `ERR_USAGE` when there is no bundle, or the threshold is not an integer from 1 to the number
 *   of distinct trusted keys
 * @throws ImageVerificationError `ERR_THRESHOLD_NOT_MET` (some verified, too few distinct signers) or, when none
 *   verified, the first bundle's own code; `checks` lists every bundle's checks and the threshold check
 * @example
 * ```ts
 * const result = await verifyImageSignatures({ bundles: [a, b], digest, keys: [alice, bob], threshold: 2 });
 * result.signerKeyIds; // both key ids
 * ```
 */
export async function verifyImageSignatures(
  options: VerifyImageSignaturesOptions,
): Promise<ImageSignaturesVerification> {
  const { bundles, threshold = 1, ...rest } = options;
  const distinctKeys = new Set(options.keys.map((k) => k.keyId)).size;
  if (bundles.length === 0) throw new UsageError('ERR_USAGE', 'bundles must hold at least one bundle');
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > distinctKeys) {
    throw new UsageError(
      'ERR_USAGE',
      `threshold must be an integer from 1 to the number of distinct trusted keys (${distinctKeys}), found ${threshold}`,
    );
  }
  const outcomes: (ImageVerification | ImageVerificationError)[] = [];
  for (const bundle of bundles) {
    try {
      outcomes.push(await verifyImageSignature({ ...rest, bundle }));
    } catch (e) {
      if (!(e instanceof ImageVerificationError)) throw e;
      outcomes.push(e);
    }
  }
  const only = outcomes[0];
  if (outcomes.length === 1 && threshold === 1 && only instanceof ImageVerificationError) throw only;

  const verified = outcomes.filter((o): o is ImageVerification => !(o instanceof ImageVerificationError));
  const signers = [...new Set(verified.flatMap((v) => v.signerKeyIds))];
  // With several bundles each check names the bundle it belongs to.
  const checks: VerificationCheck[] = outcomes.flatMap((o, i) =>
    o.checks.map((c) =>
      outcomes.length === 1 ? c : Object.freeze({ ...c, message: `bundle[${i}]: ${c.message}` }),
    ),
  );
  const summary = `${signers.length} distinct trusted signer(s) of ${threshold} required`;
  const firstVerified = verified[0];
  if (signers.length >= threshold && firstVerified !== undefined) {
    checks.push(Object.freeze({ id: 'threshold', status: 'pass', message: summary }));
    return Object.freeze({
      ...firstVerified,
      signerKeyIds: Object.freeze(signers),
      checks: Object.freeze(checks),
      verified: Object.freeze(verified),
    });
  }
  const firstFailure = outcomes.find((o): o is ImageVerificationError => o instanceof ImageVerificationError);
  const code: VouchErrorCode =
    signers.length === 0 && firstFailure !== undefined ? firstFailure.code : 'ERR_THRESHOLD_NOT_MET';
  const message = `expected signatures by ${threshold} distinct trusted keys, found ${signers.length}`;
  checks.push(Object.freeze({ id: 'threshold', status: 'fail', code, message }));
  throw new ImageVerificationError(code, `threshold check failed: ${message}`, checks);
}
