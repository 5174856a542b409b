// OCI image layouts: slsa-verifier's `cosign save` layouts read and verified, tampered and malformed layouts refused.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cosignLayerBundle,
  type Digest,
  digestBytes,
  encodeBase64,
  type IdentityPolicy,
  parseDigest,
  parseTrustedRootJson,
  utf8,
  verifySigstoreBundle,
} from '@vouch/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, outcomeOf, parseErrorOf } from '../../../../test/support/errors.js';
import { mutatedJson } from '../../../../test/support/json-mutation.js';
import { caseFile, loadVectorSet, VECTORS_DIR } from '../../../../test/support/vectors.js';
import {
  COSIGN_ATTESTATION_ARTIFACT,
  COSIGN_SIMPLESIGNING,
  DSSE_ENVELOPE,
} from '../../src/artifact-types.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/media-types.js';
import {
  openOciLayout,
  parseImageLayoutMarker,
  parseLayoutIndex,
  readLayoutAttestations,
  readLayoutSignatures,
  resolveLayoutImage,
} from '../../src/oci-layout.js';

const set = loadVectorSet('slsa-verifier');
const layoutCases = set.cases.filter((c) => c.kind === 'slsa-image-oci-layout');
const trustedRoot = parseTrustedRootJson(await readFile(join(VECTORS_DIR, 'trusted-roots/public-good.json')));
const identity: IdentityPolicy = {
  subjectAlternativeName: { regexp: '.*' },
  issuer: { exact: 'https://token.actions.githubusercontent.com' },
};

function imageDigest(c: (typeof layoutCases)[number]): Digest {
  const image = c.image;
  if (typeof image !== 'object' || image === null || !('digest' in image))
    throw new Error(`${c.id}: no image`);
  return parseDigest(image.digest, `${c.id}.image.digest`);
}

describe('slsa-verifier OCI layouts (every slsa-image-oci-layout case)', () => {
  it('has the cases', () => {
    expect(layoutCases.length).toBe(132);
  });

  it.each(layoutCases.map((c) => [c.id, c] as const))('%s: attestations read and verify', async (_, c) => {
    const dir = join(set.dir, caseFile(c, 'ociLayout'));
    const subject = imageDigest(c);
    expect(set.text(caseFile(c, 'digestFile')).trim()).toBe(subject.value);
    const layout = await openOciLayout(dir);
    expect(layout.imageLayoutVersion).toBe('1.0.0');
    const image = await resolveLayoutImage({ layout, subject });
    expect(image.manifest ?? image.index).toBeDefined();
    const atts = await readLayoutAttestations({ layout, subject });
    expect(atts.length).toBeGreaterThan(0);
    for (const att of atts) {
      expect(att.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const bundle = cosignLayerBundle({ content: { type: 'dsseEnvelope', envelope: att.envelope }, ...att });
      const result = verifySigstoreBundle({
        bundle,
        artifact: { digest: subject },
        trustedRoot,
        identity,
        now: new Date(),
      });
      expect(result.statement?.subject.length).toBeGreaterThan(0);
      expect(result.signer.type).toBe('certificate');
      if (result.signer.type === 'certificate') {
        expect(result.signer.identity.subjectAlternativeName).toMatch(/^https:\/\/github\.com\//);
        expect(result.signer.identity.extensions.issuer).toBe('https://token.actions.githubusercontent.com');
      }
      if (att.predicateType !== undefined) expect(result.statement?.predicateType).toBe(att.predicateType);
    }
    // These layouts hold no `.sig` manifests.
    expect(await readLayoutSignatures({ layout, subject })).toEqual([]);
  });
});

// A writable copy of a vector layout, and small layouts written from scratch.
let work = '';
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vouch-oci-layout-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function copyDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isDirectory()) await copyDir(join(from, entry.name), join(to, entry.name));
    else await writeFile(join(to, entry.name), await readFile(join(from, entry.name)));
  }
}

function firstCase(): (typeof layoutCases)[number] {
  const c = layoutCases[0];
  if (c === undefined) throw new Error('no slsa-image-oci-layout case');
  return c;
}
const first = firstCase();
let copies = 0;
async function vectorCopy(): Promise<string> {
  copies += 1;
  const dir = join(work, `copy-${copies}`);
  await copyDir(join(set.dir, caseFile(first, 'ociLayout')), dir);
  return dir;
}

interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

async function readIndex(dir: string): Promise<{ manifests: IndexEntry[] } & Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
}

