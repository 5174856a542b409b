// Sign and verify files ("blobs"): hash the file as a stream, then sign or verify its digest with @vouch/core.
import { basename } from 'node:path';
import {
  type BundleJson,
  buildStatement,
  COSIGN_SIGN_PREDICATE_TYPE,
  type Digest,
  digestStream,
  type IdentityPolicy,
  type PrivateKey,
  type PublicKey,
  type SigstoreVerification,
  serializeBundle,
  signBlob as signBlobDigest,
  signStatementBundle,
  UsageError,
} from '@vouch/core';
import type { BundleSource } from './bundle-source.js';
import { readChunks, writeFileAtomic } from './files.js';
import { requireOneSigner } from './image.js';
import {
  type KeylessDsseBundleJson,
  type KeylessOptions,
  serializeKeylessBundle,
  signStatementKeyless,
} from './keyless.js';
import { verifyBundle } from './sigstore.js';
import type { TrustedRootSource } from './trusted-root.js';

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

interface SignBlobCommon {
  readonly file: string;
  /** Also write the bundle atomically to this path. */
  readonly bundlePath?: string;
}

/** Signing a file with a key. */
export interface SignBlobKeyOptions extends SignBlobCommon {
  readonly key: PrivateKey;
  readonly keyless?: never;
}

/** Signing a file keyless: a Fulcio certificate for an OIDC identity, witnessed by Rekor and/or TSAs. */
export interface SignBlobKeylessOptions extends SignBlobCommon {
  readonly keyless: KeylessOptions;
  readonly key?: never;
}

/** Exactly one of `key` or `keyless`. */
export type SignBlobOptions = SignBlobKeyOptions | SignBlobKeylessOptions;

export interface SignBlobResult {
  readonly digest: Digest;
  readonly bundle: BundleJson;
  readonly keyId: string;
}

/** What keyless file signing returns: the bundle and the Fulcio certificate (PEM) that signed it. */
export interface KeylessSignBlobResult {
  readonly digest: Digest;
  readonly bundle: KeylessDsseBundleJson;
  readonly certificate: string;
}

/**
 * Signs a file: the statement's subject is the file's SHA-256 (named by its base name); with a key, or keyless.
 *
 * @throws UsageError `ERR_USAGE` unless exactly one of `key` and `keyless` is given; keyless: `ERR_IO` when a
 *   Sigstore service fails
 * @example
 * ```ts
 * await signBlob({ file: 'app.tgz', key, bundlePath: 'app.tgz.sigstore.json' });
 * await signBlob({ file: 'app.tgz', keyless: { fulcioUrl, rekorUrls: [rekorUrl], env: process.env } });
 * ```
 */
export async function signBlob(options: SignBlobKeyOptions): Promise<SignBlobResult>;
export async function signBlob(options: SignBlobKeylessOptions): Promise<KeylessSignBlobResult>;
export async function signBlob(options: SignBlobOptions): Promise<SignBlobResult | KeylessSignBlobResult>;
export async function signBlob(options: SignBlobOptions): Promise<SignBlobResult | KeylessSignBlobResult> {
  return signFileStatement(options, undefined);
}

/** The predicate an attestation carries: its type URI and the predicate object. */
export interface BlobPredicate {
  /** The predicate type URI (see `resolvePredicateType` for cosign's short names). */
  readonly type: string;
  /** The predicate: a JSON object. */
  readonly value: object;
}

/** Attesting a file with a key. */
export interface AttestBlobKeyOptions extends SignBlobKeyOptions {
  readonly predicate: BlobPredicate;
}

/** Attesting a file keyless. */
export interface AttestBlobKeylessOptions extends SignBlobKeylessOptions {
  readonly predicate: BlobPredicate;
}

/** Exactly one of `key` or `keyless`. */
export type AttestBlobOptions = AttestBlobKeyOptions | AttestBlobKeylessOptions;

/**
 * Attests a file as cosign attest-blob does: an in-toto Statement v1 whose subject is the file (its base name and
 * SHA-256) with the given predicate, signed into a Sigstore bundle v0.3 with a key, or keyless.
 *
 * @throws UsageError `ERR_USAGE` unless exactly one of `key` and `keyless` is given; ParseError
 *   `ERR_MALFORMED_STATEMENT` when the predicate is not JSON; keyless: `ERR_IO` when a Sigstore service fails
 * @example
 * ```ts
 * await attestBlob({
 *   file: 'app.tgz',
 *   predicate: { type: 'https://slsa.dev/provenance/v1', value: provenance },
 *   key,
 *   bundlePath: 'app.tgz.intoto.sigstore.json',
 * });
 * ```
 */
