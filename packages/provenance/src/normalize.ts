// SLSA v0.2 and v1 provenance read as slsa-verifier's GitHub Actions views, and normalized into one model.
import {
  type DigestSet,
  deepFreeze,
  isObject,
  type JsonObject,
  ParseError,
  type ResourceDescriptor,
  type Statement,
  VerificationError,
  type VouchErrorCode,
} from '@vouch/core';
import type { NormalizedProvenance } from './slsa-types.js';
import {
  parseSlsaProvenanceV1,
  SLSA_PROVENANCE_V1_PREDICATE_TYPE,
  type SlsaProvenanceV1,
} from './slsa-v1.js';
import {
  INTOTO_PROVENANCE_V01_PREDICATE_TYPE,
  parseSlsaProvenanceV02,
  SLSA_PROVENANCE_V02_PREDICATE_TYPE,
  type SlsaProvenanceV02,
} from './slsa-v02.js';

/** Build types slsa-verifier reads GitHub Actions provenance for. */
export const GITHUB_BUILD_TYPES = Object.freeze({
  byobV0: 'https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0',
  containerBasedV01Draft: 'https://slsa.dev/container-based-build/v0.1?draft',
  goV1: 'https://github.com/slsa-framework/slsa-github-generator/go@v1',
  genericV1: 'https://github.com/slsa-framework/slsa-github-generator/generic@v1',
  containerV1: 'https://github.com/slsa-framework/slsa-github-generator/container@v1',
  npmCliV1: 'https://github.com/npm/cli/gha@v1',
  npmCliV2: 'https://github.com/npm/cli/gha/v2',
  npmCliGithubActionsV1: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
  githubActionsV1: 'https://actions.github.io/buildtypes/workflow/v1',
  legacyGoV1: 'https://github.com/slsa-framework/slsa-github-generator-go@v1',
  legacyV1: 'https://github.com/slsa-framework/slsa-github-generator@v1',
});

/** How a build type's provenance is read: where its source, trigger, branch and tag come from. */
export type ProvenanceFlavor = 'base' | 'byob' | 'container-based' | 'npm-cli' | 'github-attest';

/**
 * One provenance as slsa-verifier's `iface.Provenance` reads it. The accessors throw as its methods fail:
 * a `VouchError` whose code says which rule broke (`ERR_SLSA_INVALID_REF`, `ERR_SLSA_SOURCE_MISMATCH`
 * for a malformed URI, `ERR_SLSA_WORKFLOW_INPUTS_MISMATCH`, or `ERR_MALFORMED_PREDICATE` naming the path).
 */
export interface ProvenanceView {
  readonly predicateType: string;
  readonly slsaVersion: '0.2' | '1';
  readonly flavor: ProvenanceFlavor;
  readonly builderId: string;
  readonly buildType: string;
  readonly v02?: SlsaProvenanceV02;
  readonly v1?: SlsaProvenanceV1;
  /** The first material / resolved dependency's URI (`git+https://github.com/o/r@refs/tags/v1`). */
  sourceUri(): string;
  triggerUri(): string;
  /** `refs/heads/…`, or `''` when the build ran on a tag whose branch is unknown. */
  branch(): string;
  /** `refs/tags/…`, or `''` when the build ran on a branch. */
  tag(): string;
  workflowInputs(): JsonObject;
  buildTriggerPath(): string;
  systemParameters(): JsonObject;
}

function fail(code: VouchErrorCode, message: string): VerificationError {
  return new VerificationError(code, message);
}

function malformed(path: string, message: string): ParseError {
  return new ParseError('ERR_MALFORMED_PREDICATE', [{ path, message }]);
}

/**
 * Adds the `git+https://` scheme a `--source-uri` may omit, as slsa-verifier's NormalizeGitURI.
 *
 * @example
 * ```ts
 * normalizeGitUri('github.com/o/r'); // 'git+https://github.com/o/r'
 * ```
 */
