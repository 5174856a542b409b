// Push a tiny OCI image (one layer holding TEXT, a config, a manifest) under a tag, and print its manifest digest.
// Run: node examples/push-image.ts REGISTRY/REPOSITORY:TAG TEXT (after `pnpm run build`); loopback registries use HTTP.
import { OCI_MANIFEST, RegistryClient } from '@vouch/oci';
import { isVouchError, parseImageReference } from 'vouch';

const [image, text] = process.argv.slice(2);
if (image === undefined || text === undefined) {
  console.error('usage: node examples/push-image.ts REGISTRY/REPOSITORY:TAG TEXT');
  process.exit(2);
}

try {
  const reference = parseImageReference(image);
  if (reference.tag === undefined || reference.digest !== undefined) {
    throw new Error(`expected a tag and no digest in ${JSON.stringify(image)}`);
  }
  const encode = (value: string) => new TextEncoder().encode(value);
  const client = new RegistryClient({});
  const target = { registry: reference.registry, repository: reference.repository };

  // The layer is a plain file's bytes, not a tarball: registries store blobs without looking inside.
  const layer = encode(text);
  const config = encode(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const layerDigest = await client.putBlob({ target, bytes: layer });
  const configDigest = await client.putBlob({ target, bytes: config });
  const manifest = encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest.value,
        size: config.byteLength,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: layerDigest.value,
          size: layer.byteLength,
        },
      ],
    }),
  );
  const digest = await client.putManifest({
    target,
    reference: reference.tag,
    bytes: manifest,
    mediaType: OCI_MANIFEST,
  });
  console.log(digest.value);
} catch (error) {
  const code = isVouchError(error) ? ` (${error.code})` : '';
  console.error(`push-image: ${error instanceof Error ? error.message : String(error)}${code}`);
  process.exit(3);
}
