// Google Cloud Build provenance (`gcloud … describe --show-provenance`), verified as slsa-verifier's GCB verifier does, and normalized.
import {
  type Digest,
  decodeBase64,
  ecdsaDerToP1363,
  IN_TOTO_PAYLOAD_TYPE,
  IssueCollector,
  isObject,
  isVouchError,
  type JsonObject,
  KeyError,
  ParseError,
  PublicKey,
  pae,
  parseDigest,
  parseJson,
  parseStatement,
  type ResourceDescriptor,
  STATEMENT_TYPE_V1,
  STATEMENT_TYPE_V01,
  type Statement,
  UsageError,
  type VouchErrorCode,
} from '@vouch/core';
import {
  field,
  type GcbDocument,
  type GcbProvenanceEntry,
  type GoValue,
  goDeepEqual,
  project,
  readGcbDocument,
  stringField,
} from './gcb-document.js';
import { versionedTagMismatch } from './semver.js';
import {
  type NormalizedProvenance,
  type SlsaCheck,
  type SlsaCheckId,
  type SlsaPolicy,
  type SlsaVerification,
  SlsaVerificationError,
} from './slsa-types.js';

/** The builder name slsa-verifier's GCB verifier is authoritative for (`--builder-id` name part). */
export const GCB_BUILDER_NAME = 'https://cloudbuild.googleapis.com/GoogleHostedWorker';
/** The predicate type GCB's v0.2/v0.3 builders sign (SLSA v0.1). */
export const GCB_PREDICATE_TYPE_V01 = 'https://slsa.dev/provenance/v0.1';
/** The predicate type GCB's unversioned builder signs. */
export const GCB_PREDICATE_TYPE_V1 = 'https://slsa.dev/provenance/v1';
/** The only build type of SLSA v1 GCB provenance. */
export const GCB_BUILD_TYPE_V1 = 'https://cloud.google.com/build/gcb-buildtypes/google-worker/v1';

const BUILDER_IDS_V01: readonly string[] = [`${GCB_BUILDER_NAME}@v0.2`, `${GCB_BUILDER_NAME}@v0.3`];
const BUILDER_IDS_V1: readonly string[] = [GCB_BUILDER_NAME];
const V1_GLOBAL_KEY_ID =
  'projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/google-hosted-worker/cryptoKeyVersions/1';
const V01_GLOBAL_KEY_ID =
  'projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/provenanceSigner/cryptoKeyVersions/1';
/** KMS key versions whose signatures are DSSE (PAE) signatures, and the key names the caller supplies them under. */
const GLOBAL_PAE_KEYS: ReadonlyMap<string, string> = new Map([
  [V1_GLOBAL_KEY_ID, 'global-pae-google-hosted-worker_1'],
  [V01_GLOBAL_KEY_ID, 'global-pae-provenanceSigner_1'],
]);
/** Regional keys sign the payload itself (GCB's legacy signing, not PAE); the region names the key. */
const REGIONAL_KEY_ID =
  /^projects\/verified-builder\/locations\/(.*)\/keyRings\/attestor\/cryptoKeys\/builtByGCB\/cryptoKeyVersions\/1$/;
const CLOUD_BUILD_TYPE = 'type.googleapis.com/google.devtools.cloudbuild.v1.Build';
const STD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Options of {@link verifyGcbProvenance}. */
export interface VerifyGcbProvenanceOptions {
  /** The bytes of the provenance JSON file (`gcloud artifacts docker images describe … --show-provenance --format json`). */
  readonly provenance: Uint8Array;
  /** The image's digest; when absent, the digest of `imageReference`. */
  readonly imageDigest?: Digest;
  /** The image as the user named it: it must carry its digest (`IMAGE@sha256:…`), as slsa-verifier requires. */
  readonly imageReference?: string;
  /** GCB's KMS public keys by name: regions (`global`, `us-central1`, …) and `global-pae-*` (slsa-verifier's key files). */
  readonly keys: Readonly<Record<string, PublicKey>>;
  readonly policy: SlsaPolicy;
}

type Version = 'v0.1' | 'v1';

/** The one provenance entry whose signature verified, and its statement. */
interface Verified {
  readonly entry: GcbProvenanceEntry;
  readonly keyName: string;
  readonly version: Version;
  /** The signed statement projected as slsa-verifier's structs read it. */
  readonly go: GoValue;
  readonly statement: Statement;
}

/** A builder id split at its `@`, as slsa-verifier's ParseBuilderID. */
interface BuilderId {
  readonly name: string;
  readonly version: string;
}

type Outcome =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly code: VouchErrorCode; readonly message: string };

const ok = (message: string): Outcome => ({ ok: true, message });
const bad = (code: VouchErrorCode, message: string): Outcome => ({ ok: false, code, message });
const quote = (s: string): string => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);