export function normalizeGitUri(uri: string): string {
  if (uri.startsWith('git+')) return uri;
  return uri.includes('://') ? `git+${uri}` : `git+https://${uri}`;
}

/**
 * Splits `git+https://host/o/r@ref` at its first `@` into the URI and the ref (`''` when there is none).
 *
 * @throws VerificationError `ERR_SLSA_SOURCE_MISMATCH` when `uri` is empty or not a `git+` URI
 * @example
 * ```ts
 * parseGitUriAndRef('git+https://github.com/o/r@refs/heads/main'); // ['git+https://github.com/o/r', 'refs/heads/main']
 * ```
 */
export function parseGitUriAndRef(uri: string): readonly [string, string] {
  if (uri === '') throw fail('ERR_SLSA_SOURCE_MISMATCH', 'malformed URI: empty');
  if (!uri.startsWith('git+')) {
    throw fail(
      'ERR_SLSA_SOURCE_MISMATCH',
      `malformed URI: expected a git+ URI, found ${JSON.stringify(uri)}`,
    );
  }
  const at = uri.indexOf('@');
  return at === -1 ? [uri, ''] : [uri.slice(0, at), uri.slice(at + 1)];
}

/**
 * The kind (`heads`, `tags`) and name of a git ref; kind `''` when `ref` is not `refs/<kind>/<name>`.
 *
 * @example
 * ```ts
 * parseGitRef('refs/tags/v1.2.3'); // ['tags', 'v1.2.3']
 * ```
 */
export function parseGitRef(ref: string): readonly [string, string] {
  const first = ref.indexOf('/');
  const second = first === -1 ? -1 : ref.indexOf('/', first + 1);
  if (second === -1 || ref.slice(0, first) !== 'refs') return ['', ref];
  return [ref.slice(first + 1, second), ref.slice(second + 1)];
}

/**
 * The name of a ref of the given kind (`refs/tags/v1` → `v1`).
 *
 * @throws VerificationError `ERR_SLSA_INVALID_REF` for another kind or an empty name
 * @example
 * ```ts
 * gitRefName({ ref: 'refs/heads/main', kind: 'heads' }); // 'main'
 * ```
 */
export function gitRefName(options: { readonly ref: string; readonly kind: 'heads' | 'tags' }): string {
  const [kind, name] = parseGitRef(options.ref);
  if (kind !== options.kind) {
    throw fail(
      'ERR_SLSA_INVALID_REF',
      `invalid ref ${JSON.stringify(options.ref)}: expected refs/${options.kind}/…, found kind ${JSON.stringify(kind)}`,
    );
  }
  if (name === '')
    throw fail('ERR_SLSA_INVALID_REF', `invalid ref ${JSON.stringify(options.ref)}: empty name`);
  return name;
}

/** The `GITHUB_*` context of a build, in the case its generator wrote the keys. */
class GithubEnvironment {
  constructor(
    private readonly env: JsonObject,
    private readonly upper: boolean,
    private readonly path: string,
  ) {}

  key(name: string): string {
    return this.upper ? name.toUpperCase() : name;
  }

  string(name: string): string {
    const k = this.key(name);
    const v = this.env[k];
    if (typeof v === 'string') return v;
    throw malformed(`${this.path}.${k}`, `must be a string, found ${v === undefined ? 'nothing' : typeof v}`);
  }

  eventPayload(): JsonObject {
    const k = this.key('github_event_payload');
    const v = this.env[k];
    if (isObject(v)) return v;
    throw malformed(`${this.path}.${k}`, 'must be an object (the event payload)');
  }

  refType(): 'branch' | 'tag' {
    const t = this.string('github_ref_type');
    if (t === 'branch' || t === 'tag') return t;
    throw malformed(`${this.path}.${this.key('github_ref_type')}`, `unknown ref type ${JSON.stringify(t)}`);
  }

  tag(): string {
    return this.refType() === 'tag' ? this.string('github_ref') : '';
  }

  branch(): string {
    return this.refType() === 'branch' ? this.string('github_ref') : this.branchForTag();
  }

