// Small images and bundle-shaped JSON for the layout tests (bundles are stored and read as bytes, never verified here).
import { encodeBase64, utf8 } from '@vouch/core';
import { pushTestImage } from '../../../../test/support/images.js';
import { SIGSTORE_BUNDLE_V03 } from '../../src/artifact-types.js';
import type { SubjectDescriptor } from '../../src/attach.js';
import type { RegistryClient, RepositoryTarget } from '../../src/client.js';

/** Pushes a one-layer OCI image (contents from `seed`) by digest and returns its descriptor. */
export async function pushSmallImage(
  client: RegistryClient,
  target: RepositoryTarget,
  seed: string,
): Promise<SubjectDescriptor> {
  return (await pushTestImage({ client, target, layer: `layer ${seed}`, reference: seed })).descriptor;
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
