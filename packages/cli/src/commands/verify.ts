// vouch verify / vouch verify-blob: check a bundle against trusted keys and the digest, explaining every check.
import { verifyBlob, verifyImage } from 'vouch';
import { parseCommandArgs, required, stringFlag, stringFlags, threshold } from '../args.js';
import { EXIT_OK } from '../exit.js';
import { type CheckView, createRenderer } from '../render.js';
import { help } from './keygen.js';
import { publicKeysFromFiles } from './keys.js';
import type { Command } from './types.js';

const VERIFY_OPTIONS = {
  bundle: { type: 'string', multiple: true },
  key: { type: 'string', multiple: true },
  threshold: { type: 'string' },
} as const;

const EXIT_CODES =
  'Exit codes: 0 verified, 1 not trusted, 2 usage or configuration error, 3 could not decide.';

export const verify: Command = {
  name: 'verify',
  summary: 'verify an image digest against a bundle and trusted keys',
  usage: `vouch verify IMAGE@DIGEST --bundle BUNDLE [--bundle BUNDLE]... --key PUB [--key PUB]... [--threshold N] [--output text|json]

  --bundle     a Sigstore bundle (repeatable: one signature per bundle)
  --key        a trusted public key (PEM or JWK file; repeatable)
  --threshold  how many distinct trusted keys must have signed, across the bundles (default 1)
${EXIT_CODES}`,
  async run(argv, io) {
    const args = parseCommandArgs(argv, VERIFY_OPTIONS, ['IMAGE@DIGEST']);
    if (args.help) return help(io, this.usage);
    const out = createRenderer(io, args.format);
    const [image = ''] = args.positionals;
    const bundle = requiredList(stringFlags(args, 'bundle'), '--bundle');
    const keys = await publicKeysFromFiles(requiredList(stringFlags(args, 'key'), '--key'));
    const n = threshold(stringFlag(args, 'threshold'));
    const result = await verifyImage({ image, bundle, keys, ...(n === undefined ? {} : { threshold: n }) });
    const checks: readonly CheckView[] = result.checks;
    out.result(
      {
        ok: true,
        command: 'verify',
        image: result.reference.canonical,
        digest: result.digest.value,
        signerKeyIds: result.signerKeyIds,
        annotations: result.annotations ?? {},
        checks,
      },
      [
        ...out.checks(checks),
        `Verified OK: ${result.reference.canonical} signed by ${result.signerKeyIds.join(', ')}`,
      ],
    );
    return EXIT_OK;
  },
};

export const verifyBlobCommand: Command = {
  name: 'verify-blob',
  summary: 'verify a file against a bundle and trusted keys',
  usage: `vouch verify-blob FILE --bundle BUNDLE --key PUB [--key PUB]... [--output text|json]

  --bundle     the Sigstore bundle to check
  --key        a trusted public key (PEM or JWK file; repeatable)
${EXIT_CODES}`,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { bundle: { type: 'string' }, key: VERIFY_OPTIONS.key }, ['FILE']);
    if (args.help) return help(io, this.usage);
    const out = createRenderer(io, args.format);
    const [file = ''] = args.positionals;
    const bundle = required(stringFlag(args, 'bundle'), '--bundle');
    const keys = await publicKeysFromFiles(requiredList(stringFlags(args, 'key'), '--key'));
    const result = await verifyBlob({ file, bundle, keys });
    const checks: readonly CheckView[] = result.checks;
    out.result(
      {
        ok: true,
        command: 'verify-blob',
        file,
        digest: result.digest.value,
        signerKeyIds: result.signerKeyIds,
        checks,
      },
      [
        ...out.checks(checks),
        `Verified OK: ${file} (${result.digest.value}) signed by ${result.signerKeyIds.join(', ')}`,
      ],
    );
    return EXIT_OK;
  },
};

function requiredList(values: string[], flag: string): string[] {
  required(values[0], flag);
  return values;
}
