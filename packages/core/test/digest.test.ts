// Tests for digest parsing, hashing (bytes and streams) and comparison.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseErrorOf } from '../../../test/support/errors.js';
import { applyTextEdits, textEdits } from '../../../test/support/text-mutation.js';
import {
  assertDigest,
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  digestBytes,
  digestFromHex,
  digestStream,
  digestsEqual,
  isDigest,
  isDigestAlgorithm,
  parseDigest,
  sha256Hex,
} from '../src/digest.js';
import { ParseError, UsageError, VouchError } from '../src/errors.js';

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };
const ABC = new TextEncoder().encode('abc');
// FIPS 180-2 "abc" answers.
const ABC_HEX: Record<DigestAlgorithm, string> = {
  sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  sha384: 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
  sha512:
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
};
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('parseDigest', () => {
  it.each(DIGEST_ALGORITHMS)('accepts %s with lowercase hex of the exact length', (algorithm) => {
    const hex = ABC_HEX[algorithm];
    const d = parseDigest(`${algorithm}:${hex}`);
    expect(d).toEqual({ algorithm, hex, value: `${algorithm}:${hex}` });
    expect(Object.isFrozen(d)).toBe(true);
    expect(isDigest(d.value)).toBe(true);
    expect(() => assertDigest(d.value)).not.toThrow();
  });

  const bad: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['a number', 42, /must be a string "algorithm:hex", found a number/],
    ['null', null, /found null/],
    ['undefined', undefined, /is required: expected "algorithm:hex"/],
    ['an object', { algorithm: 'sha256' }, /found an object/],
    ['an empty string', '', /found an empty string/],
    ['no colon', ABC_HEX.sha256, /found no ":"/],
    ['unknown algorithm', `md5:${'a'.repeat(32)}`, /algorithm must be sha256, sha384 or sha512, found "md5"/],
    ['sha1', `sha1:${'a'.repeat(40)}`, /found "sha1"/],
    ['uppercase algorithm', `SHA256:${ABC_HEX.sha256}`, /found "SHA256" \(algorithm names are lowercase\)/],
    ['empty algorithm', `:${ABC_HEX.sha256}`, /found ""/],
    ['63 hex', `sha256:${ABC_HEX.sha256.slice(1)}`, /sha256 hex must be 64 characters long, found 63/],
    ['65 hex', `sha256:${ABC_HEX.sha256}0`, /must be 64 characters long, found 65/],
    ['empty hex', 'sha256:', /must be 64 characters long, found 0/],
    ['sha512 with 64 hex', `sha512:${ABC_HEX.sha256}`, /sha512 hex must be 128 characters long, found 64/],
    ['sha384 with 128 hex', `sha384:${ABC_HEX.sha512}`, /sha384 hex must be 96 characters long, found 128/],
    ['uppercase hex', `sha256:${ABC_HEX.sha256.toUpperCase()}`, /sha256 hex must be lowercase/],
    ['non-hex', `sha256:g${ABC_HEX.sha256.slice(1)}`, /only 0-9 and a-f, found "g" at position 0/],
    ['a second colon', `sha256::${ABC_HEX.sha256.slice(1)}`, /found ":" at position 0/],
    ['leading space', ` sha256:${ABC_HEX.sha256}`, /found " sha256"/],
    ['trailing newline', `sha256:${ABC_HEX.sha256}\n`, /found "\\n" at position 64/],
  ];
  it.each(bad)('refuses %s with ERR_MALFORMED_DIGEST', (_name, input, message) => {
    const err = parseErrorOf(() => parseDigest(input, 'subject[0].digest'));
    expect(err.code).toBe('ERR_MALFORMED_DIGEST');
    expect(err.issues.length).toBeGreaterThan(0);
    for (const issue of err.issues) expect(issue.path).toBe('subject[0].digest');
    expect(err.message).toMatch(message);
    expect(isDigest(input)).toBe(false);
    expect(() => assertDigest(input)).toThrow(ParseError);
  });

  it('reports a wrong length and uppercase hex together', () => {
    const err = parseErrorOf(() => parseDigest(`sha256:${'A'.repeat(10)}`));
    expect(err.issues.map((i) => i.message)).toEqual([
      'sha256 hex must be lowercase, found uppercase hex digits',
      'sha256 hex must be 64 characters long, found 10',
    ]);
  });

  it('cuts long found values short in messages', () => {
    const err = parseErrorOf(() => parseDigest('x'.repeat(10_000)));
    expect(err.message.length).toBeLessThan(300);
  });
});

describe('digestFromHex', () => {
  it('builds a digest from a JSON subject entry', () => {
    expect(digestFromHex('sha256', ABC_HEX.sha256).value).toBe(`sha256:${ABC_HEX.sha256}`);
    expect(digestFromHex('sha512', ABC_HEX.sha512, 'x')).toEqual(parseDigest(`sha512:${ABC_HEX.sha512}`));
  });

  it.each([
    ['md5', 'a'.repeat(32), /algorithm must be sha256, sha384 or sha512, found "md5"/],
    [7, ABC_HEX.sha256, /found "a number"/],
    ['sha256', 7, /must be a string of 64 hex characters, found a number/],
    ['sha256', 'abcd', /must be 64 characters long, found 4/],
    ['sha256', '4faeb1b2...', /found "\." at position 8/],
  ])('refuses (%s, %s)', (algorithm, hex, message) => {
    const err = parseErrorOf(() => digestFromHex(algorithm, hex, 'subject[0].digest.sha256'));
    expect(err.code).toBe('ERR_MALFORMED_DIGEST');
    expect(err.issues[0]?.path).toBe('subject[0].digest.sha256');
    expect(err.message).toMatch(message);
  });
});

