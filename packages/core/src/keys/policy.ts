// The key policy (sigstore goodkey, as cosign applies it on import): which key types, curves and sizes vouch accepts.
import type { KeyObject } from 'node:crypto';
import { KeyError } from '../errors.js';
import type { KeyAlgorithm, SignatureScheme } from './types.js';

/** What the policy concluded about a key. */
export interface KeyProfile {
  readonly algorithm: KeyAlgorithm;
  readonly scheme: SignatureScheme;
  /** Curve bits or RSA modulus bits. */
  readonly bits: number;
  /** ECDSA field size in bytes (half a P1363 signature); 0 otherwise. */
  readonly fieldBytes: number;
  /** The node:crypto digest name, or `null` for Ed25519 (the hash is part of the scheme). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
}

const CURVES: Readonly<Record<string, KeyProfile>> = {
  prime256v1: {
    algorithm: 'ecdsa-p256',
    scheme: 'ecdsa-p256-sha256',
    bits: 256,
    fieldBytes: 32,
    hash: 'sha256',
  },
  secp384r1: {
    algorithm: 'ecdsa-p384',
    scheme: 'ecdsa-p384-sha384',
    bits: 384,
    fieldBytes: 48,
    hash: 'sha384',
  },
  secp521r1: {
    algorithm: 'ecdsa-p521',
    scheme: 'ecdsa-p521-sha512',
    bits: 521,
    fieldBytes: 66,
    hash: 'sha512',
  },
};

const CURVE_NAMES: Readonly<Record<string, string>> = {
  secp224r1: 'P-224 (secp224r1)',
  secp256k1: 'secp256k1',
  prime192v1: 'P-192 (prime192v1)',
};

const ED25519: KeyProfile = { algorithm: 'ed25519', scheme: 'ed25519', bits: 256, fieldBytes: 0, hash: null };

/** RSA modulus sizes accepted (inclusive), as goodkey. */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 4096;

/**
 * Applies the key policy to a parsed node:crypto key (public or private) and describes it, or throws
 * `ERR_UNSUPPORTED_KEY` naming the type, curve or size that was refused.
 *
 * @example
 * ```ts
 * const { algorithm, bits } = profileKey(createPublicKey(pem));
 * ```
 */
export function profileKey(key: KeyObject): KeyProfile {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return ED25519;
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    const profile = CURVES[curve];
    if (profile === undefined) {
      throw new KeyError(
        'ERR_UNSUPPORTED_KEY',
        `ECDSA curve ${CURVE_NAMES[curve] ?? curve} not supported (P-256, P-384, P-521)`,
      );
    }
    return profile;
  }
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
      throw new KeyError(
        'ERR_UNSUPPORTED_KEY',
        `RSA key size ${bits} not supported (${RSA_MIN_BITS} to ${RSA_MAX_BITS})`,
      );
    }
    return { algorithm: 'rsa', scheme: 'rsa-pkcs1-sha256', bits, fieldBytes: 0, hash: 'sha256' };
  }
  throw new KeyError(
    'ERR_UNSUPPORTED_KEY',
    `key type ${type ?? 'unknown'} not supported (Ed25519, ECDSA P-256/P-384/P-521, RSA 2048 to 4096)`,
  );
}
