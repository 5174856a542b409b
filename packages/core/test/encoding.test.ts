// Strict base64: both alphabets, padded or not; nothing outside the alphabet, no bad padding, no stray trailing bits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeHex, decodeUtf8, encodeBase64, encodeHex } from '../src/encoding.js';
import { ParseError } from '../src/errors.js';

/** The canonical-form rule stated the slow way: re-encoding gives back the same characters. */
function isCanonical(input: string): boolean {
  const unpadded = input.replace(/=+$/, '');
  const url = /[-_]/.test(unpadded);
  const bytes = Buffer.from(unpadded, url ? 'base64url' : 'base64');
  return bytes.toString(url ? 'base64url' : 'base64').replace(/=+$/, '') === unpadded;
}

describe('decodeBase64', () => {
  it('decodes standard and URL-safe, padded and unpadded', () => {
    expect(Buffer.from(decodeBase64('+/+/')).toString('hex')).toBe('fbffbf');
    expect(Buffer.from(decodeBase64('-_-_')).toString('hex')).toBe('fbffbf');
    expect(Buffer.from(decodeBase64('QQ==')).toString()).toBe('A');
    expect(Buffer.from(decodeBase64('QQ')).toString()).toBe('A');
    expect(decodeBase64('')).toHaveLength(0);
  });

  it.each([
    ['QR==', 'non-zero trailing bits'],
    ['QUF=', 'non-zero trailing bits'],
    ['Q', 'wrong length'],
    ['QQ=', 'wrong length'],
    ['QQ===', 'outside the alphabet'],
    ['Q Q==', 'outside the alphabet'],
    ['QQ==\n', 'outside the alphabet'],
    ['+/-_', 'outside the alphabet'],
  ])('refuses %j (%s) naming the field', (input, reason) => {
    const error = (() => {
      try {
        decodeBase64(input, 'signatures[0].sig');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).code).toBe('ERR_MALFORMED_BASE64');
    expect((error as ParseError).message).toContain('signatures[0].sig');
    expect((error as ParseError).message).toContain(reason);
  });

  it('round-trips any bytes in both alphabets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const std = encodeBase64(bytes);
        expect(Buffer.from(decodeBase64(std)).equals(Buffer.from(bytes))).toBe(true);
        const url = Buffer.from(bytes).toString('base64url');
        expect(Buffer.from(decodeBase64(url)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 10_000 },
    );
  });

  it('accepts exactly the canonical strings of the alphabet, and throws nothing but ParseError', () => {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n!'.split('');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 24 }), (list) => {
        const input = list.join('');
        let accepted: boolean;
        try {
          decodeBase64(input);
          accepted = true;
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
          accepted = false;
        }
        const wellFormed =
          (/^[A-Za-z0-9+/]*={0,2}$/.test(input) || /^[A-Za-z0-9_-]*={0,2}$/.test(input)) &&
          !(input.endsWith('=') && input.length % 4 !== 0) &&
          input.replace(/=+$/, '').length % 4 !== 1;
        expect(accepted).toBe(wellFormed && isCanonical(input));
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('hex and UTF-8', () => {
  it('round-trips hex and refuses odd length or other characters', () => {
    expect(encodeHex(decodeHex('00ffAB'))).toBe('00ffab');
    expect(() => decodeHex('abc')).toThrow(ParseError);
    expect(() => decodeHex('zz')).toThrow(ParseError);
  });

  it('refuses invalid UTF-8', () => {
    expect(decodeUtf8(new Uint8Array([0x68, 0x69]))).toBe('hi');
    expect(() => decodeUtf8(new Uint8Array([0xc3, 0x28]), 'payload')).toThrow(/payload/);
  });
});
