// SLSA provenance verification as slsa-verifier's commands: read the files and the trust material, then provenance decides.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  cosignLayerBundle,
  type Digest,
  encodeBundle,
  IN_TOTO_PAYLOAD_TYPE,
  isObject,
  type PrivateKey,
  type PublicKey,
  parseDigest,
  parseImageReference,
  parseJson,
  parsePublicKey,
  type StatementJson,
  serializeBundle,
  serializeStatement,
  signEnvelope,
  UsageError,
  VouchError,
} from '@vouch/core';
import { openOciLayout, readLayoutAttestations } from '@vouch/oci';
import {
  parseNpmRegistryKeys,
  type SlsaPolicy,
  type SlsaVerification,
  TRUSTED_CONTAINER_BUILDERS,
  type VsaVerification,
  verifyGcbProvenance,
  verifyGithubImageProvenance,
  verifyGithubProvenance,
  verifyNpmPackage,
  verifyVsaEnvelope,
  vsaForVerification,
} from '@vouch/provenance';
import { hashFile } from './blob.js';
import { readDocument, writeFileAtomic } from './files.js';
import { type KeylessOptions, serializeKeylessBundle, signStatementKeyless } from './keyless.js';
import {
  fetchAttestations,
  type RegistryOptions,
  resolveImageWith,
  sharedRegistryClient,
} from './registry.js';
import { loadTrustedRoot, type TrustedRootSource } from './trusted-root.js';

/** An artifact to verify: a file (hashed with SHA-256), or its digest when the file is not at hand. */
export type SlsaArtifactSource = { readonly path: string } | { readonly digest: Digest | string };

/** Options of {@link verifySlsaArtifact}. */
export interface VerifySlsaArtifactOptions {
  /** The provenance file: a Sigstore bundle (`.sigstore`, `.build.slsa`, …) or a bare DSSE `.intoto.jsonl`. */
  readonly provenancePath: string;
  readonly artifacts: readonly SlsaArtifactSource[];
  readonly policy: SlsaPolicy;
  /** Default: the shipped public-good root. */
  readonly trustedRoot?: TrustedRootSource;
  /** Default: now. */
  readonly now?: Date;
  /**
   * The reusable workflows trusted without `--builder-id` (default: slsa-verifier's artifact builders). An empty set
   * is `verify-github-attestation`: GitHub's own attestations name no trusted builder, so `builderId` must say which.
   */
  readonly trustedBuilders?: ReadonlySet<string>;
}

/** What {@link verifySlsaArtifact} proved, with the artifacts' digests. */
export interface VerifySlsaArtifactResult extends SlsaVerification {
  readonly artifacts: readonly Digest[];
}

async function artifactDigest(source: SlsaArtifactSource): Promise<Digest> {
  if ('path' in source) return hashFile(source.path);
  return typeof source.digest === 'string' ? parseDigest(source.digest, 'artifact') : source.digest;
}

/**
 * Verifies artifacts against SLSA provenance from a GitHub builder, as `slsa-verifier verify-artifact`: offline,
 * against the trusted root. Fails closed with a `SlsaVerificationError` listing every check.
 *
 * @example
 * ```ts
 * const result = await verifySlsaArtifact({
 *   provenancePath: 'app.intoto.sigstore', artifacts: [{ path: 'app' }],
 *   policy: { sourceUri: 'github.com/acme/app', sourceVersionedTag: 'v1' },
 * });
 * console.log(result.builderId);
 * ```
 */
export async function verifySlsaArtifact(
  options: VerifySlsaArtifactOptions,
): Promise<VerifySlsaArtifactResult> {
  const [bytes, artifacts, trustedRoot] = await Promise.all([
    readDocument(options.provenancePath),
    Promise.all(options.artifacts.map(artifactDigest)),
    loadTrustedRoot(options.trustedRoot),
  ]);
  const provenance = parseJson(bytes, 'provenance', 'ERR_MALFORMED_ENVELOPE');
  const result = verifyGithubProvenance({
    provenance,
    artifacts,
    trustedRoot,
    policy: options.policy,
    now: options.now ?? new Date(),
    ...(options.trustedBuilders === undefined ? {} : { trustedBuilders: options.trustedBuilders }),
  });
  return Object.freeze({ ...result, artifacts: Object.freeze(artifacts) });
}

