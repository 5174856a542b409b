// vouch verify / vouch verify-blob: check a bundle against trusted keys or a keyless identity, explaining every check.
import {
  type IdentityFlags,
  type IdentityPolicy,
  identityPolicyFromFlags,
  type RegistryOptions,
  type SigstoreSigner,
  type TrustedRootSource,
  UsageError,
  verifyBlob,
  verifyImage,
} from 'vouch';
import {
  booleanFlag,
  type ParsedArgs,
  parseCommandArgs,
  required,
  stringFlag,
  stringFlags,
  threshold,
} from '../args.js';
import { EXIT_OK } from '../exit.js';
import { type CheckView, createRenderer } from '../render.js';
import { help } from './keygen.js';
import { publicKeysFromFiles } from './keys.js';
import { REGISTRY_OPTIONS, REGISTRY_USAGE, registryOptionsFromArgs } from './registry-flags.js';
import type { Command } from './types.js';

export const KEYLESS_OPTIONS = {
  'certificate-identity': { type: 'string' },
  'certificate-identity-regexp': { type: 'string' },
  'certificate-oidc-issuer': { type: 'string' },
  'certificate-oidc-issuer-regexp': { type: 'string' },
  'certificate-github-workflow-repository': { type: 'string' },
  'certificate-github-workflow-ref': { type: 'string' },
  'certificate-github-workflow-sha': { type: 'string' },
  'certificate-github-workflow-trigger': { type: 'string' },
  'certificate-github-workflow-name': { type: 'string' },
  owner: { type: 'string' },
  repo: { type: 'string' },
  'signer-workflow': { type: 'string' },
  'source-ref': { type: 'string' },
  'source-digest': { type: 'string' },
  'deny-self-hosted-runners': { type: 'boolean', default: false },
  'trusted-root': { type: 'string' },
  'trusted-root-cache': { type: 'string' },
  offline: { type: 'boolean', default: false },
} as const;

export const KEYLESS_FLAGS = `Keyless (a Fulcio certificate; verified offline against the shipped public-good root or --trusted-root):
  --certificate-identity[-regexp] ID    the signer (SAN), exact or a regular expression matched against the whole value
  --certificate-oidc-issuer[-regexp] U  the OIDC issuer, exact or a whole-value regular expression
  --certificate-github-workflow-{repository,ref,sha,trigger,name} V   as cosign
  --owner O | --repo O/R [--signer-workflow W] [--source-ref R] [--source-digest D] [--deny-self-hosted-runners]   as gh attestation verify
  --trusted-root FILE   a Sigstore trusted_root.json (private Sigstore, a test CA)
  --trusted-root-cache DIR   the root last refreshed by \`vouch trusted-root refresh\` (else the shipped one)
  --offline             guarantee no network connection (verification never needs one)`;

export const EXIT_CODES =
  'Exit codes: 0 verified, 1 not trusted, 2 usage or configuration error, 3 could not decide.';

/** The identity flags as parsed values (the mapping onto a policy is core's). */
function identityFlags(args: ParsedArgs): IdentityFlags {
  const flags: Record<string, string | boolean> = {};
  const set = (name: keyof IdentityFlags, flag: string): void => {
    const value = stringFlag(args, flag);
    if (value !== undefined) flags[name] = value;
  };
  set('certificateIdentity', 'certificate-identity');
  set('certificateIdentityRegexp', 'certificate-identity-regexp');
  set('certificateOidcIssuer', 'certificate-oidc-issuer');
  set('certificateOidcIssuerRegexp', 'certificate-oidc-issuer-regexp');
  set('githubWorkflowRepository', 'certificate-github-workflow-repository');
  set('githubWorkflowRef', 'certificate-github-workflow-ref');
  set('githubWorkflowSha', 'certificate-github-workflow-sha');
  set('githubWorkflowTrigger', 'certificate-github-workflow-trigger');
  set('githubWorkflowName', 'certificate-github-workflow-name');
  set('owner', 'owner');
  set('repo', 'repo');
  set('signerWorkflow', 'signer-workflow');
  set('sourceRef', 'source-ref');
  set('sourceDigest', 'source-digest');
  if (args.values['deny-self-hosted-runners'] === true) flags.denySelfHostedRunners = true;
  return flags;
}

