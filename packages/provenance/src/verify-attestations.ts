// Attestations about one artifact, verified: each candidate bundle's signer, subject and predicate type, then (asked)
// the SLSA builder and source rules; other predicate types are ignored, refusals listed, at least one must verify.
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  type Digest,
  type IdentityPolicy,
  isVouchError,
  type PublicKey,
  type SigstoreCheck,
  type SigstoreSigner,
  type Statement,
  type TrustedRoot,
  UsageError,
  VerificationError,
  type VerifiedTime,
  type VouchError,
  type VouchErrorCode,
  verifySigstoreBundle,
} from '@vouch/core';
import { verifyGithubActionsProvenance } from './github-actions.js';
import { TRUSTED_ARTIFACT_BUILDERS, TRUSTED_CONTAINER_BUILDERS } from './github-builders.js';
import type { SlsaCheck, SlsaPolicy } from './slsa-types.js';
import { SLSA_PROVENANCE_V1_PREDICATE_TYPE } from './slsa-v1.js';
import { INTOTO_PROVENANCE_V01_PREDICATE_TYPE, SLSA_PROVENANCE_V02_PREDICATE_TYPE } from './slsa-v02.js';

/** One attestation to try: where it came from, and its bundle (built lazily: a malformed one is its own refusal). */
export interface AttestationCandidate {
  readonly format: 'sigstore-bundle' | 'legacy-attestation';
  /** The artifact manifest's digest, the legacy tag, or the file it was read from. */
  readonly location: string;
  readonly bundle: () => unknown;
}

/** One attestation that verified: its envelope's signer and time, and its statement, which names the artifact. */
export interface VerifiedAttestation {
  readonly format: AttestationCandidate['format'];
  readonly location: string;
  readonly predicateType: string;
  readonly statement: Statement;
  readonly signer: SigstoreSigner;
  readonly times: readonly VerifiedTime[];
  readonly checks: readonly SigstoreCheck[];
  /** With a SLSA policy: the builder and source checks, all passed. */
  readonly slsa?: readonly SlsaCheck[];
}

/** An attestation of the required type that was refused, and why. */
export interface RejectedAttestation {
  readonly format: AttestationCandidate['format'];
  readonly location: string;
  readonly code: VouchErrorCode;
  readonly message: string;
}

/** Options of {@link verifyAttestations}: exactly one of `keys` or `identity`. */
export interface VerifyAttestationsOptions {
  readonly candidates: readonly AttestationCandidate[];
  /** The artifact (image manifest, file) every statement must name. */
  readonly digest: Digest;
  /** What the artifact is, for messages. */
  readonly what: string;
  readonly trustedRoot: TrustedRoot;
  readonly now: Date;
  readonly keys?: readonly PublicKey[];
  readonly identity?: IdentityPolicy;
  /** The predicate type required. Default: any but cosign's image signature. */
  readonly predicateType?: string;
  /**
   * SLSA provenance rules (slsa-verifier's flags): each provenance attestation must also pass the GitHub builder and
   * source checks; they need its Fulcio certificate, so key-signed provenance is refused with ERR_SLSA_NOT_SUPPORTED.
   */
  readonly slsa?: SlsaPolicy;
}

/** What {@link verifyAttestations} returns: at least one verified attestation, and those refused. */
export interface VerifiedAttestations {
  readonly attestations: readonly VerifiedAttestation[];
  readonly rejected: readonly RejectedAttestation[];
}

const PROVENANCE_TYPES = new Set([
  SLSA_PROVENANCE_V1_PREDICATE_TYPE,
  SLSA_PROVENANCE_V02_PREDICATE_TYPE,
  INTOTO_PROVENANCE_V01_PREDICATE_TYPE,
]);

/** Any of slsa-github-generator's builders: an attestation may be about an artifact or an image. */
const GITHUB_BUILDERS: ReadonlySet<string> = new Set([
  ...TRUSTED_ARTIFACT_BUILDERS,
  ...TRUSTED_CONTAINER_BUILDERS,
]);

/**
 * Verifies the attestations about one artifact: every candidate is verified against the keys or the identity and
 * trusted root, and its statement must be of the required predicate type and name the artifact's digest; with a SLSA
 * policy, provenance must pass the builder and source rules too. Attestations of other types are ignored; at least one
 * of the required type must verify.
 *
 * @throws VerificationError `ERR_NO_ATTESTATIONS` when none of the type is there; else the first refusal's error
 * @example
 * ```ts
 * const { attestations } = verifyAttestations({ candidates, digest, what: 'ghcr.io/acme/app@sha256:…', trustedRoot,
 *   now: new Date(), identity, predicateType: 'https://slsa.dev/provenance/v1', slsa: { sourceUri: 'github.com/acme/app' } });
 * ```
 */
