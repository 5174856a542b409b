// RFC 8032 section 7.1 Ed25519 vectors: signing with the secret key reproduces the signature, and every backend verifies it.
import { describe, expect, it } from 'vitest';
import { caseFile, loadVectorSet } from '../../../../test/support/vectors.js';
import { decodeHex, encodeHex } from '../../src/encoding.js';
import { isObject } from '../../src/json.js';
import { parsePrivateKey, parsePublicKey } from '../../src/keys/index.js';

const set = loadVectorSet('rfc8032');
const BACKENDS = ['node', 'webcrypto', 'noble'] as const;

interface Rfc8032Vector {
  readonly test: string;
  readonly secretKey: string;
  readonly publicKey: string;
  readonly message: string;
  readonly signature: string;
}

function readVectors(json: unknown): Rfc8032Vector[] {
  if (!Array.isArray(json)) throw new Error('rfc8032 vectors must be an array');
  return json.map((v: unknown) => {
    if (!isObject(v)) throw new Error('bad vector');
    const s = (k: string): string => {
      const x = v[k];
      if (typeof x !== 'string') throw new Error(`vector field ${k} is not a string`);
      return x;
    };
    return {
      test: s('test'),
      secretKey: s('secretKey'),
      publicKey: s('publicKey'),
      message: s('message'),
      signature: s('signature'),
    };
  });
}

const b64url = (hex: string): string => Buffer.from(hex, 'hex').toString('base64url');

describe.each(set.cases)('rfc8032 $id', (c) => {
  const vectors = readVectors(set.json(caseFile(c, 'vectors')));
  const v = vectors.find((x) => x.test === c.vector);

  it('signs to the exact signature and verifies on every backend', async () => {
    expect(c.expect).toBe('pass');
    expect(v, `vector ${String(c.vector)}`).toBeDefined();
    if (v === undefined) return;
    const message = decodeHex(v.message);
    const priv = await parsePrivateKey({
      kty: 'OKP',
      crv: 'Ed25519',
      d: b64url(v.secretKey),
      x: b64url(v.publicKey),
    });
    const pub = parsePublicKey({ kty: 'OKP', crv: 'Ed25519', x: b64url(v.publicKey) });
    expect(priv.keyId).toBe(pub.keyId);
    expect(encodeHex(priv.sign(message))).toBe(v.signature);
    for (const backend of BACKENDS) {
      expect(encodeHex(await priv.signAsync(message, { backend })), `sign ${backend}`).toBe(v.signature);
      expect(await pub.verify(message, decodeHex(v.signature), { backend }), `verify ${backend}`).toBe(true);
    }
    expect(pub.verifySync(message, decodeHex(v.signature))).toBe(true);
  });
});
