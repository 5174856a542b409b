// Push a tiny OCI image (one layer holding TEXT, a config, a manifest) under a tag, and print its manifest digest.
// Run: node examples/push-image.ts REGISTRY/REPOSITORY:TAG TEXT (after `pnpm run build`); loopback registries use HTTP.
import { RegistryClient } from '@vouch/oci';
import { isVouchError, parseImageReference } from 'vouch';
import { pushTestImage } from '../test/support/images.ts';

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
  const target = { registry: reference.registry, repository: reference.repository };
  // The layer is a plain file's bytes, not a tarball: registries store blobs without looking inside.
  const { digest } = await pushTestImage({
    client: new RegistryClient({}),
    target,
    layer: text,
    reference: reference.tag,
  });
  console.log(digest.value);
} catch (error) {
  const code = isVouchError(error) ? ` (${error.code})` : '';
  console.error(`push-image: ${error instanceof Error ? error.message : String(error)}${code}`);
  process.exit(3);
}
