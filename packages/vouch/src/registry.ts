// Images in a registry: options to a client, tag to digest, attaching bundles, and listing what is attached (no trust decisions here).
import {
  type Digest,
  decodeBase64,
  type ImageReference,
  isObject,
  ParseError,
  parseImageReference,
  parseJson,
  parseStatementJson,
  UsageError,
  utf8,
  VerificationError,
} from '@vouch/core';
import {
  type AttachedBundle,
  attachBundle,
  COSIGN_ATTESTATION_ARTIFACT,
  COSIGN_SIGNATURE_ARTIFACT,
  type Descriptor,
  fetchAttached,
  type LegacyAttestation,
  type LegacySignature,
  legacyTag,
  listReferrers,
  ReferrersClient,
  type RegistryCredentials,
  type RepositoryTarget,
  readLegacyAttestations,
  readLegacySignatures,
  SIGSTORE_BUNDLE_MEDIA_TYPE,
} from '@vouch/oci';
import type { BundleSource } from './bundle-source.js';
import { readDocument } from './files.js';

/** How to reach registries: TLS trust, plain HTTP, credentials, where signatures live, timeouts. */
export interface RegistryOptions {
  /** Registries (`host[:port]`) reached over plain HTTP; loopback registries always may be. */
  readonly insecureRegistries?: readonly string[];
  /** PEM file of the CA that signed a registry's TLS certificate. */
  readonly caFile?: string;
  /** Whether loopback registries are reached over plain HTTP (default: yes, unless `caFile` is given: a CA means TLS). */
  readonly loopbackHttp?: boolean;
  /** Credentials by registry (`host[:port]`); these win over Docker's config.json. */
  readonly credentials?: Readonly<Record<string, RegistryCredentials>>;
  /** Environment used to find Docker's config.json (`DOCKER_CONFIG`) and run credential helpers; none: no config.json. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Home directory holding `.docker/config.json` (default `env.HOME`). */
  readonly homeDir?: string;
  /** `registry/repository` where signatures are stored and looked for instead of the image's (cosign's `COSIGN_REPOSITORY`). */
  readonly signaturesRepository?: string;
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs?: number;
  /** Told the digest a tag resolved to, before anything else happens (a CLI prints it). */
  readonly onResolved?: (image: ResolvedImage) => void;
}

/** An image pinned to the digest of the manifest bytes the registry served. */
export interface ResolvedImage {
  /** `registry/repository@sha256:…` (canonical, without the tag). */
  readonly reference: ImageReference;
  readonly digest: Digest;
  readonly mediaType: string;
  readonly size: number;
}

/**
 * A registry client for these options (the CA file is read here).
 *
 * @example
 * ```ts
 * const client = await registryClient({ caFile: 'ca.pem', env: process.env });
 * ```
 */
export async function registryClient(options: RegistryOptions): Promise<ReferrersClient> {
  const ca =
    options.caFile === undefined ? undefined : new TextDecoder().decode(await readDocument(options.caFile));
  const homeDir = options.homeDir ?? options.env?.HOME;
  return new ReferrersClient({
    ...(options.insecureRegistries === undefined ? {} : { insecureRegistries: options.insecureRegistries }),
    ...(ca === undefined ? {} : { caCertificates: ca }),
    loopbackHttp: options.loopbackHttp ?? ca === undefined,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    // DOCKER_CONFIG alone is enough (CI jobs often run without HOME).
    ...(options.env === undefined
      ? {}
      : { dockerConfig: { env: options.env, ...(homeDir === undefined ? {} : { homeDir }) } }),
    ...(options.timeoutMs === undefined ? {} : { http: { timeoutMs: options.timeoutMs } }),
  });
}

// One client per options object, so calls that pass the same options share tokens and what the client learnt about
// each registry (e.g. that it has no referrers API). Weak: the client goes when the options object does.
const sharedClients = new WeakMap<RegistryOptions, Promise<ReferrersClient>>();

