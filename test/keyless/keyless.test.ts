// Keyless signing end to end over loopback: API and built CLI against real HTTP Fulcio/Rekor/TSA, verified by sigstore-js.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { type Signer, toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { parseDigest, parseTrustedRoot, verifySigstoreBundle } from '@vouch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVouchError, type KeylessOptions, resolveIdentityToken, signBlob, signImage } from 'vouch';
import { type RunResult, runBin, withTempDir } from '../cli/harness.js';
import {
  GITHUB_REQUEST_TOKEN,
  type SigstoreServices,
  startSigstoreServices,
  TEST_ISSUER,
  TEST_SUBJECT,
} from '../support/sigstore-services.js';
import { VECTORS_DIR } from '../support/vectors.js';

// protobuf-specs is @sigstore/verify's own dependency: load its TrustedRoot reader from there (not a root dependency).
type ProtoTrustedRoot = Parameters<typeof toTrustMaterial>[0];
const fromVerify = createRequire(createRequire(import.meta.url).resolve('@sigstore/verify'));
const specs = fromVerify('@sigstore/protobuf-specs') as {
  TrustedRoot: { fromJSON(o: unknown): ProtoTrustedRoot };
};

const PUBLIC_GOOD = join(VECTORS_DIR, 'trusted-roots/public-good.json');
const HEX = '7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c';
const IMAGE = `registry.example.com/acme/app@sha256:${HEX}`;

let services: SigstoreServices;
let publicGood: unknown;

beforeAll(async () => {
  services = await startSigstoreServices();
  publicGood = JSON.parse(await readFile(PUBLIC_GOOD, 'utf8'));
});
afterAll(() => services.close());

function keyless(extra: Partial<KeylessOptions> = {}): KeylessOptions {
  return {
    identityToken: services.identityToken(),
    fulcioUrl: services.fulcioUrl,
    rekorUrls: [services.rekorUrl],
    retries: 0,
    ...extra,
  };
}

/** sigstore-js's verdict on a bundle: the signer, or the error it throws. */
function sigstoreJsVerify(bundle: unknown, root: unknown, subject = TEST_SUBJECT): Signer {
  const verifier = new Verifier(toTrustMaterial(specs.TrustedRoot.fromJSON(root)), {
    tlogThreshold: 1,
    ctlogThreshold: 1,
  });
  return verifier.verify(toSignedEntity(bundleFromJSON(bundle)), {
    subjectAlternativeName: subject,
    extensions: { issuer: TEST_ISSUER },
  });
}

/** vouch's own verifier on the same bundle: it must agree with sigstore-js. */
function vouchVerify(bundle: unknown, root: unknown, digest: string, subject = TEST_SUBJECT) {
  return verifySigstoreBundle({
    bundle,
    artifact: { digest: parseDigest(digest) },
    trustedRoot: parseTrustedRoot(root),
    identity: { subjectAlternativeName: { exact: subject }, issuer: { exact: TEST_ISSUER } },
    now: new Date(),
  });
}

/** Both verifiers accept `bundle` under the services' root and refuse it under public-good's. */
function expectVerifies(bundle: unknown, digest: string, subject = TEST_SUBJECT): void {
  expect(sigstoreJsVerify(bundle, services.trustedRoot, subject).identity?.subjectAlternativeName).toBe(
    subject,
  );
  const result = vouchVerify(bundle, services.trustedRoot, digest, subject);
  expect(result.signer.type === 'certificate' && result.signer.identity.subjectAlternativeName).toBe(subject);
  expect(() => sigstoreJsVerify(bundle, publicGood, subject)).toThrow();
  expect(() => vouchVerify(bundle, publicGood, digest, subject)).toThrow(/./);
  let code: unknown;
  try {
    vouchVerify(bundle, publicGood, digest, subject);
  } catch (e) {
    code = isVouchError(e) ? e.code : e;
  }
  // The loopback CA is not in the public-good root: the certificate is refused before anything it signed.
  expect(code).toBe('ERR_CERTIFICATE_CHAIN');
}

function statementOf(bundle: { dsseEnvelope: { payload: string; payloadType: string } }): {
  subject: { name?: string; digest: Record<string, string>; annotations?: Record<string, string> }[];
  predicateType: string;
} {
  expect(bundle.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isVouchError(error) ? error.code : error).toBe(code);
  if (!(error instanceof Error)) throw new Error('expected an Error');
  return error;
}

