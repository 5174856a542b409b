// vouch-conformance sign-bundle then verify-bundle, over the loopback Fulcio/Rekor/TSA: the protocol's round trip.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTempDir } from '../cli/harness.js';
import { CONFORMANCE_BIN } from '../support/bins.js';
import {
  type SigstoreServices,
  startSigstoreServices,
  TEST_ISSUER,
  TEST_SUBJECT,
} from '../support/sigstore-services.js';

function run(argv: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CONFORMANCE_BIN, ...argv],
      { env: { PATH: process.env.PATH ?? '' } },
      (error, _out, stderr) => {
        done({
          code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
          stderr: String(stderr),
        });
      },
    );
  });
}

let services: SigstoreServices;
beforeAll(async () => {
  services = await startSigstoreServices();
});
afterAll(() => services.close());

describe('vouch-conformance sign-bundle', () => {
  for (const rekorV2 of [false, true]) {
    it(`signs a file (message signature) and an in-toto statement (DSSE), and verify-bundle accepts both (Rekor v${rekorV2 ? 2 : 1} + TSA)`, () =>
      withTempDir(async (dir) => {
        const artifact = join(dir, 'a.txt');
        await writeFile(artifact, 'the artifact\n');
        const config = join(dir, 'signing_config.json');
        await writeFile(config, JSON.stringify(services.signingConfig({ rekorV2, tsa: true })));
        const root = join(dir, 'trusted_root.json');
        await writeFile(root, JSON.stringify(services.trustedRoot));
        const sign = [
          '--identity-token',
          services.identityToken(),
          '--signing-config',
          config,
          '--trusted-root',
          root,
        ];
        const verify = [
          '--certificate-identity',
          TEST_SUBJECT,
          '--certificate-oidc-issuer',
          TEST_ISSUER,
          '--trusted-root',
          root,
        ];

        const bundle = join(dir, 'a.sigstore.json');
        const signed = await run(['sign-bundle', ...sign, '--bundle', bundle, artifact]);
        expect(signed.code, signed.stderr).toBe(0);
        expect(JSON.parse(await readFile(bundle, 'utf8'))).toHaveProperty('messageSignature');
        expect((await run(['verify-bundle', '--bundle', bundle, ...verify, artifact])).code).toBe(0);
        const digest = `sha256:${createHash('sha256')
          .update(await readFile(artifact))
          .digest('hex')}`;
        expect((await run(['verify-bundle', '--bundle', bundle, ...verify, digest])).code).toBe(0);
        const wrong = await run([
          'verify-bundle',
          '--bundle',
          bundle,
          ...verify.slice(0, 1),
          `${TEST_SUBJECT}x`,
          ...verify.slice(2),
          artifact,
        ]);
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toContain('[ERR_IDENTITY_MISMATCH]');

        const statement = join(dir, 'statement.json');
        await writeFile(
          statement,
          JSON.stringify({
            _type: 'https://in-toto.io/Statement/v1',
            subject: [{ name: 'a.txt', digest: { sha256: digest.slice(7) } }],
            predicateType: 'https://example.com/test/v1',
            predicate: {},
          }),
        );
        const dsse = join(dir, 'statement.sigstore.json');
        const signedStatement = await run(['sign-bundle', '--in-toto', ...sign, '--bundle', dsse, statement]);
        expect(signedStatement.code, signedStatement.stderr).toBe(0);
        expect(JSON.parse(await readFile(dsse, 'utf8'))).toHaveProperty('dsseEnvelope');
        expect((await run(['verify-bundle', '--bundle', dsse, ...verify, artifact])).code).toBe(0);
      }));
  }

  it('refuses a statement that is not one, and --staging without a signing config (exit 2)', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'not-a-statement.json');
      await writeFile(file, '{"hello":"world"}');
      const notStatement = await run([
        'sign-bundle',
        '--in-toto',
        '--identity-token',
        services.identityToken(),
        '--bundle',
        join(dir, 'o'),
        file,
      ]);
      expect(notStatement.code).toBe(1);
      expect(notStatement.stderr).toContain('[ERR_MALFORMED_STATEMENT]');
      const staging = await run([
        'sign-bundle',
        '--staging',
        '--identity-token',
        'x',
        '--bundle',
        join(dir, 'o'),
        file,
      ]);
      expect(staging.code).toBe(2);
    }));
});
