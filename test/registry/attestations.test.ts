// Attestations attached to images in the real registry: cosign's legacy `.att` layers (key-based and keyless) and
// Sigstore bundles (referrers / fallback tag), verified with `verifyImageAttestations` and `vouch verify-attestation`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildStatement,
  generateKeyPair,
  type PrivateKey,
  parseDigest,
  parseTrustedRoot,
  serializeStatement,
  signEnvelope,
} from '@vouch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachBundleToImage,
  type IdentityPolicy,
  identityPolicyFromFlags,
  signPayloadKeyless,
  verifyImageAttestations,
} from 'vouch';
import { ReferrersClient } from '../../packages/oci/src/index.js';
import { runInProcess, withTempDir } from '../cli/harness.js';
import {
  cosignAnnotationsFromBundle,
  writeCosignReferrer,
  writeLegacyAttestation,
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

const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const IN_TOTO = 'application/vnd.in-toto+json';
const utf8 = (text: string) => new TextEncoder().encode(text);

let registry: RunningRegistry;
let services: SigstoreServices;
const client = new ReferrersClient();
const key = generateKeyPair({ algorithm: 'ecdsa-p256' });
const otherKey = generateKeyPair({ algorithm: 'ecdsa-p256' });

beforeAll(async () => {
  [registry, services] = await Promise.all([startRegistry(), startSigstoreServices()]);
});
afterAll(async () => {
  await Promise.all([registry?.stop(), services?.close()]);
});

function policy(subject: string): IdentityPolicy {
  const built = identityPolicyFromFlags({ certificateIdentity: subject, certificateOidcIssuer: TEST_ISSUER });
  if (built === undefined) throw new Error('identity flags gave no policy');
  return built;
}

/** An in-toto v1 statement about `digest` (sha256:<hex>) with a small SLSA v1 predicate. */
function statement(digest: string, predicateType = SLSA_V1): Uint8Array {
  return serializeStatement(
    buildStatement({
      subject: [{ name: 'image', digest: { sha256: digest.slice('sha256:'.length) } }],
      predicateType,
      predicate: {
        buildDefinition: { buildType: 'https://example.com/build/v1', externalParameters: {} },
        runDetails: { builder: { id: 'https://example.com/builder' } },
      },
    }),
  );
}

async function pushed(repository: string) {
  const target = { registry: registry.host, repository };
  const { digest, descriptor } = await pushTestImage({ client, target, layer: repository, reference: 'v1' });
  return { target, digest: digest.value, descriptor, image: `${registry.host}/${repository}:v1` };
}

function keyEnvelope(payload: Uint8Array, signer: PrivateKey = key): Uint8Array {
  return utf8(JSON.stringify(signEnvelope({ payloadType: IN_TOTO, payload, keys: [signer] })));
}

async function keylessEnvelope(payload: Uint8Array) {
  return signPayloadKeyless({ payload, payloadType: IN_TOTO, keyless: services.keylessOptions() });
}

describe("cosign's legacy .att attestations", () => {
  it('key-based: verifies with the key and type; refuses another key; another type is not attached', async () => {
    const { target, digest, image } = await pushed('att/key');
    await writeLegacyAttestation({
      client,
      target,
      subject: digest,
      layers: [{ envelope: keyEnvelope(statement(digest)), predicateType: SLSA_V1 }],
    });
    const result = await verifyImageAttestations({
      image,
      registry: {},
      keys: [key.publicKey],
      predicateType: SLSA_V1,
    });
    expect(result.digest.value).toBe(digest);
    expect(result.attestations).toHaveLength(1);
    expect(result.attestations[0]).toMatchObject({
      format: 'legacy-attestation',
      location: `${digest.replace(':', '-')}.att`,
      predicateType: SLSA_V1,
      signer: { type: 'key', keyId: key.publicKey.keyId },
    });
    expect(
      await codeOf(() => verifyImageAttestations({ image, registry: {}, keys: [otherKey.publicKey] })),
    ).toBe('ERR_SIGNATURE_INVALID');
    expect(
      await codeOf(() =>
        verifyImageAttestations({
          image,
          registry: {},
          keys: [key.publicKey],
          predicateType: 'https://spdx.dev/Document',
        }),
      ),
    ).toBe('ERR_NO_ATTESTATIONS');
  });

  it('a correctly signed statement about another image is refused, one layer of two suffices', async () => {
    const { target, digest, image } = await pushed('att/subject');
    const elsewhere = `sha256:${'1'.repeat(64)}`;
    await writeLegacyAttestation({
      client,
      target,
      subject: digest,
      layers: [{ envelope: keyEnvelope(statement(elsewhere)), predicateType: SLSA_V1 }],
    });
    const refused = await codeOf(() =>
      verifyImageAttestations({ image, registry: {}, keys: [key.publicKey], predicateType: SLSA_V1 }),
    );
    expect(refused).toMatch(/^ERR_(DIGEST|PAYLOAD)_MISMATCH$/);
    await writeLegacyAttestation({
      client,
      target,
      subject: digest,
      layers: [
        { envelope: keyEnvelope(statement(elsewhere)), predicateType: SLSA_V1 },
        { envelope: keyEnvelope(statement(digest)), predicateType: SLSA_V1 },
      ],
    });
    const result = await verifyImageAttestations({
      image,
      registry: {},
      keys: [key.publicKey],
      predicateType: SLSA_V1,
    });
    expect(result.attestations).toHaveLength(1);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.code).toBe(refused);
  });

  it('keyless: certificate and Rekor SET from annotations verify against the identity; a wrong identity is refused', async () => {
    const { target, digest, image } = await pushed('att/keyless');
    const { bundle, certificate } = await keylessEnvelope(statement(digest));
    await writeLegacyAttestation({
      client,
      target,
      subject: digest,
      layers: [
        {
          envelope: utf8(JSON.stringify(bundle.dsseEnvelope)),
          predicateType: SLSA_V1,
          ...cosignAnnotationsFromBundle(bundle, certificate),
        },
      ],
    });
    const trustedRoot = parseTrustedRoot(services.trustedRoot);
    const result = await verifyImageAttestations({
      image,
      registry: {},
      identity: policy(TEST_SUBJECT),
      trustedRoot,
      predicateType: SLSA_V1,
    });
    expect(result.attestations[0]).toMatchObject({
      format: 'legacy-attestation',
      signer: { type: 'certificate', identity: { subjectAlternativeName: TEST_SUBJECT } },
    });
    expect(result.attestations[0]?.times.map((t) => t.source)).toEqual(['tlog']);
    expect(
      await codeOf(() =>
        verifyImageAttestations({ image, registry: {}, identity: policy(`${TEST_SUBJECT}x`), trustedRoot }),
      ),
    ).toBe('ERR_IDENTITY_MISMATCH');
    // Keys given for a keyless attestation: it is not signed by a trusted key.
    expect(
      await codeOf(() =>
        verifyImageAttestations({ image, registry: {}, keys: [key.publicKey], trustedRoot }),
      ),
    ).toBe('ERR_UNTRUSTED_KEY');
  });
});

