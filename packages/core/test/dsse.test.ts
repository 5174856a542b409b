// Unit and property tests of DSSE: PAE, envelope parsing, signing, and threshold verification (sync and async).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { mutateJson } from '../../../test/support/json-mutation.js';
import {
  type Envelope,
  type EnvelopeJson,
  hintNamesKey,
  pae,
  parseEnvelope,
  signEnvelope,
  verifyEnvelope,
  verifyEnvelopeSync,
} from '../src/dsse.js';
import { decodeUtf8, encodeBase64, utf8 } from '../src/encoding.js';
import { isVouchError, ParseError } from '../src/errors.js';
import { type GeneratedKeyAlgorithm, generateKeyPair, type PrivateKey } from '../src/keys/index.js';

const ALGORITHMS: readonly GeneratedKeyAlgorithm[] = ['ed25519', 'ecdsa-p256', 'ecdsa-p384'];
const TYPE = 'application/vnd.in-toto+json';
const PAYLOAD = utf8('{"hello":"world"}');

const [k1, k2, k3, outsider] = [0, 1, 2, 3].map(() => generateKeyPair({ algorithm: 'ed25519' })) as [
  PrivateKey,
  PrivateKey,
  PrivateKey,
  PrivateKey,
];

function signed(keys: readonly PrivateKey[], payload = PAYLOAD, payloadType = TYPE): Envelope {
  return parseEnvelope(signEnvelope({ payloadType, payload, keys }));
}

