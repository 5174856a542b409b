// Sign and verify image digests with keys: resolve inputs (files, references), then hand values to @vouch/core.
import {
  type BundleJson,
  buildStatement,
  COSIGN_SIGN_PREDICATE_TYPE,
  type Digest,
  type IdentityPolicy,
  type ImageReference,
  type ImageSignaturesVerification,
  ParseError,
  type PrivateKey,
  type PublicKey,
  parseImageReference,
  requireDigest,
  type SigstoreVerification,
  serializeBundle,
  signImageDigest,
  UsageError,
  verifyImageSignatures,
} from '@vouch/core';
import { type BundleSource, readBundle } from './bundle-source.js';
import { writeFileAtomic } from './files.js';
import {
  type KeylessDsseBundleJson,
  type KeylessOptions,
  serializeKeylessBundle,
  signStatementKeyless,
} from './keyless.js';
import { verifyBundle } from './sigstore.js';
import type { TrustedRootSource } from './trusted-root.js';

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
  readonly bundle: KeylessDsseBundleJson;
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

/** Verifying an image's signatures against trusted keys. */
export interface VerifyImageKeyOptions {
  /** `registry/repository@sha256:<hex>`. */
  readonly image: string;
  /** The signature bundle, or several (one signature each) when a threshold of signers is required. */
  readonly bundle: BundleSource | readonly BundleSource[];
  /** Trusted public keys. */
  readonly keys: readonly PublicKey[];
  /** How many distinct trusted keys must have signed, across the bundles. Default 1. */
  readonly threshold?: number;
  readonly identity?: never;
}

/** Verifying a keyless (Fulcio certificate) image signature against an identity policy and a trusted root. */
export interface VerifyImageKeylessOptions {
  readonly image: string;
  readonly bundle: BundleSource;
  /** Who must have signed: SAN, issuer and Fulcio extensions (see `identityPolicyFromFlags`). */
  readonly identity: IdentityPolicy;
  /** Default: the shipped public-good root. */
  readonly trustedRoot?: TrustedRootSource;
  /** Default: now. */
  readonly now?: Date;
  readonly keys?: never;
}

/** Exactly one of `keys` or `identity`. */
export type VerifyImageOptions = VerifyImageKeyOptions | VerifyImageKeylessOptions;

/** What a successful image verification with keys returns. */
export interface VerifyImageResult extends ImageSignaturesVerification {
  readonly reference: ImageReference;
}

/** What a successful keyless image verification returns: who signed, when, and every check. */
export interface VerifyImageKeylessResult extends SigstoreVerification {
  readonly reference: ImageReference;
  readonly digest: Digest;
}

/**
 * Verifies an image signature against the image digest: with trusted keys (one bundle, or several and a threshold
 * of distinct signers), or keyless against an identity policy and a trusted root (offline). Fails closed: any
 * failed check throws a `VerificationError` (with `checks`) carrying a stable code.
 *
 * @example
 * ```ts
 * const key = await loadPublicKey('cosign.pub');
 * const result = await verifyImage({ image: 'ghcr.io/acme/app@sha256:…', bundle: 'app.sigstore.json', keys: [key] });
 * await verifyImage({ image, bundle: 'app.sigstore.json', identity: identityPolicyFromFlags({ repo: 'acme/app' }) });
 * ```
 */
export function verifyImage(options: VerifyImageKeyOptions): Promise<VerifyImageResult>;
export function verifyImage(options: VerifyImageKeylessOptions): Promise<VerifyImageKeylessResult>;
export function verifyImage(
  options: VerifyImageOptions,
): Promise<VerifyImageResult | VerifyImageKeylessResult>;
export async function verifyImage(
  options: VerifyImageOptions,
): Promise<VerifyImageResult | VerifyImageKeylessResult> {
  const reference = parseImageReference(options.image);
  const digest = requireDigest(reference);
  if (options.identity !== undefined) {
    if (options.keys !== undefined) throw new UsageError('ERR_USAGE', 'give keys or an identity, not both');
    const result = await verifyBundle({
      bundle: options.bundle,
      artifact: { digest },
      identity: options.identity,
      predicateType: COSIGN_SIGN_PREDICATE_TYPE,
      ...(options.trustedRoot === undefined ? {} : { trustedRoot: options.trustedRoot }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    return { ...result, reference, digest };
  }
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
