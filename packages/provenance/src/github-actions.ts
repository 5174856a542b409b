// slsa-verifier's GitHub Actions checks of verified provenance: signer workflow, builder id, source, refs, inputs.
import { type CertificateIdentity, type Statement, VouchError, type VouchErrorCode } from '@vouch/core';
import {
  assertBuilderTag,
  assertJreleaserBuilderTag,
  assertVersionedTag,
  type BuilderId,
  builderIdString,
  E2E_TEST_REPOSITORY,
  GITHUB_BUILDER_IDS,
  JRELEASER_REPOSITORY,
  matchBuilderId,
  parseBuilderId,
  TRUSTED_ARTIFACT_BUILDERS,
  TRUSTED_BUILDER_REPOSITORY,
  TRUSTED_DELEGATOR_BUILDERS,
  verifyTrustedBuilderId,
} from './github-builders.js';
import {
  GITHUB_BUILD_TYPES,
  gitRefName,
  normalizeGitUri,
  normalizeProvenance,
  type ProvenanceView,
  parseGitUriAndRef,
  provenanceView,
} from './normalize.js';
import {
  type SlsaCheck,
  type SlsaCheckId,
  type SlsaPolicy,
  type SlsaVerification,
  SlsaVerificationError,
} from './slsa-types.js';

const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
const HTTPS_GITHUB = 'https://github.com/';

/** What the Fulcio certificate says about the GitHub Actions run that signed, as slsa-verifier reads it. */
export interface WorkflowIdentity {
  readonly issuer: string;
  /** `owner/repo` of the repository whose workflow ran. */
  readonly sourceRepository: string;
  readonly sourceSha1: string;
  readonly sourceRef?: string;
  readonly sourceId?: string;
  readonly sourceOwnerId?: string;
  /** The signing (reusable) workflow without its ref, and the ref: the SAN split at its last `@`. */
  readonly workflowName: string;
  readonly workflowRef: string;
  readonly workflowSha1?: string;
  readonly runnerEnvironment?: string;
  readonly buildTrigger: string;
  readonly buildConfigPath?: string;
  readonly runId?: string;
}

class CheckFailure extends VouchError {}

function failure(code: VouchErrorCode, message: string): CheckFailure {
  return new CheckFailure(code, message);
}

// Deprecated (.2, .3, .5) and current extensions carry the same claim: when both are set they must agree.
function sameClaim(name: string, deprecated: string | undefined, current: string | undefined): string {
  const d = deprecated ?? '';
  const c = current ?? '';
  if (d !== '' && c !== '' && d !== c) {
    throw failure(
      'ERR_SLSA_CERTIFICATE_MISMATCH',
      `certificate ${name}: ${JSON.stringify(d)} != ${JSON.stringify(c)}`,
    );
  }
  if (d === '' && c === '')
    throw failure('ERR_MALFORMED_CERTIFICATE', `certificate ${name}: the claim is absent`);
  return c !== '' ? c : d;
}

