// The vouch command: dispatches to a subcommand, renders failures, and is the only place that picks an exit code.
import { isVouchError } from 'vouch';
import type { Command } from './commands/types.js';
import { EXIT_OK, EXIT_USAGE, type ExitCode, exitCodeFor } from './exit.js';
import type { CliIo } from './io.js';
import { type CheckView, createRenderer } from './render.js';
import { VERSION } from './version.js';

/** The commands, each loaded only when it runs: a verify gate should not pay for loading the signing code. */
interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'keygen',
    summary: 'generate a key pair (<prefix>.key, mode 0600, and <prefix>.pub)',
    load: async () => (await import('./commands/keygen.js')).keygen,
  },
  {
    name: 'sign',
    summary: 'sign an image (tag or digest) with a key, or keyless, and attach the signature in its registry',
    load: async () => (await import('./commands/sign.js')).sign,
  },
  {
    name: 'verify',
    summary: 'verify an image: what is attached in its registry, or a given bundle; with keys or keyless',
    load: async () => (await import('./commands/verify.js')).verify,
  },
  {
    name: 'attest',
    summary: 'attest an image: sign an in-toto predicate about its digest and attach it (as cosign v3)',
    load: async () => (await import('./commands/sign.js')).attest,
  },
  {
    name: 'verify-attestation',
    summary: 'verify the attestations attached to an image (bundles, legacy .att), with keys or keyless',
    load: async () => (await import('./commands/attestation.js')).verifyAttestationCommand,
  },
  {
    name: 'attach',
    summary: 'attach a Sigstore bundle to an image in its registry (as cosign v3)',
    load: async () => (await import('./commands/registry.js')).attachCommand,
  },
  {
    name: 'tree',
    summary: 'list what is attached to an image: bundles, referrers, legacy .sig/.att',
    load: async () => (await import('./commands/registry.js')).treeCommand,
  },
  {
    name: 'sign-blob',
    summary: 'sign a file with a key, or keyless',
    load: async () => (await import('./commands/sign.js')).signBlobCommand,
  },
  {
    name: 'attest-blob',
    summary: 'attest a file: sign an in-toto predicate about its digest, with a key or keyless',
    load: async () => (await import('./commands/sign.js')).attestBlobCommand,
  },
  {
    name: 'verify-blob',
    summary: 'verify a file against a bundle, with keys or keyless',
    load: async () => (await import('./commands/verify.js')).verifyBlobCommand,
  },
  {
    name: 'policy',
    summary: 'lint a policy file, explain which rule applies to an image, or run its offline test cases',
    load: async () => (await import('./commands/policy.js')).policyCommand,
  },
  {
    name: 'trusted-root',
    summary: 'refresh the Sigstore trusted root through TUF into a cache (the only networked read of trust)',
    load: async () => (await import('./commands/trusted-root.js')).trustedRootCommand,
  },
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: vouch <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'version'.padEnd(width)}  print the version`,
    '',
    "Run `vouch <command> --help` for a command's options. Every command takes --output text|json.",
    'Exit codes: 0 verified and allowed, 1 not trusted or denied, 2 usage or configuration error, 3 could not decide.',
  ].join('\n');
}

/** Whether argv asks for JSON output (read before parsing, so even a usage error prints one JSON document). */
function wantsJson(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--output=json' || a === '-o=json') return true;
    if ((a === '--output' || a === '-o') && argv[i + 1] === 'json') return true;
  }
  return false;
}

function checksOf(error: unknown): readonly CheckView[] | undefined {
  if (typeof error !== 'object' || error === null || !('checks' in error) || !Array.isArray(error.checks))
    return undefined;
  return error.checks.filter(
    (c): c is CheckView =>
      typeof c === 'object' &&
      c !== null &&
      typeof c.id === 'string' &&
      typeof c.status === 'string' &&
      typeof c.message === 'string',
  );
}

/**
 * Runs the vouch command line. Never throws: every failure becomes a message and a non-zero exit code.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [name, ...rest] = argv;
  const json = wantsJson(argv);
  const out = createRenderer(io, json ? 'json' : 'text');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (json) out.result({ ok: true, command: 'help', usage: usage() }, []);
    else io.stdout(`${usage()}\n`);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === 'version' || name === '--version') {
    out.result({ ok: true, command: 'version', version: VERSION }, [VERSION]);
    return EXIT_OK;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    out.result(
      {
        ok: false,
        command: name,
        error: { code: 'ERR_USAGE', message: `unknown command ${JSON.stringify(name)}` },
      },
      [],
    );
    io.stderr(`vouch: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return EXIT_USAGE;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (error) {
    const code = isVouchError(error) ? error.code : 'ERR_INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    const exitCode = exitCodeFor(code);
    const checks = checksOf(error);
    out.result(
      { ok: false, command: name, error: { code, message }, ...(checks ? { checks } : {}), exitCode },
      checks ? [...out.checks(checks), `Verification FAILED [${code}]`] : [],
    );
    io.stderr(`vouch ${name}: ${message} [${code}]\n`);
    if (!isVouchError(error) && error instanceof Error && io.env.VOUCH_DEBUG)
      io.stderr(`${error.stack ?? ''}\n`);
    return exitCode;
  }
}
