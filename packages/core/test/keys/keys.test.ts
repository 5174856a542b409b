// Keys end to end: generate, sign and verify on every backend; PEM/JWK round trips; passwords; encodings; policy.
import { createPublicKey } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadVectorSet } from '../../../../test/support/vectors.js';
import { encodeBase64, utf8 } from '../../src/encoding.js';
import { isVouchError, type VouchErrorCode } from '../../src/errors.js';
import {
  type CryptoBackendName,
  computeKeyId,
  ecdsaDerToP1363,
  encodePem,
  generateKeyPair,
  isEncryptedPrivateKey,
  type PrivateKey,
  type PublicKey,
  parsePrivateKey,
  parsePublicKey,
  verifySignature,
} from '../../src/keys/index.js';

const cosign = loadVectorSet('cosign-keys');
const data = utf8('vouch: sign me');
const ALL: readonly CryptoBackendName[] = ['node', 'webcrypto', 'noble'];

async function codeOf(fn: () => unknown): Promise<VouchErrorCode | 'no error' | 'foreign error'> {
  try {
    await fn();
    return 'no error';
  } catch (e) {
    return isVouchError(e) ? e.code : 'foreign error';
  }
}

function backendsFor(key: PrivateKey | PublicKey): CryptoBackendName[] {
  return ALL.filter((b) => b !== 'noble' || key.algorithm === 'ed25519');
}

describe.each(['ed25519', 'ecdsa-p256', 'ecdsa-p384'] as const)('generated %s key', (algorithm) => {
  const key = generateKeyPair({ algorithm });

  it('has the expected profile', () => {
    expect(key.algorithm).toBe(algorithm);
    expect(key.keyId).toBe(key.publicKey.keyId);
    expect(key.keyId).toBe(computeKeyId(key.publicKey.spki));
    expect(key.publicKey.bits).toBe(algorithm === 'ecdsa-p384' ? 384 : 256);
  });

  it('signs on every backend and every backend verifies every signature', async () => {
    for (const signer of backendsFor(key)) {
      const sig = await key.signAsync(data, { backend: signer });
      if (algorithm === 'ed25519') expect(sig.length).toBe(64);
      else expect(sig[0]).toBe(0x30); // DER, as cosign writes
      for (const verifier of backendsFor(key)) {
        expect(await key.publicKey.verify(data, sig, { backend: verifier }), `${signer} -> ${verifier}`).toBe(
          true,
        );
        expect(await key.publicKey.verify(utf8('other'), sig, { backend: verifier })).toBe(false);
      }
      expect(key.publicKey.verifySync(data, sig)).toBe(true);
    }
  });

  it('rejects a tampered signature on every backend', async () => {
    const sig = key.sign(data);
    for (let i = 0; i < sig.length; i += 7) {
      const bad = sig.slice();
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      for (const backend of backendsFor(key)) {
        expect(await key.publicKey.verify(data, bad, { backend }), `byte ${i} ${backend}`).toBe(false);
      }
      expect(key.publicKey.verifySync(data, bad)).toBe(false);
    }
    expect(key.publicKey.verifySync(data, new Uint8Array(0))).toBe(false);
    expect(key.publicKey.verifySync(data, sig.subarray(1))).toBe(false);
  });

  it('round-trips through PEM, DER and JWK with a stable key id', async () => {
    const pub = key.publicKey;
    expect(parsePublicKey(pub.toPem()).keyId).toBe(pub.keyId);
    expect(parsePublicKey(pub.spki).keyId).toBe(pub.keyId);
    expect(parsePublicKey(utf8(pub.toPem())).keyId).toBe(pub.keyId);
    const jwk = await pub.toJwk();
    expect(parsePublicKey(jwk).keyId).toBe(pub.keyId);
    expect(parsePublicKey(JSON.stringify(jwk)).keyId).toBe(pub.keyId);
    expect((await parsePrivateKey(key.toPkcs8Pem())).keyId).toBe(key.keyId);
  });

  it('round-trips encrypted PKCS#8; wrong or missing password is refused', async () => {
    const pem = key.toPkcs8Pem({ passphrase: 'correct horse' });
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(isEncryptedPrivateKey(pem)).toBe(true);
    expect(isEncryptedPrivateKey(key.toPkcs8Pem())).toBe(false);
    expect((await parsePrivateKey(pem, { password: 'correct horse' })).keyId).toBe(key.keyId);
    expect(await codeOf(() => parsePrivateKey(pem, { password: 'wrong' }))).toBe('ERR_KEY_DECRYPT');
    expect(await codeOf(() => parsePrivateKey(pem))).toBe('ERR_PASSWORD_REQUIRED');
  });

  it('never prints private material', () => {
    const shown = [String(key), JSON.stringify(key), inspect(key), inspect({ key }, { depth: 5 })].join('\n');
    expect(shown).toContain(key.keyId);
    expect(shown).not.toMatch(/PRIVATE|"d"|BEGIN/);
    expect(JSON.parse(JSON.stringify(key))).toEqual({ algorithm, keyId: key.keyId });
  });
});