function optional(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads the GitHub Actions workflow identity from a Fulcio certificate's SAN and extensions, requiring the
 * deprecated and current extensions to agree (trigger, commit, repository) as slsa-verifier does.
 *
 * @throws VouchError `ERR_SLSA_CERTIFICATE_MISMATCH` when claims disagree, `ERR_MALFORMED_CERTIFICATE` when a
 *   required claim is missing or the SAN is not a workflow URI
 * @example
 * ```ts
 * const wf = workflowIdentity(extractIdentity(certificateDer));
 * console.log(wf.workflowName, wf.workflowRef, wf.sourceRepository);
 * ```
 */
export function workflowIdentity(certificate: CertificateIdentity): WorkflowIdentity {
  const ext = certificate.extensions;
  const san = certificate.subjectAlternativeName;
  const buildTrigger = sameClaim('build trigger', ext.githubWorkflowTrigger, ext.buildTrigger);
  const sourceSha1 = sameClaim('source digest', ext.githubWorkflowSha, ext.sourceRepositoryDigest);
  if (
    ext.buildConfigDigest !== undefined &&
    ext.buildConfigDigest !== '' &&
    ext.buildConfigDigest !== sourceSha1
  ) {
    throw failure(
      'ERR_SLSA_CERTIFICATE_MISMATCH',
      `certificate build config digest ${JSON.stringify(ext.buildConfigDigest)} != source digest ${JSON.stringify(sourceSha1)}`,
    );
  }
  const issuer = ext.issuer ?? '';
  if (issuer === '') throw failure('ERR_MALFORMED_CERTIFICATE', 'certificate issuer: the claim is absent');
  const deprecatedRepo = ext.githubWorkflowRepository ?? '';
  const repoUri = ext.sourceRepositoryUri ?? '';
  if (deprecatedRepo !== '' && repoUri !== '' && HTTPS_GITHUB + deprecatedRepo !== repoUri) {
    throw failure(
      'ERR_SLSA_CERTIFICATE_MISMATCH',
      `certificate source repository: ${JSON.stringify(HTTPS_GITHUB + deprecatedRepo)} != ${JSON.stringify(repoUri)}`,
    );
  }
  const trimmed = repoUri.startsWith(HTTPS_GITHUB) ? repoUri.slice(HTTPS_GITHUB.length) : repoUri;
  const sourceRepository = trimmed === '' ? deprecatedRepo : trimmed;
  let buildConfigPath: string | undefined;
  const configUri = ext.buildConfigUri ?? '';
  if (configUri !== '') {
    const parts = configUri.split('@');
    const prefix = `${HTTPS_GITHUB}${sourceRepository}/`;
    if (parts.length !== 2 || !(parts[0] ?? '').startsWith(prefix)) {
      throw failure(
        'ERR_MALFORMED_CERTIFICATE',
        `certificate build config URI ${JSON.stringify(configUri)}: expected ${prefix}<path>@<ref>`,
      );
    }
    buildConfigPath = optional((parts[0] ?? '').slice(prefix.length));
  }
  const runPrefix = `${HTTPS_GITHUB}${sourceRepository}/actions/runs/`;
  const runUri = ext.runInvocationUri ?? '';
  const runId = optional(runUri.startsWith(runPrefix) ? runUri.slice(runPrefix.length) : runUri);
  let url: URL;
  try {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(san)) throw new Error('not a URI');
    url = new URL(san);
  } catch {
    throw failure(
      'ERR_MALFORMED_CERTIFICATE',
      `certificate SAN ${JSON.stringify(san)}: expected a workflow URI`,
    );
  }
  if (!url.pathname.startsWith('/')) {
    throw failure('ERR_MALFORMED_CERTIFICATE', `certificate SAN ${JSON.stringify(san)}: expected a path`);
  }
  const at = url.pathname.lastIndexOf('@');
  const path = at === -1 ? url.pathname : url.pathname.slice(0, at);
  const workflowRef = at === -1 ? '' : url.pathname.slice(at + 1);
  const hosted = ext.runnerEnvironment;
  const identity: Record<string, string | undefined> = {
    issuer,
    sourceRepository,
    sourceSha1,
    sourceRef: optional(ext.sourceRepositoryRef),
    sourceId: optional(ext.sourceRepositoryIdentifier),
    sourceOwnerId: optional(ext.sourceRepositoryOwnerIdentifier),
    workflowName: `${url.protocol}//${url.host}${path}${url.search}${url.hash}`,
    workflowRef,
    workflowSha1: optional(ext.buildSignerDigest),
    runnerEnvironment: hosted === 'github-hosted' || hosted === 'self-hosted' ? hosted : undefined,
    buildTrigger,
    buildConfigPath,
    runId,
  };
  for (const [k, v] of Object.entries(identity)) if (v === undefined) delete identity[k];
  return Object.freeze(identity as unknown as WorkflowIdentity);
}

