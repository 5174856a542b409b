// cosign's legacy layouts pushed to the real registry: keyless `.sig` signatures (Fulcio certificate, Rekor SET, RFC 3161
// timestamp in annotations) verify against a trusted root and identity; tampered material is refused with its code.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeBase64, parseTrustedRoot } from '@vouch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSimpleSigningPayload,
  type IdentityPolicy,
  identityPolicyFromFlags,
  loadPrivateKey,
  signArtifactKeyless,
  verifyImage,
} from 'vouch';
import { ReferrersClient, type RepositoryTarget } from '../../packages/oci/src/index.js';
import { runInProcess, withTempDir } from '../cli/harness.js';
import {
  cosignAnnotationsFromBundle,
  writeCosignReferrer,
  writeLegacySignature,
} from '../support/cosign-legacy.js';
import { codeOf } from '../support/errors.js';
import { pushTestImage } from '../support/images.js';
import { type RunningRegistry, startRegistry } from '../support/registry.js';
import {
  type SigstoreServices,
  startSigstoreServices,
  TEST_ISSUER,
  TEST_SUBJECT,
} from '../support/sigstore-services.js';

let registry: RunningRegistry;
let services: SigstoreServices;
const client = new ReferrersClient();

beforeAll(async () => {
  [registry, services] = await Promise.all([startRegistry(), startSigstoreServices()]);
});
afterAll(async () => {
  await Promise.all([registry?.stop(), services?.close()]);
});

const keyless = () => services.keylessOptions({ tsa: true });

function policy(subject: string): IdentityPolicy {
  const built = identityPolicyFromFlags({ certificateIdentity: subject, certificateOidcIssuer: TEST_ISSUER });
  if (built === undefined) throw new Error('identity flags gave no policy');
  return built;
}
const identity = () => policy(TEST_SUBJECT);
const root = () => parseTrustedRoot(services.trustedRoot);

/** Pushes an image and signs it as cosign's keyless `cosign sign` with the legacy layout would: returns its digest. */
async function signedLegacy(
  repository: string,
  options: { readonly payloadDigest?: string; readonly edit?: (layer: Record<string, unknown>) => void } = {},
): Promise<{ target: RepositoryTarget; digest: string; image: string }> {
  const target = { registry: registry.host, repository };
  const { digest } = await pushTestImage({ client, target, layer: repository, reference: 'v1' });
  const payload = createSimpleSigningPayload({
    reference: `${registry.host}/${repository}`,
    digest: options.payloadDigest ?? digest.value,
  });
  const { bundle, certificate } = await signArtifactKeyless({ artifact: payload, keyless: keyless() });
  const layer: Record<string, unknown> = {
    payload,
    signature: bundle.messageSignature.signature,
    ...cosignAnnotationsFromBundle(bundle, certificate),
  };
  options.edit?.(layer);
  await writeLegacySignature({
    client,
    target,
    subject: digest.value,
    layers: [layer as { payload: Uint8Array; signature: string }],
  });
  return { target, digest: digest.value, image: `${registry.host}/${repository}:v1` };
}

