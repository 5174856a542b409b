// Sign and verify image digests with keys: resolve inputs (files, references), then hand values to @vouch/core.
import {
  type BundleJson,
  type Digest,
  type ImageReference,
  type ImageSignaturesVerification,
  type PrivateKey,
  type PublicKey,
  parseImageReference,
  parseJson,
  requireDigest,
  serializeBundle,
  signImageDigest,
  verifyImageSignatures,
} from '@vouch/core';
import { readDocument, writeFileAtomic } from './files.js';

/** A bundle given to a verify call: its parsed JSON, its bytes, or a file path. */
export type BundleSource =
  | string
  | Uint8Array
  | { readonly path: string }
  | Readonly<Record<string, unknown>>;

/** Reads a bundle source into the untrusted JSON value core will parse. */
export async function readBundle(source: BundleSource): Promise<unknown> {
  if (typeof source === 'string')
    return parseJson(await readDocument(source), 'bundle', 'ERR_MALFORMED_BUNDLE');
  if (source instanceof Uint8Array) return parseJson(source, 'bundle', 'ERR_MALFORMED_BUNDLE');
  if (typeof source.path === 'string' && Object.keys(source).length === 1) {
    return parseJson(await readDocument(source.path), 'bundle', 'ERR_MALFORMED_BUNDLE');
  }
  return source;
}

function isBundleList(value: BundleSource | readonly BundleSource[]): value is readonly BundleSource[] {
  return Array.isArray(value);
}

export interface SignImageOptions {
  /** `registry/repository@sha256:<hex>` (a tag alone is refused: vouch signs digests). */
  readonly image: string;
  readonly key: PrivateKey;
  /** Annotations recorded in the signed statement's subject. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Also write the bundle atomically to this path. */
  readonly bundlePath?: string;
}

export interface SignImageResult {
  readonly reference: ImageReference;
  readonly digest: Digest;
  readonly bundle: BundleJson;
  readonly keyId: string;
}

/**
 * Signs an image digest: an in-toto statement (predicate `https://sigstore.dev/cosign/sign/v1`) in DSSE
 * in a Sigstore bundle v0.3, as cosign v3 writes it.
 *
 * @example
 * ```ts
 * const key = await loadPrivateKey('cosign.key', { password });
 * const { bundle } = await signImage({ image: 'ghcr.io/acme/app@sha256:…', key, bundlePath: 'app.sigstore.json' });
 * ```
 */
export async function signImage(options: SignImageOptions): Promise<SignImageResult> {
  const reference = parseImageReference(options.image);
  const digest = requireDigest(reference);
  const bundle = signImageDigest({
    digest,
    key: options.key,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  if (options.bundlePath !== undefined)
    await writeFileAtomic(options.bundlePath, `${serializeBundle(bundle)}\n`);
  return { reference, digest, bundle, keyId: options.key.keyId };
}

export interface VerifyImageOptions {
  /** `registry/repository@sha256:<hex>`. */
  readonly image: string;
  /** The signature bundle, or several (one signature each) when a threshold of signers is required. */
  readonly bundle: BundleSource | readonly BundleSource[];
  /** Trusted public keys. */
  readonly keys: readonly PublicKey[];
  /** How many distinct trusted keys must have signed, across the bundles. Default 1. */
  readonly threshold?: number;
}

/** What a successful image verification returns. */
export interface VerifyImageResult extends ImageSignaturesVerification {
  readonly reference: ImageReference;
}

/**
 * Verifies an image signature bundle against trusted keys and the image digest. Fails closed: any
 * failed check throws a `VerificationError` (with `checks`) carrying a stable code.
 *
 * @example
 * ```ts
 * const key = await loadPublicKey('cosign.pub');
 * const result = await verifyImage({ image: 'ghcr.io/acme/app@sha256:…', bundle: 'app.sigstore.json', keys: [key] });
 * console.log(result.signerKeyIds);
 * ```
 */
export async function verifyImage(options: VerifyImageOptions): Promise<VerifyImageResult> {
  const reference = parseImageReference(options.image);
  const digest = requireDigest(reference);
  const sources = isBundleList(options.bundle) ? options.bundle : [options.bundle];
  const bundles = await Promise.all(sources.map(readBundle));
  const result = await verifyImageSignatures({
    bundles,
    digest,
    keys: options.keys,
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
  });
  return { ...result, reference };
}
