// Go's golang.org/x/mod/semver rules (leading `v`, `v1`/`v1.2` shorthands) as slsa-verifier applies them to tags.

/** A semantic version as Go's golang.org/x/mod/semver reads it; `minor`/`patch` are `'0'` in a shorthand. */
export interface GoSemver {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  /** `v1` or `v1.2`: Go allows neither a pre-release nor build metadata on these. */
  readonly short: boolean;
  /** With its leading `-`, or `''`. */
  readonly prerelease: string;
  /** With its leading `+`, or `''`. */
  readonly build: string;
}

const NUMBER = '(0|[1-9][0-9]*)';
const IDENTIFIER = '[0-9A-Za-z-]+';
const SEMVER = new RegExp(
  `^v${NUMBER}(?:\\.${NUMBER}(?:\\.${NUMBER}(-${IDENTIFIER}(?:\\.${IDENTIFIER})*)?(\\+${IDENTIFIER}(?:\\.${IDENTIFIER})*)?)?)?$`,
);

/**
 * Parses `v` as Go's `semver.IsValid` accepts it; `undefined` when it is not valid.
 *
 * @example
 * ```ts
 * parseGoSemver('v1.2')?.patch; // '0'
 * parseGoSemver('v1.2.3-rc.1+b')?.prerelease; // '-rc.1'
 * parseGoSemver('1.2.3'); // undefined
 * ```
 */
export function parseGoSemver(v: string): GoSemver | undefined {
  const m = SEMVER.exec(v);
  if (m === null) return undefined;
  const prerelease = m[4] ?? '';
  // Go refuses numeric pre-release identifiers with leading zeros.
  if (
    prerelease
      .slice(1)
      .split('.')
      .some((id) => /^0[0-9]+$/.test(id))
  )
    return undefined;
  return {
    major: m[1] ?? '0',
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    short: m[3] === undefined,
    prerelease,
    build: m[5] ?? '',
  };
}

/**
 * Go's `semver.Canonical`: `v1` → `v1.0.0`, build metadata dropped; `''` when invalid.
 *
 * @example
 * ```ts
 * canonicalGoSemver('v1.2+meta'); // 'v1.2.0'
 * ```
 */
export function canonicalGoSemver(v: string): string {
  const p = parseGoSemver(v);
  return p === undefined ? '' : `v${p.major}.${p.minor}.${p.patch}${p.prerelease}`;
}

/**
 * Whether `tag` is a builder release tag `vX.Y.Z` (slsa-verifier's builder ref rule); with `allowPrerelease`
 * (the testing switch) `vX.Y.Z-rc.N` is accepted too. Build metadata never is.
 *
 * @example
 * ```ts
 * isReleaseTag({ tag: 'v1.9.0', allowPrerelease: false }); // true
 * isReleaseTag({ tag: 'v1.9.0-rc.1', allowPrerelease: false }); // false
 * ```
 */
export function isReleaseTag(options: { readonly tag: string; readonly allowPrerelease: boolean }): boolean {
  const { tag, allowPrerelease } = options;
  const p = parseGoSemver(tag);
  if (p === undefined || p.build !== '') return false;
  return allowPrerelease
    ? (tag.split('-')[0] ?? '').split('.').length === 3
    : tag.split('.').length === 3 && p.prerelease === '';
}

/**
 * Whether the provenance's tag satisfies `--source-versioned-tag` as slsa-verifier's utils.VerifyVersionedTag
 * decides: same major, and the same minor and patch when the expected tag names them (a pre-release is part of the
 * patch). Returns why it does not, or `undefined` when it does.
 *
 * @example
 * ```ts
 * versionedTagMismatch({ provenanceTag: 'v1.2.3', expectedTag: 'v1.2' }); // undefined
 * versionedTagMismatch({ provenanceTag: 'v2.0.0', expectedTag: 'v1' }); // 'major version expected "v1", found "v2"'
 * ```
 */
export function versionedTagMismatch(options: {
  readonly provenanceTag: string;
  readonly expectedTag: string;
}): string | undefined {
  const { provenanceTag, expectedTag } = options;
  const expected = parseGoSemver(expectedTag);
  if (expected === undefined) return `expected tag ${JSON.stringify(expectedTag)} is not a semantic version`;
  const semTag = canonicalGoSemver(provenanceTag);
  if (semTag === '') return `provenance tag ${JSON.stringify(provenanceTag)} is not a semantic version`;
  // Upstream compares the dot-separated parts as text (extractFromVersion), not the parsed numbers.
  const found = semTag.split('.');
  const wanted = expectedTag.split('.');
  if (found[0] !== `v${expected.major}`)
    return `major version expected "v${expected.major}", found "${found[0]}"`;
  const expectedMinor = wanted[1];
  if (expectedMinor !== undefined && found[1] !== expectedMinor) {
    return `minor version expected "${expectedMinor}", found "${found[1]}"`;
  }
  const expectedPatchPart = wanted[2];
  if (expectedPatchPart !== undefined) {
    const expectedPatch =
      expected.build !== '' && expectedPatchPart.endsWith(expected.build)
        ? expectedPatchPart.slice(0, -expected.build.length)
        : expectedPatchPart;
    if (found[2] !== expectedPatch) return `patch version expected "${expectedPatch}", found "${found[2]}"`;
  }
  return undefined;
}
