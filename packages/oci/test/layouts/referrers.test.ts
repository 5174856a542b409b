// The referrers-API path, against the real registry behind the test stand-in that adds the API (test/support).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../../../test/support/errors.js';
import { type ReferrersProxy, startReferrersProxy } from '../../../../test/support/referrers-proxy.js';
import { type RunningRegistry, startRegistry } from '../../../../test/support/registry.js';
import { SIGSTORE_BUNDLE_V03 } from '../../src/artifact-types.js';
import { attachBundle } from '../../src/attach.js';
import { fallbackTag } from '../../src/descriptor.js';
import { fetchBundles, listReferrers } from '../../src/discover.js';
import { OCI_MANIFEST } from '../../src/media-types.js';
import { ReferrersClient } from '../../src/referrers-client.js';
import { pushSmallImage, testBundle } from './fixtures.js';

const FAST = { retries: 2, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 10_000 } as const;
const SIGN = 'https://sigstore.dev/cosign/sign/v1';
const PROVENANCE = 'https://slsa.dev/provenance/v1';

describe('attach and discover through the referrers API (test stand-in in front of distribution 2.8)', () => {
  let registry: RunningRegistry;
  let proxy: ReferrersProxy;
  let client: ReferrersClient;
  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startReferrersProxy(registry.url);
    client = new ReferrersClient({ http: FAST });
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  it('attaches three bundles via the API (OCI-Subject), writes no fallback tag, and lists and fetches them', async () => {
    const t = { registry: proxy.host, repository: 'app/api' };
    const image = await pushSmallImage(client, t, 'api');
    const bundles = [testBundle('1', SIGN), testBundle('2', PROVENANCE), testBundle('3', undefined)];
    const results = [];
    for (const [i, bundle] of bundles.entries()) {
      results.push(
        await attachBundle({
          client,
          target: t,
          subject: image,
          bundle,
          predicateType: i === 1 ? PROVENANCE : SIGN,
        }),
      );
    }
    expect(results.map((r) => r.via)).toEqual(['referrers-api', 'referrers-api', 'referrers-api']);
    const tag = fallbackTag(image.digest);
    expect(proxy.requests.some((r) => r.includes(`/manifests/${tag}`))).toBe(false);
    expect(await codeOf(() => client.getManifest({ ...t, tag }))).toBe('ERR_REGISTRY_NOT_FOUND');

    const listed = await listReferrers({ client, target: t, subject: image.digest });
    expect(listed.via).toBe('referrers-api');
    expect(listed.descriptors.map((d) => d.digest.value)).toEqual(results.map((r) => r.digest.value));
    expect(listed.descriptors[1]?.annotations?.['dev.sigstore.bundle.predicateType']).toBe(PROVENANCE);

    const fetched = await fetchBundles({ client, target: t, subject: image.digest });
    expect(fetched.map((f) => f.manifestDigest.value)).toEqual(results.map((r) => r.digest.value));
    fetched.forEach((f, i) => {
      expect(Buffer.from(f.bundle).equals(Buffer.from(bundles[i] ?? []))).toBe(true);
    });
  });

  it('sends the artifactType filter, and filters itself when the registry did not', async () => {
    const t = { registry: proxy.host, repository: 'app/filter' };
    const image = await pushSmallImage(client, t, 'filter');
    const spdx = new TextEncoder().encode('{"spdxVersion":"SPDX-2.3"}');
    const spdxDigest = await client.putBlob({ target: t, bytes: spdx });
    const a = await attachBundle({
      client,
      target: t,
      subject: image,
      bundle: testBundle('f', SIGN),
      predicateType: SIGN,
    });
    // An SBOM-like referrer of another artifact type, pushed with a subject through the API.
    const sbom = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/spdx+json',
        config: {
          mediaType: 'application/vnd.oci.empty.v1+json',
          digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
          size: 2,
        },
        layers: [{ mediaType: 'application/spdx+json', digest: spdxDigest.value, size: spdx.byteLength }],
        subject: { mediaType: image.mediaType, digest: image.digest.value, size: image.size },
      }),
    );
    const sbomDigest = await client.putManifest({
      target: t,
      reference: 'sbom',
      bytes: sbom,
      mediaType: OCI_MANIFEST,
    });

    const before = proxy.requests.length;
    const bundles = await listReferrers({
      client,
      target: t,
      subject: image.digest,
      artifactType: SIGSTORE_BUNDLE_V03,
    });
    expect(proxy.requests.slice(before)).toContain(
      `GET /v2/app/filter/referrers/${image.digest.value}?artifactType=${encodeURIComponent(SIGSTORE_BUNDLE_V03)}`,
    );
    expect(bundles.descriptors.map((d) => d.digest.value)).toEqual([a.digest.value]);
    const answer = await client.getReferrers({
      target: t,
      subject: image.digest,
      artifactType: 'application/spdx+json',
    });
    expect(answer.supported && answer.filtersApplied).toEqual(['artifactType']);
    expect(answer.supported && answer.index.manifests.map((d) => d.digest.value)).toEqual([sbomDigest.value]);
    const all = await listReferrers({ client, target: t, subject: image.digest });
    expect(all.descriptors.map((d) => d.digest.value).sort()).toEqual(
      [a.digest.value, sbomDigest.value].sort(),
    );
    // A registry that ignores the filter (no OCI-Filters-Applied): the client filters the list itself.
    proxy.applyFilters = false;
    try {
      const raw = await client.getReferrers({
        target: t,
        subject: image.digest,
        artifactType: SIGSTORE_BUNDLE_V03,
      });
      expect(raw.supported && raw.filtersApplied).toEqual([]);
      expect(raw.supported && raw.index.manifests).toHaveLength(2);
      const filtered = await listReferrers({
        client,
        target: t,
        subject: image.digest,
        artifactType: SIGSTORE_BUNDLE_V03,
      });
      expect(filtered.descriptors.map((d) => d.digest.value)).toEqual([a.digest.value]);
    } finally {
      proxy.applyFilters = true;
    }
    // fetchBundles skips the SBOM: only Sigstore bundle artifact types are read.
    expect(
      (await fetchBundles({ client, target: t, subject: image.digest })).map((b) => b.manifestDigest.value),
    ).toEqual([a.digest.value]);
  });

  it('an unknown subject has an empty list, and referrersApi "no" maintains the fallback tag anyway', async () => {
    const t = { registry: proxy.host, repository: 'app/modes' };
    const image = await pushSmallImage(client, t, 'modes');
    expect((await listReferrers({ client, target: t, subject: image.digest })).descriptors).toEqual([]);
    const r = await attachBundle({
      client,
      target: t,
      subject: image,
      bundle: testBundle('n', SIGN),
      predicateType: SIGN,
      referrersApi: 'no',
    });
    expect(r.via).toBe('fallback-tag');
    const viaTag = await listReferrers({ client, target: t, subject: image.digest, referrersApi: 'no' });
    expect(viaTag.via).toBe('fallback-tag');
    expect(viaTag.descriptors.map((d) => d.digest.value)).toEqual([r.digest.value]);
  });
});