/** Which build types each builder produces, per SLSA version: slsa-verifier reads no other combination. */
const BUILD_TYPES: Readonly<Record<'0.2' | '1', ReadonlyMap<string, readonly string[]>>> = {
  '0.2': new Map([
    [GITHUB_BUILDER_IDS.genericDelegator, [GITHUB_BUILD_TYPES.byobV0]],
    [GITHUB_BUILDER_IDS.lowPermsDelegator, [GITHUB_BUILD_TYPES.byobV0]],
    [
      GITHUB_BUILDER_IDS.go,
      [GITHUB_BUILD_TYPES.goV1, GITHUB_BUILD_TYPES.legacyV1, GITHUB_BUILD_TYPES.legacyGoV1],
    ],
    [GITHUB_BUILDER_IDS.genericGenerator, [GITHUB_BUILD_TYPES.genericV1]],
    [GITHUB_BUILDER_IDS.containerGenerator, [GITHUB_BUILD_TYPES.containerV1]],
    [GITHUB_BUILDER_IDS.npmCliLegacy, [GITHUB_BUILD_TYPES.npmCliV1, GITHUB_BUILD_TYPES.npmCliV2]],
    [GITHUB_BUILDER_IDS.npmCliHosted, [GITHUB_BUILD_TYPES.npmCliV1, GITHUB_BUILD_TYPES.npmCliV2]],
  ]),
  '1': new Map([
    [GITHUB_BUILDER_IDS.genericDelegator, [GITHUB_BUILD_TYPES.byobV0]],
    [GITHUB_BUILDER_IDS.lowPermsDelegator, [GITHUB_BUILD_TYPES.byobV0]],
    [GITHUB_BUILDER_IDS.containerBased, [GITHUB_BUILD_TYPES.containerBasedV01Draft]],
    [GITHUB_BUILDER_IDS.npmCliHosted, [GITHUB_BUILD_TYPES.npmCliGithubActionsV1]],
    [GITHUB_BUILDER_IDS.bcrReleaser, [GITHUB_BUILD_TYPES.githubActionsV1]],
    [GITHUB_BUILDER_IDS.bcrPublisher, [GITHUB_BUILD_TYPES.githubActionsV1]],
  ]),
};

/**
 * Checks the build type against the builder that signed: each trusted builder produces known build types only.
 *
 * @throws VouchError `ERR_SLSA_INVALID_BUILDER_ID` for a builder with no known build types, `ERR_SLSA_BUILD_TYPE`
 *   for a build type the builder does not produce
 * @example
 * ```ts
 * assertBuildType({ view: provenanceView(statement), builderName: GITHUB_BUILDER_IDS.go });
 * ```
 */
export function assertBuildType(options: {
  readonly view: ProvenanceView;
  readonly builderName: string;
}): void {
  const { view, builderName } = options;
  const types = BUILD_TYPES[view.slsaVersion].get(builderName);
  if (types === undefined) {
    throw failure(
      'ERR_SLSA_INVALID_BUILDER_ID',
      `no SLSA v${view.slsaVersion} provenance is read for builder ${JSON.stringify(builderName)}`,
    );
  }
  if (!types.includes(view.buildType)) {
    throw failure(
      'ERR_SLSA_BUILD_TYPE',
      `build type ${JSON.stringify(view.buildType)} is not one builder ${JSON.stringify(builderName)} produces`,
    );
  }
}

/**
 * Checks `--source-uri` against the provenance: the trigger (workflow) and the source must both be that
 * repository, with a ref (BYOB and npm CLI v1 sources may omit theirs), and name the same ref.
 *
 * @throws VouchError `ERR_SLSA_SOURCE_MISMATCH` (another repository, a malformed URI, or refs that differ)
 * @example
 * ```ts
 * assertSourceUri({ view: provenanceView(statement), sourceUri: 'github.com/o/r' });
 * ```
 */
