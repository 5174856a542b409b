// Verify Sigstore bundles (cosign, sigstore-js, gh attestation, npm provenance) offline: read inputs, then core decides.
import { stat } from 'node:fs/promises';
import {
  type Digest,
  digestStream,
  type IdentityPolicy,
  type PublicKey,
  parseDigest,
  type SigstoreArtifact,
  type SigstoreVerification,
  VouchError,
  verifySigstoreBundle,
} from '@vouch/core';
import { type BundleSource, readBundle } from './bundle-source.js';
import { readChunks, readDocument } from './files.js';
import { loadTrustedRoot, type TrustedRootSource } from './trusted-root.js';

/** The artifact: a file (read whole: message signatures sign the bytes), its bytes, or only its digest. */
export type ArtifactSource =
  | { readonly path: string }
  | { readonly bytes: Uint8Array }
  | { readonly digest: Digest | string };

export interface VerifyBundleOptions {
  readonly bundle: BundleSource;
  readonly artifact: ArtifactSource;
  /** Who must have signed (keyless bundles). */
  readonly identity?: IdentityPolicy;
  /** Trusted keys (public-key bundles). */
  readonly keys?: readonly PublicKey[];
  /** Default: the shipped public-good root. */
  readonly trustedRoot?: TrustedRootSource;
  /** Default: now. */
  readonly now?: Date;
  /** Transparency-log entries required (default 1 for certificates; 0 for keys, whose entries are checked when present). */
  readonly tlogThreshold?: number;
  /** For DSSE bundles: the in-toto predicate type required. */
  readonly predicateType?: string;
}

/** Artifacts up to this size are read whole (Ed25519 and native verification need the bytes); larger ones are hashed. */
const MAX_ARTIFACT_IN_MEMORY = 64 * 1024 * 1024;

async function resolveArtifact(source: ArtifactSource): Promise<SigstoreArtifact> {
  if ('digest' in source)
    return { digest: typeof source.digest === 'string' ? parseDigest(source.digest) : source.digest };
  if ('bytes' in source) return { bytes: source.bytes };
  const info = await stat(source.path).catch((cause: unknown) => {
    throw new VouchError('ERR_IO', `could not read ${source.path}`, { cause });
  });
  if (info.size > MAX_ARTIFACT_IN_MEMORY)
    return { digest: await digestStream(readChunks(source.path), 'sha256') };
  return { bytes: await readDocument(source.path, MAX_ARTIFACT_IN_MEMORY) };
}

/**
 * Verifies a Sigstore bundle offline against a trusted root (the public-good root unless told otherwise).
 * Throws a `VerificationError` (a `SigstoreVerificationError` with every check) on any failure.
 *
 * @example
 * ```ts
 * const result = await verifyBundle({
 *   bundle: 'app.tgz.sigstore.json', artifact: { path: 'app.tgz' },
 *   identity: { subjectAlternativeName: { regexp: 'https://github.com/acme/.*' }, issuer: { exact: 'https://token.actions.githubusercontent.com' } },
 * });
 * ```
 */
export async function verifyBundle(options: VerifyBundleOptions): Promise<SigstoreVerification> {
  const [bundle, artifact, trustedRoot] = await Promise.all([
    readBundle(options.bundle),
    resolveArtifact(options.artifact),
    loadTrustedRoot(options.trustedRoot),
  ]);
  const keyBased = options.keys !== undefined && options.keys.length > 0;
  return verifySigstoreBundle({
    bundle,
    artifact,
    trustedRoot,
    now: options.now ?? new Date(),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    ...(options.keys === undefined ? {} : { keys: options.keys }),
    tlogThreshold: options.tlogThreshold ?? (keyBased ? 0 : 1),
    ...(options.predicateType === undefined ? {} : { predicateType: options.predicateType }),
  });
}