describe("keyless legacy .sig signatures (cosign's pre-bundle layout)", () => {
  it('verify by tag: certificate, Rekor SET and RFC 3161 timestamp are checked as a v0.1 bundle, then the payload digest', async () => {
    const { digest, image } = await signedLegacy('legacy/keyless');
    const result = await verifyImage({
      image,
      registry: {},
      identity: identity(),
      trustedRoot: root(),
    });
    expect(result.digest.value).toBe(digest);
    expect(result.bundleVersion).toBe('0.1');
    expect(result.simpleSigning?.manifestDigest.value).toBe(digest);
    expect(result.signer).toMatchObject({
      type: 'certificate',
      identity: { subjectAlternativeName: TEST_SUBJECT },
    });
    expect(result.times.map((t) => t.source).sort()).toEqual(['timestamp-authority', 'tlog']);
    expect(result.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('refuses another identity, another trusted root, and a payload signed for another digest', async () => {
    const { image } = await signedLegacy('legacy/refused');
    const otherIdentity = policy(`${TEST_SUBJECT}x`);
    expect(
      await codeOf(() => verifyImage({ image, registry: {}, identity: otherIdentity, trustedRoot: root() })),
    ).toBe('ERR_IDENTITY_MISMATCH');
    // The shipped public-good root does not hold the loopback CA or log.
    expect(await codeOf(() => verifyImage({ image, registry: {}, identity: identity() }))).toMatch(
      /^ERR_(TLOG_UNTRUSTED|CERTIFICATE_CHAIN|TIMESTAMP_INVALID)$/,
    );
    const other = `sha256:${'0'.repeat(64)}`;
    const moved = await signedLegacy('legacy/moved', { payloadDigest: other });
    expect(
      await codeOf(() =>
        verifyImage({
          image: moved.image,
          registry: {},
          identity: identity(),
          trustedRoot: root(),
        }),
      ),
    ).toBe('ERR_DIGEST_MISMATCH');
  });

  it('refuses a changed signature, a broken SET, a missing Rekor bundle and a malformed annotation', async () => {
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    const cases: [string, (layer: Record<string, unknown>) => void, RegExp][] = [
      ['signature', (l) => (l.signature = flip(String(l.signature))), /^ERR_SIGNATURE_INVALID$/],
      [
        'set',
        (l) => {
          const rekor = JSON.parse(String(l.rekorBundle)) as { SignedEntryTimestamp: string };
          rekor.SignedEntryTimestamp = flip(rekor.SignedEntryTimestamp);
          l.rekorBundle = JSON.stringify(rekor);
        },
        /^ERR_TLOG_SET_INVALID$/,
      ],
      [
        'no-rekor',
        (l) => {
          delete l.rekorBundle;
          delete l.rfc3161Timestamp;
        },
        /^ERR_(TLOG_|TIME_SOURCE_MISSING)/,
      ],
      ['malformed', (l) => (l.rekorBundle = '{"Payload":{"logID":"zz"}}'), /^ERR_MALFORMED_BUNDLE$/],
    ];
    for (const [name, edit, code] of cases) {
      const { image } = await signedLegacy(`legacy/tamper-${name}`, { edit });
      const got = await codeOf(() =>
        verifyImage({ image, registry: {}, identity: identity(), trustedRoot: root() }),
      );
      expect(got, name).toMatch(code);
    }
  });

  it('vouch verify IMAGE with identity flags verifies it and says it was a legacy signature', () =>
    withTempDir(async (dir) => {
      const { digest, image } = await signedLegacy('legacy/cli');
      const root = join(dir, 'trusted_root.json');
      await writeFile(root, JSON.stringify(services.trustedRoot));
      const base = ['verify', image, '--certificate-oidc-issuer', TEST_ISSUER, '--trusted-root', root];
      const ok = await runInProcess([...base, '--certificate-identity', TEST_SUBJECT, '-o', 'json']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, digest, format: 'legacy-signature' });
      const text = await runInProcess([...base, '--certificate-identity', TEST_SUBJECT]);
      expect(text.stdout).toContain('legacy .sig signature');
      const wrong = await runInProcess([...base, '--certificate-identity', `${TEST_SUBJECT}x`]);
      expect(wrong.code).toBe(1);
    }));
});

describe("cosign 2's OCI 1.1 referrers (--registry-referrers-mode=oci-1-1)", () => {
  it('a keyless signature referrer verifies, is listed by tree, and a key-based one counts for --key', () =>
    withTempDir(async (dir) => {
      const target = { registry: registry.host, repository: 'legacy/oci11' };
      const pushed = await pushTestImage({ client, target, layer: 'oci11', reference: 'v1' });
      const image = `${registry.host}/legacy/oci11:v1`;
      const payload = createSimpleSigningPayload({
        reference: `${registry.host}/legacy/oci11`,
        digest: pushed.digest,
      });
      const { bundle, certificate } = await signArtifactKeyless({ artifact: payload, keyless: keyless() });
      await writeCosignReferrer({
        client,
        target,
        subject: pushed.descriptor,
        kind: 'sig',
        signatures: [
          {
            payload,
            signature: bundle.messageSignature.signature,
            ...cosignAnnotationsFromBundle(bundle, certificate),
          },
        ],
      });
      const result = await verifyImage({ image, registry: {}, identity: identity(), trustedRoot: root() });
      expect(result.simpleSigning?.manifestDigest.value).toBe(pushed.digest.value);
      const tree = JSON.parse((await runInProcess(['tree', image, '-o', 'json'])).stdout) as {
        artifacts: { format: string; artifactType?: string }[];
      };
      expect(tree.artifacts).toContainEqual(
        expect.objectContaining({
          format: 'legacy-signature',
          artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
        }),
      );
      // Key-based: cosign 2 signed with a key; vouch verify --key finds it through the referrer.
      const keygen = await runInProcess(['keygen', '--output-key-prefix', join(dir, 'k')], {
        VOUCH_PASSWORD: 'pw',
      });
      expect(keygen.code, keygen.stderr).toBe(0);
      const key = await loadPrivateKey(join(dir, 'k.key'), { password: 'pw' });
      await writeCosignReferrer({
        client,
        target,
        subject: pushed.descriptor,
        kind: 'sig',
        signatures: [{ payload, signature: encodeBase64(key.sign(payload)) }],
      });
      const ok = await runInProcess(['verify', image, '--key', join(dir, 'k.pub'), '-o', 'json']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ digest: pushed.digest.value, signerKeyIds: [key.keyId] });
    }));
});
