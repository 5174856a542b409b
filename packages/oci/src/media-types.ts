// Manifest media types a registry may serve, and the Accept header that asks for all of them.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_EMPTY_JSON = 'application/vnd.oci.empty.v1+json';

/** Every manifest type vouch reads, in the order offered. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = Object.freeze([
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
]);

/** The `Accept` value for manifest requests. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');
