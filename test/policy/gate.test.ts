// The deploy gate over a Kubernetes manifest whose images live in the real registry: signed with provenance, unsigned,
// signed by the wrong identity, signed without provenance; each gets the decision the policy says, and the exit code.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../packages/oci/src/index.js';
import { runInProcess, withTempDir } from '../cli/harness.js';
import { pushTestImage } from '../support/images.js';
import { type RunningRegistry, startRegistry } from '../support/registry.js';
import {
  type SigstoreServices,
  startSigstoreServices,
  TEST_ISSUER,
  TEST_SUBJECT,
} from '../support/sigstore-services.js';

const ENV = { VOUCH_PASSWORD: 'gate-test-password' };
const SLSA_V1 = 'https://slsa.dev/provenance/v1';

let registry: RunningRegistry;
let services: SigstoreServices;
const client = new RegistryClient();

beforeAll(async () => {
  [registry, services] = await Promise.all([startRegistry(), startSigstoreServices()]);
});
afterAll(async () => {
  await Promise.all([registry?.stop(), services?.close()]);
});

async function push(name: string): Promise<string> {
  const target = { registry: registry.host, repository: `acme/${name}` };
  await pushTestImage({ client, target, layer: name, reference: 'v1' });
  return `${registry.host}/acme/${name}:v1`;
}

function policyYaml(mode: 'enforce' | 'audit', maxAge = false): string {
  return `apiVersion: vouch.dev/v1alpha1
kind: Policy
trustedRoots:
  test: { file: ./trusted_root.json }
keys:
  release: { file: ./release.pub }
identities:
  ci:
    trustedRoot: test
    issuer: ${TEST_ISSUER}
    subject: ${TEST_SUBJECT}
rules:
  - name: acme
    scope: ['${registry.host}/acme/**']
    mode: ${mode}
    signatures: { anyOf: [release, ci] }
    attestations:
      - predicateType: ${SLSA_V1}
        signedBy: [release, ci]
${maxAge ? '        maxAge: 720h\n' : ''}        condition: 'predicate.buildDefinition.externalParameters.ref.startsWith("refs/tags/")'
default: deny
`;
}

interface GateJson {
  ok: boolean;
  policyDigest: string;
  decisions: {
    image: string;
    allowed: boolean;
    rule?: string;
    wouldDeny?: boolean;
    checks: { id: string; status: string; code?: string }[];
  }[];
}

