// The one error hierarchy of vouch: every failure carries a stable, public `ERR_*` code.

/** Every code vouch can throw. Codes are public API: they never change meaning. */
export type VouchErrorCode =
  // input that could not be parsed (names the field)
  | 'ERR_MALFORMED_JSON'
  | 'ERR_MALFORMED_BASE64'
  | 'ERR_MALFORMED_HEX'
  | 'ERR_MALFORMED_DIGEST'
  | 'ERR_MALFORMED_REFERENCE'
  | 'ERR_MALFORMED_KEY'
  | 'ERR_MALFORMED_ENVELOPE'
  | 'ERR_MALFORMED_STATEMENT'
  | 'ERR_MALFORMED_PREDICATE'
  | 'ERR_MALFORMED_BUNDLE'
  | 'ERR_MALFORMED_PAYLOAD'
  | 'ERR_MALFORMED_SIGNATURE'
  // keys
  | 'ERR_UNSUPPORTED_KEY'
  | 'ERR_UNSUPPORTED_ALGORITHM'
  | 'ERR_KEY_DECRYPT'
  | 'ERR_PASSWORD_REQUIRED'
  // verification (fails closed)
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_NO_SIGNATURES'
  | 'ERR_NO_ATTESTATIONS'
  | 'ERR_NO_TLOG_PROOF'
  | 'ERR_SLSA_BUILDER_MISMATCH'
  | 'ERR_SLSA_INVALID_BUILDER_ID'
  | 'ERR_SLSA_UNTRUSTED_BUILDER'
  | 'ERR_SLSA_BUILD_TYPE'
  | 'ERR_SLSA_SOURCE_MISMATCH'
  | 'ERR_SLSA_BRANCH_MISMATCH'
  | 'ERR_SLSA_TAG_MISMATCH'
  | 'ERR_SLSA_VERSIONED_TAG_MISMATCH'
  | 'ERR_SLSA_INVALID_REF'
  | 'ERR_SLSA_WORKFLOW_INPUTS_MISMATCH'
  | 'ERR_SLSA_CERTIFICATE_MISMATCH'
  | 'ERR_SLSA_PACKAGE_NAME_MISMATCH'
  | 'ERR_SLSA_PACKAGE_VERSION_MISMATCH'
  | 'ERR_SLSA_NOT_SUPPORTED'
  | 'ERR_MUTABLE_REFERENCE'
  | 'ERR_VSA_MISMATCH'
  | 'ERR_MALFORMED_POLICY'
  | 'ERR_POLICY_DENIED'
  | 'ERR_POLICY_CONDITION'
  | 'ERR_UNTRUSTED_KEY'
  | 'ERR_THRESHOLD_NOT_MET'
  | 'ERR_DIGEST_MISMATCH'
  | 'ERR_PAYLOAD_TYPE'
  | 'ERR_PAYLOAD_MISMATCH'
  | 'ERR_PREDICATE_TYPE'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  // Sigstore (keyless) verification
  | 'ERR_MALFORMED_TRUSTED_ROOT'
  | 'ERR_MALFORMED_CERTIFICATE'
  | 'ERR_CERTIFICATE_CHAIN'
  | 'ERR_CERTIFICATE_VALIDITY'
  | 'ERR_SCT_INVALID'
  | 'ERR_IDENTITY_MISMATCH'
  | 'ERR_TLOG_UNTRUSTED'
  | 'ERR_TLOG_SET_INVALID'
  | 'ERR_TLOG_INCLUSION_PROOF'
  | 'ERR_TLOG_CHECKPOINT'
  | 'ERR_TLOG_ENTRY_MISMATCH'
  | 'ERR_TLOG_TIME'
  | 'ERR_TIMESTAMP_INVALID'
  | 'ERR_TIME_SOURCE_MISSING'
  // configuration and I/O (used by the adapters)
  | 'ERR_USAGE'
  | 'ERR_IO'
  // registries (packages/oci)
  | 'ERR_REGISTRY'
  | 'ERR_REGISTRY_AUTH'
  | 'ERR_REGISTRY_NOT_FOUND'
  | 'ERR_RESPONSE_TOO_LARGE'
  | 'ERR_INTERNAL';

/** One problem found while parsing: a JSON path (`subject[0].digest.sha256`) and what is wrong there. */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

export interface VouchErrorOptions {
  readonly cause?: unknown;
}

/**
 * Base class of every error vouch throws on purpose.
 *
 * @example
 * ```ts
 * try { parseDigest(input); } catch (e) { if (isVouchError(e)) console.error(e.code); }
 * ```
 */
export class VouchError extends Error {
  readonly code: VouchErrorCode;

  constructor(code: VouchErrorCode, message: string, options: VouchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** Untrusted input did not have the expected shape; `issues` lists every bad path. */
export class ParseError extends VouchError {
  readonly issues: readonly Issue[];

  constructor(code: VouchErrorCode, issues: readonly Issue[] | string, options: VouchErrorOptions = {}) {
    const list = typeof issues === 'string' ? [{ path: '', message: issues }] : issues;
    super(code, list.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), options);
    this.issues = Object.freeze(list.map((i) => Object.freeze({ ...i })));
  }
}

/** A key could not be used: unsupported type or size, wrong password. */
export class KeyError extends VouchError {}

/** A signature, digest or trust check failed. Verification fails closed with one of these. */
export class VerificationError extends VouchError {}

/** The caller asked for something that cannot be done (bad option, missing argument). */
export class UsageError extends VouchError {}

/** A registry request failed: HTTP or protocol error, refused credentials, missing content, oversized response. */
export class RegistryError extends VouchError {}

/** Returns whether `value` is an error thrown by vouch. */
export function isVouchError(value: unknown): value is VouchError {
  return value instanceof VouchError;
}

/** Throws the ParseError for `issues` when there are any. */
export function assertNoIssues(code: VouchErrorCode, issues: readonly Issue[]): void {
  if (issues.length > 0) throw new ParseError(code, issues);
}
