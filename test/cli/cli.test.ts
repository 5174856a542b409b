// The vouch command's contract (DESIGN §6): results on stdout, one JSON document with --output json, exit codes 0/1/2/3.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunResult, runBin, runInProcess, withTempDir } from './harness.js';

const DIGEST = 'sha256:7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c';
const IMAGE = `registry.example.com/acme/app@${DIGEST}`;
const ENV = { VOUCH_PASSWORD: 'test-password' };

async function keygen(
  dir: string,
  name = 'k',
  algorithm = 'ecdsa-p256',
): Promise<{ key: string; pub: string }> {
  const r = await runInProcess(
    ['keygen', '--algorithm', algorithm, '--output-key-prefix', join(dir, name)],
    ENV,
  );
  expect(r.code, r.stderr).toBe(0);
  return { key: join(dir, `${name}.key`), pub: join(dir, `${name}.pub`) };
}

function json(stdout: string): Record<string, unknown> {
  const doc: unknown = JSON.parse(stdout);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
  return doc as Record<string, unknown>;
}

/** `vouch verify` with `--output json` over every bundle and key given, in process unless `run` says otherwise. */
function verifyJson(options: {
  image?: string;
  bundles: readonly string[];
  keys: readonly string[];
  threshold?: number;
  run?: (argv: readonly string[]) => Promise<RunResult>;
}): Promise<RunResult> {
  const run = options.run ?? runInProcess;
  return run([
    'verify',
    options.image ?? IMAGE,
    ...options.bundles.flatMap((b) => ['--bundle', b]),
    ...options.keys.flatMap((k) => ['--key', k]),
    ...(options.threshold === undefined ? [] : ['--threshold', String(options.threshold)]),
    '--output',
    'json',
  ]);
}

async function tamperPayload(path: string, edit: (statement: string) => string): Promise<void> {
  const bundle = JSON.parse(await readFile(path, 'utf8'));
  const statement = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
  bundle.dsseEnvelope.payload = Buffer.from(edit(statement)).toString('base64');
  await writeFile(path, JSON.stringify(bundle));
}

