// SLSA provenance of GitHub builders, end to end and pure: the signed envelope or bundle, the subjects, then the policy.
import {
  type CertificateIdentity,
  type Digest,
  envelopeCertificate,
  envelopeCertificateBundle,
  extractIdentity,
  GITHUB_ACTIONS_ISSUER,
  isObject,
  isVouchError,
  parseEnvelope,
  parseStatementJson,
  type SigstoreCheck,
  SigstoreVerificationError,
  type Statement,
  statementHasSubjectDigest,
  type TrustedRoot,
  VerificationError,
  verifySigstoreBundle,
} from '@vouch/core';
import { verifyGithubActionsProvenance } from './github-actions.js';
import { TRUSTED_CONTAINER_BUILDERS } from './github-builders.js';
import {
  type SlsaCheck,
  type SlsaCheckId,
  type SlsaPolicy,
  type SlsaVerification,
  SlsaVerificationError,
} from './slsa-types.js';

/** Options of {@link verifyGithubProvenance}. */
export interface VerifyGithubProvenanceOptions {
  /**
   * The provenance as read: a Sigstore bundle (JSON value), or a bare DSSE envelope whose signature carries its
   * certificate (a line of slsa-github-generator's `.intoto.jsonl`). Untrusted.
   */
  readonly provenance: unknown;
  /** Every artifact that must be a subject of the provenance (at least one). */
  readonly artifacts: readonly Digest[];
  readonly trustedRoot: TrustedRoot;
  readonly policy: SlsaPolicy;
  readonly now: Date;
  /** The reusable workflows trusted to sign (default: slsa-verifier's artifact builders). */
  readonly trustedBuilders?: ReadonlySet<string>;
}

/** What the signing part of a bundle's verification becomes in SLSA terms. */
const SIGSTORE_TO_SLSA: Readonly<Record<SigstoreCheck['id'], SlsaCheckId>> = {
  bundle: 'envelope',
  key: 'envelope',
  signature: 'envelope',
  artifact: 'subject',
  timestamps: 'tlog',
  tlog: 'tlog',
  'time-source': 'tlog',
  certificate: 'certificate',
  identity: 'certificate',
};

function slsaChecks(checks: readonly SigstoreCheck[]): SlsaCheck[] {
  return checks.map((c) =>
    Object.freeze({
      id: SIGSTORE_TO_SLSA[c.id],
      status: c.status,
      ...(c.code === undefined ? {} : { code: c.code }),
      message: `${c.id}: ${c.message}`,
    }),
  );
}

/** A bundle has a media type and verification material; anything else is read as a bare DSSE envelope. */
function isBundle(value: unknown): boolean {
  return isObject(value) && typeof value.mediaType === 'string' && isObject(value.verificationMaterial);
}

/** Keyless GitHub provenance is signed by a workflow through GitHub's OIDC issuer; which workflow, the builder rules decide. */
const GITHUB_SIGNER = Object.freeze({ issuer: Object.freeze({ exact: GITHUB_ACTIONS_ISSUER }) });

/**
 * Verifies SLSA provenance made by a GitHub builder (slsa-github-generator's reusable workflows, the BYOB delegator,
 * the container-based builder) as slsa-verifier's `verify-artifact` does: the Sigstore bundle against the trusted root
 * (signature, transparency log, Fulcio certificate from GitHub's issuer), every artifact a subject, then the builder
 * and source rules against `policy`. A bare DSSE envelope carries no transparency-log proof of when its short-lived
 * certificate signed: it is refused with `ERR_NO_TLOG_PROOF`, after every other check has been evaluated and listed.
 *
 * @throws SlsaVerificationError with every check (the first failure's code; `ERR_NO_TLOG_PROOF` for a bare envelope)
 * @example
 * ```ts
 * const result = verifyGithubProvenance({ provenance: JSON.parse(bundleText), artifacts: [digest], trustedRoot,
 *   policy: { sourceUri: 'github.com/acme/app', sourceVersionedTag: 'v1' }, now: new Date() });
 * result.builderId; // 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/…@refs/tags/v2.0.0'
 * ```
 */
