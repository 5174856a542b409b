// The Sigstore conformance CLI protocol (sigstore-conformance docs/cli_protocol.md), as the `vouch-conformance` bin.
import {
  isVouchError,
  type KeylessOptions,
  keylessOptionsFromSigningConfig,
  loadPublicKey,
  loadSigningConfig,
  loadTrustedRoot,
  PUBLIC_GOOD_KEYLESS,
  parseStatementJson,
  readDocument,
  serializeKeylessBundle,
  signArtifactKeyless,
  signPayloadKeyless,
  UsageError,
  verifyBundle,
  writeFileAtomic,
} from 'vouch';
import { parseCommandArgs, required, stringFlag } from './args.js';
import { EXIT_OK, type ExitCode, exitCodeFor } from './exit.js';
import type { CliIo } from './io.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

async function verifyBundleCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const args = parseCommandArgs(
    argv,
    {
      staging: { type: 'boolean', default: false },
      bundle: { type: 'string' },
      'certificate-identity': { type: 'string' },
      'certificate-oidc-issuer': { type: 'string' },
      key: { type: 'string' },
      'trusted-root': { type: 'string' },
    },
    ['FILE_OR_DIGEST'],
  );
  if (args.values.staging === true && stringFlag(args, 'trusted-root') === undefined) {
    // No network: the staging root is not shipped, so it must be given as a file.
    throw new UsageError(
      'ERR_USAGE',
      '--staging needs --trusted-root (vouch ships only the public-good root)',
    );
  }
  const [target = ''] = args.positionals;
  const keyPath = stringFlag(args, 'key');
  const trustedRoot = stringFlag(args, 'trusted-root');
  const result = await verifyBundle({
    bundle: required(stringFlag(args, 'bundle'), '--bundle'),
    artifact: DIGEST.test(target) ? { digest: target } : { path: target },
    ...(trustedRoot === undefined ? {} : { trustedRoot }),
    ...(keyPath === undefined
      ? {
          identity: {
            subjectAlternativeName: {
              exact: required(stringFlag(args, 'certificate-identity'), '--certificate-identity'),
            },
            issuer: {
              exact: required(stringFlag(args, 'certificate-oidc-issuer'), '--certificate-oidc-issuer'),
            },
          },
        }
      : { keys: [await loadPublicKey({ path: keyPath })], tlogThreshold: 1 }),
  });
  io.stderr(
    `verified: ${result.checks
      .filter((c) => c.status === 'pass')
      .map((c) => c.id)
      .join(', ')}\n`,
  );
  return EXIT_OK;
}

const IN_TOTO = 'application/vnd.in-toto+json';

async function signBundleCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const args = parseCommandArgs(
    argv,
    {
      staging: { type: 'boolean', default: false },
      'in-toto': { type: 'boolean', default: false },
      'identity-token': { type: 'string' },
      bundle: { type: 'string' },
      'trusted-root': { type: 'string' },
      'signing-config': { type: 'string' },
    },
    ['FILE'],
  );
  const [file = ''] = args.positionals;
  const out = required(stringFlag(args, 'bundle'), '--bundle');
  const configPath = stringFlag(args, 'signing-config');
  if (args.values.staging === true && configPath === undefined) {
    throw new UsageError(
      'ERR_USAGE',
      '--staging needs --signing-config (vouch ships only public-good service URLs)',
    );
  }
  const trustedRoot = stringFlag(args, 'trusted-root');
  // The root the result must verify against: refuse a malformed one before anything is signed.
  if (trustedRoot !== undefined) await loadTrustedRoot(trustedRoot);
  const services: KeylessOptions =
    configPath === undefined
      ? { fulcioUrl: PUBLIC_GOOD_KEYLESS.fulcioUrl, rekorUrls: PUBLIC_GOOD_KEYLESS.rekorUrls }
      : keylessOptionsFromSigningConfig({ config: await loadSigningConfig(configPath), now: new Date() });
  const keyless: KeylessOptions = {
    ...services,
    identityToken: required(stringFlag(args, 'identity-token'), '--identity-token'),
  };
  const content = await readDocument(file);
  let signed:
    | Awaited<ReturnType<typeof signArtifactKeyless>>
    | Awaited<ReturnType<typeof signPayloadKeyless>>;
  if (args.values['in-toto'] === true) {
    // The statement is signed byte for byte as given, once it is known to be one.
    parseStatementJson(content);
    signed = await signPayloadKeyless({ payload: content, payloadType: IN_TOTO, keyless });
  } else {
    signed = await signArtifactKeyless({ artifact: content, keyless });
  }
  await writeFileAtomic(out, serializeKeylessBundle(signed.bundle));
  io.stderr(`signed ${file} into ${out}\n`);
  return EXIT_OK;
}

/**
 * Runs one conformance-protocol command. Exit 0 means verified (or signed); any failure prints its code on stderr.
 */
export async function conformanceMain(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    if (command === 'verify-bundle') return await verifyBundleCommand(rest, io);
    if (command === 'sign-bundle') return await signBundleCommand(rest, io);
    throw new UsageError(
      'ERR_USAGE',
      `unknown command ${JSON.stringify(command ?? '')}: expected verify-bundle or sign-bundle`,
    );
  } catch (error) {
    const code = isVouchError(error) ? error.code : 'ERR_INTERNAL';
    io.stderr(`vouch-conformance: ${error instanceof Error ? error.message : String(error)} [${code}]\n`);
    return exitCodeFor(code);
  }
}
