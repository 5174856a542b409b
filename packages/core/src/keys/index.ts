// The keys API: parsing, policy, signing and verification across the node, WebCrypto and noble backends.
export type { JWK } from 'jose';
export { COSIGN_PEM_LABEL } from './cosign.js';
export { ecdsaDerToP1363, ecdsaP1363ToDer } from './ecdsa-signature.js';
export { decodePem, encodePem, isEncryptedPrivateKey, type PemBlock } from './pem.js';
export { type PrehashAlgorithm, verifyDigestSignature } from './prehashed.js';
export { type GeneratedKeyAlgorithm, generateKeyPair, PrivateKey, parsePrivateKey } from './private-key.js';
export {
  computeKeyId,
  PublicKey,
  parsePublicKey,
  type SignatureEncoding,
  verifySignature,
} from './public-key.js';
export type { CryptoBackendName, KeyAlgorithm, SignatureScheme, VerifyOptions } from './types.js';
