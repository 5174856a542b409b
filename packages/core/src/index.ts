// @vouch/core: keys, digests, image references, DSSE, in-toto statements and Sigstore bundles. Pure: no files, network, environment or clock.
export * from './errors.js';
export * from './encoding.js';
export { parseJson, isObject, deepFreeze, type JsonObject } from './json.js';
export * from './digest.js';
export * from './reference.js';
export * from './keys/index.js';
export * from './dsse.js';
export * from './statement.js';
export * from './bundle.js';
export * from './image-signature.js';
export * from './blob.js';
export * from './simple-signing.js';
