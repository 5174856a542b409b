// RegistryClient against the real registry (distribution 2.8 on loopback): push and read back an image and an index,
// tags, basic and token auth, and faults injected by a small proxy in front of the real registry.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Digest, isObject, isVouchError, parseImageReference, utf8, withDigest } from '@vouch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage } from '../../../test/support/images.js';
import { type RunningRegistry, startRegistry } from '../../../test/support/registry.js';
import { RegistryClient, type RegistryClientOptions } from '../src/client.js';
import { OCI_INDEX, OCI_MANIFEST } from '../src/media-types.js';

const FAST = { retries: 2, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 5_000 } as const;

async function caught(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error) return e;
  }
  throw new Error('expected a rejection');
}

function expectNoSecret(error: Error, ...secrets: string[]) {
  const text = `${error.message} ${String(error.cause ?? '')} ${error.stack ?? ''}`;
  for (const s of secrets) expect(text).not.toContain(s);
}

/** Pushes a small OCI image (one layer, a config) under `tag` and returns its manifest digest. */
async function pushImage(
  client: RegistryClient,
  registry: string,
  repository: string,
  tag: string,
  seed = 'x',
) {
  return pushTestImage({ client, target: { registry, repository }, layer: `layer ${seed}`, reference: tag });
}

describe('RegistryClient on a plain-HTTP registry', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient({ http: FAST });
  });
  afterAll(async () => registry?.stop());

  it('pings, pushes an image, resolves its tag to the digest of the bytes, and reads everything back verified', async () => {
    await client.ping({ registry: registry.host });
    const { digest, manifest, layer, layerDigest } = await pushImage(client, registry.host, 'app/one', 'v1');
    const ref = parseImageReference(`${registry.host}/app/one:v1`);
    expect((await client.resolveDigest(ref)).value).toBe(digest.value);
    const got = await client.getManifest(withDigest(ref, digest));
    expect(got.mediaType).toBe(OCI_MANIFEST);
    expect(Buffer.from(got.bytes).equals(Buffer.from(manifest))).toBe(true);
    expect(Object.isFrozen(got.json)).toBe(true);
    const blob = await client.getBlob({ target: ref, digest: layerDigest });
    expect(Buffer.from(blob).equals(Buffer.from(layer))).toBe(true);
    expect(await client.hasBlob(ref, layerDigest)).toBe(true);
  });

  it('pushes a two-platform index by tag and by digest', async () => {
    const target = { registry: registry.host, repository: 'app/multi' };
    const amd = await pushImage(client, registry.host, 'app/multi', 'amd64', 'amd');
    const arm = await pushImage(client, registry.host, 'app/multi', 'arm64', 'arm');
    const entry = (d: Digest, m: Uint8Array, architecture: string) => ({
      mediaType: OCI_MANIFEST,
      digest: d.value,
      size: m.byteLength,
      platform: { os: 'linux', architecture },
    });
    const index = utf8(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [entry(amd.digest, amd.manifest, 'amd64'), entry(arm.digest, arm.manifest, 'arm64')],
      }),
    );
    const digest = await client.putManifest({
      target,
      reference: 'multi',
      bytes: index,
      mediaType: OCI_INDEX,
    });
    expect(
      await client.putManifest({ target, reference: digest.value, bytes: index, mediaType: OCI_INDEX }),
    ).toEqual(digest);
    const got = await client.getManifest({ ...target, tag: 'multi' });
    expect(got.digest).toEqual(digest);
    expect(got.mediaType).toBe(OCI_INDEX);
    await expect(
      client.putManifest({ target, reference: amd.digest.value, bytes: index, mediaType: OCI_INDEX }),
    ).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
  });

  it('uploads a large blob in PATCH chunks and reads it back', async () => {
    const chunked = new RegistryClient({ http: FAST, chunkSize: 1000 });
    const target = { registry: registry.host, repository: 'app/chunks' };
    const bytes = randomBytes(4500);
    const digest = await chunked.putBlob({ target, bytes });
    expect(Buffer.from(await chunked.getBlob({ target, digest })).equals(bytes)).toBe(true);
    expect(await chunked.putBlob({ target, bytes })).toEqual(digest); // already there: skipped
  });

  it('lists tags (distribution 2.8 answers them in one page, ignoring ?n=)', async () => {
    for (const t of ['a1', 'a2', 'a3']) await pushImage(client, registry.host, 'app/tags', t);
    const target = { registry: registry.host, repository: 'app/tags' };
    expect([...(await client.listTags(target, { pageSize: 2 }))].sort()).toEqual(['a1', 'a2', 'a3']);
  });

  it('says ERR_REGISTRY_NOT_FOUND for a missing tag, blob or repository', async () => {
    const ref = parseImageReference(`${registry.host}/app/one:nope`);
    await expect(client.resolveDigest(ref)).rejects.toMatchObject({ code: 'ERR_REGISTRY_NOT_FOUND' });
    const digest = (await pushImage(client, registry.host, 'app/nf', 'v')).layerDigest;
    await expect(
      client.getBlob({ target: { registry: registry.host, repository: 'app/other' }, digest }),
    ).rejects.toMatchObject({
      code: 'ERR_REGISTRY_NOT_FOUND',
    });
    await expect(client.listTags({ registry: registry.host, repository: 'no/such' })).rejects.toMatchObject({
      code: 'ERR_REGISTRY_NOT_FOUND',
    });
  });
});

