// The SPKI kept by parsePublicKey without re-exporting: it must be exactly what node:crypto would export.
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePublicKey } from '../../src/keys/index.js';

const KEYS = [
  ['ecdsa-p256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey],
  ['ecdsa-p384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey],
  ['ecdsa-p521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey],
  ['ed25519', () => generateKeyPairSync('ed25519').publicKey],
  ['rsa', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey],
] as const;

describe('parsePublicKey SPKI', () => {
  for (const [algorithm, make] of KEYS) {
    it(`${algorithm}: DER, PEM and KeyObject inputs give node's export and its key id`, () => {
      for (let i = 0; i < (algorithm === 'rsa' ? 2 : 20); i++) {
        const node = make();
        const der = new Uint8Array(node.export({ type: 'spki', format: 'der' }));
        const id = createHash('sha256').update(der).digest('hex');
        for (const key of [
          parsePublicKey(der),
          parsePublicKey(node.export({ type: 'spki', format: 'pem' })),
          parsePublicKey(der.slice()),
        ]) {
          expect(key.algorithm).toBe(algorithm);
          expect(Buffer.from(key.spki).equals(der)).toBe(true);
          expect(key.keyId).toBe(id);
        }
      }
    });
  }

  it('a compressed P-256 point (not the canonical form) is exported by node, as before', () => {
    const node = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const der = node.export({ type: 'spki', format: 'der' });
    const x = der.subarray(der.length - 64, der.length - 32);
    const y = der.subarray(der.length - 32);
    const compressed = Buffer.concat([
      Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
      Buffer.from([0x02 | ((y[31] ?? 0) & 1)]),
      x,
    ]);
    const exported = createPublicKey({ key: compressed, format: 'der', type: 'spki' }).export({
      type: 'spki',
      format: 'der',
    });
    const key = parsePublicKey(new Uint8Array(compressed));
    expect(Buffer.from(key.spki).equals(exported)).toBe(true);
    expect(key.keyId).toBe(createHash('sha256').update(exported).digest('hex'));
  });

  it('the kept SPKI is a private copy: changing the input afterwards changes nothing', () => {
    const der = new Uint8Array(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }),
    );
    const key = parsePublicKey(der);
    const before = key.keyId;
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 1;
    expect(key.keyId).toBe(before);
    expect(Buffer.from(key.spki).equals(der)).toBe(false);
  });
});
