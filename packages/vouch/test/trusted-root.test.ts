// Trusted roots: the shipped public-good root, and a cache refreshed through TUF from a repository on loopback,
// committed atomically and kept whole when a refresh fails.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrustedRoot, type TrustedRoot } from '@vouch/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { startTufRepository, type TufRepository } from '../../../test/support/tuf-repository.js';
import { loadVectorSet, VECTORS_DIR } from '../../../test/support/vectors.js';
import { loadTrustedRoot, publicGoodTrustedRoot, refreshTrustedRoot } from '../src/trusted-root.js';

const vectors = loadVectorSet('sigstore-conformance');
// Two roots other than the shipped one, so that a refreshed root cannot be mistaken for it.
const ROOT_A = vectors.bytes('bundle-verify/rekor2-happy-path/trusted_root.json');
const ROOT_B = vectors.bytes('bundle-verify/intoto-with-custom-trust-root/trusted_root.json');

/** What tells roots apart: every log id and CA. */
function fingerprint(root: TrustedRoot): string[] {
  return [
    ...root.tlogs.map((t) => `tlog ${t.logIdHex}`),
    ...root.ctlogs.map((t) => `ctlog ${t.logIdHex}`),
    ...root.certificateAuthorities.map((c) => `ca ${c.uri} ${c.validFor.start.toISOString()}`),
    ...root.timestampAuthorities.map((c) => `tsa ${c.uri}`),
  ];
}

const parsed = (bytes: Uint8Array): string[] =>
  fingerprint(parseTrustedRoot(JSON.parse(Buffer.from(bytes).toString('utf8'))));

describe('publicGoodTrustedRoot and loadTrustedRoot without a cache', () => {
  it('ships the public-good root (the same as the vector copy), parsed once', async () => {
    const shipped = publicGoodTrustedRoot();
    expect(shipped.certificateAuthorities.length).toBeGreaterThan(0);
    expect(fingerprint(shipped)).toEqual(
      parsed(readFileSync(join(VECTORS_DIR, 'trusted-roots/public-good.json'))),
    );
    expect(await loadTrustedRoot()).toBe(shipped);
  });
});