describe('RegistryClient with basic auth (htpasswd, plain HTTP on loopback)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic' });
  });
  afterAll(async () => registry?.stop());

  it('works with the right password, and refuses a wrong or missing one with ERR_REGISTRY_AUTH and no secret', async () => {
    const right = new RegistryClient({
      http: FAST,
      credentials: {
        [registry.host]: { username: registry.username ?? '', password: registry.password ?? '' },
      },
    });
    await right.ping({ registry: registry.host });
    const { digest } = await pushImage(right, registry.host, 'sec/app', 'v1');
    expect(await right.resolveDigest(parseImageReference(`${registry.host}/sec/app:v1`))).toEqual(digest);

    const wrongPassword = 'wrong-Pa55word-xyz';
    const wrong = new RegistryClient({
      http: FAST,
      credentials: { [registry.host]: { username: 'vouch-tester', password: wrongPassword } },
    });
    const e1 = await caught(wrong.resolveDigest(parseImageReference(`${registry.host}/sec/app:v1`)));
    expect(e1.code).toBe('ERR_REGISTRY_AUTH');
    expectNoSecret(e1, wrongPassword, Buffer.from(`vouch-tester:${wrongPassword}`).toString('base64'));
    const e2 = await caught(new RegistryClient({ http: FAST }).ping({ registry: registry.host }));
    expect(e2.code).toBe('ERR_REGISTRY_AUTH');
  });
});

describe('RegistryClient over TLS with a private CA and basic auth', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true, auth: 'basic' });
  });
  afterAll(async () => registry?.stop());

  it('trusts the registry through caCertificates only, pushes and resolves; without the CA it refuses to connect', async () => {
    const credentials = {
      [registry.host]: { username: registry.username ?? '', password: registry.password ?? '' },
    };
    expect(registry.url.startsWith('https://')).toBe(true);
    const client = new RegistryClient({
      http: FAST,
      credentials,
      loopbackHttp: false,
      caCertificates: registry.caPem ?? '',
    });
    await client.ping({ registry: registry.host });
    const { digest } = await pushImage(client, registry.host, 'tls/app', 'v1');
    expect(await client.resolveDigest(parseImageReference(`${registry.host}/tls/app:v1`))).toEqual(digest);
    const untrusting = new RegistryClient({ http: FAST, credentials, loopbackHttp: false });
    const e = await caught(untrusting.ping({ registry: registry.host }));
    expect(e.code).toBe('ERR_REGISTRY');
    expectNoSecret(e, registry.password ?? 'x');
  });
});

