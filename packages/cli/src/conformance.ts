// The Sigstore conformance CLI protocol (sigstore-conformance docs/cli_protocol.md), as the `vouch-conformance` bin.
import { isVouchError, loadPublicKey, UsageError, verifyBundle } from 'vouch';
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

/**
 * Runs one conformance-protocol command. Exit 0 means verified (or signed); any failure prints its code on stderr.
 */
export async function conformanceMain(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    if (command === 'verify-bundle') return await verifyBundleCommand(rest, io);
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
