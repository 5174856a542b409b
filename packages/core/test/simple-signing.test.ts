// Unit and property tests of cosign's legacy simple-signing payload: build, parse, verify-then-parse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { decodeUtf8, encodeBase64, utf8 } from '../src/encoding.js';
import { isVouchError } from '../src/errors.js';
import { generateKeyPair } from '../src/keys/index.js';
import {
  createSimpleSigningPayload,
  parseSimpleSigningPayload,
  SIMPLE_SIGNING_TYPE,
  verifySimpleSigning,
} from '../src/simple-signing.js';

const HEX = 'c'.repeat(64);
const DIGEST = `sha256:${HEX}`;
const key = generateKeyPair({ algorithm: 'ecdsa-p256' });
const keys = [key.publicKey];

function signedText(text: string): { payload: Uint8Array; signature: string } {
  const payload = utf8(text);
  return { payload, signature: encodeBase64(key.sign(payload)) };
}

describe('createSimpleSigningPayload', () => {
  it('writes the bytes cosign writes', () => {
    expect(decodeUtf8(createSimpleSigningPayload({ reference: 'ghcr.io/acme/app', digest: DIGEST }))).toBe(
      `{"critical":{"identity":{"docker-reference":"ghcr.io/acme/app"},"image":{"docker-manifest-digest":"${DIGEST}"},` +
        `"type":"cosign container image signature"},"optional":null}`,
    );
    expect(
      decodeUtf8(createSimpleSigningPayload({ reference: 'r', digest: DIGEST, annotations: { a: 'b' } })),
    ).toMatch(/"optional":\{"a":"b"\}\}$/);
  });
});

describe('verifySimpleSigning', () => {
  it('verifies what it signs and returns the typed fields', async () => {
    const payload = createSimpleSigningPayload({
      reference: 'ghcr.io/acme/app',
      digest: DIGEST,
      annotations: { a: 'b' },
    });
    for (const signature of [encodeBase64(key.sign(payload)), key.sign(payload)]) {
      const result = await verifySimpleSigning({ payload, signature, keys, digest: DIGEST });
      expect(result.signerKeyId).toBe(key.keyId);
      expect(result.payload.dockerReference).toBe('ghcr.io/acme/app');
      expect(result.payload.manifestDigest.value).toBe(DIGEST);
      expect(result.payload.optional).toEqual({ a: 'b' });
    }
  });

  it('matches the keys and the type case-insensitively, as cosign does', async () => {
    const { payload, signature } = signedText(
      `{"Critical":{"Identity":{"Docker-Reference":"r"},"IMAGE":{"Docker-manifest-digest":"${DIGEST}"},"Type":"Cosign Container Image Signature"}}`,
    );
    const result = await verifySimpleSigning({ payload, signature, keys, digest: DIGEST });
    expect(result.payload.type).toBe('Cosign Container Image Signature');
    expect(result.payload.optional).toBeNull();
  });

  it('refuses a digest mismatch with ERR_DIGEST_MISMATCH naming both digests', async () => {
    const payload = createSimpleSigningPayload({ reference: 'r', digest: DIGEST });
    const other = `sha256:${'d'.repeat(64)}`;
    await expect(
      verifySimpleSigning({ payload, signature: key.sign(payload), keys, digest: other }),
    ).rejects.toThrow(`critical.image.docker-manifest-digest: expected ${other}, found ${DIGEST}`);
    expect(
      await codeOf(() => verifySimpleSigning({ payload, signature: key.sign(payload), keys, digest: other })),
    ).toBe('ERR_DIGEST_MISMATCH');
  });

  it('verifies the signature before parsing: unsigned garbage is ERR_SIGNATURE_INVALID, not a parse error', async () => {
    const garbage = utf8('not json at all');
    expect(
      await codeOf(() => verifySimpleSigning({ payload: garbage, signature: 'YQ==', keys, digest: DIGEST })),
    ).toBe('ERR_SIGNATURE_INVALID');
    const other = generateKeyPair({ algorithm: 'ecdsa-p256' });
    const payload = createSimpleSigningPayload({ reference: 'r', digest: DIGEST });
    expect(
      await codeOf(() =>
        verifySimpleSigning({ payload, signature: other.sign(payload), keys, digest: DIGEST }),
      ),
    ).toBe('ERR_SIGNATURE_INVALID');
  });

  it('refuses other types, ambiguous keys, malformed signatures', async () => {
    const wrongType = signedText(
      `{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"atomic container signature"}}`,
    );
    expect(await codeOf(() => verifySimpleSigning({ ...wrongType, keys, digest: DIGEST }))).toBe(
      'ERR_PAYLOAD_TYPE',
    );
    const ambiguous = signedText(
      `{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"${DIGEST}","Docker-Manifest-Digest":"sha256:${'e'.repeat(64)}"},"type":"${SIMPLE_SIGNING_TYPE}"}}`,
    );
    expect(await codeOf(() => verifySimpleSigning({ ...ambiguous, keys, digest: DIGEST }))).toBe(
      'ERR_MALFORMED_PAYLOAD',
    );
    const payload = createSimpleSigningPayload({ reference: 'r', digest: DIGEST });
    expect(
      await codeOf(() => verifySimpleSigning({ payload, signature: 'not base64!', keys, digest: DIGEST })),
    ).toBe('ERR_MALFORMED_SIGNATURE');
  });
});

describe('parseSimpleSigningPayload', () => {
  it('lists every bad path', () => {
    const run = () =>
      parseSimpleSigningPayload(
        utf8('{"critical":{"identity":{},"image":{"docker-manifest-digest":"sha256:x"}}}'),
      );
    expect(run).toThrow(/critical\.identity\.docker-reference: is required/);
    expect(run).toThrow(/critical\.type: is required/);
    expect(run).toThrow(/critical\.image\.docker-manifest-digest: sha256 hex must be 64 characters long/);
  });

  it('ends in a payload or a VouchError on arbitrary JSON and bytes', () => {
    const check = (bytes: Uint8Array): void => {
      try {
        parseSimpleSigningPayload(bytes);
      } catch (e) {
        if (!isVouchError(e)) throw e;
        expect(e.code).toMatch(/^ERR_MALFORMED_(PAYLOAD|JSON|DIGEST)$/);
      }
    };
    fc.assert(
      fc.property(fc.jsonValue(), (v) => check(utf8(JSON.stringify(v) ?? 'null'))),
      { numRuns: 10_000 },
    );
    const base = JSON.parse(decodeUtf8(createSimpleSigningPayload({ reference: 'r', digest: DIGEST })));
    fc.assert(
      fc.property(
        fc.constantFrom(
          'critical',
          'identity',
          'image',
          'type',
          'optional',
          'docker-reference',
          'docker-manifest-digest',
        ),
        fc.jsonValue({ maxDepth: 2 }),
        (field, replacement) => {
          const text = JSON.stringify(base).replace(
            `"${field}":`,
            `"${field}":${JSON.stringify(replacement)},"x${field}":`,
          );
          check(utf8(text));
        },
      ),
      { numRuns: 10_000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => check(b)),
      { numRuns: 10_000 },
    );
  });
});
