// Unit and property tests of key-based image signatures: sign, verify, every refusal with its own code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { mutatedJson } from '../../../test/support/json-mutation.js';
import { type BundleJson, encodeBundle, serializeBundle } from '../src/bundle.js';
import { parseDigest } from '../src/digest.js';
import { signEnvelope } from '../src/dsse.js';
import { decodeUtf8, encodeBase64, utf8 } from '../src/encoding.js';
import { isVouchError, VerificationError, type VouchErrorCode } from '../src/errors.js';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  ImageVerificationError,
  IN_TOTO_PAYLOAD_TYPE,
  signImageDigest,
  signStatementBundle,
  verifyImageSignature,
} from '../src/image-signature.js';
import { type GeneratedKeyAlgorithm, generateKeyPair } from '../src/keys/index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests edit untyped bundle JSON in place, field by field
type LooseJson = any;

const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${HEX}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const key = generateKeyPair({ algorithm: 'ed25519' });
const other = generateKeyPair({ algorithm: 'ed25519' });
const keys = [key.publicKey];

async function failure(run: () => Promise<unknown>): Promise<ImageVerificationError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof ImageVerificationError) return e;
    throw e;
  }
  throw new Error('expected an ImageVerificationError');
}

function copy(bundle: BundleJson): LooseJson {
  return JSON.parse(serializeBundle(bundle));
}

/** A bundle signed by `signer` over an arbitrary payload (for payload-type and statement refusals). */
function bundleOver(payload: Uint8Array, payloadType = IN_TOTO_PAYLOAD_TYPE, signer = key): BundleJson {
  return encodeBundle({
    envelope: signEnvelope({ payloadType, payload, keys: [signer] }),
    publicKeyHint: signer.keyId,
  });
}

describe('signImageDigest', () => {
  it('writes cosign v3 statement bytes in DSSE in a v0.3 bundle hinted by the key id', () => {
    const bundle = signImageDigest({ digest: DIGEST, key });
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.verificationMaterial.publicKey.hint).toBe(key.keyId);
    expect(bundle.dsseEnvelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    expect(decodeUtf8(Buffer.from(bundle.dsseEnvelope.payload, 'base64'))).toBe(
      `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${HEX}"}}],` +
        `"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}`,
    );
  });

  it('refuses a digest that is not sha256, naming digest', () => {
    expect(() => signImageDigest({ digest: `sha512:${'c'.repeat(128)}`, key })).toThrow(
      /^digest: must be a sha256 digest/,
    );
    expect(() => signImageDigest({ digest: 'sha256:abc', key })).toThrow(
      expect.objectContaining({ code: 'ERR_MALFORMED_DIGEST' }),
    );
  });
});