function parseBuilderId(id: string, needVersion: boolean): BuilderId | undefined {
  const parts = id.split('@');
  if (parts.length === 2)
    return parts[1] === '' ? undefined : { name: parts[0] ?? '', version: parts[1] ?? '' };
  if (parts.length === 1 && !needVersion) return { name: id, version: '' };
  return undefined;
}

const builderString = (b: BuilderId): string => (b.version === '' ? b.name : `${b.name}@${b.version}`);

class CheckList {
  readonly list: SlsaCheck[] = [];

  add(id: SlsaCheckId, outcome: Outcome): boolean {
    this.list.push(
      Object.freeze(
        outcome.ok
          ? { id, status: 'pass' as const, message: outcome.message }
          : { id, status: 'fail' as const, code: outcome.code, message: outcome.message },
      ),
    );
    return outcome.ok;
  }

  skip(id: SlsaCheckId, message: string): void {
    this.list.push(Object.freeze({ id, status: 'skip' as const, message }));
  }

  firstFailure(): SlsaCheck | undefined {
    return this.list.find((c) => c.status === 'fail');
  }
}

function checkOptions(options: VerifyGcbProvenanceOptions): void {
  if (!(options.provenance instanceof Uint8Array)) {
    throw new UsageError('ERR_USAGE', 'provenance must be the bytes of the provenance file (a Uint8Array)');
  }
  if (options.imageDigest === undefined && options.imageReference === undefined) {
    throw new UsageError(
      'ERR_USAGE',
      'expected imageDigest or imageReference (IMAGE@sha256:…), found neither',
    );
  }
  if (typeof options.policy?.sourceUri !== 'string') {
    throw new UsageError('ERR_USAGE', 'policy.sourceUri (--source-uri) is required');
  }
  for (const [name, key] of Object.entries(options.keys)) {
    if (!(key instanceof PublicKey))
      throw new UsageError('ERR_USAGE', `keys.${name} must be a PublicKey (see parsePublicKey)`);
    // GCB's KMS keys are EC P-256; slsa-verifier verifies them as ECDSA over SHA-256.
    if (key.algorithm !== 'ecdsa-p256') {
      throw new KeyError(
        'ERR_UNSUPPORTED_KEY',
        `keys.${name} must be an ECDSA P-256 key, found ${key.algorithm}`,
      );
    }
  }
}

/** slsa-verifier refuses an image named without its digest before anything else (a tag can be moved). */
function referenceOutcome(
  reference: string | undefined,
  digest: Digest | undefined,
): { readonly outcome: Outcome | undefined; readonly digest: Digest | undefined } {
  if (reference === undefined) return { outcome: undefined, digest };
  const at = reference.lastIndexOf('@');
  if (at < 0) {
    return {
      outcome: bad(
        'ERR_MUTABLE_REFERENCE',
        `expected an image named by digest (IMAGE@sha256:…), found ${quote(reference)}`,
      ),
      digest,
    };
  }
  let pinned: Digest;
  try {
    pinned = parseDigest(reference.slice(at + 1), 'imageReference');
  } catch (e) {
    if (!isVouchError(e)) throw e;
    return {
      outcome: bad('ERR_MALFORMED_REFERENCE', `the digest of ${quote(reference)}: ${e.message}`),
      digest,
    };
  }
  if (pinned.algorithm !== 'sha256') {
    return {
      outcome: bad('ERR_MUTABLE_REFERENCE', `expected a sha256 image digest, found ${pinned.algorithm}`),
      digest,
    };
  }
  if (digest !== undefined && digest.value !== pinned.value) {
    return {
      outcome: bad(
        'ERR_DIGEST_MISMATCH',
        `expected the image digest ${digest.value} in the reference, found ${pinned.value}`,
      ),
      digest,
    };
  }
  return { outcome: ok(`the image is named by its digest ${pinned.value}`), digest: digest ?? pinned };
}

/** getVerifier: `--builder-id` selects the verifier; only GCB's builder name is this one's. */
function verifierOutcome(expected: string | undefined): Outcome | undefined {
  if (expected === undefined || expected === '') return undefined;
  const parsed = parseBuilderId(expected, false);
  if (parsed === undefined)
    return bad(
      'ERR_MALFORMED_PREDICATE',
      `--builder-id must be NAME or NAME@VERSION, found ${quote(expected)}`,
    );
  if (parsed.name !== GCB_BUILDER_NAME) {
    return bad(
      'ERR_SLSA_NOT_SUPPORTED',
      `expected the builder ${GCB_BUILDER_NAME}, found ${quote(parsed.name)}: no GCB verifier supports it`,
    );
  }
  return ok(`builder ${parsed.name} is verified as Google Cloud Build`);
}

function readDocument(bytes: Uint8Array): GcbDocument {
  const json = parseJson(bytes, 'provenance', 'ERR_MALFORMED_ENVELOPE');
  const issues = new IssueCollector();
  const doc = readGcbDocument(json, issues);
  issues.throwIfAny('ERR_MALFORMED_ENVELOPE');
  return doc;
}