describe('refreshTrustedRoot through TUF, and loadTrustedRoot({ cacheDir })', () => {
  let repo: TufRepository;
  let work: string;
  let cacheDir: string;
  let rootPath: string;

  beforeAll(async () => {
    repo = await startTufRepository();
  });
  afterAll(() => repo.close());
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'vouch-tuf-'));
    cacheDir = join(work, 'cache');
    rootPath = join(work, 'root.json');
    await writeFile(rootPath, repo.initialRoot);
    repo.publish(ROOT_A);
  });
  afterEach(() => rm(work, { recursive: true, force: true }));

  const refresh = (extra: { forceCache?: boolean; mirrorUrl?: string } = {}) =>
    refreshTrustedRoot({ cacheDir, mirrorUrl: repo.url, rootPath, ...extra });
  const generations = async () => (await readdir(cacheDir)).filter((n) => n.startsWith('gen-')).sort();

  it('an empty cache gives the shipped root, and nothing is fetched until asked', async () => {
    const before = repo.requests.length;
    expect(await loadTrustedRoot({ cacheDir })).toBe(publicGoodTrustedRoot());
    expect(repo.requests.length).toBe(before);
  });

  it('fetches the TUF-verified target, commits it, and loads it from the cache', async () => {
    const root = await refresh();
    expect(fingerprint(root)).toEqual(parsed(ROOT_A));
    expect(repo.requests).toEqual(
      expect.arrayContaining(['/2.root.json', '/timestamp.json', '/snapshot.json', '/targets.json']),
    );
    expect(repo.requests).toContain('/targets/trusted_root.json');
    expect(fingerprint(await loadTrustedRoot({ cacheDir }))).toEqual(parsed(ROOT_A));
    // One generation, named by the pointer; no temp files left.
    const [generation, ...others] = await generations();
    expect(others).toEqual([]);
    expect(JSON.parse(await readFile(join(cacheDir, 'current.json'), 'utf8'))).toMatchObject({
      generation,
      mirrorUrl: repo.url,
    });
    expect((await readdir(cacheDir)).sort()).toEqual(['current.json', generation]);
    expect(await readFile(join(cacheDir, String(generation), 'trusted_root.json'))).toEqual(ROOT_A);
  });

  it('a new version replaces the cached root, and the replaced generation is removed', async () => {
    await refresh();
    const [first] = await generations();
    repo.publish(ROOT_B);
    expect(fingerprint(await refresh())).toEqual(parsed(ROOT_B));
    expect(fingerprint(await loadTrustedRoot({ cacheDir }))).toEqual(parsed(ROOT_B));
    const after = await generations();
    expect(after).toHaveLength(1);
    expect(after).not.toContain(first);
  });

  it('continues from the trusted metadata: a rolled-back timestamp is refused and the cache kept', async () => {
    await refresh();
    const oldTimestamp = repo.served('/timestamp.json');
    repo.publish(ROOT_B);
    await refresh();
    repo.override('/timestamp.json', oldTimestamp);
    expect(await codeOf(() => refresh())).toBe('ERR_IO');
    expect(fingerprint(await loadTrustedRoot({ cacheDir }))).toEqual(parsed(ROOT_B));
    expect(await generations()).toHaveLength(1);
  });

  describe('a failed refresh leaves the previous root current and no partial generation', () => {
    beforeEach(async () => {
      await refresh();
    });

    const failures: [string, () => void, string][] = [
      [
        'timestamp signed by a key the root does not list',
        () => repo.override('/timestamp.json', repo.signWithUntrustedKey(repo.metadata('timestamp'))),
        'ERR_IO',
      ],
      [
        'target bytes that are not the ones targets.json lists',
        () => {
          repo.publish(ROOT_B);
          repo.override('/targets/trusted_root.json', ROOT_A);
        },
        'ERR_IO',
      ],
      [
        'a TUF-valid target that vouch refuses (a log with no validity start)',
        () =>
          repo.publish(
            vectors.bytes('bundle-verify/trust-root-tlog-missing-validity-start_fail/trusted_root.json'),
          ),
        'ERR_MALFORMED_TRUSTED_ROOT',
      ],
      [
        'snapshot metadata that is not JSON',
        () => {
          repo.publish(ROOT_B);
          repo.override('/snapshot.json', '{"signed":');
        },
        'ERR_IO',
      ],
    ];

    it.each(failures)('%s', async (_name, breakRepo, code) => {
      const [before] = await generations();
      breakRepo();
      expect(await codeOf(() => refresh())).toBe(code);
      expect(fingerprint(await loadTrustedRoot({ cacheDir }))).toEqual(parsed(ROOT_A));
      expect(await generations()).toEqual([before]);
    });

    it('an unreachable repository', async () => {
      expect(await codeOf(() => refresh({ mirrorUrl: 'http://127.0.0.1:9' }))).toBe('ERR_IO');
      expect(fingerprint(await loadTrustedRoot({ cacheDir }))).toEqual(parsed(ROOT_A));
      expect(await generations()).toHaveLength(1);
    });
  });

  it('forceCache uses the unexpired cached metadata without asking the repository', async () => {
    await refresh();
    const before = repo.requests.length;
    expect(fingerprint(await refresh({ forceCache: true }))).toEqual(parsed(ROOT_A));
    expect(repo.requests.length).toBe(before);
  });

  it('needs a TUF root to start from for a repository other than the public-good one', async () => {
    expect(await codeOf(() => refreshTrustedRoot({ cacheDir, mirrorUrl: repo.url }))).toBe('ERR_IO');
    expect(await loadTrustedRoot({ cacheDir })).toBe(publicGoodTrustedRoot());
  });

  it('ignores what a crashed refresh left, and a later refresh removes it once it is stale', async () => {
    await refresh();
    const [committed] = await generations();
    // A crash mid-refresh: a half-written generation and a pointer temp file that were never renamed into place.
    const crashed = join(cacheDir, 'gen-crashed');
    await mkdir(join(crashed, 'tuf'), { recursive: true });
    await writeFile(join(crashed, 'trusted_root.json'), '{"mediaType":');
    await writeFile(join(cacheDir, '.current.json.0123.tmp'), '{"generation":"gen-crashed"');
    expect(fingerprint(await loadTrustedRoot({ cacheDir }))).toEqual(parsed(ROOT_A));
    // Fresh leftovers may belong to a refresh still running elsewhere: kept. Stale ones are removed.
    await refresh();
    expect(await generations()).toContain('gen-crashed');
    const hoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(crashed, hoursAgo, hoursAgo);
    await utimes(join(cacheDir, '.current.json.0123.tmp'), hoursAgo, hoursAgo);
    await refresh();
    expect(await readdir(cacheDir)).not.toContain('.current.json.0123.tmp');
    const left = await generations();
    expect(left).not.toContain('gen-crashed');
    expect(left).not.toContain(committed);
    expect(left).toHaveLength(1);
  });

  it('refuses a pointer that names anything but a generation directory', async () => {
    await mkdir(cacheDir, { recursive: true });
    for (const generation of ['../outside', 'gen-a/../../x', '', 42]) {
      await writeFile(join(cacheDir, 'current.json'), JSON.stringify({ generation }));
      expect(await codeOf(() => loadTrustedRoot({ cacheDir }))).toBe('ERR_IO');
    }
  });
});