  // A tag build knows its branch only from the base ref or the push / release event.
  private branchForTag(): string {
    const baseRef = this.string('github_base_ref');
    if (baseRef !== '') return baseRef;
    const event = this.string('github_event_name');
    const payload = this.eventPayload();
    const at = `${this.path}.${this.key('github_event_payload')}`;
    if (event === 'push') {
      if (!('base_ref' in payload)) throw malformed(`${at}.base_ref`, 'is required for a push event');
      const v = payload.base_ref;
      return typeof v === 'string' ? v : '';
    }
    if (event === 'release') {
      const release = payload.release;
      if (!isObject(release)) throw malformed(`${at}.release`, 'must be an object for a release event');
      const target = release.target_commitish;
      if (typeof target !== 'string') throw malformed(`${at}.release.target_commitish`, 'must be a string');
      return `refs/heads/${target}`;
    }
    return '';
  }

  workflowInputs(): JsonObject {
    const event = this.string('github_event_name');
    if (event !== 'workflow_dispatch') {
      throw fail(
        'ERR_SLSA_WORKFLOW_INPUTS_MISMATCH',
        `workflow inputs: expected a 'workflow_dispatch' trigger, found ${JSON.stringify(event)}`,
      );
    }
    const inputs = this.eventPayload().inputs;
    if (isObject(inputs)) return inputs;
    throw malformed(`${this.path}.${this.key('github_event_payload')}.inputs`, 'must be an object');
  }
}

function firstUri(list: readonly { readonly uri?: string }[] | undefined, path: string): string {
  const first = list?.[0];
  if (first === undefined) throw malformed(path, 'must hold the source as its first entry, found none');
  if (first.uri === undefined || first.uri === '') {
    throw fail('ERR_SLSA_SOURCE_MISMATCH', `malformed URI: ${path}[0].uri is empty`);
  }
  return first.uri;
}

function objectAt(value: unknown, path: string): JsonObject {
  if (isObject(value)) return value;
  throw malformed(path, 'must be an object');
}

// BYOB builders record the ref in the source URI; the branch of a tag build comes from the GitHub context.
function byobRef(view: ProvenanceView): readonly [string, string] {
  const source = view.sourceUri();
  const at = view.slsaVersion === '1' ? 'buildDefinition.resolvedDependencies[0].uri' : 'materials[0].uri';
  const [, ref] = parseGitUriAndRef(source);
  if (ref === '') throw malformed(at, `no ref in source URI ${JSON.stringify(source)}`);
  const [kind] = parseGitRef(ref);
  if (kind !== 'heads' && kind !== 'tags') {
    throw malformed(at, `unknown ref type ${JSON.stringify(kind)} for ref ${JSON.stringify(ref)}`);
  }
  return [kind, ref];
}

/** `branch` and `tag` of a view: a BYOB build's ref is its source URI's; others read the GitHub environment. */
function refReaders(
  flavor: ProvenanceFlavor,
  view: () => ProvenanceView,
  environment: () => GithubEnvironment,
): Pick<ProvenanceView, 'branch' | 'tag'> {
  return {
    branch: () => {
      if (flavor !== 'byob') return environment().branch();
      const [kind, ref] = byobRef(view());
      return kind === 'heads' ? ref : environment().branch();
    },
    tag: () => {
      if (flavor !== 'byob') return environment().tag();
      const [kind, ref] = byobRef(view());
      return kind === 'tags' ? ref : '';
    },
  };
}

