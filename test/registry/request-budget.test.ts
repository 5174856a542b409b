// The request budget of verifyImage against the real registry, counted at a proxy: fallback tag ≤ 5, referrers API ≤ 4.
import { createSimpleSigningPayload, encodeBase64, VerificationError } from '@vouch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, type RepositoryTarget } from '../../packages/oci/src/index.js';
import { generateKeyPair, signImage, verifyImage } from '../../packages/vouch/src/index.js';
import { writeLegacySignature } from '../support/cosign-legacy.js';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy.js';
import { pushTestImage } from '../support/images.js';
import { type ReferrersProxy, startReferrersProxy } from '../support/referrers-proxy.js';
import { type RunningRegistry, startRegistry } from '../support/registry.js';

const _utf8 = (text: string) => new TextEncoder().encode(text);

/** Pushes a one-layer OCI image whose layer holds `content`, tagged `v1`; returns the manifest digest. */
async function pushImage(client: RegistryClient, target: RepositoryTarget, content: string): Promise<string> {
  return (await pushTestImage({ client, target, layer: content, reference: 'v1' })).digest.value;
}

const referrersCalls = (p: CountingProxy) => p.requests.filter((r) => r.includes('/referrers/')).length;
const legacyReads = (p: CountingProxy) => p.requests.filter((r) => /\.sig(?:$|\?)/.test(r)).length;

describe('verifyImage request budget (counted at a proxy in front of the real registry)', () => {
  let registry: RunningRegistry;
  let referrers: ReferrersProxy;
  let direct: CountingProxy;
  let viaReferrers: CountingProxy;
  const client = new RegistryClient();
  const key = generateKeyPair();
  beforeAll(async () => {
    registry = await startRegistry();
    referrers = await startReferrersProxy(registry.url);
    direct = await startCountingProxy(registry.url);
    viaReferrers = await startCountingProxy(referrers.url);
  });
  afterAll(async () => {
    await viaReferrers?.close();
    await direct?.close();
    await referrers?.close();
    await registry?.stop();
  });

  it('fallback tag: a key-signed image by tag costs at most 5 requests, 4 once the client knows the registry has no referrers API', async () => {
    const image = `${direct.host}/budget/fallback:v1`;
    await pushImage(client, { registry: direct.host, repository: 'budget/fallback' }, 'fallback');
    const signed = await signImage({ image, key, registry: {} });
    expect(signed.attached?.via).toBe('fallback-tag');
    const options = {};
    direct.reset();
    const first = await verifyImage({ image, keys: [key.publicKey], registry: options });
    expect(first.signerKeyIds).toEqual([key.keyId]);
    expect(direct.count, direct.requests.join('\n')).toBeLessThanOrEqual(5);
    expect(referrersCalls(direct)).toBe(1);
    // The bundle met the threshold: cosign's legacy .sig tag was not read.
    expect(legacyReads(direct)).toBe(0);
    direct.reset();
    await verifyImage({ image, keys: [key.publicKey], registry: options });
    expect(referrersCalls(direct)).toBe(0);
    expect(direct.count, direct.requests.join('\n')).toBeLessThanOrEqual(4);
  });

  it('referrers API: a key-signed image by tag costs at most 4 requests', async () => {
    const image = `${viaReferrers.host}/budget/referrers:v1`;
    await pushImage(client, { registry: viaReferrers.host, repository: 'budget/referrers' }, 'referrers');
    const signed = await signImage({ image, key, registry: {} });
    expect(signed.attached?.via).toBe('referrers-api');
    viaReferrers.reset();
    const result = await verifyImage({ image, keys: [key.publicKey], registry: {} });
    expect(result.signerKeyIds).toEqual([key.keyId]);
    expect(viaReferrers.count, viaReferrers.requests.join('\n')).toBeLessThanOrEqual(4);
    expect(legacyReads(viaReferrers)).toBe(0);
  });

  it('still reads the legacy .sig tag when the attached bundles do not meet the threshold', async () => {
    const repository = 'budget/legacy';
    const target = { registry: direct.host, repository };
    const digest = await pushImage(client, target, 'legacy');
    const image = `${direct.host}/${repository}:v1`;
    const legacyKey = generateKeyPair();
    const payload = createSimpleSigningPayload({ reference: `${direct.host}/${repository}`, digest });
    await writeLegacySignature({
      client,
      target,
      subject: digest,
      layers: [{ payload, signature: encodeBase64(legacyKey.sign(payload)) }],
    });
    await signImage({ image, key, registry: {} });
    direct.reset();
    // Two distinct signers required: the bundle gives one, the legacy signature the other.
    const both = await verifyImage({
      image,
      keys: [key.publicKey, legacyKey.publicKey],
      threshold: 2,
      registry: {},
    });
    expect([...both.signerKeyIds].sort()).toEqual([key.keyId, legacyKey.keyId].sort());
    expect(both.legacySignatures).toHaveLength(1);
    expect(legacyReads(direct)).toBe(1);
    // Only the legacy signer is trusted: the bundle does not count, so the legacy tag is read and decides.
    const legacyOnly = await verifyImage({ image, keys: [legacyKey.publicKey], registry: {} });
    expect(legacyOnly.signerKeyIds).toEqual([legacyKey.keyId]);
    // Neither is trusted: refused.
    await expect(
      verifyImage({ image, keys: [generateKeyPair().publicKey], registry: {} }),
    ).rejects.toBeInstanceOf(VerificationError);
  });
});
