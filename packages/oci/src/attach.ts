// Attaching a Sigstore bundle to an image as cosign v3 does: an OCI artifact manifest whose `subject` is the image.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Digest,
  digestBytes,
  isObject,
  isVouchError,
  ParseError,
  parseJson,
  RegistryError,
  UsageError,
  utf8,
} from '@vouch/core';
import {
  ANNOTATION_BUNDLE_CONTENT,
  ANNOTATION_BUNDLE_PREDICATE_TYPE,
  ANNOTATION_CREATED,
  SIGSTORE_BUNDLE_V03,
} from './artifact-types.js';
import type { RepositoryTarget } from './client.js';
import { type Descriptor, descriptorJson, fallbackTag, parseImageIndex } from './descriptor.js';
import { OCI_EMPTY_JSON, OCI_INDEX, OCI_MANIFEST } from './media-types.js';
import type { ReferrersClient } from './referrers-client.js';

/** The manifest a bundle is attached to. */
export interface SubjectDescriptor {
  readonly digest: Digest;
  readonly mediaType: string;
  readonly size: number;
}

/** Options of {@link attachBundle}. */
export interface AttachBundleOptions {
  readonly client: ReferrersClient;
  readonly target: RepositoryTarget;
  readonly subject: SubjectDescriptor;
  /** The bundle's JSON bytes, stored as they are. */
  readonly bundle: Uint8Array;
  /** The in-toto predicate type of a DSSE bundle (annotated only on DSSE bundles, as cosign does). */
  readonly predicateType: string;
  /** `org.opencontainers.image.created` (default now). */
  readonly created?: Date;
  /**
   * `auto` (default): trust the registry's `OCI-Subject` answer, and maintain the fallback tag when it is missing;
   * `yes`: the registry has the referrers API, never write the tag; `no`: always maintain the tag.
   */
  readonly referrersApi?: 'auto' | 'yes' | 'no';
  /** Fallback tag updates: rounds of read-merge-write-check (default 8), and the wait before checking (default 25 ms). */
  readonly fallback?: { readonly maxAttempts?: number; readonly settleMs?: number };
}

/** What {@link attachBundle} did. */
export interface AttachResult {
  /** The artifact manifest. */
  readonly digest: Digest;
  readonly descriptor: Descriptor;
  readonly via: 'referrers-api' | 'fallback-tag';
}

const EMPTY_JSON = utf8('{}');

/** cosign's value of `dev.sigstore.bundle.content`: which of the bundle's content fields is present. */
function bundleContent(bundle: Uint8Array): 'dsse-envelope' | 'message-signature' {
  const json = parseJson(bundle, 'bundle', 'ERR_MALFORMED_BUNDLE');
  if (isObject(json) && isObject(json.dsseEnvelope)) return 'dsse-envelope';
  if (isObject(json) && isObject(json.messageSignature)) return 'message-signature';
  throw new ParseError('ERR_MALFORMED_BUNDLE', [
    { path: 'bundle', message: 'must hold a dsseEnvelope or a messageSignature' },
  ]);
}

/** RFC 3339 in UTC to the second, as cosign writes `org.opencontainers.image.created`. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Attaches a Sigstore bundle to `subject` in the layout cosign v3 writes: the bundle blob, the empty config `{}`, and an
 * OCI image manifest with `artifactType` = the bundle media type, `subject` = the image, and the annotations
 * `dev.sigstore.bundle.content`, `dev.sigstore.bundle.predicateType` and `org.opencontainers.image.created`, pushed by
 * digest. When the registry does not answer with `OCI-Subject` (no referrers API), the manifest is also listed in the
 * OCI 1.1 fallback index at tag `sha256-<hex>` (see {@link addToFallbackIndex}).
 *
 * @throws ParseError `ERR_MALFORMED_BUNDLE` when `bundle` is not a bundle JSON; RegistryError when the registry refuses.
 * @example
 * ```ts
 * const { digest, via } = await attachBundle({
 *   client, target: { registry: '127.0.0.1:5000', repository: 'app' },
 *   subject: { digest: imageDigest, mediaType: OCI_MANIFEST, size: 528 },
 *   bundle: bundleBytes, predicateType: 'https://sigstore.dev/cosign/sign/v1',
 * });
 * ```
 */