function v02View(predicateType: string, p: SlsaProvenanceV02): ProvenanceView {
  const flavor: ProvenanceFlavor = p.buildType === GITHUB_BUILD_TYPES.byobV0 ? 'byob' : 'base';
  const envPath = 'invocation.environment';
  const environment = (): GithubEnvironment =>
    new GithubEnvironment(objectAt(p.invocation?.environment, envPath), flavor === 'byob', envPath);
  const view: ProvenanceView = {
    predicateType,
    slsaVersion: '0.2',
    flavor,
    builderId: p.builder.id,
    buildType: p.buildType,
    v02: p,
    sourceUri: () => firstUri(p.materials, 'materials'),
    triggerUri: () => {
      const uri = p.invocation?.configSource?.uri;
      if (uri === undefined || uri === '') {
        throw fail('ERR_SLSA_SOURCE_MISMATCH', 'malformed URI: invocation.configSource.uri is empty');
      }
      return uri;
    },
    ...refReaders(flavor, () => view, environment),
    workflowInputs: () => environment().workflowInputs(),
    buildTriggerPath: () => p.invocation?.configSource?.entryPoint ?? '',
    systemParameters: () => objectAt(p.invocation?.environment, envPath),
  };
  return view;
}

function v1Flavor(buildType: string): ProvenanceFlavor {
  switch (buildType) {
    case GITHUB_BUILD_TYPES.byobV0:
      return 'byob';
    case GITHUB_BUILD_TYPES.containerBasedV01Draft:
      return 'container-based';
    case GITHUB_BUILD_TYPES.npmCliGithubActionsV1:
      return 'npm-cli';
    case GITHUB_BUILD_TYPES.githubActionsV1:
      return 'github-attest';
    default:
      return 'base';
  }
}

function v1View(p: SlsaProvenanceV1): ProvenanceView {
  const bd = p.buildDefinition;
  const flavor = v1Flavor(bd.buildType);
  const internalPath = 'buildDefinition.internalParameters';
  const internal = (): JsonObject => objectAt(bd.internalParameters, internalPath);
  const environment = (): GithubEnvironment => new GithubEnvironment(internal(), true, internalPath);
  const workflow = (): JsonObject =>
    objectAt(bd.externalParameters.workflow, 'buildDefinition.externalParameters.workflow');
  const view: ProvenanceView = {
    predicateType: SLSA_PROVENANCE_V1_PREDICATE_TYPE,
    slsaVersion: '1',
    flavor,
    builderId: p.runDetails.builder.id,
    buildType: bd.buildType,
    v1: p,
    sourceUri: () => firstUri(bd.resolvedDependencies, 'buildDefinition.resolvedDependencies'),
    triggerUri: () => {
      if (flavor === 'npm-cli' || flavor === 'github-attest') {
        const w = workflow();
        const at = 'buildDefinition.externalParameters.workflow';
        if (typeof w.repository !== 'string') throw malformed(`${at}.repository`, 'must be a string');
        if (typeof w.ref !== 'string') throw malformed(`${at}.ref`, 'must be a string');
        return `git+${w.repository}@${w.ref}`;
      }
      // GITHUB_WORKFLOW_REF is `owner/repo/path/to/workflow.yml@ref`.
      const workflowRef = environment().string('GITHUB_WORKFLOW_REF');
      const parts = workflowRef.split('@');
      const [repoAndPath = '', ref = ''] = parts;
      const segments = repoAndPath.split('/');
      if (parts.length !== 2 || segments.length < 2) {
        throw malformed(
          `${internalPath}.GITHUB_WORKFLOW_REF`,
          `expected owner/repo/path@ref, found ${JSON.stringify(workflowRef)}`,
        );
      }
      const repo = segments.slice(0, 2).join('/');
      if (ref === '') throw fail('ERR_SLSA_SOURCE_MISMATCH', 'malformed URI: the workflow ref is empty');
      return `git+https://github.com/${repo}@${ref}`;
    },
    ...refReaders(flavor, () => view, environment),
    workflowInputs: () => environment().workflowInputs(),
    buildTriggerPath: () => {
      const path = workflow().path;
      if (typeof path !== 'string') {
        throw malformed('buildDefinition.externalParameters.workflow.path', 'must be a string');
      }
      return path;
    },
    systemParameters: internal,
  };
  return view;
}

