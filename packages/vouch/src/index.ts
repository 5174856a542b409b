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
  type SignBlobOptions,
  type SignBlobResult,
  signBlob,
  type VerifyBlobOptions,
  verifyBlob,
} from './blob.js';
export { MAX_DOCUMENT_BYTES, readDocument, type WriteOptions, writeFileAtomic } from './files.js';
export {
  type BundleSource,
  type SignImageOptions,
  type SignImageResult,
  signImage,
  type VerifyImageOptions,
  type VerifyImageResult,
  verifyImage,
} from './image.js';
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