/** Options of {@link verifySlsaImage}. */
export interface VerifySlsaImageOptions {
  /**
   * The image: `registry/repo@sha256:…` (or a tag, resolved once), or `oci-layout:DIR@sha256:…` for an OCI image
   * layout on disk (as `cosign save` writes). With `provenancePath`, only its digest is used.
   */
  readonly image: string;
  /** A provenance file instead of the attestations attached to the image: Google Cloud Build's, or a Sigstore bundle. */
  readonly provenancePath?: string;
  readonly policy: SlsaPolicy;
  /** For registry images. */
  readonly registry?: RegistryOptions;
  /** A folder of Google Cloud Build's KMS public keys (`<name>.key` PEM files), for GCB provenance. */
  readonly gcbKeysDir?: string;
  readonly trustedRoot?: TrustedRootSource;
  readonly now?: Date;
}

/** What {@link verifySlsaImage} proved, with the image's digest. */
export interface VerifySlsaImageResult extends SlsaVerification {
  readonly digest: Digest;
}

const OCI_LAYOUT = 'oci-layout:';

/** `oci-layout:DIR@sha256:…` → the folder and the digest (the digest is required: a layout holds many images). */
function layoutOperand(image: string): { dir: string; digest: Digest } {
  const rest = image.slice(OCI_LAYOUT.length);
  const at = rest.lastIndexOf('@');
  if (at <= 0)
    throw new VouchError('ERR_MUTABLE_REFERENCE', `${image}: expected oci-layout:DIR@sha256:<hex>`);
  return { dir: rest.slice(0, at), digest: parseDigest(rest.slice(at + 1), 'image') };
}

/** Google Cloud Build's provenance document: an image summary and the provenance summary around its envelopes. */
function isGcbDocument(value: unknown): boolean {
  return isObject(value) && (isObject(value.image_summary) || isObject(value.provenance_summary));
}

async function loadGcbKeys(dir: string | undefined): Promise<Record<string, PublicKey>> {
  if (dir === undefined) {
    throw new UsageError(
      'ERR_USAGE',
      'Google Cloud Build provenance is signed with GCB KMS keys: give the folder of their public keys (--gcb-keys DIR)',
    );
  }
  const names = (
    await readdir(dir).catch((cause: unknown) => {
      throw new VouchError('ERR_IO', `could not read ${dir}`, { cause });
    })
  ).filter((n) => n.endsWith('.key'));
  const keys: Record<string, PublicKey> = {};
  for (const name of names) {
    keys[name.slice(0, -'.key'.length)] = parsePublicKey(await readDocument(join(dir, name)));
  }
  return keys;
}

/**
 * Verifies an image's SLSA provenance, as `slsa-verifier verify-image`: the attestations attached to it in its registry
 * or its OCI layout (slsa-github-generator's container builder), or a provenance file (Google Cloud Build, or a bundle).
 *
 * @example
 * ```ts
 * await verifySlsaImage({ image: 'ghcr.io/acme/app@sha256:…', registry: {}, policy: { sourceUri: 'github.com/acme/app' } });
 * ```
 */
export async function verifySlsaImage(options: VerifySlsaImageOptions): Promise<VerifySlsaImageResult> {
  const now = options.now ?? new Date();
  if (options.provenancePath !== undefined) {
    const bytes = await readDocument(options.provenancePath);
    const provenance = parseJson(bytes, 'provenance', 'ERR_MALFORMED_ENVELOPE');
    if (isGcbDocument(provenance)) {
      const keys = await loadGcbKeys(options.gcbKeysDir);
      const result = verifyGcbProvenance({
        provenance: bytes,
        imageReference: options.image,
        keys,
        policy: options.policy,
      });
      const digest = parseDigest(options.image.slice(options.image.lastIndexOf('@') + 1), 'image');
      return Object.freeze({ ...result, digest });
    }
    const digest = imageDigest(options.image);
    const result = verifyGithubProvenance({
      provenance,
      artifacts: [digest],
      trustedRoot: await loadTrustedRoot(options.trustedRoot),
      policy: options.policy,
      now,
      trustedBuilders: TRUSTED_CONTAINER_BUILDERS,
    });
    return Object.freeze({ ...result, digest });
  }
  let digest: Digest;
  let attestations: unknown[];
  if (options.image.startsWith(OCI_LAYOUT)) {
    const operand = layoutOperand(options.image);
    const layout = await openOciLayout(operand.dir);
    digest = operand.digest;
    attestations = (await readLayoutAttestations({ layout, subject: digest })).map((layer) =>
      cosignLayerBundle({ ...layer, content: { type: 'dsseEnvelope', envelope: layer.envelope } }),
    );
  } else {
    const registry = options.registry ?? {};
    const client = await sharedRegistryClient(registry);
    const image = await resolveImageWith(client, options.image);
    registry.onResolved?.(image);
    digest = image.digest;
    const fetched = await fetchAttestations({ client, image, registry });
    attestations = [
      ...fetched.bundles.map((b) => parseJson(b.bundle, 'bundle', 'ERR_MALFORMED_BUNDLE')),
      ...fetched.legacyAttestations.map((layer) =>
        cosignLayerBundle({ ...layer, content: { type: 'dsseEnvelope', envelope: layer.envelope } }),
      ),
    ];
  }
  const result = verifyGithubImageProvenance({
    attestations,
    image: digest,
    trustedRoot: await loadTrustedRoot(options.trustedRoot),
    policy: options.policy,
    now,
  });
  return Object.freeze({ ...result, digest });
}

