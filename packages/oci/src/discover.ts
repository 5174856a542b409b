// Discovering what refers to an image: the referrers API, else the OCI 1.1 fallback tag; and fetching Sigstore bundles.
import { type Digest, RegistryError } from '@vouch/core';
import {
  COSIGN_ATTESTATION_ARTIFACT,
  COSIGN_SIGNATURE_ARTIFACT,
  SIGSTORE_BUNDLE_MEDIA_TYPE,
} from './artifact-types.js';
import { readFallbackIndex } from './attach.js';
import type { RepositoryTarget } from './client.js';
import { type Descriptor, parseImageManifest } from './descriptor.js';
import type { ReferrersClient } from './referrers-client.js';

/** Largest bundle blob {@link fetchBundles} reads unless told otherwise (16 MiB). */
export const DEFAULT_MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

/** Options of {@link listReferrers}. */
export interface ListReferrersOptions {
  readonly client: ReferrersClient;
  readonly target: RepositoryTarget;
  readonly subject: Digest;
  /** Only referrers of this `artifactType` (filtered here too when the registry did not say it filtered). */
  readonly artifactType?: string;
  /** `auto` (default): the referrers API, the fallback tag on 404; `yes`: API only; `no`: fallback tag only. */
  readonly referrersApi?: 'auto' | 'yes' | 'no';
}

/** Where {@link listReferrers} found the list. */
export interface ReferrersList {
  readonly via: 'referrers-api' | 'fallback-tag';
  readonly descriptors: readonly Descriptor[];
}

/**
 * Lists the manifests that refer to `subject`: `GET /v2/<name>/referrers/<digest>?artifactType=…` when the registry has
 * the referrers API (a 404 means it has not), else the fallback index at tag `sha256-<hex>` (a missing tag is an empty
 * list). The list says what the registry claims; every manifest and blob read from it is checked against its digest.
 *
 * @throws RegistryError on registry failures (`ERR_REGISTRY_NOT_FOUND` with `referrersApi: 'yes'` on a registry
 * without the API); ParseError `ERR_MALFORMED_JSON` for a list that is not an image index.
 * @example
 * ```ts
 * const { descriptors } = await listReferrers({ client, target, subject: digest, artifactType: SIGSTORE_BUNDLE_V03 });
 * ```
 */
export async function listReferrers(options: ListReferrersOptions): Promise<ReferrersList> {
  const { client, target, subject, artifactType } = options;
  const mode = options.referrersApi ?? 'auto';
  const keep = (ds: readonly Descriptor[]) =>
    Object.freeze(artifactType === undefined ? [...ds] : ds.filter((d) => d.artifactType === artifactType));
  if (mode !== 'no') {
    const answer = await client.getReferrers({
      target,
      subject,
      ...(artifactType === undefined ? {} : { artifactType }),
    });
    if (answer.supported)
      return Object.freeze({ via: 'referrers-api', descriptors: keep(answer.index.manifests) });
    if (mode === 'yes') {
      throw new RegistryError(
        'ERR_REGISTRY_NOT_FOUND',
        `${target.registry}: expected the referrers API, found none (HTTP 404)`,
      );
    }
  }
  const { descriptors } = await readFallbackIndex({ client, target, subject });
  return Object.freeze({ via: 'fallback-tag', descriptors: keep(descriptors) });
}

/** One Sigstore bundle attached to an image. */
export interface AttachedBundle {
  /** The artifact manifest that holds it. */
  readonly manifestDigest: Digest;
  /** The bundle layer's media type (`application/vnd.dev.sigstore.bundle.v0.3+json`, …). */
  readonly mediaType: string;
  /** The manifest's annotations (`dev.sigstore.bundle.predicateType`, …): claims, not verified. */
  readonly annotations: Readonly<Record<string, string>>;
  /** The bundle's bytes, checked against the layer digest; not yet parsed or verified. */
  readonly bundle: Uint8Array;
}