/** Writes a blob under its digest and returns its descriptor. */
async function putBlob(dir: string, mediaType: string, bytes: Uint8Array, extra: Partial<IndexEntry> = {}) {
  const d = digestBytes('sha256', bytes);
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'blobs', 'sha256', d.hex), bytes);
  return { mediaType, digest: d.value, size: bytes.length, ...extra };
}

const json = (v: unknown) => utf8(JSON.stringify(v));
const D = (c: string) => `sha256:${c.repeat(64)}`;

async function firstAttestationLayer(dir: string) {
  const index = await readIndex(dir);
  const entry = index.manifests.find((m) => m.annotations?.kind === 'dev.cosignproject.cosign/atts');
  if (entry === undefined) throw new Error('no atts entry');
  const manifest = JSON.parse(
    await readFile(join(dir, 'blobs', 'sha256', entry.digest.slice(7)), 'utf8'),
  ) as { layers: IndexEntry[] };
  const layer = manifest.layers[0];
  if (layer === undefined) throw new Error('no layer');
  return { index, entry, manifest, layer };
}

describe('tampered layouts', () => {
  const subject = imageDigest(first);

  it('refuses a blob whose bytes do not hash to its name (same size)', async () => {
    const dir = await vectorCopy();
    const { layer } = await firstAttestationLayer(dir);
    const path = join(dir, 'blobs', 'sha256', layer.digest.slice(7));
    const bytes = await readFile(path);
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 1;
    await writeFile(path, bytes);
    const layout = await openOciLayout(dir);
    expect(await codeOf(() => readLayoutAttestations({ layout, subject }))).toBe('ERR_DIGEST_MISMATCH');
  });

  it('refuses a blob of another size than its descriptor, and a tampered image manifest', async () => {
    const dir = await vectorCopy();
    const { entry } = await firstAttestationLayer(dir);
    await writeFile(join(dir, 'blobs', 'sha256', entry.digest.slice(7)), '{}');
    const layout = await openOciLayout(dir);
    expect(await codeOf(() => readLayoutAttestations({ layout, subject }))).toBe('ERR_DIGEST_MISMATCH');
    const imagePath = join(dir, 'blobs', 'sha256', subject.hex);
    const image = await readFile(imagePath);
    image[10] = (image[10] ?? 0) ^ 1;
    await writeFile(imagePath, image);
    expect(await codeOf(() => resolveLayoutImage({ layout, subject }))).toBe('ERR_DIGEST_MISMATCH');
  });

  it('says ERR_IO for a missing blob, a missing oci-layout or index.json, and an image not in the layout', async () => {
    const dir = await vectorCopy();
    const { layer } = await firstAttestationLayer(dir);
    await rm(join(dir, 'blobs', 'sha256', layer.digest.slice(7)));
    const layout = await openOciLayout(dir);
    expect(await codeOf(() => readLayoutAttestations({ layout, subject }))).toBe('ERR_IO');
    const other = parseDigest(`sha256:${'0'.repeat(64)}`);
    expect(await codeOf(() => readLayoutAttestations({ layout, subject: other }))).toBe('ERR_IO');
    await rm(join(dir, 'index.json'));
    expect(await codeOf(() => openOciLayout(dir))).toBe('ERR_IO');
    await rm(join(dir, 'oci-layout'));
    expect(await codeOf(() => openOciLayout(dir))).toBe('ERR_IO');
    expect(await codeOf(() => openOciLayout(join(dir, 'nope')))).toBe('ERR_IO');
  });

  it('refuses a layer larger than the limit before reading it', async () => {
    const layout = await openOciLayout(await vectorCopy());
    expect(await codeOf(() => readLayoutAttestations({ layout, subject, maxLayerBytes: 100 }))).toBe(
      'ERR_RESPONSE_TOO_LARGE',
    );
  });

  it('reads a consistently rebuilt layout, whose edited envelope then fails signature verification', async () => {
    const dir = await vectorCopy();
    const { index, entry, manifest, layer } = await firstAttestationLayer(dir);
    const envelope = JSON.parse(
      await readFile(join(dir, 'blobs', 'sha256', layer.digest.slice(7)), 'utf8'),
    ) as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Record<
      string,
      unknown
    >;
    envelope.payload = encodeBase64(json({ ...statement, extra: 'edited' }));
    const newLayer = await putBlob(dir, DSSE_ENVELOPE, json(envelope), {
      annotations: layer.annotations ?? {},
    });
    const newManifest = await putBlob(dir, OCI_MANIFEST, json({ ...manifest, layers: [newLayer] }), {
      annotations: entry.annotations ?? {},
    });
    index.manifests = index.manifests.map((m) => (m.digest === entry.digest ? newManifest : m));
    await writeFile(join(dir, 'index.json'), json(index));
    const layout = await openOciLayout(dir);
    const [att] = await readLayoutAttestations({ layout, subject });
    if (att === undefined) throw new Error('expected one attestation');
    const bundle = cosignLayerBundle({ content: { type: 'dsseEnvelope', envelope: att.envelope }, ...att });
    expect(
      await codeOf(() =>
        verifySigstoreBundle({
          bundle,
          artifact: { digest: subject },
          trustedRoot,
          identity,
          now: new Date(),
        }),
      ),
    ).toBe('ERR_SIGNATURE_INVALID');
  });
});

