// `vouch verify` and `vouch verify-blob` keyless: cosign's and gh's flags, anchored matching, the shipped root, exit codes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signImage } from 'vouch';
import {
  type SigstoreServices,
  startSigstoreServices,
  TEST_ISSUER,
  TEST_SUBJECT,
} from '../support/sigstore-services.js';
import { loadVectorSet } from '../support/vectors.js';
import { runBin, runInProcess, withTempDir } from './harness.js';

const conformance = loadVectorSet('sigstore-conformance');
const ARTIFACT = join(conformance.dir, 'bundle-verify/a.txt');
const HAPPY = join(conformance.dir, 'bundle-verify/happy-path-v0.3/bundle.sigstore.json');
const REKOR2_ROOT = join(conformance.dir, 'bundle-verify/rekor2-happy-path/trusted_root.json');
const BEACON =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const GHA = 'https://token.actions.githubusercontent.com';
const REPO = 'sigstore-conformance/extremely-dangerous-public-oidc-beacon';

function json(stdout: string): Record<string, unknown> {
  const doc: unknown = JSON.parse(stdout);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
  return doc as Record<string, unknown>;
}

async function verifyBlob(flags: readonly string[]): Promise<{ code: number; doc: Record<string, unknown> }> {
  const r = await runInProcess(['verify-blob', ARTIFACT, '--bundle', HAPPY, ...flags, '--output', 'json']);
  return { code: r.code, doc: json(r.stdout) };
}

describe('vouch verify-blob, keyless (the shipped public-good root)', () => {
  it('verifies with cosign-style identity flags and reports who signed', async () => {
    const { code, doc } = await verifyBlob([
      '--certificate-identity',
      BEACON,
      '--certificate-oidc-issuer',
      GHA,
    ]);
    expect(code).toBe(0);
    expect(doc.signer).toMatchObject({ type: 'certificate', identity: { subjectAlternativeName: BEACON } });
  });

  it.each([
    [
      'a whole-value regexp',
      [
        '--certificate-identity-regexp',
        'https://github\\.com/sigstore-conformance/.*',
        '--certificate-oidc-issuer',
        GHA,
      ],
      0,
      undefined,
    ],
    [
      'a substring regexp (anchored: refused)',
      ['--certificate-identity-regexp', 'extremely-dangerous', '--certificate-oidc-issuer', GHA],
      1,
      'ERR_IDENTITY_MISMATCH',
    ],
    [
      'another identity',
      ['--certificate-identity', `${BEACON}x`, '--certificate-oidc-issuer', GHA],
      1,
      'ERR_IDENTITY_MISMATCH',
    ],
    [
      'another issuer',
      ['--certificate-identity', BEACON, '--certificate-oidc-issuer', 'https://accounts.google.com'],
      1,
      'ERR_IDENTITY_MISMATCH',
    ],
    [
      'an issuer regexp',
      ['--certificate-identity', BEACON, '--certificate-oidc-issuer-regexp', 'https://token\\.actions\\..*'],
      0,
      undefined,
    ],
    ['gh --repo', ['--repo', REPO], 0, undefined],
    ['gh --owner of another org', ['--owner', 'acme'], 1, 'ERR_IDENTITY_MISMATCH'],
    [
      'gh --repo with --source-ref and --deny-self-hosted-runners',
      ['--repo', REPO, '--source-ref', 'refs/heads/main', '--deny-self-hosted-runners'],
      0,
      undefined,
    ],
    [
      'gh --source-ref of another branch',
      ['--repo', REPO, '--source-ref', 'refs/heads/other'],
      1,
      'ERR_IDENTITY_MISMATCH',
    ],
    [
      'cosign --certificate-github-workflow-repository',
      [
        '--certificate-identity',
        BEACON,
        '--certificate-oidc-issuer',
        GHA,
        '--certificate-github-workflow-repository',
        REPO,
      ],
      0,
      undefined,
    ],
    [
      'cosign --certificate-github-workflow-trigger mismatch',
      [
        '--certificate-identity',
        BEACON,
        '--certificate-oidc-issuer',
        GHA,
        '--certificate-github-workflow-trigger',
        'release',
      ],
      1,
      'ERR_IDENTITY_MISMATCH',
    ],
    [
      'another trusted root',
      ['--certificate-identity', BEACON, '--certificate-oidc-issuer', GHA, '--trusted-root', REKOR2_ROOT],
      1,
      undefined,
    ],
    [
      '--offline (nothing changes: verification is offline)',
      ['--certificate-identity', BEACON, '--certificate-oidc-issuer', GHA, '--offline'],
      0,
      undefined,
    ],
  ] as const)('%s', async (_what, flags, exit, errorCode) => {
    const { code, doc } = await verifyBlob(flags);
    expect(code).toBe(exit);
    if (errorCode !== undefined) expect(doc.error).toMatchObject({ code: errorCode });
  });

  it.each([
    ['no identity and no key', []],
    ['an identity without an issuer', ['--certificate-identity', BEACON]],
    [
      'exact and regexp together',
      [
        '--certificate-identity',
        BEACON,
        '--certificate-identity-regexp',
        '.*',
        '--certificate-oidc-issuer',
        GHA,
      ],
    ],
    [
      '--source-ref without --owner/--repo',
      ['--certificate-identity', BEACON, '--certificate-oidc-issuer', GHA, '--source-ref', 'refs/heads/main'],
    ],
    [
      'a key and an identity',
      ['--key', HAPPY, '--certificate-identity', BEACON, '--certificate-oidc-issuer', GHA],
    ],
    ['a bad regexp', ['--certificate-identity-regexp', '(', '--certificate-oidc-issuer', GHA]],
  ] as const)('usage error (exit 2): %s', async (_what, flags) => {
    const { code, doc } = await verifyBlob(flags);
    expect(code).toBe(2);
    expect(doc.error).toMatchObject({ code: 'ERR_USAGE' });
  });
});