/** v01.New / v10.New: the payload read into its structs, with slsa-verifier's statement-type checks. */
function readPayload(payload: Uint8Array, version: Version): { go: GoValue; statement: Statement } | string {
  let json: unknown;
  try {
    json = parseJson(payload, 'payload', 'ERR_MALFORMED_ENVELOPE');
  } catch (e) {
    if (isVouchError(e)) return e.message;
    throw e;
  }
  const issues = new IssueCollector();
  if (!isObject(json)) issues.add('payload', 'must be a JSON object');
  const go = project(version, json, issues, 'payload');
  if (issues.issues.length > 0) return issues.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  const type = stringField(go, '_type');
  if (type !== STATEMENT_TYPE_V01 && type !== STATEMENT_TYPE_V1)
    return `expected an in-toto Statement _type, found ${quote(type)}`;
  const expectedPredicate = version === 'v1' ? GCB_PREDICATE_TYPE_V1 : GCB_PREDICATE_TYPE_V01;
  const predicateType = stringField(go, 'predicateType');
  if (predicateType !== expectedPredicate)
    return `expected predicateType ${quote(expectedPredicate)}, found ${quote(predicateType)}`;
  try {
    return { go, statement: parseStatement(json) };
  } catch (e) {
    if (isVouchError(e)) return e.message;
    throw e;
  }
}

function decodeSignature(sig: string): Uint8Array | undefined {
  try {
    return decodeBase64(sig, 'sig');
  } catch (e) {
    if (isVouchError(e)) return undefined;
    throw e;
  }
}

/** verifySignatures: the first signature of this entry that a known key verifies, and its parsed payload. */
function verifyEntry(
  entry: GcbProvenanceEntry,
  at: string,
  keys: Readonly<Record<string, PublicKey>>,
  errors: string[],
): Verified | undefined {
  const { envelope } = entry;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    errors.push(`${at}: expected payloadType ${IN_TOTO_PAYLOAD_TYPE}, found ${quote(envelope.payloadType)}`);
    return undefined;
  }
  const payload =
    STD_BASE64.test(envelope.payload) && envelope.payload.length % 4 === 0
      ? decodeSignature(envelope.payload)
      : undefined;
  if (payload === undefined || payload.length === 0) {
    errors.push(`${at}: expected a non-empty standard base64 payload`);
    return undefined;
  }
  if (envelope.signatures.length === 0) {
    errors.push(`${at}: no signatures found in envelope`);
    return undefined;
  }
  for (const [i, signature] of envelope.signatures.entries()) {
    const where = `${at}.envelope.signatures[${i}]`;
    const globalName = GLOBAL_PAE_KEYS.get(signature.keyid);
    const region = globalName === undefined ? REGIONAL_KEY_ID.exec(signature.keyid)?.[1] : undefined;
    const keyName = globalName ?? region;
    if (keyName === undefined) continue;
    const key = Object.hasOwn(keys, keyName) ? keys[keyName] : undefined;
    if (key === undefined) {
      errors.push(`${where}: no GCB key named ${quote(keyName)}`);
      continue;
    }
    const sig = decodeSignature(signature.sig);
    // PAE for the global keys; the legacy regional signature covers the payload itself. Both are ASN.1 DER ECDSA.
    const message = globalName === undefined ? payload : pae(envelope.payloadType, payload);
    if (sig === undefined || ecdsaDerToP1363(sig, 32) === undefined || !key.verifySync(message, sig)) {
      errors.push(`${where}: the signature does not verify with key ${quote(keyName)}`);
      continue;
    }
    const version: Version = signature.keyid === V1_GLOBAL_KEY_ID ? 'v1' : 'v0.1';
    const read = readPayload(payload, version);
    if (typeof read === 'string') {
      errors.push(`${where}: signed payload: ${read}`);
      continue;
    }
    return { entry, keyName, version, ...read };
  }
  return undefined;
}

function verifySignatures(doc: GcbDocument, keys: Readonly<Record<string, PublicKey>>): Verified | Outcome {
  if (doc.provenance.length === 0)
    return bad('ERR_MALFORMED_ENVELOPE', 'expected provenance_summary.provenance entries, found none');
  const errors: string[] = [];
  for (const [i, entry] of doc.provenance.entries()) {
    const verified = verifyEntry(entry, `provenance_summary.provenance[${i}]`, keys, errors);
    if (verified !== undefined) return verified;
  }
  const why = errors.length > 0 ? errors.join('; ') : 'no signature has a GCB key id';
  return bad('ERR_SIGNATURE_INVALID', `expected a signature by a GCB KMS key, found no valid one (${why})`);
}

function builderIdOf(v: Verified): string {
  return v.version === 'v1'
    ? stringField(v.go, 'predicate', 'runDetails', 'builder', 'id')
    : stringField(v.go, 'predicate', 'builder', 'id');
}

