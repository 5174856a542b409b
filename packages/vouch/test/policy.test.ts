// loadPolicy: a policy file with its keys and trusted roots, resolved relative to the policy's folder.
import { generateKeyPairSync } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParseError } from '@vouch/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { VECTORS_DIR } from '../../../test/support/vectors.js';
import { loadPolicy } from '../src/policy.js';
import { publicGoodTrustedRoot } from '../src/trusted-root.js';

const POLICY = `apiVersion: vouch.dev/v1alpha1
kind: Policy
trustedRoots:
  public-good: { builtin: sigstore-public-good }
  corp: { file: ./trust/corp-trusted-root.json }
keys:
  release: { file: ./keys/release.pub }
identities:
  gha-release:
    trustedRoot: corp
    issuer: https://token.actions.githubusercontent.com
    subject: https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1
rules:
  - name: acme
    scope: [ghcr.io/acme/**]
    signatures: { anyOf: [release, gha-release] }
default: deny
`;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-policy-'));
  await mkdir(join(dir, 'deploy', 'keys'), { recursive: true });
  await mkdir(join(dir, 'deploy', 'trust'), { recursive: true });
  const { publicKey } = generateKeyPairSync('ed25519');
  await writeFile(
    join(dir, 'deploy', 'keys', 'release.pub'),
    publicKey.export({ type: 'spki', format: 'pem' }),
  );
  await copyFile(
    join(VECTORS_DIR, 'trusted-roots/public-good.json'),
    join(dir, 'deploy', 'trust', 'corp-trusted-root.json'),
  );
  await writeFile(join(dir, 'deploy', 'policy.yaml'), POLICY);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('loadPolicy', () => {
  it('loads the policy, its keys and trusted roots relative to the policy file, wherever the process runs', async () => {
    const path = join(dir, 'deploy', 'policy.yaml');
    const loaded = await loadPolicy(path);
    expect(loaded.source).toBe(path);
    expect(loaded.policyDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(loaded.policy.rules[0]?.name).toBe('acme');
    expect(loaded.keys.release?.algorithm).toBeDefined();
    expect(loaded.trustedRoots['public-good']).toBe(publicGoodTrustedRoot());
    expect(loaded.trustedRoots.corp?.certificateAuthorities.length).toBeGreaterThan(0);
    expect(Object.isFrozen(loaded)).toBe(true);
  });

  it('gives the policy digest the same as the JSON spelling', async () => {
    const json = join(dir, 'deploy', 'policy.json');
    const spelled = {
      default: 'deny',
      rules: [
        { signatures: { anyOf: ['release', 'gha-release'] }, scope: ['ghcr.io/acme/**'], name: 'acme' },
      ],
      identities: {
        'gha-release': {
          subject: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1',
          issuer: 'https://token.actions.githubusercontent.com',
          trustedRoot: 'corp',
        },
      },
      keys: { release: { file: './keys/release.pub' } },
      trustedRoots: {
        corp: { file: './trust/corp-trusted-root.json' },
        'public-good': { builtin: 'sigstore-public-good' },
      },
      kind: 'Policy',
      apiVersion: 'vouch.dev/v1alpha1',
    };
    await writeFile(json, JSON.stringify(spelled, null, 2));
    const [a, b] = await Promise.all([loadPolicy(join(dir, 'deploy', 'policy.yaml')), loadPolicy(json)]);
    expect(b.policyDigest).toBe(a.policyDigest);
  });

  it('a key or root that does not load is ERR_MALFORMED_POLICY naming every such entry and where it is', async () => {
    await rm(join(dir, 'deploy', 'keys', 'release.pub'));
    await writeFile(join(dir, 'deploy', 'trust', 'corp-trusted-root.json'), '{"mediaType": 1}');
    let error: unknown;
    try {
      await loadPolicy(join(dir, 'deploy', 'policy.yaml'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParseError);
    if (!(error instanceof ParseError)) return;
    expect(error.code).toBe('ERR_MALFORMED_POLICY');
    expect(error.issues.map((i) => i.path)).toEqual(['keys.release.file', 'trustedRoots.corp.file']);
    expect(error.issues[0]?.message).toMatch(
      /"\.\/keys\/release\.pub" \(.*release\.pub\) did not load: ERR_IO/,
    );
    expect(error.issues[0]?.message).toMatch(/policy\.yaml:7:/);
    expect(error.issues[1]?.message).toMatch(/did not load: ERR_MALFORMED_TRUSTED_ROOT/);
  });

  it('a key file that is not a key names the entry', async () => {
    await writeFile(join(dir, 'deploy', 'keys', 'release.pub'), 'not a key at all');
    expect(await codeOf(() => loadPolicy(join(dir, 'deploy', 'policy.yaml')))).toBe('ERR_MALFORMED_POLICY');
  });

  it('a policy file that is missing is ERR_IO; one that is malformed is ERR_MALFORMED_POLICY with its location', async () => {
    expect(await codeOf(() => loadPolicy(join(dir, 'nope.yaml')))).toBe('ERR_IO');
    const bad = join(dir, 'deploy', 'bad.yaml');
    await writeFile(bad, POLICY.replace('anyOf: [release, gha-release]', 'anyOf: [release, ghost]'));
    await expect(loadPolicy(bad)).rejects.toThrow(/rules\[0\]\.signatures\.anyOf\[1\]: .*bad\.yaml:16:/);
  });
});