describe('vouch (in-process)', () => {
  for (const algorithm of ['ecdsa-p256', 'ecdsa-p384', 'ed25519']) {
    it(`keygen, sign and verify with ${algorithm}`, () =>
      withTempDir(async (dir) => {
        const { key, pub } = await keygen(dir, 'k', algorithm);
        expect((await stat(key)).mode & 0o777).toBe(0o600);
        const bundle = join(dir, 'b.json');
        const s = await runInProcess(
          ['sign', IMAGE, '--no-upload', '--key', key, '--annotation', 'env=prod', '--bundle', bundle],
          ENV,
        );
        expect(s.code, s.stderr).toBe(0);
        const v = await verifyJson({ bundles: [bundle], keys: [pub] });
        expect(v.code, v.stderr).toBe(0);
        const doc = json(v.stdout);
        expect(doc.ok).toBe(true);
        expect(doc.digest).toBe(DIGEST);
        expect(doc.annotations).toEqual({ env: 'prod' });
        expect(
          Array.isArray(doc.checks) && doc.checks.every((c: { status: string }) => c.status === 'pass'),
        ).toBe(true);
      }));
  }

  it('refuses a tampered payload with exit 1 and names the failed check', () =>
    withTempDir(async (dir) => {
      const { key, pub } = await keygen(dir);
      const bundle = join(dir, 'b.json');
      expect(
        (await runInProcess(['sign', IMAGE, '--no-upload', '--key', key, '--bundle', bundle], ENV)).code,
      ).toBe(0);
      await tamperPayload(bundle, (s) =>
        s.replace(/"sha256":"[0-9a-f]{64}"/, `"sha256":"${'0'.repeat(64)}"`),
      );
      const v = await verifyJson({ bundles: [bundle], keys: [pub] });
      expect(v.code).toBe(1);
      const doc = json(v.stdout);
      expect(doc.ok).toBe(false);
      expect(doc.error).toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
      const text = await runInProcess(['verify', IMAGE, '--bundle', bundle, '--key', pub]);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/FAIL\s+signature/);
      expect(text.stderr).toContain('ERR_SIGNATURE_INVALID');
    }));

  it('refuses another image digest (ERR_DIGEST_MISMATCH) and a key that did not sign (exit 1)', () =>
    withTempDir(async (dir) => {
      const a = await keygen(dir, 'a');
      const b = await keygen(dir, 'b');
      const bundle = join(dir, 'b.json');
      expect(
        (await runInProcess(['sign', IMAGE, '--no-upload', '--key', a.key, '--bundle', bundle], ENV)).code,
      ).toBe(0);
      const other = IMAGE.replace(/7b3c/, 'ffff');
      const mismatch = await verifyJson({ image: other, bundles: [bundle], keys: [a.pub] });
      expect(mismatch.code).toBe(1);
      expect(json(mismatch.stdout).error).toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
      const wrongKey = await verifyJson({ bundles: [bundle], keys: [b.pub] });
      expect(wrongKey.code).toBe(1);
      expect(json(wrongKey.stdout).error).toMatchObject({ code: 'ERR_UNTRUSTED_KEY' });
    }));

  it('threshold counts distinct signers across bundles; more than the keys given is a usage error (exit 2)', () =>
    withTempDir(async (dir) => {
      const a = await keygen(dir, 'a');
      const b = await keygen(dir, 'b');
      const bundle = join(dir, 'b.json');
      expect(
        (await runInProcess(['sign', IMAGE, '--no-upload', '--key', a.key, '--bundle', bundle], ENV)).code,
      ).toBe(0);
      const two = await verifyJson({ bundles: [bundle], keys: [a.pub, b.pub], threshold: 2 });
      expect(two.code).toBe(1);
      expect(json(two.stdout).error).toMatchObject({ code: 'ERR_THRESHOLD_NOT_MET' });
      const bundleB = join(dir, 'b2.json');
      expect(
        (await runInProcess(['sign', IMAGE, '--no-upload', '--key', b.key, '--bundle', bundleB], ENV)).code,
      ).toBe(0);
      const both = await verifyJson({ bundles: [bundle, bundleB], keys: [a.pub, b.pub], threshold: 2 });
      expect(both.code, both.stderr).toBe(0);
      expect(json(both.stdout).signerKeyIds).toHaveLength(2);
      const same = await verifyJson({ bundles: [bundle, bundle], keys: [a.pub, b.pub], threshold: 2 });
      expect(same.code).toBe(1);
      expect(json(same.stdout).error).toMatchObject({ code: 'ERR_THRESHOLD_NOT_MET' });
      const three = await verifyJson({ bundles: [bundle], keys: [a.pub], threshold: 3 });
      expect(three.code).toBe(2);
    }));

  it('sign-blob and verify-blob; a changed file is refused', () =>
    withTempDir(async (dir) => {
      const { key, pub } = await keygen(dir);
      const file = join(dir, 'app.tgz');
      await writeFile(file, Buffer.alloc(3 * 1024 * 1024 + 17, 7));
      const bundle = join(dir, 'app.sigstore.json');
      expect((await runInProcess(['sign-blob', file, '--key', key, '--bundle', bundle], ENV)).code).toBe(0);
      const ok = await runInProcess(['verify-blob', file, '--bundle', bundle, '--key', pub, '-o', 'json']);
      expect(ok.code, ok.stderr).toBe(0);
      await writeFile(file, 'changed');
      const bad = await runInProcess(['verify-blob', file, '--bundle', bundle, '--key', pub, '-o', 'json']);
      expect(bad.code).toBe(1);
      expect(json(bad.stdout).error).toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
    }));

  it('usage and configuration errors exit 2, I/O errors exit 3, each as one JSON document', () =>
    withTempDir(async (dir) => {
      const { key, pub } = await keygen(dir);
      const cases: [string[], Record<string, string>, number, string][] = [
        [['verify', IMAGE, '--key', pub, '--registry-username', 'u'], {}, 2, 'ERR_USAGE'],
        [['verify', IMAGE, '--key', pub, '--offline'], {}, 2, 'ERR_USAGE'],
        [['verify', IMAGE, '--bundle', 'x', '--key', pub, '--bogus'], {}, 2, 'ERR_USAGE'],
        [
          ['verify', 'registry.example.com/acme/app:latest', '--bundle', 'x', '--key', pub],
          {},
          2,
          'ERR_MALFORMED_REFERENCE',
        ],
        [
          ['sign', IMAGE, '--no-upload', '--key', key, '--bundle', join(dir, 'o.json')],
          {},
          2,
          'ERR_PASSWORD_REQUIRED',
        ],
        [
          ['sign', IMAGE, '--no-upload', '--key', key, '--bundle', join(dir, 'o.json')],
          { VOUCH_PASSWORD: 'wrong' },
          2,
          'ERR_KEY_DECRYPT',
        ],
        [['verify', IMAGE, '--bundle', join(dir, 'missing.json'), '--key', pub], {}, 3, 'ERR_IO'],
        [['verify', IMAGE, '--bundle', key, '--key', pub], {}, 1, 'ERR_MALFORMED_BUNDLE'],
        [['verify', IMAGE, '--bundle', pub, '--key', key], {}, 2, 'ERR_UNSUPPORTED_KEY'],
        [['frobnicate'], {}, 2, 'ERR_USAGE'],
      ];
      for (const [argv, env, code, errorCode] of cases) {
        const r = await runInProcess([...argv, '--output', 'json'], env);
        expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(code);
        expect(json(r.stdout).error, argv.join(' ')).toMatchObject({ code: errorCode });
      }
    }));

  it('keygen refuses to overwrite without --force and never takes a password from a flag', () =>
    withTempDir(async (dir) => {
      await keygen(dir);
      const again = await runInProcess(['keygen', '--output-key-prefix', join(dir, 'k')], ENV);
      expect(again.code).toBe(3);
      expect(
        (await runInProcess(['keygen', '--output-key-prefix', join(dir, 'k'), '--force'], ENV)).code,
      ).toBe(0);
      expect(
        (await runInProcess(['keygen', '--password', 'x', '--output-key-prefix', join(dir, 'z')], ENV)).code,
      ).toBe(2);
    }));
});

