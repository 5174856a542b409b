// The shared shape of SLSA verification: the policy (slsa-verifier's flags), the normalized provenance, every check.
import {
  type CertificateIdentity,
  type DigestSet,
  type JsonObject,
  type ResourceDescriptor,
  type Statement,
  VerificationError,
  type VouchErrorCode,
} from '@vouch/core';

/** What the provenance must say: slsa-verifier v2.7.1's flags, as values. */
export interface SlsaPolicy {
  /** `--source-uri`: `github.com/org/repo` (or `git+https://github.com/org/repo`). */
  readonly sourceUri: string;
  /** `--builder-id`: exact (`…/builder.yml@refs/tags/v1.2.3`) or a name matched against `name@refs/tags/vX.Y.Z`. */
  readonly builderId?: string;
  readonly sourceBranch?: string;
  readonly sourceTag?: string;
  /** `--source-versioned-tag`: a semver (`v1`, `v1.2`, `v1.2.3`) the tag must be compatible with. */
  readonly sourceVersionedTag?: string;
  /** `--build-workflow-input k=v`, repeatable. */
  readonly buildWorkflowInputs?: Readonly<Record<string, string>>;
  /** `--package-name` / `--package-version` (npm). */
  readonly packageName?: string;
  readonly packageVersion?: string;
  /**
   * The explicit testing switch (slsa-verifier's `SLSA_VERIFIER_TESTING=1`): trusted builders referenced at a branch
   * instead of a release tag are accepted. Never a default; the CLI warns on every run that sets it.
   */
  readonly allowBuilderAtBranch?: boolean;
}

/** The checks SLSA verification makes, each reported pass, fail or skip. */
export type SlsaCheckId =
  | 'envelope'
  | 'tlog'
  | 'certificate'
  | 'subject'
  | 'builder'
  | 'build-type'
  | 'certificate-provenance'
  | 'source'
  | 'branch'
  | 'tag'
  | 'versioned-tag'
  | 'workflow-inputs'
  | 'package'
  | 'vsa';

export interface SlsaCheck {
  readonly id: SlsaCheckId;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly code?: VouchErrorCode;
  readonly message: string;
}

/**
 * One provenance, SLSA v0.2 or v1 (`https://in-toto.io/Provenance/v0.1` read as v0.2), normalized as slsa-verifier
 * reads each build type (its `iface.Provenance`: BuilderID, SourceURI, GetBranch, GetTag, GetWorkflowInputs, …).
 */
export interface NormalizedProvenance {
  readonly predicateType: string;
  readonly slsaVersion: '0.2' | '1';
  readonly builderId: string;
  /** v1 `runDetails.builder.version`. */
  readonly builderVersion?: Readonly<Record<string, string>>;
  readonly buildType: string;
  /** The source with its ref, as slsa-verifier's SourceURI(): `git+https://github.com/org/repo@refs/tags/v1.2.3`. */
  readonly sourceUri?: string;
  readonly sourceDigest?: DigestSet;
  /** The trigger (workflow config) URI with its ref, as TriggerURI(). */
  readonly triggerUri?: string;
  /** The workflow path (`.github/workflows/release.yml`), as GetBuildTriggerPath(). */
  readonly buildTriggerPath?: string;
  /** `refs/heads/<branch>` when the build ran on a branch (GetBranch), else undefined. */
  readonly branch?: string;
  /** `refs/tags/<tag>` when the build ran on a tag (GetTag), else undefined. */
  readonly tag?: string;
  readonly externalParameters: JsonObject;
  /** The GitHub context (`GITHUB_*`), as GetSystemParameters(). */
  readonly systemParameters: JsonObject;
  /** `workflow_dispatch` inputs (GetWorkflowInputs); `{}` for other events. */
  readonly workflowInputs: JsonObject;
  readonly resolvedDependencies: readonly ResourceDescriptor[];
  readonly invocationId?: string;
  readonly startedOn?: Date;
  readonly finishedOn?: Date;
}

/** What a successful SLSA verification proved. */
export interface SlsaVerification {
  /** The verified builder id, with its version tag (`…/builder_go_slsa3.yml@refs/tags/v1.4.0`). */
  readonly builderId: string;
  readonly statement: Statement;
  readonly provenance: NormalizedProvenance;
  /** The signing certificate's identity, for keyless provenance. */
  readonly certificate?: CertificateIdentity;
  readonly checks: readonly SlsaCheck[];
}

/** A failed SLSA verification: the first failure's code (in slsa-verifier's order), and every check evaluated. */
export class SlsaVerificationError extends VerificationError {
  readonly checks: readonly SlsaCheck[];

  constructor(code: VouchErrorCode, message: string, checks: readonly SlsaCheck[], cause?: unknown) {
    super(code, message, cause === undefined ? {} : { cause });
    this.checks = Object.freeze([...checks]);
  }
}