/** Exactly one way to trust: keys, or a keyless identity. */
export function trustFrom(args: ParsedArgs): { keys: string[] } | { identity: IdentityPolicy } {
  const keys = stringFlags(args, 'key');
  const identity = identityPolicyFromFlags(identityFlags(args));
  if (keys.length > 0 && identity !== undefined) {
    throw new UsageError('ERR_USAGE', '--key and the keyless identity flags cannot be used together');
  }
  if (identity !== undefined) return { identity };
  if (keys.length > 0) return { keys };
  throw new UsageError(
    'ERR_USAGE',
    '--key, or a keyless identity (--certificate-identity and --certificate-oidc-issuer, or --owner/--repo), is required',
  );
}

/** The trusted root the flags name: a file, a refreshed cache, or (undefined) the shipped public-good root. */
export function trustedRootFrom(args: ParsedArgs): TrustedRootSource {
  const file = stringFlag(args, 'trusted-root');
  const cacheDir = stringFlag(args, 'trusted-root-cache');
  if (file !== undefined && cacheDir !== undefined) {
    throw new UsageError('ERR_USAGE', '--trusted-root and --trusted-root-cache cannot be used together');
  }
  if (file !== undefined) return file;
  return cacheDir === undefined ? undefined : { cacheDir };
}

export function signerText(signer: SigstoreSigner): string {
  return signer.type === 'key'
    ? `key ${signer.keyId}`
    : `${signer.identity.subjectAlternativeName} (issuer ${signer.identity.extensions.issuer ?? 'unknown'})`;
}

type ViaIndex = {
  readonly reference: { readonly canonical: string };
  readonly digest: { readonly value: string };
};

function indexJson(index: ViaIndex | undefined) {
  return index === undefined
    ? {}
    : { index: { image: index.reference.canonical, digest: index.digest.value } };
}

function indexLines(index: ViaIndex | undefined): string[] {
  return index === undefined
    ? []
    : [`Accepted the signature on index ${index.reference.canonical}, which lists this platform manifest`];
}

