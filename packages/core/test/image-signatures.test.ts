// Thresholds across signature bundles: distinct trusted signers are counted; failures are reported, not counted.
import { describe, expect, it } from 'vitest';
import { ImageVerificationError, signImageDigest, verifyImageSignatures } from '../src/image-signature.js';
import { generateKeyPair } from '../src/keys/index.js';

const digest = `sha256:${'ab'.repeat(32)}`;
const [alice, bob, carol] = [generateKeyPair(), generateKeyPair({ algorithm: 'ed25519' }), generateKeyPair()];
const keys = [alice.publicKey, bob.publicKey, carol.publicKey];
const byAlice = signImageDigest({ digest, key: alice });
const byBob = signImageDigest({ digest, key: bob });
const otherDigest = signImageDigest({ digest: `sha256:${'cd'.repeat(32)}`, key: carol });

describe('verifyImageSignatures', () => {
  it('meets a 2-of-3 threshold with two distinct signers and names both', async () => {
    const result = await verifyImageSignatures({ bundles: [byAlice, byBob], digest, keys, threshold: 2 });
    expect([...result.signerKeyIds].sort()).toEqual([alice.keyId, bob.keyId].sort());
    expect(result.checks.at(-1)).toMatchObject({ id: 'threshold', status: 'pass' });
    expect(result.verified).toHaveLength(2);
  });

  it('counts one key twice as one signer', async () => {
    const error = await verifyImageSignatures({
      bundles: [byAlice, byAlice],
      digest,
      keys,
      threshold: 2,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ImageVerificationError);
    expect(error.code).toBe('ERR_THRESHOLD_NOT_MET');
  });

  it('does not count a bundle for another digest, and reports it with its own check', async () => {
    const error = await verifyImageSignatures({
      bundles: [byAlice, otherDigest],
      digest,
      keys,
      threshold: 2,
    }).catch((e) => e);
    expect(error.code).toBe('ERR_THRESHOLD_NOT_MET');
    expect(error.checks).toContainEqual(
      expect.objectContaining({ id: 'subject-digest', status: 'fail', code: 'ERR_DIGEST_MISMATCH' }),
    );
    // With threshold 1 the good bundle is enough, as with cosign.
    const ok = await verifyImageSignatures({ bundles: [otherDigest, byAlice], digest, keys });
    expect(ok.signerKeyIds).toEqual([alice.keyId]);
  });

  it('throws the single bundle error unchanged, and the first code when nothing verified', async () => {
    await expect(verifyImageSignatures({ bundles: [otherDigest], digest, keys })).rejects.toMatchObject({
      code: 'ERR_DIGEST_MISMATCH',
    });
    await expect(
      verifyImageSignatures({ bundles: [otherDigest, otherDigest], digest, keys, threshold: 2 }),
    ).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
  });

  it('refuses thresholds outside 1..distinct keys and an empty bundle list', async () => {
    for (const threshold of [0, 4, 1.5]) {
      await expect(
        verifyImageSignatures({ bundles: [byAlice], digest, keys, threshold }),
      ).rejects.toMatchObject({
        code: 'ERR_USAGE',
      });
    }
    await expect(
      verifyImageSignatures({
        bundles: [byAlice],
        digest,
        keys: [alice.publicKey, alice.publicKey],
        threshold: 2,
      }),
    ).rejects.toMatchObject({ code: 'ERR_USAGE' });
    await expect(verifyImageSignatures({ bundles: [], digest, keys })).rejects.toMatchObject({
      code: 'ERR_USAGE',
    });
  });
});
