// The policy file's model, the evidence a decision is made from, and the decision itself (DESIGN §4).
import type {
  CertificateIdentity,
  Digest,
  IdentityPolicy,
  PublicKey,
  Statement,
  TrustedRoot,
  VouchErrorCode,
} from '@vouch/core';

/** `apiVersion` of the policy format this code reads. */
export const POLICY_API_VERSION = 'vouch.dev/v1alpha1';

/** A trusted root a policy names: the shipped public-good root, or a file (resolved relative to the policy). */
export type PolicyTrustedRootSource =
  | { readonly builtin: 'sigstore-public-good' }
  | { readonly file: string };

/** A key a policy names (`keys.<name>.file`, resolved relative to the policy). */
export interface PolicyKeySource {
  readonly file: string;
}

/** A keyless signer a policy names: who (SAN, issuer, Fulcio extensions) under which of the policy's trusted roots. */
export interface PolicyIdentity {
  readonly trustedRoot: string;
  /** The identity policy (as `identityPolicyFromFlags` builds): `subject`/`subjectRegExp`, `issuer`/`issuerRegExp`, extensions. */
  readonly identity: IdentityPolicy;
}

/** Which signers a rule requires; signers are names of the policy's keys or identities. */
export type SignatureRequirement =
  | { readonly anyOf: readonly string[] }
  | { readonly allOf: readonly string[] }
  | { readonly threshold: number; readonly of: readonly string[] };

/** One attestation a rule requires. */
export interface AttestationRequirement {
  readonly predicateType: string;
  /** Signers (key or identity names) any one of which must have signed it. */
  readonly signedBy: readonly string[];
  /** slsa-verifier style checks on SLSA provenance, each a list of allowed values (globs with `*`). */
  readonly slsa?: {
    readonly builderId?: readonly string[];
    readonly sourceURI?: readonly string[];
    readonly sourceRef?: readonly string[];
  };
  /** Oldest acceptable verified signing time, in milliseconds (`720h` in the file). */
  readonly maxAgeMs?: number;
  /** A CEL expression over `{ statement, predicate, subject, image }`, compiled at load time. */
  readonly condition?: string;
}

/** One rule of the policy. */
export interface PolicyRule {
  readonly name: string;
  /** Globs over normalized references (`*` one path segment, `**` any depth; the registry host is part of the match). */
  readonly scope: readonly string[];
  readonly mode: 'enforce' | 'audit';
  readonly signatures?: SignatureRequirement;
  readonly attestations: readonly AttestationRequirement[];
}

/** A parsed, validated policy (what `policyDigest` is computed over, in RFC 8785 canonical form). */
export interface Policy {
  readonly apiVersion: typeof POLICY_API_VERSION;
  readonly kind: 'Policy';
  readonly trustedRoots: Readonly<Record<string, PolicyTrustedRootSource>>;
  readonly keys: Readonly<Record<string, PolicyKeySource>>;
  readonly identities: Readonly<Record<string, PolicyIdentity>>;
  readonly rules: readonly PolicyRule[];
  readonly default: 'deny' | 'allow';
}

/** A policy with its trust material loaded (keys and roots read, relative to the policy file) and its digest. */
export interface LoadedPolicy {
  readonly policy: Policy;
  /** `sha256:<hex>` of the RFC 8785 canonical JSON of `policy`. */
  readonly policyDigest: string;
  readonly keys: Readonly<Record<string, PublicKey>>;
  readonly trustedRoots: Readonly<Record<string, TrustedRoot>>;
  /** Where it was read from, for messages (`policy.yaml`). */
  readonly source: string;
}

/** Who a verified signature or attestation was signed by. */
export type VerifiedSigner =
  | { readonly type: 'key'; readonly keyId: string }
  | { readonly type: 'certificate'; readonly identity: CertificateIdentity; readonly trustedRoot: string };

/** One signature on the image that verified cryptographically (which policy signer it is, evaluation decides). */
export interface SignatureEvidence {
  readonly signer: VerifiedSigner;
  /** The verified signing time, when one was proven. */
  readonly signedAt?: Date;
}

/** One attestation about the image that verified cryptographically, with its statement. */
export interface AttestationEvidence {
  readonly statement: Statement;
  readonly signer: VerifiedSigner;
  readonly signedAt?: Date;
}

/** Everything known about one image when the decision is made (fetched and verified by the adapter). */
export interface ImageEvidence {
  /** The reference as given (`ghcr.io/acme/app:v1`). */
  readonly image: string;
  /** The normalized reference the scopes are matched against (`docker.io/library/nginx`). */
  readonly normalized: string;
  readonly digest: Digest;
  readonly signatures: readonly SignatureEvidence[];
  readonly attestations: readonly AttestationEvidence[];
}

/** One check of a decision. */
export interface DecisionCheck {
  readonly id: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly code?: VouchErrorCode;
  readonly message: string;
}

/** A decision is data (DESIGN §4). */
export interface Decision {
  readonly image: string;
  readonly digest: string;
  readonly allowed: boolean;
  /** The rule that applied; absent when none matched and the default decided. */
  readonly rule?: string;
  readonly mode: 'enforce' | 'audit' | 'default';
  /** In audit mode: what enforce would have decided (allowed anyway). */
  readonly wouldDeny?: boolean;
  readonly checks: readonly DecisionCheck[];
  readonly policyDigest: string;
}