describe('cosign format', () => {
  it('round-trips a generated key; wrong or missing password is refused', async () => {
    const key = generateKeyPair({ algorithm: 'ed25519' });
    const pem = await key.toCosignPem('s3cret');
    expect(isEncryptedPrivateKey(pem)).toBe(true);
    const body = JSON.parse(Buffer.from(pem.split('\n').slice(1, -2).join(''), 'base64').toString('utf8'));
    expect(body.kdf.params).toEqual({ N: 65536, r: 8, p: 1 });
    expect(body.cipher.name).toBe('nacl/secretbox');
    expect((await parsePrivateKey(pem, { password: 's3cret' })).keyId).toBe(key.keyId);
    expect(await codeOf(() => parsePrivateKey(pem, { password: 'wrong' }))).toBe('ERR_KEY_DECRYPT');
    expect(await codeOf(() => parsePrivateKey(pem))).toBe('ERR_PASSWORD_REQUIRED');
  });

  it('refuses KDF parameters out of bounds before running scrypt', async () => {
    const doc = (params: unknown): string =>
      encodePem(
        'ENCRYPTED SIGSTORE PRIVATE KEY',
        utf8(
          JSON.stringify({
            kdf: { name: 'scrypt', params, salt: encodeBase64(new Uint8Array(32)) },
            cipher: { name: 'nacl/secretbox', nonce: encodeBase64(new Uint8Array(24)) },
            ciphertext: encodeBase64(new Uint8Array(48)),
          }),
        ),
      );
    for (const params of [
      { N: 2 ** 21, r: 8, p: 1 },
      { N: 3000, r: 8, p: 1 },
      { N: 2 ** 20, r: 32, p: 1 },
      { N: 1024, r: 33, p: 1 },
      { N: 1024, r: 8, p: 17 },
      { N: '1024', r: 8, p: 1 },
      {},
    ]) {
      expect(
        await codeOf(() => parsePrivateKey(doc(params), { password: 'x' })),
        JSON.stringify(params),
      ).toBe('ERR_MALFORMED_KEY');
    }
    // In bounds, but the tag of zero ciphertext cannot verify: a decrypt failure, not a parse failure.
    expect(await codeOf(() => parsePrivateKey(doc({ N: 1024, r: 8, p: 1 }), { password: 'x' }))).toBe(
      'ERR_KEY_DECRYPT',
    );
  });
});

describe('ECDSA signature encodings', () => {
  const key = generateKeyPair({ algorithm: 'ecdsa-p256' });
  const der = key.sign(data);
  const p1363 = ecdsaDerToP1363(der, 32);

  it('accepts DER and P1363 in auto mode, each only in its own explicit mode', async () => {
    expect(p1363?.length).toBe(64);
    if (p1363 === undefined) return;
    for (const backend of ['node', 'webcrypto'] as const) {
      const v = (signature: Uint8Array, encoding: 'der' | 'p1363' | 'auto') =>
        verifySignature({ key: key.publicKey, data, signature, encoding, backend });
      expect(await v(der, 'auto')).toBe(true);
      expect(await v(p1363, 'auto')).toBe(true);
      expect(await v(der, 'der')).toBe(true);
      expect(await v(p1363, 'p1363')).toBe(true);
      expect(await v(der, 'p1363')).toBe(false);
      expect(await v(p1363, 'der')).toBe(false);
    }
    expect(key.publicKey.verifySync(data, p1363)).toBe(true);
  });

  it('rejects BER (non-minimal length) and trailing bytes', async () => {
    const body = der.subarray(2);
    const ber = Uint8Array.from([0x30, 0x81, body.length, ...body]);
    const trailing = Uint8Array.from([...der, 0]);
    for (const bad of [ber, trailing]) {
      expect(key.publicKey.verifySync(data, bad)).toBe(false);
      expect(await key.publicKey.verify(data, bad, { backend: 'webcrypto' })).toBe(false);
    }
  });
});

describe('imported keys', () => {
  const importCase = (file: string): string => cosign.text(`import/${file}`);

  it.each([
    ['validrsa.key', 'rsa', 2048],
    ['validrsapkcs8.key', 'rsa', 2048],
    ['validecp521.key', 'ecdsa-p521', 521],
    ['validecp384.key', 'ecdsa-p384', 384],
  ] as const)('%s signs and verifies on node and webcrypto', async (file, algorithm, bits) => {
    const key = await parsePrivateKey(importCase(file));
    expect(key.algorithm).toBe(algorithm);
    expect(key.publicKey.bits).toBe(bits);
    for (const signer of ['node', 'webcrypto'] as const) {
      const sig = await key.signAsync(data, { backend: signer });
      for (const backend of ['node', 'webcrypto'] as const) {
        expect(await key.publicKey.verify(data, sig, { backend }), `${signer} -> ${backend}`).toBe(true);
      }
    }
    expect(await codeOf(() => key.signAsync(data, { backend: 'noble' }))).toBe('ERR_UNSUPPORTED_ALGORITHM');
    expect(await codeOf(() => key.publicKey.verify(data, key.sign(data), { backend: 'noble' }))).toBe(
      'ERR_UNSUPPORTED_ALGORITHM',
    );
  });

  it('parses an RSA PKCS#1 public key PEM to the same key id as its SPKI', async () => {
    const key = await parsePrivateKey(importCase('validrsa.key'));
    const pkcs1 = createPublicKey(importCase('validrsa.key')).export({ type: 'pkcs1', format: 'der' });
    const pub = parsePublicKey(encodePem('RSA PUBLIC KEY', new Uint8Array(pkcs1)));
    expect(pub.keyId).toBe(key.keyId);
  });
});
