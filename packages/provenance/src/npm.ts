// slsa-verifier's verify-npm-package: the SLSA provenance and the npm publish attestation of one package tarball.
import {
  type CertificateIdentity,
  digestFromHex,
  GITHUB_ACTIONS_ISSUER,
  isObject,
  isVouchError,
  type JsonObject,
  parseBundle,
  type SigstoreVerification,
  type Statement,
  type TrustedRoot,
  VerificationError,
  type VouchErrorCode,
  verifySigstoreBundle,
} from '@vouch/core';
import {
  fail,
  GENERIC_DELEGATOR,
  LOW_PERMS_DELEGATOR,
  matchesLoose,
  NPM_CLI_HOSTED_BUILDER,
  NPM_CLI_LEGACY_BUILDER,
  NPM_CLI_SELF_HOSTED_BUILDER,
  type NpmProvenanceView,
  parseBuilderId,
  readProvenance,
  verifyProvenanceMatchesCertificate,
  verifyProvenanceSource,
  type WorkflowIdentity,
  workflowIdentity,
  workflowInputs,
} from './npm-gha.js';
import { NPM_ATTESTATION_KEY_USAGE, type NpmRegistryKey, type NpmRegistryKeys } from './npm-keys.js';
import { isReleaseTag } from './semver.js';
import {
  type NormalizedProvenance,
  type SlsaCheck,
  type SlsaCheckId,
  type SlsaPolicy,
  type SlsaVerification,
  SlsaVerificationError,
} from './slsa-types.js';

export {
  type NpmKeyValidity,
  type NpmRegistryKey,
  type NpmRegistryKeys,
  parseNpmRegistryKeys,
} from './npm-keys.js';

/** The predicate type prefix of npm publish attestations (`…/publish/v0.1`). */
export const NPM_PUBLISH_PREDICATE_PREFIX = 'https://github.com/npm/attestation/tree/main/specs/publish/';
const SLSA_PREDICATES = ['https://slsa.dev/provenance/v0.2', 'https://slsa.dev/provenance/v1'];
const STATEMENT_TYPES = ['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1'];
const IN_TOTO = 'application/vnd.in-toto+json';
const SLSA_REPO = 'slsa-framework/slsa-github-generator';
const E2E_REPO = 'slsa-framework/example-package';

/** The digests of the package tarball (`.tgz`): sha512 is npm's `integrity`. */
export interface NpmTarballDigests {
  readonly sha512: Uint8Array;
  readonly sha256?: Uint8Array;
}

/** Options of {@link verifyNpmPackage}. */
export interface VerifyNpmPackageOptions {
  /** The registry's attestations document `{"attestations":[{predicateType, bundle}]}`. Untrusted. */
  readonly attestations: unknown;
  readonly tarball: NpmTarballDigests;
  readonly trustedRoot: TrustedRoot;
  /** The npm registry keys (see `parseNpmRegistryKeys`). */
  readonly npmRegistryKeys: NpmRegistryKeys;
  readonly policy: SlsaPolicy;
  readonly now: Date;
}

/** The two attestations npm serves for a package version. */
interface NpmAttestationPair {
  readonly provenance: unknown;
  readonly publish: unknown;
}

/** extractAttestations: at least two, the last SLSA provenance and the last publish attestation by predicateType. */
function extractAttestations(doc: unknown): NpmAttestationPair {
  const list = isObject(doc) ? doc.attestations : undefined;
  if (!Array.isArray(list)) {
    throw new VerificationError(
      'ERR_MALFORMED_BUNDLE',
      'attestations: expected an array of {predicateType, bundle}',
    );
  }
  if (list.length < 2) {
    throw new VerificationError(
      'ERR_MALFORMED_BUNDLE',
      `attestations: expected at least 2 (provenance and publish), found ${list.length}`,
    );
  }
  let provenance: unknown;
  let publish: unknown;
  for (const a of list) {
    const type = isObject(a) ? a.predicateType : undefined;
    if (typeof type !== 'string' || !isObject(a)) continue;
    if (SLSA_PREDICATES.includes(type)) provenance = a.bundle;
    if (type.startsWith(NPM_PUBLISH_PREDICATE_PREFIX)) publish = a.bundle;
  }
  if (provenance === undefined || publish === undefined) {
    throw new VerificationError(
      'ERR_MALFORMED_BUNDLE',
      'attestations: expected a SLSA provenance and an npm publish attestation',
    );
  }
  return { provenance, publish };
}

