// The deploy gate: each image resolved once, its signatures and attestations fetched and verified, then one decision.
import { isVouchError, parseJson, type VouchErrorCode } from '@vouch/core';
import {
  type AttachedItem,
  type Decision,
  decideImage,
  type LoadedPolicy,
  normalizeReference,
} from '@vouch/provenance';
import { mapBounded } from './concurrency.js';
import { fetchEvidence, type RegistryOptions, resolveImageWith, sharedRegistryClient } from './registry.js';

/** An image no decision could be made for (a registry down, a tag that does not exist): fail closed, exit 3. */
export interface Undecided {
  readonly image: string;
  readonly allowed: false;
  readonly undecided: true;
  readonly error: { readonly code: VouchErrorCode; readonly message: string };
  readonly policyDigest: string;
}

/** Options of {@link verifyImages}. */
export interface VerifyImagesOptions {
  readonly registry?: RegistryOptions;
  /** How many images are fetched and verified at once. Default 8. */
  readonly concurrency?: number;
  /** Default: now. */
  readonly now?: Date;
  /** Called as each image is decided (progress). */
  readonly onDecision?: (decision: Decision | Undecided, index: number) => void;
  /** Decisions already made, by (digest, policyDigest): an image seen before is not fetched again. */
  readonly cache?: DecisionCache;
}

/** An in-process cache of decisions keyed by (image digest, policy digest). */
export class DecisionCache {
  readonly #decisions = new Map<string, Decision>();

  get(digest: string, policyDigest: string): Decision | undefined {
    return this.#decisions.get(`${policyDigest} ${digest}`);
  }

  set(decision: Decision): void {
    this.#decisions.set(`${decision.policyDigest} ${decision.digest}`, decision);
  }

  get size(): number {
    return this.#decisions.size;
  }
}

/**
 * Decides every image against a loaded policy, as `vouch verify --policy`: each reference is resolved to a digest
 * once, its attached signatures and attestations (bundles, cosign's legacy `.sig`/`.att`) fetched and verified against
 * the policy's keys and roots, the most specific rule selected, and one decision returned per image, in order. An
 * image that cannot be decided is `Undecided` (never allowed).
 *
 * @example
 * ```ts
 * const loaded = await loadPolicy('policy.yaml');
 * const decisions = await verifyImages(loaded, ['ghcr.io/acme/app:v1'], { registry: { env: process.env } });
 * decisions.every((d) => d.allowed);
 * ```
 */
export async function verifyImages(
  loaded: LoadedPolicy,
  images: readonly string[],
  options: VerifyImagesOptions = {},
): Promise<readonly (Decision | Undecided)[]> {
  const registry = options.registry ?? {};
  const now = options.now ?? new Date();
  return mapBounded(images, options.concurrency ?? 8, async (image, index) => {
    let decided: Decision | Undecided;
    try {
      decided = await decide(loaded, image, registry, now, options.cache);
    } catch (error) {
      if (!isVouchError(error)) throw error;
      decided = Object.freeze({
        image,
        allowed: false,
        undecided: true,
        error: Object.freeze({ code: error.code, message: error.message }),
        policyDigest: loaded.policyDigest,
      });
    }
    options.onDecision?.(decided, index);
    return decided;
  });
}

async function decide(
  loaded: LoadedPolicy,
  image: string,
  registry: RegistryOptions,
  now: Date,
  cache: DecisionCache | undefined,
): Promise<Decision> {
  const client = await sharedRegistryClient(registry);
  const resolved = await resolveImageWith(client, image);
  registry.onResolved?.(resolved);
  const cached = cache?.get(resolved.digest.value, loaded.policyDigest);
  if (cached !== undefined) return Object.freeze({ ...cached, image });
  const normalized = normalizeReference(image);
  const fetched = await fetchEvidence({ client, image: resolved, registry });
  const items: AttachedItem[] = [
    ...fetched.bundles.map((b) => ({ kind: 'bundle' as const, bundle: safeJson(b.bundle) })),
    ...fetched.legacySignatures.map((layer) => ({ kind: 'legacy-signature' as const, layer })),
    ...fetched.legacyAttestations.map((layer) => ({ kind: 'legacy-attestation' as const, layer })),
  ];
  const decision = await decideImage({ image, normalized, digest: resolved.digest, items, loaded, now });
  cache?.set(decision);
  return decision;
}

/** A bundle's JSON, or the bytes as a string when they are not JSON (verification then refuses it as malformed). */
function safeJson(bytes: Uint8Array): unknown {
  try {
    return parseJson(bytes, 'bundle', 'ERR_MALFORMED_BUNDLE');
  } catch (error) {
    if (!isVouchError(error)) throw error;
    return new TextDecoder().decode(bytes);
  }
}
