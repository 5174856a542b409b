// Multi-arch against the real registry (distribution 2.8 on loopback): sign an index (--recursive or not) and verify
// its platform manifests on their own, or through the index's signature only when `--index` names it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, type RepositoryTarget } from '../../packages/oci/src/index.js';
import { runInProcess, withTempDir } from '../cli/harness.js';
import { pushPlatformEntry, pushTwoPlatformIndex } from '../support/nested-index.js';
import { type RunningRegistry, startRegistry } from '../support/registry.js';

const ENV = { VOUCH_PASSWORD: 'multi-arch-test-password' };
const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

const pushIndex = (client: RegistryClient, target: RepositoryTarget, tag: string) =>
  pushTwoPlatformIndex({ client, target, tag });

async function keygen(dir: string): Promise<{ key: string; pub: string }> {
  const r = await runInProcess(['keygen', '--output-key-prefix', join(dir, 'k')], ENV);
  expect(r.code, r.stderr).toBe(0);
  return { key: join(dir, 'k.key'), pub: join(dir, 'k.pub') };
}

describe('multi-arch: signing an index and verifying its platform manifests (real registry, fallback tag)', () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('--recursive signs the index and every platform manifest, each verifying on its own', () =>
    withTempDir(async (dir) => {
      const { key, pub } = await keygen(dir);
      const repo = `${registry.host}/acme/multi`;
      const pushed = await pushIndex(client, { registry: registry.host, repository: 'acme/multi' }, 'r1');

      const signed = await runInProcess(
        ['sign', `${repo}:r1`, '--key', key, '--recursive', '-o', 'json'],
        ENV,
      );
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
        const verified = await runInProcess(['verify', `${repo}@${digest}`, '--key', pub, '-o', 'json']);
        expect(verified.code, verified.stderr).toBe(0);
        expect(json(verified.stdout)).toMatchObject({ ok: true, digest });
        expect(json(verified.stdout).index).toBeUndefined();
      }
    }));

  it('without --recursive a platform manifest verifies only through the index named by --index', () =>
    withTempDir(async (dir) => {
      const { key, pub } = await keygen(dir);
      const repo = `${registry.host}/acme/single`;
      const target = { registry: registry.host, repository: 'acme/single' };
      const pushed = await pushIndex(client, target, 's1');

      const signed = await runInProcess(['sign', `${repo}:s1`, '--key', key, '-o', 'json'], ENV);
      expect(signed.code, signed.stderr).toBe(0);
      expect(json(signed.stdout)).toMatchObject({ ok: true, digest: pushed.index });
      expect(json(signed.stdout).children).toBeUndefined();

      // Never implied: the platform manifest has no signature of its own.
      const alone = await runInProcess(['verify', `${repo}@${pushed.amd}`, '--key', pub, '-o', 'json']);
      expect(alone.code).toBe(1);
      expect(json(alone.stdout).error).toMatchObject({ code: 'ERR_NO_SIGNATURES' });

      const viaIndex = await runInProcess([
        'verify',
        `${repo}@${pushed.amd}`,
        '--index',
        `${repo}:s1`,
        '--key',
        pub,
        '-o',
        'json',
      ]);
      expect(viaIndex.code, viaIndex.stderr).toBe(0);
      expect(json(viaIndex.stdout)).toMatchObject({
        ok: true,
        digest: pushed.amd,
        index: { image: `${repo}@${pushed.index}`, digest: pushed.index },
      });
      const text = await runInProcess([
        'verify',
        `${repo}@${pushed.arm}`,
        '--index',
        `${repo}@${pushed.index}`,
        '--key',
        pub,
      ]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain('Accepted the signature on index');

      // A platform manifest the named index does not list: refused, naming both digests.
      const stranger = await pushPlatformEntry({
        client,
        target,
        architecture: 'riscv64',
        reference: 'stranger',
      });
      const refused = await runInProcess([
        'verify',
        `${repo}@${stranger.digest.value}`,
        '--index',
        `${repo}:s1`,
        '--key',
        pub,
        '-o',
        'json',
      ]);
      expect(refused.code).toBe(1);
      const error = json(refused.stdout).error;
      expect(error).toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
      expect(JSON.stringify(error)).toContain(stranger.digest.value);
      expect(JSON.stringify(error)).toContain(pushed.index);

      // An unsigned index listing the manifest gives nothing to accept.
      const other = await pushIndex(client, target, 's2');
      const unsigned = await runInProcess([
        'verify',
        `${repo}@${other.amd}`,
        '--index',
        `${repo}:s2`,
        '--key',
        pub,
        '-o',
        'json',
      ]);
      expect(unsigned.code).toBe(1);
      expect(json(unsigned.stdout).error).toMatchObject({ code: 'ERR_NO_SIGNATURES' });

      // --index must name an index, not a platform manifest.
      const notIndex = await runInProcess([
        'verify',
        `${repo}@${pushed.amd}`,
        '--index',
        `${repo}@${pushed.arm}`,
        '--key',
        pub,
        '-o',
        'json',
      ]);
      expect(notIndex.code).toBe(2);
      expect(json(notIndex.stdout).error).toMatchObject({ code: 'ERR_USAGE' });

      // --recursive with --no-upload is a usage error (the index is read from the registry).
      const offline = await runInProcess(
        ['sign', `${repo}@${pushed.index}`, '--key', key, '--recursive', '--no-upload'],
        ENV,
      );
      expect(offline.code).toBe(2);

      // --index with a given bundle is a usage error.
      const usage = await runInProcess([
        'verify',
        `${repo}@${pushed.amd}`,
        '--index',
        `${repo}:s1`,
        '--bundle',
        join(dir, 'none.json'),
        '--key',
        pub,
      ]);
      expect(usage.code).toBe(2);
    }));
});
