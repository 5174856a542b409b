// Runs @sigstore/core's DER parser without stack traces: it probes every OCTET STRING for nested DER and
// swallows the failures, and capturing a stack for each of those throws was most of a certificate's parse time.

/**
 * Runs `parse` (a synchronous call into @sigstore/core's ASN.1 parser, nothing else) with
 * `Error.stackTraceLimit` 0, restoring it before returning or throwing. Verdicts are unchanged: only errors
 * created inside `parse` lack a stack, and callers wrap those in their own `ParseError`.
 *
 * @example
 * ```ts
 * const cert = parseQuietly(() => X509Certificate.parse(der));
 * ```
 */
export function parseQuietly<T>(parse: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parse();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