describe('RegistryClient with the bearer-token flow', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token' });
  });
  afterAll(async () => registry?.stop());

  it('gets a token per scope, reuses it, and refuses wrong credentials without echoing them', async () => {
    const client = new RegistryClient({
      http: FAST,
      credentials: {
        [registry.host]: { username: registry.username ?? '', password: registry.password ?? '' },
      },
    });
    const { digest } = await pushImage(client, registry.host, 'tok/app', 'v1');
    const ref = parseImageReference(`${registry.host}/tok/app:v1`);
    const before = registry.tokenServer?.requests ?? 0;
    for (let i = 0; i < 3; i++) expect(await client.resolveDigest(ref)).toEqual(digest);
    // One token for the pull scope, then reused.
    expect((registry.tokenServer?.requests ?? 0) - before).toBeLessThanOrEqual(1);
    expect(registry.tokenServer?.issued.some((t) => t.scopes.includes('repository:tok/app:pull,push'))).toBe(
      true,
    );

    const wrongPassword = 'not-the-Pa55word';
    const wrong = new RegistryClient({
      http: FAST,
      credentials: { [registry.host]: { username: 'vouch-tester', password: wrongPassword } },
    });
    const e = await caught(wrong.resolveDigest(ref));
    expect(e.code).toBe('ERR_REGISTRY_AUTH');
    expectNoSecret(e, wrongPassword, Buffer.from(`vouch-tester:${wrongPassword}`).toString('base64'));
    const e2 = await caught(
      new RegistryClient({ http: FAST }).putBlob({ target: ref, bytes: utf8('anonymous push') }),
    );
    expect(e2.code).toBe('ERR_REGISTRY_AUTH');
  });
});

