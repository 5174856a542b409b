// The predicate types attestations are filed under, and the short names cosign's `--type` accepts for them.
import { UsageError } from '@vouch/core';

/** cosign's (and vouch's) `--type` names and the predicate type URI each stands for. */
export const PREDICATE_TYPE_NAMES: Readonly<Record<string, string>> = Object.freeze({
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  vsa: 'https://slsa.dev/verification_summary/v1',
  link: 'https://in-toto.io/Link/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
  custom: 'https://cosign.sigstore.dev/attestation/v1',
});

/**
 * The predicate type a `--type` value means: a short name from {@link PREDICATE_TYPE_NAMES}, or a URI taken as given.
 *
 * @throws UsageError `ERR_USAGE` for anything else (an unknown name would otherwise match no attestation silently)
 * @example
 * ```ts
 * resolvePredicateType('slsaprovenance1'); // 'https://slsa.dev/provenance/v1'
 * resolvePredicateType('https://example.com/predicate/v1'); // as given
 * ```
 */
export function resolvePredicateType(name: string): string {
  const known = PREDICATE_TYPE_NAMES[name.toLowerCase()];
  if (known !== undefined) return known;
  if (/^[a-z][a-z0-9+.-]*:\S+$/i.test(name)) return name;
  throw new UsageError(
    'ERR_USAGE',
    `--type: expected a URI or one of ${Object.keys(PREDICATE_TYPE_NAMES).join(', ')}, found ${JSON.stringify(name.slice(0, 80))}`,
  );
}