export function assertSourceUri(options: {
  readonly view: ProvenanceView;
  readonly sourceUri: string;
}): void {
  const { view } = options;
  const source = normalizeGitUri(options.sourceUri);
  if (!source.startsWith('git+https://github.com/')) {
    throw failure(
      'ERR_SLSA_SOURCE_MISMATCH',
      `--source-uri: expected a github.com repository, found ${JSON.stringify(source)}`,
    );
  }
  const fullTrigger = view.triggerUri();
  const [trigger, triggerRef] = parseGitUriAndRef(fullTrigger);
  if (trigger !== source) {
    throw failure(
      'ERR_SLSA_SOURCE_MISMATCH',
      `source: expected the trigger ${JSON.stringify(fullTrigger)} to be ${JSON.stringify(source)}`,
    );
  }
  if (triggerRef === '')
    throw failure(
      'ERR_SLSA_SOURCE_MISMATCH',
      `source: the trigger ${JSON.stringify(fullTrigger)} has no ref`,
    );
  const fullSource = view.sourceUri();
  const [sourceUri, sourceRef] = parseGitUriAndRef(fullSource);
  if (sourceUri !== source) {
    throw failure(
      'ERR_SLSA_SOURCE_MISMATCH',
      `source: expected the source ${JSON.stringify(fullSource)} to be ${JSON.stringify(source)}`,
    );
  }
  if (sourceRef === '') {
    if (view.buildType === GITHUB_BUILD_TYPES.npmCliV1 || view.buildType === GITHUB_BUILD_TYPES.byobV0)
      return;
    throw failure('ERR_SLSA_SOURCE_MISMATCH', `source: the source ${JSON.stringify(fullSource)} has no ref`);
  }
  if (fullTrigger !== fullSource) {
    throw failure(
      'ERR_SLSA_SOURCE_MISMATCH',
      `source: the trigger ${JSON.stringify(fullTrigger)} and the source ${JSON.stringify(fullSource)} differ`,
    );
  }
}

// A delegator's provenance names the real builder: it must be pinned at a release tag (JReleaser: -java).
function assertDelegatedBuilderRef(view: ProvenanceView, testing: boolean): void {
  const parts = view.builderId.split('@');
  const [name = '', ref = ''] = parts;
  if (parts.length !== 2) {
    throw failure(
      'ERR_SLSA_INVALID_BUILDER_ID',
      `provenance builder id ${JSON.stringify(view.builderId)}: expected name@ref`,
    );
  }
  if (name.startsWith(JRELEASER_REPOSITORY)) {
    assertJreleaserBuilderTag({ ref });
    return;
  }
  const [uri] = parseGitUriAndRef(view.sourceUri());
  if (
    testing &&
    ref === 'refs/heads/main' &&
    normalizeGitUri(uri) === normalizeGitUri(HTTPS_GITHUB + E2E_TEST_REPOSITORY)
  )
    return;
  assertBuilderTag({ ref, testing: false });
}

/** The builder the provenance was verified against: the signer, or for a delegator the builder it names. */
function provenanceBuilder(options: {
  readonly view: ProvenanceView;
  readonly signer: BuilderId;
  readonly delegator: boolean;
  readonly expectedBuilderId: string | undefined;
  readonly testing: boolean;
}): BuilderId {
  const { view, signer } = options;
  const provBuilder = parseBuilderId({ id: view.builderId, needVersion: false });
  if (!options.delegator) {
    matchBuilderId({ builder: provBuilder, expected: builderIdString(signer), full: true });
    return signer;
  }
  assertDelegatedBuilderRef(view, options.testing);
  let expected = options.expectedBuilderId;
  if (expected === undefined) {
    const prefix = `${HTTPS_GITHUB}${TRUSTED_BUILDER_REPOSITORY}/.github/workflows/`;
    if (!provBuilder.name.startsWith(prefix)) {
      throw failure(
        'ERR_SLSA_INVALID_BUILDER_ID',
        `provenance builder ${JSON.stringify(provBuilder.name)}: without --builder-id it must be under ${prefix}`,
      );
    }
    expected = provBuilder.name;
  }
  matchBuilderId({ builder: provBuilder, expected, full: false });
  return parseBuilderId({ id: view.builderId, needVersion: true });
}

function assertWorkflowInputs(view: ProvenanceView, expected: Readonly<Record<string, string>>): void {
  const inputs = view.workflowInputs();
  for (const [k, v] of Object.entries(expected)) {
    const found = inputs[k];
    if (typeof found !== 'string') {
      throw failure(
        'ERR_SLSA_WORKFLOW_INPUTS_MISMATCH',
        `workflow input ${JSON.stringify(k)}: expected ${JSON.stringify(v)}, found none`,
      );
    }
    if (found !== v) {
      throw failure(
        'ERR_SLSA_WORKFLOW_INPUTS_MISMATCH',
        `workflow input ${JSON.stringify(k)}: expected ${JSON.stringify(v)}, found ${JSON.stringify(found)}`,
      );
    }
  }
}