export function verifyAttestations(options: VerifyAttestationsOptions): VerifiedAttestations {
  const keys = options.keys ?? [];
  if (keys.length > 0 === (options.identity !== undefined))
    throw new UsageError('ERR_USAGE', 'give trusted keys or an identity policy, exactly one of them');
  const attestations: VerifiedAttestation[] = [];
  const rejected: RejectedAttestation[] = [];
  const errors: VouchError[] = [];
  for (const candidate of options.candidates) {
    try {
      const verified = verifyCandidate(candidate, { ...options, keys });
      if (verified !== undefined) attestations.push(verified);
    } catch (error) {
      if (!isVouchError(error)) throw error;
      // Another predicate type is not this attestation being wrong: it is not one of those asked for.
      if (error.code === 'ERR_PREDICATE_TYPE') continue;
      errors.push(error);
      rejected.push(
        Object.freeze({
          format: candidate.format,
          location: candidate.location,
          code: error.code,
          message: error.message,
        }),
      );
    }
  }
  if (attestations.length === 0) {
    const first = errors[0];
    if (first !== undefined) throw first;
    throw new VerificationError(
      'ERR_NO_ATTESTATIONS',
      `no attestation${options.predicateType === undefined ? '' : ` of type ${options.predicateType}`} is attached to ${options.what}`,
    );
  }
  return Object.freeze({ attestations: Object.freeze(attestations), rejected: Object.freeze(rejected) });
}

function verifyCandidate(
  candidate: AttestationCandidate,
  options: VerifyAttestationsOptions & { readonly keys: readonly PublicKey[] },
): VerifiedAttestation | undefined {
  const keyBased = options.keys.length > 0;
  const result = verifySigstoreBundleOrRefuse({
    bundle: candidate.bundle(),
    artifact: { digest: options.digest },
    trustedRoot: options.trustedRoot,
    now: options.now,
    ...(keyBased ? { keys: options.keys, tlogThreshold: 0 } : {}),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    ...(options.predicateType === undefined ? {} : { predicateType: options.predicateType }),
    // As sigstore-go, which cosign and gh verify attestations with: a chain that repeats the trusted root's own
    // certificates (slsa-github-generator's v0.1 bundles carry the Fulcio root) is that chain.
    chainMayIncludeTrustedCertificates: true,
  });
  const statement = result.statement;
  // Not an in-toto statement, or cosign's image signature: verified, but not an attestation.
  if (statement === undefined) return undefined;
  if (options.predicateType === undefined && statement.predicateType === COSIGN_SIGN_PREDICATE_TYPE)
    return undefined;
  const slsa = options.slsa === undefined ? undefined : slsaChecks(statement, result.signer, options.slsa);
  return Object.freeze({
    format: candidate.format,
    location: candidate.location,
    predicateType: statement.predicateType,
    statement,
    signer: result.signer,
    times: result.times,
    checks: result.checks,
    ...(slsa === undefined ? {} : { slsa }),
  });
}

/** The SLSA builder and source rules on a verified provenance statement (other predicate types: none apply). */
function slsaChecks(
  statement: Statement,
  signer: SigstoreSigner,
  policy: SlsaPolicy,
): readonly SlsaCheck[] | undefined {
  if (!PROVENANCE_TYPES.has(statement.predicateType)) return undefined;
  if (signer.type !== 'certificate') {
    throw new VerificationError(
      'ERR_SLSA_NOT_SUPPORTED',
      "the SLSA builder and source checks need the builder's Fulcio certificate: this provenance is signed with a key",
    );
  }
  return verifyGithubActionsProvenance({
    statement,
    certificate: signer.identity,
    policy,
    trustedBuilders: GITHUB_BUILDERS,
  }).checks;
}

/** A keyless attestation met with trusted keys is refused as untrusted, not a usage error of the whole call. */
function verifySigstoreBundleOrRefuse(
  options: Parameters<typeof verifySigstoreBundle>[0],
): ReturnType<typeof verifySigstoreBundle> {
  try {
    return verifySigstoreBundle(options);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new VerificationError(
      'ERR_UNTRUSTED_KEY',
      'the attestation is signed with a Fulcio certificate, but only trusted keys were given (verify it with an identity)',
      { cause: error },
    );
  }
}
