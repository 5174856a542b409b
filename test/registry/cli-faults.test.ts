// vouch sign/verify through the CLI against the real registry with token auth, and with faults injected by a proxy in
// front of it: each fault ends in a retry that succeeds or a clear error with its exit code (docs/errors.md), never a
// wrong verdict. The client-level behaviour is in packages/oci/test/client.test.ts; here it is the whole command.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '@vouch/oci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runBin, runInProcess } from '../cli/harness.js';
import {
  type Fault,
  type FaultAnswer,
  type FaultProxy,
  type ProxiedRequest,
  startFaultProxy,
} from '../support/fault-proxy.js';
import { pushTestImage } from '../support/images.js';
import { type RunningRegistry, startRegistry } from '../support/registry.js';

const ENV = { VOUCH_PASSWORD: 'cli-faults-key-password' };
const FOUR_MIB = 4 * 1024 * 1024;

interface JsonError {
  readonly code: string;
  readonly message: string;
}

/** The `error` of a failed command's JSON output. */
function errorOf(r: RunResult): JsonError {
  const doc = JSON.parse(r.stdout) as { ok?: unknown; error?: JsonError };
  expect(doc.ok).toBe(false);
  return doc.error ?? { code: '', message: '' };
}

/** Answers `answer` to the first `times` requests `match` picks; everything else passes through. */
function firstTimes(times: number, match: (r: ProxiedRequest) => boolean, answer: FaultAnswer): Fault {
  let left = times;
  return (r) => {
    if (!match(r) || left <= 0) return undefined;
    left--;
    return answer;
  };
}

let home: string;
let key: string;
let pub: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'vouch-cli-faults-'));
  const made = await runInProcess(['keygen', '--output-key-prefix', join(home, 'k')], ENV);
  expect(made.code, made.stderr).toBe(0);
  key = join(home, 'k.key');
  pub = join(home, 'k.pub');
});
afterAll(() => (home === undefined ? undefined : rm(home, { recursive: true, force: true })));

describe('vouch sign/verify with the bearer-token flow (real registry, token server)', () => {
  let registry: RunningRegistry;
  let image: string;
  let digest: string;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token' });
    const credentials = {
      [registry.host]: { username: registry.username ?? '', password: registry.password ?? '' },
    };
    const client = new RegistryClient({ credentials });
    const target = { registry: registry.host, repository: 'acme/tokened' };
    digest = (await pushTestImage({ client, target, layer: 'token auth', reference: 'v1' })).digest.value;
    image = `${registry.host}/acme/tokened:v1`;
  });
  afterAll(() => registry?.stop());

  /**
   * The environment of a user whose `DOCKER_CONFIG` directory holds a config.json with `password` for the registry, as
   * `docker login` writes it (HOME is a directory without `.docker`).
   */
  async function dockerLogin(
    name: string,
    password: string,
  ): Promise<{ HOME: string; DOCKER_CONFIG: string }> {
    const dir = join(home, name);
    const auth = Buffer.from(`${registry.username}:${password}`).toString('base64');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    return { HOME: home, DOCKER_CONFIG: dir };
  }

  it("signs with credentials from Docker's config.json and verifies with --registry-username (built bin)", async () => {
    const issued = registry.tokenServer?.issued.length ?? 0;
    const login = await dockerLogin('docker-ok', registry.password ?? '');
    const signed = await runInProcess(['sign', image, '--key', key, '-o', 'json'], { ...ENV, ...login });
    expect(signed.code, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({ ok: true, digest, attached: { via: 'fallback-tag' } });
    // The push went through tokens the token server issued with push access to the repository.
    const pushes = (registry.tokenServer?.issued ?? []).slice(issued);
    expect(
      pushes.some((t) => t.access.some((a) => a.name === 'acme/tokened' && a.actions.includes('push'))),
    ).toBe(true);

    const verified = await runBin(
      ['verify', image, '--key', pub, '--registry-username', registry.username ?? '', '-o', 'json'],
      {
        VOUCH_REGISTRY_PASSWORD: registry.password ?? '',
      },
    );
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, digest });
    expect(verified.stdout + verified.stderr + signed.stdout + signed.stderr).not.toContain(
      registry.password,
    );
  });

  it('refuses a wrong password (config.json or VOUCH_REGISTRY_PASSWORD) and no credentials with exit 2, never echoing it', async () => {
    const wrong = 'wrong-password-5f3a9c';
    const login = await dockerLogin('docker-wrong', wrong);
    const viaConfig = await runInProcess(['verify', image, '--key', pub, '-o', 'json'], login);
    const viaEnv = await runInProcess(
      ['verify', image, '--key', pub, '--registry-username', registry.username ?? '', '-o', 'json'],
      { VOUCH_REGISTRY_PASSWORD: wrong },
    );
    const signing = await runInProcess(['sign', image, '--key', key, '-o', 'json'], { ...ENV, ...login });
    for (const r of [viaConfig, viaEnv, signing]) {
      expect(r.code, r.stdout).toBe(2);
      const error = errorOf(r);
      expect(error.code).toBe('ERR_REGISTRY_AUTH');
      expect(error.message).toContain('refused the credentials (HTTP 401)');
      expect(r.stdout + r.stderr).not.toContain(wrong);
      expect(r.stdout + r.stderr).not.toContain(
        Buffer.from(`${registry.username}:${wrong}`).toString('base64'),
      );
    }
    const anonymous = await runInProcess(['verify', image, '--key', pub, '-o', 'json']);
    expect(anonymous.code).toBe(2);
    expect(errorOf(anonymous).code).toBe('ERR_REGISTRY_AUTH');
  });

  // DOCKER_CONFIG alone is read, as docker reads it: CI jobs and the built bin's clean env often have no HOME.
  it('reads credentials from DOCKER_CONFIG when HOME is unset, as docker does', async () => {
    const { DOCKER_CONFIG } = await dockerLogin('docker-no-home', registry.password ?? '');
    const r = await runInProcess(['verify', image, '--key', pub, '-o', 'json'], { DOCKER_CONFIG });
    expect(r.code, r.stdout).toBe(0);
  });

  // With no credentials at all, the message names that cause, not refused credentials.
  it('says no credentials are known, not that they were refused, when the token server refuses anonymous access', async () => {
    const r = await runInProcess(['verify', image, '--key', pub, '-o', 'json'], { HOME: home });
    expect(r.code).toBe(2);
    const error = errorOf(r);
    expect(error.code).toBe('ERR_REGISTRY_AUTH');
    expect(error.message).not.toContain('refused the credentials');
    expect(error.message).toMatch(/no credentials/i);
  });
});

