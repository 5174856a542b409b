// `vouch trusted-root refresh` then verify with --trusted-root-cache: TUF over loopback, then offline verification.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTufRepository, type TufRepository } from '../support/tuf-repository.js';
import { loadVectorSet, VECTORS_DIR } from '../support/vectors.js';
import { runBin, withTempDir } from './harness.js';

const conformance = loadVectorSet('sigstore-conformance');
const ARTIFACT = join(conformance.dir, 'bundle-verify/a.txt');
const HAPPY = join(conformance.dir, 'bundle-verify/happy-path-v0.3/bundle.sigstore.json');
const IDENTITY = [
  '--certificate-identity',
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  '--certificate-oidc-issuer',
  'https://token.actions.githubusercontent.com',
];

let repo: TufRepository;
beforeAll(async () => {
  repo = await startTufRepository();
});
afterAll(() => repo.close());

describe('vouch trusted-root refresh', () => {
  it('refreshes a root through TUF, and verification then uses the cache (and only it)', () =>
    withTempDir(async (dir) => {
      const cache = join(dir, 'cache');
      const rootPath = join(dir, 'root.json');
      await writeFile(rootPath, repo.initialRoot);
      // Publish a root that does not trust public-good's log: a bundle it cannot anchor must then fail.
      repo.publish(
        await readFile(join(conformance.dir, 'bundle-verify/rekor2-happy-path/trusted_root.json')),
      );
      const refresh = [
        'trusted-root',
        'refresh',
        '--cache-dir',
        cache,
        '--mirror',
        repo.url,
        '--root',
        rootPath,
      ];
      const first = await runBin([...refresh, '--output', 'json']);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, cacheDir: cache });
      const verify = ['verify-blob', ARTIFACT, '--bundle', HAPPY, ...IDENTITY, '--trusted-root-cache', cache];
      expect((await runBin(verify)).code).toBe(1);

      repo.publish(await readFile(join(VECTORS_DIR, 'trusted-roots/public-good.json')));
      const second = await runBin(refresh);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toContain('network');
      const ok = await runBin(verify);
      expect(ok.code, ok.stderr).toBe(0);
    }));

  it('is a usage error without --cache-dir, and an I/O error (exit 3) when the repository is unreachable', () =>
    withTempDir(async (dir) => {
      expect((await runBin(['trusted-root', 'refresh'])).code).toBe(2);
      const rootPath = join(dir, 'root.json');
      await writeFile(rootPath, repo.initialRoot);
      const unreachable = await runBin([
        'trusted-root',
        'refresh',
        '--cache-dir',
        join(dir, 'c'),
        '--mirror',
        'http://127.0.0.1:9',
        '--root',
        rootPath,
        '--output',
        'json',
      ]);
      expect(unreachable.code).toBe(3);
      expect(JSON.parse(unreachable.stdout).error).toMatchObject({ code: 'ERR_IO' });
    }));
});