describe('vouch (built bin)', () => {
  it('signs, verifies (exit 0) and refuses a tampered bundle (exit 1) as a real process', () =>
    withTempDir(async (dir) => {
      const prefix = join(dir, 'bin');
      const k = await runBin(['keygen', '--algorithm', 'ed25519', '--output-key-prefix', prefix], ENV);
      expect(k.code, k.stderr).toBe(0);
      const bundle = join(dir, 'b.json');
      const s = await runBin(['sign', IMAGE, '--no-upload', '--key', `${prefix}.key`, '--bundle', bundle], {
        COSIGN_PASSWORD: ENV.VOUCH_PASSWORD,
      });
      expect(s.code, s.stderr).toBe(0);
      const v = await verifyJson({ bundles: [bundle], keys: [`${prefix}.pub`], run: runBin });
      expect(v.code, v.stderr).toBe(0);
      expect(json(v.stdout).ok).toBe(true);
      const text = await runBin(['verify', IMAGE, '--bundle', bundle, '--key', `${prefix}.pub`], {
        NO_COLOR: '1',
      });
      expect(text.stdout).not.toContain('\u001b[');
      expect(text.stdout).toContain('Verified OK');
      await tamperPayload(bundle, (st) => st.replace('"predicate":{}', '"predicate":{"x":1}'));
      const bad = await verifyJson({ bundles: [bundle], keys: [`${prefix}.pub`], run: runBin });
      expect(bad.code).toBe(1);
      expect(json(bad.stdout).ok).toBe(false);
      expect(bad.stderr).toContain('ERR_SIGNATURE_INVALID');
    }));

  it('a usage error exits 2 and prints one JSON document', async () => {
    const r = await runBin(['verify', '--output', 'json']);
    expect(r.code).toBe(2);
    expect(json(r.stdout).error).toMatchObject({ code: 'ERR_USAGE' });
  });

  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(
      await readFile(new URL('../../packages/cli/package.json', import.meta.url), 'utf8'),
    );
    const r = await runBin(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
