// Sign and verify image digests with keys: resolve inputs (files, references), then hand values to @vouch/core.
import {
  type BundleJson,
  buildStatement,
  COSIGN_SIGN_PREDICATE_TYPE,
  type Digest,
  type IdentityPolicy,
  type ImageReference,
  type ImageSignaturesVerification,
  type ImageVerification,
  isObject,
  isVouchError,
  ParseError,
  type PrivateKey,
  type PublicKey,
  parseImageReference,
  requireDigest,
  type SigstoreVerification,
  type SimpleSigningPayload,
  type SimpleSigningVerification,
  serializeBundle,
  signImageDigest,
  signStatementBundle,
  UsageError,
  utf8,
  VerificationError,
  type VouchError,
  verifyCosignLegacySignature,
  verifyImageSignatures,
  verifySimpleSigning,
} from '@vouch/core';
import { DOCKER_MANIFEST_LIST, OCI_INDEX, parseImageIndex, type ReferrersClient } from '@vouch/oci';
import { type BundleSource, readBundle } from './bundle-source.js';
import { writeFileAtomic } from './files.js';
import {
  type KeylessDsseBundleJson,
  type KeylessOptions,
  serializeKeylessBundle,
  signStatementKeyless,
} from './keyless.js';
import {
  type AttachedResult,
  attachTo,
  fetchSignatures,
  type RegistryOptions,
  type ResolvedImage,
  resolveImageWith,
  resolveManifest,
  sharedRegistryClient,
} from './registry.js';
import { verifyBundle } from './sigstore.js';
import { loadTrustedRoot, type TrustedRootSource } from './trusted-root.js';

function isBundleList(value: BundleSource | readonly BundleSource[]): value is readonly BundleSource[] {
  return Array.isArray(value);
}

interface SignImageCommon {
  /**
   * `registry/repository@sha256:<hex>`; with `registry`, a tag too (resolved once to the digest of the manifest the
   * registry serves). Offline, a tag alone is refused: vouch signs digests.
   */
  readonly image: string;
  /** Resolve the image in its registry and attach the bundle there (as cosign v3); absent: offline, nothing uploaded. */
  readonly registry?: RegistryOptions;
  /** Annotations recorded in the signed statement's subject. */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * An attestation instead of a signature (cosign `attest`): the statement carries this predicate (default: cosign's
   * sign predicate `https://sigstore.dev/cosign/sign/v1` with `{}`).
   */
  readonly predicate?: { readonly type: string; readonly value: object };
  /** Also write the bundle atomically to this path. */
  readonly bundlePath?: string;
  /**
   * With `registry`, when the image is an OCI index or Docker manifest list: also sign every platform manifest it
   * lists and attach each signature to that manifest (the index itself is signed either way).
   */
  readonly recursive?: boolean;
}

/** A platform manifest signed because `recursive` was given: its digest, its platform, where its signature went. */
export interface SignedChild {
  readonly digest: Digest;
  /** `os/architecture[/variant]` from the index entry; absent when the entry names none. */
  readonly platform?: string;
  readonly attached: AttachedResult;
}

/** Signing with a key. */
export interface SignImageKeyOptions extends SignImageCommon {
  readonly key: PrivateKey;
  readonly keyless?: never;
}

/** Signing keyless: a Fulcio certificate for an OIDC identity, witnessed by Rekor and/or TSAs. */
export interface SignImageKeylessOptions extends SignImageCommon {
  readonly keyless: KeylessOptions;
  readonly key?: never;
}

/** Exactly one of `key` or `keyless`. */
export type SignImageOptions = SignImageKeyOptions | SignImageKeylessOptions;

export interface SignImageResult {
  readonly reference: ImageReference;
  readonly digest: Digest;
  readonly bundle: BundleJson;
  readonly keyId: string;
  /** With `registry`: the artifact manifest holding the bundle and how it is discoverable. */
  readonly attached?: AttachedResult;
  /** With `recursive` and an index: each platform manifest signed, in the index's order. */
  readonly children?: readonly SignedChild[];
}

