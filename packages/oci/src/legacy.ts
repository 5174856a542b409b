// Reading cosign's legacy layouts: signatures at tag `sha256-<hex>.sig`, DSSE attestations at `sha256-<hex>.att`.
import { type Digest, deepFreeze, isVouchError, parseJson, RegistryError } from '@vouch/core';
import {
  ANNOTATION_COSIGN_BUNDLE,
  ANNOTATION_COSIGN_CERTIFICATE,
  ANNOTATION_COSIGN_CHAIN,
  ANNOTATION_COSIGN_SIGNATURE,
  ANNOTATION_COSIGN_TIMESTAMP,
  ANNOTATION_PREDICATE_TYPE,
  COSIGN_ATTESTATION_ARTIFACT,
  COSIGN_SIGNATURE_ARTIFACT,
  COSIGN_SIMPLESIGNING,
  DSSE_ENVELOPE,
} from './artifact-types.js';
import type { RegistryClient, RepositoryTarget } from './client.js';
import { type Descriptor, fallbackTag, type ImageManifest, parseImageManifest } from './descriptor.js';
import { DEFAULT_MAX_BUNDLE_BYTES } from './discover.js';

/** One signature from a cosign `.sig` tag: the simple-signing payload and the layer's annotations. Not yet verified. */
export interface LegacySignature {
  /** The simple-signing payload blob, checked against its layer digest. */
  readonly payload: Uint8Array;
  /** Base64 signature over `payload` (`dev.cosignproject.cosign/signature`). */
  readonly signature: string;
  /** PEM signing certificate (keyless). */
  readonly certificate?: string;
  /** PEM chain up to the root (keyless). */
  readonly chain?: string;
  /** Rekor bundle JSON: `{ SignedEntryTimestamp, Payload: { body, integratedTime, logIndex, logID } }`. */
  readonly rekorBundle?: unknown;
  /** RFC 3161 timestamp JSON: `{ SignedRFC3161Timestamp }`. */
  readonly rfc3161Timestamp?: unknown;
}

/** One attestation from a cosign `.att` tag. Not yet verified. */
export interface LegacyAttestation {
  /** The DSSE envelope JSON bytes, checked against the layer digest. */
  readonly envelope: Uint8Array;
  /** The layer's `predicateType` annotation: a claim, to be checked against the verified statement. */
  readonly predicateType?: string;
  readonly certificate?: string;
  readonly chain?: string;
  readonly rekorBundle?: unknown;
  readonly rfc3161Timestamp?: unknown;
}

/** Options of {@link readLegacySignatures} and {@link readLegacyAttestations}. */
export interface LegacyReadOptions {
  readonly client: RegistryClient;
  /** The image's repository. */
  readonly target: RepositoryTarget;
  /** The signed manifest's digest. */
  readonly subject: Digest;
  /** Where the tags live when not next to the image (cosign's `COSIGN_REPOSITORY`). */
  readonly repository?: RepositoryTarget;
  /** Largest payload or envelope read (default 16 MiB). */
  readonly maxLayerBytes?: number;
  /**
   * Referrers of `subject` already listed (see `fetchAttached`): those whose `artifactType` is cosign 2's OCI 1.1
   * signature or attestation artifact are read too, with the same layers as the tags. Default: none.
   */
  readonly referrers?: readonly Descriptor[];
  /** Read the `sha256-<hex>.sig`/`.att` tag (default true); false reads only `referrers`. */
  readonly tag?: boolean;
}

/**
 * The tag cosign stores legacy signatures (`.sig`) or attestations (`.att`) under for a digest.
 *
 * @example
 * ```ts
 * legacyTag(digest, 'sig'); // 'sha256-<hex>.sig'
 * ```
 */
export function legacyTag(subject: Digest, kind: 'sig' | 'att'): string {
  return `${fallbackTag(subject)}.${kind}`;
}

async function readTag(
  options: LegacyReadOptions,
  kind: 'sig' | 'att',
): Promise<{ where: RepositoryTarget; manifest: ImageManifest } | undefined> {
  const where = options.repository ?? options.target;
  try {
    const got = await options.client.getManifest({ ...where, tag: legacyTag(options.subject, kind) });
    return { where, manifest: parseImageManifest(got.json) };
  } catch (error) {
    if (isVouchError(error) && error.code === 'ERR_REGISTRY_NOT_FOUND') return undefined;
    throw error;
  }
}

/** The manifests holding cosign's layers of `kind`: the legacy tag's, then cosign 2's OCI 1.1 referrers of that kind. */
async function legacyManifests(
  options: LegacyReadOptions,
  kind: 'sig' | 'att',
): Promise<{ where: RepositoryTarget; manifest: ImageManifest }[]> {
  const found = options.tag === false ? undefined : await readTag(options, kind);
  const out = found === undefined ? [] : [found];
  const where = options.repository ?? options.target;
  const artifactType = kind === 'sig' ? COSIGN_SIGNATURE_ARTIFACT : COSIGN_ATTESTATION_ARTIFACT;
  for (const d of options.referrers ?? []) {
    if (d.artifactType !== artifactType) continue;
    const manifest = parseImageManifest(
      (await options.client.getManifest({ ...where, digest: d.digest })).json,
    );
    // A list entry is only a claim: the manifest itself must say it refers to this image.
    if (manifest.subject?.digest.value === options.subject.value) out.push({ where, manifest });
  }
  return out;
}

