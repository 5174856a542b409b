// Unit and property tests of reading cosign's legacy layer annotations (Rekor bundle, timestamp, certificate) as a bundle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf, parseErrorOf } from '../../../../test/support/errors.js';
import { parseBundle } from '../../src/bundle.js';
import { encodeBase64, utf8 } from '../../src/encoding.js';
import { generateKeyPair } from '../../src/keys/index.js';
import { cosignLayerBundle, parseCosignRekorBundle } from '../../src/sigstore/cosign-legacy.js';

const body = encodeBase64(
  utf8(JSON.stringify({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: { data: {}, signature: {} } })),
);
const rekor = {
  SignedEntryTimestamp: encodeBase64(new Uint8Array([1, 2, 3])),
  Payload: { body, integratedTime: 1700000000, logIndex: 42, logID: 'ab'.repeat(32) },
};
const key = generateKeyPair({ algorithm: 'ecdsa-p256' });
const certificatePem = key.publicKey.toPem(); // any PEM block decodes; trust is decided by the verifier, not here

describe('parseCosignRekorBundle', () => {
  it("decodes Go's RekorBundle: SET, body kind/apiVersion, integrated time, index, hex log id", () => {
    const parsed = parseCosignRekorBundle(rekor);
    expect(parsed).toMatchObject({
      kind: 'hashedrekord',
      apiVersion: '0.0.1',
      integratedTime: '1700000000',
      logIndex: '42',
      body,
    });
    expect(parsed.logId).toEqual(new Uint8Array(32).fill(0xab));
    expect(Object.isFrozen(parsed)).toBe(true);
  });

  it('names every bad field', () => {
    const e = parseErrorOf(() =>
      parseCosignRekorBundle({
        SignedEntryTimestamp: 5,
        Payload: { body: '!!', integratedTime: -1, logIndex: 1.5, logID: 'zz' },
      }),
    );
    expect(e.code).toBe('ERR_MALFORMED_BUNDLE');
    const paths = e.issues.map((i) => i.path).join(' ');
    for (const field of [
      'SignedEntryTimestamp',
      'Payload.body',
      'Payload.integratedTime',
      'Payload.logIndex',
      'Payload.logID',
    ])
      expect(paths).toContain(field);
    expect(parseErrorOf(() => parseCosignRekorBundle('x')).code).toBe('ERR_MALFORMED_BUNDLE');
  });

  it('random and mutated inputs end in a value or a VouchError (property, 10,000 runs)', () => {
    const mutated = fc.record({
      SignedEntryTimestamp: fc.oneof(fc.string(), fc.base64String(), fc.integer()),
      Payload: fc.oneof(
        fc.anything(),
        fc.record({
          body: fc.oneof(fc.constant(body), fc.base64String(), fc.string()),
          integratedTime: fc.oneof(fc.integer(), fc.double(), fc.string()),
          logIndex: fc.oneof(fc.nat(), fc.string()),
          logID: fc.oneof(fc.stringMatching(/^[0-9a-f]*$/), fc.string()),
        }),
      ),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutated), (input) => {
        expect(['value', 'error']).toContain(outcomeOf(() => parseCosignRekorBundle(input)));
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('cosignLayerBundle', () => {
  it('builds a v0.1 bundle the bundle parser reads: message signature, certificate, entry with inclusion promise, timestamp', () => {
    const payload = utf8('{"critical":{}}');
    const json = cosignLayerBundle({
      content: { type: 'messageSignature', payload, signature: encodeBase64(new Uint8Array([9])) },
      certificate: certificatePem,
      rekorBundle: rekor,
      rfc3161Timestamp: { SignedRFC3161Timestamp: encodeBase64(new Uint8Array([7])) },
    });
    const bundle = parseBundle(json);
    expect(bundle.version).toBe('0.1');
    expect(bundle.content.type).toBe('messageSignature');
    expect(bundle.verificationMaterial.content.type).toBe('x509CertificateChain');
    expect(bundle.verificationMaterial.tlogEntries[0]).toMatchObject({
      logIndex: '42',
      integratedTime: '1700000000',
      kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
    });
    expect(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
  });

  it('a key-based DSSE layer without a Rekor bundle has a public key and no log entries', () => {
    const envelope = utf8(JSON.stringify({ payloadType: 'x', payload: '', signatures: [{ sig: 'AA==' }] }));
    const bundle = parseBundle(cosignLayerBundle({ content: { type: 'dsseEnvelope', envelope } }));
    expect(bundle.content.type).toBe('dsseEnvelope');
    expect(bundle.verificationMaterial.content).toEqual({ type: 'publicKey', hint: '' });
    expect(bundle.verificationMaterial.tlogEntries).toEqual([]);
  });

  it('refuses a certificate annotation that is not PEM and a malformed timestamp annotation, naming them', () => {
    const content = { type: 'messageSignature', payload: utf8('{}'), signature: 'AA==' } as const;
    const cert = parseErrorOf(() => cosignLayerBundle({ content, certificate: 'not pem' }));
    expect(cert.code).toBe('ERR_MALFORMED_CERTIFICATE');
    expect(cert.issues[0]?.path).toContain('dev.sigstore.cosign/certificate');
    const ts = parseErrorOf(() =>
      cosignLayerBundle({ content, rfc3161Timestamp: { SignedRFC3161Timestamp: 1 } }),
    );
    expect(ts.issues[0]?.path).toContain('dev.sigstore.cosign/rfc3161timestamp');
  });
});