/**
 * The client {@link signImage}, {@link verifyImage} and the other image calls use for these options: made once per
 * options object (by {@link registryClient}) and reused by every call given the same object.
 *
 * @example
 * ```ts
 * const registry: RegistryOptions = { env: process.env };
 * (await sharedRegistryClient(registry)) === (await sharedRegistryClient(registry)); // true
 * ```
 */
export function sharedRegistryClient(options: RegistryOptions): Promise<ReferrersClient> {
  const known = sharedClients.get(options);
  if (known !== undefined) return known;
  const made = registryClient(options);
  sharedClients.set(options, made);
  // A failed construction (an unreadable CA file) is not remembered: the next call tries again.
  made.catch(() => {
    if (sharedClients.get(options) === made) sharedClients.delete(options);
  });
  return made;
}

/**
 * Where signatures of `image` are stored: its own repository, or `signaturesRepository`.
 *
 * @throws UsageError `ERR_USAGE` when `signaturesRepository` has a tag or digest
 * @example
 * ```ts
 * signaturesTarget(image.reference, { signaturesRepository: 'localhost:5000/sigs' }); // { registry, repository: 'sigs' }
 * ```
 */
export function signaturesTarget(image: ImageReference, options: RegistryOptions): RepositoryTarget {
  if (options.signaturesRepository === undefined)
    return { registry: image.registry, repository: image.repository };
  const repo = parseImageReference(options.signaturesRepository, 'signaturesRepository');
  if (repo.tag !== undefined || repo.digest !== undefined) {
    throw new UsageError(
      'ERR_USAGE',
      `signaturesRepository: expected registry/repository without a tag or digest, found ${JSON.stringify(options.signaturesRepository)}`,
    );
  }
  return { registry: repo.registry, repository: repo.repository };
}

/**
 * {@link resolveImage} with a prepared client (so a sign or verify reuses its tokens).
 *
 * @example
 * ```ts
 * const image = await resolveImageWith(await registryClient({}), 'localhost:5000/app:v1');
 * ```
 */
export async function resolveImageWith(client: ReferrersClient, image: string): Promise<ResolvedImage> {
  return (await resolveManifest(client, image)).image;
}

/** Like {@link resolveImageWith}, also handing back the manifest's parsed JSON (an index's entries, say). */
export async function resolveManifest(
  client: ReferrersClient,
  image: string,
): Promise<{ readonly image: ResolvedImage; readonly json: unknown }> {
  const ref = parseImageReference(image);
  // One GET: the digest is the hash of the bytes received, and everything after uses it.
  const manifest = await client.getManifest(ref);
  return {
    image: Object.freeze({
      reference: parseImageReference(`${ref.name}@${manifest.digest.value}`),
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.bytes.byteLength,
    }),
    json: manifest.json,
  };
}

/**
 * Resolves an image (tag or digest) to the digest of the manifest the registry serves, fetching it once (GET) and
 * hashing the bytes; a digest reference is fetched and checked.
 *
 * @throws RegistryError `ERR_REGISTRY_NOT_FOUND`, `ERR_REGISTRY_AUTH`, `ERR_REGISTRY`; VerificationError `ERR_DIGEST_MISMATCH`
 * @example
 * ```ts
 * const { reference, digest } = await resolveImage({ image: 'localhost:5000/app:v1', registry: {} });
 * reference.canonical; // 'localhost:5000/app@sha256:…'
 * ```
 */
export async function resolveImage(options: {
  readonly image: string;
  readonly registry: RegistryOptions;
}): Promise<ResolvedImage> {
  const image = await resolveImageWith(await sharedRegistryClient(options.registry), options.image);
  options.registry.onResolved?.(image);
  return image;
}

/** What attaching a bundle did. */
export interface AttachedResult {
  /** The artifact manifest's digest. */
  readonly digest: Digest;
  /** How it is discoverable: the registry's referrers API, or the OCI 1.1 fallback tag. */
  readonly via: 'referrers-api' | 'fallback-tag';
}

