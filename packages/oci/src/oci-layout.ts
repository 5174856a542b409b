// OCI image layout directories (`cosign save`, `oci-layout:DIR@sha256:…`): index, digest-checked blobs, cosign's layers.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Digest,
  describeJson as describe,
  digestBytes,
  IssueCollector,
  isObject,
  parseJson,
  VerificationError,
  VouchError,
} from '@vouch/core';
import {
  ANNOTATION_COSIGN_SIGNATURE,
  ANNOTATION_PREDICATE_TYPE,
  COSIGN_ATTESTATION_ARTIFACT,
  COSIGN_SIGNATURE_ARTIFACT,
  COSIGN_SIMPLESIGNING,
  DSSE_ENVELOPE,
} from './artifact-types.js';
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  parseImageIndex,
  parseImageManifest,
} from './descriptor.js';
import { DEFAULT_MAX_BUNDLE_BYTES } from './discover.js';
import { cosignLayerMaterial, type LegacyAttestation, type LegacySignature } from './legacy.js';
import { DOCKER_MANIFEST_LIST, OCI_INDEX } from './media-types.js';

/** The annotation `cosign save` puts on each `index.json` entry to say what it is. */
export const LAYOUT_KIND_ANNOTATION = 'kind';
export const LAYOUT_KIND_IMAGE = 'dev.cosignproject.cosign/image';
export const LAYOUT_KIND_IMAGE_INDEX = 'dev.cosignproject.cosign/imageIndex';
export const LAYOUT_KIND_SIGNATURES = 'dev.cosignproject.cosign/sigs';
export const LAYOUT_KIND_ATTESTATIONS = 'dev.cosignproject.cosign/atts';
/** The image-spec annotation naming an `index.json` entry (a tag such as `sha256-<hex>.att`, or a full reference). */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

/** Largest `index.json` read (default 4 MiB). */
export const DEFAULT_MAX_LAYOUT_INDEX_BYTES = 4 * 1024 * 1024;
/** Largest manifest or index blob read from a layout (default 4 MiB, as a registry manifest). */
export const DEFAULT_MAX_LAYOUT_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_MARKER_BYTES = 64 * 1024;

/** An opened OCI image layout: its version and parsed `index.json`. Blobs are read on demand and checked. */
export interface OciLayout {
  readonly dir: string;
  /** `imageLayoutVersion` of the `oci-layout` file (`1.x.y`). */
  readonly imageLayoutVersion: string;
  /** `index.json`: the layout's top-level manifests and indexes, with their annotations. */
  readonly index: ImageIndex;
}

/** Options of {@link openOciLayout}. */
export interface OpenOciLayoutOptions {
  /** Largest `index.json` read (default {@link DEFAULT_MAX_LAYOUT_INDEX_BYTES}). */
  readonly maxIndexBytes?: number;
}

function ioError(action: string, path: string, cause: unknown): VouchError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new VouchError('ERR_IO', `could not ${action} ${path} (${reason})`, { cause });
}

/** Reads a regular file of at most `max` bytes; `expected` (a descriptor's size) must match exactly when given. */
async function readBounded(path: string, max: number, expected?: number): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioError('open', path, e);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new VouchError('ERR_IO', `${path}: expected a regular file`);
    if (expected !== undefined && info.size !== expected) {
      throw new VerificationError(
        'ERR_DIGEST_MISMATCH',
        `${path}: expected ${expected} bytes (descriptor size), found ${info.size}`,
      );
    }
    if (info.size > max) {
      throw new VouchError(
        'ERR_RESPONSE_TOO_LARGE',
        `${path}: expected at most ${max} bytes, found ${info.size}`,
      );
    }
    // Read one byte past the limit so a file growing after stat() is still caught.
    const buffer = new Uint8Array(Math.min(info.size, max) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > max || (expected !== undefined && length !== expected)) {
      throw new VerificationError('ERR_DIGEST_MISMATCH', `${path}: changed size while being read`);
    }
    return buffer.slice(0, length);
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw ioError('read', path, e);
  } finally {
    await handle.close();
  }
}

/**
 * Parses the `oci-layout` marker file: a JSON object whose `imageLayoutVersion` is a `1.x.y` version.
 *
 * @throws ParseError `ERR_MALFORMED_JSON` naming `imageLayoutVersion`.
 * @example
 * ```ts
 * parseImageLayoutMarker(utf8('{"imageLayoutVersion":"1.0.0"}')); // '1.0.0'
 * ```
 */
