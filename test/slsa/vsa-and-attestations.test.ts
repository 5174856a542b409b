// vouch-slsa beyond the regression corpus: a signed VSA written after a verification and verified with verify-vsa,
// and verify-github-attestation (no builder trusted unless --builder-id names it), on real slsa-verifier provenance.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSlsaInProcess, runInProcess as runVouch, withTempDir } from '../cli/harness.js';
import {
  type SigstoreServices,
  startSigstoreServices,
  TEST_ISSUER,
  TEST_SUBJECT,
} from '../support/sigstore-services.js';
import { loadVectorSet } from '../support/vectors.js';

const set = loadVectorSet('slsa-verifier');
const at = (relative: string) => join(set.dir, relative);
const ENV = { VOUCH_PASSWORD: 'vsa-test-password' };

// slsa-github-generator's container-based builder v1.7.0: SLSA v1 provenance in a v0.1 bundle, about this artifact.
const ARTIFACT = at('testdata/gha_container-based/v1.7.0/binary-linux-amd64-workflow_dispatch');
const PROVENANCE = `${ARTIFACT}.intoto.sigstore`;
const SOURCE = 'github.com/slsa-framework/example-package';
const BUILDER =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml';

const slsa = runSlsaInProcess;

describe('vouch-slsa --vsa and verify-vsa', () => {
  it('writes a key-signed VSA after verify-artifact, which verify-vsa accepts and refuses when it does not say what is asked', () =>
    withTempDir(async (dir) => {
      const keygen = await runVouch(['keygen', '--output-key-prefix', join(dir, 'v')], ENV);
      expect(keygen.code, keygen.stderr).toBe(0);
      const vsa = join(dir, 'app.vsa.sigstore.json');
      const verified = await slsa(
        [
          'verify-artifact',
          ARTIFACT,
          '--provenance-path',
          PROVENANCE,
          '--source-uri',
          SOURCE,
          '--builder-id',
          BUILDER,
          '--vsa',
          vsa,
          '--vsa-key',
          join(dir, 'v.key'),
        ],
        ENV,
      );
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stderr).toContain('Wrote a signed VSA');
      const bundle = JSON.parse(await readFile(vsa, 'utf8')) as {
        mediaType: string;
        dsseEnvelope: { payload: string };
      };
      expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as {
        predicateType: string;
        subject: { digest: { sha256: string } }[];
        predicate: { verifier: { id: string }; verifiedLevels: string[]; verificationResult: string };
      };
      expect(statement.predicateType).toBe('https://slsa.dev/verification_summary/v1');
      expect(statement.predicate).toMatchObject({
        verificationResult: 'PASSED',
        verifiedLevels: ['SLSA_BUILD_LEVEL_3'],
      });
      const digest = `sha256:${statement.subject[0]?.digest.sha256}`;
      const base = [
        'verify-vsa',
        '--attestation-path',
        vsa,
        '--public-key-path',
        join(dir, 'v.pub'),
        '--subject-digest',
        digest,
        '--verifier-id',
        statement.predicate.verifier.id,
        '--resource-uri',
        ARTIFACT,
      ];
      const ok = await slsa([...base, '--verified-level', 'SLSA_BUILD_LEVEL_2', '--print-attestation']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ verificationResult: 'PASSED' });
      expect((await slsa([...base, '--verified-level', 'SLSA_BUILD_LEVEL_4'])).failure).toBe(
        'ERR_VSA_MISMATCH',
      );
      const other = await slsa([...base.slice(0, -2), '--resource-uri', 'another-artifact']);
      expect(other.failure).toBe('ERR_VSA_MISMATCH');
      const wrongSubject = base.map((a) => (a === digest ? `sha256:${'0'.repeat(64)}` : a));
      expect((await slsa(wrongSubject)).failure).toBe('ERR_DIGEST_MISMATCH');
      // Another key did not sign it.
      await runVouch(['keygen', '--output-key-prefix', join(dir, 'w')], ENV);
      const stranger = base.map((a) => (a === join(dir, 'v.pub') ? join(dir, 'w.pub') : a));
      expect((await slsa(stranger)).failure).toBe('ERR_SIGNATURE_INVALID');
      // A VSA is written only after a verification that passed.
      const refused = await slsa(
        [
          'verify-artifact',
          ARTIFACT,
          '--provenance-path',
          PROVENANCE,
          '--source-uri',
          `${SOURCE}x`,
          '--vsa',
          join(dir, 'no.json'),
          '--vsa-key',
          join(dir, 'v.key'),
        ],
        ENV,
      );
      expect(refused.failure).toBe('ERR_SLSA_SOURCE_MISMATCH');
      await expect(readFile(join(dir, 'no.json'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(
        (
          await slsa([
            'verify-artifact',
            ARTIFACT,
            '--provenance-path',
            PROVENANCE,
            '--source-uri',
            SOURCE,
            '--vsa',
            vsa,
          ])
        ).failure,
      ).toBe('ERR_USAGE');
    }));
});

describe('vouch-slsa --vsa --keyless', () => {
  let services: SigstoreServices;
  beforeAll(async () => {
    services = await startSigstoreServices();
  });
  afterAll(() => services?.close());

  it('signs the VSA with a Fulcio certificate; vouch verify-attestation verifies it about the artifact', () =>
    withTempDir(async (dir) => {
      const vsa = join(dir, 'app.vsa.sigstore.json');
      const verified = await slsa([
        'verify-artifact',
        ARTIFACT,
        '--provenance-path',
        PROVENANCE,
        '--source-uri',
        SOURCE,
        '--vsa',
        vsa,
        ...services.signFlags({ tsa: false }),
      ]);
      expect(verified.code, verified.stderr).toBe(0);
      const root = join(dir, 'trusted_root.json');
      await writeFile(root, JSON.stringify(services.trustedRoot));
      const identity = [
        '--certificate-identity',
        TEST_SUBJECT,
        '--certificate-oidc-issuer',
        TEST_ISSUER,
        '--trusted-root',
        root,
      ];
      const ok = await runVouch([
        'verify-attestation',
        ARTIFACT,
        '--bundle',
        vsa,
        '--type',
        'vsa',
        ...identity,
        '-o',
        'json',
      ]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({
        attestations: [
          { predicateType: 'https://slsa.dev/verification_summary/v1', signer: { type: 'certificate' } },
        ],
      });
      const other = await runVouch([
        'verify-attestation',
        PROVENANCE,
        '--bundle',
        vsa,
        '--type',
        'vsa',
        ...identity,
        '-o',
        'json',
      ]);
      expect(JSON.parse(other.stdout).error).toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
    }));
});

describe('vouch-slsa verify-github-attestation', () => {
  it('trusts no builder by default: --builder-id must name the signing workflow', async () => {
    const base = [
      'verify-github-attestation',
      ARTIFACT,
      '--attestation-path',
      PROVENANCE,
      '--source-uri',
      SOURCE,
    ];
    const named = await slsa([...base, '--builder-id', BUILDER]);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stderr).toContain('@refs/tags/v1.7.0');
    expect((await slsa(base)).failure).toBe('ERR_SLSA_UNTRUSTED_BUILDER');
    const other = await slsa([
      ...base,
      '--builder-id',
      'https://github.com/acme/app/.github/workflows/release.yml',
    ]);
    expect(other.failure).toBe('ERR_SLSA_UNTRUSTED_BUILDER');
  });
});

describe('vouch verify-attestation FILE --bundle with SLSA flags', () => {
  const identity = [
    '--certificate-identity-regexp',
    '^https://github\\.com/slsa-framework/slsa-github-generator/\\.github/workflows/.*',
    '--certificate-oidc-issuer',
    'https://token.actions.githubusercontent.com',
  ];
  const base = [
    'verify-attestation',
    ARTIFACT,
    '--bundle',
    PROVENANCE,
    '--type',
    'slsaprovenance1',
    ...identity,
  ];

  it('verifies the provenance bundle about the file, then the builder and source rules', async () => {
    const ok = await runVouch([...base, '--source-uri', SOURCE, '--builder-id', BUILDER, '-o', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    const doc = JSON.parse(ok.stdout) as {
      attestations: { predicateType: string; slsa: { id: string; status: string }[] }[];
    };
    expect(doc.attestations[0]?.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(doc.attestations[0]?.slsa.map((c) => c.id)).toContain('source');
    expect(doc.attestations[0]?.slsa.every((c) => c.status !== 'fail')).toBe(true);
  });

  it('refuses another source, a tag the build did not run on, and SLSA flags without --source-uri', async () => {
    const wrong = await runVouch([...base, '--source-uri', 'github.com/acme/other', '-o', 'json']);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).error).toMatchObject({ code: 'ERR_SLSA_SOURCE_MISMATCH' });
    const tag = await runVouch([...base, '--source-uri', SOURCE, '--source-tag', 'v9.9.9', '-o', 'json']);
    expect(tag.code).toBe(1);
    expect(JSON.parse(tag.stdout).error.code).toMatch(/^ERR_SLSA_(TAG_MISMATCH|INVALID_REF)$/);
    const usage = await runVouch([...base, '--builder-id', BUILDER]);
    expect(usage.code).toBe(2);
    // Another file is not the subject.
    const other = await runVouch([
      'verify-attestation',
      PROVENANCE,
      '--bundle',
      PROVENANCE,
      ...identity,
      '-o',
      'json',
    ]);
    expect(JSON.parse(other.stdout).error).toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
  });
});