/** The statement's predicate type of a DSSE bundle (the annotation cosign writes), `''` for a message signature. */
function predicateTypeOf(bundle: unknown): string {
  if (!isObject(bundle) || !isObject(bundle.dsseEnvelope)) return '';
  const payload = bundle.dsseEnvelope.payload;
  if (typeof payload !== 'string') {
    throw new ParseError('ERR_MALFORMED_BUNDLE', [
      { path: 'dsseEnvelope.payload', message: 'must be a base64 string' },
    ]);
  }
  return parseStatementJson(decodeBase64(payload, 'dsseEnvelope.payload')).predicateType;
}

/**
 * Attaches serialized bundle bytes to a resolved image (used by `signImage` and `attachBundleToImage`).
 *
 * @example
 * ```ts
 * const { via } = await attachTo({ client, image, bundle: utf8(serializeBundle(bundle)), registry: {} });
 * ```
 */
export async function attachTo(options: {
  readonly client: ReferrersClient;
  readonly image: ResolvedImage;
  readonly bundle: Uint8Array;
  readonly registry: RegistryOptions;
}): Promise<AttachedResult> {
  const json = parseJson(options.bundle, 'bundle', 'ERR_MALFORMED_BUNDLE');
  const result = await attachBundle({
    client: options.client,
    target: signaturesTarget(options.image.reference, options.registry),
    subject: { digest: options.image.digest, mediaType: options.image.mediaType, size: options.image.size },
    bundle: options.bundle,
    predicateType: predicateTypeOf(json),
  });
  return Object.freeze({ digest: result.digest, via: result.via });
}

async function bundleBytes(source: BundleSource): Promise<Uint8Array> {
  if (typeof source === 'string') return readDocument(source);
  if (source instanceof Uint8Array) return source;
  if (typeof source.path === 'string' && Object.keys(source).length === 1) return readDocument(source.path);
  return utf8(JSON.stringify(source));
}

/**
 * Attaches an existing Sigstore bundle to an image in its registry, as cosign v3 stores it (referrers API, else the
 * fallback tag). A DSSE bundle must be a statement about this image's digest.
 *
 * @throws VerificationError `ERR_DIGEST_MISMATCH` when a DSSE bundle's statement does not name the image's digest;
 *   ParseError for a malformed bundle; RegistryError as the registry answers
 * @example
 * ```ts
 * const { digest, via } = await attachBundleToImage({ image: 'localhost:5000/app:v1', bundle: 'app.sigstore.json', registry: {} });
 * ```
 */
export async function attachBundleToImage(options: {
  readonly image: string;
  readonly bundle: BundleSource;
  readonly registry: RegistryOptions;
}): Promise<AttachedResult & { readonly image: ResolvedImage }> {
  const client = await sharedRegistryClient(options.registry);
  const image = await resolveImageWith(client, options.image);
  options.registry.onResolved?.(image);
  const bytes = await bundleBytes(options.bundle);
  const json = parseJson(bytes, 'bundle', 'ERR_MALFORMED_BUNDLE');
  if (isObject(json) && isObject(json.dsseEnvelope) && typeof json.dsseEnvelope.payload === 'string') {
    const statement = parseStatementJson(decodeBase64(json.dsseEnvelope.payload, 'dsseEnvelope.payload'));
    const names = statement.subject.some(
      (s) => s.digest?.[image.digest.algorithm]?.toLowerCase() === image.digest.hex,
    );
    if (!names) {
      throw new VerificationError(
        'ERR_DIGEST_MISMATCH',
        `bundle statement subject: expected ${image.digest.value}, found no subject with that digest`,
      );
    }
  }
  const attached = await attachTo({ client, image, bundle: bytes, registry: options.registry });
  return Object.freeze({ ...attached, image });
}

/** Everything fetched for verification: Sigstore bundles (checked against their digests) and legacy `.sig` signatures. */
export interface FetchedSignatures {
  readonly image: ResolvedImage;
  readonly bundles: readonly AttachedBundle[];
  /** cosign 2's OCI 1.1 signature/attestation referrers, as listed (read with the legacy signatures). */
  readonly cosignReferrers: readonly Descriptor[];
  readonly legacySignatures: readonly LegacySignature[];
}

