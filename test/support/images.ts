// Small OCI images for registry tests: one layer, a config, a manifest, pushed with the project's own client.
import { type Digest, utf8 } from '@vouch/core';
import { OCI_MANIFEST, type RegistryClient, type RepositoryTarget } from '@vouch/oci';

/** What {@link pushTestImage} pushed. */
export interface PushedImage {
  readonly digest: Digest;
  readonly manifest: Uint8Array;
  readonly layer: Uint8Array;
  readonly layerDigest: Digest;
  /** The manifest as a descriptor (what a signature's `subject` names). */
  readonly descriptor: { readonly digest: Digest; readonly mediaType: string; readonly size: number };
}

/** Pushes a one-layer OCI image whose layer holds `layer` (text), for `architecture` (default amd64), tagged `reference`. */
export async function pushTestImage(options: {
  readonly client: RegistryClient;
  readonly target: RepositoryTarget;
  readonly layer: string;
  readonly reference: string;
  readonly architecture?: string;
}): Promise<PushedImage> {
  const { client, target } = options;
  const layer = utf8(options.layer);
  const config = utf8(
    JSON.stringify({
      architecture: options.architecture ?? 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const layerDigest = await client.putBlob({ target, bytes: layer });
  const configDigest = await client.putBlob({ target, bytes: config });
  const manifest = utf8(
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
    reference: options.reference,
    bytes: manifest,
    mediaType: OCI_MANIFEST,
  });
  return {
    digest,
    manifest,
    layer,
    layerDigest,
    descriptor: { digest, mediaType: OCI_MANIFEST, size: manifest.byteLength },
  };
}