function json(r: RunResult): Record<string, unknown> {
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('keyless signing through the API', () => {
  it('signs an image digest (Rekor v1 + TSA) that sigstore-js verifies against the services root only', async () => {
    const before = { ...services.requests };
    const result = await signImage({
      image: IMAGE,
      annotations: { env: 'prod' },
      keyless: keyless({ tsaUrls: [services.tsaUrl] }),
    });
    const { bundle } = result;
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.verificationMaterial.tlogEntries).toHaveLength(1);
    expect(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
    expect(result.certificate).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    const statement = statementOf(bundle);
    expect(statement.predicateType).toBe('https://sigstore.dev/cosign/sign/v1');
    expect(statement.subject).toEqual([{ digest: { sha256: HEX }, annotations: { env: 'prod' } }]);
    expect(services.requests.fulcio - before.fulcio).toBe(1);
    expect(services.requests.rekor - before.rekor).toBe(1);
    expect(services.requests.tsa - before.tsa).toBe(1);

    const signer = sigstoreJsVerify(bundle, services.trustedRoot);
    expect(signer.identity?.subjectAlternativeName).toBe(TEST_SUBJECT);
    expect(signer.identity?.extensions?.issuer).toBe(TEST_ISSUER);
    expectVerifies(bundle, `sha256:${HEX}`);
    expect(() => sigstoreJsVerify(bundle, services.trustedRoot, 'https://github.com/evil/app')).toThrow();
    expect(() =>
      vouchVerify(bundle, services.trustedRoot, `sha256:${HEX}`, 'https://github.com/evil/app'),
    ).toThrow(expect.objectContaining({ code: 'ERR_IDENTITY_MISMATCH' }));
    const other = `sha256:${'0'.repeat(64)}`;
    expect(() => vouchVerify(bundle, services.trustedRoot, other)).toThrow(
      expect.objectContaining({ code: 'ERR_DIGEST_MISMATCH' }),
    );
  });

  it('refuses a tampered certificate, log entry, timestamp, signature or payload, each with its own code', async () => {
    const { bundle } = await signImage({ image: IMAGE, keyless: keyless({ tsaUrls: [services.tsaUrl] }) });
    const flip = (b64: string): string => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    type Mutable = {
      verificationMaterial: {
        certificate: { rawBytes: string };
        tlogEntries: { canonicalizedBody: string }[];
        timestampVerificationData: { rfc3161Timestamps: { signedTimestamp: string }[] };
      };
      dsseEnvelope: { payload: string; signatures: { sig: string }[] };
    };
    const cases: readonly [string, string, (b: Mutable) => void][] = [
      // A changed certificate no longer carries its CA's signature.
      [
        'certificate',
        'ERR_CERTIFICATE_CHAIN',
        (b) => {
          b.verificationMaterial.certificate.rawBytes = flip(b.verificationMaterial.certificate.rawBytes);
        },
      ],
      [
        'log entry body',
        'ERR_TLOG_SET_INVALID',
        (b) => {
          const e = b.verificationMaterial.tlogEntries[0];
          if (e) e.canonicalizedBody = flip(e.canonicalizedBody);
        },
      ],
      [
        'timestamp',
        'ERR_TIMESTAMP_INVALID',
        (b) => {
          const t = b.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0];
          if (t) t.signedTimestamp = flip(t.signedTimestamp);
        },
      ],
      // The signature is checked first (with the certificate's key, before anything is trusted).
      [
        'signature',
        'ERR_SIGNATURE_INVALID',
        (b) => {
          const sg = b.dsseEnvelope.signatures[0];
          if (sg) sg.sig = flip(sg.sig);
        },
      ],
      // The log recorded this very signature over the original payload: the payload is what changed.
      [
        'payload',
        'ERR_PAYLOAD_MISMATCH',
        (b) => {
          const statement = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8'));
          b.dsseEnvelope.payload = Buffer.from(
            JSON.stringify({ ...statement, predicate: { x: 1 } }),
          ).toString('base64');
        },
      ],
    ];
    for (const [what, code, tamper] of cases) {
      const copy = JSON.parse(JSON.stringify(bundle)) as Mutable;
      tamper(copy);
      expect(() => sigstoreJsVerify(copy, services.trustedRoot), what).toThrow();
      expect(() => vouchVerify(copy, services.trustedRoot, `sha256:${HEX}`), what).toThrow(
        expect.objectContaining({ code }),
      );
    }
  });

  it('signs a blob: the subject is the file digest and name', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'app.tgz');
      await writeFile(file, 'release bytes\n');
      const bundlePath = join(dir, 'app.tgz.sigstore.json');
      const result = await signBlob({ file, keyless: keyless(), bundlePath });
      const sha = createHash('sha256').update('release bytes\n').digest('hex');
      expect(result.digest.value).toBe(`sha256:${sha}`);
      const written: unknown = JSON.parse(await readFile(bundlePath, 'utf8'));
      expect(written).toEqual(result.bundle);
      expect(statementOf(result.bundle).subject).toEqual([{ name: 'app.tgz', digest: { sha256: sha } }]);
      expectVerifies(written, `sha256:${sha}`);
    }));

  it('writes Rekor v2 entries with a TSA timestamp', async () => {
    const { bundle } = await signImage({
      image: IMAGE,
      keyless: keyless({ rekorV2: true, tsaUrls: [services.tsaUrl] }),
    });
    const [entry] = bundle.verificationMaterial.tlogEntries;
    expect(entry?.kindVersion?.version).toBe('0.0.2');
    expect(entry?.inclusionPromise).toBeUndefined();
    expectVerifies(bundle, `sha256:${HEX}`);
  });

  it('takes the token from SIGSTORE_ID_TOKEN, then from GitHub Actions OIDC (audience sigstore)', async () => {
    const { identityToken: _unused, ...viaEnv } = keyless({
      env: { SIGSTORE_ID_TOKEN: services.identityToken() },
    });
    const fromEnv = await signImage({ image: IMAGE, keyless: viaEnv });
    expectVerifies(fromEnv.bundle, `sha256:${HEX}`);

    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: services.githubOidcUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: GITHUB_REQUEST_TOKEN,
    };
    const token = await resolveIdentityToken({ env });
    expect(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sub).toBe(
      `${TEST_SUBJECT}#github`,
    );
    const { identityToken: _omitted, ...rest } = keyless({ env });
    const fromGithub = await signImage({ image: IMAGE, keyless: rest });
    expectVerifies(fromGithub.bundle, `sha256:${HEX}`, `${TEST_SUBJECT}#github`);

    const refused = await expectCode(
      resolveIdentityToken({ env: { ...env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong-request-token' } }),
      'ERR_IO',
    );
    expect(refused.message).toContain('HTTP 401');
    expect(refused.message).not.toContain('wrong-request-token');
  });

  it('refuses a missing or malformed token with ERR_USAGE, never printing the token', async () => {
    const { identityToken: _omit, ...noToken } = keyless();
    const before = services.requests.fulcio;
    await expectCode(signImage({ image: IMAGE, keyless: { ...noToken, env: {} } }), 'ERR_USAGE');
    const secret = 'not-a-jwt-secret-value';
    const bad = await expectCode(
      signImage({ image: IMAGE, keyless: keyless({ identityToken: secret }) }),
      'ERR_USAGE',
    );
    expect(bad.message).not.toContain(secret);
    const noSubject = `e30.${Buffer.from('{"iss":"x"}').toString('base64url')}.c2ln`;
    const bad2 = await expectCode(
      signImage({ image: IMAGE, keyless: keyless({ identityToken: noSubject }) }),
      'ERR_USAGE',
    );
    expect(bad2.message).not.toContain(noSubject);
    expect(services.requests.fulcio).toBe(before);
  });

  it('refuses options without a time source, with a non-loopback http URL, or with both key and keyless', async () => {
    await expectCode(signImage({ image: IMAGE, keyless: keyless({ rekorUrls: [] }) }), 'ERR_USAGE');
    await expectCode(
      signImage({ image: IMAGE, keyless: keyless({ fulcioUrl: 'http://fulcio.example.com' }) }),
      'ERR_USAGE',
    );
    await expectCode(
      signImage({ image: IMAGE, keyless: keyless({ rekorUrls: ['not a url'] }) }),
      'ERR_USAGE',
    );
    const both = { image: IMAGE, keyless: keyless(), key: {} } as unknown as Parameters<typeof signImage>[0];
    await expectCode(signImage(both), 'ERR_USAGE');
    const neither = { image: IMAGE } as unknown as Parameters<typeof signImage>[0];
    await expectCode(signImage(neither), 'ERR_USAGE');
  });

  it('reports a failing service as ERR_IO with its HTTP status', async () => {
    const token = services.identityToken();
    for (const [name, extra] of [
      ['fulcio', {}],
      ['rekor', {}],
      ['tsa', { tsaUrls: [services.tsaUrl] }],
    ] as const) {
      services.fail(name, name === 'tsa' ? 503 : 500);
      try {
        const e = await expectCode(
          signImage({ image: IMAGE, keyless: keyless({ ...extra, identityToken: token }) }),
          'ERR_IO',
        );
        expect(e.message).toContain(name === 'tsa' ? 'HTTP 503' : 'HTTP 500');
        expect(e.message).not.toContain(token);
      } finally {
        services.fail(name, undefined);
      }
    }
    // Nothing listening: a connection error, still ERR_IO.
    await expectCode(
      signImage({ image: IMAGE, keyless: keyless({ fulcioUrl: 'http://127.0.0.1:1' }) }),
      'ERR_IO',
    );
  });
});

