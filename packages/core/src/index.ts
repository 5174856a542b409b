// @vouch/core: keys, digests, image references, DSSE, in-toto statements and Sigstore bundles. Pure: no files, network, environment or clock.

export * from './blob.js';
export * from './bundle.js';
export * from './digest.js';
export * from './dsse.js';
export * from './encoding.js';
export * from './errors.js';
export * from './image-signature.js';
export {
  copyJson,
  deepFreeze,
  describe as describeJson,
  IssueCollector,
  isObject,
  type JsonObject,
  joinPath,
  MAX_JSON_DEPTH,
  parseJson,
} from './json.js';
export * from './keys/index.js';
export * from './reference.js';
export * from './sigstore/certificate.js';
export * from './sigstore/cosign-legacy.js';
export * from './sigstore/envelope-bundle.js';
export * from './sigstore/identity.js';
export * from './sigstore/identity-flags.js';
export * from './sigstore/signing-config.js';
export * from './sigstore/timestamp.js';
export * from './sigstore/tlog.js';
export * from './sigstore/trusted-root.js';
export type * from './sigstore/types.js';
export * from './sigstore/verify.js';
export * from './simple-signing.js';
export * from './statement.js';