/**
 * Fetches every Sigstore bundle attached to `subject`: the referrers (or fallback tag) whose `artifactType` is a Sigstore
 * bundle media type, each artifact manifest (checked against its digest, and skipped unless its `subject` is this
 * image), then its bundle layers (checked against their digests, at most `maxBundleBytes` each).
 *
 * @throws RegistryError `ERR_RESPONSE_TOO_LARGE` for a bundle over the bound; VerificationError `ERR_DIGEST_MISMATCH`
 * when a manifest or blob does not match its digest; ParseError `ERR_MALFORMED_JSON` for a malformed manifest.
 * @example
 * ```ts
 * for (const { manifestDigest, bundle } of await fetchBundles({ client, target, subject: digest })) {
 *   // parse and verify `bundle`
 * }
 * ```
 */
export async function fetchBundles(options: FetchAttachedOptions): Promise<readonly AttachedBundle[]> {
  return (await fetchAttached(options)).bundles;
}

/** Options of {@link fetchAttached} and {@link fetchBundles}. */
export interface FetchAttachedOptions {
  readonly client: ReferrersClient;
  readonly target: RepositoryTarget;
  readonly subject: Digest;
  readonly referrersApi?: 'auto' | 'yes' | 'no';
  readonly maxBundleBytes?: number;
}

/** What {@link fetchAttached} found with one referrers listing. */
export interface AttachedArtifacts {
  readonly bundles: readonly AttachedBundle[];
  /** cosign 2's OCI 1.1 signature and attestation referrers, listed but not read (see `readLegacySignatures`). */
  readonly cosignReferrers: readonly Descriptor[];
}

/**
 * Lists the referrers of `subject` once and fetches every Sigstore bundle among them (as {@link fetchBundles}); cosign
 * 2's OCI 1.1 signature and attestation referrers are returned as listed, to be read only when needed.
 *
 * @throws as {@link fetchBundles}
 * @example
 * ```ts
 * const { bundles, cosignReferrers } = await fetchAttached({ client, target, subject: digest });
 * ```
 */
export async function fetchAttached(options: FetchAttachedOptions): Promise<AttachedArtifacts> {
  const { client, target, subject } = options;
  const max = options.maxBundleBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  const { descriptors } = await listReferrers({
    client,
    target,
    subject,
    ...(options.referrersApi === undefined ? {} : { referrersApi: options.referrersApi }),
  });
  const out: AttachedBundle[] = [];
  const seen = new Set<string>();
  const cosignReferrers = descriptors.filter(
    (d) => d.artifactType === COSIGN_SIGNATURE_ARTIFACT || d.artifactType === COSIGN_ATTESTATION_ARTIFACT,
  );
  for (const d of descriptors) {
    if (d.artifactType === undefined || !SIGSTORE_BUNDLE_MEDIA_TYPE.test(d.artifactType)) continue;
    if (seen.has(d.digest.value)) continue;
    seen.add(d.digest.value);
    const manifest = parseImageManifest((await client.getManifest({ ...target, digest: d.digest })).json);
    // A list entry is only a claim: the manifest itself must say it refers to this image.
    if (manifest.subject?.digest.value !== subject.value) continue;
    for (const layer of manifest.layers) {
      if (!SIGSTORE_BUNDLE_MEDIA_TYPE.test(layer.mediaType)) continue;
      if (layer.size > max) {
        throw new RegistryError(
          'ERR_RESPONSE_TOO_LARGE',
          `bundle ${layer.digest.value} of ${d.digest.value}: expected at most ${max} bytes, found size ${layer.size}`,
        );
      }
      const bundle = await client.getBlob({
        target,
        digest: layer.digest,
        maxBytes: Math.max(layer.size, 1),
      });
      out.push(
        Object.freeze({
          manifestDigest: d.digest,
          mediaType: layer.mediaType,
          annotations: manifest.annotations ?? Object.freeze({}),
          bundle,
        }),
      );
    }
  }
  return Object.freeze({ bundles: Object.freeze(out), cosignReferrers: Object.freeze(cosignReferrers) });
}