export async function attachBundle(options: AttachBundleOptions): Promise<AttachResult> {
  const { client, target, subject, bundle, predicateType } = options;
  const content = bundleContent(bundle);
  if (content === 'dsse-envelope' && predicateType === '') {
    throw new UsageError(
      'ERR_USAGE',
      'attachBundle: predicateType must name the statement predicate, found ""',
    );
  }
  const bundleDigest = await client.putBlob({ target, bytes: bundle });
  const configDigest = await client.putBlob({ target, bytes: EMPTY_JSON });
  const annotations: Record<string, string> = {
    [ANNOTATION_CREATED]: rfc3339(options.created ?? new Date()),
    [ANNOTATION_BUNDLE_CONTENT]: content,
    ...(content === 'dsse-envelope' ? { [ANNOTATION_BUNDLE_PREDICATE_TYPE]: predicateType } : {}),
  };
  const manifest = utf8(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: SIGSTORE_BUNDLE_V03,
      config: { mediaType: OCI_EMPTY_JSON, digest: configDigest.value, size: EMPTY_JSON.byteLength },
      layers: [{ mediaType: SIGSTORE_BUNDLE_V03, digest: bundleDigest.value, size: bundle.byteLength }],
      subject: { mediaType: subject.mediaType, digest: subject.digest.value, size: subject.size },
      annotations,
    }),
  );
  const digest = digestBytes('sha256', manifest);
  const put = await putArtifactManifest({ client, target, manifest, digest, blobs: [bundle, EMPTY_JSON] });
  const descriptor: Descriptor = Object.freeze({
    mediaType: OCI_MANIFEST,
    digest,
    size: manifest.byteLength,
    artifactType: SIGSTORE_BUNDLE_V03,
    annotations: Object.freeze(annotations),
  });
  const mode = options.referrersApi ?? 'auto';
  const processed = put.ociSubject?.value === subject.digest.value;
  if (mode === 'yes' || (mode === 'auto' && processed)) {
    return Object.freeze({ digest, descriptor, via: 'referrers-api' });
  }
  await addToFallbackIndex({
    client,
    target,
    subject: subject.digest,
    entry: descriptor,
    ...(options.fallback === undefined ? {} : options.fallback),
  });
  return Object.freeze({ digest, descriptor, via: 'fallback-tag' });
}

/**
 * Pushes the artifact manifest by digest. Distribution 2.8 can briefly lose track of a blob while concurrent uploads of
 * the same digest (the shared empty config) commit, and then refuses the manifest with MANIFEST_BLOB_UNKNOWN: the blobs
 * are pushed again and the manifest retried, a few times.
 */
async function putArtifactManifest(options: {
  readonly client: ReferrersClient;
  readonly target: RepositoryTarget;
  readonly manifest: Uint8Array;
  readonly digest: Digest;
  readonly blobs: readonly Uint8Array[];
}) {
  const { client, target, manifest, digest } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.putManifestWithSubject({
        target,
        reference: digest.value,
        bytes: manifest,
        mediaType: OCI_MANIFEST,
      });
    } catch (error) {
      const blobUnknown =
        isVouchError(error) &&
        error.code === 'ERR_REGISTRY' &&
        error.message.includes('MANIFEST_BLOB_UNKNOWN');
      if (!blobUnknown || attempt >= 3) throw error;
      await sleep(20 * (attempt + 1));
      for (const bytes of options.blobs) await client.putBlob({ target, bytes });
    }
  }
}

/** Fallback-tag updates in flight per client and tag: writers in one process take turns and so never race. */
const queues = new WeakMap<object, Map<string, Promise<unknown>>>();