type Fault = (req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean;

/** A fault-injecting HTTP proxy in front of the real registry: each request goes to `fault` first, then upstream. */
async function startProxy(upstream: string) {
  let fault: Fault | undefined;
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (fault?.(req, res, body)) return;
      // The Host header is kept, so the registry's upload Locations point back at the proxy.
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    set(f: Fault | undefined) {
      fault = f;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('faults between the client and the real registry', () => {
  let registry: RunningRegistry;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let image: Awaited<ReturnType<typeof pushImage>>;
  const retries: string[] = [];
  let client: RegistryClient;
  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startProxy(registry.url);
    const options: RegistryClientOptions = { http: { ...FAST, onRetry: (e) => retries.push(e.reason) } };
    client = new RegistryClient(options);
    image = await pushImage(client, proxy.host, 'f/app', 'v1');
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });
  const ref = () => parseImageReference(`${proxy.host}/f/app:v1`);
  const isManifest = (req: IncomingMessage) =>
    req.method === 'GET' && (req.url ?? '').includes('/manifests/');

  it('retries 5xx and then succeeds', async () => {
    let failures = 2;
    retries.length = 0;
    proxy.set((req, res) => {
      if (!isManifest(req) || failures <= 0) return false;
      failures--;
      res.writeHead(503).end();
      return true;
    });
    expect(await client.resolveDigest(ref())).toEqual(image.digest);
    expect(retries).toHaveLength(2);
    expect(retries[0]).toContain('HTTP 503');
  });

  it('waits as Retry-After says on 429, then succeeds', async () => {
    let limited = true;
    proxy.set((req, res) => {
      if (!isManifest(req) || !limited) return false;
      limited = false;
      res.writeHead(429, { 'retry-after': '1' }).end();
      return true;
    });
    const start = Date.now();
    expect(await client.resolveDigest(ref())).toEqual(image.digest);
    expect(Date.now() - start).toBeGreaterThanOrEqual(950);
  });

  it('gives up on a body that is always truncated with ERR_REGISTRY', async () => {
    proxy.set((req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(200, {
        'content-type': OCI_MANIFEST,
        'content-length': String(image.manifest.byteLength),
      });
      res.write(Buffer.from(image.manifest).subarray(0, 10));
      setTimeout(() => res.socket?.destroy(), 10);
      return true;
    });
    const e = await caught(client.resolveDigest(ref()));
    expect(e.code).toBe('ERR_REGISTRY');
  });

  it('refuses a blob or manifest whose bytes do not match the digest, and ignores a lying digest header', async () => {
    proxy.set((req, res) => {
      if (req.method !== 'GET' || !(req.url ?? '').includes('/blobs/')) return false;
      res
        .writeHead(200, { 'content-length': String(image.layer.byteLength) })
        .end(Buffer.from(image.layer).reverse());
      return true;
    });
    const e = await caught(client.getBlob({ target: ref(), digest: image.layerDigest }));
    expect(e.code).toBe('ERR_DIGEST_MISMATCH');
    expect(isVouchError(e)).toBe(true);

    const other = utf8(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }));
    proxy.set((req, res) => {
      if (!isManifest(req)) return false;
      res
        .writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': image.digest.value })
        .end(other);
      return true;
    });
    await expect(client.getManifest(withDigest(ref(), image.digest))).rejects.toMatchObject({
      code: 'ERR_DIGEST_MISMATCH',
    });
    // By tag, the digest is that of the bytes received, not the header's claim.
    expect((await client.resolveDigest(ref())).value).not.toBe(image.digest.value);
  });

  it('refuses an oversized manifest with ERR_RESPONSE_TOO_LARGE, with or without Content-Length', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    for (const declared of [true, false]) {
      proxy.set((req, res) => {
        if (!isManifest(req)) return false;
        res.writeHead(200, {
          'content-type': OCI_MANIFEST,
          ...(declared ? { 'content-length': String(big.length) } : {}),
        });
        res.end(big);
        return true;
      });
      const e = await caught(client.resolveDigest(ref()));
      expect(e.code).toBe('ERR_RESPONSE_TOO_LARGE');
    }
  });

  // distribution 2.8 ignores ?n= and answers every tag at once, so the proxy pages the real registry's list itself.
  it('follows Link rel="next" pages (paged by the test proxy), bounds them, and stays on the registry', async () => {
    const tags = ['p1', 'p2', 'p3', 'p4', 'p5'];
    for (const t of tags) await pushImage(client, proxy.host, 'f/tags', t);
    let foreignLink = false;
    const seen: string[] = [];
    proxy.set((req, res) => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      if (url.pathname !== '/v2/f/tags/tags/list') return false;
      seen.push(url.search);
      void fetch(`${registry.url}/v2/f/tags/tags/list`)
        .then((r) => r.json())
        .then((json: unknown) => {
          const list = isObject(json) && Array.isArray(json.tags) ? json.tags : [];
          const all = list.filter((t): t is string => typeof t === 'string').sort();
          const n = Number(url.searchParams.get('n') ?? all.length);
          const last = url.searchParams.get('last');
          const rest = last === null ? all : all.filter((t) => t > last);
          const page = rest.slice(0, n);
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (rest.length > n) {
            const next = `/v2/f/tags/tags/list?n=${n}&last=${page[page.length - 1]}`;
            headers.link = foreignLink ? `<http://evil.example${next}>; rel="next"` : `<${next}>; rel="next"`;
          }
          res.writeHead(200, headers).end(JSON.stringify({ name: 'f/tags', tags: page }));
        });
      return true;
    });
    const target = { registry: proxy.host, repository: 'f/tags' };
    expect(await client.listTags(target, { pageSize: 2 })).toEqual(tags);
    expect(seen).toEqual(['?n=2', '?n=2&last=p2', '?n=2&last=p4']);
    await expect(client.listTags(target, { pageSize: 2, maxPages: 2 })).rejects.toMatchObject({
      code: 'ERR_REGISTRY',
    });
    foreignLink = true;
    const e = await caught(client.listTags(target, { pageSize: 2 }));
    expect(e.code).toBe('ERR_REGISTRY');
    expect(e.message).toContain('must stay on');
  });

  it('says ERR_REGISTRY after bounded retries when the registry is down', async () => {
    proxy.set(undefined);
    const down = await startProxy(registry.url);
    const host = down.host;
    await down.close();
    retries.length = 0;
    const e = await caught(client.resolveDigest(parseImageReference(`${host}/f/app:v1`)));
    expect(e.code).toBe('ERR_REGISTRY');
    expect(e.message).toContain('ECONNREFUSED');
    expect(retries).toHaveLength(FAST.retries);
  });
});
