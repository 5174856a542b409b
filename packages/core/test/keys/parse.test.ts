// Parsing errors and the key policy: each refusal has its code, names the field, and says what was found.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadVectorSet } from '../../../../test/support/vectors.js';
import { utf8 } from '../../src/encoding.js';
import { isVouchError, ParseError } from '../../src/errors.js';
import { generateKeyPair, parsePrivateKey, parsePublicKey } from '../../src/keys/index.js';

const cosign = loadVectorSet('cosign-keys');

async function failure(fn: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (e) {
    if (isVouchError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a failure');
}

const pem = (k: { publicKey: KeyObject }): string =>
  String(k.publicKey.export({ type: 'spki', format: 'pem' }));

describe('parsePublicKey refusals', () => {
  it('garbage is ERR_MALFORMED_KEY naming the field', async () => {
    const f = await failure(() => parsePublicKey('not a key', { field: 'keys[2].publicKey' }));
    expect(f.code).toBe('ERR_MALFORMED_KEY');
    expect(f.message).toMatch(/^keys\[2\]\.publicKey: invalid PEM block/);
    expect((await failure(() => parsePublicKey(new Uint8Array([0x30, 0x03, 1, 2, 3])))).code).toBe(
      'ERR_MALFORMED_KEY',
    );
    expect((await failure(() => parsePublicKey('{"kty":'))).code).toBe('ERR_MALFORMED_KEY');
    expect((await failure(() => parsePublicKey({ kty: 7 }))).message).toMatch(
      /publicKey\.kty: must be a string/,
    );
  });

  it('refuses trailing bytes after the SPKI', async () => {
    const spki = generateKeyPair().publicKey.spki;
    expect((await failure(() => parsePublicKey(Uint8Array.from([...spki, 0])))).code).toBe(
      'ERR_MALFORMED_KEY',
    );
  });

  it.each([
    [
      'P-224',
      pem(generateKeyPairSync('ec', { namedCurve: 'P-224' })),
      /ECDSA curve P-224 \(secp224r1\) not supported/,
    ],
    [
      'secp256k1',
      pem(generateKeyPairSync('ec', { namedCurve: 'secp256k1' })),
      /ECDSA curve secp256k1 not supported/,
    ],
    ['RSA 1024', pem(generateKeyPairSync('rsa', { modulusLength: 1024 })), /RSA key size 1024 not supported/],
    ['RSA 5120', pem(generateKeyPairSync('rsa', { modulusLength: 5120 })), /RSA key size 5120 not supported/],
    [
      'RSA-PSS',
      pem(generateKeyPairSync('rsa-pss', { modulusLength: 2048 })),
      /key type rsa-pss not supported/,
    ],
    ['Ed448', pem(generateKeyPairSync('ed448')), /key type ed448 not supported/],
    ['X25519', pem(generateKeyPairSync('x25519')), /key type x25519 not supported/],
  ])('%s is ERR_UNSUPPORTED_KEY', async (_name, text, message) => {
    const f = await failure(() => parsePublicKey(text));
    expect(f.code).toBe('ERR_UNSUPPORTED_KEY');
    expect(f.message).toMatch(message);
  });

  it('refuses JWK key types and curves outside the policy', async () => {
    expect((await failure(() => parsePublicKey({ kty: 'oct', k: 'AA' }))).code).toBe('ERR_UNSUPPORTED_KEY');
    expect(
      (await failure(() => parsePublicKey({ kty: 'EC', crv: 'P-224', x: 'AA', y: 'AA' }))).message,
    ).toMatch(/P-224/);
    expect((await failure(() => parsePublicKey({ kty: 'OKP', crv: 'X25519', x: 'AA' }))).code).toBe(
      'ERR_UNSUPPORTED_KEY',
    );
  });

  it('refuses a private key where a public key is expected', async () => {
    const key = generateKeyPair();
    expect((await failure(() => parsePublicKey(key.toPkcs8Pem()))).code).toBe('ERR_UNSUPPORTED_KEY');
  });
});

describe('parsePrivateKey refusals', () => {
  it('a PUBLIC KEY block is ERR_UNSUPPORTED_KEY', async () => {
    const f = await failure(() => parsePrivateKey(generateKeyPair().publicKey.toPem()));
    expect(f).toEqual({
      code: 'ERR_UNSUPPORTED_KEY',
      message: 'a public key was given where a private key is needed',
    });
  });

  it('a PGP armored key is ERR_MALFORMED_KEY (invalid PEM block)', async () => {
    const f = await failure(() => parsePrivateKey(cosign.text('import/invalidkey.key')));
    expect(f.code).toBe('ERR_MALFORMED_KEY');
    expect(f.message).toMatch(/invalid PEM block/);
  });

  it('a JWK whose public point does not match its private scalar is ERR_MALFORMED_KEY', async () => {
    const a = await generateKeyPair().publicKey.toJwk();
    const b = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const f = await failure(() => parsePrivateKey({ ...b, x: a.x, y: a.y }));
    expect(f.code).toBe('ERR_MALFORMED_KEY');
    expect(f.message).toMatch(/does not match/);
  });

  it('legacy Proc-Type encrypted PEM is ERR_UNSUPPORTED_KEY', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = String(
      privateKey.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }),
    );
    expect(pem).toMatch(/Proc-Type/);
    expect((await failure(() => parsePrivateKey(pem, { password: 'x' }))).code).toBe('ERR_UNSUPPORTED_KEY');
  });

  it('PEM in bytes and PKCS#8 DER bytes both load', async () => {
    const key = generateKeyPair({ algorithm: 'ed25519' });
    expect((await parsePrivateKey(utf8(key.toPkcs8Pem()))).keyId).toBe(key.keyId);
    const der = Buffer.from(key.toPkcs8Pem().split('\n').slice(1, -2).join(''), 'base64');
    expect((await parsePrivateKey(new Uint8Array(der))).keyId).toBe(key.keyId);
  });

  it('a ParseError lists its issue path', async () => {
    try {
      parsePublicKey('-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----', {
        field: 'policy.keys[0]',
      });
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      if (e instanceof ParseError) expect(e.issues[0]?.path).toBe('policy.keys[0]');
      return;
    }
    throw new Error('expected a ParseError');
  });
});
