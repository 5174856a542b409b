// DER <-> P1363 conversion of ECDSA signatures: lossless for valid input, strict about everything else.
import { describe, expect, it } from 'vitest';
import { decodeHex, encodeHex } from '../../src/encoding.js';
import { ecdsaDerToP1363, ecdsaP1363ToDer } from '../../src/keys/index.js';

describe('ecdsaDerToP1363', () => {
  it('converts minimal integers, left-padding to the field size', () => {
    expect(encodeHex(ecdsaDerToP1363(decodeHex('3006020101020102'), 4) ?? new Uint8Array())).toBe(
      '0000000100000002',
    );
    // a leading zero is required when the top bit is set, and stripped
    expect(encodeHex(ecdsaDerToP1363(decodeHex('300802020080020200ff'), 2) ?? new Uint8Array())).toBe(
      '008000ff',
    );
  });

  it.each([
    ['non-minimal leading zero', '30070202000102017f'],
    ['negative integer', '3006020180020101'],
    ['long-form length that fits the short form', '308106020101020101'],
    ['trailing bytes', '300602010102010100'],
    ['inner trailing bytes', '300702010102010100'],
    ['wrong outer tag', '3106020101020101'],
    ['empty integer', '30050200020101'],
    ['integer longer than the field', '300702020101020101'],
    ['truncated', '300602010102'],
  ])('refuses %s', (_why, hex) => {
    expect(ecdsaDerToP1363(decodeHex(hex), 1)).toBeUndefined();
  });

  it('round-trips through P1363 and back', () => {
    for (const hex of ['0000000100000002', 'ff00ff00ff00ff00', '0080000000000001']) {
      const p = decodeHex(hex);
      expect(encodeHex(ecdsaDerToP1363(ecdsaP1363ToDer(p), 4) ?? new Uint8Array())).toBe(hex);
    }
  });
});
