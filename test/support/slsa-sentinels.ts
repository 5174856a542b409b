// slsa-verifier's error sentinels and the vouch code each one is: the one mapping every SLSA test asserts with.
import type { VouchErrorCode } from '@vouch/core';

/**
 * Each sentinel's vouch code; a list when vouch tells apart failures upstream reports as one (the first is the
 * direct counterpart).
 */
export const SENTINEL_CODE: Readonly<Record<string, VouchErrorCode | readonly VouchErrorCode[]>> =
  Object.freeze({
    ErrorMismatchVersionedTag: 'ERR_SLSA_VERSIONED_TAG_MISMATCH',
    ErrorInvalidSemver: 'ERR_SLSA_VERSIONED_TAG_MISMATCH',
    ErrorMismatchSource: 'ERR_SLSA_SOURCE_MISMATCH',
    ErrorMalformedURI: 'ERR_SLSA_SOURCE_MISMATCH',
    ErrorMismatchTag: 'ERR_SLSA_TAG_MISMATCH',
    ErrorInvalidRef: 'ERR_SLSA_INVALID_REF',
    ErrorMismatchBranch: 'ERR_SLSA_BRANCH_MISMATCH',
    ErrorUntrustedReusableWorkflow: 'ERR_SLSA_UNTRUSTED_BUILDER',
    ErrorMismatchBuilderID: 'ERR_SLSA_BUILDER_MISMATCH',
    ErrorInvalidBuilderID: 'ERR_SLSA_INVALID_BUILDER_ID',
    ErrorInvalidBuildType: 'ERR_SLSA_BUILD_TYPE',
    ErrorMismatchWorkflowInputs: 'ERR_SLSA_WORKFLOW_INPUTS_MISMATCH',
    ErrorMismatchCertificate: 'ERR_SLSA_CERTIFICATE_MISMATCH',
    // vouch says which: no signature verifies, or it verifies over other bytes than the payload the log recorded.
    ErrorInvalidSignature: ['ERR_SIGNATURE_INVALID', 'ERR_PAYLOAD_MISMATCH'] as const,
    ErrorNoValidSignature: 'ERR_SIGNATURE_INVALID',
    ErrorMismatchHash: 'ERR_DIGEST_MISMATCH',
    ErrorMismatchIntoto: 'ERR_PAYLOAD_MISMATCH',
    ErrorNotSupported: 'ERR_SLSA_NOT_SUPPORTED',
    ErrorVerifierNotSupported: 'ERR_SLSA_NOT_SUPPORTED',
    ErrorMismatchPackageName: 'ERR_SLSA_PACKAGE_NAME_MISMATCH',
    ErrorMismatchPackageVersion: 'ERR_SLSA_PACKAGE_VERSION_MISMATCH',
    ErrorInvalidFormat: 'ERR_MALFORMED_PREDICATE',
    ErrorInvalidDssePayload: 'ERR_MALFORMED_ENVELOPE',
    ErrorMutableImage: 'ERR_MUTABLE_REFERENCE',
  });

/**
 * The vouch codes accepted for a sentinel, its direct counterpart first; throws for a sentinel with no mapping.
 *
 * @example
 * ```ts
 * expectedCodes('ErrorInvalidSignature'); // ['ERR_SIGNATURE_INVALID', 'ERR_PAYLOAD_MISMATCH']
 * ```
 */
export function expectedCodes(sentinel: string): readonly VouchErrorCode[] {
  const mapped = Object.hasOwn(SENTINEL_CODE, sentinel) ? SENTINEL_CODE[sentinel] : undefined;
  if (mapped === undefined)
    throw new Error(`slsa-verifier sentinel ${JSON.stringify(sentinel)} has no vouch code`);
  return typeof mapped === 'string' ? [mapped] : mapped;
}

/**
 * The one code a sentinel's direct counterpart is, for tests that pin the exact code (`expectedCodes(s)[0]`).
 *
 * @example
 * ```ts
 * expectedCode('ErrorMismatchTag'); // 'ERR_SLSA_TAG_MISMATCH'
 * ```
 */
export function expectedCode(sentinel: string): VouchErrorCode {
  const [code] = expectedCodes(sentinel);
  if (code === undefined)
    throw new Error(`slsa-verifier sentinel ${JSON.stringify(sentinel)} maps to no code`);
  return code;
}
