// Unit tests of key-based blob signatures (the image-signature format with a file digest and name).
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { signBlob, verifyBlob } from '../src/blob.js';
import { digestBytes } from '../src/digest.js';
import { decodeUtf8, utf8 } from '../src/encoding.js';
import { ImageVerificationError, signImageDigest } from '../src/image-signature.js';
import { generateKeyPair } from '../src/keys/index.js';

const key = generateKeyPair({ algorithm: 'ecdsa-p256' });
const digest = digestBytes('sha256', utf8('hello blob'));
const keys = [key.publicKey];

describe('signBlob / verifyBlob', () => {
  it('round-trips with a name, returning the verified subject', async () => {
    const bundle = signBlob({ digest, name: 'app.tar.gz', key });
    expect(decodeUtf8(Buffer.from(bundle.dsseEnvelope.payload, 'base64'))).toContain(
      `"subject":[{"name":"app.tar.gz","digest":{"sha256":"${digest.hex}"}}]`,
    );
    const result = await verifyBlob({ bundle, digest, keys });
    expect(result.subject.name).toBe('app.tar.gz');
    expect(result.signerKeyIds).toEqual([key.keyId]);
    expect(result.checks.every((c) => c.status === 'pass')).toBe(true);
  });

  it('round-trips without a name', async () => {
    const result = await verifyBlob({ bundle: signBlob({ digest, key }), digest: digest.value, keys });
    expect(result.subject.name).toBeUndefined();
  });

  it('refuses another blob with ERR_DIGEST_MISMATCH and the checks list', async () => {
    const bundle = signBlob({ digest, name: 'a', key });
    const otherDigest = digestBytes('sha256', utf8('other blob'));
    const error = await verifyBlob({ bundle, digest: otherDigest, keys }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageVerificationError);
    expect((error as ImageVerificationError).code).toBe('ERR_DIGEST_MISMATCH');
    expect((error as ImageVerificationError).message).toContain(
      `expected subject digest ${otherDigest.value}, found ${digest.value}`,
    );
  });

  it('refuses an untrusted signer', async () => {
    const other = generateKeyPair({ algorithm: 'ecdsa-p256' });
    expect(await codeOf(() => verifyBlob({ bundle: signBlob({ digest, key: other }), digest, keys }))).toBe(
      'ERR_UNTRUSTED_KEY',
    );
  });

  it('shares the image format: a blob bundle and an image bundle over the same digest are interchangeable', async () => {
    const image = signImageDigest({ digest, key });
    expect((await verifyBlob({ bundle: image, digest, keys })).signerKeyIds).toEqual([key.keyId]);
  });
});