describe('vouch verify IMAGE, keyless (loopback Fulcio/Rekor/TSA, built bin)', () => {
  let services: SigstoreServices;
  beforeAll(async () => {
    services = await startSigstoreServices();
  });
  afterAll(() => services.close());

  it('verifies a keyless image signature with its trusted root, and refuses another identity or the public-good root', () =>
    withTempDir(async (dir) => {
      const image = `registry.example.com/acme/app@sha256:${'7b'.repeat(32)}`;
      const bundle = join(dir, 'image.sigstore.json');
      await signImage({
        image,
        keyless: {
          identityToken: services.identityToken(),
          fulcioUrl: services.fulcioUrl,
          rekorUrls: [services.rekorUrl],
          tsaUrls: [services.tsaUrl],
          retries: 0,
        },
        bundlePath: bundle,
      });
      const root = join(dir, 'trusted_root.json');
      await writeFile(root, JSON.stringify(services.trustedRoot));
      const base = [
        'verify',
        image,
        '--bundle',
        bundle,
        '--certificate-oidc-issuer',
        TEST_ISSUER,
        '--output',
        'json',
      ];
      const ok = await runBin([...base, '--certificate-identity', TEST_SUBJECT, '--trusted-root', root]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(json(ok.stdout)).toMatchObject({ ok: true, signer: { type: 'certificate' } });
      const other = await runBin([
        ...base,
        '--certificate-identity',
        `${TEST_SUBJECT}x`,
        '--trusted-root',
        root,
      ]);
      expect(other.code).toBe(1);
      expect(json(other.stdout).error).toMatchObject({ code: 'ERR_IDENTITY_MISMATCH' });
      const otherImage = await runBin([
        'verify',
        image.replace('7b7b', 'ffff'),
        ...base.slice(2),
        '--certificate-identity',
        TEST_SUBJECT,
        '--trusted-root',
        root,
      ]);
      expect(otherImage.code).toBe(1);
      expect(json(otherImage.stdout).error).toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
      const publicGood = await runBin([...base, '--certificate-identity', TEST_SUBJECT]);
      expect(publicGood.code).toBe(1);
    }));
});
