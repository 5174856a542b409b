// Unit and property tests of in-toto Statement parsing, building and serialization.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf, parseErrorOf } from '../../../test/support/errors.js';
import { mutatedJson } from '../../../test/support/json-mutation.js';
import { utf8 } from '../src/encoding.js';
import { ParseError } from '../src/errors.js';
import {
  buildStatement,
  parseResourceDescriptor,
  parseStatement,
  parseStatementJson,
  STATEMENT_TYPE_V1,
  STATEMENT_TYPE_V01,
  serializeStatement,
  statementHasSubjectDigest,
} from '../src/statement.js';

const HEX64 = 'a'.repeat(64);
const HEX40 = 'b'.repeat(40);

function valid(): Record<string, unknown> {
  return {
    _type: STATEMENT_TYPE_V1,
    subject: [{ name: 'img', digest: { sha256: HEX64 } }],
    predicateType: 'https://example.com/p/v1',
    predicate: { a: 1 },
  };
}

describe('parseStatement', () => {
  it('reads a v1 statement into a frozen value', () => {
    const s = parseStatement(valid());
    expect(s.version).toBe('v1');
    expect(s.type).toBe(STATEMENT_TYPE_V1);
    expect(s.subject[0]?.digest?.sha256).toBe(HEX64);
    expect(s.predicate).toEqual({ a: 1 });
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.subject)).toBe(true);
    expect(Object.isFrozen(s.subject[0]?.digest)).toBe(true);
    expect(Object.isFrozen(s.raw)).toBe(true);
    expect(Object.isFrozen(s.predicate)).toBe(true);
  });

  it('copies its input: the caller object is neither frozen nor read again', () => {
    const input = valid();
    const s = parseStatement(input);
    expect(Object.isFrozen(input)).toBe(false);
    input.predicateType = 'changed';
    expect(s.predicateType).toBe('https://example.com/p/v1');
  });

  it('reads a v0.1 statement, whose predicate is optional', () => {
    const { predicate: _omit, ...rest } = valid();
    const s = parseStatement({ ...rest, _type: STATEMENT_TYPE_V01 });
    expect(s.version).toBe('v0.1');
    expect(s.predicate).toBeUndefined();
  });

  it('keeps unknown fields of the statement and of subjects', () => {
    const input = {
      ...valid(),
      extra: { x: [1, 2] },
      subject: [{ digest: { sha256: HEX64 }, future: true }],
    };
    const s = parseStatement(input);
    expect(s.raw.extra).toEqual({ x: [1, 2] });
    expect(s.subject[0]?.future).toBe(true);
  });

  it('keeps a __proto__ key as data', () => {
    const s = parseStatement(JSON.parse(`{"__proto__":{"p":1},${JSON.stringify(valid()).slice(1)}`));
    expect(Object.hasOwn(s.raw, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(s.raw)).toBe(Object.prototype);
  });

  it('refuses other statement types', () => {
    for (const t of ['https://in-toto.io/Statement/v0.2', 'https://in-toto.io/Statement/v2', 'x']) {
      const err = parseErrorOf(() => parseStatement({ ...valid(), _type: t }));
      expect(err.code).toBe('ERR_MALFORMED_STATEMENT');
      expect(err.issues.map((i) => i.path)).toEqual(['_type']);
    }
  });

  it('collects every issue and throws once', () => {
    const err = parseErrorOf(() =>
      parseStatement({
        _type: 5,
        subject: [{ digest: { sha256: 'ABC' } }, { mediaType: 'x' }, { name: 'n' }, 7],
        predicateType: '',
      }),
    );
    expect(err.issues.map((i) => i.path)).toEqual([
      '_type',
      'subject[0].digest.sha256',
      'subject[1]',
      'subject[2].digest',
      'subject[3]',
      'predicateType',
      'predicate',
    ]);
    expect(err.message).toContain('subject[0].digest.sha256: must be lowercase hex, found "ABC"');
  });

  it('checks digest encodings and lengths as the reference does', () => {
    const rd = (digest: Record<string, string>) => () => parseResourceDescriptor({ digest });
    expect(parseErrorOf(rd({ sha256: 'ab' })).message).toMatch(
      /digest\.sha256: has incorrect length: must be 64/,
    );
    expect(parseErrorOf(rd({ sha256: 'abc' })).message).toMatch(/must be lowercase hex/);
    expect(parseErrorOf(rd({ sha256: HEX64.toUpperCase() })).message).toMatch(/must be lowercase hex/);
    expect(parseErrorOf(rd({ md5: HEX64 })).message).toMatch(/must be 32 hex characters/);
    expect(parseErrorOf(rd({ gitTree: 'ab' })).message).toMatch(/must be 40 or 64 hex characters/);
    expect(
      parseResourceDescriptor({ digest: { gitTree: HEX64, gitBlob: HEX40, sha1: HEX40 } }).digest?.gitTree,
    ).toBe(HEX64);
    expect(
      parseResourceDescriptor({ digest: { shake256: 'not hex at all', arn: 'arn:aws:x' } }).digest?.arn,
    ).toBe('arn:aws:x');
  });

  it('uses the field name given to parseResourceDescriptor in paths', () => {
    const err = parseErrorOf(() =>
      parseResourceDescriptor({ digest: { sha512: 'zz' } }, 'predicate.materials[2]'),
    );
    expect(err.issues[0]?.path).toBe('predicate.materials[2].digest.sha512');
  });

  it('checks the types of the descriptor fields and base64 content', () => {
    const err = parseErrorOf(() =>
      parseResourceDescriptor({ name: 1, uri: 'u', content: '!!', annotations: [], downloadLocation: {} }),
    );
    expect(err.issues.map((i) => i.path).sort()).toEqual(
      [
        'resourceDescriptor.annotations',
        'resourceDescriptor.content',
        'resourceDescriptor.downloadLocation',
        'resourceDescriptor.name',
      ].sort(),
    );
    expect(parseResourceDescriptor({ uri: 'u', content: 'Ynl0ZXM=' }).content).toBe('Ynl0ZXM=');
  });
});

