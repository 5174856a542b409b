// vouch trusted-root refresh: update the Sigstore trusted root through TUF, only when asked, into a cache folder.
import { refreshTrustedRoot, type TrustedRoot, UsageError } from 'vouch';
import { booleanFlag, parseCommandArgs, required, stringFlag } from '../args.js';
import { EXIT_OK } from '../exit.js';
import { createRenderer } from '../render.js';
import { help } from './keygen.js';
import type { Command } from './types.js';

function summary(root: TrustedRoot): Record<string, number> {
  return {
    certificateAuthorities: root.certificateAuthorities.length,
    tlogs: root.tlogs.length,
    ctlogs: root.ctlogs.length,
    timestampAuthorities: root.timestampAuthorities.length,
  };
}

export const trustedRootCommand: Command = {
  usage: `vouch trusted-root refresh --cache-dir DIR [--mirror URL --root ROOT.json] [--output text|json]

  Fetches trusted_root.json through TUF (the network: the only command that uses it to read trust material) and
  commits it to DIR atomically. Verify commands use it with --trusted-root-cache DIR; without that they use the
  root shipped with vouch and never connect.
  --mirror, --root   another TUF repository and its initial root.json (default: Sigstore public-good)`,
  async run(argv, io) {
    const args = parseCommandArgs(
      argv,
      {
        'cache-dir': { type: 'string' },
        mirror: { type: 'string' },
        root: { type: 'string' },
        'force-cache': { type: 'boolean', default: false },
      },
      ['refresh'],
    );
    if (args.help) return help(io, this.usage);
    if (args.positionals[0] !== 'refresh') {
      throw new UsageError(
        'ERR_USAGE',
        `unknown subcommand ${JSON.stringify(args.positionals[0])}: expected refresh`,
      );
    }
    const out = createRenderer(io, args.format);
    const cacheDir = required(stringFlag(args, 'cache-dir'), '--cache-dir');
    const mirrorUrl = stringFlag(args, 'mirror');
    const rootPath = stringFlag(args, 'root');
    out.info(`Refreshing the trusted root from ${mirrorUrl ?? 'Sigstore public-good TUF'} (network)`);
    const root = await refreshTrustedRoot({
      cacheDir,
      ...(mirrorUrl === undefined ? {} : { mirrorUrl }),
      ...(rootPath === undefined ? {} : { rootPath }),
      ...(booleanFlag(args, 'force-cache') ? { forceCache: true } : {}),
    });
    const counts = summary(root);
    out.result({ ok: true, command: 'trusted-root refresh', cacheDir, ...counts }, [
      `Trusted root refreshed into ${cacheDir}: ${Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}`,
    ]);
    return EXIT_OK;
  },
};
