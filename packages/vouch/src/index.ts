// vouch: the API users import. Reads files and passes values into the pure packages; holds no verification logic of its own.

// cosign's legacy simple-signing payloads (`.sig` tags) verify against keys with no file I/O, so they come from core as they are.
export {
  type BundleJson,
  type CertificateIdentity,
  createSimpleSigningPayload,
  type Digest,
  type FulcioExtensions,
  type IdentityFlags,
  type IdentityPolicy,
  type ImageReference,
  type ImageVerification,
  identityPolicyFromFlags,
  isVouchError,
  KeyError,
  ParseError,
  type PrivateKey,
  type PublicKey,
  parseImageReference,
  parseJson,
  parseSimpleSigningPayload,
  parseStatementJson,
  type SigstoreCheck,
  type SigstoreSigner,
  type SigstoreVerification,
  SigstoreVerificationError,
  type StringMatcher,
  serializeBundle,
  type TrustedRoot,
  UsageError,
  VerificationError,
  VouchError,
  type VouchErrorCode,
  verifySimpleSigning,
} from '@vouch/core';
export {
  type NormalizedProvenance,
  PREDICATE_TYPE_NAMES,
  resolvePredicateType,
  type SlsaCheck,
  type SlsaPolicy,
  type SlsaVerification,
  SlsaVerificationError,
} from '@vouch/provenance';
export {
  type RejectedAttestation,
  type VerifiedAttestation,
  type VerifyImageAttestationsOptions,
  type VerifyImageAttestationsResult,
  verifyImageAttestations,
} from './attestation.js';
export {
  hashFile,
  type KeylessSignBlobResult,
  type SignBlobKeylessOptions,
  type SignBlobKeyOptions,
  type SignBlobOptions,
  type SignBlobResult,
  signBlob,
  type VerifyBlobKeylessOptions,
  type VerifyBlobKeyOptions,
  type VerifyBlobOptions,
  type VerifyBlobResult,
  verifyBlob,
} from './blob.js';
export { type BundleSource, readBundle } from './bundle-source.js';
export { MAX_DOCUMENT_BYTES, readDocument, type WriteOptions, writeFileAtomic } from './files.js';
export {
  type KeylessSignImageResult,
  type SignImageKeylessOptions,
  type SignImageKeyOptions,
  type SignImageOptions,
  type SignImageResult,
  signImage,
  type VerifyImageKeylessOptions,
  type VerifyImageKeylessResult,
  type VerifyImageKeyOptions,
  type VerifyImageOptions,
  type VerifyImageResult,
  verifyImage,
} from './image.js';
export {
  type KeylessBundleJson,
  type KeylessDsseBundleJson,
  type KeylessMessageBundleJson,
  type KeylessOptions,
  type KeylessSignature,
  PUBLIC_GOOD_KEYLESS,
  resolveIdentityToken,
  serializeKeylessBundle,
  signArtifactKeyless,
  signPayloadKeyless,
  signStatementKeyless,
  type TlogEntryJson,
} from './keyless.js';
export {
  type GeneratedKeyAlgorithm,
  type GenerateKeyPairOptions,
  generateKeyPair,
  isEncryptedKeyFile,
  type KeySource,
  type LoadPrivateKeyOptions,
  loadPrivateKey,
  loadPublicKey,
  type WriteKeyPairOptions,
  type WrittenKeyPair,
  writeKeyPair,
} from './keys.js';
export {
  type AttachedArtifact,
  type AttachedListing,
  type AttachedResult,
  attachBundleToImage,
  listAttached,
  type RegistryOptions,
  type ResolvedImage,
  resolveImage,
} from './registry.js';
export { keylessOptionsFromSigningConfig, loadSigningConfig } from './signing-config-file.js';
export { type ArtifactSource, type VerifyBundleOptions, verifyBundle } from './sigstore.js';
export {
  type SlsaArtifactSource,
  type VerifySlsaArtifactOptions,
  type VerifySlsaArtifactResult,
  type VerifySlsaImageOptions,
  type VerifySlsaImageResult,
  type VerifySlsaNpmPackageOptions,
  verifySlsaArtifact,
  verifySlsaImage,
  verifySlsaNpmPackage,
} from './slsa.js';
export {
  loadTrustedRoot,
  publicGoodTrustedRoot,
  type RefreshTrustedRootOptions,
  refreshTrustedRoot,
  type TrustedRootSource,
} from './trusted-root.js';