function buildTypeOf(v: Verified): string {
  return v.version === 'v1'
    ? stringField(v.go, 'predicate', 'buildDefinition', 'buildType')
    : stringField(v.go, 'predicate', 'recipe', 'type');
}

/** VerifyBuilder, first half: the predicate's builder is one of GCB's, and matches `--builder-id`. */
function builderOutcome(
  v: Verified,
  expected: string | undefined,
): { outcome: Outcome; trusted?: BuilderId } {
  const id = builderIdOf(v);
  const list = v.version === 'v1' ? BUILDER_IDS_V1 : BUILDER_IDS_V01;
  if (!list.includes(id)) {
    return {
      outcome: bad(
        'ERR_SLSA_INVALID_BUILDER_ID',
        `expected a GCB builder id (${list.join(', ')}), found ${quote(id)}`,
      ),
    };
  }
  const trusted = parseBuilderId(id, v.version === 'v0.1');
  if (trusted === undefined)
    return { outcome: bad('ERR_MALFORMED_PREDICATE', `builder id ${quote(id)} has no version`) };
  if (expected === undefined) return { outcome: ok(`builder ${id} (no --builder-id to match)`), trusted };
  const want = parseBuilderId(expected, false);
  if (want === undefined) {
    return {
      outcome: bad(
        'ERR_MALFORMED_PREDICATE',
        `--builder-id must be NAME or NAME@VERSION, found ${quote(expected)}`,
      ),
      trusted,
    };
  }
  if (want.name !== trusted.name) {
    return {
      outcome: bad(
        'ERR_SLSA_BUILDER_MISMATCH',
        `expected builder name ${quote(want.name)}, found ${quote(trusted.name)}`,
      ),
      trusted,
    };
  }
  if (want.version !== '' && want.version !== trusted.version) {
    return {
      outcome: bad(
        'ERR_SLSA_BUILDER_MISMATCH',
        `expected builder version ${quote(want.version)}, found ${quote(trusted.version)}`,
      ),
      trusted,
    };
  }
  return { outcome: ok(`builder ${id} matches ${expected}`), trusted };
}

/** VerifyBuilder, second half: the build (recipe) type for the builder version, and v0.1's recipe arguments type. */
function buildTypeOutcome(v: Verified, trusted: BuilderId): Outcome {
  const buildType = buildTypeOf(v);
  const id = builderString(trusted);
  if (BUILDER_IDS_V01.includes(id)) {
    if (trusted.version === 'v0.2' && buildType !== id) {
      return bad('ERR_SLSA_BUILD_TYPE', `expected recipe type ${quote(id)}, found ${quote(buildType)}`);
    }
    const recipes = [
      'https://cloudbuild.googleapis.com/CloudBuildYaml@',
      'https://cloudbuild.googleapis.com/CloudBuildSteps@',
    ];
    if (trusted.version === 'v0.3' && !recipes.some((r) => buildType.startsWith(r))) {
      return bad(
        'ERR_SLSA_BUILD_TYPE',
        `expected a recipe type starting with one of ${recipes.join(', ')}, found ${quote(buildType)}`,
      );
    }
  } else if (BUILDER_IDS_V1.includes(id)) {
    if (buildType !== GCB_BUILD_TYPE_V1)
      return bad(
        'ERR_SLSA_BUILD_TYPE',
        `expected buildType ${quote(GCB_BUILD_TYPE_V1)}, found ${quote(buildType)}`,
      );
    return ok(`build type ${buildType}`);
  } else {
    return bad('ERR_SLSA_INVALID_BUILDER_ID', `builder ${quote(id)} is not a GCB builder`);
  }
  const args = field(v.go, 'predicate', 'recipe', 'arguments');
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    return bad('ERR_MALFORMED_ENVELOPE', 'expected predicate.recipe.arguments to be an object');
  }
  const type = field(args, '@type');
  if (typeof type !== 'string')
    return bad('ERR_MALFORMED_ENVELOPE', 'expected predicate.recipe.arguments["@type"] to be a string');
  if (type !== CLOUD_BUILD_TYPE) {
    return bad(
      'ERR_SLSA_BUILDER_MISMATCH',
      `expected recipe arguments of type ${quote(CLOUD_BUILD_TYPE)}, found ${quote(type)}`,
    );
  }
  return ok(`recipe type ${buildType}, arguments ${type}`);
}

/** VerifySubjectDigest: the image digest is one of the subjects' sha256 (every subject before it must have one). */
function subjectOutcome(v: Verified, digest: Digest): Outcome {
  if (digest.algorithm !== 'sha256')
    return bad('ERR_DIGEST_MISMATCH', `GCB names images by sha256, found a ${digest.algorithm} digest`);
  const subjects = field(v.go, 'subject');
  if (!Array.isArray(subjects) || subjects.length === 0)
    return bad('ERR_MALFORMED_ENVELOPE', 'expected at least one subject, found none');
  for (const [i, s] of subjects.entries()) {
    const hash = field(s, 'digest', 'sha256');
    if (typeof hash !== 'string')
      return bad('ERR_MALFORMED_ENVELOPE', `expected subject[${i}].digest.sha256, found none`);
    if (hash === digest.hex) return ok(`${digest.value} is subject[${i}]`);
  }
  return bad(
    'ERR_DIGEST_MISMATCH',
    `expected ${digest.value} among the provenance's subjects, found it missing`,
  );
}