/** Runs the checks in order, keeping every outcome; a check whose inputs failed earlier is skipped. */
class CheckRun {
  readonly checks: SlsaCheck[] = [];

  run<T>(id: SlsaCheckId, what: string, fn: () => T): T | undefined {
    try {
      const value = fn();
      this.checks.push(Object.freeze({ id, status: 'pass', message: what }));
      return value;
    } catch (error) {
      if (!(error instanceof VouchError)) throw error;
      this.checks.push(
        Object.freeze({ id, status: 'fail', code: error.code, message: `${what}: ${error.message}` }),
      );
      return undefined;
    }
  }

  skip(id: SlsaCheckId, message: string): void {
    this.checks.push(Object.freeze({ id, status: 'skip', message }));
  }
}

/**
 * slsa-verifier's `verify-artifact` checks for GitHub Actions provenance whose envelope and certificate were
 * already verified (signature, chain, log, and the artifact digest among the subjects). In slsa-verifier's
 * order: the certificate's workflow identity; the signer is a trusted builder (or matches `--builder-id`) pinned
 * at a release tag (a branch only with `policy.allowBuilderAtBranch`, as slsa-verifier's testing switch allows);
 * the certificate's repository is `--source-uri`; the build type is one the builder produces; the provenance's
 * builder id is the signer (or, for a delegator, matches `--builder-id`); source and trigger URIs; branch; tag;
 * versioned tag; workflow inputs. Every check is evaluated and reported; the first failure's code is thrown.
 *
 * @throws SlsaVerificationError with the first failed check's code and every check in `checks`
 * @example
 * ```ts
 * const result = verifyGithubActionsProvenance({
 *   statement, certificate: extractIdentity(leafDer),
 *   policy: { sourceUri: 'github.com/slsa-framework/example-package', sourceVersionedTag: 'v1' },
 * });
 * console.log(result.builderId);
 * ```
 */