export function parseImageLayoutMarker(bytes: Uint8Array): string {
  const value = parseJson(bytes, 'oci-layout');
  const issues = new IssueCollector();
  if (!isObject(value)) {
    issues.add('oci-layout', `must be a JSON object, found ${describe(value)}`);
    issues.throwIfAny('ERR_MALFORMED_JSON');
    throw new Error('unreachable');
  }
  const version = issues.string(value, 'imageLayoutVersion', '');
  if (version !== undefined && !/^1\.\d{1,9}\.\d{1,9}$/.test(version)) {
    issues.add('imageLayoutVersion', `must be a 1.x.y version, found ${describe(version)}`);
  }
  issues.throwIfAny('ERR_MALFORMED_JSON');
  return version ?? '';
}

/**
 * Parses a layout's `index.json`: an image index (`schemaVersion` 2, `manifests`) whose `mediaType`, when present,
 * is the OCI index type.
 *
 * @throws ParseError `ERR_MALFORMED_JSON` listing every bad path (`manifests[1].digest`).
 * @example
 * ```ts
 * parseLayoutIndex(await readFile(join(dir, 'index.json'))).manifests.length;
 * ```
 */
export function parseLayoutIndex(bytes: Uint8Array): ImageIndex {
  const index = parseImageIndex(parseJson(bytes, 'index.json'));
  if (index.mediaType !== undefined && index.mediaType !== OCI_INDEX) {
    const issues = new IssueCollector();
    issues.add('mediaType', `must be ${OCI_INDEX}, found ${describe(index.mediaType)}`);
    issues.throwIfAny('ERR_MALFORMED_JSON');
  }
  return index;
}

/**
 * Opens an OCI image layout directory: reads and validates `oci-layout` and `index.json`. Nothing under `blobs/` is
 * read yet; see {@link readLayoutBlob}.
 *
 * @throws VouchError `ERR_IO` (missing or unreadable file), `ERR_RESPONSE_TOO_LARGE`; ParseError
 * `ERR_MALFORMED_JSON` naming the bad field.
 * @example
 * ```ts
 * const layout = await openOciLayout('./image-layout');
 * layout.index.manifests.map((d) => d.annotations?.kind);
 * ```
 */
export async function openOciLayout(dir: string, options: OpenOciLayoutOptions = {}): Promise<OciLayout> {
  const imageLayoutVersion = parseImageLayoutMarker(
    await readBounded(join(dir, 'oci-layout'), MAX_MARKER_BYTES),
  );
  const index = parseLayoutIndex(
    await readBounded(join(dir, 'index.json'), options.maxIndexBytes ?? DEFAULT_MAX_LAYOUT_INDEX_BYTES),
  );
  return Object.freeze({ dir, imageLayoutVersion, index });
}

/**
 * Reads the blob a descriptor names from `blobs/<alg>/<hex>` (the path built from the parsed digest, never from a
 * file name), refusing more than `maxBytes`, and checks its size and digest.
 *
 * @throws VerificationError `ERR_DIGEST_MISMATCH` (size or bytes differ); VouchError `ERR_IO` (missing blob),
 * `ERR_RESPONSE_TOO_LARGE`.
 * @example
 * ```ts
 * const bytes = await readLayoutBlob({ layout, descriptor: manifest.layers[0], maxBytes: 1 << 20 });
 * ```
 */
export async function readLayoutBlob(options: {
  readonly layout: OciLayout;
  readonly descriptor: Descriptor;
  readonly maxBytes: number;
}): Promise<Uint8Array> {
  const { descriptor, maxBytes } = options;
  const d = descriptor.digest;
  if (descriptor.size > maxBytes) {
    throw new VouchError(
      'ERR_RESPONSE_TOO_LARGE',
      `blob ${d.value}: expected at most ${maxBytes} bytes, found size ${descriptor.size}`,
    );
  }
  const path = join(options.layout.dir, 'blobs', d.algorithm, d.hex);
  const bytes = await readBounded(path, maxBytes, descriptor.size);
  const found = digestBytes(d.algorithm, bytes);
  if (found.value !== d.value) {
    throw new VerificationError(
      'ERR_DIGEST_MISMATCH',
      `blob ${path}: expected digest ${d.value}, found ${found.value}`,
    );
  }
  return bytes;
}

