// slsa-verifier's GitHub rules for npm provenance: the certificate's workflow identity and the provenance as read per builder.
import {
  type CertificateIdentity,
  type DigestSet,
  isObject,
  type JsonObject,
  ParseError,
  type ResourceDescriptor,
  type Statement,
  VerificationError,
  type VouchErrorCode,
} from '@vouch/core';
import { parseSlsaProvenanceV1 } from './slsa-v1.js';

const GITHUB = 'https://github.com/';
const GENERATOR = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/';
export const GENERIC_DELEGATOR = `${GENERATOR}delegator_generic_slsa3.yml`;
export const LOW_PERMS_DELEGATOR = `${GENERATOR}delegator_lowperms-generic_slsa3.yml`;
export const NPM_CLI_LEGACY_BUILDER = 'https://github.com/actions/runner';
export const NPM_CLI_HOSTED_BUILDER = `${NPM_CLI_LEGACY_BUILDER}/github-hosted`;
export const NPM_CLI_SELF_HOSTED_BUILDER = `${NPM_CLI_LEGACY_BUILDER}/self-hosted`;
const BYOB_BUILD_TYPE = 'https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0';
export const NPM_CLI_BUILD_TYPE_V1 = 'https://github.com/npm/cli/gha@v1';
const NPM_CLI_BUILD_TYPE_V2 = 'https://github.com/npm/cli/gha/v2';
const NPM_CLI_GHA_BUILD_TYPE_V1 = 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1';
const SLSA_V02 = 'https://slsa.dev/provenance/v0.2';
const SLSA_V1 = 'https://slsa.dev/provenance/v1';

/** A rule failed: `code` is the vouch code of slsa-verifier's sentinel. */
export function fail(code: VouchErrorCode, message: string): never {
  throw new VerificationError(code, message);
}

/** What the Fulcio certificate says about the workflow run (slsa-verifier's WorkflowIdentity). */
export interface WorkflowIdentity {
  readonly sourceRepository: string;
  readonly sourceSha1: string;
  readonly sourceRef?: string;
  readonly sourceId?: string;
  readonly sourceOwnerId?: string;
  /** The SAN: `https://github.com/org/repo/.github/workflows/x.yml@refs/tags/v1`. */
  readonly subjectWorkflowName: string;
  readonly subjectWorkflowRef: string;
  /** The SAN's path without its leading `/` (`org/repo/.github/workflows/x.yml@ref`). */
  readonly subjectWorkflowPath: string;
  readonly subjectSha1?: string;
  readonly hosted?: 'github-hosted' | 'self-hosted';
  readonly buildTrigger: string;
  readonly buildConfigPath?: string;
  /** `<run id>/attempts/<attempt>`. */
  readonly runId?: string;
}

