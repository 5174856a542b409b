// @vouch/provenance: predicate types and parsers (SLSA Provenance v1), SLSA checks and policy. Pure: no files, network, environment or clock.

export { PREDICATE_TYPE_NAMES, resolvePredicateType } from './predicate-types.js';
export {
  type NormalizedProvenance,
  type SlsaCheck,
  type SlsaCheckId,
  type SlsaPolicy,
  type SlsaVerification,
  SlsaVerificationError,
} from './slsa-types.js';
export type {
  SlsaBuildDefinitionV1,
  SlsaBuilderV1,
  SlsaBuildMetadataV1,
  SlsaProvenanceV1,
  SlsaRunDetailsV1,
} from './slsa-v1.js';
export { parseSlsaProvenanceV1, SLSA_PROVENANCE_V1_PREDICATE_TYPE } from './slsa-v1.js';
