// OCI descriptors, image manifests and indexes read from a registry: parsed from `unknown` into frozen typed values.
import {
  type Digest,
  describeJson as describe,
  IssueCollector,
  isDigest,
  isObject,
  type JsonObject,
  joinPath,
  parseDigest,
} from '@vouch/core';

/** An OCI content descriptor (image-spec `descriptor.md`), as vouch reads and writes it. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An OCI image manifest (or Docker v2 manifest, which has the same shape for what vouch reads). */
export interface ImageManifest {
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An OCI image index: here, a referrers list or the fallback tag's index. */
export interface ImageIndex {
  readonly mediaType?: string;
  readonly manifests: readonly Descriptor[];
}

function annotationsAt(
  value: unknown,
  path: string,
  issues: IssueCollector,
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    issues.add(path, `must be an object of strings, found ${describe(value)}`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out[k] = v;
    else issues.add(joinPath(path, k), `must be a string, found ${describe(v)}`);
  }
  return Object.freeze(out);
}

function descriptorAt(value: unknown, path: string, issues: IssueCollector): Descriptor | undefined {
  if (!isObject(value)) {
    issues.add(path, `must be a descriptor object, found ${describe(value)}`);
    return undefined;
  }
  const before = issues.issues.length;
  const mediaType = issues.string(value, 'mediaType', path);
  const rawDigest = issues.string(value, 'digest', path);
  if (rawDigest !== undefined && !isDigest(rawDigest)) {
    issues.add(
      joinPath(path, 'digest'),
      'must be sha256/sha384/sha512 with lowercase hex of the right length',
    );
  }
  const rawSize = value.size;
  let size = 0;
  if (typeof rawSize === 'number' && Number.isSafeInteger(rawSize) && rawSize >= 0) size = rawSize;
  else issues.add(joinPath(path, 'size'), `must be a non-negative integer, found ${describe(rawSize)}`);
  const artifactType = issues.string(value, 'artifactType', path, false);
  const annotations = annotationsAt(value.annotations, joinPath(path, 'annotations'), issues);
  if (issues.issues.length > before || mediaType === undefined || rawDigest === undefined) return undefined;
  return Object.freeze({
    mediaType,
    digest: parseDigest(rawDigest, joinPath(path, 'digest')),
    size,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
  });
}

function descriptorsAt(obj: JsonObject, key: string, path: string, issues: IssueCollector): Descriptor[] {
  const list = issues.array(obj, key, path);
  const out: Descriptor[] = [];
  list?.forEach((item, i) => {
    const d = descriptorAt(item, joinPath(joinPath(path, key), i), issues);
    if (d !== undefined) out.push(d);
  });
  return out;
}

function schemaVersionAt(obj: JsonObject, issues: IssueCollector): void {
  if (obj.schemaVersion !== 2) issues.add('schemaVersion', `must be 2, found ${describe(obj.schemaVersion)}`);
}

/**
 * Parses one descriptor. Unknown fields are ignored; `digest` must be a digest vouch accepts.
 *
 * @throws ParseError `ERR_MALFORMED_JSON` listing every bad path.
 * @example
 * ```ts
 * const d = parseDescriptor({ mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136f…', size: 2 });
 * ```
 */
export function parseDescriptor(input: unknown, path = 'descriptor'): Descriptor {
  const issues = new IssueCollector();
  const d = descriptorAt(input, path, issues);
  issues.throwIfAny('ERR_MALFORMED_JSON');
  if (d === undefined) throw new Error('unreachable: a missing descriptor records an issue');
  return d;
}

/**
 * Parses an image manifest: `schemaVersion` 2, `config` and `layers` descriptors, optional `subject`, `artifactType`
 * and `annotations`.
 *
 * @throws ParseError `ERR_MALFORMED_JSON` listing every bad path (`layers[0].digest`).
 * @example
 * ```ts
 * const manifest = parseImageManifest((await client.getManifest({ ...target, digest })).json);
 * manifest.layers[0]?.mediaType;
 * ```
 */
export function parseImageManifest(input: unknown): ImageManifest {
  const issues = new IssueCollector();
  if (!isObject(input)) {
    issues.add('', `manifest must be an object, found ${describe(input)}`);
    issues.throwIfAny('ERR_MALFORMED_JSON');
    throw new Error('unreachable');
  }
  schemaVersionAt(input, issues);
  const mediaType = issues.string(input, 'mediaType', '', false);
  const artifactType = issues.string(input, 'artifactType', '', false);
  const config = descriptorAt(input.config, 'config', issues);
  const layers = descriptorsAt(input, 'layers', '', issues);
  const subject = input.subject === undefined ? undefined : descriptorAt(input.subject, 'subject', issues);
  const annotations = annotationsAt(input.annotations, 'annotations', issues);
  issues.throwIfAny('ERR_MALFORMED_JSON');
  if (config === undefined) throw new Error('unreachable: config was checked');
  return Object.freeze({
    ...(mediaType === undefined ? {} : { mediaType }),
    ...(artifactType === undefined ? {} : { artifactType }),
    config,
    layers: Object.freeze(layers),
    ...(subject === undefined ? {} : { subject }),
    ...(annotations === undefined ? {} : { annotations }),
  });
}

/**
 * Parses an image index (a referrers answer or the fallback tag): `schemaVersion` 2 and a `manifests` list.
 *
 * @throws ParseError `ERR_MALFORMED_JSON` listing every bad path (`manifests[2].size`).
 * @example
 * ```ts
 * const index = parseImageIndex(JSON.parse(text));
 * index.manifests.map((d) => d.digest.value);
 * ```
 */
export function parseImageIndex(input: unknown): ImageIndex {
  const issues = new IssueCollector();
  if (!isObject(input)) {
    issues.add('', `index must be an object, found ${describe(input)}`);
    issues.throwIfAny('ERR_MALFORMED_JSON');
    throw new Error('unreachable');
  }
  schemaVersionAt(input, issues);
  const mediaType = issues.string(input, 'mediaType', '', false);
  const manifests = descriptorsAt(input, 'manifests', '', issues);
  issues.throwIfAny('ERR_MALFORMED_JSON');
  return Object.freeze({
    ...(mediaType === undefined ? {} : { mediaType }),
    manifests: Object.freeze(manifests),
  });
}

/**
 * A descriptor as JSON for a manifest or index, fields in the image-spec's order.
 *
 * @example
 * ```ts
 * JSON.stringify(descriptorJson(parseDescriptor(x)));
 * ```
 */
export function descriptorJson(d: Descriptor): Record<string, unknown> {
  return {
    mediaType: d.mediaType,
    digest: d.digest.value,
    size: d.size,
    ...(d.artifactType === undefined ? {} : { artifactType: d.artifactType }),
    ...(d.annotations === undefined ? {} : { annotations: { ...d.annotations } }),
  };
}

/**
 * The tag of the OCI 1.1 referrers fallback index (and the stem of cosign's `.sig`/`.att` tags) for a digest:
 * `<alg>-<hex>`, the hex cut to 64 characters as the distribution spec's tag schema says.
 *
 * @example
 * ```ts
 * fallbackTag(parseDigest('sha256:' + 'ab'.repeat(32))); // 'sha256-abab…'
 * ```
 */
export function fallbackTag(digest: Digest): string {
  return `${digest.algorithm}-${digest.hex.slice(0, 64)}`;
}