describe('parseStatementJson', () => {
  it('parses UTF-8 JSON bytes', () => {
    expect(parseStatementJson(utf8(JSON.stringify(valid()))).predicateType).toBe('https://example.com/p/v1');
  });

  it('refuses invalid UTF-8 and invalid JSON with a code', () => {
    expect(() => parseStatementJson(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(ParseError);
    expect(parseErrorOf(() => parseStatementJson(utf8('{"_type":'))).code).toBe('ERR_MALFORMED_JSON');
  });
});

describe('buildStatement and serializeStatement', () => {
  const input = {
    subject: [
      { name: 'ghcr.io/a/b', digest: { sha256: HEX64 }, annotations: { tag: 'v1' } },
      { digest: { sha256: HEX64 } },
    ],
    predicateType: 'https://sigstore.dev/cosign/sign/v1',
    predicate: {},
  };

  it('round-trips through bytes', () => {
    const json = buildStatement(input);
    const bytes = serializeStatement(json);
    const back = parseStatementJson(bytes);
    expect(back.raw).toEqual(json);
    expect(back.subject[0]?.annotations).toEqual({ tag: 'v1' });
    expect(Object.hasOwn(back.subject[1] ?? {}, 'name')).toBe(false);
  });

  it('writes keys in the order _type, subject, predicateType, predicate', () => {
    const text = new TextDecoder().decode(serializeStatement(buildStatement(input)));
    expect(Object.keys(JSON.parse(text))).toEqual(['_type', 'subject', 'predicateType', 'predicate']);
    expect(
      text.startsWith(`{"_type":"${STATEMENT_TYPE_V1}","subject":[{"name":"ghcr.io/a/b","digest":`),
    ).toBe(true);
  });

  it('returns a frozen copy', () => {
    const predicate = { k: { v: 1 } };
    const json = buildStatement({ ...input, predicate });
    expect(Object.isFrozen(json.predicate)).toBe(true);
    expect(Object.isFrozen(predicate)).toBe(false);
  });

  it('refuses what a reader would refuse', () => {
    const err = parseErrorOf(() => buildStatement({ subject: [], predicateType: '', predicate: [] }));
    expect(err.code).toBe('ERR_MALFORMED_STATEMENT');
    expect(err.issues.map((i) => i.path)).toEqual(['subject', 'predicateType', 'predicate']);
    expect(() => buildStatement({ ...input, subject: [{ digest: { sha256: 'short' } }] })).toThrow(
      /subject\[0\]\.digest\.sha256/,
    );
  });
});

describe('statementHasSubjectDigest', () => {
  const s = parseStatement({
    ...valid(),
    subject: [{ name: 'x', digest: { gitCommit: HEX40 } }, { digest: { sha256: HEX64 } }],
  });

  it('matches the exact value of that algorithm only', () => {
    expect(statementHasSubjectDigest(s, { algorithm: 'sha256', hex: HEX64 })).toBe(true);
    expect(statementHasSubjectDigest(s, { algorithm: 'sha512', hex: HEX64 })).toBe(false);
    expect(statementHasSubjectDigest(s, { algorithm: 'sha256', hex: 'c'.repeat(64) })).toBe(false);
    expect(statementHasSubjectDigest(s, { algorithm: 'toString', hex: HEX64 })).toBe(false);
  });
});

// --- property tests: any input ends in a value or a coded VouchError, never another exception ---

function mutated(bases: readonly unknown[]): fc.Arbitrary<unknown> {
  return mutatedJson(
    bases,
    fc.option(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', 'abc', HEX64, {}, [])), {
      nil: undefined,
    }),
  );
}

const bases = [
  valid(),
  {
    ...valid(),
    _type: STATEMENT_TYPE_V01,
    subject: [
      { digest: { gitCommit: HEX40, custom: 'x' } },
      { name: 'n', digest: { sha512: 'c'.repeat(128) } },
    ],
  },
];

describe('properties', () => {
  it('parseStatement: random JSON gives a value or a coded VouchError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => void outcomeOf(() => parseStatement(v))),
      { numRuns: 10_000 },
    );
  });

  it('parseStatement: mutated valid statements give a frozen valid value or a coded VouchError', () => {
    fc.assert(
      fc.property(mutated(bases), (v) => {
        if (outcomeOf(() => parseStatement(v)) === 'value') {
          const s = parseStatement(v);
          expect(Object.isFrozen(s)).toBe(true);
          expect(s.subject.length).toBeGreaterThan(0);
          expect(s.subject.every((rd) => Object.keys(rd.digest ?? {}).length > 0)).toBe(true);
          expect(s.predicateType).not.toBe('');
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('parseResourceDescriptor: random and mutated input gives a value or a coded VouchError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => void outcomeOf(() => parseResourceDescriptor(v))),
      { numRuns: 10_000 },
    );
    fc.assert(
      fc.property(
        mutated([{ name: 'n', uri: 'u', digest: { sha256: HEX64 }, content: 'YQ==', annotations: { a: 1 } }]),
        (v) => {
          void outcomeOf(() => parseResourceDescriptor(v));
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('parseStatementJson: random bytes give a value or a coded VouchError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => void outcomeOf(() => parseStatementJson(b))),
      {
        numRuns: 10_000,
      },
    );
  });
});
