// @vouch/oci: an OCI distribution client over fetch; auth, digests checked, bounded sizes, retries.

export * from './artifact-types.js';
export {
  type AttachBundleOptions,
  type AttachResult,
  addToFallbackIndex,
  attachBundle,
  readFallbackIndex,
  type SubjectDescriptor,
} from './attach.js';
export { type CredentialOptions, RegistryAuth, type RegistryAuthOptions, repositoryScope } from './auth.js';
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_MAX_BLOB_BYTES,
  DEFAULT_MAX_MANIFEST_BYTES,
  type Manifest,
  type ManifestUpload,
  RegistryClient,
  type RegistryClientOptions,
  type RepositoryTarget,
} from './client.js';
export {
  type DockerConfigOptions,
  dockerCredentials,
  type RegistryCredentials,
  runCredentialHelper,
} from './credentials.js';
export {
  type Descriptor,
  descriptorJson,
  fallbackTag,
  type ImageIndex,
  type ImageManifest,
  parseDescriptor,
  parseImageIndex,
  parseImageManifest,
} from './descriptor.js';
export {
  type AttachedArtifacts,
  type AttachedBundle,
  DEFAULT_MAX_BUNDLE_BYTES,
  type FetchAttachedOptions,
  fetchAttached,
  fetchBundles,
  type ListReferrersOptions,
  listReferrers,
  type ReferrersList,
} from './discover.js';
export {
  DEFAULT_TIMEOUT_MS,
  type HttpOptions,
  type HttpRequest,
  type HttpResponse,
  httpRequest,
  safeUrl,
} from './http.js';
export {
  cosignLayerMaterial,
  type LegacyAttestation,
  type LegacyReadOptions,
  type LegacySignature,
  legacyTag,
  readLegacyAttestations,
  readLegacySignatures,
} from './legacy.js';
export {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  OCI_EMPTY_JSON,
  OCI_INDEX,
  OCI_MANIFEST,
} from './media-types.js';
export {
  ANNOTATION_REF_NAME,
  DEFAULT_MAX_LAYOUT_INDEX_BYTES,
  DEFAULT_MAX_LAYOUT_MANIFEST_BYTES,
  LAYOUT_KIND_ANNOTATION,
  LAYOUT_KIND_ATTESTATIONS,
  LAYOUT_KIND_IMAGE,
  LAYOUT_KIND_IMAGE_INDEX,
  LAYOUT_KIND_SIGNATURES,
  type LayoutImage,
  type LayoutReadOptions,
  type OciLayout,
  type OpenOciLayoutOptions,
  openOciLayout,
  parseImageLayoutMarker,
  parseLayoutIndex,
  readLayoutAttestations,
  readLayoutBlob,
  readLayoutSignatures,
  resolveLayoutImage,
} from './oci-layout.js';
export { type ReferrersAnswer, ReferrersClient } from './referrers-client.js';
export {
  allowsPlainHttp,
  DOCKER_HUB_API_HOST,
  isLoopbackRegistry,
  type RegistryUrlOptions,
  registryApiHost,
  registryBaseUrl,
  repositoryUrl,
} from './registry-url.js';
export {
  backoffDelay,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRIES,
  isRetryableStatus,
  parseRetryAfter,
  type RetryOptions,
} from './retry.js';
export { caDispatcher } from './tls.js';
export { type AuthChallenge, parseWwwAuthenticate } from './www-authenticate.js';
