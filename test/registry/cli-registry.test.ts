// vouch sign / verify / tree / attach against Debian's docker-registry on loopback: plain HTTP, TLS + basic auth, keyless.
import { createPrivateKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createSimpleSigningPayload } from '@vouch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RegistryClient,
  type RegistryClientOptions,
  type RepositoryTarget,
} from '../../packages/oci/src/index.js';
import { runBin, runInProcess, withTempDir } from '../cli/harness.js';
import { writeLegacySignature } from '../support/cosign-legacy.js';
import { pushTestImage } from '../support/images.js';
import { type RunningRegistry, startRegistry } from '../support/registry.js';
import {
  type SigstoreServices,
  startSigstoreServices,
  TEST_ISSUER,
  TEST_SUBJECT,
} from '../support/sigstore-services.js';

const ENV = { VOUCH_PASSWORD: 'registry-test-password' };
const _utf8 = (text: string) => new TextEncoder().encode(text);
const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

/** Pushes a one-layer OCI image whose layer holds `content`, tagged `tag`; returns the manifest digest. */
async function pushImage(client: RegistryClient, target: RepositoryTarget, tag: string, content: string) {
  return (await pushTestImage({ client, target, layer: content, reference: tag })).digest.value;
}

async function keygen(dir: string, name: string): Promise<{ key: string; pub: string }> {
  const r = await runInProcess(['keygen', '--output-key-prefix', join(dir, name)], ENV);
  expect(r.code, r.stderr).toBe(0);
  return { key: join(dir, `${name}.key`), pub: join(dir, `${name}.pub`) };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('vouch sign/verify/tree against a plain-HTTP registry (fallback tag: distribution 2.8 has no referrers API)', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let services: SigstoreServices;
  beforeAll(async () => {
    [registry, services] = await Promise.all([startRegistry(), startSigstoreServices()]);
    client = new RegistryClient();
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), services?.close()]);
  });

  it('signs by tag, verifies by tag (printing the digest), lists it, and refuses a new image pushed under the tag', () =>
    withTempDir(async (dir) => {
      const { key, pub } = await keygen(dir, 'k');
      const target = { registry: registry.host, repository: 'acme/app' };
      const image = `${registry.host}/acme/app:v1`;
      const digest = await pushImage(client, target, 'v1', 'first');

      const signed = await runBin(['sign', image, '--key', key, '-o', 'json'], ENV);
      expect(signed.code, signed.stderr).toBe(0);
      expect(json(signed.stdout)).toMatchObject({
        ok: true,
        digest,
        image: `${registry.host}/acme/app@${digest}`,
        attached: { via: 'fallback-tag' },
      });
      expect(signed.stderr).toContain(digest);

      const verified = await runBin(['verify', image, '--key', pub]);
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stderr).toContain(`resolved to ${digest}`);
      expect(verified.stdout).toContain('Verified OK');

      const tree = await runInProcess(['tree', image, '-o', 'json']);
      expect(tree.code, tree.stderr).toBe(0);
      const doc = json(tree.stdout);
      expect(doc).toMatchObject({ ok: true, digest, via: 'fallback-tag' });
      expect(doc.artifacts).toEqual([
        expect.objectContaining({
          format: 'sigstore-bundle',
          predicateType: 'https://sigstore.dev/cosign/sign/v1',
        }),
      ]);
      const text = await runInProcess(['tree', image]);
      expect(text.stdout).toContain('Sigstore bundles (fallback tag)');

      // Another key is not trusted: exit 1.
      const other = await keygen(dir, 'other');
      const untrusted = await runInProcess(['verify', image, '--key', other.pub, '-o', 'json']);
      expect(untrusted.code).toBe(1);

      // A changed image under the same tag: nothing is attached to its digest.
      const changed = await pushImage(client, target, 'v1', 'second');
      expect(changed).not.toBe(digest);
      const refused = await runBin(['verify', image, '--key', pub, '-o', 'json']);
      expect(refused.code).toBe(1);
      expect(json(refused.stdout).error).toMatchObject({ code: 'ERR_NO_SIGNATURES' });
      expect(refused.stderr).toContain(changed);
      // The old digest still verifies, and a bundle written offline attaches to the new one.
      expect((await runInProcess(['verify', `${registry.host}/acme/app@${digest}`, '--key', pub])).code).toBe(
        0,
      );
      const bundle = join(dir, 'new.sigstore.json');
      const offline = await runInProcess(
        ['sign', `${registry.host}/acme/app@${changed}`, '--no-upload', '--key', key, '--bundle', bundle],
        ENV,
      );
      expect(offline.code, offline.stderr).toBe(0);
      expect((await runInProcess(['verify', image, '--key', pub])).code).toBe(1);
      const attached = await runInProcess(['attach', '--bundle', bundle, image, '-o', 'json']);
      expect(attached.code, attached.stderr).toBe(0);
      expect(json(attached.stdout)).toMatchObject({ digest: changed, attached: { via: 'fallback-tag' } });
      expect((await runInProcess(['verify', image, '--key', pub])).code).toBe(0);
      // A bundle for another image is not attached.
      const wrong = await runInProcess(['attach', '--bundle', bundle, `${registry.host}/acme/app@${digest}`]);
      expect(wrong.code).toBe(1);
    }));

  it('signs keyless with the loopback Sigstore services and verifies the identity with --trusted-root', () =>
    withTempDir(async (dir) => {
      const target = { registry: registry.host, repository: 'acme/keyless' };
      const digest = await pushImage(client, target, 'v1', 'keyless');
      const image = `${registry.host}/acme/keyless:v1`;
      const signed = await runBin(['sign', image, ...services.signFlags()]);
      expect(signed.code, signed.stderr).toBe(0);
      expect(signed.stdout).toContain('Attached as sha256:');
      const root = join(dir, 'trusted_root.json');
      await writeFile(root, JSON.stringify(services.trustedRoot));
      const base = ['verify', image, '--certificate-oidc-issuer', TEST_ISSUER, '--trusted-root', root];
      const ok = await runBin([...base, '--certificate-identity', TEST_SUBJECT, '-o', 'json']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(json(ok.stdout)).toMatchObject({ ok: true, digest, signer: { type: 'certificate' } });
      const other = await runInProcess([...base, '--certificate-identity', `${TEST_SUBJECT}x`, '-o', 'json']);
      expect(other.code).toBe(1);
      expect(json(other.stdout).error).toMatchObject({ code: 'ERR_IDENTITY_MISMATCH' });
    }));

  it("verifies cosign's legacy .sig simple-signing signature with a key, and counts it towards a threshold", () =>
    withTempDir(async (dir) => {
      const target = { registry: registry.host, repository: 'acme/legacy' };
      const digest = await pushImage(client, target, 'v1', 'legacy');
      const image = `${registry.host}/acme/legacy:v1`;
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const legacyPub = join(dir, 'legacy.pub');
      await writeFile(legacyPub, publicKey.export({ type: 'spki', format: 'pem' }));
      const payload = createSimpleSigningPayload({ reference: `${registry.host}/acme/legacy`, digest });
      const signature = nodeSign(
        'sha256',
        payload,
        createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })),
      );
      await writeLegacySignature({
        client,
        target,
        subject: digest,
        layers: [{ payload, signature: signature.toString('base64') }],
      });
      const ok = await runInProcess(['verify', image, '--key', legacyPub, '-o', 'json']);
      expect(ok.code, ok.stderr).toBe(0);
      const { key, pub } = await keygen(dir, 'k');
      expect((await runInProcess(['verify', image, '--key', pub])).code).toBe(1);
      // A vouch bundle by a second key: two distinct signers over the two layouts.
      expect((await runInProcess(['sign', image, '--key', key], ENV)).code).toBe(0);
      const both = await runInProcess([
        'verify',
        image,
        '--key',
        legacyPub,
        '--key',
        pub,
        '--threshold',
        '2',
      ]);
      expect(both.code, both.stderr).toBe(0);
      const tree = json((await runInProcess(['tree', image, '-o', 'json'])).stdout);
      expect((tree.artifacts as { format: string }[]).map((a) => a.format).sort()).toEqual([
        'legacy-signature',
        'sigstore-bundle',
      ]);
    }));

  it('stores and finds signatures in another repository (--signatures-repository, COSIGN_REPOSITORY)', () =>
    withTempDir(async (dir) => {
      const target = { registry: registry.host, repository: 'acme/elsewhere' };
      await pushImage(client, target, 'v1', 'elsewhere');
      const image = `${registry.host}/acme/elsewhere:v1`;
      const sigs = `${registry.host}/acme/signatures`;
      const { key, pub } = await keygen(dir, 'k');
      const signed = await runInProcess(['sign', image, '--key', key, '--signatures-repository', sigs], ENV);
      expect(signed.code, signed.stderr).toBe(0);
      expect((await runInProcess(['verify', image, '--key', pub])).code).toBe(1);
      const found = await runInProcess(['verify', image, '--key', pub], { COSIGN_REPOSITORY: sigs });
      expect(found.code, found.stderr).toBe(0);
    }));

  it('exits 3 when the registry is down', () =>
    withTempDir(async (dir) => {
      const { pub } = await keygen(dir, 'k');
      const port = await closedPort();
      const r = await runBin(['verify', `127.0.0.1:${port}/acme/app:v1`, '--key', pub, '-o', 'json']);
      expect(r.code).toBe(3);
      expect(json(r.stdout).error).toMatchObject({ code: 'ERR_REGISTRY' });
    }));
});

