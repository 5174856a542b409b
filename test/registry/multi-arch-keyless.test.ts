// Multi-arch keyless against the real registry (distribution 2.8, fallback tag) and the loopback Sigstore services:
// --recursive over a two-platform index and over a nested index (walked as cosign does), and `verify --index`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyImage } from 'vouch';
import { RegistryClient, type RepositoryTarget } from '../../packages/oci/src/index.js';
import { type RunResult, runBin, runInProcess, withTempDir } from '../cli/harness.js';
import { codeOf } from '../support/errors.js';
import { pushNestedIndex, pushPlatformEntry, pushTwoPlatformIndex } from '../support/nested-index.js';
import { type RunningRegistry, startRegistry } from '../support/registry.js';
import {
  type SigstoreServices,
  startSigstoreServices,
  TEST_ISSUER,
  TEST_SUBJECT,
} from '../support/sigstore-services.js';

const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
const WRONG_SUBJECT = 'https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main';

describe('multi-arch keyless: --recursive and --index (real registry, fallback tag, loopback Sigstore)', () => {
  let registry: RunningRegistry;
  let services: SigstoreServices;
  let client: RegistryClient;
  beforeAll(async () => {
    [registry, services] = await Promise.all([startRegistry(), startSigstoreServices()]);
    client = new RegistryClient();
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), services?.close()]);
  });

  const target = (repository: string): RepositoryTarget => ({ registry: registry.host, repository });
  const signFlags = () => [...services.signFlags(), '-o', 'json'];
  /** `vouch sign IMAGE --keyless …` in-process (the bin in one case). */
  const signKeyless = (image: string, extra: readonly string[] = [], run = runInProcess) =>
    run(['sign', image, ...extra, ...signFlags()]);
  /** `vouch verify IMAGE` keyless against the services' trusted root (written into `dir`), JSON output. */
  async function verifyKeyless(
    dir: string,
    image: string,
    options: { subject?: string; issuer?: string; index?: string } = {},
  ): Promise<RunResult> {
    const root = join(dir, 'trusted_root.json');
    await writeFile(root, JSON.stringify(services.trustedRoot));
    return runInProcess([
      'verify',
      image,
      '--certificate-identity',
      options.subject ?? TEST_SUBJECT,
      '--certificate-oidc-issuer',
      options.issuer ?? TEST_ISSUER,
      '--trusted-root',
      root,
      ...(options.index === undefined ? [] : ['--index', options.index]),
      '-o',
      'json',
    ]);
  }
  /** Verified: exit 0, the digest checked is `digest`, the signer a Fulcio certificate. */
  function expectVerified(r: RunResult, digest: string): Record<string, unknown> {
    expect(r.code, r.stderr).toBe(0);
    const doc = json(r.stdout);
    expect(doc).toMatchObject({ ok: true, digest, signer: { type: 'certificate' } });
    return doc;
  }
  /** Refused: exit 1 (not trusted) with `code` in the JSON error. */
  function expectRefused(r: RunResult, code: string): Record<string, unknown> {
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const doc = json(r.stdout);
    expect(doc.error).toMatchObject({ code });
    return doc;
  }

  it('keyless --recursive (built bin) signs the index and both platform manifests; each verifies only for the signer', () =>
    withTempDir(async (dir) => {
      const repo = `${registry.host}/acme/keyless-multi`;
      const pushed = await pushTwoPlatformIndex({ client, target: target('acme/keyless-multi'), tag: 'r1' });

      const signed = await signKeyless(`${repo}:r1`, ['--recursive'], runBin);
      expect(signed.code, signed.stderr).toBe(0);
      expect(json(signed.stdout)).toMatchObject({
        ok: true,
        digest: pushed.index,
        attached: { via: 'fallback-tag' },
        children: [
          { digest: pushed.amd, platform: 'linux/amd64', attached: { via: 'fallback-tag' } },
          { digest: pushed.arm, platform: 'linux/arm64', attached: { via: 'fallback-tag' } },
        ],
      });

      for (const digest of [pushed.index, pushed.amd, pushed.arm]) {
        const image = `${repo}@${digest}`;
        const doc = expectVerified(await verifyKeyless(dir, image), digest);
        expect(doc.index).toBeUndefined();
        expectRefused(await verifyKeyless(dir, image, { subject: WRONG_SUBJECT }), 'ERR_IDENTITY_MISMATCH');
      }
      // The issuer is part of the identity too.
      expectRefused(
        await verifyKeyless(dir, `${repo}@${pushed.amd}`, { issuer: 'https://token.actions.example' }),
        'ERR_IDENTITY_MISMATCH',
      );
    }));

  it('keyless verify --index: a platform manifest signed only through its index', () =>
    withTempDir(async (dir) => {
      const repo = `${registry.host}/acme/keyless-index`;
      const t = target('acme/keyless-index');
      const pushed = await pushTwoPlatformIndex({ client, target: t, tag: 's1' });

      const signed = await signKeyless(`${repo}:s1`);
      expect(signed.code, signed.stderr).toBe(0);
      expect(json(signed.stdout)).toMatchObject({ ok: true, digest: pushed.index });
      expect(json(signed.stdout).children).toBeUndefined();

      // Never implied: the platform manifest has no signature of its own.
      expectRefused(await verifyKeyless(dir, `${repo}@${pushed.amd}`), 'ERR_NO_SIGNATURES');

      for (const digest of [pushed.amd, pushed.arm]) {
        const doc = expectVerified(
          await verifyKeyless(dir, `${repo}@${digest}`, { index: `${repo}:s1` }),
          digest,
        );
        expect(doc.index).toEqual({ image: `${repo}@${pushed.index}`, digest: pushed.index });
      }
      // The index's signature still has to be by the expected signer.
      expectRefused(
        await verifyKeyless(dir, `${repo}@${pushed.amd}`, { index: `${repo}:s1`, subject: WRONG_SUBJECT }),
        'ERR_IDENTITY_MISMATCH',
      );

      // A platform manifest the named index does not list: refused, naming both digests.
      const stranger = await pushPlatformEntry({
        client,
        target: t,
        architecture: 'riscv64',
        reference: 'x1',
      });
      const refused = expectRefused(
        await verifyKeyless(dir, `${repo}@${stranger.digest.value}`, { index: `${repo}@${pushed.index}` }),
        'ERR_DIGEST_MISMATCH',
      );
      expect(JSON.stringify(refused.error)).toContain(stranger.digest.value);
      expect(JSON.stringify(refused.error)).toContain(pushed.index);

      // The same through the API: the result names the index whose signature was accepted.
      const root = join(dir, 'trusted_root.json');
      const identity = {
        subjectAlternativeName: { exact: TEST_SUBJECT },
        issuer: { exact: TEST_ISSUER },
      } as const;
      const base = { registry: {}, identity, trustedRoot: { path: root } } as const;
      const result = await verifyImage({ ...base, image: `${repo}@${pushed.arm}`, index: `${repo}:s1` });
      expect(result.digest.value).toBe(pushed.arm);
      expect(result.index?.digest.value).toBe(pushed.index);
      expect(
        await codeOf(() =>
          verifyImage({ ...base, image: `${repo}@${stranger.digest.value}`, index: `${repo}:s1` }),
        ),
      ).toBe('ERR_DIGEST_MISMATCH');
    }));

  it('nested index: --index accepts only an index that lists the manifest itself, not its parent', () =>
    withTempDir(async (dir) => {
      const repo = `${registry.host}/acme/keyless-nested-index`;
      const nested = await pushNestedIndex({
        client,
        target: target('acme/keyless-nested-index'),
        tag: 'n1',
      });
      // Sign the outer and the inner index on their own (no --recursive).
      for (const digest of [nested.outer, nested.inner.index]) {
        const signed = await signKeyless(`${repo}@${digest}`);
        expect(signed.code, signed.stderr).toBe(0);
      }
      expectVerified(
        await verifyKeyless(dir, `${repo}@${nested.inner.amd}`, { index: `${repo}@${nested.inner.index}` }),
        nested.inner.amd,
      );
      expectVerified(
        await verifyKeyless(dir, `${repo}@${nested.riscv}`, { index: `${repo}:n1` }),
        nested.riscv,
      );
      // The outer index lists the inner index, not its platform manifests: its signature does not stand for them.
      expectRefused(
        await verifyKeyless(dir, `${repo}@${nested.inner.amd}`, { index: `${repo}:n1` }),
        'ERR_DIGEST_MISMATCH',
      );
    }));

  // cosign's --recursive (pkg/oci/walk SignedEntity over pkg/oci/mutate Map) signs an index, then each entry in
  // order, descending into an entry that is itself an index before moving on: every manifest reachable is signed.
  it('nested index: keyless --recursive signs every index and platform manifest reachable, in cosign walk order', () =>
    withTempDir(async (dir) => {
      const repo = `${registry.host}/acme/keyless-nested`;
      const nested = await pushNestedIndex({ client, target: target('acme/keyless-nested'), tag: 'n1' });

      const signed = await signKeyless(`${repo}:n1`, ['--recursive']);
      expect(signed.code, signed.stderr).toBe(0);
      const doc = json(signed.stdout);
      expect(doc).toMatchObject({ ok: true, digest: nested.outer, attached: { via: 'fallback-tag' } });
      const children = Array.isArray(doc.children) ? (doc.children as Record<string, unknown>[]) : [];
      expect(children.map((c) => c.digest)).toEqual([
        nested.inner.index,
        nested.inner.amd,
        nested.inner.arm,
        nested.riscv,
      ]);
      expect(children).toMatchObject([
        { attached: { via: 'fallback-tag' } },
        { platform: 'linux/amd64', attached: { via: 'fallback-tag' } },
        { platform: 'linux/arm64', attached: { via: 'fallback-tag' } },
        { platform: 'linux/riscv64', attached: { via: 'fallback-tag' } },
      ]);

      for (const digest of [
        nested.outer,
        nested.inner.index,
        nested.inner.amd,
        nested.inner.arm,
        nested.riscv,
      ]) {
        expectVerified(await verifyKeyless(dir, `${repo}@${digest}`), digest);
      }
    }));
});