export async function attestBlob(options: AttestBlobKeyOptions): Promise<SignBlobResult>;
export async function attestBlob(options: AttestBlobKeylessOptions): Promise<KeylessSignBlobResult>;
export async function attestBlob(options: AttestBlobOptions): Promise<SignBlobResult | KeylessSignBlobResult>;
export async function attestBlob(
  options: AttestBlobOptions,
): Promise<SignBlobResult | KeylessSignBlobResult> {
  return signFileStatement(options, options.predicate);
}

/** sign-blob and attest-blob: a statement about the file, cosign's sign predicate unless one is given. */
async function signFileStatement(
  options: SignBlobOptions,
  predicate: BlobPredicate | undefined,
): Promise<SignBlobResult | KeylessSignBlobResult> {
  requireOneSigner(options);
  const digest = await hashFile(options.file);
  const name = basename(options.file);
  if (options.keyless !== undefined) {
    const statement = buildStatement({
      subject: [{ name, digest: { [digest.algorithm]: digest.hex } }],
      predicateType: predicate?.type ?? COSIGN_SIGN_PREDICATE_TYPE,
      predicate: predicate?.value ?? {},
    });
    const { bundle, certificate } = await signStatementKeyless({ statement, keyless: options.keyless });
    if (options.bundlePath !== undefined)
      await writeFileAtomic(options.bundlePath, `${serializeKeylessBundle(bundle)}\n`);
    return { digest, bundle, certificate };
  }
  const bundle =
    predicate === undefined
      ? signBlobDigest({ digest, name, key: options.key })
      : signStatementBundle({
          digest,
          name,
          predicateType: predicate.type,
          predicate: predicate.value,
          key: options.key,
        });
  if (options.bundlePath !== undefined)
    await writeFileAtomic(options.bundlePath, `${serializeBundle(bundle)}\n`);
  return { digest, bundle, keyId: options.key.keyId };
}

/** Verifying a file against trusted keys (any Sigstore bundle made with a key: vouch's, cosign's with or without Rekor). */
export interface VerifyBlobKeyOptions {
  readonly file: string;
  readonly bundle: BundleSource;
  readonly keys: readonly PublicKey[];
  readonly identity?: never;
  /** For log entries in the bundle, if any. Default: the shipped public-good root. */
  readonly trustedRoot?: TrustedRootSource;
  readonly now?: Date;
}

/** Verifying a keyless (Fulcio certificate) signature of a file against an identity policy. */
export interface VerifyBlobKeylessOptions {
  readonly file: string;
  readonly bundle: BundleSource;
  readonly identity: IdentityPolicy;
  readonly keys?: never;
  /** Default: the shipped public-good root. */
  readonly trustedRoot?: TrustedRootSource;
  readonly now?: Date;
}

/** Exactly one of `keys` or `identity`. */
export type VerifyBlobOptions = VerifyBlobKeyOptions | VerifyBlobKeylessOptions;

/** What a verified file signature proved, and the file's digest. */
export interface VerifyBlobResult extends SigstoreVerification {
  readonly digest: Digest;
}

/**
 * Verifies a file against a Sigstore bundle, offline: with trusted keys (log entries, when present, are verified
 * too) or keyless against an identity policy. A DSSE bundle must be an image-or-blob signature statement
 * (`https://sigstore.dev/cosign/sign/v1`) naming the file's SHA-256; a message signature must sign the file.
 *
 * @example
 * ```ts
 * const result = await verifyBlob({ file: 'app.tgz', bundle: 'app.tgz.sigstore.json', keys: [await loadPublicKey('cosign.pub')] });
 * ```
 */
export async function verifyBlob(options: VerifyBlobOptions): Promise<VerifyBlobResult> {
  if (options.keys !== undefined && options.identity !== undefined) {
    throw new UsageError('ERR_USAGE', 'give keys or an identity, not both');
  }
  const [digest, result] = await Promise.all([
    hashFile(options.file),
    verifyBundle({
      bundle: options.bundle,
      artifact: { path: options.file },
      predicateType: COSIGN_SIGN_PREDICATE_TYPE,
      ...(options.keys === undefined ? { identity: options.identity } : { keys: options.keys }),
      ...(options.trustedRoot === undefined ? {} : { trustedRoot: options.trustedRoot }),
      ...(options.now === undefined ? {} : { now: options.now }),
    }),
  ]);
  return { ...result, digest };
}
