// Sign and verify image digests with keys: resolve inputs (files, references), then hand values to @vouch/core.
import {
  type BundleJson,
  buildStatement,
  COSIGN_SIGN_PREDICATE_TYPE,
  type Digest,
  type ImageReference,
  type ImageSignaturesVerification,
  ParseError,
  type PrivateKey,
  type PublicKey,
  parseImageReference,
  parseJson,
  requireDigest,
  serializeBundle,
  signImageDigest,
  UsageError,
  verifyImageSignatures,
} from '@vouch/core';
import { readDocument, writeFileAtomic } from './files.js';
import {
  type KeylessBundleJson,
  type KeylessOptions,
  serializeKeylessBundle,
  signStatementKeyless,
} from './keyless.js';

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

interface SignImageCommon {
  /** `registry/repository@sha256:<hex>` (a tag alone is refused: vouch signs digests). */
  readonly image: string;
  /** Annotations recorded in the signed statement's subject. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Also write the bundle atomically to this path. */
  readonly bundlePath?: string;
}

/** Signing with a key. */
export interface SignImageKeyOptions extends SignImageCommon {
  readonly key: PrivateKey;
  readonly keyless?: never;
}

/** Signing keyless: a Fulcio certificate for an OIDC identity, witnessed by Rekor and/or TSAs. */
export interface SignImageKeylessOptions extends SignImageCommon {
  readonly keyless: KeylessOptions;
  readonly key?: never;
}

/** Exactly one of `key` or `keyless`. */
export type SignImageOptions = SignImageKeyOptions | SignImageKeylessOptions;

export interface SignImageResult {
  readonly reference: ImageReference;
  readonly digest: Digest;
  readonly bundle: BundleJson;
  readonly keyId: string;
}

/** What keyless image signing returns: the bundle and the Fulcio certificate (PEM) that signed it. */
export interface KeylessSignImageResult {
  readonly reference: ImageReference;
  readonly digest: Digest;
  readonly bundle: KeylessBundleJson;
  readonly certificate: string;
}

/** Refuses options that give both or neither of `key` and `keyless` (JavaScript callers bypass the union). */
export function requireOneSigner(options: { readonly key?: unknown; readonly keyless?: unknown }): void {
  const hasKey = options.key !== undefined;
  const hasKeyless = options.keyless !== undefined;
  if (hasKey === hasKeyless) {
    throw new UsageError(
      'ERR_USAGE',
      hasKey ? 'give either key or keyless, not both' : 'give a key to sign with, or keyless options',
    );
  }
}

/**
 * Signs an image digest: an in-toto statement (predicate `https://sigstore.dev/cosign/sign/v1`) in DSSE
 * in a Sigstore bundle v0.3, as cosign v3 writes it; with a key, or keyless (Fulcio + Rekor / TSA).
 *
 * @throws UsageError `ERR_USAGE` unless exactly one of `key` and `keyless` is given; keyless: `ERR_IO` when a
 *   Sigstore service fails
 * @example
 * ```ts
 * const key = await loadPrivateKey('cosign.key', { password });
 * const { bundle } = await signImage({ image: 'ghcr.io/acme/app@sha256:…', key, bundlePath: 'app.sigstore.json' });
 * const keyless = await signImage({
 *   image: 'ghcr.io/acme/app@sha256:…',
 *   keyless: { fulcioUrl: 'https://fulcio.sigstore.dev', rekorUrls: ['https://rekor.sigstore.dev'], env: process.env },
 * });
 * ```
 */
export async function signImage(options: SignImageKeyOptions): Promise<SignImageResult>;
export async function signImage(options: SignImageKeylessOptions): Promise<KeylessSignImageResult>;
export async function signImage(options: SignImageOptions): Promise<SignImageResult | KeylessSignImageResult>;
export async function signImage(
  options: SignImageOptions,
): Promise<SignImageResult | KeylessSignImageResult> {
  requireOneSigner(options);
  const reference = parseImageReference(options.image);
  const digest = requireDigest(reference);
  if (options.keyless !== undefined) {
    if (digest.algorithm !== 'sha256') {
      throw new ParseError('ERR_MALFORMED_DIGEST', [
        {
          path: 'digest',
          message: `must be a sha256 digest (an image signature's subject is sha256), found ${digest.algorithm}`,
        },
      ]);
    }
    const statement = buildStatement({
      subject: [
        {
          digest: { sha256: digest.hex },
          ...(options.annotations ? { annotations: options.annotations } : {}),
        },
      ],
      predicateType: COSIGN_SIGN_PREDICATE_TYPE,
      predicate: {},
    });
    const { bundle, certificate } = await signStatementKeyless({ statement, keyless: options.keyless });
    if (options.bundlePath !== undefined)
      await writeFileAtomic(options.bundlePath, `${serializeKeylessBundle(bundle)}\n`);
    return { reference, digest, bundle, certificate };
  }
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
