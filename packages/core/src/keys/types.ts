// The shapes of keys every other module codes against; implementations live beside this file.

/** Key families vouch accepts. Signing: ed25519, ecdsa-p256, ecdsa-p384 (and imported ecdsa-p521). RSA verifies only. */
export type KeyAlgorithm = 'ed25519' | 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'rsa';

/**
 * The signature scheme a key implies (fixed per key, never taken from the signed data):
 * ed25519: pure Ed25519 (RFC 8032, strict); ecdsa-p256/p384/p521: ECDSA with SHA-256/384/512,
 * signatures DER (ASN.1) or IEEE P1363 r||s; rsa: RSASSA-PKCS1-v1_5 with SHA-256.
 */
export type SignatureScheme =
  | 'ed25519'
  | 'ecdsa-p256-sha256'
  | 'ecdsa-p384-sha384'
  | 'ecdsa-p521-sha512'
  | 'rsa-pkcs1-sha256';

/** Which implementation computes a signature check. `node` is the synchronous fast path. */
export type CryptoBackendName = 'node' | 'webcrypto' | 'noble';

export interface VerifyOptions {
  /** Force one backend (tests and benchmarks). Default: node:crypto when present, else WebCrypto. */
  readonly backend?: CryptoBackendName;
}
