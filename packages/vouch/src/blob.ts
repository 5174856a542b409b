// Sign and verify files ("blobs"): hash the file as a stream, then sign or verify its digest with @vouch/core.

import { basename } from 'node:path';
import {
  type BundleJson,
  type Digest,
  digestStream,
  type ImageVerification,
  type PrivateKey,
  type PublicKey,
  serializeBundle,
  signBlob as signBlobDigest,
  verifyBlob as verifyBlobDigest,
} from '@vouch/core';
import { readChunks, writeFileAtomic } from './files.js';
import { type BundleSource, readBundle } from './image.js';

/**
 * SHA-256 of a file, read as a stream in 1 MiB chunks.
 *
 * @example
 * ```ts
 * const digest = await hashFile('dist/app.tgz'); // digest.value === 'sha256:…'
 * ```
 */
export function hashFile(path: string): Promise<Digest> {
  return digestStream(readChunks(path), 'sha256');
}

export interface SignBlobOptions {
  readonly file: string;
  readonly key: PrivateKey;
  /** Also write the bundle atomically to this path. */
  readonly bundlePath?: string;
}

export interface SignBlobResult {
  readonly digest: Digest;
  readonly bundle: BundleJson;
  readonly keyId: string;
}

/**
 * Signs a file: the statement's subject is the file's SHA-256 (named by its base name).
 *
 * @example
 * ```ts
 * await signBlob({ file: 'app.tgz', key, bundlePath: 'app.tgz.sigstore.json' });
 * ```
 */
export async function signBlob(options: SignBlobOptions): Promise<SignBlobResult> {
  const digest = await hashFile(options.file);
  const bundle = signBlobDigest({ digest, name: basename(options.file), key: options.key });
  if (options.bundlePath !== undefined)
    await writeFileAtomic(options.bundlePath, `${serializeBundle(bundle)}\n`);
  return { digest, bundle, keyId: options.key.keyId };
}

export interface VerifyBlobOptions {
  readonly file: string;
  readonly bundle: BundleSource;
  readonly keys: readonly PublicKey[];
}

/**
 * Verifies a file against a bundle and trusted keys; throws a `VerificationError` on any failed check.
 *
 * @example
 * ```ts
 * const result = await verifyBlob({ file: 'app.tgz', bundle: 'app.tgz.sigstore.json', keys: [await loadPublicKey('cosign.pub')] });
 * ```
 */
export async function verifyBlob(options: VerifyBlobOptions): Promise<ImageVerification> {
  const [digest, bundle] = await Promise.all([hashFile(options.file), readBundle(options.bundle)]);
  return verifyBlobDigest({
    bundle,
    digest,
    keys: options.keys,
  });
}