/** The image (or index) of a layout that `subject` names, read and checked. */
export interface LayoutImage {
  /** The `index.json` entry. */
  readonly descriptor: Descriptor;
  /** The manifest or index JSON, checked against `subject`. */
  readonly bytes: Uint8Array;
  readonly manifest?: ImageManifest;
  readonly index?: ImageIndex;
}

function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

async function readLayoutManifest(layout: OciLayout, descriptor: Descriptor): Promise<ImageManifest> {
  return parseImageManifest(
    parseJson(
      await readLayoutBlob({ layout, descriptor, maxBytes: DEFAULT_MAX_LAYOUT_MANIFEST_BYTES }),
      descriptor.digest.value,
    ),
  );
}

/**
 * Resolves the image to verify: the `index.json` entry whose digest is `subject`, its blob read, checked and parsed
 * as a manifest or an index (by the entry's media type).
 *
 * @throws VouchError `ERR_IO` when the layout has no entry `subject` (as a registry's not-found, the image is not
 * there to decide on); as {@link readLayoutBlob}; ParseError `ERR_MALFORMED_JSON`.
 * @example
 * ```ts
 * const image = await resolveLayoutImage({ layout, subject: parseDigest('sha256:…') });
 * image.index?.manifests.length;
 * ```
 */
export async function resolveLayoutImage(options: {
  readonly layout: OciLayout;
  readonly subject: Digest;
}): Promise<LayoutImage> {
  const { layout, subject } = options;
  const descriptor = layout.index.manifests.find((d) => d.digest.value === subject.value);
  if (descriptor === undefined) {
    const held = layout.index.manifests.map((d) => d.digest.value).join(', ') || 'none';
    throw new VouchError(
      'ERR_IO',
      `${join(layout.dir, 'index.json')}: expected an entry for image ${subject.value}, found ${held}`,
    );
  }
  const bytes = await readLayoutBlob({ layout, descriptor, maxBytes: DEFAULT_MAX_LAYOUT_MANIFEST_BYTES });
  const json = parseJson(bytes, subject.value);
  return Object.freeze(
    isIndexType(descriptor.mediaType)
      ? { descriptor, bytes, index: parseImageIndex(json) }
      : { descriptor, bytes, manifest: parseImageManifest(json) },
  );
}

/** Options of {@link readLayoutAttestations} and {@link readLayoutSignatures}. */
export interface LayoutReadOptions {
  readonly layout: OciLayout;
  /** The image's digest: must be an `index.json` entry of the layout. */
  readonly subject: Digest;
  /** Largest payload or envelope read (default 16 MiB). */
  readonly maxLayerBytes?: number;
}

type CosignKind = 'sig' | 'att';

/** Whether a ref name (a bare tag or a full reference) names cosign's `sha256-<hex>.<kind>` tag of `subject`. */
function namesLegacyTag(refName: string | undefined, subject: Digest, kind: CosignKind): boolean {
  if (refName === undefined) return false;
  const tag = `${subject.algorithm}-${subject.hex.slice(0, 64)}.${kind}`;
  return refName === tag || refName.endsWith(`:${tag}`);
}

/**
 * The manifests holding cosign's layers of `kind` for `subject`, each bound to it by something the layout says:
 * `cosign save`'s `kind` annotation (a cosign layout holds one image, so its sigs/atts are that image's, and only when
 * `subject` is that image), the `sha256-<hex>.<kind>` ref name, or a cosign OCI 1.1 artifact whose `subject` is it.
 */