describe('digestBytes, sha256Hex, digestStream', () => {
  it.each(DIGEST_ALGORITHMS)('hashes "abc" with %s to the FIPS 180-2 answer', (algorithm) => {
    const d = digestBytes(algorithm, ABC);
    expect(d.value).toBe(`${algorithm}:${ABC_HEX[algorithm]}`);
    expect(Object.isFrozen(d)).toBe(true);
  });

  it('hashes nothing', () => {
    expect(sha256Hex(new Uint8Array())).toBe(EMPTY_SHA256);
    expect(sha256Hex(ABC)).toBe(ABC_HEX.sha256);
  });

  it('refuses an unknown algorithm and bytes that are not a Uint8Array', () => {
    const algorithm: unknown = 'md5';
    expect(() => digestBytes(algorithm as DigestAlgorithm, ABC)).toThrow(
      expect.objectContaining({ code: 'ERR_UNSUPPORTED_ALGORITHM' }),
    );
    const text: unknown = 'abc';
    expect(() => digestBytes('sha256', text as Uint8Array)).toThrow(UsageError);
    expect(() => sha256Hex(text as Uint8Array)).toThrow(UsageError);
  });

  async function* chunksOf(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
    for (const part of parts) yield part;
  }

  it('hashes a stream of 1 MiB chunks like the whole buffer', async () => {
    const whole = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
    const mib = 1024 * 1024;
    const parts = [0, 1, 2, 3].map((i) => whole.subarray(i * mib, Math.min((i + 1) * mib, whole.length)));
    for (const algorithm of DIGEST_ALGORITHMS) {
      expect(await digestStream(chunksOf(...parts), algorithm)).toEqual(digestBytes(algorithm, whole));
    }
    expect((await digestStream(chunksOf(...parts))).algorithm).toBe('sha256');
  });

  it('hashes an empty stream', async () => {
    expect((await digestStream(chunksOf())).hex).toBe(EMPTY_SHA256);
  });

  it('rejects a chunk that is not bytes, naming it', async () => {
    const bad: unknown = 'text';
    await expect(digestStream(chunksOf(ABC, bad as Uint8Array))).rejects.toThrow(
      /chunk 1 must be a Uint8Array/,
    );
  });

  it('splits anywhere without changing the digest', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(300), { maxLength: 6 }),
        async (bytes, cuts) => {
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const parts: Uint8Array[] = [];
          let start = 0;
          for (const p of [...points, bytes.length]) {
            parts.push(bytes.subarray(start, p));
            start = p;
          }
          expect(await digestStream(chunksOf(...parts))).toEqual(digestBytes('sha256', bytes));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('digestsEqual and isDigestAlgorithm', () => {
  it('compares algorithm and hex', () => {
    const a = parseDigest(`sha256:${ABC_HEX.sha256}`);
    expect(digestsEqual(a, digestBytes('sha256', ABC))).toBe(true);
    expect(digestsEqual(a, digestBytes('sha256', new Uint8Array()))).toBe(false);
    expect(digestsEqual(a, digestBytes('sha512', ABC))).toBe(false);
  });

  it('knows exactly three algorithms', () => {
    expect(DIGEST_ALGORITHMS.filter(isDigestAlgorithm)).toEqual(['sha256', 'sha384', 'sha512']);
    for (const name of ['SHA256', 'sha-256', 'md5', 'sha1', '', 'sha256 '])
      expect(isDigestAlgorithm(name)).toBe(false);
  });
});

// ---- properties --------------------------------------------------------------------------------------------

const algorithmArb = fc.constantFrom<DigestAlgorithm>(...DIGEST_ALGORITHMS);
const validDigestArb = algorithmArb.chain((algorithm) =>
  fc
    .string({
      unit: fc.constantFrom(...'0123456789abcdef'),
      minLength: HEX_LENGTH[algorithm],
      maxLength: HEX_LENGTH[algorithm],
    })
    .map((hex) => ({ algorithm, hex, value: `${algorithm}:${hex}` })),
);

/** Text for the edits: one or two arbitrary code points. */
const editTexts = fc.string({ minLength: 1, maxLength: 2, unit: 'binary' });

/** Parses; anything thrown must be a VouchError with the digest code. Returns the digest or undefined. */
function tryParse(input: unknown) {
  try {
    return parseDigest(input);
  } catch (e) {
    if (!(e instanceof VouchError)) throw e;
    expect(e.code).toBe('ERR_MALFORMED_DIGEST');
    return undefined;
  }
}

describe('parseDigest properties', () => {
  it('ends arbitrary input in a digest or ERR_MALFORMED_DIGEST, agreeing with isDigest', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()), (input) => {
        const d = tryParse(input);
        expect(isDigest(input)).toBe(d !== undefined);
        if (d !== undefined) expect(parseDigest(d.value)).toEqual(d);
      }),
      { numRuns: 10_000 },
    );
  });

  it('ends mutated valid digests in a digest or ERR_MALFORMED_DIGEST', () => {
    fc.assert(
      fc.property(validDigestArb, textEdits(editTexts), (valid, edits) => {
        const input = applyTextEdits(valid.value, edits);
        const d = tryParse(input);
        if (d !== undefined) {
          // Anything that still parses is exactly a well-formed digest.
          expect(d.value).toBe(input);
          expect(d.hex).toMatch(/^[0-9a-f]+$/);
          expect(d.hex.length).toBe(HEX_LENGTH[d.algorithm]);
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('parses every well-formed digest and round-trips its value', () => {
    fc.assert(
      fc.property(validDigestArb, (valid) => {
        const d = parseDigest(valid.value);
        expect(d).toEqual(valid);
        expect(parseDigest(d.value)).toEqual(d);
        expect(digestFromHex(d.algorithm, d.hex)).toEqual(d);
      }),
      { numRuns: 10_000 },
    );
  });
});
