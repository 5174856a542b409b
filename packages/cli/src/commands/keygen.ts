// vouch keygen: a new key pair, the private half encrypted and written 0600.
import { generateKeyPair, UsageError, writeKeyPair } from 'vouch';
import { booleanFlag, parseCommandArgs, stringFlag } from '../args.js';
import { EXIT_OK } from '../exit.js';
import { obtainPassword } from '../password.js';
import { createRenderer } from '../render.js';
import type { Command } from './types.js';

const ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'ed25519'] as const;
type Algorithm = (typeof ALGORITHMS)[number];

function isAlgorithm(value: string): value is Algorithm {
  return (ALGORITHMS as readonly string[]).includes(value);
}

export const keygen: Command = {
  usage: `vouch keygen [--algorithm ecdsa-p256|ecdsa-p384|ed25519] [--output-key-prefix PREFIX] [--format cosign|pkcs8] [--force]

  --algorithm          key type (default ecdsa-p256, as cosign)
  --output-key-prefix  path prefix of the two files (default "vouch")
  --format             cosign (default; cosign reads it) or pkcs8 (PEM; encrypted unless the password is empty)
  --force              replace existing files
The password comes from VOUCH_PASSWORD (may be empty) or a prompt on a terminal; never from a flag.`,
  async run(argv, io) {
    const args = parseCommandArgs(
      argv,
      {
        algorithm: { type: 'string', default: 'ecdsa-p256' },
        'output-key-prefix': { type: 'string', default: 'vouch' },
        format: { type: 'string', default: 'cosign' },
        force: { type: 'boolean', default: false },
      },
      [],
    );
    const out = createRenderer(io, args.format);
    if (args.help) return help(io, this.usage);
    const algorithm = stringFlag(args, 'algorithm') ?? 'ecdsa-p256';
    if (!isAlgorithm(algorithm)) {
      throw new UsageError(
        'ERR_USAGE',
        `--algorithm must be one of ${ALGORITHMS.join(', ')}, found ${JSON.stringify(algorithm)}`,
      );
    }
    const format = stringFlag(args, 'format') ?? 'cosign';
    if (format !== 'cosign' && format !== 'pkcs8') {
      throw new UsageError('ERR_USAGE', `--format must be cosign or pkcs8, found ${JSON.stringify(format)}`);
    }
    const prefix = stringFlag(args, 'output-key-prefix') ?? 'vouch';
    const password = await obtainPassword(io, {
      cosign: false,
      confirm: true,
      purpose: 'encrypt the new private key',
    });
    const key = generateKeyPair({ algorithm });
    const written = await writeKeyPair(key, {
      prefix,
      format,
      password,
      overwrite: booleanFlag(args, 'force'),
    });
    out.result(
      {
        ok: true,
        command: 'keygen',
        algorithm,
        keyId: written.keyId,
        privateKey: written.privateKeyPath,
        publicKey: written.publicKeyPath,
      },
      [
        `Private key written to ${written.privateKeyPath} (mode 0600)`,
        `Public key written to ${written.publicKeyPath}`,
        `Key id: ${written.keyId}`,
      ],
    );
    return EXIT_OK;
  },
};

export function help(io: { stdout: (t: string) => void }, usage: string): typeof EXIT_OK {
  io.stdout(`usage: ${usage}\n`);
  return EXIT_OK;
}
