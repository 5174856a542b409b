// The trusted GitHub builders of slsa-verifier, its builder-id matching rules, and its builder and source tag checks.
import { VerificationError } from '@vouch/core';
import { isReleaseTag, parseGoSemver, versionedTagMismatch } from './semver.js';

const GENERATOR = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows';

/** The builder ids (reusable workflows) slsa-verifier knows, without their `@ref`. */
export const GITHUB_BUILDER_IDS = Object.freeze({
  genericGenerator: `${GENERATOR}/generator_generic_slsa3.yml`,
  containerGenerator: `${GENERATOR}/generator_container_slsa3.yml`,
  go: `${GENERATOR}/builder_go_slsa3.yml`,
  containerBased: `${GENERATOR}/builder_container-based_slsa3.yml`,
  genericDelegator: `${GENERATOR}/delegator_generic_slsa3.yml`,
  lowPermsDelegator: `${GENERATOR}/delegator_lowperms-generic_slsa3.yml`,
  npmCliLegacy: 'https://github.com/actions/runner',
  npmCliHosted: 'https://github.com/actions/runner/github-hosted',
  npmCliSelfHosted: 'https://github.com/actions/runner/self-hosted',
  bcrReleaser: 'https://github.com/bazel-contrib/.github/.github/workflows/release_ruleset.yaml',
  bcrPublisher: 'https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml',
});

/** The delegator (BYOB) workflows: they sign for the builder named in the provenance. */
export const TRUSTED_DELEGATOR_BUILDERS: ReadonlySet<string> = new Set([
  GITHUB_BUILDER_IDS.genericDelegator,
  GITHUB_BUILDER_IDS.lowPermsDelegator,
]);

/** The builders `verify-artifact` trusts by default: the artifact generators and the delegators. */
export const TRUSTED_ARTIFACT_BUILDERS: ReadonlySet<string> = new Set([
  GITHUB_BUILDER_IDS.genericGenerator,
  GITHUB_BUILDER_IDS.go,
  GITHUB_BUILDER_IDS.containerBased,
  ...TRUSTED_DELEGATOR_BUILDERS,
]);

/** The builders `verify-image` trusts by default. */
export const TRUSTED_CONTAINER_BUILDERS: ReadonlySet<string> = new Set([
  GITHUB_BUILDER_IDS.containerGenerator,
]);

/** The repository of the trusted generators, and the end-to-end test repository the testing switch covers. */
export const TRUSTED_BUILDER_REPOSITORY = 'slsa-framework/slsa-github-generator';
export const E2E_TEST_REPOSITORY = 'slsa-framework/example-package';
export const JRELEASER_REPOSITORY = 'https://github.com/jreleaser/release-action';

/** A builder id split at its `@`: the workflow and its ref (`''` when it has none). */
export interface BuilderId {
  readonly name: string;
  readonly version: string;
}

/**
 * Splits a builder id `name@version`. Only one `@` is allowed, and the version cannot be empty.
 *
 * @throws VerificationError `ERR_SLSA_INVALID_BUILDER_ID` for more than one `@`, an empty version, or a
 *   missing version when `needVersion`
 * @example
 * ```ts
 * parseBuilderId({ id: 'https://github.com/o/r/.github/workflows/b.yml@refs/tags/v1.0.0', needVersion: true });
 * // { name: 'https://github.com/o/r/.github/workflows/b.yml', version: 'refs/tags/v1.0.0' }
 * ```
 */
export function parseBuilderId(options: { readonly id: string; readonly needVersion: boolean }): BuilderId {
  const parts = options.id.split('@');
  const [name = '', version] = parts;
  if (parts.length === 2 && version !== '' && version !== undefined) return Object.freeze({ name, version });
  if (parts.length === 1 && !options.needVersion) return Object.freeze({ name, version: '' });
  throw new VerificationError(
    'ERR_SLSA_INVALID_BUILDER_ID',
    `invalid builder id ${JSON.stringify(options.id)}: expected name${options.needVersion ? '@version' : '[@version]'}`,
  );
}

