// Test support: the verdict of sigstore-js (@sigstore/verify 4.1.3, a devDependency) on a bundle, for cross-checks.
import { createRequire } from 'node:module';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, type VerificationPolicy, Verifier } from '@sigstore/verify';

type ProtoTrustedRoot = Parameters<typeof toTrustMaterial>[0];
// protobuf-specs is a dependency of @sigstore/verify, not of this workspace: load it from beside that package.
const protobufSpecs = createRequire(createRequire(import.meta.url).resolve('@sigstore/verify'))(
  '@sigstore/protobuf-specs',
) as { TrustedRoot: { fromJSON(json: unknown): ProtoTrustedRoot } };

/**
 * Verifies a bundle (JSON value) with `@sigstore/verify`'s `Verifier` and its default thresholds; `'pass'`, or
 * `'fail: <message>'` for whatever it throws (its bundle, trust-material and verification errors alike).
 *
 * @example
 * ```ts
 * expect(sigstoreJsVerdict({ bundle, trustedRoot, artifact, policy: { subjectAlternativeName: san } })).toBe('pass');
 * ```
 */
export function sigstoreJsVerdict(options: {
  readonly bundle: unknown;
  readonly trustedRoot: unknown;
  readonly artifact: Uint8Array;
  readonly policy?: VerificationPolicy;
}): string {
  try {
    const verifier = new Verifier(toTrustMaterial(protobufSpecs.TrustedRoot.fromJSON(options.trustedRoot)));
    const entity = toSignedEntity(bundleFromJSON(options.bundle), Buffer.from(options.artifact));
    verifier.verify(entity, options.policy);
    return 'pass';
  } catch (e) {
    return `fail: ${e instanceof Error ? e.message : String(e)}`;
  }
}
