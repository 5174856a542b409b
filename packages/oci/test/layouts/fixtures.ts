// Small images and bundle-shaped JSON for the layout tests (bundles are stored and read as bytes, never verified here).
import { encodeBase64, utf8 } from '@vouch/core';
import { SIGSTORE_BUNDLE_V03 } from '../../src/artifact-types.js';
import type { SubjectDescriptor } from '../../src/attach.js';
import type { RegistryClient, RepositoryTarget } from '../../src/client.js';
import { OCI_MANIFEST } from '../../src/media-types.js';

/** Pushes a one-layer OCI image (contents from `seed`) by digest and returns its descriptor. */
export async function pushSmallImage(
  client: RegistryClient,
  target: RepositoryTarget,
  seed: string,
): Promise<SubjectDescriptor> {
  const layer = utf8(`layer ${seed}`);
  const config = utf8(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
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
    reference: seed,
    bytes: manifest,
    mediaType: OCI_MANIFEST,
  });
  return { digest, mediaType: OCI_MANIFEST, size: manifest.byteLength };
}

/** Bundle-shaped JSON: a DSSE bundle for `predicateType`, or a message-signature bundle when it is undefined. */
export function testBundle(seed: string, predicateType: string | undefined): Uint8Array {
  const content =
    predicateType === undefined
      ? {
          messageSignature: {
            messageDigest: { algorithm: 'SHA2_256', digest: encodeBase64(utf8(seed)) },
            signature: 'c2ln',
          },
        }
      : {
          dsseEnvelope: {
            payloadType: 'application/vnd.in-toto+json',
            payload: encodeBase64(
              utf8(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', seed, predicateType })),
            ),
            signatures: [{ sig: 'c2ln', keyid: '' }],
          },
        };
  return utf8(JSON.stringify({ mediaType: SIGSTORE_BUNDLE_V03, verificationMaterial: {}, ...content }));
}
