// `vouch attest-blob`: key and keyless attestations of a file, verified back with `vouch verify-attestation`.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SigstoreServices,
  startSigstoreServices,
  TEST_ISSUER,
  TEST_SUBJECT,
} from '../support/sigstore-services.js';
import { runInProcess, withTempDir } from './harness.js';

const ENV = { VOUCH_PASSWORD: 'test-password' };
const PREDICATE = {
  buildDefinition: { buildType: 'https://example.com/build/v1' },
  note: 'attest-blob test',
};

function json(stdout: string): Record<string, unknown> {
  const doc: unknown = JSON.parse(stdout);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
  return doc as Record<string, unknown>;
}

/** The in-toto statement inside a DSSE bundle. */
function statementOf(bundle: unknown): Record<string, unknown> {
  const dsse = (bundle as { dsseEnvelope: { payload: string } }).dsseEnvelope;
  return json(Buffer.from(dsse.payload, 'base64').toString('utf8'));
}

async function fixture(dir: string): Promise<{ file: string; predicate: string }> {
  const file = join(dir, 'app.tgz');
  const predicate = join(dir, 'predicate.json');
  await writeFile(file, 'the artifact\n');
  await writeFile(predicate, JSON.stringify(PREDICATE));
  return { file, predicate };
}

describe('vouch attest-blob with a key', () => {
  it('writes a bundle that verify-attestation accepts for the file, and refuses for a changed file', () =>
    withTempDir(async (dir) => {
      const { file, predicate } = await fixture(dir);
      const gen = await runInProcess(
        ['keygen', '--algorithm', 'ecdsa-p256', '--output-key-prefix', join(dir, 'k')],
        ENV,
      );
      expect(gen.code, gen.stderr).toBe(0);
      const bundle = join(dir, 'app.tgz.intoto.sigstore.json');
      const attested = await runInProcess(
        [
          'attest-blob',
          file,
          '--predicate',
          predicate,
          '--type',
          'slsaprovenance1',
          '--key',
          join(dir, 'k.key'),
          '--bundle',
          bundle,
          '-o',
          'json',
        ],
        ENV,
      );
      expect(attested.code, attested.stderr).toBe(0);
      expect(json(attested.stdout)).toMatchObject({
        ok: true,
        command: 'attest-blob',
        predicateType: 'https://slsa.dev/provenance/v1',
        bundlePath: bundle,
      });
      const statement = statementOf(JSON.parse(await readFile(bundle, 'utf8')));
      expect(statement).toMatchObject({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'app.tgz', digest: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } }],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: PREDICATE,
      });

      const verify = (artifact: string) =>
        runInProcess([
          'verify-attestation',
          artifact,
          '--bundle',
          bundle,
          '--key',
          join(dir, 'k.pub'),
          '--type',
          'slsaprovenance1',
          '-o',
          'json',
        ]);
      const ok = await verify(file);
      expect(ok.code, ok.stderr).toBe(0);
      expect(json(ok.stdout)).toMatchObject({
        attestations: [{ predicateType: 'https://slsa.dev/provenance/v1' }],
      });

      const changed = join(dir, 'changed.tgz');
      await writeFile(changed, 'another artifact\n');
      const refused = await verify(changed);
      expect(refused.code).toBe(1);
      expect(json(refused.stdout).error).toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
    }));

  it('prints the bundle on stdout without --bundle, with cosign custom as the default type', () =>
    withTempDir(async (dir) => {
      const { file, predicate } = await fixture(dir);
      await runInProcess(['keygen', '--output-key-prefix', join(dir, 'k')], ENV);
      const r = await runInProcess(
        ['attest-blob', file, '--predicate', predicate, '--key', join(dir, 'k.key')],
        ENV,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(statementOf(JSON.parse(r.stdout))).toMatchObject({
        predicateType: 'https://cosign.sigstore.dev/attestation/v1',
        predicate: PREDICATE,
      });
    }));

  it.each([
    ['an array', '[1, 2]'],
    ['a string', '"text"'],
    ['null', 'null'],
  ])('refuses a predicate that is %s with a usage error', (_, text) =>
    withTempDir(async (dir) => {
      const { file } = await fixture(dir);
      await runInProcess(['keygen', '--output-key-prefix', join(dir, 'k')], ENV);
      const predicate = join(dir, 'bad.json');
      await writeFile(predicate, text);
      const bundle = join(dir, 'out.json');
      const r = await runInProcess(
        [
          'attest-blob',
          file,
          '--predicate',
          predicate,
          '--key',
          join(dir, 'k.key'),
          '--bundle',
          bundle,
          '-o',
          'json',
        ],
        ENV,
      );
      expect(r.code).toBe(2);
      expect(json(r.stdout).error).toMatchObject({
        code: 'ERR_USAGE',
        message: expect.stringContaining('expected a JSON object'),
      });
      await expect(readFile(bundle)).rejects.toThrow();
    }),
  );

  it('refuses an unknown --type name and a missing --predicate', () =>
    withTempDir(async (dir) => {
      const { file, predicate } = await fixture(dir);
      const unknownType = await runInProcess(
        ['attest-blob', file, '--predicate', predicate, '--type', 'nope', '--key', 'k'],
        ENV,
      );
      expect(unknownType.code).toBe(2);
      const noPredicate = await runInProcess(['attest-blob', file, '--key', 'k'], ENV);
      expect(noPredicate.code).toBe(2);
    }));
});

describe('vouch attest-blob keyless (loopback Sigstore services)', () => {
  let services: SigstoreServices;
  beforeAll(async () => {
    services = await startSigstoreServices();
  });
  afterAll(async () => {
    await services.close();
  });

  it('attests with a Fulcio certificate; verify-attestation checks the identity', () =>
    withTempDir(async (dir) => {
      const { file, predicate } = await fixture(dir);
      const bundle = join(dir, 'app.tgz.sigstore.json');
      const attested = await runInProcess([
        'attest-blob',
        file,
        '--predicate',
        predicate,
        '--type',
        'https://example.com/predicate/v1',
        '--keyless',
        ...services.signFlags(),
        '--bundle',
        bundle,
        '-o',
        'json',
      ]);
      expect(attested.code, attested.stderr).toBe(0);
      expect(json(attested.stdout)).toMatchObject({
        command: 'attest-blob',
        certificate: expect.stringContaining('BEGIN CERTIFICATE'),
      });
      const root = join(dir, 'trusted_root.json');
      await writeFile(root, JSON.stringify(services.trustedRoot));
      const verify = (issuer: string) =>
        runInProcess([
          'verify-attestation',
          file,
          '--bundle',
          bundle,
          '--type',
          'https://example.com/predicate/v1',
          '--certificate-identity',
          TEST_SUBJECT,
          '--certificate-oidc-issuer',
          issuer,
          '--trusted-root',
          root,
          '-o',
          'json',
        ]);
      const ok = await verify(TEST_ISSUER);
      expect(ok.code, ok.stderr).toBe(0);
      expect(json(ok.stdout)).toMatchObject({
        attestations: [
          { predicateType: 'https://example.com/predicate/v1', signer: { type: 'certificate' } },
        ],
      });
      const wrongIssuer = await verify('https://issuer.example.com');
      expect(wrongIssuer.code).toBe(1);
    }));
});
