// Property tests: random and mutated-valid key inputs end in a coded VouchError or a valid key, never anything else.
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVouchError } from '../../src/errors.js';
import {
  encodePem,
  generateKeyPair,
  PrivateKey,
  PublicKey,
  parsePrivateKey,
  parsePublicKey,
} from '../../src/keys/index.js';

const RUNS = { numRuns: 10_000 };
const KEY_ID = /^[0-9a-f]{64}$/;
// The only codes a key parser may end in: anything else (ERR_INTERNAL, ERR_USAGE, a payload code) is a bug.
const KEY_CODES: ReadonlySet<string> = new Set([
  'ERR_MALFORMED_KEY',
  'ERR_UNSUPPORTED_KEY',
  'ERR_PASSWORD_REQUIRED',
]);

function publicOutcomeOk(input: string | Uint8Array | object): boolean {
  try {
    const key = parsePublicKey(input);
    return key instanceof PublicKey && KEY_ID.test(key.keyId);
  } catch (e) {
    if (isVouchError(e) && KEY_CODES.has(e.code)) return true;
    throw e;
  }
}

async function privateOutcomeOk(input: string | Uint8Array | object): Promise<boolean> {
  try {
    const key = await parsePrivateKey(input);
    return key instanceof PrivateKey && KEY_ID.test(key.keyId);
  } catch (e) {
    if (isVouchError(e) && KEY_CODES.has(e.code)) return true;
    throw e;
  }
}

const ed = generateKeyPair({ algorithm: 'ed25519' });
const p256 = generateKeyPair({ algorithm: 'ecdsa-p256' });
const p384 = generateKeyPair({ algorithm: 'ecdsa-p384' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublic = new PublicKey(rsa.publicKey);

const derOf = (pem: string): Uint8Array => {
  const body = pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
  return new Uint8Array(Buffer.from(body.join(''), 'base64'));
};

const PUBLIC_DERS: readonly { label: string; der: Uint8Array }[] = [
  ...[ed, p256, p384].map((k) => ({ label: 'PUBLIC KEY', der: k.publicKey.spki })),
  { label: 'PUBLIC KEY', der: rsaPublic.spki },
  { label: 'RSA PUBLIC KEY', der: new Uint8Array(rsa.publicKey.export({ type: 'pkcs1', format: 'der' })) },
];

const PRIVATE_DERS: readonly { label: string; der: Uint8Array }[] = [
  { label: 'PRIVATE KEY', der: derOf(ed.toPkcs8Pem()) },
  { label: 'PRIVATE KEY', der: derOf(p256.toPkcs8Pem()) },
  {
    label: 'EC PRIVATE KEY',
    der: derOf(
      String(
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }),
      ),
    ),
  },
  {
    label: 'EC PRIVATE KEY',
    der: derOf(
      String(
        generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'sec1', format: 'pem' }),
      ),
    ),
  },
  { label: 'RSA PRIVATE KEY', der: new Uint8Array(rsa.privateKey.export({ type: 'pkcs1', format: 'der' })) },
];

/** One edit of a byte string: flip, set, insert, delete or truncate. */
const byteMutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
type ByteMutation = typeof byteMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateBytes(input: Uint8Array, edits: readonly ByteMutation[]): Uint8Array {
  let out = Array.from(input);
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % out.length;
    if (e.op === 'flip') out[at] = (out[at] ?? 0) ^ (1 << e.bit);
    else if (e.op === 'set') out[at] = e.value;
    else if (e.op === 'insert') out.splice(at, 0, e.value);
    else if (e.op === 'delete') out.splice(at, 1);
    else out = out.slice(0, at);
  }
  return Uint8Array.from(out);
}

/** One edit of a text: replace, insert or delete a character. */
const textMutation = fc.record({
  op: fc.constantFrom('replace', 'insert', 'delete'),
  at: fc.nat(),
  char: fc.constantFrom('A', '/', '+', '=', '-', '\n', ' ', '{', '"', ':', 'é', '\u0000', '0'),
});
type TextMutation = typeof textMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateText(input: string, edits: readonly TextMutation[]): string {
  let s = input;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % s.length;
    if (e.op === 'replace') s = s.slice(0, at) + e.char + s.slice(at + 1);
    else if (e.op === 'insert') s = s.slice(0, at) + e.char + s.slice(at);
    else s = s.slice(0, at) + s.slice(at + 1);
  }
  return s;
}

