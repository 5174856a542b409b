// Verify the attestations attached to an image (Sigstore bundles and cosign's legacy `.att` layers), key or keyless.
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  cosignLayerBundle,
  type Digest,
  type IdentityPolicy,
  type ImageReference,
  isVouchError,
  type PublicKey,
  parseBundle,
  parseJson,
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
import {
  fetchAttestations,
  type RegistryOptions,
  resolveImageWith,
  sharedRegistryClient,
} from './registry.js';
import { loadTrustedRoot, type TrustedRootSource } from './trusted-root.js';

/** Options of {@link verifyImageAttestations}: exactly one of `keys` or `identity`. */
export interface VerifyImageAttestationsOptions {
  /** `registry/repository:tag` or `@sha256:…`; a tag is resolved once and everything after uses the digest. */
  readonly image: string;
  readonly registry: RegistryOptions;
  /** The predicate type required (a URI: see `resolvePredicateType` for cosign's short names). Default: any but cosign's signature. */
  readonly predicateType?: string;
  /** Trusted public keys (cosign `--key`). */
  readonly keys?: readonly PublicKey[];
  /** Who must have signed (keyless). */
  readonly identity?: IdentityPolicy;
  /** For keyless attestations, and for log entries of key-based ones. Default: the shipped public-good root. */
  readonly trustedRoot?: TrustedRootSource;
  /** Default: now. */
  readonly now?: Date;
}

/** One attestation that verified: its envelope's signer and time, and its statement, which names the image's digest. */
export interface VerifiedAttestation {
  readonly format: 'sigstore-bundle' | 'legacy-attestation';
  /** The artifact manifest's digest, or the legacy tag. */
  readonly location: string;
  readonly predicateType: string;
  readonly statement: Statement;
  readonly signer: SigstoreSigner;
  readonly times: readonly VerifiedTime[];
  readonly checks: readonly SigstoreCheck[];
}

/** An attestation of the required type that was refused, and why. */
export interface RejectedAttestation {
  readonly format: VerifiedAttestation['format'];
  readonly location: string;
  readonly code: VouchErrorCode;
  readonly message: string;
}

/** What {@link verifyImageAttestations} returns: at least one verified attestation, and those refused. */
export interface VerifyImageAttestationsResult {
  readonly reference: ImageReference;
  readonly digest: Digest;
  readonly attestations: readonly VerifiedAttestation[];
  readonly rejected: readonly RejectedAttestation[];
}

interface Candidate {
  readonly format: VerifiedAttestation['format'];
  readonly location: string;
  /** Builds the untrusted bundle value (a legacy layer's annotations are read only here, so a bad one is its failure). */
  readonly bundle: () => unknown;
}

/**
 * Verifies the attestations attached to an image: every Sigstore bundle holding a DSSE envelope and every layer of
 * cosign's `.att` tag (its certificate, Rekor bundle and timestamp read as a v0.1 bundle) is verified against the keys
 * or the identity and trusted root; its statement must be of the required predicate type and name the image's digest.
 * Attestations of other types are ignored; at least one of the required type must verify.
 *
 * @throws VerificationError `ERR_NO_ATTESTATIONS` when none of the type is attached; else the first refusal's error
 * (a SigstoreVerificationError with every check); UsageError `ERR_USAGE`; RegistryError as the registry client
 * @example
 * ```ts
 * const { attestations } = await verifyImageAttestations({
 *   image: 'ghcr.io/acme/app:v1', registry: {}, predicateType: 'https://slsa.dev/provenance/v1',
 *   identity: identityPolicyFromFlags({ repo: 'acme/app' }),
 * });
 * ```
 */
export async function verifyImageAttestations(
  options: VerifyImageAttestationsOptions,
): Promise<VerifyImageAttestationsResult> {
  const keys = options.keys ?? [];
  if (keys.length > 0 === (options.identity !== undefined))
    throw new UsageError('ERR_USAGE', 'give trusted keys or an identity policy, exactly one of them');
  const client = await sharedRegistryClient(options.registry);
  const image = await resolveImageWith(client, options.image);
  options.registry.onResolved?.(image);
  const [fetched, trustedRoot] = await Promise.all([
    fetchAttestations({ client, image, registry: options.registry }),
    loadTrustedRoot(options.trustedRoot),
  ]);
  const candidates: Candidate[] = [];
  for (const attached of fetched.bundles) {
    // A bundle whose content is a message signature is a signature, not an attestation: skipped, not refused.
    let parsed: ReturnType<typeof parseBundle> | undefined;
    try {
      parsed = parseBundle(parseJson(attached.bundle, 'bundle', 'ERR_MALFORMED_BUNDLE'));
    } catch (error) {
      if (!isVouchError(error)) throw error;
    }
    if (parsed !== undefined && parsed.content.type !== 'dsseEnvelope') continue;
    const bytes = attached.bundle;
    candidates.push({
      format: 'sigstore-bundle',
      location: attached.manifestDigest.value,
      bundle: () => parseJson(bytes, 'bundle', 'ERR_MALFORMED_BUNDLE'),
    });
  }
  for (const layer of fetched.legacyAttestations) {
    candidates.push({
      format: 'legacy-attestation',
      location: fetched.legacyTag,
      bundle: () =>
        cosignLayerBundle({ ...layer, content: { type: 'dsseEnvelope', envelope: layer.envelope } }),
    });
  }
  const now = options.now ?? new Date();
  const attestations: VerifiedAttestation[] = [];
  const rejected: RejectedAttestation[] = [];
  const errors: VouchError[] = [];
  for (const candidate of candidates) {
    try {
      const verified = verifyCandidate(candidate, {
        digest: image.digest,
        trustedRoot,
        now,
        keys,
        ...(options.identity === undefined ? {} : { identity: options.identity }),
        ...(options.predicateType === undefined ? {} : { predicateType: options.predicateType }),
      });
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
      `no attestation${options.predicateType === undefined ? '' : ` of type ${options.predicateType}`} is attached to ${image.reference.canonical}`,
    );
  }
  return Object.freeze({
    reference: image.reference,
    digest: image.digest,
    attestations: Object.freeze(attestations),
    rejected: Object.freeze(rejected),
  });
}

function verifyCandidate(
  candidate: Candidate,
  options: {
    readonly digest: Digest;
    readonly trustedRoot: TrustedRoot;
    readonly now: Date;
    readonly keys: readonly PublicKey[];
    readonly identity?: IdentityPolicy;
    readonly predicateType?: string;
  },
): VerifiedAttestation | undefined {
  const keyBased = options.keys.length > 0;
  const bundle = candidate.bundle();
  const result = verifySigstoreBundleOrRefuse({
    bundle,
    artifact: { digest: options.digest },
    trustedRoot: options.trustedRoot,
    now: options.now,
    ...(keyBased ? { keys: options.keys, tlogThreshold: 0 } : {}),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    ...(options.predicateType === undefined ? {} : { predicateType: options.predicateType }),
  });
  const statement = result.statement;
  // Not an in-toto statement, or cosign's image signature: verified, but not an attestation.
  if (statement === undefined) return undefined;
  if (options.predicateType === undefined && statement.predicateType === COSIGN_SIGN_PREDICATE_TYPE)
    return undefined;
  return Object.freeze({
    format: candidate.format,
    location: candidate.location,
    predicateType: statement.predicateType,
    statement,
    signer: result.signer,
    times: result.times,
    checks: result.checks,
  });
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
