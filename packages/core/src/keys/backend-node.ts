// The node:crypto backend: synchronous sign and verify with KeyObjects prepared once (the fast path).
import { type KeyObject, sign, verify } from 'node:crypto';
import type { KeyProfile } from './policy.js';

/** How an ECDSA signature handed to node is encoded. */
export type NodeDsaEncoding = 'der' | 'ieee-p1363';

/**
 * Verifies with node:crypto. `signature` is raw Ed25519 (64 bytes), RSA (modulus length) or ECDSA in
 * `encoding`; callers check lengths and DER strictness first so every backend sees the same input.
 * Never throws for bad signature bytes: OpenSSL errors count as "does not verify".
 *
 * @example
 * ```ts
 * nodeVerify({ key, profile, data, signature, encoding: 'der' });
 * ```
 */
export function nodeVerify(options: {
  readonly key: KeyObject;
  readonly profile: KeyProfile;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
  readonly encoding?: NodeDsaEncoding;
}): boolean {
  const { key, profile, data, signature } = options;
  try {
    // DER is node's own ECDSA encoding: the KeyObject goes in as is, since an options object costs a key lookup
    // on every call (measurable next to a P-256 verify).
    if (profile.fieldBytes > 0 && options.encoding === 'ieee-p1363') {
      return verify(profile.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    return verify(profile.hash, data, key, signature);
  } catch {
    return false;
  }
}

/**
 * Signs with node:crypto: Ed25519 raw 64 bytes, ECDSA DER (as cosign and Sigstore write), RSA PKCS#1 v1.5.
 *
 * @example
 * ```ts
 * const sig = nodeSign({ key: privateKeyObject, profile, data });
 * ```
 */
export function nodeSign(options: {
  readonly key: KeyObject;
  readonly profile: KeyProfile;
  readonly data: Uint8Array;
}): Uint8Array {
  const { key, profile, data } = options;
  const out =
    profile.fieldBytes > 0
      ? sign(profile.hash, data, { key, dsaEncoding: 'der' })
      : sign(profile.hash, data, key);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
