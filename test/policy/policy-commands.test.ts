// vouch policy lint | explain | test, in process: exit codes and messages; `policy test` over key-signed evidence.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, withTempDir } from '../cli/harness.js';

const ENV = { VOUCH_PASSWORD: 'policy-commands-test' };
const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const DIGEST = `sha256:${'5e'.repeat(32)}`;

async function keygen(dir: string, name: string): Promise<void> {
  const r = await runInProcess(['keygen', '--output-key-prefix', join(dir, name)], ENV);
  expect(r.code, r.stderr).toBe(0);
}

const POLICY = `apiVersion: vouch.dev/v1alpha1
kind: Policy
keys:
  release: { file: ./release.pub }
rules:
  - name: acme
    scope: [ghcr.io/acme/**]
    signatures: { anyOf: [release] }
  - name: acme-app
    scope: [ghcr.io/acme/app]
    signatures: { anyOf: [release] }
    attestations:
      - predicateType: ${SLSA_V1}
        signedBy: [release]
        condition: 'predicate.buildDefinition.externalParameters.ref.startsWith("refs/tags/")'
default: deny
`;

describe('vouch policy lint', () => {
  it('exits 0 on a clean policy', () =>
    withTempDir(async (dir) => {
      await keygen(dir, 'release');
      await writeFile(join(dir, 'policy.yaml'), POLICY);
      const r = await runInProcess(['policy', 'lint', join(dir, 'policy.yaml')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/: OK \(sha256:[0-9a-f]{64}\)/);
    }));

  it('exits 1 and prints each warning', () =>
    withTempDir(async (dir) => {
      await keygen(dir, 'release');
      await keygen(dir, 'old');
      await writeFile(
        join(dir, 'policy.yaml'),
        POLICY.replace('keys:\n', 'keys:\n  old: { file: ./old.pub }\n').replace(
          'default: deny',
          `  - name: again
    scope: [ghcr.io/acme/app]
    signatures: { anyOf: [release] }
  - name: open
    scope: [quay.io/**]
default: deny`,
        ),
      );
      const r = await runInProcess(['policy', 'lint', join(dir, 'policy.yaml')]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toContain('warning: again: rule "again" can never apply');
      expect(r.stdout).toContain('warning: open: rule "open" is in enforce mode but requires no signature');
      expect(r.stdout).toContain('warning: keys.old: key "old" is defined but no rule names it');
      const json = await runInProcess(['policy', 'lint', join(dir, 'policy.yaml'), '-o', 'json']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout).warnings.map((w: { rule: string }) => w.rule)).toEqual([
        'again',
        'open',
        'keys.old',
      ]);
    }));

  it('exits 2 on a broken policy, each error as file:line:col: path: message', () =>
    withTempDir(async (dir) => {
      await keygen(dir, 'release');
      const path = join(dir, 'policy.yaml');
      await writeFile(
        path,
        POLICY.replace(
          'anyOf: [release] }\n  - name: acme-app',
          'anyOf: [relaese] }\n  - name: acme-app',
        ).replace('default: deny', 'defualt: deny'),
      );
      const r = await runInProcess(['policy', 'lint', path]);
      expect(r.code).toBe(2);
      expect(r.stdout).toContain(`error: ${path}:8:27: rules[0].signatures.anyOf[0]:`);
      expect(r.stdout).toMatch(new RegExp(`error: ${path.replace(/[.]/g, '\\.')}:\\d+:1: defualt:`));
      // A key file that does not load is a load error too, located at its entry.
      await writeFile(path, POLICY.replace('./release.pub', './missing.pub'));
      const missing = await runInProcess(['policy', 'lint', path, '-o', 'json']);
      expect(missing.code).toBe(2);
      const doc = JSON.parse(missing.stdout);
      expect(doc.ok).toBe(false);
      expect(doc.errors[0].path).toBe('keys.release.file');
      expect(doc.errors[0].message).toMatch(
        new RegExp(`^${path.replace(/[.]/g, '\\.')}:4:\\d+: keys\\.release\\.file: "\\./missing\\.pub"`),
      );
    }));
});

describe('vouch policy explain', () => {
  it('picks the most specific rule, says why, and lists its requirements', () =>
    withTempDir(async (dir) => {
      await keygen(dir, 'release');
      const path = join(dir, 'policy.yaml');
      await writeFile(
        path,
        POLICY.replace('signedBy: [release]\n', 'signedBy: [release]\n        maxAge: 1h30m\n'),
      );
      const r = await runInProcess(['policy', 'explain', path, 'GHCR.io/acme/app:v1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('normalized  ghcr.io/acme/app');
      expect(r.stdout).toContain('rule        acme-app (scope "ghcr.io/acme/app")');
      expect(r.stdout).toContain('it has fewer wildcards than the scope "ghcr.io/acme/**"');
      expect(r.stdout).toContain('signatures  any of [release]');
      expect(r.stdout).toContain(`attestations\n  ${SLSA_V1}, signed by one of [release]`);
      expect(r.stdout).toContain('    maxAge: signed at most 1h30m ago');
      expect(r.stdout).toContain('    condition: predicate.buildDefinition');
      const json = JSON.parse(
        (await runInProcess(['policy', 'explain', path, 'ghcr.io/acme/web', '-o', 'json'])).stdout,
      );
      expect(json).toMatchObject({
        normalized: 'ghcr.io/acme/web',
        rule: { name: 'acme' },
        scope: 'ghcr.io/acme/**',
      });
      const none = await runInProcess(['policy', 'explain', path, 'nginx', '-o', 'json']);
      expect(JSON.parse(none.stdout)).toMatchObject({
        normalized: 'docker.io/library/nginx',
        rule: null,
        default: 'deny',
      });
    }));
});

describe('vouch policy test', () => {
  it('decides each case offline from key-signed bundles; a wrong expectation fails with exit 1', () =>
    withTempDir(async (dir) => {
      await keygen(dir, 'release');
      await keygen(dir, 'intruder');
      await writeFile(join(dir, 'policy.yaml'), POLICY);
      const cases = join(dir, 'cases');
      await mkdir(cases);
      const predicate = join(dir, 'provenance.json');
      await writeFile(
        predicate,
        JSON.stringify({
          buildDefinition: {
            buildType: 'https://example.com/build/v1',
            externalParameters: { ref: 'refs/tags/v1' },
          },
          runDetails: { builder: { id: 'https://example.com/builder' } },
        }),
      );
      const app = `ghcr.io/acme/app@${DIGEST}`;
      const web = `ghcr.io/acme/web@${DIGEST}`;
      const sign = async (image: string, key: string, out: string): Promise<void> => {
        const r = await runInProcess(
          ['sign', image, '--key', join(dir, `${key}.key`), '--no-upload', '--bundle', join(cases, out)],
          ENV,
        );
        expect(r.code, r.stderr).toBe(0);
      };
      await sign(app, 'release', 'app.sig.json');
      await sign(web, 'release', 'web.sig.json');
      await sign(app, 'intruder', 'app.intruder.json');
      const attest = await runInProcess(
        [
          'attest',
          app,
          '--predicate',
          predicate,
          '--type',
          SLSA_V1,
          '--key',
          join(dir, 'release.key'),
          '--no-upload',
          '--bundle',
          join(cases, 'app.prov.json'),
        ],
        ENV,
      );
      expect(attest.code, attest.stderr).toBe(0);
      const testFile = (wrong: boolean): string => `policy: ../policy.yaml
now: ${new Date().toISOString()}
cases:
  - name: release signed with provenance
    image: ${app}
    evidence: [app.sig.json, app.prov.json]
    expect: allow
    rule: acme-app
  - name: signed without provenance
    image: ${app}
    evidence: [app.sig.json]
    expect: ${wrong ? 'allow' : 'deny'}
    rule: acme-app
  - name: another repository needs only the signature
    image: ${web}
    evidence: [web.sig.json]
    expect: allow
    rule: acme
  - name: signed by a key the policy does not name
    image: ${app}
    evidence: [app.intruder.json, app.prov.json]
    expect: deny
  - name: outside every scope
    image: docker.io/library/nginx@${DIGEST}
    evidence: [web.sig.json]
    expect: deny
`;
      await writeFile(join(cases, 'vouch-policy-test.yaml'), testFile(false));
      const ok = await runInProcess(['policy', 'test', cases]);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout.match(/^PASS /gm)).toHaveLength(5);
      expect(ok.stdout).toContain('5 passed, 0 failed');
      const json = JSON.parse((await runInProcess(['policy', 'test', cases, '-o', 'json'])).stdout);
      expect(json.ok).toBe(true);
      expect(
        json.reports[0].results.map((r: { decision: { allowed: boolean } }) => r.decision.allowed),
      ).toEqual([true, false, true, false, false]);

      await writeFile(join(cases, 'vouch-policy-test.yaml'), testFile(true));
      const bad = await runInProcess(['policy', 'test', cases]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/^FAIL {2}signed without provenance +deny by rule acme-app \(enforce\)$/m);
      expect(bad.stdout).toContain('expected allow, decided deny');
      expect(bad.stdout).toContain('4 passed, 1 failed');
    }));

  it('refuses a malformed test file with exit 2', () =>
    withTempDir(async (dir) => {
      await writeFile(join(dir, 'vouch-policy-test.yaml'), 'policy: p.yaml\ncases: []\n');
      const r = await runInProcess(['policy', 'test', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cases: expected a non-empty list of cases.*ERR_MALFORMED_POLICY/);
    }));
});
