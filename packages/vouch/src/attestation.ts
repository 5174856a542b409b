// Verify the attestations about an image (attached: Sigstore bundles, cosign's legacy `.att`) or a file (given bundles).
import {
  cosignLayerBundle,
  type Digest,
  type IdentityPolicy,
  type ImageReference,
  isVouchError,
  type PublicKey,
  parseBundle,
  parseJson,
} from '@vouch/core';
import {
  type AttestationCandidate,
  type SlsaPolicy,
  type VerifiedAttestations,
  verifyAttestations,
} from '@vouch/provenance';
import { hashFile } from './blob.js';
import { type BundleSource, readBundle } from './bundle-source.js';
import {
  fetchAttestations,
  type RegistryOptions,
  resolveImageWith,
  sharedRegistryClient,
} from './registry.js';
import { loadTrustedRoot, type TrustedRootSource } from './trusted-root.js';

/** What every attestation verification takes: the trust (exactly one of `keys` or `identity`) and what to require. */
interface AttestationTrust {
  /** The predicate type required (a URI: see `resolvePredicateType` for cosign's short names). Default: any but cosign's signature. */
  readonly predicateType?: string;
  /** Trusted public keys (cosign `--key`). */
  readonly keys?: readonly PublicKey[];
  /** Who must have signed (keyless). */
  readonly identity?: IdentityPolicy;
  /** SLSA provenance must also pass slsa-verifier's builder and source rules (keyless provenance). */
  readonly slsa?: SlsaPolicy;
  /** For keyless attestations, and for log entries of key-based ones. Default: the shipped public-good root. */
  readonly trustedRoot?: TrustedRootSource;
  /** Default: now. */
  readonly now?: Date;
}

/** Options of {@link verifyImageAttestations}. */
export interface VerifyImageAttestationsOptions extends AttestationTrust {
  /** `registry/repository:tag` or `@sha256:…`; a tag is resolved once and everything after uses the digest. */
  readonly image: string;
  readonly registry: RegistryOptions;
}

/** What {@link verifyImageAttestations} returns: at least one verified attestation, and those refused. */
export interface VerifyImageAttestationsResult extends VerifiedAttestations {
  readonly reference: ImageReference;
  readonly digest: Digest;
}

/** The trust options as the pure verifier takes them. */
function trust(options: AttestationTrust) {
  return {
    ...(options.keys === undefined ? {} : { keys: options.keys }),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    ...(options.predicateType === undefined ? {} : { predicateType: options.predicateType }),
    ...(options.slsa === undefined ? {} : { slsa: options.slsa }),
    now: options.now ?? new Date(),
  };
}

/**
 * Verifies the attestations attached to an image: every Sigstore bundle holding a DSSE envelope and every layer of
 * cosign's `.att` tag (its certificate, Rekor bundle and timestamp read as a v0.1 bundle) is verified against the keys
 * or the identity and trusted root; its statement must be of the required predicate type and name the image's digest.
 *
 * @throws VerificationError `ERR_NO_ATTESTATIONS` when none of the type is attached; else the first refusal's error
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
  const client = await sharedRegistryClient(options.registry);
  const image = await resolveImageWith(client, options.image);
  options.registry.onResolved?.(image);
  const [fetched, trustedRoot] = await Promise.all([
    fetchAttestations({ client, image, registry: options.registry }),
    loadTrustedRoot(options.trustedRoot),
  ]);
  const candidates: AttestationCandidate[] = [];
  for (const attached of fetched.bundles) {
    // A bundle whose content is a message signature is a signature, not an attestation: skipped, not refused.
    if (isMessageSignature(attached.bundle)) continue;
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
  const result = verifyAttestations({
    candidates,
    digest: image.digest,
    what: image.reference.canonical,
    trustedRoot,
    ...trust(options),
  });
  return Object.freeze({ ...result, reference: image.reference, digest: image.digest });
}

function isMessageSignature(bytes: Uint8Array): boolean {
  try {
    return parseBundle(parseJson(bytes, 'bundle', 'ERR_MALFORMED_BUNDLE')).content.type !== 'dsseEnvelope';
  } catch (error) {
    if (!isVouchError(error)) throw error;
    return false;
  }
}

/** Options of {@link verifyFileAttestations}. */
export interface VerifyFileAttestationsOptions extends AttestationTrust {
  /** The artifact: a file (hashed), or its digest. */
  readonly artifact: { readonly path: string } | { readonly digest: Digest };
  /** The attestation bundles about it (`cosign attest-blob --bundle`, `gh attestation download`, …). */
  readonly bundles: readonly BundleSource[];
}

/**
 * Verifies attestation bundles about a file, as {@link verifyImageAttestations} does for an image's attached ones.
 *
 * @example
 * ```ts
 * await verifyFileAttestations({ artifact: { path: 'app.tgz' }, bundles: ['app.tgz.intoto.sigstore'],
 *   predicateType: 'https://slsa.dev/provenance/v1', identity, slsa: { sourceUri: 'github.com/acme/app' } });
 * ```
 */
export async function verifyFileAttestations(
  options: VerifyFileAttestationsOptions,
): Promise<VerifiedAttestations & { readonly digest: Digest }> {
  const [digest, bundles, trustedRoot] = await Promise.all([
    'path' in options.artifact ? hashFile(options.artifact.path) : options.artifact.digest,
    Promise.all(options.bundles.map(readBundle)),
    loadTrustedRoot(options.trustedRoot),
  ]);
  const candidates: AttestationCandidate[] = bundles.map((bundle, i) => ({
    format: 'sigstore-bundle',
    location: typeof options.bundles[i] === 'string' ? String(options.bundles[i]) : `bundle ${i + 1}`,
    bundle: () => bundle,
  }));
  const what = 'path' in options.artifact ? options.artifact.path : digest.value;
  const result = verifyAttestations({ candidates, digest, what, trustedRoot, ...trust(options) });
  return Object.freeze({ ...result, digest });
}