describe('vouch sign/verify against a TLS registry with basic auth (htpasswd, bcrypt)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true, auth: 'basic' });
  });
  afterAll(() => registry?.stop());

  it('signs and verifies with --registry-cacert and VOUCH_REGISTRY_PASSWORD; a wrong password exits 2 and is never printed', () =>
    withTempDir(async (dir) => {
      const username = registry.username ?? '';
      const password = registry.password ?? '';
      const caFile = registry.caFile ?? '';
      const options: RegistryClientOptions = {
        caCertificates: await readFile(caFile, 'utf8'),
        loopbackHttp: false,
        credentials: { [registry.host]: { username, password } },
      };
      const client = new RegistryClient(options);
      const target = { registry: registry.host, repository: 'acme/private' };
      const digest = await pushImage(client, target, 'v1', 'private');
      const image = `${registry.host}/acme/private:v1`;
      const { key, pub } = await keygen(dir, 'k');
      const flags = ['--registry-cacert', caFile, '--registry-username', username];
      const signed = await runBin(['sign', image, '--key', key, ...flags], {
        ...ENV,
        VOUCH_REGISTRY_PASSWORD: password,
      });
      expect(signed.code, signed.stderr).toBe(0);
      const ok = await runBin(['verify', image, '--key', pub, ...flags, '-o', 'json'], {
        VOUCH_REGISTRY_PASSWORD: password,
      });
      expect(ok.code, ok.stderr).toBe(0);
      expect(json(ok.stdout)).toMatchObject({ ok: true, digest });

      const wrongPassword = 'not-the-password-1234';
      const refused = await runBin(['verify', image, '--key', pub, ...flags, '-o', 'json'], {
        VOUCH_REGISTRY_PASSWORD: wrongPassword,
      });
      expect(refused.code).toBe(2);
      expect(json(refused.stdout).error).toMatchObject({ code: 'ERR_REGISTRY_AUTH' });
      expect(refused.stdout + refused.stderr).not.toContain(wrongPassword);
      expect(ok.stdout + ok.stderr + signed.stdout + signed.stderr).not.toContain(password);

      // Without the CA, loopback is spoken to in plain HTTP and the TLS server refuses: could not decide (3), no verdict.
      const noCa = await runInProcess(['verify', image, '--key', pub, '--registry-username', username], {
        VOUCH_REGISTRY_PASSWORD: password,
      });
      expect(noCa.code).toBe(3);
      // Without --registry-username the password alone is not used: the registry refuses (2).
      const anonymous = await runInProcess(['verify', image, '--key', pub, '--registry-cacert', caFile]);
      expect(anonymous.code).toBe(2);
    }));
});