describe("cosign 2's OCI 1.1 attestation referrers", () => {
  it('a key-signed attestation referrer verifies next to one at the legacy tag', async () => {
    const { target, digest, descriptor, image } = await pushed('att/oci11');
    await writeCosignReferrer({
      client,
      target,
      subject: descriptor,
      kind: 'att',
      attestations: [{ envelope: keyEnvelope(statement(digest)), predicateType: SLSA_V1 }],
    });
    await writeLegacyAttestation({
      client,
      target,
      subject: digest,
      layers: [{ envelope: keyEnvelope(statement(digest, 'https://cyclonedx.org/bom')), predicateType: 'x' }],
    });
    const result = await verifyImageAttestations({ image, registry: {}, keys: [key.publicKey] });
    expect(result.attestations.map((a) => a.predicateType).sort()).toEqual([
      'https://cyclonedx.org/bom',
      SLSA_V1,
    ]);
  });
});

describe('attestations attached as Sigstore bundles, through vouch verify-attestation', () => {
  it('finds a keyless attestation bundle, ignores signatures, prints the statement', () =>
    withTempDir(async (dir) => {
      const { digest, image } = await pushed('att/bundle');
      const { bundle } = await keylessEnvelope(statement(digest));
      await attachBundleToImage({ image, bundle: utf8(JSON.stringify(bundle)), registry: {} });
      const root = join(dir, 'trusted_root.json');
      await writeFile(root, JSON.stringify(services.trustedRoot));
      const identity = ['--certificate-oidc-issuer', TEST_ISSUER, '--trusted-root', root];
      const base = ['verify-attestation', image, ...identity, '--certificate-identity', TEST_SUBJECT];
      const ok = await runInProcess([
        ...base,
        '--type',
        'slsaprovenance1',
        '--print-statement',
        '-o',
        'json',
      ]);
      expect(ok.code, ok.stderr).toBe(0);
      const doc = JSON.parse(ok.stdout) as { attestations: { statement: { subject: unknown[] } }[] };
      expect(doc).toMatchObject({
        ok: true,
        digest,
        attestations: [{ format: 'sigstore-bundle', predicateType: SLSA_V1 }],
      });
      expect(doc.attestations[0]?.statement.subject).toEqual([
        { name: 'image', digest: { sha256: digest.slice(7) } },
      ]);
      const text = await runInProcess([...base, '--type', SLSA_V1]);
      expect(text.stdout).toContain('Verified OK: 1 attestation(s)');
      const spdx = await runInProcess([...base, '--type', 'spdx', '-o', 'json']);
      expect(spdx.code).toBe(1);
      expect(JSON.parse(spdx.stdout).error).toMatchObject({ code: 'ERR_NO_ATTESTATIONS' });
      const unknown = await runInProcess([...base, '--type', 'not-a-type']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('--type');
      // A keyless image signature is attached too: it is a signature, not an attestation.
      const signed = await runInProcess(['sign', image, ...services.signFlags({ tsa: false })]);
      expect(signed.code, signed.stderr).toBe(0);
      const any = JSON.parse((await runInProcess([...base, '-o', 'json'])).stdout) as {
        attestations: { predicateType: string }[];
      };
      expect(any.attestations.map((a) => a.predicateType)).toEqual([SLSA_V1]);
    }));
});

describe('vouch attest then vouch verify-attestation, through the local registry (cosign v3 layout)', () => {
  it('attests with a key and keyless, as an artifact manifest cosign v3 reads, and both verify', () =>
    withTempDir(async (dir) => {
      const { target, digest, image } = await pushed('att/roundtrip');
      const predicate = join(dir, 'provenance.json');
      await writeFile(
        predicate,
        JSON.stringify({
          buildDefinition: { buildType: 'https://example.com/build/v1', externalParameters: { ref: 'v1' } },
          runDetails: { builder: { id: 'https://example.com/builder' } },
        }),
      );
      const keygen = await runInProcess(['keygen', '--output-key-prefix', join(dir, 'k')], {
        VOUCH_PASSWORD: 'pw',
      });
      expect(keygen.code, keygen.stderr).toBe(0);
      const attested = await runInProcess(
        [
          'attest',
          image,
          '--predicate',
          predicate,
          '--type',
          'slsaprovenance1',
          '--key',
          join(dir, 'k.key'),
          '-o',
          'json',
        ],
        { VOUCH_PASSWORD: 'pw' },
      );
      expect(attested.code, attested.stderr).toBe(0);
      const doc = JSON.parse(attested.stdout) as {
        command: string;
        digest: string;
        attached: { digest: string };
      };
      expect(doc).toMatchObject({ command: 'attest', digest, attached: { via: 'fallback-tag' } });
      // The artifact manifest is cosign v3's: bundle artifactType, subject, predicateType and content annotations.
      const manifest = (await client.getManifest({ ...target, digest: parseDigest(doc.attached.digest) }))
        .json;
      expect(manifest).toMatchObject({
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        subject: { digest },
        annotations: {
          'dev.sigstore.bundle.content': 'dsse-envelope',
          'dev.sigstore.bundle.predicateType': SLSA_V1,
        },
      });
      const verified = await runInProcess([
        'verify-attestation',
        image,
        '--key',
        join(dir, 'k.pub'),
        '--type',
        'slsaprovenance1',
        '--print-statement',
        '-o',
        'json',
      ]);
      expect(verified.code, verified.stderr).toBe(0);
      const result = JSON.parse(verified.stdout) as { attestations: { statement: { predicate: unknown } }[] };
      expect(result.attestations[0]?.statement.predicate).toMatchObject({
        runDetails: { builder: { id: 'https://example.com/builder' } },
      });
      // Keyless, through the loopback Sigstore services.
      const keyless = await runInProcess([
        'attest',
        image,
        '--predicate',
        predicate,
        '--type',
        SLSA_V1,
        ...services.signFlags({ tsa: false }),
      ]);
      expect(keyless.code, keyless.stderr).toBe(0);
      const root = join(dir, 'trusted_root.json');
      await writeFile(root, JSON.stringify(services.trustedRoot));
      const both = await runInProcess([
        'verify-attestation',
        image,
        '--type',
        SLSA_V1,
        '--certificate-identity',
        TEST_SUBJECT,
        '--certificate-oidc-issuer',
        TEST_ISSUER,
        '--trusted-root',
        root,
        '-o',
        'json',
      ]);
      expect(both.code, both.stderr).toBe(0);
      // The key-signed one is not keyless: it is listed as refused, the keyless one verifies.
      expect(JSON.parse(both.stdout)).toMatchObject({
        attestations: [{ signer: { type: 'certificate' } }],
        rejected: [{ code: 'ERR_UNTRUSTED_KEY' }],
      });
    }));
});