describe('malformed oci-layout and index.json', () => {
  it('names the bad field', async () => {
    const dir = await vectorCopy();
    await writeFile(join(dir, 'index.json'), 'not json');
    expect(await codeOf(() => openOciLayout(dir))).toBe('ERR_MALFORMED_JSON');
    await writeFile(
      join(dir, 'index.json'),
      json({ schemaVersion: 2, manifests: [{ mediaType: 'x', digest: 'sha256:../../etc', size: -1 }] }),
    );
    const e = parseErrorOf(() =>
      parseLayoutIndex(
        json({ schemaVersion: 2, manifests: [{ mediaType: 'x', digest: 'sha256:../../etc', size: -1 }] }),
      ),
    );
    expect(e.issues.map((i) => i.path)).toEqual(['manifests[0].digest', 'manifests[0].size']);
    expect(await codeOf(() => openOciLayout(dir))).toBe('ERR_MALFORMED_JSON');
    expect(
      parseErrorOf(() => parseLayoutIndex(json({ schemaVersion: 2, mediaType: OCI_MANIFEST, manifests: [] })))
        .issues[0]?.path,
    ).toBe('mediaType');
    expect(parseErrorOf(() => parseLayoutIndex(json({ manifests: [] }))).issues[0]?.path).toBe(
      'schemaVersion',
    );
    await writeFile(join(dir, 'oci-layout'), json({ imageLayoutVersion: '2.0.0' }));
    expect(await codeOf(() => openOciLayout(dir))).toBe('ERR_MALFORMED_JSON');
    expect(parseErrorOf(() => parseImageLayoutMarker(json({}))).issues[0]?.path).toBe('imageLayoutVersion');
    expect(parseErrorOf(() => parseImageLayoutMarker(json([]))).issues[0]?.path).toBe('oci-layout');
    expect(parseImageLayoutMarker(json({ imageLayoutVersion: '1.1.0' }))).toBe('1.1.0');
  });

  const INDEX = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      {
        mediaType: OCI_INDEX,
        size: 856,
        digest: D('a'),
        annotations: { kind: 'dev.cosignproject.cosign/imageIndex' },
      },
      {
        mediaType: OCI_MANIFEST,
        size: 1,
        digest: D('b'),
        annotations: { kind: 'dev.cosignproject.cosign/atts' },
      },
    ],
  };
  const replacements = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom(D('f'), 'sha256:', 2, -1, 1.5, '', [], {}, null),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.anything({ maxDepth: 1 }), { maxKeys: 2 }),
  );
  const bytesOf = (v: unknown) => (v === undefined ? new Uint8Array() : json(v));

  it('random bytes and JSON end in a value or a VouchError (property, 10,000 runs)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.anything({ maxDepth: 3 }).map(bytesOf)),
        (input) => {
          outcomeOf(() => parseLayoutIndex(input));
          outcomeOf(() => parseImageLayoutMarker(input));
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('mutated valid index.json and oci-layout end in a value or a VouchError (property, 10,000 runs)', () => {
    fc.assert(
      fc.property(mutatedJson([INDEX, { imageLayoutVersion: '1.0.0' }], replacements), (input) => {
        outcomeOf(() => parseLayoutIndex(bytesOf(input)));
        outcomeOf(() => parseImageLayoutMarker(bytesOf(input)));
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('layouts written by other tools: ref names and OCI 1.1 artifacts', () => {
  async function writeLayout(name: string) {
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'oci-layout'), json({ imageLayoutVersion: '1.0.0' }));
    const config = await putBlob(dir, 'application/vnd.oci.image.config.v1+json', json({}));
    const image = await putBlob(dir, OCI_MANIFEST, json({ schemaVersion: 2, config, layers: [] }));
    return { dir, config, image, subject: parseDigest(image.digest) };
  }
  const material = {
    'dev.sigstore.cosign/certificate': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    'dev.sigstore.cosign/bundle': JSON.stringify({ SignedEntryTimestamp: 'AA==', Payload: {} }),
    'dev.sigstore.cosign/rfc3161timestamp': '',
  };

  it('reads .sig and .att manifests named by ref name, and subject-bound cosign artifacts', async () => {
    const { dir, config, image, subject } = await writeLayout('refnames');
    const tag = `sha256-${subject.hex}`;
    const payload = json({ critical: { image: { 'docker-manifest-digest': subject.value } } });
    const sigLayer = await putBlob(dir, COSIGN_SIMPLESIGNING, payload, {
      annotations: { 'dev.cosignproject.cosign/signature': 'c2ln', ...material },
    });
    const sig = await putBlob(dir, OCI_MANIFEST, json({ schemaVersion: 2, config, layers: [sigLayer] }), {
      annotations: { 'org.opencontainers.image.ref.name': `registry.example/app:${tag}.sig` },
    });
    const attLayer = await putBlob(
      dir,
      DSSE_ENVELOPE,
      json({ payload: '', payloadType: 'x', signatures: [] }),
      {
        annotations: { predicateType: 'https://slsa.dev/provenance/v1' },
      },
    );
    const att = await putBlob(dir, OCI_MANIFEST, json({ schemaVersion: 2, config, layers: [attLayer] }), {
      annotations: { 'org.opencontainers.image.ref.name': `${tag}.att` },
    });
    const referrer = await putBlob(
      dir,
      OCI_MANIFEST,
      json({
        schemaVersion: 2,
        artifactType: COSIGN_ATTESTATION_ARTIFACT,
        config,
        layers: [attLayer],
        subject: image,
      }),
      { artifactType: COSIGN_ATTESTATION_ARTIFACT },
    );
    // Claims to be an attestation artifact, but its manifest refers to another image: not this image's.
    const stray = await putBlob(
      dir,
      OCI_MANIFEST,
      json({ schemaVersion: 2, config, layers: [attLayer], subject: { ...image, digest: D('c') } }),
      { artifactType: COSIGN_ATTESTATION_ARTIFACT },
    );
    // A `kind` annotation binds only in a cosign layout whose image is the subject.
    const unbound = await putBlob(
      dir,
      OCI_MANIFEST,
      json({ schemaVersion: 2, config, layers: [attLayer, attLayer] }),
      {
        annotations: { kind: 'dev.cosignproject.cosign/atts' },
      },
    );
    await writeFile(
      join(dir, 'index.json'),
      json({ schemaVersion: 2, manifests: [image, sig, att, referrer, stray, unbound] }),
    );
    const layout = await openOciLayout(dir);
    const sigs = await readLayoutSignatures({ layout, subject });
    expect(sigs).toHaveLength(1);
    expect(sigs[0]?.payload).toEqual(payload);
    expect(sigs[0]?.signature).toBe('c2ln');
    expect(sigs[0]?.certificate).toBe(material['dev.sigstore.cosign/certificate']);
    expect(sigs[0]?.rekorBundle).toEqual({ SignedEntryTimestamp: 'AA==', Payload: {} });
    expect(sigs[0]).not.toHaveProperty('rfc3161Timestamp');
    const atts = await readLayoutAttestations({ layout, subject });
    expect(atts).toHaveLength(2);
    expect(atts.map((a) => a.predicateType)).toEqual([
      'https://slsa.dev/provenance/v1',
      'https://slsa.dev/provenance/v1',
    ]);
  });

  it('refuses a malformed JSON annotation, naming it', async () => {
    const { dir, config, image, subject } = await writeLayout('bad-annotation');
    const attLayer = await putBlob(dir, DSSE_ENVELOPE, json({}), {
      annotations: { 'dev.sigstore.cosign/bundle': '{not json' },
    });
    const att = await putBlob(dir, OCI_MANIFEST, json({ schemaVersion: 2, config, layers: [attLayer] }), {
      annotations: { 'org.opencontainers.image.ref.name': `sha256-${subject.hex}.att` },
    });
    await writeFile(join(dir, 'index.json'), json({ schemaVersion: 2, manifests: [image, att] }));
    const layout = await openOciLayout(dir);
    const error = await readLayoutAttestations({ layout, subject }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_MALFORMED_JSON' });
    expect(String((error as Error).message)).toContain('dev.sigstore.cosign/bundle');
  });
});
