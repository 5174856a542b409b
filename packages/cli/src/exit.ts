// Exit codes (DESIGN §6): 0 verified and allowed, 1 not trusted or denied, 2 usage or configuration, 3 could not decide.
import type { VouchErrorCode } from 'vouch';

export const EXIT_OK = 0;
export const EXIT_UNTRUSTED = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNDECIDED = 3;

export type ExitCode = typeof EXIT_OK | typeof EXIT_UNTRUSTED | typeof EXIT_USAGE | typeof EXIT_UNDECIDED;

// Exhaustive over the closed code union, so a new code cannot fall through to 0 by accident.
// Malformed evidence (bundle, envelope, statement) is "not trusted"; malformed configuration is a usage error.
const EXIT_BY_CODE: Readonly<Record<VouchErrorCode, ExitCode>> = {
  ERR_MALFORMED_JSON: EXIT_USAGE,
  ERR_MALFORMED_BASE64: EXIT_UNTRUSTED,
  ERR_MALFORMED_HEX: EXIT_UNTRUSTED,
  ERR_MALFORMED_DIGEST: EXIT_USAGE,
  ERR_MALFORMED_REFERENCE: EXIT_USAGE,
  ERR_MALFORMED_KEY: EXIT_USAGE,
  ERR_MALFORMED_ENVELOPE: EXIT_UNTRUSTED,
  ERR_MALFORMED_STATEMENT: EXIT_UNTRUSTED,
  ERR_MALFORMED_PREDICATE: EXIT_UNTRUSTED,
  ERR_MALFORMED_BUNDLE: EXIT_UNTRUSTED,
  ERR_MALFORMED_PAYLOAD: EXIT_UNTRUSTED,
  ERR_MALFORMED_SIGNATURE: EXIT_UNTRUSTED,
  ERR_UNSUPPORTED_KEY: EXIT_USAGE,
  ERR_UNSUPPORTED_ALGORITHM: EXIT_USAGE,
  ERR_KEY_DECRYPT: EXIT_USAGE,
  ERR_PASSWORD_REQUIRED: EXIT_USAGE,
  ERR_SIGNATURE_INVALID: EXIT_UNTRUSTED,
  ERR_NO_SIGNATURES: EXIT_UNTRUSTED,
  ERR_UNTRUSTED_KEY: EXIT_UNTRUSTED,
  ERR_THRESHOLD_NOT_MET: EXIT_UNTRUSTED,
  ERR_DIGEST_MISMATCH: EXIT_UNTRUSTED,
  ERR_PAYLOAD_TYPE: EXIT_UNTRUSTED,
  ERR_PREDICATE_TYPE: EXIT_UNTRUSTED,
  ERR_UNSUPPORTED_MEDIA_TYPE: EXIT_UNTRUSTED,
  ERR_USAGE: EXIT_USAGE,
  ERR_IO: EXIT_UNDECIDED,
  ERR_INTERNAL: EXIT_UNDECIDED,
};

/** The exit code for a code; anything unknown could not be decided (3), never 0. */
export function exitCodeFor(code: string | undefined): ExitCode {
  if (code !== undefined && Object.hasOwn(EXIT_BY_CODE, code)) return EXIT_BY_CODE[code as VouchErrorCode];
  return EXIT_UNDECIDED;
}