/** The string form of a builder id: `name@version`, or the name alone. */
export function builderIdString(id: BuilderId): string {
  return id.version === '' ? id.name : `${id.name}@${id.version}`;
}

/**
 * Whether `expected` names `builder`: the names must be equal; a version in `expected`, when given (always when
 * `full`), must equal the builder's, where `vX.Y.Z` also matches `refs/tags/vX.Y.Z`.
 *
 * @throws VerificationError `ERR_SLSA_BUILDER_MISMATCH` when it does not, `ERR_SLSA_INVALID_BUILDER_ID` when
 *   `expected` is not a builder id
 * @example
 * ```ts
 * const builder = parseBuilderId({ id: 'https://x/b.yml@refs/tags/v1.2.3', needVersion: true });
 * matchBuilderId({ builder, expected: 'https://x/b.yml', full: false }); // ok
 * matchBuilderId({ builder, expected: 'https://x/b.yml@v1.2.3', full: true }); // ok
 * ```
 */
export function matchBuilderId(options: {
  readonly builder: BuilderId;
  readonly expected: string;
  readonly full: boolean;
}): void {
  const { builder } = options;
  const expected = parseBuilderId({ id: options.expected, needVersion: false });
  if (expected.name !== builder.name) {
    throw new VerificationError(
      'ERR_SLSA_BUILDER_MISMATCH',
      `builder id: expected name ${JSON.stringify(expected.name)}, found ${JSON.stringify(builder.name)}`,
    );
  }
  if (!options.full && expected.version === '') return;
  if (expected.version === builder.version || `refs/tags/${expected.version}` === builder.version) return;
  throw new VerificationError(
    'ERR_SLSA_BUILDER_MISMATCH',
    `builder id: expected version ${JSON.stringify(expected.version)}, found ${JSON.stringify(builder.version)}`,
  );
}

/**
 * Checks that a builder is referenced at a release tag `refs/tags/vX.Y.Z`. With `testing` (the testing switch),
 * a prerelease `vX.Y.Z-rc.N` is accepted too.
 *
 * @throws VerificationError `ERR_SLSA_INVALID_REF` otherwise
 * @example
 * ```ts
 * assertBuilderTag({ ref: 'refs/tags/v1.9.0', testing: false }); // ok
 * assertBuilderTag({ ref: 'refs/heads/main', testing: false }); // throws ERR_SLSA_INVALID_REF
 * ```
 */
export function assertBuilderTag(options: { readonly ref: string; readonly testing: boolean }): void {
  if (!isReleaseTag({ tag: tagName(options.ref), allowPrerelease: options.testing })) {
    throw new VerificationError(
      'ERR_SLSA_INVALID_REF',
      `builder ref ${JSON.stringify(options.ref)}: expected a release tag refs/tags/vX.Y.Z`,
    );
  }
}

/**
 * Checks a JReleaser builder's tag: `refs/tags/vX.Y.Z-<language>`, where the language is `java`.
 *
 * @throws VerificationError `ERR_SLSA_INVALID_REF` otherwise
 * @example
 * ```ts
 * assertJreleaserBuilderTag({ ref: 'refs/tags/v1.0.0-java' }); // ok
 * ```
 */
export function assertJreleaserBuilderTag(options: { readonly ref: string }): void {
  const pin = tagName(options.ref);
  const p = parseGoSemver(pin);
  if (p === undefined || pin.split('.').length !== 3 || p.prerelease !== '-java' || p.build !== '') {
    throw new VerificationError(
      'ERR_SLSA_INVALID_REF',
      `builder ref ${JSON.stringify(options.ref)}: expected refs/tags/vX.Y.Z-java`,
    );
  }
}

