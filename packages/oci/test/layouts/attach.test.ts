// Attaching Sigstore bundles in cosign v3's layout to a real registry without the referrers API (distribution 2.8):
// the fallback tag, discovery, the artifactType filter, concurrent writers, tampered and oversized bundles.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Digest, isObject, utf8 } from '@vouch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../../../test/support/errors.js';
import { type RunningRegistry, startRegistry } from '../../../../test/support/registry.js';
import { SIGSTORE_BUNDLE_V03 } from '../../src/artifact-types.js';
import { attachBundle, readFallbackIndex } from '../../src/attach.js';
import { fallbackTag, parseImageIndex, parseImageManifest } from '../../src/descriptor.js';
import { fetchBundles, listReferrers } from '../../src/discover.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/media-types.js';
import { ReferrersClient } from '../../src/referrers-client.js';
import { pushSmallImage, testBundle } from './fixtures.js';

const FAST = { retries: 2, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 10_000 } as const;
const SIGN = 'https://sigstore.dev/cosign/sign/v1';
const PROVENANCE = 'https://slsa.dev/provenance/v1';

describe('attachBundle and discovery on distribution 2.8 (fallback tag)', () => {
  let registry: RunningRegistry;
  let client: ReferrersClient;
  beforeAll(async () => {
    registry = await startRegistry();
    client = new ReferrersClient({ http: FAST });
  });
  afterAll(async () => registry?.stop());

  const target = (repository: string) => ({ registry: registry.host, repository });

  it('writes cosign v3 layout, lists it in the fallback index, and reads the bundle back', async () => {
    const t = target('app/one');
    const image = await pushSmallImage(client, t, 'one');
    const bundle = testBundle('one', SIGN);
    const created = new Date('2026-01-02T03:04:05.678Z');
    const result = await attachBundle({
      client,
      target: t,
      subject: image,
      bundle,
      predicateType: SIGN,
      created,
    });
    expect(result.via).toBe('fallback-tag');

    const got = await client.getManifest({ ...t, digest: result.digest });
    const manifest = parseImageManifest(got.json);
    expect(got.mediaType).toBe(OCI_MANIFEST);
    expect(manifest.artifactType).toBe(SIGSTORE_BUNDLE_V03);
    expect(manifest.config.mediaType).toBe('application/vnd.oci.empty.v1+json');
    expect(manifest.config.size).toBe(2);
    expect(
      new TextDecoder().decode(await client.getBlob({ target: t, digest: manifest.config.digest })),
    ).toBe('{}');
    expect(manifest.layers.map((l) => [l.mediaType, l.size])).toEqual([
      [SIGSTORE_BUNDLE_V03, bundle.byteLength],
    ]);
    expect(manifest.subject?.digest.value).toBe(image.digest.value);
    expect(manifest.subject?.mediaType).toBe(OCI_MANIFEST);
    expect(manifest.subject?.size).toBe(image.size);
    expect(manifest.annotations).toEqual({
      'org.opencontainers.image.created': '2026-01-02T03:04:05Z',
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': SIGN,
    });

    const index = await client.getManifest({ ...t, tag: fallbackTag(image.digest) });
    expect(index.mediaType).toBe(OCI_INDEX);
    const entries = parseImageIndex(index.json).manifests;
    expect(entries).toHaveLength(1);
    expect(entries[0]?.digest.value).toBe(result.digest.value);
    expect(entries[0]?.artifactType).toBe(SIGSTORE_BUNDLE_V03);
    expect(entries[0]?.annotations?.['dev.sigstore.bundle.predicateType']).toBe(SIGN);

    const listed = await listReferrers({ client, target: t, subject: image.digest });
    expect(listed.via).toBe('fallback-tag');
    expect(listed.descriptors.map((d) => d.digest.value)).toEqual([result.digest.value]);
    const bundles = await fetchBundles({ client, target: t, subject: image.digest });
    expect(bundles).toHaveLength(1);
    expect(bundles[0]?.manifestDigest.value).toBe(result.digest.value);
    expect(Buffer.from(bundles[0]?.bundle ?? []).equals(Buffer.from(bundle))).toBe(true);
  });

  it('attaches three bundles (one a message signature), filters by artifactType, and ignores other referrers', async () => {
    const t = target('app/three');
    const image = await pushSmallImage(client, t, 'three');
    const other = await pushSmallImage(client, t, 'other');
    const a = await attachBundle({
      client,
      target: t,
      subject: image,
      bundle: testBundle('a', SIGN),
      predicateType: SIGN,
    });
    const b = await attachBundle({
      client,
      target: t,
      subject: image,
      bundle: testBundle('b', PROVENANCE),
      predicateType: PROVENANCE,
    });
    const c = await attachBundle({
      client,
      target: t,
      subject: image,
      bundle: testBundle('c', undefined),
      predicateType: SIGN,
    });
    // A non-bundle referrer in the same index (e.g. an SBOM pushed by another tool).
    const sbomType = 'application/spdx+json';
    const all = await readFallbackIndex({ client, target: t, subject: image.digest });
    const sbom = {
      mediaType: OCI_MANIFEST,
      digest: other.digest.value,
      size: other.size,
      artifactType: sbomType,
    };
    await client.putManifest({
      target: t,
      reference: fallbackTag(image.digest),
      bytes: utf8(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...all.raw, sbom] })),
      mediaType: OCI_INDEX,
    });

    const everything = await listReferrers({ client, target: t, subject: image.digest });
    expect(everything.descriptors.map((d) => d.digest.value)).toEqual([
      a.digest.value,
      b.digest.value,
      c.digest.value,
      other.digest.value,
    ]);
    const onlyBundles = await listReferrers({
      client,
      target: t,
      subject: image.digest,
      artifactType: SIGSTORE_BUNDLE_V03,
    });
    expect(onlyBundles.descriptors.map((d) => d.digest.value)).toEqual([
      a.digest.value,
      b.digest.value,
      c.digest.value,
    ]);
    const sboms = await listReferrers({ client, target: t, subject: image.digest, artifactType: sbomType });
    expect(sboms.descriptors.map((d) => d.digest.value)).toEqual([other.digest.value]);

    const c2 = parseImageManifest((await client.getManifest({ ...t, digest: c.digest })).json);
    expect(c2.annotations?.['dev.sigstore.bundle.content']).toBe('message-signature');
    expect(c2.annotations?.['dev.sigstore.bundle.predicateType']).toBeUndefined();

    const bundles = await fetchBundles({ client, target: t, subject: image.digest });
    expect(bundles.map((x) => x.manifestDigest.value)).toEqual([
      a.digest.value,
      b.digest.value,
      c.digest.value,
    ]);
    expect(bundles.map((x) => x.annotations['dev.sigstore.bundle.predicateType'])).toEqual([
      SIGN,
      PROVENANCE,
      undefined,
    ]);
    // Attaching the same bundle again (same second) changes nothing: the entry is deduplicated by digest.
    const again = await attachBundle({
      client,
      target: t,
      subject: other,
      bundle: testBundle('z', SIGN),
      predicateType: SIGN,
      created: new Date(0),
    });
    await attachBundle({
      client,
      target: t,
      subject: other,
      bundle: testBundle('z', SIGN),
      predicateType: SIGN,
      created: new Date(0),
    });
    const otherList = await listReferrers({ client, target: t, subject: other.digest });
    expect(otherList.descriptors.map((d) => d.digest.value)).toEqual([again.digest.value]);
  });

  it('loses no entry when 8 attaches run at once on one client', async () => {
    const t = target('app/concurrent');
    const image = await pushSmallImage(client, t, 'concurrent');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        attachBundle({
          client,
          target: t,
          subject: image,
          bundle: testBundle(`c${i}`, SIGN),
          predicateType: SIGN,
        }),
      ),
    );
    const listed = await listReferrers({ client, target: t, subject: image.digest });
    expect(new Set(listed.descriptors.map((d) => d.digest.value))).toEqual(
      new Set(results.map((r) => r.digest.value)),
    );
    expect(listed.descriptors).toHaveLength(8);
  });

  it('loses no entry when 8 writers with separate clients (no shared turn-taking) race on the tag', async () => {
    const t = target('app/racing');
    const image = await pushSmallImage(client, t, 'racing');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        attachBundle({
          client: new ReferrersClient({ http: FAST }),
          target: t,
          subject: image,
          bundle: testBundle(`r${i}`, SIGN),
          predicateType: SIGN,
          fallback: { settleMs: 100, maxAttempts: 20 },
        }),
      ),
    );
    const listed = await listReferrers({ client, target: t, subject: image.digest });
    expect(new Set(listed.descriptors.map((d) => d.digest.value))).toEqual(
      new Set(results.map((r) => r.digest.value)),
    );
  });

  it('refuses a bundle blob whose bytes were changed in the registry storage (ERR_DIGEST_MISMATCH)', async () => {
    const t = target('app/tampered');
    const image = await pushSmallImage(client, t, 'tampered');
    const bundle = testBundle('tampered', SIGN);
    const { digest } = await attachBundle({ client, target: t, subject: image, bundle, predicateType: SIGN });
    const layer = parseImageManifest((await client.getManifest({ ...t, digest })).json).layers[0];
    expect(layer).toBeDefined();
    const file = blobFile(registry, layer?.digest as Digest);
    const original = await readFile(file);
    const forged = Buffer.from(original);
    forged[forged.length - 3] = forged[forged.length - 3] === 0x41 ? 0x42 : 0x41;
    await writeFile(file, forged);
    expect(await codeOf(() => fetchBundles({ client, target: t, subject: image.digest }))).toBe(
      'ERR_DIGEST_MISMATCH',
    );
  });

  it('refuses a manifest that points its bundle layer at a different blob than listed (ERR_DIGEST_MISMATCH)', async () => {
    const t = target('app/wrong-digest');
    const image = await pushSmallImage(client, t, 'wrong');
    const { digest } = await attachBundle({
      client,
      target: t,
      subject: image,
      bundle: testBundle('w', SIGN),
      predicateType: SIGN,
    });
    // Swap the listed manifest's stored bytes for another manifest's: the digest asked for no longer matches.
    const forged = await attachBundle({
      client,
      target: t,
      subject: image,
      bundle: testBundle('w2', SIGN),
      predicateType: SIGN,
      referrersApi: 'yes',
    });
    await writeFile(
      blobFile(registry, digest),
      await client.getManifest({ ...t, digest: forged.digest }).then((m) => m.bytes),
    );
    expect(await codeOf(() => fetchBundles({ client, target: t, subject: image.digest }))).toBe(
      'ERR_DIGEST_MISMATCH',
    );
  });

  it('refuses a bundle over 16 MiB (ERR_RESPONSE_TOO_LARGE), and one over a lowered bound', async () => {
    const t = target('app/large');
    const image = await pushSmallImage(client, t, 'large');
    const padding = 'x'.repeat(16 * 1024 * 1024);
    const big = utf8(`{"mediaType":"${SIGSTORE_BUNDLE_V03}","dsseEnvelope":{},"pad":"${padding}"}`);
    await attachBundle({ client, target: t, subject: image, bundle: big, predicateType: SIGN });
    expect(await codeOf(() => fetchBundles({ client, target: t, subject: image.digest }))).toBe(
      'ERR_RESPONSE_TOO_LARGE',
    );
    const image2 = await pushSmallImage(client, t, 'large2');
    await attachBundle({
      client,
      target: t,
      subject: image2,
      bundle: testBundle('s', SIGN),
      predicateType: SIGN,
    });
    expect(
      await codeOf(() => fetchBundles({ client, target: t, subject: image2.digest, maxBundleBytes: 10 })),
    ).toBe('ERR_RESPONSE_TOO_LARGE');
  });

  it('says so when the referrers API is required but missing, and when the index tag holds something else', async () => {
    const t = target('app/modes');
    const image = await pushSmallImage(client, t, 'modes');
    expect(
      await codeOf(() => listReferrers({ client, target: t, subject: image.digest, referrersApi: 'yes' })),
    ).toBe('ERR_REGISTRY_NOT_FOUND');
    expect((await listReferrers({ client, target: t, subject: image.digest })).descriptors).toEqual([]);
    // A plain image manifest under the fallback tag is not an index: refused rather than overwritten.
    const plain = await client.getManifest({ ...t, digest: image.digest });
    await client.putManifest({
      target: t,
      reference: fallbackTag(image.digest),
      bytes: plain.bytes,
      mediaType: OCI_MANIFEST,
    });
    expect(
      await codeOf(() =>
        attachBundle({
          client,
          target: t,
          subject: image,
          bundle: testBundle('m', SIGN),
          predicateType: SIGN,
        }),
      ),
    ).toBe('ERR_MALFORMED_JSON');
    expect(
      await codeOf(() =>
        attachBundle({ client, target: t, subject: image, bundle: utf8('{"x":1}'), predicateType: SIGN }),
      ),
    ).toBe('ERR_MALFORMED_BUNDLE');
    expect(isObject(plain.json)).toBe(true);
  });
});

/** Where distribution's filesystem driver keeps a blob's bytes. */
function blobFile(registry: RunningRegistry, digest: Digest): string {
  return join(
    registry.dir,
    'data',
    'docker',
    'registry',
    'v2',
    'blobs',
    'sha256',
    digest.hex.slice(0, 2),
    digest.hex,
    'data',
  );
}