async function cosignManifests(options: LayoutReadOptions, kind: CosignKind): Promise<ImageManifest[]> {
  const { layout, subject } = options;
  const image = await resolveLayoutImage(options);
  const entries = layout.index.manifests;
  const kindOf = (d: Descriptor) => d.annotations?.[LAYOUT_KIND_ANNOTATION];
  const isImageKind = (d: Descriptor) =>
    kindOf(d) === LAYOUT_KIND_IMAGE || kindOf(d) === LAYOUT_KIND_IMAGE_INDEX;
  const cosignImages = entries.filter(isImageKind);
  const kindBound =
    isImageKind(image.descriptor) && cosignImages.every((d) => d.digest.value === subject.value);
  const wantedKind = kind === 'sig' ? LAYOUT_KIND_SIGNATURES : LAYOUT_KIND_ATTESTATIONS;
  const artifactType = kind === 'sig' ? COSIGN_SIGNATURE_ARTIFACT : COSIGN_ATTESTATION_ARTIFACT;
  const seen = new Set<string>();
  const out: ImageManifest[] = [];
  for (const d of entries) {
    if (seen.has(d.digest.value) || d.digest.value === subject.value || isIndexType(d.mediaType)) continue;
    const byKind = kindBound && kindOf(d) === wantedKind;
    const byTag = namesLegacyTag(d.annotations?.[ANNOTATION_REF_NAME], subject, kind);
    if (!byKind && !byTag && d.artifactType !== artifactType) continue;
    const manifest = await readLayoutManifest(layout, d);
    // An artifact type alone is a claim: only the manifest's own subject ties it to this image.
    if (!byKind && !byTag && manifest.subject?.digest.value !== subject.value) continue;
    seen.add(d.digest.value);
    out.push(manifest);
  }
  return out;
}

/**
 * Reads cosign's attestations for `subject` from a layout: the DSSE envelope layers of the attestation manifests
 * (see {@link LayoutReadOptions}), each checked against its digest, with the layer's `predicateType` and keyless
 * material, exactly as {@link readLegacyAttestations} returns them from a registry. Nothing is verified: pass each
 * to core's `cosignLayerBundle` and `verifySigstoreBundle`. A layout without attestations gives an empty list.
 *
 * @throws VouchError `ERR_IO` when `subject` is not in the layout; VerificationError `ERR_DIGEST_MISMATCH`; ParseError
 * `ERR_MALFORMED_JSON`; `ERR_RESPONSE_TOO_LARGE`.
 * @example
 * ```ts
 * const layout = await openOciLayout(dir);
 * for (const att of await readLayoutAttestations({ layout, subject: digest })) {
 *   const bundle = cosignLayerBundle({ content: { type: 'dsseEnvelope', envelope: att.envelope }, ...att });
 * }
 * ```
 */
export async function readLayoutAttestations(
  options: LayoutReadOptions,
): Promise<readonly LegacyAttestation[]> {
  const max = options.maxLayerBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  const out: LegacyAttestation[] = [];
  for (const manifest of await cosignManifests(options, 'att')) {
    for (const [i, layer] of manifest.layers.entries()) {
      if (layer.mediaType !== DSSE_ENVELOPE) continue;
      const predicateType = layer.annotations?.[ANNOTATION_PREDICATE_TYPE];
      const extra = cosignLayerMaterial(layer, `layers[${i}]`);
      const envelope = await readLayoutBlob({ layout: options.layout, descriptor: layer, maxBytes: max });
      out.push(
        Object.freeze({ envelope, ...(predicateType === undefined ? {} : { predicateType }), ...extra }),
      );
    }
  }
  return Object.freeze(out);
}

/**
 * Reads cosign's signatures for `subject` from a layout: the simple-signing layers (with a signature annotation) of
 * its signature manifests, as {@link readLegacySignatures} returns them. Nothing is verified.
 *
 * @throws as {@link readLayoutAttestations}.
 * @example
 * ```ts
 * const sigs = await readLayoutSignatures({ layout, subject: digest });
 * sigs[0]?.signature; // base64
 * ```
 */
export async function readLayoutSignatures(options: LayoutReadOptions): Promise<readonly LegacySignature[]> {
  const max = options.maxLayerBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  const out: LegacySignature[] = [];
  for (const manifest of await cosignManifests(options, 'sig')) {
    for (const [i, layer] of manifest.layers.entries()) {
      const signature = layer.annotations?.[ANNOTATION_COSIGN_SIGNATURE];
      if (layer.mediaType !== COSIGN_SIMPLESIGNING || signature === undefined || signature === '') continue;
      const extra = cosignLayerMaterial(layer, `layers[${i}]`);
      const payload = await readLayoutBlob({ layout: options.layout, descriptor: layer, maxBytes: max });
      out.push(Object.freeze({ payload, signature, ...extra }));
    }
  }
  return Object.freeze(out);
}