/**
 * Reads a Statement's SLSA provenance as slsa-verifier does for GitHub builders: v0.2 (and in-toto
 * Provenance v0.1) or v1, with the view its build type calls for (BYOB/delegator, container-based, npm CLI,
 * GitHub attest, or the base generators).
 *
 * @throws VerificationError `ERR_PREDICATE_TYPE` for another predicate type
 * @throws ParseError `ERR_MALFORMED_PREDICATE` when the predicate is not valid provenance
 * @example
 * ```ts
 * const view = provenanceView(statement);
 * console.log(view.flavor, view.sourceUri());
 * ```
 */
export function provenanceView(statement: Statement): ProvenanceView {
  const type = statement.predicateType;
  if (type === SLSA_PROVENANCE_V02_PREDICATE_TYPE || type === INTOTO_PROVENANCE_V01_PREDICATE_TYPE) {
    return v02View(type, parseSlsaProvenanceV02(statement.predicate));
  }
  if (type === SLSA_PROVENANCE_V1_PREDICATE_TYPE) return v1View(parseSlsaProvenanceV1(statement.predicate));
  throw fail(
    'ERR_PREDICATE_TYPE',
    `expected a SLSA provenance predicate type (v0.2 or v1), found ${JSON.stringify(type)}`,
  );
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof ParseError || error instanceof VerificationError) return undefined;
    throw error;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function date(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

function descriptorsOf(view: ProvenanceView): readonly ResourceDescriptor[] {
  if (view.v1 !== undefined) return view.v1.buildDefinition.resolvedDependencies ?? [];
  return (view.v02?.materials ?? []).map((m) => {
    const rd: { uri?: string; digest?: DigestSet } = {};
    if (m.uri !== undefined) rd.uri = m.uri;
    if (m.digest !== undefined) rd.digest = m.digest;
    return rd;
  });
}

/**
 * Normalizes SLSA provenance (v0.2, in-toto Provenance v0.1, or v1) into one model, each field read as
 * slsa-verifier reads it for the build type; a field the provenance does not carry (or carries malformed)
 * is left out rather than guessed.
 *
 * @throws VerificationError `ERR_PREDICATE_TYPE` for another predicate type
 * @throws ParseError `ERR_MALFORMED_PREDICATE` when the predicate is not valid provenance
 * @example
 * ```ts
 * const p = normalizeProvenance(statement);
 * console.log(p.builderId, p.sourceUri, p.tag ?? p.branch);
 * ```
 */
export function normalizeProvenance(statement: Statement): NormalizedProvenance {
  const view = provenanceView(statement);
  const v1 = view.v1;
  const v02 = view.v02;
  const first = descriptorsOf(view)[0];
  const params = v02?.invocation?.parameters;
  const meta = v1?.runDetails.metadata;
  const out: Record<string, unknown> = {
    predicateType: view.predicateType,
    slsaVersion: view.slsaVersion,
    builderId: view.builderId,
    buildType: view.buildType,
    builderVersion: v1?.runDetails.builder.version,
    sourceUri: attempt(() => view.sourceUri()),
    sourceDigest: first?.digest,
    triggerUri: attempt(() => view.triggerUri()),
    buildTriggerPath: nonEmpty(attempt(() => view.buildTriggerPath())),
    branch: nonEmpty(attempt(() => view.branch())),
    tag: nonEmpty(attempt(() => view.tag())),
    externalParameters: v1 ? v1.buildDefinition.externalParameters : isObject(params) ? params : {},
    systemParameters: attempt(() => view.systemParameters()) ?? {},
    workflowInputs: attempt(() => view.workflowInputs()) ?? {},
    resolvedDependencies: descriptorsOf(view),
    invocationId: nonEmpty(v1 ? meta?.invocationId : v02?.metadata?.buildInvocationId),
    startedOn: date(v1 ? meta?.startedOn : v02?.metadata?.buildStartedOn),
    finishedOn: date(v1 ? meta?.finishedOn : v02?.metadata?.buildFinishedOn),
  };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return deepFreeze(asNormalized(out));
}

// Every field above is typed at its source; this is the one place the assembled record is asserted.
function asNormalized(value: Record<string, unknown>): NormalizedProvenance {
  return value as unknown as NormalizedProvenance;
}
