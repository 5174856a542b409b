// cosign's legacy `.sig`/`.att` tags, pushed in cosign's layout to the real registry and read back.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeBase64, utf8 } from '@vouch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLegacyAttestation, writeLegacySignature } from '../../../../test/support/cosign-legacy.js';
import { codeOf } from '../../../../test/support/errors.js';
import { type RunningRegistry, startRegistry } from '../../../../test/support/registry.js';
import { RegistryClient } from '../../src/client.js';
import { parseImageManifest } from '../../src/descriptor.js';
import { legacyTag, readLegacyAttestations, readLegacySignatures } from '../../src/legacy.js';
import { pushSmallImage } from './fixtures.js';

const FAST = { retries: 2, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 10_000 } as const;
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
const CHAIN = `${CERT}${CERT}`;
const REKOR = JSON.stringify({
  SignedEntryTimestamp: 'TUVVQ0lRQz0=',
  Payload: {
    body: 'eyJraW5kIjoiaGFzaGVkcmVrb3JkIn0=',
    integratedTime: 1700000000,
    logIndex: 42,
    logID: 'c0d23d6a',
  },
});
const TSA = JSON.stringify({ SignedRFC3161Timestamp: 'MIIB' });

function simpleSigning(digest: string): Uint8Array {
  return utf8(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': 'registry/app' },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

describe("cosign's legacy layouts on distribution 2.8", () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  beforeAll(async () => {
    registry = await startRegistry();
    client = new RegistryClient({ http: FAST });
  });
  afterAll(async () => registry?.stop());

  it('reads key-based and keyless signatures from sha256-<hex>.sig (OCI and Docker manifests)', async () => {
    for (const docker of [false, true]) {
      const target = { registry: registry.host, repository: docker ? 'legacy/docker' : 'legacy/oci' };
      const image = await pushSmallImage(client, target, 'signed');
      const keyed = simpleSigning(image.digest.value);
      const keyless = utf8(`${new TextDecoder().decode(keyed)} `);
      await writeLegacySignature({
        client,
        target,
        subject: image.digest.value,
        docker,
        layers: [
          { payload: keyed, signature: 'MEUCIQkeyed' },
          {
            payload: keyless,
            signature: 'MEUCIQkeyless',
            certificate: CERT,
            chain: CHAIN,
            rekorBundle: REKOR,
            rfc3161Timestamp: TSA,
          },
        ],
      });
      const tag = await client.getManifest({ ...target, tag: legacyTag(image.digest, 'sig') });
      expect(parseImageManifest(tag.json).layers.map((l) => l.mediaType)).toEqual([
        'application/vnd.dev.cosign.simplesigning.v1+json',
        'application/vnd.dev.cosign.simplesigning.v1+json',
      ]);
      const sigs = await readLegacySignatures({ client, target, subject: image.digest });
      expect(sigs).toHaveLength(2);
      expect(Buffer.from(sigs[0]?.payload ?? []).equals(Buffer.from(keyed))).toBe(true);
      expect(sigs[0]).toEqual({ payload: sigs[0]?.payload, signature: 'MEUCIQkeyed' });
      expect(sigs[1]?.signature).toBe('MEUCIQkeyless');
      expect(sigs[1]?.certificate).toBe(CERT);
      expect(sigs[1]?.chain).toBe(CHAIN);
      expect(sigs[1]?.rekorBundle).toEqual(JSON.parse(REKOR));
      expect(sigs[1]?.rfc3161Timestamp).toEqual(JSON.parse(TSA));
      expect(Object.isFrozen(sigs[1]?.rekorBundle)).toBe(true);
    }
  });

  it('reads DSSE attestations with their predicateType from sha256-<hex>.att', async () => {
    const target = { registry: registry.host, repository: 'legacy/att' };
    const image = await pushSmallImage(client, target, 'attested');
    const envelope = (predicateType: string) =>
      utf8(
        JSON.stringify({
          payloadType: 'application/vnd.in-toto+json',
          payload: encodeBase64(utf8(JSON.stringify({ predicateType }))),
          signatures: [{ keyid: '', sig: 'c2ln' }],
        }),
      );
    const slsa = envelope('https://slsa.dev/provenance/v0.2');
    const spdx = envelope('https://spdx.dev/Document');
    await writeLegacyAttestation({
      client,
      target,
      subject: image.digest.value,
      layers: [
        {
          envelope: slsa,
          predicateType: 'https://slsa.dev/provenance/v0.2',
          certificate: CERT,
          rekorBundle: REKOR,
        },
        { envelope: spdx, predicateType: 'https://spdx.dev/Document' },
      ],
    });
    const atts = await readLegacyAttestations({ client, target, subject: image.digest });
    expect(atts.map((a) => a.predicateType)).toEqual([
      'https://slsa.dev/provenance/v0.2',
      'https://spdx.dev/Document',
    ]);
    expect(Buffer.from(atts[0]?.envelope ?? []).equals(Buffer.from(slsa))).toBe(true);
    expect(atts[0]?.certificate).toBe(CERT);
    expect(atts[0]?.rekorBundle).toEqual(JSON.parse(REKOR));
    expect(atts[1]?.certificate).toBeUndefined();
    // No signature tag: no signatures, not an error.
    expect(await readLegacySignatures({ client, target, subject: image.digest })).toEqual([]);
  });

  it("reads from another repository (cosign's COSIGN_REPOSITORY) when told, and only then", async () => {
    const target = { registry: registry.host, repository: 'legacy/image' };
    const signatures = { registry: registry.host, repository: 'legacy/signatures' };
    const image = await pushSmallImage(client, target, 'elsewhere');
    await writeLegacySignature({
      client,
      target: signatures,
      subject: image.digest.value,
      layers: [{ payload: simpleSigning(image.digest.value), signature: 'MEUCIQelsewhere' }],
    });
    expect(await readLegacySignatures({ client, target, subject: image.digest })).toEqual([]);
    const sigs = await readLegacySignatures({
      client,
      target,
      subject: image.digest,
      repository: signatures,
    });
    expect(sigs.map((s) => s.signature)).toEqual(['MEUCIQelsewhere']);
  });

  it('refuses a payload changed in the registry storage, an oversized one, and a malformed bundle annotation', async () => {
    const target = { registry: registry.host, repository: 'legacy/tampered' };
    const image = await pushSmallImage(client, target, 'tampered');
    const payload = simpleSigning(image.digest.value);
    await writeLegacySignature({
      client,
      target,
      subject: image.digest.value,
      layers: [{ payload, signature: 'MEUCIQtampered' }],
    });
    expect(
      await codeOf(() => readLegacySignatures({ client, target, subject: image.digest, maxLayerBytes: 10 })),
    ).toBe('ERR_RESPONSE_TOO_LARGE');
    const hex = (await client.putBlob({ target, bytes: payload })).hex;
    const file = join(
      registry.dir,
      'data',
      'docker',
      'registry',
      'v2',
      'blobs',
      'sha256',
      hex.slice(0, 2),
      hex,
      'data',
    );
    const forged = Buffer.from(await readFile(file));
    forged[10] = forged[10] === 0x61 ? 0x62 : 0x61;
    await writeFile(file, forged);
    expect(await codeOf(() => readLegacySignatures({ client, target, subject: image.digest }))).toBe(
      'ERR_DIGEST_MISMATCH',
    );

    const other = await pushSmallImage(client, target, 'bad-bundle');
    await writeLegacySignature({
      client,
      target,
      subject: other.digest.value,
      layers: [{ payload: simpleSigning(other.digest.value), signature: 'MEUC', rekorBundle: '{not json' }],
    });
    expect(await codeOf(() => readLegacySignatures({ client, target, subject: other.digest }))).toBe(
      'ERR_MALFORMED_JSON',
    );
  });
});