class Checks {
  readonly list: SlsaCheck[] = [];

  pass(id: SlsaCheckId, message: string): void {
    this.list.push(Object.freeze({ id, status: 'pass', message }));
  }

  skip(id: SlsaCheckId, message: string): void {
    this.list.push(Object.freeze({ id, status: 'skip', message }));
  }

  /** Runs `step`; a VouchError fails check `id` with its code and the step's result is undefined. */
  run<T>(id: SlsaCheckId, passMessage: string | ((v: T) => string), step: () => T): T | undefined {
    try {
      const v = step();
      this.pass(id, typeof passMessage === 'string' ? passMessage : passMessage(v));
      return v;
    } catch (e) {
      if (!isVouchError(e)) throw e;
      this.list.push(Object.freeze({ id, status: 'fail', code: e.code, message: e.message }));
      return undefined;
    }
  }

  /** Runs `step` when its input exists, else records a skip saying why. */
  when<I, T>(
    input: I | undefined,
    id: SlsaCheckId,
    why: string,
    passMessage: string,
    step: (i: I) => T,
  ): T | undefined {
    if (input === undefined) {
      this.skip(id, `not checked: ${why}`);
      return undefined;
    }
    return this.run(id, passMessage, () => step(input));
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** One attestation bundle verified by core, with the tarball's sha512 as a subject of its in-toto statement. */
interface VerifiedAttestation {
  readonly payloadType: string;
  readonly statement: Statement;
  /** What core's artifact check found (the subject match). */
  readonly subject: string;
}

/** The npm-wide parts of core's bundle verification: the tarball by its sha512, root-including v0.1 chains. */
interface BundleContext {
  readonly integrity: string;
  readonly trustedRoot: TrustedRoot;
  readonly now: Date;
}

function verifiedStatement(result: SigstoreVerification, what: string): VerifiedAttestation {
  const { payloadType, statement } = result;
  // Core matches a subject only in an in-toto statement; any other payload has none to match, and is refused.
  if (payloadType !== IN_TOTO || statement === undefined) {
    fail(
      'ERR_MALFORMED_ENVELOPE',
      `${what}: expected payload type ${IN_TOTO}, found ${payloadType ?? 'none'}`,
    );
  }
  const subject = result.checks.find((c) => c.id === 'artifact')?.message ?? '';
  return { payloadType, statement, subject };
}

/** The provenance bundle: a Fulcio certificate issued to a GitHub Actions workflow; the workflow is judged later. */
function verifyProvenanceBundle(
  bundle: unknown,
  context: BundleContext,
): VerifiedAttestation & { readonly identity: CertificateIdentity } {
  const result = verifySigstoreBundle({
    bundle,
    artifact: { digest: digestFromHex('sha512', context.integrity, 'tarball.sha512') },
    trustedRoot: context.trustedRoot,
    now: context.now,
    identity: { issuer: { exact: GITHUB_ACTIONS_ISSUER }, subjectAlternativeName: { regexp: '.*' } },
    chainMayIncludeTrustedCertificates: true,
  });
  if (result.signer.type !== 'certificate') {
    fail('ERR_UNTRUSTED_KEY', 'expected the provenance to be signed with a Fulcio certificate, found a key');
  }
  return { ...verifiedStatement(result, 'provenance'), identity: result.signer.identity };
}

/**
 * The publish attestation: signed by an npm registry key for attestations, picked by the bundle's key hint as npm's
 * verifier does (the hint only narrows the search, the signature decides), valid at every verified signing time.
 */
function verifyPublishBundle(
  bundle: unknown,
  keys: readonly NpmRegistryKey[],
  context: BundleContext,
): VerifiedAttestation {
  const material = parseBundle(bundle).verificationMaterial.content;
  if (material.type !== 'publicKey') {
    fail(
      'ERR_UNTRUSTED_KEY',
      `expected the publish attestation to be signed by an npm registry key, found a ${material.type}`,
    );
  }
  const hint = material.hint;
  const candidates = keys.filter((k) => hint === undefined || hint === '' || k.keyId === hint);
  if (candidates.length === 0) {
    fail(
      'ERR_UNTRUSTED_KEY',
      `expected the bundle to be signed by a trusted npm registry key, found key hint ${JSON.stringify(hint ?? '')} of no such key`,
    );
  }
  const result = verifySigstoreBundle({
    bundle,
    artifact: { digest: digestFromHex('sha512', context.integrity, 'tarball.sha512') },
    trustedRoot: context.trustedRoot,
    now: context.now,
    keys: candidates.map((k) => k.publicKey),
  });
  const signer = result.signer;
  if (signer.type !== 'key') fail('ERR_UNTRUSTED_KEY', 'expected the publish attestation to be key-signed');
  const times = result.times.map((t) => t.time);
  const used = candidates.filter((k) => k.publicKey.keyId === signer.keyId);
  const outside = (k: NpmRegistryKey) =>
    times.find(
      (t) =>
        (k.validFor.start !== undefined && t < k.validFor.start) ||
        (k.validFor.end !== undefined && t > k.validFor.end),
    );
  if (!used.some((k) => outside(k) === undefined)) {
    const key = used[0];
    const { start, end } = key?.validFor ?? {};
    fail(
      'ERR_UNTRUSTED_KEY',
      `expected npm registry key ${key?.keyId ?? signer.keyId} to be valid at the signing time ${
        (key === undefined ? undefined : outside(key))?.toISOString() ?? '(unknown)'
      }, but it is valid ${start?.toISOString() ?? '(always)'} to ${end?.toISOString() ?? '(now)'}`,
    );
  }
  return verifiedStatement(result, 'publish attestation');
}

/** getPackageNameAndVersion: `name@version`, `@scope/name@version`. */
function splitPackage(name: string): [string, string] {
  const scoped = name.startsWith('@');
  const parts = (scoped ? name.slice(1) : name).split('@');
  if (parts.length > 2) fail('ERR_MALFORMED_STATEMENT', `invalid package name ${JSON.stringify(name)}`);
  return [(scoped ? '@' : '') + (parts[0] ?? ''), parts[1] ?? ''];
}

/** The provenance subject's package, `pkg:npm/<url-escaped name>@<version>`. */
function provenancePackage(subjects: Statement['subject']): [string, string] {
  if (subjects.length !== 1)
    fail('ERR_MALFORMED_ENVELOPE', `expected 1 provenance subject, found ${subjects.length}`);
  const name = subjects[0]?.name ?? '';
  const prefix = 'pkg:npm/';
  if (!name.startsWith(prefix))
    fail('ERR_MALFORMED_STATEMENT', `expected a subject name pkg:npm/…, found ${JSON.stringify(name)}`);
  let decoded: string;
  try {
    // Go's url.QueryUnescape: `+` is a space.
    decoded = decodeURIComponent(name.slice(prefix.length).replaceAll('+', ' '));
  } catch {
    return fail('ERR_MALFORMED_STATEMENT', `the subject name ${JSON.stringify(name)} is not URL-encoded`);
  }
  return splitPackage(decoded);
}

function publishPredicate(statement: Statement): { name: string; version: string } {
  const p = statement.predicate ?? {};
  return {
    name: typeof p.name === 'string' ? p.name : '',
    version: typeof p.version === 'string' ? p.version : '',
  };
}

/** verifyIntotoHeaders: payload type, statement type and predicate type of both attestations. */
function verifyHeaders(
  bundle: VerifiedAttestation,
  accept: (predicateType: string) => boolean,
  what: string,
): void {
  if (bundle.payloadType !== IN_TOTO)
    fail('ERR_MALFORMED_ENVELOPE', `${what}: expected payload type ${IN_TOTO}, found ${bundle.payloadType}`);
  if (!STATEMENT_TYPES.includes(bundle.statement.type))
    fail('ERR_MALFORMED_ENVELOPE', `${what}: unexpected statement type ${bundle.statement.type}`);
  if (!accept(bundle.statement.predicateType))
    fail('ERR_MALFORMED_ENVELOPE', `${what}: unexpected predicate type ${bundle.statement.predicateType}`);
}

/** The builder rules of verifyNpmEnvAndCert once the certificate is read: which builder the provenance is read as. */
interface BuilderDecision {
  readonly trusted: boolean;
  /** The builder whose reader reads the provenance (the delegator, or the npm CLI builder named). */
  readonly readAs: string;
  readonly expected: string;
}

function isDelegator(name: string): boolean {
  return name === GENERIC_DELEGATOR || name === LOW_PERMS_DELEGATOR;
}

/** VerifyBuilderIdentity against the delegator: trusted only when the signer is a BYOB delegator at a release tag. */
function certificateBuilder(workflow: WorkflowIdentity, policy: SlsaPolicy): boolean {
  if (workflow.subjectWorkflowName === '' || workflow.subjectWorkflowRef === '') {
    fail(
      'ERR_SLSA_SOURCE_MISMATCH',
      `the certificate's workflow URI has no ref: ${workflow.subjectWorkflowPath}`,
    );
  }
  parseBuilderId(`${workflow.subjectWorkflowName}@${workflow.subjectWorkflowRef}`, true);
  // Any other workflow is not a trusted builder: accepted here, as the npm CLI on GitHub Actions.
  if (!isDelegator(workflow.subjectWorkflowName)) return false;
  const ref = workflow.subjectWorkflowRef;
  const testRepo = workflow.sourceRepository === SLSA_REPO || workflow.sourceRepository === E2E_REPO;
  if (testRepo && policy.allowBuilderAtBranch === true && ref === 'refs/heads/main') return true;
  const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
  const ok =
    tag !== undefined &&
    isReleaseTag({ tag, allowPrerelease: testRepo && policy.allowBuilderAtBranch === true });
  if (!ok)
    fail('ERR_SLSA_INVALID_REF', `expected the builder at a release tag refs/tags/vX.Y.Z, found ${ref}`);
  return true;
}

function decideBuilder(
  workflow: WorkflowIdentity,
  trusted: boolean,
  expected: string | undefined,
): BuilderDecision {
  if (expected === undefined)
    fail('ERR_SLSA_INVALID_BUILDER_ID', 'expected a builder id (--builder-id), found none');
  if (trusted) {
    if (workflow.hosted !== undefined && workflow.hosted !== 'github-hosted') {
      fail('ERR_SLSA_BUILDER_MISMATCH', 'the trusted reusable workflow ran on a self-hosted runner');
    }
    return { trusted, readAs: workflow.subjectWorkflowName, expected };
  }
  if (workflow.hosted === undefined)
    fail('ERR_SLSA_NOT_SUPPORTED', 'the certificate does not say whether the runner was GitHub-hosted');
  if (expected === NPM_CLI_LEGACY_BUILDER || expected === NPM_CLI_HOSTED_BUILDER) {
    if (workflow.hosted !== 'github-hosted')
      fail(
        'ERR_SLSA_BUILDER_MISMATCH',
        `builder ${expected} expects a GitHub-hosted runner, the workflow ran self-hosted`,
      );
  } else if (expected === NPM_CLI_SELF_HOSTED_BUILDER) {
    if (workflow.hosted !== 'self-hosted')
      fail(
        'ERR_SLSA_BUILDER_MISMATCH',
        `builder ${expected} expects a self-hosted runner, the workflow ran GitHub-hosted`,
      );
  } else {
    fail(
      'ERR_SLSA_NOT_SUPPORTED',
      `builder ${expected} is not supported: expected ${NPM_CLI_SELF_HOSTED_BUILDER} or ${NPM_CLI_HOSTED_BUILDER}`,
    );
  }
  return { trusted, readAs: parseBuilderId(expected, false).name, expected };
}

/** The provenance builder against the expected id, with or without the `/github-hosted` suffix (older provenance). */
function verifyProvenanceBuilder(prov: NpmProvenanceView, expected: string): void {
  const actual = parseBuilderId(prov.builderId, false);
  try {
    matchesLoose(actual, expected);
  } catch (e) {
    const suffix = '/github-hosted';
    const other = expected.endsWith(suffix) ? expected.slice(0, -suffix.length) : expected + suffix;
    try {
      matchesLoose(actual, other);
    } catch {
      throw e;
    }
  }
}

function normalize(prov: NpmProvenanceView): NormalizedProvenance {
  const quiet = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (isVouchError(e)) return undefined;
      throw e;
    }
  };
  const sourceUri = quiet(prov.sourceUri);
  const triggerUri = quiet(prov.triggerUri);
  const buildTriggerPath = quiet(prov.buildTriggerPath);
  const systemParameters: JsonObject = quiet(prov.systemParameters) ?? {};
  const sourceDigest = prov.resolvedDependencies[0]?.digest;
  const date = (s: string | undefined) =>
    s === undefined || Number.isNaN(Date.parse(s)) ? undefined : new Date(s);
  const startedOn = date(prov.startedOn);
  const finishedOn = date(prov.finishedOn);
  return {
    predicateType: prov.predicateType,
    slsaVersion: prov.slsaVersion,
    builderId: prov.builderId,
    ...(prov.builderVersion !== undefined && { builderVersion: prov.builderVersion }),
    buildType: prov.buildType,
    ...(sourceUri !== undefined && { sourceUri }),
    ...(sourceDigest !== undefined && { sourceDigest }),
    ...(triggerUri !== undefined && { triggerUri }),
    ...(buildTriggerPath !== undefined && { buildTriggerPath }),
    externalParameters: prov.externalParameters,
    systemParameters,
    workflowInputs: {},
    resolvedDependencies: prov.resolvedDependencies,
    ...(prov.invocationId !== '' && { invocationId: prov.invocationId }),
    ...(startedOn !== undefined && { startedOn }),
    ...(finishedOn !== undefined && { finishedOn }),
  };
}