function configSourceField(v: Verified, name: string): string | Outcome {
  const ext = field(v.go, 'predicate', 'buildDefinition', 'externalParameters');
  if (ext === null || typeof ext !== 'object' || Array.isArray(ext))
    return bad('ERR_MALFORMED_ENVELOPE', 'expected externalParameters to be an object');
  if (!Object.hasOwn(ext, 'buildConfigSource'))
    return bad('ERR_MALFORMED_PREDICATE', 'expected externalParameters.buildConfigSource, found none');
  const source = field(ext, 'buildConfigSource');
  if (source === null || typeof source !== 'object' || Array.isArray(source)) {
    return bad('ERR_MALFORMED_ENVELOPE', 'expected externalParameters.buildConfigSource to be an object');
  }
  const value = field(source, name);
  return typeof value === 'string'
    ? value
    : bad('ERR_MALFORMED_ENVELOPE', `expected externalParameters.buildConfigSource.${name} to be a string`);
}

/** SourceURI(): v0.1 the first material's uri, v1 `repository@ref` of the build config source. */
function sourceUriOf(v: Verified): string | Outcome {
  if (v.version === 'v1') {
    const ref = configSourceField(v, 'ref');
    if (typeof ref !== 'string') return ref;
    const repository = configSourceField(v, 'repository');
    return typeof repository === 'string' ? `${repository}@${ref}` : repository;
  }
  const materials = field(v.go, 'predicate', 'materials');
  if (!Array.isArray(materials) || materials.length === 0)
    return bad('ERR_MALFORMED_ENVELOPE', 'expected predicate.materials, found none');
  const uri = stringField(materials[0] as GoValue, 'uri');
  return uri === ''
    ? bad('ERR_SLSA_SOURCE_MISMATCH', 'expected predicate.materials[0].uri, found an empty string')
    : uri;
}

/** VerifySourceURI, per builder version. */
function sourceOutcome(v: Verified, trusted: BuilderId, expectedSourceUri: string): Outcome {
  const found = sourceUriOf(v);
  if (typeof found !== 'string') return found;
  const uri = found.startsWith('git+') ? found.slice(4) : found;
  // The policy may use the `git+https://` form (slsa-verifier's GCB path takes only `github.com/…`).
  let expected = expectedSourceUri.startsWith('git+') ? expectedSourceUri.slice(4) : expectedSourceUri;
  if (uri.startsWith('https://') && !expected.startsWith('https://')) expected = `https://${expected}`;
  const mismatch = (): Outcome =>
    bad('ERR_SLSA_SOURCE_MISMATCH', `expected source ${quote(expected)}, found ${quote(uri)}`);
  if (v.version === 'v1') {
    const parts = uri.split('@');
    if (parts.length !== 2)
      return bad('ERR_MALFORMED_PREDICATE', `expected the source ${quote(uri)} to be URI@REF`);
    return parts[0] === expected ? ok(`source ${uri}`) : mismatch();
  }
  if (trusted.version === 'v0.2') {
    return uri.startsWith(`${expected}/commit/`) || uri.startsWith(`${expected}#`)
      ? ok(`source ${uri}`)
      : mismatch();
  }
  if (trusted.version === 'v0.3')
    return uri === expected || uri.startsWith(`${expected}#`) ? ok(`source ${uri}`) : mismatch();
  return bad('ERR_SLSA_INVALID_BUILDER_ID', `builder version ${quote(trusted.version)} is not a GCB version`);
}

function objectField(value: GoValue, name: string): GoValue | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, name))
    return undefined;
  return field(value, name);
}

function isRecord(value: GoValue | undefined): value is { readonly [k: string]: GoValue } {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}

/** SourceTag(): the `TAG_NAME` substitution (v1: it must agree with the build config source's ref). */
function tagOf(v: Verified): { readonly tag: string } | { readonly error: string } {
  if (v.version === 'v0.1') {
    const args = field(v.go, 'predicate', 'recipe', 'arguments');
    const subs = isRecord(args) ? objectField(args, 'substitutions') : undefined;
    if (!isRecord(subs)) return { error: 'expected predicate.recipe.arguments.substitutions, found none' };
    const tag = objectField(subs, 'TAG_NAME');
    return typeof tag === 'string' ? { tag } : { error: 'expected a TAG_NAME substitution, found none' };
  }
  const internal = field(v.go, 'predicate', 'buildDefinition', 'internalParameters');
  if (!isRecord(internal)) return { error: 'expected internalParameters to be an object' };
  const subs = objectField(internal, 'systemSubstitutions');
  if (!isRecord(subs)) return { error: 'expected internalParameters.systemSubstitutions, found none' };
  const tag = objectField(subs, 'TAG_NAME');
  if (typeof tag !== 'string') return { error: 'expected a TAG_NAME system substitution, found none' };
  const ref = configSourceField(v, 'ref');
  if (typeof ref !== 'string') return { error: ref.message };
  if (`refs/tags/${tag}` !== ref) return { error: `expected the ref refs/tags/${tag}, found ${quote(ref)}` };
  return { tag };
}

