// Verify-by-digest agrees with node:crypto's verify over the message, for ECDSA (DER and P1363) and RSA.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePublicKey, verifyDigestSignature } from '../../src/keys/index.js';

const message = Buffer.from('the artifact');

describe('verifyDigestSignature', () => {
  for (const [curve, hash] of [
    ['P-256', 'sha256'],
    ['P-384', 'sha384'],
    ['P-521', 'sha512'],
  ] as const) {
    it(`ECDSA ${curve} with ${hash}: DER and P1363 verify, a changed digest or signature does not`, () => {
      const pair = generateKeyPairSync('ec', { namedCurve: curve });
      const key = parsePublicKey(pair.publicKey.export({ format: 'pem', type: 'spki' }));
      const digest = createHash(hash).update(message).digest();
      const der = sign(hash, message, pair.privateKey);
      const p1363 = sign(hash, message, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' });
      expect(verifyDigestSignature({ key, digest, hash, signature: der })).toBe(true);
      expect(verifyDigestSignature({ key, digest, hash, signature: p1363 })).toBe(true);
      const other = Buffer.from(digest);
      other[0] = (other[0] ?? 0) ^ 1;
      expect(verifyDigestSignature({ key, digest: other, hash, signature: der })).toBe(false);
      const bad = Buffer.from(der);
      bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
      expect(verifyDigestSignature({ key, digest, hash, signature: bad })).toBe(false);
      expect(verifyDigestSignature({ key, digest: digest.subarray(1), hash, signature: der })).toBe(false);
    });
  }

  it('RSA PKCS#1 v1.5: the DigestInfo must name the same hash', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = parsePublicKey(pair.publicKey.export({ format: 'pem', type: 'spki' }));
    const signature = sign('sha256', message, pair.privateKey);
    const digest = createHash('sha256').update(message).digest();
    expect(verifyDigestSignature({ key, digest, hash: 'sha256', signature })).toBe(true);
    const digest512 = createHash('sha512').update(message).digest();
    expect(verifyDigestSignature({ key, digest: digest512, hash: 'sha512', signature })).toBe(false);
    expect(verifyDigestSignature({ key, digest, hash: 'sha256', signature: signature.subarray(1) })).toBe(
      false,
    );
  });

  it('refuses Ed25519, which signs the message itself', () => {
    const pair = generateKeyPairSync('ed25519');
    const key = parsePublicKey(pair.publicKey.export({ format: 'pem', type: 'spki' }));
    expect(() =>
      verifyDigestSignature({ key, digest: Buffer.alloc(32), hash: 'sha256', signature: Buffer.alloc(64) }),
    ).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_ALGORITHM' }));
  });
});
