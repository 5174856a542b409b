// VSAs as they travel: verify one signed by a key (slsa-verifier's verify-vsa), and state one for a verification vouch made.
import {
  type Digest,
  type DigestSet,
  IN_TOTO_PAYLOAD_TYPE,
  isObject,
  isVouchError,
  type PublicKey,
  parseDigest,
  parseEnvelope,
  parseStatementJson,
  type StatementJson,
  VerificationError,
  verifyEnvelopeSync,
} from '@vouch/core';
import { GCB_BUILDER_NAME } from './gcb.js';
import type { Decision } from './policy-types.js';
import { type SlsaCheck, type SlsaVerification, SlsaVerificationError } from './slsa-types.js';
import { createVsa, type VerifyVsaOptions, type VsaVerification, verifyVsa } from './vsa.js';

/** Options of {@link verifyVsaEnvelope}: the signed VSA and what it must say. */
export interface VerifyVsaEnvelopeOptions extends Omit<VerifyVsaOptions, 'statement'> {
  /** A DSSE envelope (JSON value), or a Sigstore bundle holding one. Untrusted. */
  readonly attestation: unknown;
  /** The verifier's public keys (`--public-key-path`). */
  readonly keys: readonly PublicKey[];
}

/**
 * Verifies a VSA signed with a key, as `slsa-verifier verify-vsa`: the DSSE signature by one of `keys`, an in-toto
 * payload, then the VSA's subjects, verifier, resource, result and levels. The signature is checked first and listed
 * with the other checks.
 *
 * @throws SlsaVerificationError with every check; ERR_SIGNATURE_INVALID, ERR_PAYLOAD_TYPE, ERR_MALFORMED_ENVELOPE
 * @example
 * ```ts
 * verifyVsaEnvelope({ attestation: JSON.parse(text), keys: [key], subjectDigests: [digest],
 *   verifierId: 'https://example.com/verifier', resourceUri: 'pkg:npm/app@1.0.0', verifiedLevels: ['SLSA_BUILD_LEVEL_2'] });
 * ```
 */
export function verifyVsaEnvelope(options: VerifyVsaEnvelopeOptions): VsaVerification {
  const source =
    isObject(options.attestation) && isObject(options.attestation.dsseEnvelope)
      ? options.attestation.dsseEnvelope
      : options.attestation;
  let signature: SlsaCheck;
  let statement: ReturnType<typeof parseStatementJson>;
  try {
    const envelope = parseEnvelope(source, 'envelope');
    const verified = verifyEnvelopeSync(envelope, { keys: options.keys });
    if (verified.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      throw new VerificationError(
        'ERR_PAYLOAD_TYPE',
        `payloadType: expected ${IN_TOTO_PAYLOAD_TYPE}, found ${JSON.stringify(verified.payloadType.slice(0, 80))}`,
      );
    }
    statement = parseStatementJson(verified.payload);
    signature = Object.freeze({
      id: 'envelope',
      status: 'pass',
      message: `DSSE signature by trusted key ${verified.signerKeyIds.join(', ')}`,
    });
  } catch (error) {
    if (!isVouchError(error)) throw error;
    const check: SlsaCheck = Object.freeze({
      id: 'envelope',
      status: 'fail',
      code: error.code,
      message: error.message,
    });
    const skipped: SlsaCheck = Object.freeze({
      id: 'vsa',
      status: 'skip',
      message: 'not checked: the signature check failed',
    });
    throw new SlsaVerificationError(
      error.code,
      `envelope check failed: ${error.message}`,
      [check, skipped],
      error,
    );
  }
  try {
    const result = verifyVsa({ ...options, statement });
    return Object.freeze({ ...result, checks: Object.freeze([signature, ...result.checks]) });
  } catch (error) {
    if (!(error instanceof SlsaVerificationError)) throw error;
    throw new SlsaVerificationError(error.code, error.message, [signature, ...error.checks], error);
  }
}

/** The builders whose provenance vouch verifies as SLSA Build L3 (isolated, hardened builders); others L2. */
const L3_BUILDER_PREFIXES: readonly string[] = [
  'https://github.com/slsa-framework/slsa-github-generator/',
  GCB_BUILDER_NAME,
];

/**
 * The SLSA Build level a verified provenance supports: L3 for slsa-github-generator's builders and Google Cloud
 * Build (isolated builders whose signing keys user steps cannot reach), L2 for other hosted builders with signed,
 * verified provenance (a GitHub-hosted runner through npm's CLI, a user workflow's GitHub attestation).
 *
 * @example
 * ```ts
 * buildLevel(result); // 'SLSA_BUILD_LEVEL_3'
 * ```
 */
export function buildLevel(result: SlsaVerification): 'SLSA_BUILD_LEVEL_3' | 'SLSA_BUILD_LEVEL_2' {
  const id = result.builderId;
  return L3_BUILDER_PREFIXES.some((p) => id.startsWith(p)) ? 'SLSA_BUILD_LEVEL_3' : 'SLSA_BUILD_LEVEL_2';
}

/**
 * The VSA statement for a verification vouch made: the verified resources as subjects, the verifier, the time, the
 * provenance that was the input (by digest) and the level it supports, result PASSED. Signing it is the caller's.
 *
 * @example
 * ```ts
 * const statement = vsaForVerification({ result, subjects: [{ name: 'app', digest }], resourceUri: 'app',
 *   verifierId: 'https://vouch.dev/vouch-slsa@0.1.0', provenance: { uri: 'app.intoto.sigstore', digest: { sha256: hex } },
 *   timeVerified: new Date() });
 * ```
 */
export function vsaForVerification(options: {
  readonly result: SlsaVerification;
  readonly subjects: readonly { readonly name?: string; readonly digest: Digest }[];
  readonly resourceUri: string;
  readonly verifierId: string;
  readonly provenance: { readonly uri?: string; readonly digest: DigestSet };
  readonly policy?: { readonly uri: string; readonly digest?: DigestSet };
  readonly timeVerified: Date;
}): StatementJson {
  return createVsa({
    subject: options.subjects,
    verifierId: options.verifierId,
    resourceUri: options.resourceUri,
    timeVerified: options.timeVerified,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    inputAttestations: [options.provenance],
    verifiedLevels: [buildLevel(options.result)],
    result: 'PASSED',
  });
}

/**
 * The VSA statement for an image the policy gate allowed: the image's digest as subject, the verifier, the time, the
 * policy by digest, and result PASSED. The levels are left empty: a policy decision vouches for the policy, which the
 * VSA names, not for a SLSA level of its own.
 *
 * @example
 * ```ts
 * const statement = vsaForDecision({ decision, verifierId: 'https://github.com/vouch-dev/vouch@v0.1.0', policy: 'policy.yaml', timeVerified: new Date() });
 * ```
 */
export function vsaForDecision(options: {
  readonly decision: Decision;
  readonly verifierId: string;
  /** Where the policy was read from (its URI in the VSA). */
  readonly policy: string;
  readonly timeVerified: Date;
}): StatementJson {
  const { decision } = options;
  const digest = parseDigest(decision.digest, 'decision.digest');
  const policyDigest = parseDigest(decision.policyDigest, 'decision.policyDigest');
  return createVsa({
    subject: [{ name: decision.image, digest }],
    verifierId: options.verifierId,
    resourceUri: decision.image,
    timeVerified: options.timeVerified,
    policy: { uri: options.policy, digest: { [policyDigest.algorithm]: policyDigest.hex } },
    inputAttestations: [],
    verifiedLevels: [],
    result: decision.allowed ? 'PASSED' : 'FAILED',
  });
}