/** The digest an image reference pins; a tag alone is mutable and refused. */
function imageDigest(image: string): Digest {
  const reference = parseImageReference(
    image.startsWith(OCI_LAYOUT) ? image.slice(OCI_LAYOUT.length) : image,
  );
  if (reference.digest === undefined) {
    throw new VouchError(
      'ERR_MUTABLE_REFERENCE',
      `${image}: expected an image pinned by digest (IMAGE@sha256:…)`,
    );
  }
  return reference.digest;
}

/** Options of {@link verifySlsaNpmPackage}. */
export interface VerifySlsaNpmPackageOptions {
  /** The package tarball (`.tgz`), whose sha512 is the `integrity` both attestations name. */
  readonly tarballPath: string;
  /** The registry's attestations document (`GET /-/npm/v1/attestations/<name>@<version>`). */
  readonly attestationsPath: string;
  /** The npm registry's attestation keys (`registry.npmjs.org/keys.json`, as Sigstore's TUF repository serves it). */
  readonly npmRegistryKeysPath: string;
  readonly policy: SlsaPolicy;
  readonly trustedRoot?: TrustedRootSource;
  readonly now?: Date;
}

/**
 * Verifies an npm package's SLSA provenance and the registry's publish attestation, as
 * `slsa-verifier verify-npm-package`: both bundles, the tarball's integrity as their subject, the package name and
 * version, the builder and the source.
 *
 * @example
 * ```ts
 * await verifySlsaNpmPackage({ tarballPath: 'pkg.tgz', attestationsPath: 'pkg.att.json', npmRegistryKeysPath: 'keys.json',
 *   policy: { sourceUri: 'github.com/acme/pkg', packageName: '@acme/pkg', packageVersion: '1.0.0' } });
 * ```
 */
export async function verifySlsaNpmPackage(options: VerifySlsaNpmPackageOptions): Promise<SlsaVerification> {
  const [tarball, attestations, keys, trustedRoot] = await Promise.all([
    readDocument(options.tarballPath, 512 * 1024 * 1024),
    readDocument(options.attestationsPath),
    readDocument(options.npmRegistryKeysPath),
    loadTrustedRoot(options.trustedRoot),
  ]);
  return verifyNpmPackage({
    attestations: parseJson(attestations, 'attestations', 'ERR_MALFORMED_BUNDLE'),
    tarball: {
      sha512: new Uint8Array(createHash('sha512').update(tarball).digest()),
      sha256: new Uint8Array(createHash('sha256').update(tarball).digest()),
    },
    trustedRoot,
    npmRegistryKeys: parseNpmRegistryKeys(parseJson(keys, 'npm registry keys', 'ERR_MALFORMED_KEY')),
    policy: options.policy,
    now: options.now ?? new Date(),
  });
}

/** Options of {@link verifySlsaVsa}: slsa-verifier's `verify-vsa` flags, as values. */
export interface VerifySlsaVsaOptions {
  /** The VSA: a DSSE envelope, or a Sigstore bundle holding one, signed by the verifier's key. */
  readonly attestationPath: string;
  readonly keys: readonly PublicKey[];
  /** `--subject-digest alg:value`, at least one; every one must be a subject. */
  readonly subjectDigests: readonly string[];
  readonly verifierId: string;
  readonly resourceUri: string;
  readonly verifiedLevels: readonly string[];
}