/** What keyless image signing returns: the bundle and the Fulcio certificate (PEM) that signed it. */
export interface KeylessSignImageResult {
  readonly reference: ImageReference;
  readonly digest: Digest;
  readonly bundle: KeylessDsseBundleJson;
  readonly certificate: string;
  /** With `registry`: the artifact manifest holding the bundle and how it is discoverable. */
  readonly attached?: AttachedResult;
  /** With `recursive` and an index: each platform manifest signed, in the index's order. */
  readonly children?: readonly SignedChild[];
}

function isIndexMediaType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** `os/architecture[/variant]` of an index entry (raw JSON: the descriptor parser does not keep `platform`). */
function platformOf(entry: unknown): string | undefined {
  if (!isObject(entry) || !isObject(entry.platform)) return undefined;
  const { os, architecture, variant } = entry.platform;
  if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
  return typeof variant === 'string' ? `${os}/${architecture}/${variant}` : `${os}/${architecture}`;
}

/** The platform manifests an index lists, with their platforms, in order. */
function indexEntries(json: unknown): { readonly digest: Digest; readonly platform?: string }[] {
  const index = parseImageIndex(json);
  const raw = isObject(json) && Array.isArray(json.manifests) ? json.manifests : [];
  return index.manifests.map((d, i) => {
    const platform = platformOf(raw[i]);
    return { digest: d.digest, ...(platform === undefined ? {} : { platform }) };
  });
}

/** Refuses options that give both or neither of `key` and `keyless` (JavaScript callers bypass the union). */
export function requireOneSigner(options: { readonly key?: unknown; readonly keyless?: unknown }): void {
  const hasKey = options.key !== undefined;
  const hasKeyless = options.keyless !== undefined;
  if (hasKey === hasKeyless) {
    throw new UsageError(
      'ERR_USAGE',
      hasKey ? 'give either key or keyless, not both' : 'give a key to sign with, or keyless options',
    );
  }
}

/**
 * Signs an image digest: an in-toto statement (predicate `https://sigstore.dev/cosign/sign/v1`) in DSSE
 * in a Sigstore bundle v0.3, as cosign v3 writes it; with a key, or keyless (Fulcio + Rekor / TSA).
 *
 * @throws UsageError `ERR_USAGE` unless exactly one of `key` and `keyless` is given; keyless: `ERR_IO` when a
 *   Sigstore service fails
 * @example
 * ```ts
 * const key = await loadPrivateKey('cosign.key', { password });
 * const { bundle } = await signImage({ image: 'ghcr.io/acme/app@sha256:…', key, bundlePath: 'app.sigstore.json' });
 * const keyless = await signImage({
 *   image: 'ghcr.io/acme/app@sha256:…',
 *   keyless: { fulcioUrl: 'https://fulcio.sigstore.dev', rekorUrls: ['https://rekor.sigstore.dev'], env: process.env },
 * });
 * ```
 */