function equalClaims(deprecated: string | undefined, current: string | undefined, name: string): string {
  const d = deprecated ?? '';
  const c = current ?? '';
  if (d !== '' && c !== '' && d !== c) {
    fail(
      'ERR_SLSA_CERTIFICATE_MISMATCH',
      `certificate ${name}: the deprecated and current extensions differ: ${JSON.stringify(d)} != ${JSON.stringify(c)}`,
    );
  }
  if (d === '' && c === '')
    fail('ERR_SLSA_CERTIFICATE_MISMATCH', `certificate ${name}: expected an extension, found none`);
  return c !== '' ? c : d;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/** Reads the certificate's workflow identity as slsa-verifier's GetWorkflowInfoFromCertificate. */
export function workflowIdentity(identity: CertificateIdentity): WorkflowIdentity {
  const x = identity.extensions;
  const buildTrigger = equalClaims(x.githubWorkflowTrigger, x.buildTrigger, 'build trigger');
  const sourceSha1 = equalClaims(x.githubWorkflowSha, x.sourceRepositoryDigest, 'source digest');
  if (nonEmpty(x.buildConfigDigest) !== undefined && x.buildConfigDigest !== sourceSha1) {
    fail(
      'ERR_SLSA_CERTIFICATE_MISMATCH',
      `certificate build config digest ${x.buildConfigDigest} != source digest ${sourceSha1}`,
    );
  }
  const deprecatedRepo = x.githubWorkflowRepository ?? '';
  const sourceUri = x.sourceRepositoryUri ?? '';
  if (deprecatedRepo !== '' && sourceUri !== '' && GITHUB + deprecatedRepo !== sourceUri) {
    fail(
      'ERR_SLSA_CERTIFICATE_MISMATCH',
      `certificate source repository ${GITHUB + deprecatedRepo} != ${sourceUri}`,
    );
  }
  const trimmed = sourceUri.startsWith(GITHUB) ? sourceUri.slice(GITHUB.length) : sourceUri;
  const sourceRepository = trimmed === '' ? deprecatedRepo : trimmed;

  let buildConfigPath: string | undefined;
  const configUri = x.buildConfigUri ?? '';
  if (configUri !== '') {
    const parts = configUri.split('@');
    const prefix = `${GITHUB}${sourceRepository}/`;
    if (parts.length !== 2 || !parts[0]?.startsWith(prefix)) {
      fail(
        'ERR_SLSA_CERTIFICATE_MISMATCH',
        `certificate build config URI ${JSON.stringify(configUri)} is not ${prefix}<path>@<ref>`,
      );
    }
    buildConfigPath = nonEmpty(parts[0].slice(prefix.length));
  }
  const runUri = x.runInvocationUri ?? '';
  const runPrefix = `${GITHUB}${sourceRepository}/actions/runs/`;
  const runId = nonEmpty(runUri.startsWith(runPrefix) ? runUri.slice(runPrefix.length) : runUri);

  let url: URL;
  try {
    url = new URL(identity.subjectAlternativeName);
  } catch {
    return fail(
      'ERR_SLSA_CERTIFICATE_MISMATCH',
      `expected a workflow URI as the certificate SAN, found ${JSON.stringify(identity.subjectAlternativeName)}`,
    );
  }
  const path = decodeURIComponent(url.pathname);
  if (!path.startsWith('/'))
    fail('ERR_SLSA_CERTIFICATE_MISMATCH', `certificate SAN path ${JSON.stringify(path)} must start with /`);
  const at = path.lastIndexOf('@');
  const runner = x.runnerEnvironment;
  return {
    sourceRepository,
    sourceSha1,
    ...(nonEmpty(x.sourceRepositoryRef) !== undefined && { sourceRef: x.sourceRepositoryRef }),
    ...(nonEmpty(x.sourceRepositoryIdentifier) !== undefined && { sourceId: x.sourceRepositoryIdentifier }),
    ...(nonEmpty(x.sourceRepositoryOwnerIdentifier) !== undefined && {
      sourceOwnerId: x.sourceRepositoryOwnerIdentifier,
    }),
    subjectWorkflowName: `${url.protocol}//${url.host}${at === -1 ? path : path.slice(0, at)}`,
    subjectWorkflowRef: at === -1 ? '' : path.slice(at + 1),
    subjectWorkflowPath: path.replace(/^\/+/, ''),
    ...(nonEmpty(x.buildSignerDigest) !== undefined && { subjectSha1: x.buildSignerDigest }),
    ...(runner === 'github-hosted' || runner === 'self-hosted' ? { hosted: runner } : {}),
    buildTrigger,
    ...(buildConfigPath !== undefined && { buildConfigPath }),
    ...(runId !== undefined && { runId }),
  };
}

/** slsa-verifier's builder id: `name` or `name@version`. */
export interface BuilderId {
  readonly name: string;
  readonly version: string;
}

/** ParseBuilderID: one `@` at most; with one, a non-empty version (`needVersion` requires it). */
export function parseBuilderId(id: string, needVersion: boolean): BuilderId {
  const parts = id.split('@');
  if (parts.length === 2 && parts[1] !== '') return { name: parts[0] ?? '', version: parts[1] ?? '' };
  if (parts.length === 1 && !needVersion) return { name: id, version: '' };
  return fail(
    'ERR_MALFORMED_PREDICATE',
    `expected a builder id of the form name@version, found ${JSON.stringify(id)}`,
  );
}

/** MatchesLoose: same name, and the same version (or `refs/tags/<version>`) when `expected` has one. */
export function matchesLoose(actual: BuilderId, expected: string): void {
  const e = parseBuilderId(expected, false);
  if (e.name !== actual.name) {
    fail(
      'ERR_SLSA_BUILDER_MISMATCH',
      `expected builder ${JSON.stringify(e.name)}, found ${JSON.stringify(actual.name)}`,
    );
  }
  if (e.version !== '' && e.version !== actual.version && `refs/tags/${e.version}` !== actual.version) {
    fail(
      'ERR_SLSA_BUILDER_MISMATCH',
      `expected builder version ${JSON.stringify(e.version)}, found ${JSON.stringify(actual.version)}`,
    );
  }
}

/** How slsa-verifier reads one provenance (iface.Provenance), for the builders npm provenance can come from. */
export interface NpmProvenanceView {
  readonly predicateType: string;
  readonly slsaVersion: '0.2' | '1';
  /** v1 provenance of the npm CLI on GitHub Actions (its own trigger and system-parameter rules). */
  readonly npmCliV1: boolean;
  readonly builderId: string;
  readonly builderVersion?: Readonly<Record<string, string>>;
  readonly buildType: string;
  readonly subjects: readonly ResourceDescriptor[];
  readonly predicate: JsonObject;
  readonly externalParameters: JsonObject;
  readonly resolvedDependencies: readonly ResourceDescriptor[];
  /** Thrown lazily, as upstream reads each only when a check needs it. */
  triggerUri(): string;
  sourceUri(): string;
  systemParameters(): JsonObject;
  buildTriggerPath(): string;
  readonly invocationId: string;
  readonly startedOn?: string;
  readonly finishedOn?: string;
}

const BUILD_TYPES_V02: Readonly<Record<string, readonly string[]>> = {
  [GENERIC_DELEGATOR]: [BYOB_BUILD_TYPE],
  [LOW_PERMS_DELEGATOR]: [BYOB_BUILD_TYPE],
  [NPM_CLI_LEGACY_BUILDER]: [NPM_CLI_BUILD_TYPE_V1, NPM_CLI_BUILD_TYPE_V2],
  [NPM_CLI_HOSTED_BUILDER]: [NPM_CLI_BUILD_TYPE_V1, NPM_CLI_BUILD_TYPE_V2],
};
const BUILD_TYPES_V1: Readonly<Record<string, readonly string[]>> = {
  [GENERIC_DELEGATOR]: [BYOB_BUILD_TYPE],
  [LOW_PERMS_DELEGATOR]: [BYOB_BUILD_TYPE],
  [NPM_CLI_HOSTED_BUILDER]: [NPM_CLI_GHA_BUILD_TYPE_V1],
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): JsonObject | undefined => (isObject(v) ? v : undefined);

function descriptor(v: unknown): ResourceDescriptor {
  const o = obj(v) ?? {};
  const digest = obj(o.digest);
  const set: Record<string, string> = {};
  for (const [k, d] of Object.entries(digest ?? {})) if (typeof d === 'string') set[k] = d;
  const uri = str(o.uri);
  return { ...(uri !== undefined && { uri }), ...(digest !== undefined && { digest: set as DigestSet }) };
}

function optionalTimes(startedOn: string | undefined, finishedOn: string | undefined) {
  return { ...(startedOn !== undefined && { startedOn }), ...(finishedOn !== undefined && { finishedOn }) };
}

function malformed(message: string): never {
  return fail('ERR_MALFORMED_ENVELOPE', message);
}

/**
 * ProvenanceFromEnvelope: the provenance read for the builder `builderName` (the trusted builder's name): its
 * predicate type picks v0.2 or v1, the builder picks the build types it may have written.
 */
export function readProvenance(statement: Statement, builderName: string): NpmProvenanceView {
  const predicate = statement.predicate ?? {};
  const subjects = statement.subject;
  if (statement.predicateType === SLSA_V02) {
    const builder = obj(predicate.builder);
    const builderId = str(builder?.id) ?? '';
    const buildType = str(predicate.buildType) ?? '';
    if (builder !== undefined && builder.id !== undefined && str(builder.id) === undefined)
      malformed('predicate.builder.id must be a string');
    checkBuilderAndType(BUILD_TYPES_V02, builderName, buildType);
    const invocation = obj(predicate.invocation) ?? {};
    const configSource = obj(invocation.configSource) ?? {};
    const materials = Array.isArray(predicate.materials) ? predicate.materials : [];
    const metadata = obj(predicate.metadata);
    return {
      predicateType: statement.predicateType,
      slsaVersion: '0.2',
      npmCliV1: false,
      builderId,
      buildType,
      subjects,
      predicate,
      externalParameters: obj(invocation.parameters) ?? {},
      resolvedDependencies: materials.map(descriptor),
      triggerUri: () =>
        nonEmpty(str(configSource.uri)) ??
        fail('ERR_SLSA_SOURCE_MISMATCH', 'predicate.invocation.configSource.uri is empty'),
      sourceUri: () => {
        if (materials.length === 0) malformed('predicate.materials is empty');
        return (
          nonEmpty(str(obj(materials[0])?.uri)) ??
          fail('ERR_SLSA_SOURCE_MISMATCH', 'predicate.materials[0].uri is empty')
        );
      },
      systemParameters: () =>
        obj(invocation.environment) ?? malformed('predicate.invocation.environment must be an object'),
      buildTriggerPath: () => str(configSource.entryPoint) ?? '',
      invocationId: str(metadata?.buildInvocationId) ?? '',
      ...optionalTimes(str(metadata?.buildStartedOn), str(metadata?.buildFinishedOn)),
    };
  }
  if (statement.predicateType !== SLSA_V1) {
    malformed(`expected predicateType ${SLSA_V02} or ${SLSA_V1}, found ${statement.predicateType}`);
  }
  let v1: ReturnType<typeof parseSlsaProvenanceV1>;
  try {
    v1 = parseSlsaProvenanceV1(predicate);
  } catch (e) {
    if (e instanceof ParseError) malformed(`the SLSA v1 predicate is malformed: ${e.message}`);
    throw e;
  }
  const bd = v1.buildDefinition;
  checkBuilderAndType(BUILD_TYPES_V1, builderName, bd.buildType);
  const npmCliV1 = bd.buildType === NPM_CLI_GHA_BUILD_TYPE_V1;
  const external = bd.externalParameters;
  const internal = (): JsonObject =>
    bd.internalParameters ?? malformed('predicate.buildDefinition.internalParameters must be an object');
  const workflowRef = (): [string, string] => {
    const ref =
      str(internal().GITHUB_WORKFLOW_REF) ??
      malformed('internalParameters.GITHUB_WORKFLOW_REF must be a string');
    const parts = ref.split('@');
    const repoPath = (parts[0] ?? '').split('/');
    if (parts.length !== 2 || repoPath.length < 2)
      fail('ERR_MALFORMED_PREDICATE', `GITHUB_WORKFLOW_REF ${JSON.stringify(ref)} is not org/repo/path@ref`);
    return [`git+https://github.com/${repoPath.slice(0, 2).join('/')}`, parts[1] ?? ''];
  };
  const deps = bd.resolvedDependencies ?? [];
  const meta = v1.runDetails.metadata;
  return {
    predicateType: statement.predicateType,
    slsaVersion: '1',
    npmCliV1,
    builderId: v1.runDetails.builder.id,
    ...(v1.runDetails.builder.version !== undefined && { builderVersion: v1.runDetails.builder.version }),
    buildType: bd.buildType,
    subjects,
    predicate,
    externalParameters: external,
    resolvedDependencies: deps,
    triggerUri: () => {
      if (npmCliV1) {
        const workflow =
          obj(external.workflow) ??
          fail('ERR_MALFORMED_PREDICATE', 'externalParameters.workflow must be an object');
        const repository =
          str(workflow.repository) ??
          fail('ERR_MALFORMED_PREDICATE', 'externalParameters.workflow.repository must be a string');
        const ref =
          str(workflow.ref) ??
          fail('ERR_MALFORMED_PREDICATE', 'externalParameters.workflow.ref must be a string');
        return `git+${repository}@${ref}`;
      }
      const [repository, ref] = workflowRef();
      if (ref === '') fail('ERR_SLSA_SOURCE_MISMATCH', 'the trigger repository or ref is empty');
      return `${repository}@${ref}`;
    },
    sourceUri: () => {
      if (deps.length === 0) malformed('predicate.buildDefinition.resolvedDependencies is empty');
      return (
        nonEmpty(deps[0]?.uri) ?? fail('ERR_SLSA_SOURCE_MISMATCH', 'resolvedDependencies[0].uri is empty')
      );
    },
    systemParameters: internal,
    buildTriggerPath: () => {
      const workflow = external.workflow;
      if (!isObject(workflow)) malformed('externalParameters.workflow must be an object');
      return str(workflow.path) ?? malformed('externalParameters.workflow.path must be a string');
    },
    invocationId: meta?.invocationId ?? '',
    ...(meta?.startedOn !== undefined && { startedOn: meta.startedOn }),
    ...(meta?.finishedOn !== undefined && { finishedOn: meta.finishedOn }),
  };
}

function checkBuilderAndType(
  map: Readonly<Record<string, readonly string[]>>,
  builder: string,
  buildType: string,
): void {
  const types = Object.hasOwn(map, builder) ? map[builder] : undefined;
  if (types === undefined)
    fail(
      'ERR_SLSA_INVALID_BUILDER_ID',
      `builder ${JSON.stringify(builder)} has no reader for this provenance version`,
    );
  if (!types.includes(buildType)) {
    fail(
      'ERR_SLSA_BUILD_TYPE',
      `build type ${JSON.stringify(buildType)} is not one builder ${JSON.stringify(builder)} writes (${types.join(', ')})`,
    );
  }
}

/** verifySourceURI: trigger and source in the provenance against `--source-uri`. */
export function verifyProvenanceSource(prov: NpmProvenanceView, expected: string): void {
  const source = normalizeGitUri(expected);
  if (!source.startsWith('git+https://github.com/')) {
    fail(
      'ERR_SLSA_SOURCE_MISMATCH',
      `expected a github.com source repository, found ${JSON.stringify(source)}`,
    );
  }
  const fullTrigger = prov.triggerUri();
  const [triggerUri, triggerRef] = parseGitUriAndRef(fullTrigger);
  if (triggerUri !== source)
    fail('ERR_SLSA_SOURCE_MISMATCH', `expected the trigger ${JSON.stringify(fullTrigger)} to be ${source}`);
  if (triggerRef === '')
    fail('ERR_SLSA_SOURCE_MISMATCH', `the trigger URI ${JSON.stringify(fullTrigger)} has no ref`);
  const fullSource = prov.sourceUri();
  const [sourceUri, sourceRef] = parseGitUriAndRef(fullSource);
  if (sourceUri !== source)
    fail('ERR_SLSA_SOURCE_MISMATCH', `expected the source ${JSON.stringify(fullSource)} to be ${source}`);
  if (sourceRef === '') {
    // Exceptions upstream makes: npm packages built before GA, and BYOB builds from another commit.
    if (prov.buildType === NPM_CLI_BUILD_TYPE_V1 || prov.buildType === BYOB_BUILD_TYPE) return;
    fail('ERR_SLSA_SOURCE_MISMATCH', `the source URI ${JSON.stringify(fullSource)} has no ref`);
  }
  if (fullTrigger !== fullSource)
    malformed(`the trigger and source URIs differ: ${fullTrigger} != ${fullSource}`);
}

/** NormalizeGitURI: `github.com/o/r` → `git+https://github.com/o/r`. */
export function normalizeGitUri(s: string): string {
  if (s.startsWith('git+')) return s;
  return s.includes('://') ? `git+${s}` : `git+https://${s}`;
}

function parseGitUriAndRef(uri: string): [string, string] {
  if (uri === '') fail('ERR_SLSA_SOURCE_MISMATCH', 'empty git URI');
  if (!uri.startsWith('git+')) fail('ERR_SLSA_SOURCE_MISMATCH', `not a git URI: ${JSON.stringify(uri)}`);
  const at = uri.indexOf('@');
  return at === -1 ? [uri, ''] : [uri.slice(0, at), uri.slice(at + 1)];
}

function certValue(expected: string | undefined, actual: string, name: string): void {
  if (expected === undefined)
    fail('ERR_SLSA_CERTIFICATE_MISMATCH', `the certificate has no value to verify ${name}`);
  if (actual !== expected) {
    fail(
      'ERR_SLSA_CERTIFICATE_MISMATCH',
      `${name}: provenance says ${JSON.stringify(actual)}, the certificate ${JSON.stringify(expected)}`,
    );
  }
}

function systemParameter(params: JsonObject, name: string, expected: string | undefined): void {
  if (!Object.hasOwn(params, name)) return;
  const v = str(params[name]) ?? malformed(`${name} must be a string`);
  certValue(expected, v, name);
}

function runIds(workflow: WorkflowIdentity): [string, string] {
  if (workflow.runId === undefined) return ['', ''];
  const parts = workflow.runId.split('/');
  if (parts.length !== 3)
    fail(
      'ERR_SLSA_CERTIFICATE_MISMATCH',
      `certificate run id ${JSON.stringify(workflow.runId)} is not <id>/attempts/<n>`,
    );
  return [parts[0] ?? '', parts[2] ?? ''];
}

const V02_SYSTEM_PARAMETERS = new Set([
  'GITHUB_EVENT_NAME',
  'GITHUB_REF',
  'GITHUB_REPOSITORY',
  'GITHUB_REPOSITORY_ID',
  'GITHUB_REPOSITORY_OWNER_ID',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_RUN_ID',
  'GITHUB_SHA',
  'GITHUB_WORKFLOW_REF',
  'GITHUB_WORKFLOW_SHA',
]);

/**
 * verifyProvenanceMatchesCertificate: for a builder that is not a trusted reusable workflow, everything the
 * provenance claims must be what the certificate proves, and it may claim nothing the certificate cannot prove.
 */
export function verifyProvenanceMatchesCertificate(
  prov: NpmProvenanceView,
  workflow: WorkflowIdentity,
): void {
  const params = prov.systemParameters();
  if (prov.npmCliV1) {
    const github =
      obj(params.github) ?? fail('ERR_MALFORMED_PREDICATE', 'internalParameters.github must be an object');
    const known: Readonly<Record<string, string | undefined>> = {
      event_name: workflow.buildTrigger,
      repository_id: workflow.sourceId,
      repository_owner_id: workflow.sourceOwnerId,
    };
    for (const k of Object.keys(github)) {
      if (!Object.hasOwn(known, k))
        fail(
          'ERR_SLSA_CERTIFICATE_MISMATCH',
          `unknown internalParameters.github.${k}: the certificate cannot prove it`,
        );
      systemParameter(github, k, known[k]);
    }
  } else {
    for (const k of Object.keys(params)) {
      if (!V02_SYSTEM_PARAMETERS.has(k))
        fail('ERR_SLSA_CERTIFICATE_MISMATCH', `unknown parameter ${k}: the certificate cannot prove it`);
    }
    systemParameter(params, 'GITHUB_EVENT_NAME', workflow.buildTrigger);
    systemParameter(params, 'GITHUB_REPOSITORY', workflow.sourceRepository);
    systemParameter(params, 'GITHUB_REF', workflow.sourceRef);
    systemParameter(params, 'GITHUB_REPOSITORY_ID', workflow.sourceId);
    systemParameter(params, 'GITHUB_REPOSITORY_OWNER_ID', workflow.sourceOwnerId);
    systemParameter(params, 'GITHUB_SHA', workflow.sourceSha1);
    systemParameter(params, 'GITHUB_WORKFLOW_REF', workflow.subjectWorkflowPath);
    systemParameter(params, 'GITHUB_WORKFLOW_SHA', workflow.subjectSha1);
    if (Object.hasOwn(params, 'GITHUB_RUN_ID') || Object.hasOwn(params, 'GITHUB_RUN_ATTEMPT')) {
      if (workflow.runId === undefined)
        fail('ERR_SLSA_CERTIFICATE_MISMATCH', 'the certificate has no run id to verify GITHUB_RUN_*');
      const [runId, attempt] = runIds(workflow);
      systemParameter(params, 'GITHUB_RUN_ID', runId);
      systemParameter(params, 'GITHUB_RUN_ATTEMPT', attempt);
    }
  }
  const p = prov.predicate;
  const nonVerifiable = (what: string): never =>
    fail('ERR_SLSA_CERTIFICATE_MISMATCH', `the certificate cannot prove ${what}`);
  if (prov.slsaVersion === '0.2') {
    const parameters = obj(p.invocation)?.parameters;
    if (
      parameters !== undefined &&
      parameters !== null &&
      (!isObject(parameters) || Object.keys(parameters).length > 0)
    ) {
      nonVerifiable('invocation.parameters');
    }
  }
  if (prov.invocationId !== '') {
    let provRun: string | undefined;
    let provAttempt: string | undefined;
    if (prov.npmCliV1) {
      const parts = prov.invocationId.replace(/^https:\/\/github\.com\//, '').split('/');
      if (parts.length !== 7)
        fail('ERR_MALFORMED_PREDICATE', `invalid invocation id ${JSON.stringify(prov.invocationId)}`);
      [provRun, provAttempt] = [parts[4], parts[6]];
    } else {
      const parts = prov.invocationId.split('-');
      if (parts.length !== 2)
        fail('ERR_MALFORMED_PREDICATE', `invalid invocation id ${JSON.stringify(prov.invocationId)}`);
      [provRun, provAttempt] = [parts[0], parts[1]];
    }
    const [certRun, certAttempt] = runIds(workflow);
    certValue(certRun, provRun ?? '', 'run id');
    certValue(certAttempt, provAttempt ?? '', 'run attempt');
  }
  if (prov.startedOn !== undefined) nonVerifiable('the build start time');
  if (prov.finishedOn !== undefined) nonVerifiable('the build finish time');
  if (prov.slsaVersion === '0.2') {
    const metadata = obj(p.metadata);
    if (metadata?.reproducible === true) nonVerifiable('reproducible: true');
    const c = obj(metadata?.completeness);
    if (c?.parameters === true || c?.environment === true || c?.materials === true)
      nonVerifiable('completeness claims');
  }
  if (prov.subjects.length !== 1) nonVerifiable(`${prov.subjects.length} subjects (expected 1)`);
  if (prov.subjects[0]?.digest?.sha512 === undefined) nonVerifiable('a subject without a sha512 digest');
  certValue(workflow.buildConfigPath, prov.buildTriggerPath(), 'trigger workflow');
  if (prov.resolvedDependencies.length !== 1)
    nonVerifiable(`${prov.resolvedDependencies.length} resolved dependencies (expected 1)`);
  if (prov.slsaVersion === '0.2') {
    const buildConfig = p.buildConfig;
    if (
      buildConfig !== undefined &&
      buildConfig !== null &&
      (!isObject(buildConfig) || Object.keys(buildConfig).length > 0)
    ) {
      nonVerifiable('buildConfig');
    }
  }
}

/** GetWorkflowInputs as upstream reads it for this provenance (v0.2 lowercase keys, v1 uppercase). */
export function workflowInputs(prov: NpmProvenanceView): JsonObject {
  const params = prov.systemParameters();
  const upper = prov.slsaVersion === '1';
  const key = (k: string) => (upper ? k.toUpperCase() : k);
  const event = params[key('github_event_name')];
  if (typeof event !== 'string') malformed(`${key('github_event_name')} must be a string`);
  if (event !== 'workflow_dispatch')
    fail('ERR_SLSA_WORKFLOW_INPUTS_MISMATCH', `expected a workflow_dispatch trigger, found ${event}`);
  const payload =
    obj(params[key('github_event_payload')]) ?? malformed(`${key('github_event_payload')} must be an object`);
  return obj(payload.inputs) ?? malformed('the event payload inputs must be an object');
}