describe('vouch verify --policy -f deploy.yaml', () => {
  it('allows only the image signed by a policy signer with fresh provenance; exit 1; audit allows with a warning', () =>
    withTempDir(async (dir) => {
      const keygen = await runInProcess(['keygen', '--output-key-prefix', join(dir, 'release')], ENV);
      expect(keygen.code, keygen.stderr).toBe(0);
      await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(services.trustedRoot));
      const predicate = join(dir, 'provenance.json');
      await writeFile(
        predicate,
        JSON.stringify({
          buildDefinition: {
            buildType: 'https://example.com/build/v1',
            externalParameters: { ref: 'refs/tags/v1.0.0' },
          },
          runDetails: { builder: { id: 'https://example.com/builder' } },
        }),
      );
      const [good, unsigned, wrongIdentity, noProvenance, keyless] = await Promise.all([
        push('good'),
        push('unsigned'),
        push('wrong-identity'),
        push('no-provenance'),
        push('keyless'),
      ]);
      const key = ['--key', join(dir, 'release.key')];
      for (const image of [good, noProvenance])
        expect((await runInProcess(['sign', image, ...key], ENV)).code).toBe(0);
      const attest = await runInProcess(
        ['attest', good, '--predicate', predicate, '--type', SLSA_V1, ...key],
        ENV,
      );
      expect(attest.code, attest.stderr).toBe(0);
      // Keyless by the policy's identity (sign and attest), and keyless by someone else.
      for (const argv of [
        ['sign', keyless, ...services.signFlags({ tsa: false })],
        [
          'attest',
          keyless,
          '--predicate',
          predicate,
          '--type',
          SLSA_V1,
          ...services.signFlags({ tsa: false }),
        ],
      ]) {
        const r = await runInProcess(argv);
        expect(r.code, r.stderr).toBe(0);
      }
      const other = services.identityToken({
        sub: 'https://github.com/evil/app/.github/workflows/x.yml@refs/heads/main',
      });
      const signedByOther = await runInProcess([
        'sign',
        wrongIdentity,
        '--keyless',
        '--identity-token',
        other,
        '--fulcio-url',
        services.fulcioUrl,
        '--rekor-url',
        services.rekorUrl,
      ]);
      expect(signedByOther.code, signedByOther.stderr).toBe(0);
      const manifest = join(dir, 'deploy.yaml');
      await writeFile(
        manifest,
        `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      initContainers: [{ name: init, image: "${unsigned}" }]
      containers: [{ name: app, image: "${good}" }, { name: side, image: "${keyless}" }]
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{ name: job, image: "${wrongIdentity}" }]
---
apiVersion: v1
kind: Pod
metadata: { name: tool }
spec:
  containers: [{ name: tool, image: "${noProvenance}" }]
`,
      );
      const policy = join(dir, 'policy.yaml');
      await writeFile(policy, policyYaml('enforce'));
      const gate = await runInProcess(['verify', '--policy', policy, '-f', manifest, '-o', 'json']);
      expect(gate.code, gate.stderr).toBe(1);
      const doc = JSON.parse(gate.stdout) as GateJson;
      const allowed = Object.fromEntries(
        doc.decisions.map((d) => [d.image.replace(`${registry.host}/acme/`, ''), d.allowed]),
      );
      expect(allowed).toEqual({
        'good:v1': true,
        'keyless:v1': true,
        'unsigned:v1': false,
        'wrong-identity:v1': false,
        'no-provenance:v1': false,
      });
      expect(doc.decisions.every((d) => d.rule === 'acme')).toBe(true);
      expect(doc.policyDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const noProv = doc.decisions.find((d) => d.image.includes('no-provenance'));
      expect(noProv?.checks.some((c) => c.status === 'fail' && c.id.startsWith('attestation'))).toBe(true);
      // --vsa-dir: a signed VSA per allowed image, naming the policy by digest.
      const vsas = join(dir, 'vsas');
      const withVsa = await runInProcess(
        [
          'verify',
          '--policy',
          policy,
          good,
          unsigned,
          '--vsa-dir',
          vsas,
          '--vsa-key',
          join(dir, 'release.key'),
          '-o',
          'json',
        ],
        ENV,
      );
      expect(withVsa.code).toBe(1);
      const written = await readdir(vsas);
      expect(written).toHaveLength(1);
      const vsa = JSON.parse(await readFile(join(vsas, written[0] ?? ''), 'utf8')) as {
        dsseEnvelope: { payload: string };
      };
      const statement = JSON.parse(Buffer.from(vsa.dsseEnvelope.payload, 'base64').toString('utf8')) as {
        predicateType: string;
        subject: { digest: { sha256: string } }[];
        predicate: { verificationResult: string; policy: { digest: { sha256: string } } };
      };
      expect(statement.predicateType).toBe('https://slsa.dev/verification_summary/v1');
      expect(statement.predicate.verificationResult).toBe('PASSED');
      expect(`sha256:${statement.predicate.policy.digest.sha256}`).toBe(doc.policyDigest);
      expect(written[0]).toBe(`sha256-${statement.subject[0]?.digest.sha256}.vsa.sigstore.json`);
      // -f - reads the list from standard input; a compose file names images too.
      const fromStdin = await runInProcess(
        ['verify', '--policy', policy, '-f', '-', '-o', 'json'],
        {},
        `# images\n${good}\n${keyless}\n`,
      );
      expect(fromStdin.code, fromStdin.stderr).toBe(0);
      expect((JSON.parse(fromStdin.stdout) as GateJson).decisions).toHaveLength(2);
      const compose = join(dir, 'compose.yaml');
      await writeFile(compose, `services:\n  web: { image: "${good}" }\n  db: { image: "${unsigned}" }\n`);
      expect((await runInProcess(['verify', '--policy', policy, '-f', compose])).code).toBe(1);
      // The text form names each verdict.
      const text = await runInProcess(['verify', '--policy', policy, good, unsigned]);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/ALLOWED .*good:v1/);
      expect(text.stdout).toMatch(/DENIED .*unsigned:v1/);
      // Audit: what enforce would deny is allowed, with a warning; exit 0.
      await writeFile(policy, policyYaml('audit'));
      const audit = await runInProcess(['verify', '--policy', policy, '-f', manifest, '-o', 'json']);
      expect(audit.code, audit.stderr).toBe(0);
      expect(audit.stderr).toContain('audit');
      expect(
        (JSON.parse(audit.stdout) as GateJson).decisions.filter((d) => d.wouldDeny === true),
      ).toHaveLength(3);
      // maxAge needs a verified signing time: the key-signed attestation (no log entry) cannot prove one.
      await writeFile(policy, policyYaml('enforce', true));
      const aged = JSON.parse(
        (await runInProcess(['verify', '--policy', policy, good, keyless, '-o', 'json'])).stdout,
      ) as GateJson;
      expect(aged.decisions.map((d) => d.allowed)).toEqual([false, true]);
      // An image in no rule's scope and absent from the registry cannot be decided: exit 3.
      const elsewhere = await runInProcess([
        'verify',
        '--policy',
        policy,
        `${registry.host}/other/app:v1`,
        '-o',
        'json',
      ]);
      expect(elsewhere.code).toBe(3); // not in the registry: undecided
      // Out of every rule's scope, the default decides: deny.
      await pushTestImage({
        client,
        target: { registry: registry.host, repository: 'other/app' },
        layer: 'o',
        reference: 'v1',
      });
      const byDefault = await runInProcess([
        'verify',
        '--policy',
        policy,
        `${registry.host}/other/app:v1`,
        '-o',
        'json',
      ]);
      expect(byDefault.code).toBe(1);
      expect((JSON.parse(byDefault.stdout) as GateJson).decisions[0]).toMatchObject({
        allowed: false,
        mode: 'default',
      });
      // A bad policy is exit 2; a registry that is down is exit 3.
      await writeFile(policy, 'apiVersion: vouch.dev/v1alpha1\nkind: Policy\nrules: 3\n');
      expect((await runInProcess(['verify', '--policy', policy, good])).code).toBe(2);
    }));
});
