// Key-based blob signatures: the image-signature format with the file's digest (and optional name) as the subject.
import type { BundleJson } from './bundle.js';
import type { Digest } from './digest.js';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  type StatementVerification,
  signStatementBundle,
  type VerifyStatementBundleOptions,
  verifyStatementBundle,
} from './image-signature.js';
import type { PrivateKey } from './keys/index.js';

/**
 * Signs a blob by its digest (computed by the caller, e.g. with `digestStream` over the file): an in-toto
 * Statement v1 with subject `{ name?, digest }`, predicateType `https://sigstore.dev/cosign/sign/v1`,
 * predicate `{}`, in DSSE, in a bundle v0.3 whose public-key hint is the key id.
 *
 * @throws ParseError `ERR_MALFORMED_DIGEST` or `ERR_MALFORMED_STATEMENT` (e.g. an empty name)
 * @example
 * ```ts
 * const digest = await digestStream(createReadStream('app.tar.gz'));
 * const bundle = signBlob({ digest, name: 'app.tar.gz', key: privateKey });
 * ```
 */
export function signBlob(options: {
  readonly digest: Digest | string;
  readonly name?: string;
  readonly key: PrivateKey;
}): BundleJson {
  return signStatementBundle({
    digest: options.digest,
    ...(options.name === undefined ? {} : { name: options.name }),
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    predicate: {},
    key: options.key,
  });
}

/**
 * Verifies a blob signature bundle for the blob's digest: the same checks and error codes as
 * `verifyImageSignature` (one implementation, {@link verifyStatementBundle}). The subject's name is returned in
 * `subject.name` but not required to match anything: the digest is what identifies the blob.
 *
 * @example
 * ```ts
 * const result = await verifyBlob({ bundle, digest: await digestStream(file), keys: [publicKey] });
 * result.subject.name; // 'app.tar.gz'
 * ```
 */
export function verifyBlob(options: VerifyStatementBundleOptions): Promise<StatementVerification> {
  return verifyStatementBundle({
    ...options,
    predicateType: options.predicateType ?? COSIGN_SIGN_PREDICATE_TYPE,
  });
}
