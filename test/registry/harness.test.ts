// Proves the real-registry harness with bare HTTP: plain push/pull, TLS with basic auth, and Bearer token auth.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import { type RunningRegistry, startRegistry } from '../support/registry.js';
import { startTokenServer } from '../support/token-server.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function withRegistry(
  options: Parameters<typeof startRegistry>[0],
  body: (r: RunningRegistry) => Promise<void>,
): Promise<void> {
  const registry = await startRegistry(options);
  try {
    await body(registry);
  } finally {
    await registry.stop();
  }
}

/** Global fetch cannot trust an extra CA without undici, so TLS requests go through node:https with `ca`. */
function httpsGet(
  url: string,
  options: { ca: string; headers?: Record<string, string> },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: options.ca, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters (quoted values may hold commas). */
function parseChallenge(header: string | null): { scheme: string; params: Record<string, string> } {
  const match = /^(\w+)\s+(.*)$/.exec(header ?? '');
  const params: Record<string, string> = {};
  for (const m of (match?.[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
    if (m[1] !== undefined && m[2] !== undefined) params[m[1]] = m[2];
  }
  return { scheme: match?.[1] ?? '', params };
}

/** The `token` field of a token response (the spec's `access_token` twin is checked to match). */
function tokenOf(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('token' in body) || typeof body.token !== 'string') {
    throw new Error('token response lacks a string token');
  }
  expect('access_token' in body ? body.access_token : undefined).toBe(body.token);
  return body.token;
}

async function pushBlob(base: string, repo: string, bytes: Uint8Array, headers: Record<string, string> = {}) {
  const digest = sha256(bytes);
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  expect(start.status).toBe(202);
  const location = start.headers.get('location');
  expect(location).toBeTruthy();
  const target = new URL(location ?? '', base);
  target.searchParams.set('digest', digest);
  const put = await fetch(target, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  expect(put.status).toBe(201);
  expect(put.headers.get('docker-content-digest')).toBe(digest);
  return { digest, size: bytes.length };
}

describe('real registry harness', () => {
  it('plain HTTP: /v2/, monolithic blob upload, manifest push and pull by tag and digest', async () => {
    await withRegistry({}, async (registry) => {
      expect(registry.url).toBe(`http://${registry.host}`);
      const base = await fetch(`${registry.url}/v2/`);
      expect(base.status).toBe(200);
      expect(base.headers.get('docker-distribution-api-version')).toBe('registry/2.0');

      const repo = 'acme/app';
      const config = await pushBlob(registry.url, repo, new TextEncoder().encode('{"architecture":"amd64"}'));
      const layer = await pushBlob(registry.url, repo, new TextEncoder().encode('layer bytes'));
      const head = await fetch(`${registry.url}/v2/${repo}/blobs/${layer.digest}`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(layer.size));

      const manifest = new TextEncoder().encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
        }),
      );
      const put = await fetch(`${registry.url}/v2/${repo}/manifests/v1`, {
        method: 'PUT',
        headers: { 'content-type': OCI_MANIFEST },
        body: manifest,
      });
      expect(put.status).toBe(201);
      expect(put.headers.get('docker-content-digest')).toBe(sha256(manifest));

      for (const ref of ['v1', sha256(manifest)]) {
        const got = await fetch(`${registry.url}/v2/${repo}/manifests/${ref}`, {
          headers: { accept: OCI_MANIFEST },
        });
        expect(got.status).toBe(200);
        expect(got.headers.get('content-type')).toBe(OCI_MANIFEST);
        expect(got.headers.get('docker-content-digest')).toBe(sha256(manifest));
        expect(new Uint8Array(await got.arrayBuffer())).toEqual(manifest);
      }
      const missing = await fetch(`${registry.url}/v2/${repo}/manifests/nope`, {
        headers: { accept: OCI_MANIFEST },
      });
      expect(missing.status).toBe(404);
    });
  });

  it('TLS + basic auth: the CA is required, 401 Basic without or with wrong credentials, 200 with them', async () => {
    await withRegistry({ tls: true, auth: 'basic' }, async (registry) => {
      const { caPem, caFile, username, password } = registry;
      if (caPem === undefined || username === undefined || password === undefined) {
        throw new Error('TLS basic registry lacks its CA or credentials');
      }
      expect(registry.url).toBe(`https://${registry.host}`);
      expect(caFile).toMatch(/ca\.pem$/);
      // The default trust store does not know the test CA: the handshake must fail.
      await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();

      const anonymous = await httpsGet(`${registry.url}/v2/`, { ca: caPem });
      expect(anonymous.status).toBe(401);
      const challenge = parseChallenge(String(anonymous.headers['www-authenticate']));
      expect(challenge.scheme).toBe('Basic');
      expect(challenge.params.realm).toBe('vouch-test-registry');

      const wrong = await httpsGet(`${registry.url}/v2/`, {
        ca: caPem,
        headers: { authorization: basic(username, `${password}x`) },
      });
      expect(wrong.status).toBe(401);

      const ok = await httpsGet(`${registry.url}/v2/`, {
        ca: caPem,
        headers: { authorization: basic(username, password) },
      });
      expect(ok.status).toBe(200);
    });
  });

  it('token auth: Bearer challenge with realm/service/scope, token from the server, retry succeeds', async () => {
    await withRegistry({ auth: 'token' }, async (registry) => {
      const { tokenServer, username, password } = registry;
      if (tokenServer === undefined || username === undefined || password === undefined) {
        throw new Error('token registry lacks its token server or credentials');
      }
      const repo = 'acme/signed';
      const upload = `${registry.url}/v2/${repo}/blobs/uploads/`;
      const refused = await fetch(upload, { method: 'POST' });
      expect(refused.status).toBe(401);
      const challenge = parseChallenge(refused.headers.get('www-authenticate'));
      // distribution lists the actions in Go map order, so `pull,push` and `push,pull` both occur.
      const { scope, ...rest } = challenge.params;
      expect({ scheme: challenge.scheme, ...rest }).toEqual({
        scheme: 'Bearer',
        realm: tokenServer.realm,
        service: tokenServer.service,
      });
      expect(scope).toMatch(/^repository:acme\/signed:(pull,push|push,pull)$/);

      const tokenUrl = new URL(challenge.params.realm ?? '');
      tokenUrl.searchParams.set('service', challenge.params.service ?? '');
      tokenUrl.searchParams.set('scope', challenge.params.scope ?? '');
      const badLogin = await fetch(tokenUrl, { headers: { authorization: basic(username, 'wrong') } });
      expect(badLogin.status).toBe(401);
      const login = await fetch(tokenUrl, { headers: { authorization: basic(username, password) } });
      expect(login.status).toBe(200);
      const body: unknown = await login.json();
      expect(body).toMatchObject({ expires_in: 300, issued_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      const token = tokenOf(body);
      expect(token.split('.')).toHaveLength(3);
      const granted = tokenServer.issued.at(-1)?.access;
      expect(granted?.map((a) => ({ ...a, actions: [...a.actions].sort() }))).toEqual([
        { type: 'repository', name: repo, actions: ['pull', 'push'] },
      ]);

      const bearer = { authorization: `Bearer ${token}` };
      expect((await fetch(`${registry.url}/v2/`, { headers: bearer })).status).toBe(200);
      await pushBlob(registry.url, repo, new TextEncoder().encode('token-pushed blob'), bearer);

      // A pull-only token is refused for a push: the registry reads the access claim.
      tokenUrl.searchParams.set('scope', `repository:${repo}:pull`);
      const pullOnly = await fetch(tokenUrl, { headers: { authorization: basic(username, password) } });
      const pullToken = tokenOf(await pullOnly.json());
      const push = await fetch(upload, { method: 'POST', headers: { authorization: `Bearer ${pullToken}` } });
      expect(push.status).toBe(401);
      expect(push.headers.get('www-authenticate')).toContain('error="insufficient_scope"');

      // A token from an issuer the registry does not trust (same names, another key) is refused.
      const impostor = await startTokenServer({
        username,
        password,
        service: tokenServer.service,
        issuer: tokenServer.issuer,
      });
      try {
        const forgedUrl = new URL(`${impostor.realm}?service=${encodeURIComponent(tokenServer.service)}`);
        const forged = await fetch(forgedUrl, { headers: { authorization: basic(username, password) } });
        const rejected = await fetch(`${registry.url}/v2/`, {
          headers: { authorization: `Bearer ${tokenOf(await forged.json())}` },
        });
        expect(rejected.status).toBe(401);
      } finally {
        await impostor.close();
      }
    });
  });

  it('stop() is idempotent and frees the port', async () => {
    const registry = await startRegistry();
    await registry.stop();
    await registry.stop();
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
  });
});