export async function signImage(options: SignImageKeyOptions): Promise<SignImageResult>;
export async function signImage(options: SignImageKeylessOptions): Promise<KeylessSignImageResult>;
export async function signImage(options: SignImageOptions): Promise<SignImageResult | KeylessSignImageResult>;
export async function signImage(
  options: SignImageOptions,
): Promise<SignImageResult | KeylessSignImageResult> {
  requireOneSigner(options);
  if (options.recursive === true && options.registry === undefined) {
    throw new UsageError(
      'ERR_USAGE',
      'recursive signing needs registry options: the index is read from the registry',
    );
  }
  let online:
    | { client: ReferrersClient; image: ResolvedImage; json: unknown; registry: RegistryOptions }
    | undefined;
  if (options.registry !== undefined) {
    const client = await sharedRegistryClient(options.registry);
    online = { client, ...(await resolveManifest(client, options.image)), registry: options.registry };
    options.registry.onResolved?.(online.image);
  }
  const reference = online?.image.reference ?? parseImageReference(options.image);
  const digest = online?.image.digest ?? requireDigest(reference);
  const attach = async (serialized: string): Promise<{ attached?: AttachedResult }> => {
    if (online === undefined) return {};
    const attached = await attachTo({
      client: online.client,
      image: online.image,
      bundle: utf8(serialized),
      registry: online.registry,
    });
    return { attached };
  };
  // Each platform manifest is fetched by digest (checked) before its signature is attached to it.
  const signChildren = async (
    signDigest: (digest: Digest) => Promise<string>,
  ): Promise<{ children?: readonly SignedChild[] }> => {
    if (online === undefined || options.recursive !== true) return {};
    if (!isIndexMediaType(online.image.mediaType)) return { children: Object.freeze([]) };
    const { client, registry } = online;
    const children: SignedChild[] = [];
    // As cosign's walk: an entry that is itself an index is signed, then its own entries, before the next sibling.
    // Content addressing rules out cycles; a manifest listed twice is signed once.
    const signed = new Set<string>([online.image.digest.value]);
    const walk = async (json: unknown): Promise<void> => {
      for (const entry of indexEntries(json)) {
        if (signed.has(entry.digest.value)) continue;
        signed.add(entry.digest.value);
        const child = await resolveManifest(client, `${reference.name}@${entry.digest.value}`);
        const attached = await attachTo({
          client,
          image: child.image,
          bundle: utf8(await signDigest(child.image.digest)),
          registry,
        });
        children.push(Object.freeze({ ...entry, digest: child.image.digest, attached }));
        if (isIndexMediaType(child.image.mediaType)) await walk(child.json);
      }
    };
    await walk(online.json);
    return { children: Object.freeze(children) };
  };
  if (options.keyless !== undefined) {
    const keyless = options.keyless;
    const signKeyless = (digest: Digest) =>
      signKeylessDigest(digest, keyless, options.annotations, options.predicate);
    const { bundle, certificate } = await signKeyless(digest);
    if (options.bundlePath !== undefined)
      await writeFileAtomic(options.bundlePath, `${serializeKeylessBundle(bundle)}\n`);
    return {
      reference,
      digest,
      bundle,
      certificate,
      ...(await attach(serializeKeylessBundle(bundle))),
      ...(await signChildren(async (d) => serializeKeylessBundle((await signKeyless(d)).bundle))),
    };
  }
  const key = options.key;
  const annotations = options.annotations ? { annotations: options.annotations } : {};
  const predicate = options.predicate;
  const signWithKey = (digest: Digest) =>
    predicate === undefined
      ? signImageDigest({ digest, key, ...annotations })
      : signStatementBundle({
          digest,
          key,
          predicateType: predicate.type,
          predicate: predicate.value,
          ...annotations,
        });
  const bundle = signWithKey(digest);
  if (options.bundlePath !== undefined)
    await writeFileAtomic(options.bundlePath, `${serializeBundle(bundle)}\n`);
  return {
    reference,
    digest,
    bundle,
    keyId: key.keyId,
    ...(await attach(serializeBundle(bundle))),
    ...(await signChildren(async (d) => serializeBundle(signWithKey(d)))),
  };
}

/** Keyless: an in-toto statement about `digest` (cosign's sign predicate), signed with a Fulcio certificate. */
async function signKeylessDigest(
  digest: Digest,
  keyless: KeylessOptions,
  annotations: Readonly<Record<string, string>> | undefined,
  predicate: SignImageCommon['predicate'],
): ReturnType<typeof signStatementKeyless> {
  if (digest.algorithm !== 'sha256') {
    throw new ParseError('ERR_MALFORMED_DIGEST', [
      {
        path: 'digest',
        message: `must be a sha256 digest (an image signature's subject is sha256), found ${digest.algorithm}`,
      },
    ]);
  }
  const statement = buildStatement({
    subject: [
      {
        digest: { sha256: digest.hex },
        ...(annotations ? { annotations } : {}),
      },
    ],
    predicateType: predicate?.type ?? COSIGN_SIGN_PREDICATE_TYPE,
    predicate: predicate?.value ?? {},
  });
  return signStatementKeyless({ statement, keyless });
}