function pinned(digest: Digest | undefined): string | undefined {
  return digest?.algorithm === 'sha256' ? `sha256:${digest.hex}` : undefined;
}

/** The checks after the signature, in slsa-verifier's VerifyImage order. */
function policyChecks(
  checks: CheckList,
  v: Verified,
  doc: GcbDocument,
  digest: Digest | undefined,
  policy: SlsaPolicy,
): string | undefined {
  const builder = builderOutcome(v, policy.builderId);
  checks.add('builder', builder.outcome);
  const trusted = builder.trusted;
  if (trusted === undefined)
    checks.skip('build-type', 'no trusted GCB builder to check the build type against');
  else checks.add('build-type', buildTypeOutcome(v, trusted));

  const noDigest = 'no image digest to compare';
  if (digest === undefined) checks.skip('subject', noDigest);
  else checks.add('subject', subjectOutcome(v, digest));

  if (trusted === undefined) checks.skip('source', 'no trusted GCB builder to read the source for');
  else checks.add('source', sourceOutcome(v, trusted, policy.sourceUri));

  // VerifyMetadata and VerifySummary: what GCB adds around the signed envelope.
  const { kind, resourceUri } = v.entry;
  checks.add(
    'envelope',
    kind === 'BUILD'
      ? ok('kind BUILD')
      : bad('ERR_MALFORMED_PREDICATE', `expected kind "BUILD", found ${quote(kind)}`),
  );
  const want = pinned(digest);
  if (want === undefined) checks.skip('subject', noDigest);
  else {
    checks.add(
      'subject',
      resourceUri.endsWith(`@${want}`)
        ? ok(`resourceUri names ${want}`)
        : bad('ERR_DIGEST_MISMATCH', `expected resourceUri ending @${want}, found ${quote(resourceUri)}`),
    );
    const summary = doc.imageSummary;
    checks.add(
      'subject',
      summary.digest !== want
        ? bad('ERR_DIGEST_MISMATCH', `expected image_summary.digest ${want}, found ${quote(summary.digest)}`)
        : !summary.fullyQualifiedDigest.endsWith(want)
          ? bad(
              'ERR_DIGEST_MISMATCH',
              `expected image_summary.fully_qualified_digest ending ${want}, found ${quote(summary.fullyQualifiedDigest)}`,
            )
          : ok(`image_summary names ${want}`),
    );
  }
  // VerifyTextProvenance: the readable copy GCB prepends must say exactly what was signed.
  const text = v.version === 'v1' ? v.entry.textV1 : v.entry.textV01;
  checks.add(
    'envelope',
    goDeepEqual(text, v.go)
      ? ok('the readable statement equals the signed one')
      : bad(
          'ERR_PAYLOAD_MISMATCH',
          `expected the readable ${v.version === 'v1' ? 'inTotoSlsaProvenanceV1' : 'intotoStatement'} to equal the signed statement, found it different`,
        ),
  );

  if (policy.sourceBranch === undefined) checks.skip('branch', 'no --source-branch');
  else
    checks.add(
      'branch',
      bad(
        'ERR_SLSA_NOT_SUPPORTED',
        `expected branch ${quote(policy.sourceBranch)}, found branch verification not supported for GCB`,
      ),
    );

  const tag = tagOf(v);
  if (policy.sourceTag === undefined) checks.skip('tag', 'no --source-tag');
  else if ('error' in tag)
    checks.add('tag', bad('ERR_SLSA_TAG_MISMATCH', `expected tag ${quote(policy.sourceTag)}: ${tag.error}`));
  else
    checks.add(
      'tag',
      tag.tag === policy.sourceTag
        ? ok(`tag ${tag.tag}`)
        : bad('ERR_SLSA_TAG_MISMATCH', `expected tag ${quote(policy.sourceTag)}, found ${quote(tag.tag)}`),
    );

  if (policy.sourceVersionedTag === undefined) checks.skip('versioned-tag', 'no --source-versioned-tag');
  else if ('error' in tag)
    checks.add(
      'versioned-tag',
      bad(
        'ERR_SLSA_VERSIONED_TAG_MISMATCH',
        `expected a tag compatible with ${quote(policy.sourceVersionedTag)}: ${tag.error}`,
      ),
    );
  else {
    const why = versionedTagMismatch({ provenanceTag: tag.tag, expectedTag: policy.sourceVersionedTag });
    checks.add(
      'versioned-tag',
      why === undefined
        ? ok(`tag ${tag.tag} is compatible with ${policy.sourceVersionedTag}`)
        : bad('ERR_SLSA_VERSIONED_TAG_MISMATCH', why),
    );
  }
  return trusted === undefined ? undefined : builderString(trusted);
}

