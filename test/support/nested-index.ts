// Multi-arch test images: OCI indexes built from pushed manifests, a two-platform one and one nesting another index.
import { type Digest, utf8 } from '@vouch/core';
import { OCI_INDEX, type RegistryClient, type RepositoryTarget } from '@vouch/oci';
import { pushTestImage } from './images.js';

/** One entry of an index: a pushed manifest or index, with the platform it is for (absent for a nested index). */
export interface IndexEntry {
  readonly digest: Digest;
  readonly mediaType: string;
  readonly size: number;
  readonly platform?: { readonly os: string; readonly architecture: string };
}

/** Pushes a one-layer platform image by digest (its tag is `reference`) and returns it as an index entry. */
export async function pushPlatformEntry(options: {
  readonly client: RegistryClient;
  readonly target: RepositoryTarget;
  readonly architecture: string;
  readonly reference: string;
}): Promise<IndexEntry> {
  const { descriptor } = await pushTestImage({ ...options, layer: `layer ${options.reference}` });
  return { ...descriptor, platform: { os: 'linux', architecture: options.architecture } };
}

/** Pushes an OCI index listing `entries` in order under `reference`; returns it as an entry (for an outer index). */
export async function pushIndexOf(options: {
  readonly client: RegistryClient;
  readonly target: RepositoryTarget;
  readonly reference: string;
  readonly entries: readonly IndexEntry[];
}): Promise<IndexEntry> {
  const manifests = options.entries.map((e) => ({
    mediaType: e.mediaType,
    digest: e.digest.value,
    size: e.size,
    ...(e.platform === undefined ? {} : { platform: e.platform }),
  }));
  const bytes = utf8(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  const digest = await options.client.putManifest({
    target: options.target,
    reference: options.reference,
    bytes,
    mediaType: OCI_INDEX,
  });
  return { digest, mediaType: OCI_INDEX, size: bytes.byteLength };
}

/** A two-platform index (linux/amd64, linux/arm64) tagged `tag`: the digests, as `sha256:<hex>` strings. */
export interface TwoPlatformIndex {
  readonly index: string;
  readonly amd: string;
  readonly arm: string;
  /** The index as an entry of an outer index. */
  readonly entry: IndexEntry;
}

/** Pushes two platform images and an index listing them, tagged `tag`. */
export async function pushTwoPlatformIndex(options: {
  readonly client: RegistryClient;
  readonly target: RepositoryTarget;
  readonly tag: string;
}): Promise<TwoPlatformIndex> {
  const { client, target, tag } = options;
  const amd = await pushPlatformEntry({ client, target, architecture: 'amd64', reference: `${tag}-amd64` });
  const arm = await pushPlatformEntry({ client, target, architecture: 'arm64', reference: `${tag}-arm64` });
  const index = await pushIndexOf({ client, target, reference: tag, entries: [amd, arm] });
  return { index: index.digest.value, amd: amd.digest.value, arm: arm.digest.value, entry: index };
}

/** An outer index listing an inner two-platform index, then a platform manifest of its own (linux/riscv64). */
export interface NestedIndex {
  readonly outer: string;
  readonly inner: TwoPlatformIndex;
  readonly riscv: string;
}

/** Pushes a {@link NestedIndex}: the outer index is tagged `tag`, the inner one `<tag>-inner`. */
export async function pushNestedIndex(options: {
  readonly client: RegistryClient;
  readonly target: RepositoryTarget;
  readonly tag: string;
}): Promise<NestedIndex> {
  const { client, target, tag } = options;
  const inner = await pushTwoPlatformIndex({ client, target, tag: `${tag}-inner` });
  const riscv = await pushPlatformEntry({
    client,
    target,
    architecture: 'riscv64',
    reference: `${tag}-riscv64`,
  });
  const outer = await pushIndexOf({ client, target, reference: tag, entries: [inner.entry, riscv] });
  return { outer: outer.digest.value, inner, riscv: riscv.digest.value };
}