/** Verifying an image's signatures against trusted keys. */
export interface VerifyImageKeyOptions {
  /** `registry/repository@sha256:<hex>`; with `registry`, a tag too (resolved once; everything after uses the digest). */
  readonly image: string;
  /**
   * The signature bundle, or several (one signature each) when a threshold of signers is required. Absent (with
   * `registry`): every Sigstore bundle and cosign legacy `.sig` signature attached to the image is verified.
   */
  readonly bundle?: BundleSource | readonly BundleSource[];
  /** Resolve the image in its registry (and, without `bundle`, fetch what is attached to it). */
  readonly registry?: RegistryOptions;
  /** Trusted public keys. */
  readonly keys: readonly PublicKey[];
  /** How many distinct trusted keys must have signed, across the bundles. Default 1. */
  readonly threshold?: number;
  /**
   * With `registry`, no `bundle`: the index (`IMAGE@DIGEST` or tag) whose signature is accepted for this platform
   * manifest. The image's digest must be one of the index's manifests (else `ERR_DIGEST_MISMATCH`); then the
   * signatures attached to the index are verified against the index's digest. Never implied: without it only
   * signatures on the image itself count.
   */
  readonly index?: string;
  readonly identity?: never;
}

/** Verifying a keyless (Fulcio certificate) image signature against an identity policy and a trusted root. */
export interface VerifyImageKeylessOptions {
  readonly image: string;
  /**
   * The bundle; absent (with `registry`): what is attached to the image (Sigstore bundles, then cosign's legacy `.sig`
   * signatures), of which one must verify.
   */
  readonly bundle?: BundleSource;
  /** Resolve the image in its registry (and, without `bundle`, fetch what is attached to it). */
  readonly registry?: RegistryOptions;
  /** Who must have signed: SAN, issuer and Fulcio extensions (see `identityPolicyFromFlags`). */
  readonly identity: IdentityPolicy;
  /** Default: the shipped public-good root. */
  readonly trustedRoot?: TrustedRootSource;
  /** Default: now. */
  readonly now?: Date;
  /**
   * With `registry`, no `bundle`: the index (`IMAGE@DIGEST` or tag) whose signature is accepted for this platform
   * manifest. The image's digest must be one of the index's manifests (else `ERR_DIGEST_MISMATCH`); then the
   * signatures attached to the index are verified against the index's digest. Never implied: without it only
   * signatures on the image itself count.
   */
  readonly index?: string;
  readonly keys?: never;
}

/** Exactly one of `keys` or `identity`. */
export type VerifyImageOptions = VerifyImageKeyOptions | VerifyImageKeylessOptions;

/** What a successful image verification with keys returns. */
export interface VerifyImageResult extends Omit<ImageSignaturesVerification, 'statement' | 'subject'> {
  readonly reference: ImageReference;
  /** The verified statement of the first verified bundle; absent when only legacy `.sig` signatures verified. */
  readonly statement?: ImageSignaturesVerification['statement'];
  readonly subject?: ImageSignaturesVerification['subject'];
  /** Legacy simple-signing signatures (cosign `.sig` tags) that verified (registry verification). */
  readonly legacySignatures?: readonly SimpleSigningVerification[];
  /** With `index`: the index whose signature was accepted (the image's digest is listed in it). */
  readonly index?: { readonly reference: ImageReference; readonly digest: Digest };
}

/** What a successful keyless image verification returns: who signed, when, and every check. */
export interface VerifyImageKeylessResult extends SigstoreVerification {
  readonly reference: ImageReference;
  readonly digest: Digest;
  /** When a cosign legacy `.sig` signature verified (no attached bundle did): its verified simple-signing payload. */
  readonly simpleSigning?: SimpleSigningPayload;
  /** With `index`: the index whose signature was accepted (the image's digest is listed in it). */
  readonly index?: { readonly reference: ImageReference; readonly digest: Digest };
}