describe('verifyImageSignature', () => {
  for (const algorithm of ['ed25519', 'ecdsa-p256', 'ecdsa-p384'] as GeneratedKeyAlgorithm[]) {
    it(`round-trips with ${algorithm} and reports every check passed`, async () => {
      const k = generateKeyPair({ algorithm });
      const bundle = signImageDigest({ digest: parseDigest(DIGEST), key: k, annotations: { env: 'prod' } });
      for (const backend of ['node', 'webcrypto'] as const) {
        const result = await verifyImageSignature({
          bundle,
          digest: DIGEST,
          keys: [other.publicKey, k.publicKey],
          backend,
        });
        expect(result.digest.value).toBe(DIGEST);
        expect(result.signerKeyIds).toEqual([k.keyId]);
        expect(result.annotations).toEqual({ env: 'prod' });
        expect(result.statement.predicateType).toBe(COSIGN_SIGN_PREDICATE_TYPE);
        expect(result.checks.map((c) => [c.id, c.status])).toEqual([
          ['bundle', 'pass'],
          ['signature', 'pass'],
          ['payload-type', 'pass'],
          ['statement', 'pass'],
          ['predicate-type', 'pass'],
          ['subject-digest', 'pass'],
        ]);
      }
    });
  }

  it('reads the bundle as JSON text too', async () => {
    const bundle = serializeBundle(signImageDigest({ digest: DIGEST, key }));
    expect((await verifyImageSignature({ bundle, digest: DIGEST, keys })).signerKeyIds).toEqual([key.keyId]);
  });

  it('refuses each tampering with its own code, naming the failed check and listing all checks', async () => {
    const good = signImageDigest({ digest: DIGEST, key });
    const payload = copy(good);
    payload.dsseEnvelope.payload = encodeBase64(
      utf8(decodeUtf8(Buffer.from(good.dsseEnvelope.payload, 'base64')).replace(HEX, 'b'.repeat(64))),
    );
    const payloadType = copy(good);
    payloadType.dsseEnvelope.payloadType = 'application/json';
    const signature = copy(good);
    signature.dsseEnvelope.signatures[0].sig = encodeBase64(other.sign(utf8('x')));
    const hint = copy(good);
    hint.verificationMaterial.publicKey.hint = other.keyId;

    const cases: [string, () => Promise<unknown>, VouchErrorCode, string][] = [
      [
        'payload',
        () => verifyImageSignature({ bundle: payload, digest: DIGEST, keys }),
        'ERR_SIGNATURE_INVALID',
        'signature',
      ],
      [
        'payloadType',
        () => verifyImageSignature({ bundle: payloadType, digest: DIGEST, keys }),
        'ERR_SIGNATURE_INVALID',
        'signature',
      ],
      [
        'signature',
        () => verifyImageSignature({ bundle: signature, digest: DIGEST, keys }),
        'ERR_SIGNATURE_INVALID',
        'signature',
      ],
      [
        'hint',
        () => verifyImageSignature({ bundle: hint, digest: DIGEST, keys }),
        'ERR_MALFORMED_BUNDLE',
        'bundle',
      ],
      [
        'digest',
        () => verifyImageSignature({ bundle: good, digest: OTHER, keys }),
        'ERR_DIGEST_MISMATCH',
        'subject-digest',
      ],
      [
        'predicateType',
        () =>
          verifyImageSignature({
            bundle: good,
            digest: DIGEST,
            keys,
            predicateType: 'https://slsa.dev/provenance/v1',
          }),
        'ERR_PREDICATE_TYPE',
        'predicate-type',
      ],
      [
        'signed payload type',
        () =>
          verifyImageSignature({ bundle: bundleOver(utf8('{}'), 'application/json'), digest: DIGEST, keys }),
        'ERR_PAYLOAD_TYPE',
        'payload-type',
      ],
      [
        'signed non-statement',
        () => verifyImageSignature({ bundle: bundleOver(utf8('{"_type":"x"}')), digest: DIGEST, keys }),
        'ERR_MALFORMED_STATEMENT',
        'statement',
      ],
      [
        'signed other predicate',
        () =>
          verifyImageSignature({
            bundle: signStatementBundle({
              digest: DIGEST,
              predicateType: 'https://example.com/p',
              predicate: {},
              key,
            }),
            digest: DIGEST,
            keys,
          }),
        'ERR_PREDICATE_TYPE',
        'predicate-type',
      ],
      [
        'media type',
        () =>
          verifyImageSignature({
            bundle: { ...good, mediaType: 'application/vnd.dev.sigstore.bundle.v0.4+json' },
            digest: DIGEST,
            keys,
          }),
        'ERR_UNSUPPORTED_MEDIA_TYPE',
        'bundle',
      ],
    ];
    for (const [what, run, code, check] of cases) {
      const error = await failure(run);
      expect(error.code, what).toBe(code);
      expect(error).toBeInstanceOf(VerificationError);
      expect(error.message, what).toMatch(new RegExp(`^${check} check failed: `));
      expect(error.checks).toHaveLength(6);
      const index = error.checks.findIndex((c) => c.status === 'fail');
      expect(error.checks[index], what).toMatchObject({ id: check, code });
      expect(
        error.checks.slice(index + 1).every((c) => c.status === 'skip'),
        what,
      ).toBe(true);
      expect(
        error.checks.slice(0, index).every((c) => c.status === 'pass'),
        what,
      ).toBe(true);
    }
  });

  it('says which digest it expected and which it found', async () => {
    const error = await failure(() =>
      verifyImageSignature({ bundle: signImageDigest({ digest: DIGEST, key }), digest: OTHER, keys }),
    );
    expect(error.message).toContain(`expected subject digest ${OTHER}, found ${DIGEST}`);
  });

  it('distinguishes an untrusted signer (ERR_UNTRUSTED_KEY) from a bad signature (ERR_SIGNATURE_INVALID)', async () => {
    const byOther = signImageDigest({ digest: DIGEST, key: other });
    expect(await codeOf(() => verifyImageSignature({ bundle: byOther, digest: DIGEST, keys }))).toBe(
      'ERR_UNTRUSTED_KEY',
    );
    // The same signature claiming to be by the trusted key: a trusted key was tried and the signature is bad.
    const claimed = copy(byOther);
    claimed.verificationMaterial.publicKey.hint = key.keyId;
    claimed.dsseEnvelope.signatures[0].keyid = key.keyId;
    expect(await codeOf(() => verifyImageSignature({ bundle: claimed, digest: DIGEST, keys }))).toBe(
      'ERR_SIGNATURE_INVALID',
    );
  });

  it('never trusts the hint: a good signature with a rewritten hint still verifies with the trusted key', async () => {
    const rehinted = copy(signImageDigest({ digest: DIGEST, key }));
    rehinted.verificationMaterial.publicKey.hint = 'some-other-name';
    rehinted.dsseEnvelope.signatures[0].keyid = 'some-other-name';
    expect((await verifyImageSignature({ bundle: rehinted, digest: DIGEST, keys })).signerKeyIds).toEqual([
      key.keyId,
    ]);
  });

  it('refuses a message-signature bundle with ERR_MALFORMED_BUNDLE', async () => {
    const good = copy(signImageDigest({ digest: DIGEST, key }));
    delete good.dsseEnvelope;
    good.messageSignature = {
      messageDigest: { algorithm: 'SHA2_256', digest: Buffer.from(HEX, 'hex').toString('base64') },
      signature: 'YQ==',
    };
    const error = await failure(() => verifyImageSignature({ bundle: good, digest: DIGEST, keys }));
    expect(error.code).toBe('ERR_MALFORMED_BUNDLE');
    expect(error.message).toMatch(/expected a dsseEnvelope bundle, found messageSignature/);
  });

  it('throws usage and digest errors before any check', async () => {
    const bundle = signImageDigest({ digest: DIGEST, key });
    expect(await codeOf(() => verifyImageSignature({ bundle, digest: DIGEST, keys: [] }))).toBe('ERR_USAGE');
    expect(await codeOf(() => verifyImageSignature({ bundle, digest: 'sha256:ABC', keys }))).toBe(
      'ERR_MALFORMED_DIGEST',
    );
  });

  it('never resolves for a mutated bundle unless unchanged, and only ever throws VouchErrors', async () => {
    const good = signImageDigest({ digest: DIGEST, key, annotations: { a: 'b' } });
    // Removal (undefined) weighs seven in fifteen: most bundle fields are required.
    const replacements = fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 7 },
      { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 4 },
      { arbitrary: fc.constantFrom('', 'YQ==', 'e30=', IN_TOTO_PAYLOAD_TYPE, [], {}, null), weight: 4 },
    );
    await fc.assert(
      fc.asyncProperty(mutatedJson([copy(good)], replacements), async (value) => {
        try {
          const result = await verifyImageSignature({ bundle: value, digest: DIGEST, keys });
          // Resolving is allowed only when the signed bytes are untouched (hints are unauthenticated by design).
          const after = value as { dsseEnvelope: { payload: string; payloadType: string } };
          expect(after.dsseEnvelope.payload).toBe(good.dsseEnvelope.payload);
          expect(after.dsseEnvelope.payloadType).toBe(good.dsseEnvelope.payloadType);
          expect(result.annotations).toEqual({ a: 'b' });
        } catch (e) {
          if (!isVouchError(e)) throw e;
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