describe('ReferrersClient over TLS with basic auth, and token auth', () => {
  it('attaches and discovers with credentials, and never puts the password in an error', async () => {
    const registry = await startRegistry({ tls: true, auth: 'basic' });
    try {
      const username = registry.username ?? '';
      const password = registry.password ?? '';
      const client = new ReferrersClient({
        http: FAST,
        caCertificates: registry.caPem ?? '',
        loopbackHttp: false,
        credentials: { [registry.host]: { username, password } },
      });
      const t = { registry: registry.host, repository: 'secure/app' };
      const image = await pushSmallImage(client, t, 'secure');
      const r = await attachBundle({
        client,
        target: t,
        subject: image,
        bundle: testBundle('s', SIGN),
        predicateType: SIGN,
      });
      expect(r.via).toBe('fallback-tag');
      expect((await fetchBundles({ client, target: t, subject: image.digest })).length).toBe(1);

      const wrong = `${password}-wrong`;
      const refused = new ReferrersClient({
        http: FAST,
        caCertificates: registry.caPem ?? '',
        loopbackHttp: false,
        credentials: { [registry.host]: { username, password: wrong } },
      });
      // distribution 2.8 answers its unknown referrers route with 404 before asking for credentials.
      expect((await refused.getReferrers({ target: t, subject: image.digest })).supported).toBe(false);
      for (const run of [
        () =>
          refused.putManifestWithSubject({
            target: t,
            reference: 'x',
            bytes: new Uint8Array(2),
            mediaType: OCI_MANIFEST,
          }),
        () => listReferrers({ client: refused, target: t, subject: image.digest }),
      ]) {
        const error = await run().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error instanceof Error && 'code' in error ? error.code : error).toBe('ERR_REGISTRY_AUTH');
        const text =
          error instanceof Error ? `${error.message} ${error.stack ?? ''} ${String(error.cause ?? '')}` : '';
        expect(text).not.toContain(wrong);
        expect(text).not.toContain(password);
      }
    } finally {
      await registry.stop();
    }
  });

  it('speaks the token flow for the referrers endpoint and manifest PUT', async () => {
    const registry = await startRegistry({ auth: 'token' });
    try {
      const client = new ReferrersClient({
        http: FAST,
        credentials: {
          [registry.host]: { username: registry.username ?? '', password: registry.password ?? '' },
        },
      });
      const t = { registry: registry.host, repository: 'token/app' };
      const image = await pushSmallImage(client, t, 'token');
      const r = await attachBundle({
        client,
        target: t,
        subject: image,
        bundle: testBundle('t', SIGN),
        predicateType: SIGN,
      });
      const answer = await client.getReferrers({ target: t, subject: image.digest });
      expect(answer.supported).toBe(false);
      expect(
        (await listReferrers({ client, target: t, subject: image.digest })).descriptors.map(
          (d) => d.digest.value,
        ),
      ).toEqual([r.digest.value]);
    } finally {
      await registry.stop();
    }
  });
});
