// Key files: generate key pairs, load public and private keys from files or strings, write them safely.
import {
  generateKeyPair as generateCoreKeyPair,
  isEncryptedPrivateKey,
  type KeyAlgorithm,
  type PrivateKey,
  type PublicKey,
  parsePrivateKey,
  parsePublicKey,
  UsageError,
} from '@vouch/core';
import { readDocument, writeFileAtomic } from './files.js';

/** Where a key comes from: a file path, or the key itself (PEM text, DER bytes, JWK object). */
export type KeySource = string | Uint8Array | { readonly path: string } | Readonly<Record<string, unknown>>;

function isPathSource(source: KeySource): source is { readonly path: string } {
  return typeof source === 'object' && !(source instanceof Uint8Array) && typeof source.path === 'string';
}

async function resolveKeyInput(source: KeySource): Promise<string | Uint8Array | object> {
  if (isPathSource(source)) return readDocument(source.path);
  if (typeof source === 'string' && !source.includes('-----BEGIN') && !source.trimStart().startsWith('{')) {
    // A string that is neither PEM nor JWK text is a path.
    return readDocument(source);
  }
  return source;
}

/**
 * Loads a public key (SPKI or PKCS#1 PEM, DER, or JWK) from a file path or the key itself.
 *
 * @example
 * ```ts
 * const key = await loadPublicKey('cosign.pub');
 * console.log(key.keyId);
 * ```
 */
export async function loadPublicKey(source: KeySource): Promise<PublicKey> {
  return parsePublicKey(await resolveKeyInput(source));
}

export interface LoadPrivateKeyOptions {
  /** Password of an encrypted key (cosign's format or encrypted PKCS#8). Never taken from a flag by the CLI. */
  readonly password?: string | Uint8Array;
}

/**
 * Loads a private key: PKCS#8, encrypted PKCS#8, SEC1, PKCS#1, JWK, or cosign's
 * `ENCRYPTED SIGSTORE PRIVATE KEY` / `ENCRYPTED COSIGN PRIVATE KEY` files.
 *
 * @example
 * ```ts
 * const key = await loadPrivateKey('cosign.key', { password: process.env.COSIGN_PASSWORD ?? '' });
 * ```
 */
export async function loadPrivateKey(
  source: KeySource,
  options: LoadPrivateKeyOptions = {},
): Promise<PrivateKey> {
  const input = await resolveKeyInput(source);
  return parsePrivateKey(input, options.password === undefined ? {} : { password: options.password });
}

/**
 * Whether a private key file is encrypted (so a caller knows to ask for a password).
 *
 * @example
 * ```ts
 * if (await isEncryptedKeyFile('cosign.key')) password = await prompt();
 * ```
 */
export async function isEncryptedKeyFile(path: string): Promise<boolean> {
  const bytes = await readDocument(path);
  return isEncryptedPrivateKey(new TextDecoder().decode(bytes));
}

/** Algorithms vouch generates keys for. */
export type GeneratedKeyAlgorithm = Extract<KeyAlgorithm, 'ed25519' | 'ecdsa-p256' | 'ecdsa-p384'>;

export interface GenerateKeyPairOptions {
  /** Default `ecdsa-p256`, as cosign. */
  readonly algorithm?: GeneratedKeyAlgorithm;
}

/**
 * Generates a key pair in memory.
 *
 * @example
 * ```ts
 * const key = generateKeyPair({ algorithm: 'ed25519' });
 * console.log(key.keyId, key.publicKey.toPem());
 * ```
 */
export function generateKeyPair(options: GenerateKeyPairOptions = {}): PrivateKey {
  return generateCoreKeyPair(options.algorithm === undefined ? {} : { algorithm: options.algorithm });
}

export interface WriteKeyPairOptions {
  /** Path prefix: writes `<prefix>.key` (mode 0600) and `<prefix>.pub`. */
  readonly prefix: string;
  /** `cosign` (default): cosign's encrypted format, readable by cosign. `pkcs8`: PEM PKCS#8, encrypted when a password is given. */
  readonly format?: 'cosign' | 'pkcs8';
  /** Password for the private key. Required for `cosign` (may be empty, as cosign allows). */
  readonly password?: string;
  /** Replace existing files. Default false. */
  readonly overwrite?: boolean;
}

/** Paths written by {@link writeKeyPair}. */
export interface WrittenKeyPair {
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
  readonly keyId: string;
}

/**
 * Writes a key pair to disk: the private key atomically with mode 0600, the public key as SPKI PEM.
 *
 * @example
 * ```ts
 * const key = generateKeyPair();
 * await writeKeyPair(key, { prefix: 'cosign', password: 'correct horse' });
 * ```
 */
export async function writeKeyPair(key: PrivateKey, options: WriteKeyPairOptions): Promise<WrittenKeyPair> {
  const format = options.format ?? 'cosign';
  let pem: string;
  if (format === 'cosign') {
    if (options.password === undefined) {
      throw new UsageError(
        'ERR_PASSWORD_REQUIRED',
        'a password is required for a cosign key file (it may be empty)',
      );
    }
    pem = await key.toCosignPem(options.password);
  } else {
    pem = key.toPkcs8Pem(options.password ? { passphrase: options.password } : {});
  }
  const privateKeyPath = `${options.prefix}.key`;
  const publicKeyPath = `${options.prefix}.pub`;
  const exclusive = !options.overwrite;
  await writeFileAtomic(privateKeyPath, pem, { mode: 0o600, exclusive });
  await writeFileAtomic(publicKeyPath, key.publicKey.toPem(), { mode: 0o644, exclusive });
  return { privateKeyPath, publicKeyPath, keyId: key.keyId };
}