export const verify: Command = {
  usage: `vouch verify IMAGE [--bundle BUNDLE]... (--key PUB [--key PUB]... [--threshold N] | keyless flags) [--index INDEX] [registry flags] [--output text|json]
vouch verify --policy POLICY [IMAGE]... [-f FILE]...   (the deploy gate: vouch verify --policy P --help)

  IMAGE is registry/repository@sha256:… or :tag; a tag is resolved once, the digest printed on stderr, and everything
  after uses the digest. Without --bundle, the signatures attached to the image in its registry are verified
  (Sigstore bundles by referrers API or fallback tag, then cosign's legacy .sig signatures, key-based or keyless).
  --bundle     a Sigstore bundle (repeatable with keys: one signature per bundle); needs IMAGE@DIGEST, uses no registry
  --key        a trusted public key (PEM or JWK file; repeatable)
  --threshold  how many distinct trusted keys must have signed, across the bundles (default 1)
  --index      accept a signature on this index (IMAGE@DIGEST or tag) for IMAGE, a platform manifest it must list
               (multi-arch signed without --recursive); never implied. Registry verification only (no --bundle)
${KEYLESS_FLAGS}
${REGISTRY_USAGE}
${EXIT_CODES}`,
  async run(argv, io) {
    // With a policy, verify is the deploy gate over any number of images.
    if (argv.some((a) => a === '--policy' || a.startsWith('--policy='))) {
      const { runGate, GATE_USAGE } = await import('./gate.js');
      return runGate(argv, io, GATE_USAGE);
    }
    const args = parseCommandArgs(
      argv,
      {
        bundle: { type: 'string', multiple: true },
        key: { type: 'string', multiple: true },
        threshold: { type: 'string' },
        index: { type: 'string' },
        ...REGISTRY_OPTIONS,
        ...KEYLESS_OPTIONS,
      },
      ['IMAGE'],
    );
    if (args.help) return help(io, this.usage);
    const out = createRenderer(io, args.format);
    const [image = ''] = args.positionals;
    const bundles = stringFlags(args, 'bundle');
    // Given bundles are verified offline against IMAGE@DIGEST; without one, what is attached in the registry.
    const online = bundles.length === 0;
    if (online && booleanFlag(args, 'offline'))
      throw new UsageError(
        'ERR_USAGE',
        '--offline needs --bundle (without it, signatures are fetched from the registry)',
      );
    if (!online) {
      for (const flag of Object.keys(REGISTRY_OPTIONS)) {
        if (args.values[flag] !== undefined)
          throw new UsageError('ERR_USAGE', `--${flag} is for registry verification (without --bundle)`);
      }
    }
    const registry: { registry?: RegistryOptions } = online
      ? { registry: registryOptionsFromArgs(args, io, image, out) }
      : {};
    const given = bundles.length === 0 ? {} : { bundle: bundles };
    const indexFlag = stringFlag(args, 'index');
    if (indexFlag !== undefined && !online)
      throw new UsageError('ERR_USAGE', '--index is for registry verification (without --bundle)');
    const index = indexFlag === undefined ? {} : { index: indexFlag };
    const trust = trustFrom(args);
    const trustedRoot = trustedRootFrom(args);
    if ('identity' in trust) {
      const [bundle] = bundles;
      if (bundles.length > 1) throw new UsageError('ERR_USAGE', 'keyless verification takes one --bundle');
      if (stringFlag(args, 'threshold') !== undefined)
        throw new UsageError('ERR_USAGE', '--threshold counts keys: use it with --key');
      const result = await verifyImage({
        image,
        ...(bundle === undefined ? {} : { bundle }),
        ...registry,
        ...index,
        identity: trust.identity,
        ...(trustedRoot === undefined ? {} : { trustedRoot }),
      });
      const checks: readonly CheckView[] = result.checks;
      out.result(
        {
          ok: true,
          command: 'verify',
          image: result.reference.canonical,
          digest: result.digest.value,
          ...indexJson(result.index),
          format: result.simpleSigning === undefined ? 'sigstore-bundle' : 'legacy-signature',
          signer: result.signer,
          times: result.times,
          checks,
        },
        [
          ...out.checks(checks),
          ...indexLines(result.index),
          ...(result.simpleSigning === undefined ? [] : ["Verified cosign's legacy .sig signature"]),
          `Verified OK: ${result.reference.canonical} signed by ${signerText(result.signer)}`,
        ],
      );
      return EXIT_OK;
    }
    if (trustedRoot !== undefined)
      throw new UsageError('ERR_USAGE', '--trusted-root is for keyless verification');
    const keys = await publicKeysFromFiles(trust.keys);
    const n = threshold(stringFlag(args, 'threshold'));
    const result = await verifyImage({
      image,
      ...given,
      ...registry,
      ...index,
      keys,
      ...(n === undefined ? {} : { threshold: n }),
    });
    const checks: readonly CheckView[] = result.checks;
    out.result(
      {
        ok: true,
        command: 'verify',
        image: result.reference.canonical,
        digest: result.digest.value,
        ...indexJson(result.index),
        signerKeyIds: result.signerKeyIds,
        annotations: result.annotations ?? {},
        checks,
      },
      [
        ...out.checks(checks),
        ...indexLines(result.index),
        `Verified OK: ${result.reference.canonical} signed by ${result.signerKeyIds.join(', ')}`,
      ],
    );
    return EXIT_OK;
  },
};

export const verifyBlobCommand: Command = {
  usage: `vouch verify-blob FILE --bundle BUNDLE (--key PUB [--key PUB]... | keyless flags) [--output text|json]

  --bundle     the Sigstore bundle to check (vouch's, cosign's or any Sigstore client's)
  --key        a trusted public key (PEM or JWK file; repeatable)
${KEYLESS_FLAGS}
${EXIT_CODES}`,
  async run(argv, io) {
    const args = parseCommandArgs(
      argv,
      { bundle: { type: 'string' }, key: { type: 'string', multiple: true }, ...KEYLESS_OPTIONS },
      ['FILE'],
    );
    if (args.help) return help(io, this.usage);
    const out = createRenderer(io, args.format);
    const [file = ''] = args.positionals;
    const bundle = required(stringFlag(args, 'bundle'), '--bundle');
    const trust = trustFrom(args);
    const trustedRoot = trustedRootFrom(args);
    const result = await verifyBlob({
      file,
      bundle,
      ...('identity' in trust
        ? { identity: trust.identity }
        : { keys: await publicKeysFromFiles(trust.keys) }),
      ...(trustedRoot === undefined ? {} : { trustedRoot }),
    });
    const checks: readonly CheckView[] = result.checks;
    out.result(
      {
        ok: true,
        command: 'verify-blob',
        file,
        digest: result.digest.value,
        signer: result.signer,
        ...(result.signer.type === 'key' ? { signerKeyIds: [result.signer.keyId] } : {}),
        times: result.times,
        checks,
      },
      [
        ...out.checks(checks),
        `Verified OK: ${file} (${result.digest.value}) signed by ${signerText(result.signer)}`,
      ],
    );
    return EXIT_OK;
  },
};