function toUrlSafe(b64: string): string {
  return b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

describe('pae', () => {
  it('is the spec example', () => {
    expect(decodeUtf8(pae('http://example.com/HelloWorld', utf8('hello world')))).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('counts UTF-8 bytes, not UTF-16 code units, and handles an empty payload', () => {
    expect(decodeUtf8(pae('tÿpe→', new Uint8Array()))).toBe('DSSEv1 8 tÿpe→ 0 ');
  });

  it('equals the naive concatenation for any type and payload', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 300 }), (type, body) => {
        const t = Buffer.from(type, 'utf8');
        const naive = Buffer.concat([
          Buffer.from(`DSSEv1 ${t.length} `),
          t,
          Buffer.from(` ${body.length} `),
          body,
        ]);
        expect(Buffer.from(pae(type, body)).equals(naive)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('sign and verify', () => {
  for (const algorithm of ALGORITHMS) {
    it(`round-trips with ${algorithm}, sync and async agreeing`, async () => {
      const key = generateKeyPair({ algorithm });
      const json = signEnvelope({ payloadType: TYPE, payload: PAYLOAD, keys: [key] });
      expect(json.signatures).toEqual([{ sig: expect.any(String), keyid: key.keyId }]);
      expect(Object.keys(json)).toEqual(['payload', 'payloadType', 'signatures']);
      const envelope = parseEnvelope(json);
      const sync = verifyEnvelopeSync(envelope, { keys: [key.publicKey] });
      expect(sync).toEqual({ payloadType: TYPE, payload: PAYLOAD, signerKeyIds: [key.keyId] });
      const backends =
        algorithm === 'ed25519'
          ? (['node', 'webcrypto', 'noble'] as const)
          : (['node', 'webcrypto'] as const);
      for (const backend of backends) {
        expect(await verifyEnvelope(envelope, { keys: [key.publicKey], backend })).toEqual(sync);
      }
      expect(Object.isFrozen(sync)).toBe(true);
    });
  }

  it('returns a copy of the verified payload, not the envelope bytes', async () => {
    const envelope = signed([k1]);
    const verified = await verifyEnvelope(envelope, { keys: [k1.publicKey] });
    envelope.payload[0] = 0x20;
    expect(verified.payload).toEqual(PAYLOAD);
  });

  it('accepts URL-safe unpadded base64 for payload and sig', () => {
    const json = signEnvelope({ payloadType: TYPE, payload: utf8('??>>??>>~'), keys: [k1] });
    const urlSafe = {
      payload: toUrlSafe(json.payload),
      payloadType: json.payloadType,
      signatures: json.signatures.map((s) => ({ sig: toUrlSafe(s.sig), keyid: s.keyid })),
    };
    expect(urlSafe.payload).not.toBe(json.payload);
    const verified = verifyEnvelopeSync(parseEnvelope(urlSafe), { keys: [k1.publicKey] });
    expect(decodeUtf8(verified.payload)).toBe('??>>??>>~');
  });

  it('refuses each tampered field with ERR_SIGNATURE_INVALID, sync and async', async () => {
    const good = signEnvelope({ payloadType: TYPE, payload: PAYLOAD, keys: [k1] });
    const sig = good.signatures[0]?.sig ?? '';
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    const tampered: EnvelopeJson[] = [
      { ...good, payload: encodeBase64(utf8('{"hello":"worle"}')) },
      { ...good, payloadType: 'application/json' },
      { ...good, signatures: [{ sig: flipped, keyid: k1.keyId }] },
    ];
    for (const json of tampered) {
      const envelope = parseEnvelope(json);
      expect(await codeOf(() => verifyEnvelopeSync(envelope, { keys: [k1.publicKey] }))).toBe(
        'ERR_SIGNATURE_INVALID',
      );
      expect(await codeOf(() => verifyEnvelope(envelope, { keys: [k1.publicKey] }))).toBe(
        'ERR_SIGNATURE_INVALID',
      );
    }
  });

  it('refuses an envelope with no signatures with ERR_NO_SIGNATURES', async () => {
    const envelope = parseEnvelope({ payload: '', payloadType: TYPE, signatures: [] });
    expect(await codeOf(() => verifyEnvelope(envelope, { keys: [k1.publicKey] }))).toBe('ERR_NO_SIGNATURES');
    expect(await codeOf(() => verifyEnvelopeSync(envelope, { keys: [k1.publicKey] }))).toBe(
      'ERR_NO_SIGNATURES',
    );
  });

  it('refuses a signature by an untrusted key', async () => {
    expect(
      await codeOf(() => verifyEnvelope(signed([outsider]), { keys: [k1.publicKey, k2.publicKey] })),
    ).toBe('ERR_SIGNATURE_INVALID');
  });
});

describe('keyid hints', () => {
  it('never trusts a hint: a keyid naming a trusted key does not make another signature count', async () => {
    const json = signEnvelope({ payloadType: TYPE, payload: PAYLOAD, keys: [outsider] });
    const lying = { ...json, signatures: json.signatures.map((s) => ({ ...s, keyid: k1.keyId })) };
    expect(
      await codeOf(() => verifyEnvelope(parseEnvelope(lying), { keys: [k1.publicKey, k2.publicKey] })),
    ).toBe('ERR_SIGNATURE_INVALID');
  });

  it('still tries every trusted key when the hint is wrong or unknown', async () => {
    const json = signEnvelope({ payloadType: TYPE, payload: PAYLOAD, keys: [k2] });
    for (const keyid of [k1.keyId, 'no-such-key', '']) {
      const hinted = { ...json, signatures: json.signatures.map((s) => ({ ...s, keyid })) };
      const verified = await verifyEnvelope(parseEnvelope(hinted), {
        keys: [k1.publicKey, k2.publicKey, k3.publicKey],
      });
      expect(verified.signerKeyIds).toEqual([k2.keyId]);
    }
  });

  it('recognises the hex key id and the cosign base64 form of the same hash', () => {
    expect(hintNamesKey(k1.keyId, k1.publicKey)).toBe(true);
    expect(hintNamesKey(Buffer.from(k1.keyId, 'hex').toString('base64'), k1.publicKey)).toBe(true);
    expect(hintNamesKey(k2.keyId, k1.publicKey)).toBe(false);
    expect(hintNamesKey('', k1.publicKey)).toBe(false);
  });
});

describe('thresholds', () => {
  const trusted = [k1.publicKey, k2.publicKey, k3.publicKey];

  it('is met by 2 of 3 distinct keys, sync and async', async () => {
    const envelope = signed([k1, k3]);
    const sync = verifyEnvelopeSync(envelope, { keys: trusted, threshold: 2 });
    expect([...sync.signerKeyIds].sort()).toEqual([k1.keyId, k3.keyId].sort());
    expect(await verifyEnvelope(envelope, { keys: trusted, threshold: 2 })).toEqual(sync);
  });

  it('counts one key signing twice once', async () => {
    const envelope = signed([k1, k1]);
    expect(envelope.signatures).toHaveLength(2);
    expect(await codeOf(() => verifyEnvelope(envelope, { keys: trusted, threshold: 2 }))).toBe(
      'ERR_THRESHOLD_NOT_MET',
    );
    expect(await codeOf(() => verifyEnvelopeSync(envelope, { keys: trusted, threshold: 2 }))).toBe(
      'ERR_THRESHOLD_NOT_MET',
    );
  });

  it('does not count a signature by an untrusted key', async () => {
    const envelope = signed([k1, outsider]);
    expect(await codeOf(() => verifyEnvelope(envelope, { keys: trusted, threshold: 2 }))).toBe(
      'ERR_THRESHOLD_NOT_MET',
    );
  });

  it('counts a trusted key listed twice once (so a threshold of 2 over it is a usage error)', async () => {
    const envelope = signed([k1, k2]);
    expect(
      await codeOf(() => verifyEnvelope(envelope, { keys: [k1.publicKey, k1.publicKey], threshold: 2 })),
    ).toBe('ERR_USAGE');
  });

  it('refuses thresholds outside 1..distinct keys and an empty key list', async () => {
    const envelope = signed([k1, k2, k3]);
    for (const threshold of [0, -1, 4, 1.5, Number.NaN]) {
      expect(await codeOf(() => verifyEnvelope(envelope, { keys: trusted, threshold }))).toBe('ERR_USAGE');
      expect(await codeOf(() => verifyEnvelopeSync(envelope, { keys: trusted, threshold }))).toBe(
        'ERR_USAGE',
      );
    }
    expect(await codeOf(() => verifyEnvelope(envelope, { keys: [] }))).toBe('ERR_USAGE');
  });
});

describe('parseEnvelope', () => {
  it('lists every bad path under the field name', () => {
    try {
      parseEnvelope(
        { payload: 'not base64!', payloadType: '', signatures: [{ sig: 5, keyid: 1 }, 'x'] },
        'env',
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      const err = e as ParseError;
      expect(err.code).toBe('ERR_MALFORMED_ENVELOPE');
      expect(err.issues.map((i) => i.path)).toEqual([
        'env.payload',
        'env.payloadType',
        'env.signatures[0].sig',
        'env.signatures[0].keyid',
        'env.signatures[1]',
      ]);
    }
  });

  it('refuses missing fields and non-objects', () => {
    expect(() => parseEnvelope({})).toThrow(/dsseEnvelope.payload: is required/);
    expect(() => parseEnvelope(null)).toThrow(/must be a DSSE envelope object/);
  });

  it('treats a missing keyid as empty and freezes the result', () => {
    const envelope = parseEnvelope({ payload: 'YQ==', payloadType: 't', signatures: [{ sig: 'YQ' }] });
    expect(envelope.signatures[0]?.keyid).toBe('');
    expect(Object.isFrozen(envelope)).toBe(true);
    expect(Object.isFrozen(envelope.signatures)).toBe(true);
  });
});

describe('properties', () => {
  function outcome(run: () => unknown): void {
    try {
      run();
    } catch (e) {
      if (!isVouchError(e)) throw e;
      expect(e.code).toMatch(/^ERR_/);
    }
  }

  it('parseEnvelope ends in an envelope or a VouchError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => outcome(() => parseEnvelope(v))),
      { numRuns: 10_000 },
    );
  });

  it('parseEnvelope on mutations of a valid envelope: a value or a VouchError; verification passes only unchanged', () => {
    const base = signEnvelope({ payloadType: TYPE, payload: PAYLOAD, keys: [k1] });
    const paths = [
      [],
      ['payload'],
      ['payloadType'],
      ['signatures'],
      ['signatures', 0],
      ['signatures', 0, 'sig'],
      ['signatures', 0, 'keyid'],
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(undefined, '', 'YQ==', 'YQ', '-_', [], {})),
        (path, replacement) => {
          const mutated = mutateJson(base, path, replacement);
          outcome(() => {
            const envelope = parseEnvelope(mutated);
            const verified = verifyEnvelopeSync(envelope, { keys: [k1.publicKey] });
            // Only a mutation that leaves the signed bytes as they were can verify.
            expect(verified.payloadType).toBe(TYPE);
            expect(verified.payload).toEqual(PAYLOAD);
          });
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