describe('keyless signing through the built CLI', () => {
  const env = (): Record<string, string> => ({ SIGSTORE_ID_TOKEN: services.identityToken(), NO_PROXY: '*' });

  it('vouch sign --keyless with flags, then sign-blob --keyless with a signing config', () =>
    withTempDir(async (dir) => {
      const bundle = join(dir, 'image.sigstore.json');
      const r = await runBin(
        [
          'sign',
          IMAGE,
          '--no-upload',
          '--keyless',
          '--identity-token',
          services.identityToken(),
          '--fulcio-url',
          services.fulcioUrl,
          '--rekor-url',
          services.rekorUrl,
          '--timestamp-server-url',
          services.tsaUrl,
          '--bundle',
          bundle,
          '-o',
          'json',
        ],
        { NO_PROXY: '*' },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(json(r)).toMatchObject({
        ok: true,
        command: 'sign',
        digest: `sha256:${HEX}`,
        bundlePath: bundle,
      });
      expect(r.stderr).toContain('uses the network');
      const written: unknown = JSON.parse(await readFile(bundle, 'utf8'));
      expectVerifies(written, `sha256:${HEX}`);

      const file = join(dir, 'app.bin');
      await writeFile(file, new Uint8Array([1, 2, 3]));
      const config = join(dir, 'signing_config.json');
      await writeFile(config, JSON.stringify(services.signingConfig({ rekorV2: true, tsa: true })));
      const blobBundle = join(dir, 'app.bin.sigstore.json');
      const b = await runBin(
        ['sign-blob', file, '--keyless', '--signing-config', config, '--bundle', blobBundle],
        env(),
      );
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout).toContain(`Bundle written to ${blobBundle}`);
      const blob = JSON.parse(await readFile(blobBundle, 'utf8'));
      expect(blob.verificationMaterial.tlogEntries[0].kindVersion.version).toBe('0.0.2');
      expect(blob.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toHaveLength(1);
      expectVerifies(
        blob,
        `sha256:${createHash('sha256')
          .update(new Uint8Array([1, 2, 3]))
          .digest('hex')}`,
      );
    }));

  it('writes the bundle to stdout without --bundle (token from SIGSTORE_ID_TOKEN)', async () => {
    const r = await runBin(
      [
        'sign',
        IMAGE,
        '--no-upload',
        '--keyless',
        '--fulcio-url',
        services.fulcioUrl,
        '--rekor-url',
        services.rekorUrl,
      ],
      env(),
    );
    expect(r.code, r.stderr).toBe(0);
    expectVerifies(JSON.parse(r.stdout), `sha256:${HEX}`);
  });

  it('exits 2 without a token, with --key and --keyless, or with keyless flags but no --keyless', async () => {
    const noToken = await runBin([
      'sign',
      IMAGE,
      '--no-upload',
      '--keyless',
      '--fulcio-url',
      services.fulcioUrl,
      '--rekor-url',
      services.rekorUrl,
    ]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('ERR_USAGE');
    const both = await runBin(['sign', IMAGE, '--no-upload', '--keyless', '--key', 'cosign.key'], env());
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('mutually exclusive');
    const blobBoth = await runBin(['sign-blob', 'x', '--keyless', '--key', 'cosign.key'], env());
    expect(blobBoth.code).toBe(2);
    const stray = await runBin(
      ['sign', IMAGE, '--no-upload', '--key', 'cosign.key', '--fulcio-url', services.fulcioUrl],
      env(),
    );
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--fulcio-url needs --keyless');
  });

  it('says it would use public-good over the network when no service is named (and stops at the missing token)', async () => {
    const r = await runBin(['sign', IMAGE, '--no-upload', '--keyless', '-o', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('https://fulcio.sigstore.dev');
    expect(r.stderr).toContain('network');
    expect(json(r)).toMatchObject({ ok: false });
  });

  it('exits 3 (ERR_IO) when Fulcio answers 500, naming the status and not the token', async () => {
    services.fail('fulcio', 500);
    try {
      const token = services.identityToken();
      const r = await runBin(
        [
          'sign',
          IMAGE,
          '--no-upload',
          '--keyless',
          '--fulcio-url',
          services.fulcioUrl,
          '--rekor-url',
          services.rekorUrl,
          '-o',
          'json',
        ],
        { SIGSTORE_ID_TOKEN: token },
      );
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('ERR_IO');
      expect(r.stdout).toContain('HTTP 500');
      expect(r.stdout + r.stderr).not.toContain(token);
    } finally {
      services.fail('fulcio', undefined);
    }
  });
});