/** Policy flags GCB provenance cannot answer: refused rather than silently ignored. */
function unsupportedChecks(checks: CheckList, policy: SlsaPolicy): void {
  const inputs = Object.keys(policy.buildWorkflowInputs ?? {});
  if (inputs.length === 0) checks.skip('workflow-inputs', 'no --build-workflow-input');
  else
    checks.add(
      'workflow-inputs',
      bad(
        'ERR_SLSA_NOT_SUPPORTED',
        `expected workflow inputs ${inputs.join(', ')}, found GCB builds have none`,
      ),
    );
  if (policy.packageName === undefined && policy.packageVersion === undefined)
    checks.skip('package', 'not an npm package');
  else
    checks.add(
      'package',
      bad('ERR_SLSA_NOT_SUPPORTED', 'expected an npm package, found GCB image provenance'),
    );
  checks.skip('tlog', 'signed by a Google Cloud KMS key: no transparency log is involved');
  checks.skip('certificate', 'signed by a Google Cloud KMS key: no certificate');
  checks.skip('certificate-provenance', 'signed by a Google Cloud KMS key: no certificate');
}

const AFTER_SIGNATURE: readonly SlsaCheckId[] = [
  'builder',
  'build-type',
  'subject',
  'source',
  'branch',
  'tag',
  'versioned-tag',
];

/**
 * Verifies Google Cloud Build provenance for an image as slsa-verifier's `verify-image --provenance-path` does:
 * the image named by digest, `--builder-id` naming GCB's builder, the DSSE signature by a GCB KMS key (regional keys
 * over the payload, global keys over PAE; the first provenance entry and signature that verify count), then the
 * builder, build type, subject digest, source, GCB's metadata and image summary, the readable copy of the statement,
 * branch, tag and versioned tag. Every check is evaluated and listed; the first failure, in that order, is thrown.
 *
 * @throws SlsaVerificationError with every check, coded as the first failure
 * @throws UsageError / KeyError for options that cannot be used (no digest nor reference, a key that is not P-256)
 * @example
 * ```ts
 * const keys = { global: parsePublicKey(readFileSync('gcb-keys/global.key', 'utf8')) };
 * const result = verifyGcbProvenance({ provenance: readFileSync('gcb.json'), imageReference: 'img@sha256:…', keys,
 *   policy: { sourceUri: 'github.com/org/repo', builderId: 'https://cloudbuild.googleapis.com/GoogleHostedWorker' } });
 * result.builderId; // 'https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.2'
 * ```
 */
export function verifyGcbProvenance(options: VerifyGcbProvenanceOptions): SlsaVerification {
  checkOptions(options);
  const { policy } = options;
  const checks = new CheckList();
  const reference = referenceOutcome(options.imageReference, options.imageDigest);
  if (reference.outcome === undefined)
    checks.skip('subject', 'no image reference: the image digest is given');
  else checks.add('subject', reference.outcome);
  const verifier = verifierOutcome(policy.builderId);
  if (verifier === undefined)
    checks.skip('builder', 'no --builder-id: GCB verification chosen by the caller');
  else checks.add('builder', verifier);

  let doc: GcbDocument | undefined;
  let cause: unknown;
  try {
    doc = readDocument(options.provenance);
  } catch (e) {
    if (!isVouchError(e)) throw e;
    cause = e;
    checks.add('envelope', bad('ERR_MALFORMED_ENVELOPE', `the provenance file: ${e.message}`));
  }
  const signed = doc === undefined ? undefined : verifySignatures(doc, options.keys);
  let verified: Verified | undefined;
  let builderId: string | undefined;
  if (signed !== undefined && 'entry' in signed) {
    verified = signed;
    checks.add('envelope', ok(`signed by GCB key ${quote(signed.keyName)}`));
    builderId = policyChecks(checks, signed, doc as GcbDocument, reference.digest, policy);
  } else {
    if (signed !== undefined) checks.add('envelope', signed);
    for (const id of AFTER_SIGNATURE) checks.skip(id, 'no verified provenance');
  }
  unsupportedChecks(checks, policy);

  const failure = checks.firstFailure();
  if (failure !== undefined || verified === undefined || builderId === undefined) {
    const code = failure?.code ?? 'ERR_SIGNATURE_INVALID';
    throw new SlsaVerificationError(code, failure?.message ?? 'no verified provenance', checks.list, cause);
  }
  return Object.freeze({
    builderId,
    statement: verified.statement,
    provenance: normalizeGcbProvenance(verified.statement),
    checks: Object.freeze([...checks.list]),
  });
}