/**
 * Fetches what is attached to the image's digest (used by `verifyImage`); nothing is verified here.
 *
 * @example
 * ```ts
 * const { bundles, legacySignatures } = await fetchSignatures({ client, image, registry: {}, legacy: true });
 * ```
 */
export async function fetchSignatures(options: {
  readonly client: ReferrersClient;
  readonly image: ResolvedImage;
  readonly registry: RegistryOptions;
  /** Read cosign's legacy signatures too: the `.sig` tag and cosign 2's OCI 1.1 signature referrers. */
  readonly legacy: boolean;
  /**
   * Read the attached Sigstore bundles (default true). False (with `legacy`) reads only the legacy signatures, with
   * `cosignReferrers` from an earlier fetch (no second listing).
   */
  readonly bundles?: boolean;
  readonly cosignReferrers?: readonly Descriptor[];
}): Promise<FetchedSignatures> {
  const { client, image } = options;
  const target = signaturesTarget(image.reference, options.registry);
  const attached =
    options.bundles === false
      ? { bundles: Object.freeze([]), cosignReferrers: options.cosignReferrers ?? Object.freeze([]) }
      : await fetchAttached({ client, target, subject: image.digest });
  const legacySignatures = options.legacy
    ? await readLegacySignatures({
        client,
        target,
        subject: image.digest,
        referrers: attached.cosignReferrers,
      })
    : [];
  return Object.freeze({ image, ...attached, legacySignatures });
}

/** Everything fetched for attestation verification: Sigstore bundles and cosign's legacy `.att` layers, unverified. */
export interface FetchedAttestations {
  readonly image: ResolvedImage;
  readonly bundles: readonly AttachedBundle[];
  readonly legacyAttestations: readonly LegacyAttestation[];
  /** The tag legacy attestations were read from. */
  readonly legacyTag: string;
}

/**
 * Fetches what may be attestations about the image: the attached Sigstore bundles and the layers of cosign's `.att` tag
 * (read concurrently). Nothing is verified or filtered by claims here.
 *
 * @example
 * ```ts
 * const { bundles, legacyAttestations } = await fetchAttestations({ client, image, registry: {} });
 * ```
 */
export async function fetchAttestations(options: {
  readonly client: ReferrersClient;
  readonly image: ResolvedImage;
  readonly registry: RegistryOptions;
}): Promise<FetchedAttestations> {
  const { client, image } = options;
  const target = signaturesTarget(image.reference, options.registry);
  const subject = image.digest;
  const [attached, tagged] = await Promise.all([
    fetchAttached({ client, target, subject }),
    readLegacyAttestations({ client, target, subject }),
  ]);
  const referred = await readLegacyAttestations({
    client,
    target,
    subject,
    referrers: attached.cosignReferrers,
    tag: false,
  });
  return Object.freeze({
    image,
    bundles: attached.bundles,
    legacyAttestations: Object.freeze([...tagged, ...referred]),
    legacyTag: legacyTag(subject, 'att'),
  });
}

/** Everything attached to an image that a policy decision reads: bundles and cosign's legacy layers, unverified. */
export interface FetchedEvidence {
  readonly bundles: readonly AttachedBundle[];
  readonly legacySignatures: readonly LegacySignature[];
  readonly legacyAttestations: readonly LegacyAttestation[];
}

/**
 * Fetches everything attached to the image with one referrers listing: the Sigstore bundles, and cosign's legacy
 * `.sig`/`.att` tags and OCI 1.1 referrers (read concurrently). Nothing is verified here.
 *
 * @example
 * ```ts
 * const { bundles, legacySignatures, legacyAttestations } = await fetchEvidence({ client, image, registry: {} });
 * ```
 */
