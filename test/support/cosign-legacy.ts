// Test-only writers of cosign's legacy layouts (`sha256-<hex>.sig` / `.att` tags), so the product's readers are tested
// against artifacts really pushed to a registry; the product itself never writes these layouts.
import { createHash } from 'node:crypto';
import { parseDigest } from '@vouch/core';
import {
  addToFallbackIndex,
  type Descriptor,
  descriptorJson,
  parseDescriptor,
  type ReferrersClient,
  type RegistryClient,
  type RepositoryTarget,
} from '../../packages/oci/src/index.js';

const SIMPLESIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const DSSE = 'application/vnd.dsse.envelope.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';

/** One `.sig` layer as cosign writes it; JSON annotations are given as the exact strings cosign would store. */
export interface LegacySignatureLayer {
  readonly payload: Uint8Array;
  readonly signature: string;
  readonly certificate?: string;
  readonly chain?: string;
  /** `{"SignedEntryTimestamp":…,"Payload":{"body":…,"integratedTime":…,"logIndex":…,"logID":…}}` */
  readonly rekorBundle?: string;
  /** `{"SignedRFC3161Timestamp":…}` */
  readonly rfc3161Timestamp?: string;
}

/** One `.att` layer as cosign writes it. */
export interface LegacyAttestationLayer {
  readonly envelope: Uint8Array;
  readonly predicateType: string;
  readonly certificate?: string;
  readonly chain?: string;
  readonly rekorBundle?: string;
  readonly rfc3161Timestamp?: string;
}

interface Layer {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
  readonly annotations: Record<string, string>;
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function tagFor(subject: string, kind: 'sig' | 'att'): string {
  return `${subject.replace(':', '-')}.${kind}`;
}

/** Pushes layers, a config as go-containerregistry's empty image makes it, and the manifest under `tag`. */
async function pushImage(options: {
  client: RegistryClient;
  target: RepositoryTarget;
  tag?: string;
  layers: readonly Layer[];
  docker?: boolean;
  /** cosign 2's OCI 1.1 mode: the manifest's `artifactType` and `subject`; pushed by digest when `tag` is absent. */
  referrer?: { artifactType: string; subject: Descriptor };
}): Promise<string> {
  const { client, target, layers } = options;
  const descriptors = [];
  for (const layer of layers) {
    const digest = await client.putBlob({ target, bytes: layer.bytes });
    descriptors.push({
      mediaType: layer.mediaType,
      size: layer.bytes.byteLength,
      digest: digest.value,
      annotations: layer.annotations,
    });
  }
  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l.bytes)) },
      config: {},
    }),
  );
  const configDigest = await client.putBlob({ target, bytes: config });
  const mediaType = options.docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const referrer = options.referrer;
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      ...(referrer === undefined ? {} : { artifactType: referrer.artifactType }),
      config: {
        mediaType: options.docker ? DOCKER_CONFIG : OCI_CONFIG,
        size: config.byteLength,
        digest: configDigest.value,
      },
      layers: descriptors,
      ...(referrer === undefined ? {} : { subject: descriptorJson(referrer.subject) }),
    }),
  );
  const reference = options.tag ?? sha256(manifest);
  return (await client.putManifest({ target, reference, bytes: manifest, mediaType })).value;
}

/**
 * Writes cosign's legacy signature layout for `subject` (a digest string) at tag `sha256-<hex>.sig` in `target`.
 *
 * @example
 * await writeLegacySignature({ client, target, subject: digest.value, layers: [{ payload, signature }] });
 */
export function writeLegacySignature(options: {
  client: RegistryClient;
  target: RepositoryTarget;
  subject: string;
  layers: readonly LegacySignatureLayer[];
  docker?: boolean;
}): Promise<string> {
  return pushImage({
    client: options.client,
    target: options.target,
    tag: tagFor(options.subject, 'sig'),
    layers: signatureLayers(options.layers),
    ...(options.docker === undefined ? {} : { docker: options.docker }),
  });
}

function signatureLayers(layers: readonly LegacySignatureLayer[]): Layer[] {
  return layers.map((l) => ({
    bytes: l.payload,
    mediaType: SIMPLESIGNING,
    annotations: {
      'dev.cosignproject.cosign/signature': l.signature,
      ...(l.certificate === undefined ? {} : { 'dev.sigstore.cosign/certificate': l.certificate }),
      ...(l.chain === undefined ? {} : { 'dev.sigstore.cosign/chain': l.chain }),
      ...(l.rekorBundle === undefined ? {} : { 'dev.sigstore.cosign/bundle': l.rekorBundle }),
      ...(l.rfc3161Timestamp === undefined
        ? {}
        : { 'dev.sigstore.cosign/rfc3161timestamp': l.rfc3161Timestamp }),
    },
  }));
}

/**
 * Writes cosign's legacy attestation layout for `subject` at tag `sha256-<hex>.att`: DSSE layers with an empty
 * signature annotation (the signatures are inside the envelope) and `predicateType`.
 *
 * @example
 * await writeLegacyAttestation({ client, target, subject: digest.value, layers: [{ envelope, predicateType }] });
 */
