// The WebCrypto backend (globalThis.crypto.subtle): for runtimes without node:crypto, and as a cross-check.
import type { webcrypto } from 'node:crypto';
import { KeyError } from '../errors.js';
import { ecdsaP1363ToDer } from './ecdsa-signature.js';
import type { KeyProfile } from './policy.js';

type CryptoKey = webcrypto.CryptoKey;
type SubtleCrypto = webcrypto.SubtleCrypto;

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (s === undefined) {
    throw new KeyError('ERR_UNSUPPORTED_ALGORITHM', 'the webcrypto backend needs globalThis.crypto.subtle');
  }
  return s;
}

const HASHES = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const;
const CURVES: Readonly<Record<number, string>> = { 32: 'P-256', 48: 'P-384', 66: 'P-521' };

function importParams(
  profile: KeyProfile,
): webcrypto.AlgorithmIdentifier | webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams {
  if (profile.algorithm === 'ed25519') return { name: 'Ed25519' };
  if (profile.algorithm === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  return { name: 'ECDSA', namedCurve: CURVES[profile.fieldBytes] ?? '' };
}

function signParams(profile: KeyProfile): webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams {
  if (profile.algorithm === 'ed25519') return { name: 'Ed25519' };
  if (profile.algorithm === 'rsa') return { name: 'RSASSA-PKCS1-v1_5' };
  return { name: 'ECDSA', hash: profile.hash === null ? 'SHA-256' : HASHES[profile.hash] };
}

// WebCrypto's BufferSource wants an ArrayBuffer-backed view; copying public bytes is cheap next to the math.
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/**
 * Imports an SPKI public key for verification.
 *
 * @example
 * ```ts
 * const key = await webcryptoImportPublic({ spki, profile });
 * ```
 */
export async function webcryptoImportPublic(options: {
  readonly spki: Uint8Array;
  readonly profile: KeyProfile;
}): Promise<CryptoKey> {
  const s = subtle();
  try {
    return await s.importKey('spki', own(options.spki), importParams(options.profile), false, ['verify']);
  } catch (cause) {
    throw new KeyError('ERR_UNSUPPORTED_KEY', `WebCrypto refused the ${options.profile.algorithm} key`, {
      cause,
    });
  }
}

/**
 * Verifies with WebCrypto. `signature` is raw Ed25519, RSA, or ECDSA **P1363** (WebCrypto's only ECDSA
 * encoding: callers convert DER first). A rejected or malformed signature is `false`.
 *
 * @example
 * ```ts
 * await webcryptoVerify({ key, profile, data, signature: p1363 });
 * ```
 */
export async function webcryptoVerify(options: {
  readonly key: CryptoKey;
  readonly profile: KeyProfile;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}): Promise<boolean> {
  const s = subtle();
  try {
    return await s.verify(
      signParams(options.profile),
      options.key,
      own(options.signature),
      own(options.data),
    );
  } catch {
    return false;
  }
}

/**
 * Signs with WebCrypto from PKCS#8 DER; ECDSA output is converted to DER so every backend signs alike.
 *
 * @example
 * ```ts
 * const sig = await webcryptoSign({ pkcs8, profile, data });
 * ```
 */
export async function webcryptoSign(options: {
  readonly pkcs8: Uint8Array;
  readonly profile: KeyProfile;
  readonly data: Uint8Array;
}): Promise<Uint8Array> {
  const s = subtle();
  const key = await s.importKey('pkcs8', own(options.pkcs8), importParams(options.profile), false, ['sign']);
  const out = new Uint8Array(await s.sign(signParams(options.profile), key, own(options.data)));
  return options.profile.fieldBytes > 0 ? ecdsaP1363ToDer(out) : out;
}
