// Copies an OCI image layout on disk into a registry with the project's own client (as `cosign load` or skopeo would):
// every blob, then the manifests (indexes after what they list), each under its digest, some under tags too.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryClient, RepositoryTarget } from '../../packages/oci/src/index.js';

/** A manifest blob's media type, or undefined for a config or layer. */
function manifestType(bytes: Buffer): string | undefined {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; schemaVersion?: unknown };
    return json.schemaVersion === 2 &&
      typeof json.mediaType === 'string' &&
      /manifest|index/.test(json.mediaType)
      ? json.mediaType
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Pushes the layout's blobs and manifests to `target`; `tags` maps a manifest digest (`sha256:…`) to a tag it also gets.
 *
 * @example
 * await pushOciLayout({ client, target, dir, tags: { [imageDigest]: 'v1', [attDigest]: 'sha256-<hex>.att' } });
 */
export async function pushOciLayout(options: {
  readonly client: RegistryClient;
  readonly target: RepositoryTarget;
  readonly dir: string;
  readonly tags?: Readonly<Record<string, string>>;
}): Promise<void> {
  const { client, target } = options;
  const folder = join(options.dir, 'blobs', 'sha256');
  const manifests: { digest: string; bytes: Buffer; mediaType: string }[] = [];
  for (const hex of await readdir(folder)) {
    const bytes = await readFile(join(folder, hex));
    const mediaType = manifestType(bytes);
    if (mediaType === undefined) await client.putBlob({ target, bytes: new Uint8Array(bytes) });
    else manifests.push({ digest: `sha256:${hex}`, bytes, mediaType });
  }
  // Image manifests first: an index may only list manifests the registry holds.
  manifests.sort((a, b) => Number(a.mediaType.includes('index')) - Number(b.mediaType.includes('index')));
  for (const m of manifests) {
    const reference = options.tags?.[m.digest] ?? m.digest;
    await client.putManifest({ target, reference, bytes: new Uint8Array(m.bytes), mediaType: m.mediaType });
  }
}
