// What is attached to an image, verified against the policy's trust material: the evidence a decision is made from.
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  type CosignLayerMaterial,
  cosignLayerBundle,
  type Digest,
  isVouchError,
  parseBundle,
  parseTrustedRoot,
  type SigstoreVerification,
  statementHasSubjectDigest,
  verifyCosignLegacySignature,
  verifySigstoreBundle,
  verifySimpleSigning,
} from '@vouch/core';
import { evaluatePolicy } from './policy-evaluate.js';
import { selectRule } from './policy-scope.js';
import type {
  AttestationEvidence,
  Decision,
  ImageEvidence,
  LoadedPolicy,
  SignatureEvidence,
  VerifiedSigner,
} from './policy-types.js';

/** One thing attached to an image, as fetched: a Sigstore bundle, or a cosign legacy `.sig`/`.att` layer. */
export type AttachedItem =
  | { readonly kind: 'bundle'; readonly bundle: unknown }
  | {
      readonly kind: 'legacy-signature';
      readonly layer: CosignLayerMaterial & { readonly payload: Uint8Array; readonly signature: string };
    }
  | {
      readonly kind: 'legacy-attestation';
      readonly layer: CosignLayerMaterial & { readonly envelope: Uint8Array };
    };

/** Options of {@link verifyEvidence}. */
export interface VerifyEvidenceOptions {
  readonly image: string;
  readonly normalized: string;
  readonly digest: Digest;
  readonly items: readonly AttachedItem[];
  readonly loaded: LoadedPolicy;
  readonly now: Date;
}

/** The trust of a policy that names no trusted root: nothing but its keys. */
const NO_ROOT = parseTrustedRoot({
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
});

/** Any signer the trust material accepts: which policy signer it is, evaluation decides from the identity. */
const ANY_IDENTITY = Object.freeze({});

/** The earliest time a verification proved (the signing time), if any. */
function signedAt(result: SigstoreVerification): Date | undefined {
  const times = result.times.map((t) => t.time.getTime());
  return times.length === 0 ? undefined : new Date(Math.min(...times));
}

function signerOf(result: SigstoreVerification, rootName: string): VerifiedSigner {
  return result.signer.type === 'key'
    ? { type: 'key', keyId: result.signer.keyId }
    : { type: 'certificate', identity: result.signer.identity, trustedRoot: rootName };
}

/**
 * Verifies one bundle against the policy's trust material: with every policy key when key-signed (its log entries,
 * if any, against each trusted root), else against each trusted root for any certificate identity. The first
 * verification that holds is returned with the root's name; none is undefined (the item is not evidence).
 */
function verifyBundleWithPolicy(
  bundle: unknown,
  digest: Digest,
  loaded: LoadedPolicy,
  now: Date,
): { result: SigstoreVerification; root: string } | undefined {
  let keyBased: boolean;
  try {
    keyBased = parseBundle(bundle).verificationMaterial.content.type === 'publicKey';
  } catch (error) {
    if (isVouchError(error)) return undefined;
    throw error;
  }
  const keys = Object.values(loaded.keys);
  if (keyBased && keys.length === 0) return undefined;
  // A key-signed bundle needs no root unless it carries log entries: a policy of keys alone names none.
  const roots = Object.entries(loaded.trustedRoots);
  for (const [root, trustedRoot] of keyBased && roots.length === 0 ? [['none', NO_ROOT] as const] : roots) {
    try {
      const result = verifySigstoreBundle({
        bundle,
        artifact: { digest },
        trustedRoot,
        now,
        ...(keyBased
          ? { keys, tlogThreshold: 0 }
          : { identity: ANY_IDENTITY, chainMayIncludeTrustedCertificates: true }),
      });
      return { result, root };
    } catch (error) {
      if (!isVouchError(error)) throw error;
    }
  }
  return undefined;
}

/**
 * The evidence about an image: every attached signature and attestation that verifies cryptographically against the
 * policy's keys and trusted roots, with who signed it and when. Items that verify against nothing are not evidence
 * (the decision will say which required signer is missing); attestations must name the image's digest.
 *
 * @example
 * ```ts
 * const evidence = await verifyEvidence({ image: 'ghcr.io/acme/app:v1', normalized: 'ghcr.io/acme/app', digest, items, loaded, now: new Date() });
 * evaluatePolicy({ loaded, evidence, rule, now });
 * ```
 */
