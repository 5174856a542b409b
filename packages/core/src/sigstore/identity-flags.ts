// cosign's and gh's identity flags, as one IdentityPolicy: the names users know, the anchored matching vouch does.
import { UsageError } from '../errors.js';
import { gitHubPolicy, gitHubWorkflowExtensions } from './identity.js';
import type { FulcioExtensions, IdentityPolicy, StringMatcher } from './types.js';

/** The identity flags of `cosign verify[-blob]` and `gh attestation verify`, by their meaning. */
export interface IdentityFlags {
  readonly certificateIdentity?: string;
  readonly certificateIdentityRegexp?: string;
  readonly certificateOidcIssuer?: string;
  readonly certificateOidcIssuerRegexp?: string;
  readonly githubWorkflowRepository?: string;
  readonly githubWorkflowRef?: string;
  readonly githubWorkflowSha?: string;
  readonly githubWorkflowTrigger?: string;
  readonly githubWorkflowName?: string;
  readonly owner?: string;
  readonly repo?: string;
  readonly signerWorkflow?: string;
  readonly sourceRef?: string;
  readonly sourceDigest?: string;
  readonly denySelfHostedRunners?: boolean;
}

function oneOf(
  exact: string | undefined,
  regexp: string | undefined,
  flag: string,
): StringMatcher | undefined {
  if (exact !== undefined && regexp !== undefined) {
    throw new UsageError('ERR_USAGE', `--${flag} and --${flag}-regexp cannot be used together`);
  }
  if (exact !== undefined) return { exact };
  if (regexp !== undefined) return { regexp };
  return undefined;
}

/**
 * Builds the identity policy the flags ask for, or `undefined` when no identity flag is given (a key-based check).
 * As cosign: an identity (SAN) and an issuer are both required, exact or by anchored regular expression. As gh:
 * `--owner`/`--repo` alone imply the GitHub Actions issuer and a SAN under that repository (or `--signer-workflow`),
 * and `--source-ref`, `--source-digest`, `--deny-self-hosted-runners` constrain the Fulcio extensions.
 * A flag given by both families must agree: they are combined, never one silently dropped.
 *
 * @throws UsageError `ERR_USAGE` naming the missing or conflicting flag
 * @example
 * ```ts
 * identityPolicyFromFlags({ certificateIdentityRegexp: 'https://github.com/acme/.*', certificateOidcIssuer: 'https://token.actions.githubusercontent.com' });
 * identityPolicyFromFlags({ repo: 'acme/app', sourceRef: 'refs/heads/main', denySelfHostedRunners: true });
 * ```
 */
export function identityPolicyFromFlags(flags: IdentityFlags): IdentityPolicy | undefined {
  const san = oneOf(flags.certificateIdentity, flags.certificateIdentityRegexp, 'certificate-identity');
  const issuer = oneOf(
    flags.certificateOidcIssuer,
    flags.certificateOidcIssuerRegexp,
    'certificate-oidc-issuer',
  );
  const workflow = gitHubWorkflowExtensions({
    ...(flags.githubWorkflowRepository === undefined ? {} : { repository: flags.githubWorkflowRepository }),
    ...(flags.githubWorkflowRef === undefined ? {} : { ref: flags.githubWorkflowRef }),
    ...(flags.githubWorkflowSha === undefined ? {} : { sha: flags.githubWorkflowSha }),
    ...(flags.githubWorkflowTrigger === undefined ? {} : { trigger: flags.githubWorkflowTrigger }),
    ...(flags.githubWorkflowName === undefined ? {} : { name: flags.githubWorkflowName }),
  });
  const ghGiven = flags.owner !== undefined || flags.repo !== undefined;
  const ghOnly =
    flags.signerWorkflow !== undefined ||
    flags.sourceRef !== undefined ||
    flags.sourceDigest !== undefined ||
    flags.denySelfHostedRunners === true;
  if (ghOnly && !ghGiven) {
    throw new UsageError(
      'ERR_USAGE',
      '--signer-workflow, --source-ref, --source-digest and --deny-self-hosted-runners need --owner or --repo',
    );
  }
  const any = san !== undefined || issuer !== undefined || Object.keys(workflow).length > 0 || ghGiven;
  if (!any) return undefined;

  let extensions: Partial<Record<keyof FulcioExtensions, StringMatcher>> = { ...workflow };
  let policySan = san;
  let policyIssuer = issuer;
  if (ghGiven) {
    const gh = gitHubPolicy({
      ...(flags.owner === undefined ? {} : { owner: flags.owner }),
      ...(flags.repo === undefined ? {} : { repo: flags.repo }),
      ...(flags.signerWorkflow === undefined ? {} : { signerWorkflow: flags.signerWorkflow }),
      ...(flags.sourceRef === undefined ? {} : { sourceRef: flags.sourceRef }),
      ...(flags.sourceDigest === undefined ? {} : { sourceDigest: flags.sourceDigest }),
      ...(flags.denySelfHostedRunners === undefined
        ? {}
        : { denySelfHostedRunners: flags.denySelfHostedRunners }),
      ...(flags.certificateOidcIssuer === undefined ? {} : { issuer: flags.certificateOidcIssuer }),
    });
    // An explicit --certificate-identity narrows gh's SAN rule; it is checked in addition, as an extension cannot be.
    if (policySan !== undefined && flags.signerWorkflow !== undefined) {
      throw new UsageError(
        'ERR_USAGE',
        '--certificate-identity and --signer-workflow cannot be used together',
      );
    }
    policySan ??= gh.subjectAlternativeName;
    policyIssuer ??= gh.issuer;
    extensions = { ...gh.extensions, ...extensions };
  }
  if (policySan === undefined) {
    throw new UsageError(
      'ERR_USAGE',
      'an identity is required: --certificate-identity or --certificate-identity-regexp',
    );
  }
  if (policyIssuer === undefined) {
    throw new UsageError(
      'ERR_USAGE',
      'an issuer is required: --certificate-oidc-issuer or --certificate-oidc-issuer-regexp',
    );
  }
  return Object.freeze({
    subjectAlternativeName: policySan,
    issuer: policyIssuer,
    ...(Object.keys(extensions).length === 0 ? {} : { extensions: Object.freeze(extensions) }),
  });
}
