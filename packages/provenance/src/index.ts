// @vouch/provenance: predicate types and parsers (SLSA Provenance v1), SLSA checks and policy. Pure: no files, network, environment or clock.

export {
  GCB_BUILD_TYPE_V1,
  GCB_BUILDER_NAME,
  GCB_PREDICATE_TYPE_V1,
  GCB_PREDICATE_TYPE_V01,
  normalizeGcbProvenance,
  type VerifyGcbProvenanceOptions,
  verifyGcbProvenance,
} from './gcb.js';
export { verifyGithubActionsProvenance } from './github-actions.js';
export {
  TRUSTED_ARTIFACT_BUILDERS,
  TRUSTED_CONTAINER_BUILDERS,
  TRUSTED_DELEGATOR_BUILDERS,
} from './github-builders.js';
export { normalizeProvenance } from './normalize.js';
export {
  NPM_PUBLISH_PREDICATE_PREFIX,
  type NpmKeyValidity,
  type NpmRegistryKey,
  type NpmRegistryKeys,
  type NpmTarballDigests,
  parseNpmRegistryKeys,
  type VerifyNpmPackageOptions,
  verifyNpmPackage,
} from './npm.js';
export {
  MAX_POLICY_BYTES,
  type ParsedPolicy,
  type PolicyIssue,
  parsePolicyDuration,
  parsePolicyText,
  policyDigestOf,
  policyLocation,
} from './policy.js';
export { conditionSyntaxError, type EvaluatePolicyOptions, evaluatePolicy } from './policy-evaluate.js';
export {
  type AttachedItem,
  decideImage,
  type VerifyEvidenceOptions,
  verifyEvidence,
} from './policy-evidence.js';
export { lintPolicy, type PolicyLintWarning } from './policy-lint.js';
export {
  matchScope,
  normalizeReference,
  type RuleSelection,
  type ScopeMatch,
  type ScopeSpecificity,
  scopeSpecificity,
  selectRule,
} from './policy-scope.js';
export {
  checkPolicyTestCase,
  POLICY_TEST_FILE,
  type PolicyTestCase,
  type PolicyTestFile,
  type PolicyTestResult,
  parsePolicyTestFile,
} from './policy-test-file.js';
export {
  type AttestationEvidence,
  type AttestationRequirement,
  type Decision,
  type DecisionCheck,
  type ImageEvidence,
  type LoadedPolicy,
  POLICY_API_VERSION,
  type Policy,
  type PolicyIdentity,
  type PolicyKeySource,
  type PolicyRule,
  type PolicyTrustedRootSource,
  type SignatureEvidence,
  type SignatureRequirement,
  type VerifiedSigner,
} from './policy-types.js';
export { PREDICATE_TYPE_NAMES, resolvePredicateType } from './predicate-types.js';
export {
  type JsonPredicate,
  type JsonPredicateKind,
  type ParsedPredicate,
  type PredicateKind,
  parsePredicate,
} from './predicates.js';
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
export {
  INTOTO_PROVENANCE_V01_PREDICATE_TYPE,
  parseSlsaProvenanceV02,
  SLSA_PROVENANCE_V02_PREDICATE_TYPE,
  type SlsaProvenanceV02,
} from './slsa-v02.js';
export {
  type AttestationCandidate,
  type RejectedAttestation,
  type VerifiedAttestation,
  type VerifiedAttestations,
  type VerifyAttestationsOptions,
  verifyAttestations,
} from './verify-attestations.js';
export {
  type VerifyGithubImageProvenanceOptions,
  type VerifyGithubProvenanceOptions,
  verifyGithubImageProvenance,
  verifyGithubProvenance,
} from './verify-provenance.js';
export {
  type CreateVsaOptions,
  createVsa,
  parseVsa,
  parseVsaV1,
  parseVsaV02,
  type VerificationSummary,
  type VerifyVsaOptions,
  VSA_V1_PREDICATE_TYPE,
  VSA_V02_PREDICATE_TYPE,
  type VsaResourceRef,
  type VsaSubjectDigest,
  type VsaVerification,
  verifyVsa,
} from './vsa.js';
export {
  buildLevel,
  type VerifyVsaEnvelopeOptions,
  verifyVsaEnvelope,
  vsaForDecision,
  vsaForVerification,
} from './vsa-envelope.js';
export {
  imagesFromManifest,
  type ManifestFormat,
  type WorkloadImage,
  type WorkloadImages,
} from './workloads.js';