function obj(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function date(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function digestSet(value: unknown): Readonly<Record<string, string>> | undefined {
  const o = obj(value);
  if (o === undefined) return undefined;
  const entries = Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string');
  return Object.freeze(Object.fromEntries(entries));
}

function descriptor(value: unknown): ResourceDescriptor | undefined {
  const o = obj(value);
  if (o === undefined) return undefined;
  const uri = str(o.uri);
  const digest = digestSet(o.digest);
  return Object.freeze({
    ...o,
    ...(uri === undefined ? {} : { uri }),
    ...(digest === undefined ? {} : { digest }),
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Normalizes a GCB provenance statement (SLSA v0.1 from the GoogleHostedWorker v0.2/v0.3 builders, read as v0.2, or
 * SLSA v1) into the shared model, reading each field where slsa-verifier's GCB code reads it. GCB builds record no
 * branch (slsa-verifier does not support branch checks for GCB) and no workflow inputs.
 *
 * @throws ParseError `ERR_PREDICATE_TYPE` for a predicate type GCB does not sign
 * @example
 * ```ts
 * const p = normalizeGcbProvenance(result.statement);
 * p.sourceUri; // 'https://github.com/org/repo/commit/…'
 * ```
 */
export function normalizeGcbProvenance(statement: Statement): NormalizedProvenance {
  const predicate = statement.predicate ?? {};
  if (statement.predicateType === GCB_PREDICATE_TYPE_V01) {
    const recipe = obj(predicate.recipe) ?? {};
    const args = obj(recipe.arguments) ?? {};
    const metadata = obj(predicate.metadata) ?? {};
    const materials = Array.isArray(predicate.materials) ? predicate.materials : [];
    const first = obj(materials[0]);
    const substitutions = obj(args.substitutions) ?? {};
    const tag = str(substitutions.TAG_NAME);
    return Object.freeze({
      predicateType: statement.predicateType,
      slsaVersion: '0.2',
      builderId: str(obj(predicate.builder)?.id) ?? '',
      buildType: str(recipe.type) ?? '',
      ...optional('sourceUri', str(first?.uri)),
      ...optional('sourceDigest', digestSet(first?.digest)),
      ...optional('buildTriggerPath', str(recipe.entryPoint)),
      ...optional('tag', tag === undefined ? undefined : `refs/tags/${tag}`),
      externalParameters: args,
      systemParameters: substitutions,
      workflowInputs: Object.freeze({}),
      resolvedDependencies: Object.freeze(materials.map(descriptor).filter((d) => d !== undefined)),
      ...optional('invocationId', str(metadata.buildInvocationId) ?? str(args.id)),
      ...optional('startedOn', date(metadata.buildStartedOn)),
      ...optional('finishedOn', date(metadata.buildFinishedOn)),
    });
  }
  if (statement.predicateType === GCB_PREDICATE_TYPE_V1) {
    const definition = obj(predicate.buildDefinition) ?? {};
    const run = obj(predicate.runDetails) ?? {};
    const builder = obj(run.builder) ?? {};
    const metadata = obj(run.metadata) ?? {};
    const external = obj(definition.externalParameters) ?? {};
    const internal = obj(definition.internalParameters) ?? {};
    const source = obj(external.buildConfigSource) ?? {};
    const repository = str(source.repository);
    const ref = str(source.ref);
    const tagName = str(obj(internal.systemSubstitutions)?.TAG_NAME);
    const dependencies = Array.isArray(definition.resolvedDependencies)
      ? definition.resolvedDependencies
      : [];
    const version = digestSet(builder.version);
    return Object.freeze({
      predicateType: statement.predicateType,
      slsaVersion: '1',
      builderId: str(builder.id) ?? '',
      ...optional('builderVersion', version),
      buildType: str(definition.buildType) ?? '',
      ...optional(
        'sourceUri',
        repository === undefined || ref === undefined ? undefined : `${repository}@${ref}`,
      ),
      ...optional('sourceDigest', descriptor(dependencies[0])?.digest),
      ...optional('buildTriggerPath', str(source.path)),
      ...optional('tag', tagName !== undefined && ref === `refs/tags/${tagName}` ? ref : undefined),
      externalParameters: external,
      systemParameters: internal,
      workflowInputs: Object.freeze({}),
      resolvedDependencies: Object.freeze(dependencies.map(descriptor).filter((d) => d !== undefined)),
      ...optional('invocationId', str(metadata.invocationId)),
      ...optional('startedOn', date(metadata.startedOn)),
      ...optional('finishedOn', date(metadata.finishedOn)),
    });
  }
  throw new ParseError('ERR_PREDICATE_TYPE', [
    {
      path: 'predicateType',
      message: `expected ${GCB_PREDICATE_TYPE_V01} or ${GCB_PREDICATE_TYPE_V1}, found ${quote(statement.predicateType)}`,
    },
  ]);
}