async function serialized<T>(client: object, key: string, run: () => Promise<T>): Promise<T> {
  let perClient = queues.get(client);
  if (perClient === undefined) {
    perClient = new Map();
    queues.set(client, perClient);
  }
  const previous = perClient.get(key) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(run);
  perClient.set(key, mine);
  try {
    return await mine;
  } finally {
    if (perClient.get(key) === mine) perClient.delete(key);
  }
}

/**
 * The fallback index at tag `sha256-<hex>` as raw entries (the JSON objects, kept as found) and parsed descriptors;
 * a missing tag is an empty index.
 *
 * @throws ParseError `ERR_MALFORMED_JSON` when the tag holds something that is not an image index.
 * @example
 * ```ts
 * const { descriptors } = await readFallbackIndex({ client, target, subject: imageDigest });
 * ```
 */
export async function readFallbackIndex(options: {
  readonly client: ReferrersClient;
  readonly target: RepositoryTarget;
  readonly subject: Digest;
}): Promise<{ readonly raw: readonly unknown[]; readonly descriptors: readonly Descriptor[] }> {
  const { client, target, subject } = options;
  try {
    const manifest = await client.getManifest({ ...target, tag: fallbackTag(subject) });
    const index = parseImageIndex(manifest.json);
    const raw =
      isObject(manifest.json) && Array.isArray(manifest.json.manifests) ? manifest.json.manifests : [];
    return { raw, descriptors: index.manifests };
  } catch (error) {
    if (isVouchError(error) && error.code === 'ERR_REGISTRY_NOT_FOUND') return { raw: [], descriptors: [] };
    throw error;
  }
}

/**
 * Adds `entry` to the OCI 1.1 referrers fallback index at tag `sha256-<hex>` of `subject`: read (a missing tag is empty),
 * merge (deduplicated by digest, existing entries kept as found), write, then re-read after `settleMs` and start over
 * when a concurrent writer's stale index replaced ours, at most `maxAttempts` rounds. Writers sharing a client take
 * turns. Writers in other processes are detected by the re-read; distribution has no conditional PUT, so a writer
 * that read before our write and writes after our last check can still drop our entry: that window is what
 * `settleMs` narrows.
 *
 * @throws RegistryError `ERR_REGISTRY` when the entry is still missing after `maxAttempts` rounds.
 * @example
 * ```ts
 * await addToFallbackIndex({ client, target, subject: imageDigest, entry: artifactDescriptor });
 * ```
 */
export async function addToFallbackIndex(options: {
  readonly client: ReferrersClient;
  readonly target: RepositoryTarget;
  readonly subject: Digest;
  readonly entry: Descriptor;
  readonly maxAttempts?: number;
  readonly settleMs?: number;
}): Promise<void> {
  const { client, target, subject, entry } = options;
  const tag = fallbackTag(subject);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const settleMs = Math.max(0, options.settleMs ?? 25);
  const has = (ds: readonly Descriptor[]) => ds.some((d) => d.digest.value === entry.digest.value);
  await serialized(client, `${target.registry}/${target.repository}:${tag}`, async () => {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const current = await readFallbackIndex({ client, target, subject });
      if (!has(current.descriptors)) {
        const bytes = utf8(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_INDEX,
            manifests: [...current.raw, descriptorJson(entry)],
          }),
        );
        await client.putManifest({ target, reference: tag, bytes, mediaType: OCI_INDEX });
      }
      // Jitter keeps concurrent writers from re-reading, and so overwriting each other, in lockstep.
      await sleep(settleMs + Math.floor(Math.random() * (settleMs + 10) * (attempt + 1)));
      if (has((await readFallbackIndex({ client, target, subject })).descriptors)) return;
    }
    throw new RegistryError(
      'ERR_REGISTRY',
      `fallback tag ${tag} in ${target.repository}: expected it to list ${entry.digest.value}, found it missing after ${maxAttempts} attempts`,
    );
  });
}