export function writeLegacyAttestation(options: {
  client: RegistryClient;
  target: RepositoryTarget;
  subject: string;
  layers: readonly LegacyAttestationLayer[];
}): Promise<string> {
  return pushImage({
    client: options.client,
    target: options.target,
    tag: tagFor(options.subject, 'att'),
    layers: attestationLayers(options.layers),
  });
}

function attestationLayers(layers: readonly LegacyAttestationLayer[]): Layer[] {
  return layers.map((l) => ({
    bytes: l.envelope,
    mediaType: DSSE,
    annotations: {
      'dev.cosignproject.cosign/signature': '',
      predicateType: l.predicateType,
      ...(l.certificate === undefined ? {} : { 'dev.sigstore.cosign/certificate': l.certificate }),
      ...(l.chain === undefined ? {} : { 'dev.sigstore.cosign/chain': l.chain }),
      ...(l.rekorBundle === undefined ? {} : { 'dev.sigstore.cosign/bundle': l.rekorBundle }),
      ...(l.rfc3161Timestamp === undefined
        ? {}
        : { 'dev.sigstore.cosign/rfc3161timestamp': l.rfc3161Timestamp }),
    },
  }));
}

/** The tlog entry fields a keyless bundle carries, as the product's keyless signer writes them. */
interface BundleTlogEntry {
  readonly logIndex?: string;
  readonly logId?: { readonly keyId: string };
  readonly integratedTime?: string;
  readonly inclusionPromise?: { readonly signedEntryTimestamp: string };
  readonly canonicalizedBody?: string;
}

/**
 * The annotations cosign would have stored for what a keyless bundle holds: the certificate, the Rekor bundle made from
 * the first log entry (`SignedEntryTimestamp`, `Payload.{body,integratedTime,logIndex,logID}` with a hex log id) and
 * the first RFC 3161 timestamp.
 *
 * @example
 * const { bundle, certificate } = await signArtifactKeyless({ artifact: payload, keyless });
 * const layer = { payload, signature: bundle.messageSignature.signature, ...cosignAnnotationsFromBundle(bundle, certificate) };
 */
export function cosignAnnotationsFromBundle(
  bundle: {
    readonly verificationMaterial: {
      readonly tlogEntries: readonly BundleTlogEntry[];
      readonly timestampVerificationData: {
        readonly rfc3161Timestamps: readonly { readonly signedTimestamp: string }[];
      };
    };
  },
  certificate: string,
): { certificate: string; rekorBundle?: string; rfc3161Timestamp?: string } {
  const entry = bundle.verificationMaterial.tlogEntries[0];
  const timestamp = bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0];
  const rekorBundle =
    entry?.inclusionPromise === undefined
      ? undefined
      : JSON.stringify({
          SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
          Payload: {
            body: entry.canonicalizedBody,
            integratedTime: Number(entry.integratedTime),
            logIndex: Number(entry.logIndex),
            logID: Buffer.from(entry.logId?.keyId ?? '', 'base64').toString('hex'),
          },
        });
  return {
    certificate,
    ...(rekorBundle === undefined ? {} : { rekorBundle }),
    ...(timestamp === undefined
      ? {}
      : { rfc3161Timestamp: JSON.stringify({ SignedRFC3161Timestamp: timestamp.signedTimestamp }) }),
  };
}

/**
 * Writes cosign 2's OCI 1.1 referrer (`--registry-referrers-mode=oci-1-1`): a manifest with `artifactType`
 * `application/vnd.dev.cosign.artifact.{sig,att}.v1+json` and `subject`, holding the same layers as the legacy tags,
 * pushed by digest and listed in the fallback index (distribution 2.8 has no referrers API).
 *
 * @example
 * await writeCosignReferrer({ client, target, subject, kind: 'sig', signatures: [{ payload, signature }] });
 */
export async function writeCosignReferrer(options: {
  client: ReferrersClient;
  target: RepositoryTarget;
  subject: Descriptor;
  kind: 'sig' | 'att';
  signatures?: readonly LegacySignatureLayer[];
  attestations?: readonly LegacyAttestationLayer[];
}): Promise<string> {
  const layers = [
    ...signatureLayers(options.signatures ?? []),
    ...attestationLayers(options.attestations ?? []),
  ];
  const artifactType = `application/vnd.dev.cosign.artifact.${options.kind}.v1+json`;
  const digest = await pushImage({
    client: options.client,
    target: options.target,
    layers,
    referrer: { artifactType, subject: options.subject },
  });
  const manifest = await options.client.getManifest({ ...options.target, digest: parseDigest(digest) });
  await addToFallbackIndex({
    client: options.client,
    target: options.target,
    subject: options.subject.digest,
    entry: parseDescriptor({
      mediaType: OCI_MANIFEST,
      digest,
      size: manifest.bytes.byteLength,
      artifactType,
    }),
  });
  return digest;
}