/** `alg:value` as slsa-verifier takes it (any digest type: `sha256`, `gce_image_id`, …). */
function subjectDigest(text: string): { algorithm: string; hex: string } {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) {
    throw new UsageError(
      'ERR_USAGE',
      `--subject-digest: expected <type>:<value>, found ${JSON.stringify(text)}`,
    );
  }
  return { algorithm: text.slice(0, at), hex: text.slice(at + 1) };
}

/**
 * Verifies a SLSA VSA signed with a key, as `slsa-verifier verify-vsa`.
 *
 * @example
 * ```ts
 * await verifySlsaVsa({ attestationPath: 'app.vsa.json', keys: [key], subjectDigests: ['sha256:…'],
 *   verifierId: 'https://vouch.dev/vouch-slsa', resourceUri: 'app', verifiedLevels: ['SLSA_BUILD_LEVEL_3'] });
 * ```
 */
export async function verifySlsaVsa(options: VerifySlsaVsaOptions): Promise<VsaVerification> {
  const bytes = await readDocument(options.attestationPath);
  return verifyVsaEnvelope({
    attestation: parseJson(bytes, 'attestation', 'ERR_MALFORMED_ENVELOPE'),
    keys: options.keys,
    subjectDigests: options.subjectDigests.map(subjectDigest),
    verifierId: options.verifierId,
    resourceUri: options.resourceUri,
    verifiedLevels: options.verifiedLevels,
  });
}

/** Options of {@link writeSlsaVsa}. */
export interface WriteSlsaVsaOptions {
  /** A successful verification. */
  readonly result: SlsaVerification;
  /** What was verified: the artifacts or the image, by digest. */
  readonly subjects: readonly { readonly name?: string; readonly digest: Digest }[];
  readonly resourceUri: string;
  readonly verifierId: string;
  /** The provenance that was the input (its file is hashed), or its digest when it came from a registry. */
  readonly provenance: { readonly path: string } | { readonly uri: string; readonly digest: Digest };
  /** Sign with a key, or keyless. */
  readonly signer: StatementSigner;
  /** Where the signed VSA (a Sigstore bundle) is written, atomically. */
  readonly path: string;
  readonly now?: Date;
}

/**
 * Writes a signed SLSA VSA for a verification just made (`--vsa OUT`): a Sigstore bundle holding the VSA statement,
 * signed with a key (DSSE, as `verify-vsa` reads it) or keyless.
 *
 * @example
 * ```ts
 * const result = await verifySlsaArtifact({ … });
 * await writeSlsaVsa({ result, subjects: [{ name: 'app', digest }], resourceUri: 'app', verifierId, provenance: { path },
 *   signer: { key }, path: 'app.vsa.sigstore.json' });
 * ```
 */
export async function writeSlsaVsa(options: WriteSlsaVsaOptions): Promise<void> {
  const provenance =
    'path' in options.provenance
      ? { uri: options.provenance.path, digest: await hashFile(options.provenance.path) }
      : options.provenance;
  const statement = vsaForVerification({
    result: options.result,
    subjects: options.subjects,
    resourceUri: options.resourceUri,
    verifierId: options.verifierId,
    provenance: { uri: provenance.uri, digest: { [provenance.digest.algorithm]: provenance.digest.hex } },
    timeVerified: options.now ?? new Date(),
  });
  await writeSignedStatement({ statement, signer: options.signer, path: options.path });
}

/** Who signs a statement vouch writes: a key, or keyless. */
export type StatementSigner = { readonly key: PrivateKey } | { readonly keyless: KeylessOptions };

/**
 * Signs an in-toto statement into a Sigstore bundle v0.3 (DSSE; with a key, or keyless) and writes it atomically.
 *
 * @example
 * ```ts
 * await writeSignedStatement({ statement, signer: { key }, path: 'app.vsa.sigstore.json' });
 * ```
 */
export async function writeSignedStatement(options: {
  readonly statement: StatementJson;
  readonly signer: StatementSigner;
  readonly path: string;
}): Promise<void> {
  const { statement, signer, path } = options;
  if ('key' in signer) {
    const envelope = signEnvelope({
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      payload: serializeStatement(statement),
      keys: [signer.key],
    });
    await writeFileAtomic(
      path,
      `${serializeBundle(encodeBundle({ envelope, publicKeyHint: signer.key.keyId }))}\n`,
    );
    return;
  }
  const { bundle } = await signStatementKeyless({ statement, keyless: signer.keyless });
  await writeFileAtomic(path, `${serializeKeylessBundle(bundle)}\n`);
}