export function verifyGithubProvenance(options: VerifyGithubProvenanceOptions): SlsaVerification {
  const [first, ...others] = options.artifacts;
  if (first === undefined)
    throw new VerificationError('ERR_DIGEST_MISMATCH', 'expected at least one artifact to verify');
  const bare = !isBundle(options.provenance);
  let checks: SlsaCheck[] = [];
  let statement: Statement | undefined;
  let certificate: CertificateIdentity | undefined;
  let failure: VerificationError | undefined;
  try {
    const bundle = bare ? envelopeCertificateBundle(options.provenance) : options.provenance;
    const verified = verifySigstoreBundle({
      bundle,
      artifact: { digest: first },
      trustedRoot: options.trustedRoot,
      identity: GITHUB_SIGNER,
      now: options.now,
      tlogThreshold: bare ? 0 : 1,
      // slsa-verifier verifies bundles with sigstore-go, which skips chain certificates the trusted root holds itself
      // (slsa-github-generator's v0.1 bundles carry the Fulcio root).
      chainMayIncludeTrustedCertificates: true,
    });
    checks = slsaChecks(verified.checks);
    statement = verified.statement;
    if (verified.signer.type === 'certificate') certificate = verified.signer.identity;
  } catch (error) {
    if (!isVouchError(error)) throw error;
    if (error instanceof SigstoreVerificationError) {
      checks = slsaChecks(error.checks);
      // A bare envelope fails only for want of a time source once its signature and subject held: its statement and
      // certificate are then read, unproven, to report the policy checks as well.
      if (bare && error.code === 'ERR_TIME_SOURCE_MISSING')
        ({ statement, certificate } = unproven(options.provenance));
    }
    failure =
      error instanceof VerificationError
        ? error
        : new VerificationError(error.code, error.message, { cause: error });
  }
  if (statement === undefined || certificate === undefined) {
    throw refusal(bare, failure, checks);
  }
  for (const digest of others) {
    const named = statementHasSubjectDigest(statement, digest);
    checks.push(
      Object.freeze({
        id: 'subject',
        status: named ? 'pass' : 'fail',
        ...(named ? {} : { code: 'ERR_DIGEST_MISMATCH' as const }),
        message: named
          ? `${digest.value} is a subject of the provenance`
          : `expected ${digest.value} among the provenance's subjects, found it missing`,
      }),
    );
    if (!named)
      failure ??= new VerificationError(
        'ERR_DIGEST_MISMATCH',
        `${digest.value} is not a subject of the provenance`,
      );
  }
  let result: SlsaVerification | undefined;
  let policyFailure: SlsaVerificationError | undefined;
  try {
    const verified = verifyGithubActionsProvenance({
      statement,
      certificate,
      policy: options.policy,
      ...(options.trustedBuilders === undefined ? {} : { trustedBuilders: options.trustedBuilders }),
    });
    checks.push(...verified.checks);
    result = verified;
  } catch (error) {
    if (!(error instanceof SlsaVerificationError)) throw error;
    checks.push(...error.checks);
    policyFailure = error;
  }
  const firstFailure = failure ?? policyFailure;
  if (bare || firstFailure !== undefined || result === undefined) throw refusal(bare, firstFailure, checks);
  return Object.freeze({ ...result, checks: Object.freeze(checks) });
}

/** The statement and certificate of a bare envelope whose signature verified, for reporting only (nothing proves when it signed). */
function unproven(envelope: unknown): { statement?: Statement; certificate?: CertificateIdentity } {
  try {
    const statement = parseStatementJson(parseEnvelope(envelope, 'envelope').payload);
    return { statement, certificate: extractIdentity(envelopeCertificate(envelope)) };
  } catch (error) {
    if (isVouchError(error)) return {};
    throw error;
  }
}

function refusal(
  bare: boolean,
  failure: VerificationError | undefined,
  checks: readonly SlsaCheck[],
): SlsaVerificationError {
  if (bare) {
    return new SlsaVerificationError(
      'ERR_NO_TLOG_PROOF',
      'the provenance is a bare DSSE envelope with no transparency-log entry: offline, nothing proves its short-lived certificate was valid when it signed (attach a Sigstore bundle instead)',
      checks,
      failure,
    );
  }
  const code = failure?.code ?? 'ERR_INTERNAL';
  return new SlsaVerificationError(code, failure?.message ?? 'verification failed', checks, failure);
}

/** Options of {@link verifyGithubImageProvenance}. */
export interface VerifyGithubImageProvenanceOptions {
  /** Each attestation attached to the image, as a Sigstore bundle (JSON value). Untrusted. */
  readonly attestations: readonly unknown[];
  readonly image: Digest;
  readonly trustedRoot: TrustedRoot;
  readonly policy: SlsaPolicy;
  readonly now: Date;
}

/**
 * Verifies an image's SLSA provenance as slsa-verifier's `verify-image` does: each attestation attached to it is tried
 * against the container builders (slsa-github-generator's container generator); the first that verifies wins, else the
 * first refusal is thrown (with the later ones in its message); no attestation at all is `ERR_SIGNATURE_INVALID`.
 *
 * @throws SlsaVerificationError as {@link verifyGithubProvenance}; VerificationError `ERR_SIGNATURE_INVALID`
 * @example
 * ```ts
 * const result = verifyGithubImageProvenance({ attestations: bundles, image: digest, trustedRoot, policy, now: new Date() });
 * ```
 */
export function verifyGithubImageProvenance(options: VerifyGithubImageProvenanceOptions): SlsaVerification {
  const errors: VerificationError[] = [];
  for (const provenance of options.attestations) {
    try {
      return verifyGithubProvenance({
        provenance,
        artifacts: [options.image],
        trustedRoot: options.trustedRoot,
        policy: options.policy,
        now: options.now,
        trustedBuilders: TRUSTED_CONTAINER_BUILDERS,
      });
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error;
      errors.push(error);
    }
  }
  const [first, ...rest] = errors;
  if (first === undefined) {
    throw new VerificationError(
      'ERR_SIGNATURE_INVALID',
      `no signed attestation is attached to ${options.image.value}`,
    );
  }
  if (rest.length === 0) throw first;
  const others = rest.map((e) => `${e.message} [${e.code}]`).join('; ');
  const checks = first instanceof SlsaVerificationError ? first.checks : [];
  throw new SlsaVerificationError(
    first.code,
    `${first.message} (and ${rest.length} other attestation(s): ${others})`,
    checks,
    first,
  );
}
