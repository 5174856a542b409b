// `--source-versioned-tag` as slsa-verifier's utils.VerifyVersionedTag does it, over Go's golang.org/x/mod/semver rules.

const NUMBER = '(?:0|[1-9][0-9]*)';
const IDENTIFIER = '[0-9A-Za-z-]+';
// vMAJOR, vMAJOR.MINOR (shorthands, no pre-release or build), or vMAJOR.MINOR.PATCH[-pre][+build].
const SEMVER = new RegExp(
  `^v(${NUMBER})(?:\\.(${NUMBER})(?:\\.(${NUMBER})(-${IDENTIFIER}(?:\\.${IDENTIFIER})*)?(\\+${IDENTIFIER}(?:\\.${IDENTIFIER})*)?)?)?$`,
);

interface Parsed {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly prerelease: string;
  readonly build: string;
}

function parse(v: string): Parsed | undefined {
  const m = SEMVER.exec(v);
  if (m === null) return undefined;
  const [, major = '', minor, patch, prerelease = '', build = ''] = m;
  // Go refuses numeric pre-release identifiers with leading zeros.
  if (
    prerelease
      .slice(1)
      .split('.')
      .some((id) => /^0[0-9]+$/.test(id))
  )
    return undefined;
  return { major, minor: minor ?? '0', patch: patch ?? '0', prerelease, build };
}

/** Go's `semver.Canonical`: `v1` → `v1.0.0`, build metadata dropped; `''` when invalid. */
function canonical(v: string): string {
  const p = parse(v);
  return p === undefined ? '' : `v${p.major}.${p.minor}.${p.patch}${p.prerelease}`;
}

/** The `i`th dot-separated part of `v`, as upstream's extractFromVersion (no semantic parsing). */
function part(v: string, i: number): string | undefined {
  return v.split('.')[i];
}

/**
 * Whether the provenance's tag satisfies `--source-versioned-tag`: same major, and the same minor and patch when
 * the expected tag names them. Returns the reason it does not, or `undefined` when it does.
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
  const expected = parse(expectedTag);
  if (expected === undefined) return `expected tag ${JSON.stringify(expectedTag)} is not a semantic version`;
  const semTag = canonical(provenanceTag);
  const found = parse(semTag);
  if (found === undefined) return `provenance tag ${JSON.stringify(provenanceTag)} is not a semantic version`;
  if (found.major !== expected.major) {
    return `major version expected "v${expected.major}", found "v${found.major}"`;
  }
  const expectedMinor = part(expectedTag, 1);
  if (expectedMinor !== undefined) {
    const minor = part(semTag, 1);
    if (minor !== expectedMinor) return `minor version expected "${expectedMinor}", found "${minor}"`;
  }
  const expectedPatchPart = part(expectedTag, 2);
  if (expectedPatchPart !== undefined) {
    const expectedPatch = expectedPatchPart.endsWith(expected.build)
      ? expectedPatchPart.slice(0, expectedPatchPart.length - expected.build.length)
      : expectedPatchPart;
    const patchPart = part(semTag, 2) ?? '';
    if (patchPart !== expectedPatch) return `patch version expected "${expectedPatch}", found "${patchPart}"`;
  }
  return undefined;
}
