// `vouch-slsa`: slsa-verifier v2.7.1's command line over vouch's verifier (same commands, flags and exit codes).
import { type ParseArgsConfig, parseArgs } from 'node:util';
import {
  type Digest,
  isVouchError,
  SigstoreVerificationError,
  type SlsaPolicy,
  type SlsaVerification,
  SlsaVerificationError,
  UsageError,
  verifySlsaArtifact,
  verifySlsaImage,
  verifySlsaNpmPackage,
  verifySlsaVsa,
  writeSlsaVsa,
} from 'vouch';
import { privateKeyFromFile, publicKeysFromFiles } from './commands/keys.js';
import { KEYLESS_OPTIONS, keylessFromArgs } from './commands/sign.js';
import type { CliIo } from './io.js';
import { createRenderer } from './render.js';
import { SLSA_POLICY_OPTIONS, slsaPolicyFromFlags } from './slsa-flags.js';
import { VERSION } from './version.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** slsa-verifier exits 0 when verified and 1 otherwise, whatever the reason. */
const PASSED = 0;
const FAILED = 1;

/** The policy flags every verify command shares. */
const POLICY_OPTIONS = {
  ...SLSA_POLICY_OPTIONS,
  'print-provenance': { type: 'boolean', default: false },
  // vouch's own: trust material given as files (vouch verifies offline; nothing is fetched).
  'trusted-root': { type: 'string' },
  // vouch's own: a signed VSA of the verification, with a key or keyless.
  vsa: { type: 'string' },
  'vsa-key': { type: 'string' },
  ...KEYLESS_OPTIONS,
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

function parse(argv: readonly string[], options: Options): Parsed {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new UsageError('ERR_USAGE', cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

function flag(args: Parsed, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

function flags(args: Parsed, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The policy the flags state; the testing switch comes only from `SLSA_VERIFIER_TESTING`, and says so every run. */
function policyFrom(args: Parsed, io: CliIo): SlsaPolicy {
  const policy = slsaPolicyFromFlags(args.values);
  if (policy === undefined) throw new UsageError('ERR_USAGE', '--source-uri is required');
  const testing = io.env.SLSA_VERIFIER_TESTING === '1' || io.env.SLSA_VERIFIER_TESTING === 'true';
  if (!testing) return policy;
  io.stderr(
    'WARNING: SLSA_VERIFIER_TESTING is set: builders referenced at a branch are accepted. Never use this in production.\n',
  );
  return { ...policy, allowBuilderAtBranch: true };
}

/** Who vouch-slsa says verified, in the VSAs it writes. */
const VERIFIER_ID = `https://github.com/vouch-dev/vouch/vouch-slsa@v${VERSION}`;

/** `--vsa OUT`: after a successful verification, a VSA signed with `--vsa-key KEY` or `--keyless` (keyless flags). */
async function writeVsaIfAsked(
  args: Parsed,
  io: CliIo,
  what: {
    readonly result: SlsaVerification;
    readonly subjects: readonly { readonly name?: string; readonly digest: Digest }[];
    readonly resourceUri: string;
    readonly provenance: { readonly path: string } | { readonly uri: string; readonly digest: Digest };
  },
): Promise<void> {
  const path = flag(args, 'vsa');
  const keyPath = flag(args, 'vsa-key');
  const keyless = args.values.keyless === true;
  if (path === undefined) {
    if (keyPath !== undefined || keyless)
      throw new UsageError('ERR_USAGE', '--vsa-key and --keyless sign a VSA: give --vsa OUT');
    return;
  }
  if ((keyPath === undefined) === !keyless) {
    throw new UsageError('ERR_USAGE', '--vsa needs exactly one signer: --vsa-key KEY or --keyless');
  }
  const signer =
    keyPath !== undefined
      ? { key: await privateKeyFromFile(keyPath, io) }
      : {
          keyless: await keylessFromArgs(
            { ...args, help: false, format: 'text' },
            io,
            createRenderer(io, 'text'),
          ),
        };
  await writeSlsaVsa({ ...what, verifierId: VERIFIER_ID, signer, path });
  io.stderr(`Wrote a signed VSA (${VERIFIER_ID}) to ${path}\n`);
}

const USAGE = `vouch-slsa: slsa-verifier v2.7.1's commands, verified offline by vouch

  vouch-slsa verify-artifact ARTIFACT... --provenance-path P --source-uri URI [--builder-id ID]
      [--source-branch B] [--source-tag T] [--source-versioned-tag V] [--build-workflow-input k=v]... [--print-provenance]
      [--artifact-digest sha256:HEX]... [--trusted-root FILE]

  vouch-slsa verify-image IMAGE [--provenance-path P] --source-uri URI [--builder-id ID] [policy flags as above]
      [--provenance-repository REG/REPO] [--gcb-keys DIR] [--trusted-root FILE]
      IMAGE is registry/repo@sha256:… (or :tag), or oci-layout:DIR@sha256:… for an OCI image layout on disk.

  vouch-slsa verify-npm-package TARBALL --attestations-path P --npm-registry-keys KEYS --source-uri URI
      [--builder-id ID] [--package-name N] [--package-version V] [--trusted-root FILE]

  vouch-slsa verify-github-attestation ARTIFACT --attestation-path BUNDLE --source-uri URI --builder-id ID
      [--build-workflow-input k=v]... [--print-attestation] [--trusted-root FILE]

  vouch-slsa verify-vsa --attestation-path VSA --public-key-path PUB --subject-digest TYPE:VALUE...
      --verifier-id ID --resource-uri URI [--verified-level LEVEL]... [--print-attestation]

  --vsa OUT           after verifying, write a signed VSA (a Sigstore bundle) of it: with --vsa-key KEY (password in
                      VOUCH_PASSWORD) or --keyless [--identity-token T --fulcio-url U --rekor-url U | --signing-config F]
  --artifact-digest   verify an artifact by its digest when the file is not at hand (vouch)
  --gcb-keys          a folder of Google Cloud Build's KMS public keys (<name>.key), for GCB provenance (vouch)
  --trusted-root      a Sigstore trusted_root.json (default: the shipped public-good root)
  SLSA_VERIFIER_TESTING=1 accepts builders referenced at a branch (testing only; warns on every run).
Exit codes: 0 verified, 1 not verified.`;

async function verifyArtifactCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parse(argv, {
    ...POLICY_OPTIONS,
    'provenance-path': { type: 'string' },
    'artifact-digest': { type: 'string', multiple: true },
  });
  if (args.values.help === true) {
    io.stdout(`${USAGE}\n`);
    return PASSED;
  }
  const provenancePath = flag(args, 'provenance-path');
  if (provenancePath === undefined) throw new UsageError('ERR_USAGE', '--provenance-path is required');
  const artifacts = [
    ...args.positionals.map((path) => ({ path })),
    ...flags(args, 'artifact-digest').map((digest) => ({ digest })),
  ];
  if (artifacts.length === 0) throw new UsageError('ERR_USAGE', 'expected at least one artifact');
  const trustedRoot = flag(args, 'trusted-root');
  const result = await verifySlsaArtifact({
    provenancePath,
    artifacts,
    policy: policyFrom(args, io),
    ...(trustedRoot === undefined ? {} : { trustedRoot }),
  });
  io.stderr(`Verified build using builder "${result.builderId}"\n`);
  for (const [i, digest] of result.artifacts.entries()) {
    const name = args.positionals[i] ?? digest.value;
    io.stderr(`Verifying artifact ${name}: PASSED\n`);
  }
  if (args.values['print-provenance'] === true) io.stdout(`${JSON.stringify(result.statement.raw)}\n`);
  await writeVsaIfAsked(args, io, {
    result,
    subjects: result.artifacts.map((digest, i) => ({ name: args.positionals[i] ?? digest.value, digest })),
    resourceUri: args.positionals[0] ?? result.artifacts[0]?.value ?? '',
    provenance: { path: provenancePath },
  });
  io.stderr('\nPASSED: SLSA verification passed\n');
  return PASSED;
}

async function verifyImageCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parse(argv, {
    ...POLICY_OPTIONS,
    'provenance-path': { type: 'string' },
    'provenance-repository': { type: 'string' },
    'gcb-keys': { type: 'string' },
  });
  if (args.values.help === true) {
    io.stdout(`${USAGE}\n`);
    return PASSED;
  }
  const [image, ...extra] = args.positionals;
  if (image === undefined) throw new UsageError('ERR_USAGE', 'expected the image to verify');
  if (extra.length > 0) throw new UsageError('ERR_USAGE', `unexpected argument ${JSON.stringify(extra[0])}`);
  const provenancePath = flag(args, 'provenance-path');
  const gcbKeysDir = flag(args, 'gcb-keys');
  const signatures = flag(args, 'provenance-repository');
  const trustedRoot = flag(args, 'trusted-root');
  const result = await verifySlsaImage({
    image,
    policy: policyFrom(args, io),
    ...(provenancePath === undefined ? {} : { provenancePath }),
    ...(gcbKeysDir === undefined ? {} : { gcbKeysDir }),
    ...(trustedRoot === undefined ? {} : { trustedRoot }),
    registry: { env: io.env, ...(signatures === undefined ? {} : { signaturesRepository: signatures }) },
  });
  io.stderr(`Verified build using builder "${result.builderId}"\n`);
  io.stderr(`Verifying image ${image}: PASSED\n`);
  if (args.values['print-provenance'] === true) io.stdout(`${JSON.stringify(result.statement.raw)}\n`);
  await writeVsaIfAsked(args, io, {
    result,
    subjects: [{ digest: result.digest }],
    resourceUri: image,
    provenance:
      provenancePath !== undefined
        ? { path: provenancePath }
        : { uri: `${image.replace(/@sha256:[0-9a-f]+$/, '')}@${result.digest.value}`, digest: result.digest },
  });
  io.stderr('\nPASSED: SLSA verification passed\n');
  return PASSED;
}

async function verifyNpmPackageCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parse(argv, {
    ...POLICY_OPTIONS,
    'attestations-path': { type: 'string' },
    'package-name': { type: 'string' },
    'package-version': { type: 'string' },
    'npm-registry-keys': { type: 'string' },
  });
  if (args.values.help === true) {
    io.stdout(`${USAGE}\n`);
    return PASSED;
  }
  const [tarballPath, ...extra] = args.positionals;
  if (tarballPath === undefined) throw new UsageError('ERR_USAGE', 'expected the package tarball');
  if (extra.length > 0) throw new UsageError('ERR_USAGE', `unexpected argument ${JSON.stringify(extra[0])}`);
  const attestationsPath = flag(args, 'attestations-path');
  if (attestationsPath === undefined) throw new UsageError('ERR_USAGE', '--attestations-path is required');
  const npmRegistryKeysPath = flag(args, 'npm-registry-keys');
  if (npmRegistryKeysPath === undefined) {
    throw new UsageError(
      'ERR_USAGE',
      '--npm-registry-keys is required: the npm registry keys file (registry.npmjs.org/keys.json); vouch fetches nothing',
    );
  }
  const packageName = flag(args, 'package-name');
  const packageVersion = flag(args, 'package-version');
  const trustedRoot = flag(args, 'trusted-root');
  const result = await verifySlsaNpmPackage({
    tarballPath,
    attestationsPath,
    npmRegistryKeysPath,
    policy: {
      ...policyFrom(args, io),
      ...(packageName === undefined ? {} : { packageName }),
      ...(packageVersion === undefined ? {} : { packageVersion }),
    },
    ...(trustedRoot === undefined ? {} : { trustedRoot }),
  });
  io.stderr(`Verified build using builder "${result.builderId}"\n`);
  io.stderr(`Verifying npm package ${tarballPath}: PASSED\n`);
  if (args.values['print-provenance'] === true) io.stdout(`${JSON.stringify(result.statement.raw)}\n`);
  io.stderr('\nPASSED: SLSA verification passed\n');
  return PASSED;
}

async function verifyGithubAttestationCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parse(argv, {
    ...POLICY_OPTIONS,
    'attestation-path': { type: 'string' },
    'print-attestation': { type: 'boolean', default: false },
  });
  if (args.values.help === true) {
    io.stdout(`${USAGE}\n`);
    return PASSED;
  }
  const [artifact, ...extra] = args.positionals;
  if (artifact === undefined) throw new UsageError('ERR_USAGE', 'expected the artifact');
  if (extra.length > 0) throw new UsageError('ERR_USAGE', `unexpected argument ${JSON.stringify(extra[0])}`);
  const provenancePath = flag(args, 'attestation-path');
  if (provenancePath === undefined) throw new UsageError('ERR_USAGE', '--attestation-path is required');
  const trustedRoot = flag(args, 'trusted-root');
  const result = await verifySlsaArtifact({
    provenancePath,
    artifacts: [{ path: artifact }],
    policy: policyFrom(args, io),
    // GitHub's attestations are signed by the caller's workflow: no builder is trusted unless --builder-id names it.
    trustedBuilders: new Set(),
    ...(trustedRoot === undefined ? {} : { trustedRoot }),
  });
  io.stderr(`Verified build using builder "${result.builderId}"\n`);
  if (args.values['print-attestation'] === true) io.stdout(`${JSON.stringify(result.statement.raw)}\n`);
  io.stderr(`Verifying artifact ${artifact}: PASSED\n\nPASSED: SLSA verification passed\n`);
  return PASSED;
}

async function verifyVsaCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parse(argv, {
    'subject-digest': { type: 'string', multiple: true },
    'attestation-path': { type: 'string' },
    'verifier-id': { type: 'string' },
    'resource-uri': { type: 'string' },
    'verified-level': { type: 'string', multiple: true },
    'print-attestation': { type: 'boolean', default: false },
    'public-key-path': { type: 'string' },
    'public-key-id': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (args.values.help === true) {
    io.stdout(`${USAGE}\n`);
    return PASSED;
  }
  if (args.positionals.length > 0)
    throw new UsageError('ERR_USAGE', `unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const need = (name: string): string => {
    const v = flag(args, name);
    if (v === undefined || v === '') throw new UsageError('ERR_USAGE', `--${name} is required`);
    return v;
  };
  const subjectDigests = flags(args, 'subject-digest');
  if (subjectDigests.length === 0) throw new UsageError('ERR_USAGE', '--subject-digest is required');
  const result = await verifySlsaVsa({
    attestationPath: need('attestation-path'),
    keys: await publicKeysFromFiles([need('public-key-path')]),
    subjectDigests,
    verifierId: need('verifier-id'),
    resourceUri: need('resource-uri'),
    verifiedLevels: flags(args, 'verified-level'),
  });
  if (args.values['print-attestation'] === true) io.stdout(`${JSON.stringify(result.vsa.raw)}\n`);
  io.stderr('Verifying VSA: PASSED\n\nPASSED: SLSA verification passed\n');
  return PASSED;
}

const COMMANDS: Readonly<Record<string, (argv: readonly string[], io: CliIo) => Promise<number>>> = {
  'verify-artifact': verifyArtifactCommand,
  'verify-image': verifyImageCommand,
  'verify-npm-package': verifyNpmPackageCommand,
  'verify-github-attestation': verifyGithubAttestationCommand,
  'verify-vsa': verifyVsaCommand,
};

/**
 * Runs one slsa-verifier command. Exit 0 when verified, 1 when not (every failure prints its vouch code and the check
 * that failed on stderr).
 *
 * @example
 * ```ts
 * const code = await slsaMain(['verify-artifact', 'app', '--provenance-path', 'app.intoto.sigstore', '--source-uri', 'github.com/acme/app'], io);
 * ```
 */
export async function slsaMain(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const run = command === undefined ? undefined : COMMANDS[command];
    if (run === undefined) {
      if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
        io.stdout(`${USAGE}\n`);
        return command === undefined ? FAILED : PASSED;
      }
      throw new UsageError(
        'ERR_USAGE',
        `unknown command ${JSON.stringify(command)}: expected ${Object.keys(COMMANDS).join(', ')}`,
      );
    }
    return await run(rest, io);
  } catch (error) {
    const code = isVouchError(error) ? error.code : 'ERR_INTERNAL';
    const checks =
      error instanceof SlsaVerificationError || error instanceof SigstoreVerificationError
        ? error.checks
        : [];
    for (const c of checks) {
      if (c.status === 'fail')
        io.stderr(`FAIL  ${c.id}  ${c.message}${c.code === undefined ? '' : ` [${c.code}]`}\n`);
    }
    io.stderr(
      `FAILED: SLSA verification failed: ${error instanceof Error ? error.message : String(error)} [${code}]\n`,
    );
    return FAILED;
  }
}