export async function verifyEvidence(options: VerifyEvidenceOptions): Promise<ImageEvidence> {
  const { digest, loaded, now } = options;
  const signatures: SignatureEvidence[] = [];
  const attestations: AttestationEvidence[] = [];
  const take = (verified: { result: SigstoreVerification; root: string } | undefined): void => {
    if (verified === undefined) return;
    const { result, root } = verified;
    const signer = signerOf(result, root);
    const at = signedAt(result);
    const statement = result.statement;
    if (statement === undefined || statement.predicateType === COSIGN_SIGN_PREDICATE_TYPE) {
      signatures.push(Object.freeze({ signer, ...(at === undefined ? {} : { signedAt: at }) }));
    } else if (statementHasSubjectDigest(statement, digest)) {
      attestations.push(Object.freeze({ statement, signer, ...(at === undefined ? {} : { signedAt: at }) }));
    }
  };
  for (const item of options.items) {
    if (item.kind === 'bundle') {
      take(verifyBundleWithPolicy(item.bundle, digest, loaded, now));
    } else if (item.kind === 'legacy-attestation') {
      const { layer } = item;
      let bundle: unknown;
      try {
        bundle = cosignLayerBundle({ ...layer, content: { type: 'dsseEnvelope', envelope: layer.envelope } });
      } catch (error) {
        if (!isVouchError(error)) throw error;
        continue;
      }
      take(verifyBundleWithPolicy(bundle, digest, loaded, now));
    } else {
      const legacy = await verifyLegacySignature(item.layer, digest, loaded, now);
      if (legacy !== undefined) signatures.push(legacy);
    }
  }
  return Object.freeze({
    image: options.image,
    normalized: options.normalized,
    digest,
    signatures: Object.freeze(signatures),
    attestations: Object.freeze(attestations),
  });
}

/** A cosign legacy `.sig` layer: keyless against each root, else a simple-signing signature by a policy key. */
async function verifyLegacySignature(
  layer: CosignLayerMaterial & { readonly payload: Uint8Array; readonly signature: string },
  digest: Digest,
  loaded: LoadedPolicy,
  now: Date,
): Promise<SignatureEvidence | undefined> {
  if (layer.certificate !== undefined) {
    for (const [root, trustedRoot] of Object.entries(loaded.trustedRoots)) {
      try {
        const result = verifyCosignLegacySignature({
          layer,
          digest,
          trustedRoot,
          identity: ANY_IDENTITY,
          now,
        });
        const at = signedAt(result);
        return Object.freeze({
          signer: signerOf(result, root),
          ...(at === undefined ? {} : { signedAt: at }),
        });
      } catch (error) {
        if (!isVouchError(error)) throw error;
      }
    }
    return undefined;
  }
  const keys = Object.values(loaded.keys);
  if (keys.length === 0) return undefined;
  try {
    const verified = await verifySimpleSigning({
      payload: layer.payload,
      signature: layer.signature,
      keys,
      digest,
    });
    return Object.freeze({ signer: { type: 'key' as const, keyId: verified.signerKeyId } });
  } catch (error) {
    if (isVouchError(error)) return undefined;
    throw error;
  }
}

/**
 * One decision from what is attached to an image: the items verified into evidence, the most specific rule selected
 * for the normalized reference, then the policy evaluated. The gate and `vouch policy test` both decide through this.
 *
 * @example
 * ```ts
 * const decision = await decideImage({ image, normalized: normalizeReference(image), digest, items, loaded, now: new Date() });
 * ```
 */
export async function decideImage(options: VerifyEvidenceOptions): Promise<Decision> {
  const evidence = await verifyEvidence(options);
  const selection = selectRule(options.loaded.policy, options.normalized);
  return evaluatePolicy({
    loaded: options.loaded,
    evidence,
    rule: selection.rule,
    now: options.now,
    selection: selection.why,
  });
}