export function verifyGithubActionsProvenance(options: {
  readonly statement: Statement;
  readonly certificate: CertificateIdentity;
  readonly policy: SlsaPolicy;
  /** The reusable workflows trusted without `--builder-id`; `verify-artifact`'s set by default. */
  readonly trustedBuilders?: ReadonlySet<string>;
}): SlsaVerification {
  const { statement, certificate, policy } = options;
  const trusted = options.trustedBuilders ?? TRUSTED_ARTIFACT_BUILDERS;
  const run = new CheckRun();

  const wf = run.run('certificate', 'certificate workflow identity', () => workflowIdentity(certificate));
  const testingRepo =
    wf !== undefined &&
    (wf.sourceRepository === TRUSTED_BUILDER_REPOSITORY || wf.sourceRepository === E2E_TEST_REPOSITORY);
  const testing = policy.allowBuilderAtBranch === true;

  let signer: BuilderId | undefined;
  let delegator = false;
  if (wf === undefined) run.skip('builder', 'trusted builder: no workflow identity');
  else {
    run.run('builder', 'trusted builder', () => {
      if (wf.issuer !== GITHUB_ACTIONS_ISSUER) {
        throw failure(
          'ERR_SLSA_UNTRUSTED_BUILDER',
          `certificate issuer ${JSON.stringify(wf.issuer)} is not GitHub Actions`,
        );
      }
      if (wf.workflowName === '' || wf.workflowRef === '') {
        throw failure(
          'ERR_SLSA_INVALID_BUILDER_ID',
          `certificate workflow ${JSON.stringify(certificate.subjectAlternativeName)}: expected name@ref`,
        );
      }
      // Later checks still run against the signing workflow when it is untrusted, so every problem is reported.
      const unverified = parseBuilderId({ id: `${wf.workflowName}@${wf.workflowRef}`, needVersion: true });
      signer = unverified;
      delegator = TRUSTED_DELEGATOR_BUILDERS.has(unverified.name) && trusted.has(unverified.name);
      const found = verifyTrustedBuilderId({
        name: wf.workflowName,
        ref: wf.workflowRef,
        trusted,
        ...(policy.builderId === undefined ? {} : { expectedBuilderId: policy.builderId }),
      });
      signer = found.id;
      delegator = found.delegator;
      if (!(testing && testingRepo && wf.workflowRef === 'refs/heads/main')) {
        assertBuilderTag({ ref: wf.workflowRef, testing: testing && testingRepo });
      }
      return builderIdString(found.id);
    });
  }

  if (wf === undefined) run.skip('source', 'certificate source repository: no workflow identity');
  else {
    run.run('source', 'certificate source repository', () => {
      let expected = policy.sourceUri;
      if (expected.startsWith('git+https://')) expected = expected.slice('git+https://'.length);
      if (expected.startsWith('github.com/')) expected = expected.slice('github.com/'.length);
      if (wf.sourceRepository !== expected) {
        throw failure(
          'ERR_SLSA_SOURCE_MISMATCH',
          `expected source ${JSON.stringify(expected)}, found ${JSON.stringify(wf.sourceRepository)}`,
        );
      }
    });
  }

  const view = run.run('build-type', 'provenance build type', () => {
    const v = provenanceView(statement);
    if (signer !== undefined) assertBuildType({ view: v, builderName: signer.name });
    return v;
  });

  let verifiedBuilder: BuilderId | undefined;
  if (view === undefined || signer === undefined) {
    run.skip('certificate-provenance', 'provenance builder id: no provenance or signer to compare');
  } else {
    const s = signer;
    verifiedBuilder = run.run('certificate-provenance', 'provenance builder id', () =>
      provenanceBuilder({ view, signer: s, delegator, expectedBuilderId: policy.builderId, testing }),
    );
  }

  if (view === undefined) {
    for (const id of ['source', 'branch', 'tag', 'versioned-tag', 'workflow-inputs'] as const) {
      run.skip(id, 'no readable provenance');
    }
  } else {
    run.run('source', 'provenance source and trigger', () =>
      assertSourceUri({ view, sourceUri: policy.sourceUri }),
    );
    const { sourceBranch, sourceTag, sourceVersionedTag, buildWorkflowInputs } = policy;
    if (sourceBranch === undefined) run.skip('branch', 'no --source-branch');
    else {
      run.run('branch', `source branch ${JSON.stringify(sourceBranch)}`, () => {
        const branch = gitRefName({ ref: view.branch(), kind: 'heads' });
        if (branch !== sourceBranch)
          throw failure('ERR_SLSA_BRANCH_MISMATCH', `found branch ${JSON.stringify(branch)}`);
      });
    }
    if (sourceTag === undefined) run.skip('tag', 'no --source-tag');
    else {
      run.run('tag', `source tag ${JSON.stringify(sourceTag)}`, () => {
        const tag = gitRefName({ ref: view.tag(), kind: 'tags' });
        if (tag !== sourceTag) throw failure('ERR_SLSA_TAG_MISMATCH', `found tag ${JSON.stringify(tag)}`);
      });
    }
    if (sourceVersionedTag === undefined) run.skip('versioned-tag', 'no --source-versioned-tag');
    else {
      run.run('versioned-tag', `source versioned tag ${JSON.stringify(sourceVersionedTag)}`, () =>
        assertVersionedTag({
          tag: gitRefName({ ref: view.tag(), kind: 'tags' }),
          expected: sourceVersionedTag,
        }),
      );
    }
    if (buildWorkflowInputs === undefined || Object.keys(buildWorkflowInputs).length === 0) {
      run.skip('workflow-inputs', 'no --build-workflow-input');
    } else {
      run.run('workflow-inputs', 'workflow inputs', () => assertWorkflowInputs(view, buildWorkflowInputs));
    }
  }

  const checks = Object.freeze([...run.checks]);
  const failed = checks.find((c) => c.status === 'fail');
  if (failed !== undefined || verifiedBuilder === undefined) {
    const code = failed?.code ?? 'ERR_INTERNAL';
    throw new SlsaVerificationError(code, failed?.message ?? 'SLSA verification did not complete', checks);
  }
  return Object.freeze({
    builderId: builderIdString(verifiedBuilder),
    statement,
    provenance: normalizeProvenance(statement),
    certificate,
    checks,
  });
}
