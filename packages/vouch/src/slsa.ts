// SLSA provenance verification as slsa-verifier's commands: read the files and the trust material, then provenance decides.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  cosignLayerBundle,
  type Digest,
  isObject,
  type PublicKey,
  parseDigest,
  parseImageReference,
  parseJson,
  parsePublicKey,
  UsageError,
  VouchError,
} from '@vouch/core';
import { openOciLayout, readLayoutAttestations } from '@vouch/oci';
import {
  parseNpmRegistryKeys,
  type SlsaPolicy,
  type SlsaVerification,
  TRUSTED_CONTAINER_BUILDERS,
  verifyGcbProvenance,
  verifyGithubImageProvenance,
  verifyGithubProvenance,
  verifyNpmPackage,
} from '@vouch/provenance';
import { hashFile } from './blob.js';
import { readDocument } from './files.js';
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