/**
 * Verifies an image signature against the image digest: with trusted keys (one bundle, or several and a threshold
 * of distinct signers), or keyless against an identity policy and a trusted root (offline). Fails closed: any
 * failed check throws a `VerificationError` (with `checks`) carrying a stable code.
 *
 * @example
 * ```ts
 * const key = await loadPublicKey('cosign.pub');
 * const result = await verifyImage({ image: 'ghcr.io/acme/app@sha256:…', bundle: 'app.sigstore.json', keys: [key] });
 * await verifyImage({ image, bundle: 'app.sigstore.json', identity: identityPolicyFromFlags({ repo: 'acme/app' }) });
 * ```
 */
export function verifyImage(options: VerifyImageKeyOptions): Promise<VerifyImageResult>;
export function verifyImage(options: VerifyImageKeylessOptions): Promise<VerifyImageKeylessResult>;
export function verifyImage(
  options: VerifyImageOptions,
): Promise<VerifyImageResult | VerifyImageKeylessResult>;
export async function verifyImage(
  options: VerifyImageOptions,
): Promise<VerifyImageResult | VerifyImageKeylessResult> {
  if (options.identity !== undefined && options.keys !== undefined)
    throw new UsageError('ERR_USAGE', 'give keys or an identity, not both');
  if (options.bundle === undefined && options.registry === undefined)
    throw new UsageError(
      'ERR_USAGE',
      'give a bundle, or registry options to verify what is attached to the image',
    );
  if (options.index !== undefined && (options.registry === undefined || options.bundle !== undefined))
    throw new UsageError(
      'ERR_USAGE',
      'index is for registry verification of attached signatures (registry options, no bundle)',
    );
  if (options.registry === undefined || options.bundle !== undefined) {
    let reference = parseImageReference(options.image);
    if (options.registry !== undefined) {
      const image = await resolveImageWith(await sharedRegistryClient(options.registry), options.image);
      options.registry.onResolved?.(image);
      reference = image.reference;
    }
    return verifyGiven(options, reference);
  }
  const client = await sharedRegistryClient(options.registry);
  const image = await resolveImageWith(client, options.image);
  options.registry.onResolved?.(image);
  const reference = image.reference;
  // `signed` is the manifest whose attached signatures are verified: the image, or (only when asked) its index.
  const signed = options.index === undefined ? image : await indexListing(client, options.index, image);
  const viaIndex =
    signed === image ? {} : { index: Object.freeze({ reference: signed.reference, digest: signed.digest }) };
  // Legacy `.sig` signatures are read only when the attached bundles do not already meet the threshold (one request less).
  const fetched = await fetchSignatures({ client, image: signed, registry: options.registry, legacy: false });
  const digest = signed.digest;
  const none = () =>
    new VerificationError(
      'ERR_NO_SIGNATURES',
      signed === image
        ? `no signature is attached to ${reference.canonical}`
        : `no signature is attached to index ${signed.reference.canonical} (listing ${reference.canonical})`,
    );
  if (options.identity === undefined) {
    const registry = options.registry;
    const readLegacy = async () =>
      (
        await fetchSignatures({
          client,
          image: signed,
          registry,
          legacy: true,
          bundles: false,
          cosignReferrers: fetched.cosignReferrers,
        })
      ).legacySignatures;
    const legacy = fetched.bundles.length === 0 ? await readLegacy() : undefined;
    if (fetched.bundles.length === 0 && legacy?.length === 0) throw none();
    const result = await verifyAttachedWithKeys(
      options,
      reference,
      digest,
      fetched.bundles,
      legacy ?? readLegacy,
    );
    return signed === image ? result : Object.freeze({ ...result, digest: image.digest, ...viaIndex });
  }
  // Keyless: any one attached bundle that verifies against the identity suffices, else any one of cosign's legacy `.sig`
  // signatures (read only then: one request less when a bundle verifies); else the first failure, unchanged.
  let first: unknown;
  for (const attached of fetched.bundles) {
    try {
      const result = await verifyBundle({
        bundle: attached.bundle,
        artifact: { digest },
        identity: options.identity,
        predicateType: COSIGN_SIGN_PREDICATE_TYPE,
        ...(options.trustedRoot === undefined ? {} : { trustedRoot: options.trustedRoot }),
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      return { ...result, reference, digest: image.digest, ...viaIndex };
    } catch (error) {
      if (!isVouchError(error)) throw error;
      first ??= error;
    }
  }
  const { legacySignatures } = await fetchSignatures({
    client,
    image: signed,
    registry: options.registry,
    legacy: true,
    bundles: false,
    cosignReferrers: fetched.cosignReferrers,
  });
  if (fetched.bundles.length === 0 && legacySignatures.length === 0) throw none();
  if (legacySignatures.length > 0) {
    const trustedRoot = await loadTrustedRoot(options.trustedRoot);
    for (const layer of legacySignatures) {
      try {
        const result = verifyCosignLegacySignature({
          layer,
          digest,
          trustedRoot,
          identity: options.identity,
          now: options.now ?? new Date(),
        });
        return { ...result, reference, digest: image.digest, ...viaIndex };
      } catch (error) {
        if (!isVouchError(error)) throw error;
        first ??= error;
      }
    }
  }
  throw first;
}

/**
 * Resolves the index a platform manifest is said to belong to and checks that it lists the manifest's digest: only
 * then may the index's signature stand for the manifest.
 */
async function indexListing(
  client: ReferrersClient,
  index: string,
  image: ResolvedImage,
): Promise<ResolvedImage> {
  const resolved = await resolveManifest(client, index);
  if (!isIndexMediaType(resolved.image.mediaType)) {
    throw new UsageError(
      'ERR_USAGE',
      `index: expected an OCI image index or Docker manifest list, found ${JSON.stringify(resolved.image.mediaType)} at ${resolved.image.reference.canonical}`,
    );
  }
  const listed = indexEntries(resolved.json).some((e) => e.digest.value === image.digest.value);
  if (!listed) {
    throw new VerificationError(
      'ERR_DIGEST_MISMATCH',
      `index ${resolved.image.reference.canonical}: expected ${image.digest.value} among its manifests, found it not listed`,
    );
  }
  return resolved.image;
}

/** A legacy `.sig` signature as read from the registry: simple-signing payload and its signature. */
type LegacySigned = { readonly payload: Uint8Array; readonly signature: string };

/** Distinct trusted signers over the attached bundles and legacy signatures, against the threshold. */
async function verifyAttachedWithKeys(
  options: VerifyImageKeyOptions,
  reference: ImageReference,
  digest: Digest,
  attached: readonly { readonly bundle: Uint8Array }[],
  legacyOrRead: readonly LegacySigned[] | (() => Promise<readonly LegacySigned[]>),
): Promise<VerifyImageResult> {
  const threshold = options.threshold ?? 1;
  const distinctKeys = new Set(options.keys.map((k) => k.keyId)).size;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > distinctKeys) {
    throw new UsageError(
      'ERR_USAGE',
      `threshold must be an integer from 1 to the number of distinct trusted keys (${distinctKeys}), found ${threshold}`,
    );
  }
  const failures: VouchError[] = [];
  let fromBundles: ImageSignaturesVerification | undefined;
  const bundles: unknown[] = [];
  for (const a of attached) {
    try {
      bundles.push(await readBundle(a.bundle));
    } catch (error) {
      if (!isVouchError(error)) throw error;
      failures.push(error);
    }
  }
  if (bundles.length > 0) {
    try {
      fromBundles = await verifyImageSignatures({ bundles, digest, keys: options.keys });
    } catch (error) {
      if (!isVouchError(error)) throw error;
      failures.push(error);
    }
  }
  const fromBundleSigners = new Set(fromBundles?.signerKeyIds ?? []).size;
  // The legacy tag is read only when needed: bundles that already meet the threshold settle the verdict.
  const legacy: readonly LegacySigned[] | undefined =
    typeof legacyOrRead !== 'function'
      ? legacyOrRead
      : fromBundleSigners >= threshold
        ? undefined
        : await legacyOrRead();
  const legacyVerified: SimpleSigningVerification[] = [];
  for (const sig of legacy ?? []) {
    try {
      legacyVerified.push(
        await verifySimpleSigning({
          payload: sig.payload,
          signature: sig.signature,
          keys: options.keys,
          digest,
        }),
      );
    } catch (error) {
      if (!isVouchError(error)) throw error;
      failures.push(error);
    }
  }
  const signers = [
    ...new Set([...(fromBundles?.signerKeyIds ?? []), ...legacyVerified.map((v) => v.signerKeyId)]),
  ];
  // The bundles' own threshold line (1 of 1) gives way to the one below, over bundles and legacy signatures together.
  const checks: ImageVerification['checks'][number][] = (fromBundles?.checks ?? []).filter(
    (c) => c.id !== 'threshold',
  );
  for (const v of legacyVerified) {
    checks.push(
      Object.freeze({
        id: 'signature',
        status: 'pass',
        message: `legacy simple-signing signature by key ${v.signerKeyId}`,
      }),
    );
  }
  const summary = `${signers.length} distinct trusted signer(s) of ${threshold} required, over ${attached.length} bundle(s) and ${legacy === undefined ? 'no legacy signatures read (not needed)' : `${legacy.length} legacy signature(s)`}`;
  if (signers.length < threshold) {
    const first = failures[0];
    if (signers.length === 0 && first !== undefined) throw first;
    throw new VerificationError(
      'ERR_THRESHOLD_NOT_MET',
      `threshold check failed: expected signatures by ${threshold} distinct trusted keys, found ${signers.length} (${summary})`,
    );
  }
  checks.push(Object.freeze({ id: 'threshold', status: 'pass', message: summary }));
  const legacyAnnotations = legacyVerified[0]?.payload.optional ?? {};
  return Object.freeze({
    reference,
    digest,
    signerKeyIds: Object.freeze(signers),
    annotations: fromBundles?.annotations ?? legacyAnnotations,
    checks: Object.freeze(checks),
    verified: fromBundles?.verified ?? Object.freeze([]),
    ...(fromBundles === undefined ? {} : { statement: fromBundles.statement, subject: fromBundles.subject }),
    ...(legacyVerified.length === 0 ? {} : { legacySignatures: Object.freeze(legacyVerified) }),
  });
}

/** Verifies the given bundle(s) for a reference that has a digest (offline, or already resolved). */
async function verifyGiven(
  options: VerifyImageOptions,
  reference: ImageReference,
): Promise<VerifyImageResult | VerifyImageKeylessResult> {
  const digest = requireDigest(reference);
  const given = options.bundle;
  if (given === undefined) throw new UsageError('ERR_USAGE', 'a bundle is required');
  if (options.identity !== undefined) {
    if (isBundleList(given)) throw new UsageError('ERR_USAGE', 'keyless verification takes one bundle');
    const result = await verifyBundle({
      bundle: given,
      artifact: { digest },
      identity: options.identity,
      predicateType: COSIGN_SIGN_PREDICATE_TYPE,
      ...(options.trustedRoot === undefined ? {} : { trustedRoot: options.trustedRoot }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    return { ...result, reference, digest };
  }
  const sources = isBundleList(given) ? given : [given];
  const bundles = await Promise.all(sources.map(readBundle));
  const result = await verifyImageSignatures({
    bundles,
    digest,
    keys: options.keys,
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
  });
  return { ...result, reference };
}
