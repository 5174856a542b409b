// The DSSE protocol test vector (and its derived negatives): PAE bytes and envelope verification, sync and async.
import {
  type PublicKey,
  pae,
  parseEnvelope,
  parsePublicKey,
  utf8,
  type VouchErrorCode,
  verifyEnvelope,
  verifyEnvelopeSync,
} from '@vouch/core';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../support/errors.js';
import { caseFile, loadVectorSet } from '../support/vectors.js';

const set = loadVectorSet('dsse-spec');

/** The code a failing case must end in: an envelope with no signature can never verify; any other is a bad signature. */
function expectedFailure(signatureCount: number): VouchErrorCode {
  return signatureCount === 0 ? 'ERR_NO_SIGNATURES' : 'ERR_SIGNATURE_INVALID';
}

describe('dsse-spec vectors', () => {
  it('has the four cases', () => {
    expect(set.cases).toHaveLength(4);
  });

  for (const c of set.cases) {
    describe(c.id, () => {
      const envelope = parseEnvelope(set.json(caseFile(c, 'envelope')));
      const key: PublicKey = parsePublicKey(set.text(caseFile(c, 'key')));

      if (c.files.expectedPae !== undefined) {
        it('PAE equals the spec bytes', () => {
          expect(Buffer.from(pae(envelope.payloadType, envelope.payload))).toEqual(
            set.bytes(caseFile(c, 'expectedPae')),
          );
        });
      }
      if (typeof c.payloadType === 'string') {
        it('parses the payload type and payload', () => {
          expect(envelope.payloadType).toBe(c.payloadType);
          if (typeof c.payloadUtf8 === 'string') expect(envelope.payload).toEqual(utf8(c.payloadUtf8));
        });
      }

      if (c.expect === 'pass') {
        it('verifies (sync, node async, webcrypto async)', async () => {
          const sync = verifyEnvelopeSync(envelope, { keys: [key] });
          expect(sync.signerKeyIds).toEqual([key.keyId]);
          expect(sync.payload).toEqual(envelope.payload);
          for (const backend of ['node', 'webcrypto'] as const) {
            const verified = await verifyEnvelope(envelope, { keys: [key], backend });
            expect(verified).toEqual(sync);
          }
        });
      } else {
        it(`is refused with ${expectedFailure(envelope.signatures.length)}`, async () => {
          const expected = expectedFailure(envelope.signatures.length);
          expect(await codeOf(() => verifyEnvelopeSync(envelope, { keys: [key] }))).toBe(expected);
          expect(await codeOf(() => verifyEnvelope(envelope, { keys: [key] }))).toBe(expected);
          expect(await codeOf(() => verifyEnvelope(envelope, { keys: [key], backend: 'webcrypto' }))).toBe(
            expected,
          );
        });
      }
    });
  }
});
