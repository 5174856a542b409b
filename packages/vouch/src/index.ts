// vouch: the API users import. Reads files and passes values into the pure packages; holds no verification logic of its own.

// cosign's legacy simple-signing payloads (`.sig` tags) verify against keys with no file I/O, so they come from core as they are.
export {
  type BundleJson,
  createSimpleSigningPayload,
  type Digest,
  type ImageReference,
  type ImageVerification,
  isVouchError,
  KeyError,
  ParseError,
  type PrivateKey,
  type PublicKey,
  parseSimpleSigningPayload,
  serializeBundle,
  UsageError,
  VerificationError,
  VouchError,
  type VouchErrorCode,
  verifySimpleSigning,
} from '@vouch/core';
export {
  hashFile,
  type KeylessSignBlobResult,
  type SignBlobKeylessOptions,
  type SignBlobKeyOptions,
  type SignBlobOptions,
  type SignBlobResult,
  signBlob,
  type VerifyBlobOptions,
  verifyBlob,
} from './blob.js';
export { MAX_DOCUMENT_BYTES, readDocument, type WriteOptions, writeFileAtomic } from './files.js';
export {
  type BundleSource,
  type KeylessSignImageResult,
  type SignImageKeylessOptions,
  type SignImageKeyOptions,
  type SignImageOptions,
  type SignImageResult,
  signImage,
  type VerifyImageOptions,
  type VerifyImageResult,
  verifyImage,
} from './image.js';
export {
  type KeylessBundleJson,
  type KeylessOptions,
  type KeylessSignature,
  PUBLIC_GOOD_KEYLESS,
  resolveIdentityToken,
  serializeKeylessBundle,
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
export { keylessOptionsFromSigningConfig, loadSigningConfig } from './signing-config-file.js';
export { type ArtifactSource, type VerifyBundleOptions, verifyBundle } from './sigstore.js';
export { loadTrustedRoot, publicGoodTrustedRoot, type TrustedRootSource } from './trusted-root.js';
