// The shapes shared by the Sigstore verification modules: prepared trust material and what each check proves.
import type { PublicKey } from '../keys/index.js';

/** When a trusted key or CA may be used. `end` is inclusive; absent means still valid. */
export interface ValidityWindow {
  readonly start: Date;
  readonly end?: Date;
}

/** A transparency log (Rekor) or a certificate-transparency log, from a trusted root. */
export interface TrustedLog {
  readonly baseUrl: string;
  /** The log's hash algorithm (protobuf name, e.g. `SHA2_256`). */
  readonly hashAlgorithm: string;
  /** The log id (SHA-256 of the log key's SPKI DER for Rekor v1 and CT logs). */
  readonly logId: Uint8Array;
  /** `logId` as lowercase hex, for lookups and messages. */
  readonly logIdHex: string;
  /** The log's key, prepared once. */
  readonly key: PublicKey;
  readonly validFor: ValidityWindow;
}

/** A certificate authority (Fulcio) or a timestamp authority, from a trusted root. */
export interface TrustedCertificateAuthority {
  readonly uri: string;
  /** The chain as DER, leaf-most (the issuing CA / TSA signing cert) first, root last. */
  readonly chain: readonly Uint8Array[];
  readonly validFor: ValidityWindow;
}

/** A parsed Sigstore `trusted_root.json` (media type `application/vnd.dev.sigstore.trustedroot+json;version=0.1`). */
export interface TrustedRoot {
  readonly mediaType: string;
  readonly tlogs: readonly TrustedLog[];
  readonly ctlogs: readonly TrustedLog[];
  readonly certificateAuthorities: readonly TrustedCertificateAuthority[];
  readonly timestampAuthorities: readonly TrustedCertificateAuthority[];
}

/** The Fulcio certificate extensions (OIDs 1.3.6.1.4.1.57264.1.*), by name; only those present are set. */
export interface FulcioExtensions {
  readonly issuer?: string; // .1 (deprecated) or .8 (V2)
  readonly githubWorkflowTrigger?: string; // .2
  readonly githubWorkflowSha?: string; // .3
  readonly githubWorkflowName?: string; // .4
  readonly githubWorkflowRepository?: string; // .5
  readonly githubWorkflowRef?: string; // .6
  readonly buildSignerUri?: string; // .9
  readonly buildSignerDigest?: string; // .10
  readonly runnerEnvironment?: string; // .11
  readonly sourceRepositoryUri?: string; // .12
  readonly sourceRepositoryDigest?: string; // .13
  readonly sourceRepositoryRef?: string; // .14
  readonly sourceRepositoryIdentifier?: string; // .15
  readonly sourceRepositoryOwnerUri?: string; // .16
  readonly sourceRepositoryOwnerIdentifier?: string; // .17
  readonly buildConfigUri?: string; // .18
  readonly buildConfigDigest?: string; // .19
  readonly buildTrigger?: string; // .20
  readonly runInvocationUri?: string; // .21
  readonly sourceRepositoryVisibilityAtSigning?: string; // .22
}

/** Who a Fulcio certificate says signed: its SAN and the extensions above. */
export interface CertificateIdentity {
  /** The subject alternative name: an email, a URI (workflow), or another name Fulcio writes. */
  readonly subjectAlternativeName: string;
  readonly extensions: FulcioExtensions;
}

/** A string constraint: exact, or a regular expression matched against the WHOLE value (anchored). */
export type StringMatcher = { readonly exact: string } | { readonly regexp: string };

/** What a keyless signer must be. Every field given must match; `extensions` compare exactly. */
export interface IdentityPolicy {
  readonly subjectAlternativeName?: StringMatcher;
  readonly issuer?: StringMatcher;
  readonly extensions?: Readonly<Partial<Record<keyof FulcioExtensions, StringMatcher>>>;
}