/** Mutations of a JWK: drop, retype or corrupt a member, or add one. */
const jwkMutation = fc.record({
  member: fc.constantFrom('kty', 'crv', 'x', 'y', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'alg'),
  change: fc.oneof(
    fc.constant({ kind: 'delete' as const }),
    fc.record({ kind: fc.constant('value' as const), value: fc.jsonValue({ maxDepth: 1 }) }),
    fc.record({
      kind: fc.constant('text' as const),
      edits: fc.array(textMutation, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constant('pick' as const),
      value: fc.constantFrom(
        'EC',
        'OKP',
        'RSA',
        'oct',
        'P-256',
        'P-384',
        'P-521',
        'Ed25519',
        'secp256k1',
        '',
      ),
    }),
  ),
});
type JwkMutation = typeof jwkMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateJwk(
  jwk: Readonly<Record<string, unknown>>,
  edits: readonly JwkMutation[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...jwk };
  for (const { member, change } of edits) {
    if (change.kind === 'delete') delete out[member];
    else if (change.kind === 'value') out[member] = change.value;
    else if (change.kind === 'pick') out[member] = change.value;
    else out[member] = mutateText(typeof out[member] === 'string' ? String(out[member]) : '', change.edits);
  }
  return out;
}

describe('parsePublicKey properties', () => {
  it('random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), publicOutcomeOk), RUNS);
  });

  it('random bytes (DER-looking and not)', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([0x30, b.length & 0x7f, ...b])),
    );
    fc.assert(fc.property(bytes, publicOutcomeOk), RUNS);
  });

  it('mutated valid PEM and DER', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PUBLIC_DERS),
        fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
        fc.array(textMutation, { maxLength: 2 }),
        fc.boolean(),
        ({ label, der }, byteEdits, textEdits, asDer) => {
          const mutated = mutateBytes(der, byteEdits);
          return publicOutcomeOk(asDer ? mutated : mutateText(encodePem(label, mutated), textEdits));
        },
      ),
      RUNS,
    );
  });

  it('mutated valid JWK (object and JSON text)', async () => {
    const jwks = await Promise.all([ed, p256, p384].map((k) => k.publicKey.toJwk()));
    jwks.push(await rsaPublic.toJwk());
    fc.assert(
      fc.property(
        fc.constantFrom(...jwks),
        fc.array(jwkMutation, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (jwk, edits, asText) => {
          const mutated = mutateJwk(jwk, edits);
          return publicOutcomeOk(asText ? JSON.stringify(mutated) : mutated);
        },
      ),
      RUNS,
    );
  });
});

describe('parsePrivateKey properties (no scrypt inside)', () => {
  it('mutated valid PKCS#8, SEC1 and PKCS#1 PEMs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PRIVATE_DERS),
        fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
        fc.array(textMutation, { maxLength: 2 }),
        ({ label, der }, byteEdits, textEdits) =>
          privateOutcomeOk(mutateText(encodePem(label, mutateBytes(der, byteEdits)), textEdits)),
      ),
      RUNS,
    );
  });

  it('mutated valid private JWKs', async () => {
    const jwks = [
      generateKeyPairSync('ed25519').privateKey,
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
    ].map((k) => ({ ...k.export({ format: 'jwk' }) }));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...jwks),
        fc.array(jwkMutation, { minLength: 1, maxLength: 3 }),
        (jwk, edits) => privateOutcomeOk(mutateJwk(jwk, edits)),
      ),
      RUNS,
    );
  });

  it('a valid key still parses (the properties above are not vacuous)', async () => {
    for (const { label, der } of PRIVATE_DERS) {
      expect(await parsePrivateKey(encodePem(label, der))).toBeInstanceOf(PrivateKey);
    }
    for (const { label, der } of PUBLIC_DERS)
      expect(parsePublicKey(encodePem(label, der))).toBeInstanceOf(PublicKey);
  });
});