async function layerBytes(options: LegacyReadOptions, where: RepositoryTarget, layer: Descriptor) {
  const max = options.maxLayerBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  if (layer.size > max) {
    throw new RegistryError(
      'ERR_RESPONSE_TOO_LARGE',
      `layer ${layer.digest.value}: expected at most ${max} bytes, found size ${layer.size}`,
    );
  }
  return options.client.getBlob({ target: where, digest: layer.digest, maxBytes: Math.max(layer.size, 1) });
}

/**
 * The keyless and transparency material cosign puts on a `.sig`/`.att` layer (certificate, chain, Rekor bundle,
 * RFC 3161 timestamp); JSON annotations are parsed, nothing is trusted. Empty annotations count as absent.
 *
 * @throws ParseError `ERR_MALFORMED_JSON` naming the annotation.
 * @example
 * ```ts
 * const { certificate, rekorBundle } = cosignLayerMaterial(layer, 'layers[0]');
 * ```
 */
export function cosignLayerMaterial(
  layer: Descriptor,
  path: string,
): {
  readonly certificate?: string;
  readonly chain?: string;
  readonly rekorBundle?: unknown;
  readonly rfc3161Timestamp?: unknown;
} {
  const a = layer.annotations ?? {};
  const text = (key: string) => {
    const v = a[key];
    return v === undefined || v === '' ? undefined : v;
  };
  const json = (key: string) => {
    const v = text(key);
    return v === undefined ? undefined : deepFreeze(parseJson(v, `${path}.annotations["${key}"]`));
  };
  const certificate = text(ANNOTATION_COSIGN_CERTIFICATE);
  const chain = text(ANNOTATION_COSIGN_CHAIN);
  const rekorBundle = json(ANNOTATION_COSIGN_BUNDLE);
  const rfc3161Timestamp = json(ANNOTATION_COSIGN_TIMESTAMP);
  return {
    ...(certificate === undefined ? {} : { certificate }),
    ...(chain === undefined ? {} : { chain }),
    ...(rekorBundle === undefined ? {} : { rekorBundle }),
    ...(rfc3161Timestamp === undefined ? {} : { rfc3161Timestamp }),
  };
}

/**
 * Reads cosign's legacy signatures for `subject`: the manifest at tag `sha256-<hex>.sig` (OCI or Docker), and cosign 2's
 * OCI 1.1 signature referrers given, whose simple-signing layers each carry one signature in annotations. A missing tag is no signatures; layers of other media
 * types or without a signature annotation are skipped. Payloads are checked against their digests, nothing is verified.
 *
 * @throws ParseError `ERR_MALFORMED_JSON` for a malformed manifest or JSON annotation; VerificationError
 * `ERR_DIGEST_MISMATCH`; RegistryError as the client.
 * @example
 * ```ts
 * const sigs = await readLegacySignatures({ client, target, subject: digest });
 * sigs[0]?.signature; // base64
 * ```
 */
export async function readLegacySignatures(options: LegacyReadOptions): Promise<readonly LegacySignature[]> {
  const out: LegacySignature[] = [];
  for (const found of await legacyManifests(options, 'sig')) {
    for (const [i, layer] of found.manifest.layers.entries()) {
      const signature = layer.annotations?.[ANNOTATION_COSIGN_SIGNATURE];
      if (layer.mediaType !== COSIGN_SIMPLESIGNING || signature === undefined || signature === '') continue;
      const extra = cosignLayerMaterial(layer, `layers[${i}]`);
      const payload = await layerBytes(options, found.where, layer);
      out.push(Object.freeze({ payload, signature, ...extra }));
    }
  }
  return Object.freeze(out);
}

/**
 * Reads cosign's legacy attestations for `subject`: the DSSE envelope layers of the manifest at tag
 * `sha256-<hex>.att` (and of cosign 2's OCI 1.1 attestation referrers given), with their `predicateType` annotation.
 * A missing tag is no attestations.
 *
 * @throws as {@link readLegacySignatures}.
 * @example
 * ```ts
 * const atts = await readLegacyAttestations({ client, target, subject: digest, repository: signaturesRepo });
 * ```
 */
export async function readLegacyAttestations(
  options: LegacyReadOptions,
): Promise<readonly LegacyAttestation[]> {
  const out: LegacyAttestation[] = [];
  for (const found of await legacyManifests(options, 'att')) {
    for (const [i, layer] of found.manifest.layers.entries()) {
      if (layer.mediaType !== DSSE_ENVELOPE) continue;
      const predicateType = layer.annotations?.[ANNOTATION_PREDICATE_TYPE];
      const extra = cosignLayerMaterial(layer, `layers[${i}]`);
      const envelope = await layerBytes(options, found.where, layer);
      out.push(
        Object.freeze({ envelope, ...(predicateType === undefined ? {} : { predicateType }), ...extra }),
      );
    }
  }
  return Object.freeze(out);
}