/**
 * Verifies an npm package as slsa-verifier v2.7.1's `verify-npm-package`: the SLSA provenance bundle (Fulcio
 * certificate from GitHub Actions, Rekor entry) and the npm publish attestation bundle (signed by an npm registry
 * key valid at its log time); both subjects are `pkg:npm/<name>@<version>` with the tarball's sha512; the builder
 * (`https://github.com/actions/runner/github-hosted` for the npm CLI, or a trusted BYOB delegator), the source, and
 * `--package-name` / `--package-version`. Every check is evaluated and listed in slsa-verifier's order.
 *
 * @throws SlsaVerificationError with the code of the first failure in slsa-verifier's order, and every check
 * @example
 * ```ts
 * const result = verifyNpmPackage({
 *   attestations: JSON.parse(attestationsJson), tarball: { sha512 }, trustedRoot, now: new Date(),
 *   npmRegistryKeys: parseNpmRegistryKeys(JSON.parse(keysJson)),
 *   policy: { sourceUri: 'github.com/sigstore/sigstore-js', builderId: 'https://github.com/actions/runner/github-hosted',
 *             packageName: 'sigstore', packageVersion: '2.3.1' },
 * });
 * console.log(result.builderId);
 * ```
 */
export function verifyNpmPackage(options: VerifyNpmPackageOptions): SlsaVerification {
  const { policy } = options;
  const checks = new Checks();
  const integrity = hex(options.tarball.sha512);
  const context: BundleContext = { integrity, trustedRoot: options.trustedRoot, now: options.now };

  // The CLI refuses these flags for npm packages before verifying anything.
  const unsupported: [SlsaCheckId, string | undefined, string][] = [
    ['branch', policy.sourceBranch, '--source-branch'],
    ['tag', policy.sourceTag, '--source-tag'],
    ['versioned-tag', policy.sourceVersionedTag, '--source-versioned-tag'],
  ];
  for (const [id, value, flag] of unsupported) {
    if (value === undefined) checks.skip(id, `${flag} not given`);
    else
      checks.run(id, '', () => fail('ERR_SLSA_NOT_SUPPORTED', `${flag} is not supported for npm packages`));
  }

  const pair = checks.run(
    'envelope',
    'the attestations document holds a provenance and a publish attestation',
    () => extractAttestations(options.attestations),
  );

  // The provenance: signed by a GitHub Actions certificate; who signed is judged by the builder rules below.
  const provenance = checks.when(
    pair,
    'envelope',
    'no attestations',
    'provenance bundle verified (Fulcio certificate, transparency log, DSSE signature)',
    (p) => verifyProvenanceBundle(p.provenance, context),
  );
  const certificate = provenance?.identity;
  const workflow = checks.when(
    certificate,
    'certificate',
    'the provenance did not verify',
    'the certificate names a GitHub workflow run',
    workflowIdentity,
  );
  const trusted = checks.when(
    workflow,
    'certificate',
    'no workflow identity',
    'the signing workflow is a trusted builder or the npm CLI',
    (w) => certificateBuilder(w, policy),
  );
  checks.when(
    workflow,
    'source',
    'no workflow identity',
    `the certificate's source repository is ${policy.sourceUri}`,
    (w) => {
      const expected = policy.sourceUri.replace(/^git\+https:\/\//, '').replace(/^github\.com\//, '');
      if (w.sourceRepository !== expected) {
        fail(
          'ERR_SLSA_SOURCE_MISMATCH',
          `expected source ${expected}, the certificate says ${w.sourceRepository}`,
        );
      }
    },
  );
  const decision = checks.when(
    workflow === undefined || trusted === undefined ? undefined : { w: workflow, t: trusted },
    'builder',
    'the certificate was not verified',
    `builder ${policy.builderId ?? ''} is supported for this signer`,
    ({ w, t }) => decideBuilder(w, t, policy.builderId),
  );
  // Read as the decided builder; when the decision failed, as the provenance's own builder, to report the rest.
  const statement = provenance?.statement;
  const readAs = decision?.readAs ?? (statement === undefined ? undefined : builderNameOf(statement));
  const prov = checks.when(
    statement === undefined || readAs === undefined ? undefined : { s: statement, b: readAs },
    'build-type',
    'the provenance did not verify',
    'the provenance is a build type its builder writes',
    ({ s, b }) => readProvenance(s, b),
  );
  const expected = decision?.expected ?? policy.builderId;
  checks.when(
    expected === undefined ? undefined : prov,
    'builder',
    'no provenance or builder id',
    `the provenance builder matches ${expected ?? ''}`,
    (p) => verifyProvenanceBuilder(p, expected ?? ''),
  );
  checks.when(
    prov,
    'source',
    'no provenance',
    `the provenance trigger and source are ${policy.sourceUri}`,
    (p) => verifyProvenanceSource(p, policy.sourceUri),
  );
  // Core matched the subject when it verified the bundle; listed here, where slsa-verifier checks it.
  if (prov === undefined || provenance === undefined) checks.skip('subject', 'not checked: no provenance');
  else checks.pass('subject', `provenance: ${provenance.subject}`);
  const inputs = policy.buildWorkflowInputs ?? {};
  if (Object.keys(inputs).length === 0) checks.skip('workflow-inputs', 'no --build-workflow-input given');
  else {
    checks.when(prov, 'workflow-inputs', 'no provenance', 'the workflow inputs match', (p) => {
      const actual = workflowInputs(p);
      for (const [k, v] of Object.entries(inputs)) {
        const found = actual[k];
        if (typeof found !== 'string')
          fail('ERR_SLSA_WORKFLOW_INPUTS_MISMATCH', `expected workflow input ${k}=${v}, found none`);
        if (found !== v)
          fail('ERR_SLSA_WORKFLOW_INPUTS_MISMATCH', `expected workflow input ${k}=${v}, found ${k}=${found}`);
      }
    });
  }
  if (decision?.trusted === true)
    checks.skip('certificate-provenance', 'a trusted builder: its provenance is not forgeable by the caller');
  else {
    checks.when(
      prov === undefined || workflow === undefined ? undefined : { p: prov, w: workflow },
      'certificate-provenance',
      'no provenance or certificate',
      'every provenance claim is proven by the certificate',
      ({ p, w }) => verifyProvenanceMatchesCertificate(p, w),
    );
  }

  // The publish attestation: signed by the registry.
  const registryKeys = options.npmRegistryKeys.keys.filter((k) => k.keyUsage === NPM_ATTESTATION_KEY_USAGE);
  const publish = checks.when(
    pair,
    'envelope',
    'no attestations',
    'publish attestation verified (npm registry key, transparency log)',
    (p) => verifyPublishBundle(p.publish, registryKeys, context),
  );
  if (publish === undefined) checks.skip('subject', 'not checked: the publish attestation did not verify');
  else checks.pass('subject', `publish attestation: ${publish.subject}`);
  checks.when(
    provenance === undefined || publish === undefined ? undefined : { v: provenance, u: publish },
    'envelope',
    'an attestation did not verify',
    'both statements have the expected in-toto types',
    ({ v, u }) => {
      verifyHeaders(v, (t) => SLSA_PREDICATES.includes(t), 'provenance');
      verifyHeaders(u, (t) => t.startsWith(NPM_PUBLISH_PREDICATE_PREFIX), 'publish attestation');
    },
  );
  const both = prov === undefined || publish === undefined ? undefined : { p: prov, u: publish.statement };
  const { packageName, packageVersion } = policy;
  if (packageName === undefined) checks.skip('package', '--package-name not given');
  else {
    checks.when(
      both,
      'package',
      'an attestation did not verify',
      `the package name is ${packageName}`,
      ({ p, u }) => {
        const [name] = provenancePackage(p.subjects);
        const predicate = publishPredicate(u);
        for (const [where, found] of [
          ['provenance subject', name],
          ['publish predicate', splitPackage(predicate.name)[0]],
          ['publish predicate', predicate.name],
        ] as const) {
          if (found !== packageName)
            fail(
              'ERR_SLSA_PACKAGE_NAME_MISMATCH',
              `expected package name ${packageName}, the ${where} says ${found}`,
            );
        }
      },
    );
  }
  if (packageVersion === undefined) checks.skip('package', '--package-version not given');
  else {
    checks.when(
      both,
      'package',
      'an attestation did not verify',
      `the package version is ${packageVersion}`,
      ({ p, u }) => {
        const [, version] = provenancePackage(p.subjects);
        const predicate = publishPredicate(u);
        for (const [where, found] of [
          ['provenance subject', version],
          ['publish predicate', predicate.version],
        ] as const) {
          if (found !== packageVersion)
            fail(
              'ERR_SLSA_PACKAGE_VERSION_MISMATCH',
              `expected package version ${packageVersion}, the ${where} says ${found}`,
            );
        }
      },
    );
  }

  const first = checks.list.find((c) => c.status === 'fail');
  if (first !== undefined || prov === undefined || provenance === undefined || decision === undefined) {
    const code: VouchErrorCode = first?.code ?? 'ERR_INTERNAL';
    throw new SlsaVerificationError(
      code,
      `npm package verification failed: ${first?.id ?? 'internal'}: ${first?.message ?? 'a check was not evaluated'}`,
      checks.list,
    );
  }
  const builderId = decision.trusted ? prov.builderId : decision.expected;
  return Object.freeze({
    builderId,
    statement: provenance.statement,
    provenance: Object.freeze(normalize(prov)),
    ...(certificate !== undefined && { certificate }),
    checks: Object.freeze([...checks.list]),
  });
}

/** The provenance's own builder name, to read it for reporting when no builder decision could be made. */
function builderNameOf(statement: Statement): string | undefined {
  const p = statement.predicate;
  const rd = isObject(p?.runDetails) ? p.runDetails : undefined;
  const b = isObject(rd?.builder) ? rd.builder : isObject(p?.builder) ? p.builder : undefined;
  const id = b?.id;
  return typeof id === 'string' ? id.split('@')[0] : undefined;
}