describe('faults between vouch and the real registry (a fault-injecting proxy in front of it)', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let image: string;
  let digest: string;
  let bundleBlob: string;
  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    const client = new RegistryClient();
    const target = { registry: proxy.host, repository: 'acme/faulty' };
    digest = (await pushTestImage({ client, target, layer: 'faults', reference: 'v1' })).digest.value;
    image = `${proxy.host}/acme/faulty:v1`;
    const signed = await runInProcess(['sign', image, '--key', key, '-o', 'json'], ENV);
    expect(signed.code, signed.stderr).toBe(0);
    const attached = (JSON.parse(signed.stdout) as { attached: { digest: string } }).attached.digest;
    const artifact = await client.getManifest({ ...target, tag: attached });
    const layers = (artifact.json as { layers: { digest: string }[] }).layers;
    bundleBlob = layers[0]?.digest ?? '';
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  const tagGet = (r: ProxiedRequest) => r.method === 'GET' && r.path === '/v2/acme/faulty/manifests/v1';
  const fallbackGet = (r: ProxiedRequest) =>
    r.method === 'GET' && r.path === `/v2/acme/faulty/manifests/sha256-${digest.slice('sha256:'.length)}`;
  const bundleGet = (r: ProxiedRequest) =>
    r.method === 'GET' && r.path === `/v2/acme/faulty/blobs/${bundleBlob}`;
  const seen = (match: (r: ProxiedRequest) => boolean, from: number) =>
    proxy.requests.slice(from).filter((line) => {
      const [method = '', path = ''] = line.split(' ');
      return match({ method, path, headers: {}, body: Buffer.alloc(0) });
    }).length;

  /** Runs `vouch verify IMAGE --key PUB -o json` in-process with `fault` set, and clears it afterwards. */
  async function verifyWith(
    fault: Fault | undefined,
    run = runInProcess,
  ): Promise<RunResult & { from: number }> {
    const from = proxy.requests.length;
    proxy.fault = fault;
    try {
      return { ...(await run(['verify', image, '--key', pub, '-o', 'json'])), from };
    } finally {
      proxy.fault = undefined;
    }
  }

  it('verifies through the proxy when nothing fails (the baseline every fault below changes)', async () => {
    const r = await verifyWith(undefined);
    expect(r.code, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, digest });
    expect(seen(bundleGet, r.from)).toBe(1);
  });

  it('exits 3 naming the connection failure when the registry is down', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await runInProcess(['verify', `127.0.0.1:${port}/acme/faulty:v1`, '--key', pub, '-o', 'json']);
    expect(r.code).toBe(3);
    const error = errorOf(r);
    expect(error.code).toBe('ERR_REGISTRY');
    expect(error.message).toContain(`127.0.0.1:${port}/v2/acme/faulty/manifests/v1`);
    expect(error.message).toMatch(/ECONNREFUSED after 4 attempt\(s\)/);
  });

  it('retries 5xx on the tag, the bundle blob and an upload, then signs and verifies', async () => {
    const tag = firstTimes(2, tagGet, { kind: 'respond', status: 503 });
    const blob = firstTimes(1, bundleGet, { kind: 'respond', status: 500 });
    const r = await verifyWith((req) => tag(req) ?? blob(req));
    expect(r.code, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, digest });
    expect(seen(tagGet, r.from)).toBe(3);
    expect(seen(bundleGet, r.from)).toBe(2);

    // Signing a new image while the registry answers 502 to the first blob upload and the first manifest PUT.
    const client = new RegistryClient();
    const target = { registry: proxy.host, repository: 'acme/faulty-sign' };
    const other = (await pushTestImage({ client, target, layer: 'sign under 5xx', reference: 'v1' })).digest
      .value;
    const putManifest = (req: ProxiedRequest) => req.method === 'PUT' && req.path.includes('/manifests/');
    const post = firstTimes(1, (req) => req.method === 'POST', { kind: 'respond', status: 502 });
    const put = firstTimes(1, putManifest, { kind: 'respond', status: 502 });
    proxy.fault = (req) => post(req) ?? put(req);
    const signed = await runBin(
      ['sign', `${proxy.host}/acme/faulty-sign:v1`, '--key', key, '-o', 'json'],
      ENV,
    );
    proxy.fault = undefined;
    expect(signed.code, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({ ok: true, digest: other });
    const ok = await runInProcess(['verify', `${proxy.host}/acme/faulty-sign:v1`, '--key', pub]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('exits 3 (could not decide), not 1 (no signatures), when the fallback index keeps failing with 5xx', async () => {
    const r = await verifyWith((req) => (fallbackGet(req) ? { kind: 'respond', status: 503 } : undefined));
    expect(r.code).toBe(3);
    const error = errorOf(r);
    expect(error.code).toBe('ERR_REGISTRY');
    expect(error.message).toContain('HTTP 503');
    expect(seen(fallbackGet, r.from)).toBe(4);
  });

  it('waits as Retry-After says on 429, then verifies', async () => {
    const started = Date.now();
    const r = await verifyWith(
      firstTimes(1, fallbackGet, { kind: 'respond', status: 429, headers: { 'retry-after': '1' } }),
    );
    expect(r.code, r.stdout).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(seen(fallbackGet, r.from)).toBe(2);
  });

  it('retries a truncated body (Content-Length larger than what came, connection closed); exits 3 if it stays so', async () => {
    const once = await verifyWith(firstTimes(1, bundleGet, { kind: 'truncate', keepBytes: 40 }));
    expect(once.code, once.stdout).toBe(0);
    expect(seen(bundleGet, once.from)).toBe(2);

    const always = await verifyWith((req) =>
      bundleGet(req) ? { kind: 'truncate', keepBytes: 40 } : undefined,
    );
    expect(always.code).toBe(3);
    const error = errorOf(always);
    expect(error.code).toBe('ERR_REGISTRY');
    expect(error.message).toContain(`/v2/acme/faulty/blobs/${bundleBlob}`);
    expect(error.message).toMatch(/after 4 attempt\(s\)/);
  });

  it('refuses a bundle blob whose bytes do not match its digest (exit 1, ERR_DIGEST_MISMATCH), never verifying it', async () => {
    const changed = (body: Buffer): Buffer => {
      const copy = Buffer.from(body);
      // Same length, one byte changed inside the JSON: only the digest check can notice.
      const at = copy.indexOf('"mediaType"');
      copy[at + 1] = 'M'.charCodeAt(0);
      return copy;
    };
    const r = await verifyWith((req) =>
      bundleGet(req) ? { kind: 'rewrite', rewrite: (a) => ({ ...a, body: changed(a.body) }) } : undefined,
    );
    expect(r.code).toBe(1);
    const error = errorOf(r);
    expect(error.code).toBe('ERR_DIGEST_MISMATCH');
    expect(error.message).toContain(`expected digest ${bundleBlob}`);
    expect(error.message).toContain(`/v2/acme/faulty/blobs/${bundleBlob}`);
  });

  it('refuses a manifest over 4 MiB with exit 3 (ERR_RESPONSE_TOO_LARGE), with or without Content-Length (built bin)', async () => {
    const big = Buffer.alloc(FOUR_MIB + 1, 0x20);
    const declared = await verifyWith(
      (req) =>
        tagGet(req)
          ? {
              kind: 'respond',
              status: 200,
              headers: {
                'content-type': 'application/vnd.oci.image.manifest.v1+json',
                'content-length': String(big.length),
              },
              body: big,
            }
          : undefined,
      runBin,
    );
    const chunked = await verifyWith((req) =>
      fallbackGet(req)
        ? {
            kind: 'respond',
            status: 200,
            headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
            body: big,
          }
        : undefined,
    );
    for (const r of [declared, chunked]) {
      expect(r.code).toBe(3);
      const error = errorOf(r);
      expect(error.code).toBe('ERR_RESPONSE_TOO_LARGE');
      expect(error.message).toContain(`at most ${FOUR_MIB} bytes`);
    }
    expect(errorOf(declared).message).toContain('/v2/acme/faulty/manifests/v1');
    expect(errorOf(chunked).message).toContain(`/manifests/sha256-${digest.slice('sha256:'.length)}`);
  });
});