function tagName(ref: string): string {
  const prefix = 'refs/tags/';
  const name = ref.startsWith(prefix) ? ref.slice(prefix.length) : '';
  if (name === '') {
    throw new VerificationError(
      'ERR_SLSA_INVALID_REF',
      `invalid ref ${JSON.stringify(ref)}: expected refs/tags/<tag>`,
    );
  }
  return name;
}

/**
 * Checks `--source-versioned-tag`: the provenance's tag must be semver-compatible with `expected` (`v1`,
 * `v1.2` or `v1.2.3`): same major, and the same minor and patch when `expected` gives them. A prerelease is part of
 * the patch (`v1.2.3-rc.1` does not match `v1.2.3`).
 *
 * @throws VerificationError `ERR_SLSA_VERSIONED_TAG_MISMATCH` when either is not semver or they differ
 * @example
 * ```ts
 * assertVersionedTag({ tag: 'v1.2.3', expected: 'v1.2' }); // ok
 * assertVersionedTag({ tag: 'v1.2.3', expected: 'v2' }); // throws
 * ```
 */
export function assertVersionedTag(options: { readonly tag: string; readonly expected: string }): void {
  const why = versionedTagMismatch({ provenanceTag: options.tag, expectedTag: options.expected });
  if (why !== undefined)
    throw new VerificationError('ERR_SLSA_VERSIONED_TAG_MISMATCH', `versioned tag: ${why}`);
}

/** The outcome of checking a signing workflow against the trusted builders. */
export interface TrustedBuilder {
  /** The signing workflow with its ref (`…/builder_go_slsa3.yml@refs/tags/v1.4.0`). */
  readonly id: BuilderId;
  /** Whether it is a delegator (BYOB): the real builder is then the one the provenance names. */
  readonly delegator: boolean;
}

/**
 * Checks the workflow that signed (`name` at `ref`, from the certificate) against the trusted builders and
 * `--builder-id`. Without `expectedBuilderId`, the workflow must be one of `trusted`. With it, a trusted
 * delegator is accepted as is (the provenance's builder is matched later); any other workflow must match it
 * by name (and version when it gives one).
 *
 * @throws VerificationError `ERR_SLSA_UNTRUSTED_BUILDER` (not trusted, or not the expected builder),
 *   `ERR_SLSA_INVALID_BUILDER_ID` (a name or ref with `@`)
 * @example
 * ```ts
 * const b = verifyTrustedBuilderId({
 *   name: GITHUB_BUILDER_IDS.go, ref: 'refs/tags/v1.4.0', trusted: TRUSTED_ARTIFACT_BUILDERS,
 * });
 * b.delegator; // false
 * ```
 */
export function verifyTrustedBuilderId(options: {
  readonly name: string;
  readonly ref: string;
  readonly expectedBuilderId?: string;
  readonly trusted: ReadonlySet<string>;
}): TrustedBuilder {
  const { name, ref, expectedBuilderId, trusted } = options;
  const untrusted = (why: string): VerificationError =>
    new VerificationError(
      'ERR_SLSA_UNTRUSTED_BUILDER',
      `untrusted reusable workflow ${JSON.stringify(name)}: ${why}`,
    );
  if (expectedBuilderId === undefined || expectedBuilderId === '') {
    if (!trusted.has(name)) throw untrusted('not a trusted builder and no --builder-id given');
  }
  const id = parseBuilderId({ id: `${name}@${ref}`, needVersion: true });
  const delegator = TRUSTED_DELEGATOR_BUILDERS.has(id.name) && trusted.has(id.name);
  if (expectedBuilderId === undefined || expectedBuilderId === '' || delegator) {
    return Object.freeze({ id, delegator });
  }
  try {
    matchBuilderId({ builder: id, expected: expectedBuilderId, full: false });
  } catch (error) {
    throw untrusted(error instanceof Error ? error.message : String(error));
  }
  return Object.freeze({ id, delegator: false });
}