export async function fetchEvidence(options: {
  readonly client: ReferrersClient;
  readonly image: ResolvedImage;
  readonly registry: RegistryOptions;
}): Promise<FetchedEvidence> {
  const { client, image } = options;
  const target = signaturesTarget(image.reference, options.registry);
  const subject = image.digest;
  const attached = await fetchAttached({ client, target, subject });
  const referrers = attached.cosignReferrers;
  const [legacySignatures, legacyAttestations] = await Promise.all([
    readLegacySignatures({ client, target, subject, referrers }),
    readLegacyAttestations({ client, target, subject, referrers }),
  ]);
  return Object.freeze({ bundles: attached.bundles, legacySignatures, legacyAttestations });
}

/** One artifact attached to an image, as listed (claims from manifests and annotations, nothing verified). */
export interface AttachedArtifact {
  readonly format: 'sigstore-bundle' | 'referrer' | 'legacy-signature' | 'legacy-attestation';
  /** The artifact manifest's digest (referrers), or the tag it sits under (legacy). */
  readonly location: string;
  readonly artifactType?: string;
  readonly predicateType?: string;
  readonly created?: string;
  /** Legacy layers: whether a Fulcio certificate is attached (keyless). */
  readonly keyless?: boolean;
}

/** What {@link listAttached} found. */
export interface AttachedListing {
  readonly image: ResolvedImage;
  /** Where the referrers list came from. */
  readonly via: 'referrers-api' | 'fallback-tag';
  readonly artifacts: readonly AttachedArtifact[];
}

/**
 * Lists what is attached to an image: referrers (Sigstore bundles and other artifacts, from the referrers API or the
 * fallback tag) and cosign's legacy `.sig` and `.att` tags. Nothing is verified: this is an inventory.
 *
 * @example
 * ```ts
 * const { image, artifacts } = await listAttached({ image: 'localhost:5000/app:v1', registry: {} });
 * artifacts.filter((a) => a.format === 'sigstore-bundle').length;
 * ```
 */
export async function listAttached(options: {
  readonly image: string;
  readonly registry: RegistryOptions;
}): Promise<AttachedListing> {
  const client = await sharedRegistryClient(options.registry);
  const image = await resolveImageWith(client, options.image);
  options.registry.onResolved?.(image);
  const target = signaturesTarget(image.reference, options.registry);
  const subject = image.digest;
  const [referrers, sigs, atts] = await Promise.all([
    listReferrers({ client, target, subject }),
    readLegacySignatures({ client, target, subject }),
    readLegacyAttestations({ client, target, subject }),
  ]);
  const artifacts: AttachedArtifact[] = referrers.descriptors.map((d) => {
    const a = d.annotations ?? {};
    const predicateType = a['dev.sigstore.bundle.predicateType'];
    const created = a['org.opencontainers.image.created'];
    return Object.freeze({
      format:
        d.artifactType !== undefined && SIGSTORE_BUNDLE_MEDIA_TYPE.test(d.artifactType)
          ? 'sigstore-bundle'
          : d.artifactType === COSIGN_SIGNATURE_ARTIFACT
            ? 'legacy-signature'
            : d.artifactType === COSIGN_ATTESTATION_ARTIFACT
              ? 'legacy-attestation'
              : 'referrer',
      location: d.digest.value,
      ...(d.artifactType === undefined ? {} : { artifactType: d.artifactType }),
      ...(predicateType === undefined ? {} : { predicateType }),
      ...(created === undefined ? {} : { created }),
    });
  });
  for (const s of sigs) {
    artifacts.push(
      Object.freeze({
        format: 'legacy-signature',
        location: legacyTag(subject, 'sig'),
        keyless: s.certificate !== undefined,
      }),
    );
  }
  for (const a of atts) {
    artifacts.push(
      Object.freeze({
        format: 'legacy-attestation',
        location: legacyTag(subject, 'att'),
        ...(a.predicateType === undefined ? {} : { predicateType: a.predicateType }),
        keyless: a.certificate !== undefined,
      }),
    );
  }
  return Object.freeze({ image, via: referrers.via, artifacts: Object.freeze(artifacts) });
}
