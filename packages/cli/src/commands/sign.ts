// vouch sign / vouch sign-blob: sign an image digest or a file with a key into a Sigstore bundle v0.3.
import { type BundleJson, serializeBundle, signBlob, signImage } from 'vouch';
import { annotations, parseCommandArgs, required, stringFlag, stringFlags } from '../args.js';
import { EXIT_OK } from '../exit.js';
import { createRenderer } from '../render.js';
import { help } from './keygen.js';
import { privateKeyFromFile } from './keys.js';
import type { Command } from './types.js';

const SIGN_OPTIONS = {
  key: { type: 'string' },
  bundle: { type: 'string' },
  annotation: { type: 'string', short: 'a', multiple: true },
} as const;

function bundleLines(bundle: BundleJson, bundlePath: string | undefined, what: string): string[] {
  // Without --bundle the bundle itself is the result, on stdout.
  return bundlePath === undefined
    ? [serializeBundle(bundle)]
    : [`Signed ${what}`, `Bundle written to ${bundlePath}`];
}

export const sign: Command = {
  name: 'sign',
  summary: 'sign an image digest with a key',
  usage: `vouch sign IMAGE@DIGEST --key KEY [--annotation k=v]... [--bundle OUT] [--output text|json]

  --key         private key file (cosign's encrypted format, PKCS#8, SEC1, PKCS#1 or JWK)
  --annotation  recorded in the signed statement's subject (repeatable)
  --bundle      write the Sigstore bundle here (atomically); without it the bundle goes to stdout`,
  async run(argv, io) {
    const args = parseCommandArgs(argv, SIGN_OPTIONS, ['IMAGE@DIGEST']);
    if (args.help) return help(io, this.usage);
    const out = createRenderer(io, args.format);
    const [image = ''] = args.positionals;
    const key = await privateKeyFromFile(required(stringFlag(args, 'key'), '--key'), io);
    const bundlePath = stringFlag(args, 'bundle');
    const notes = annotations(stringFlags(args, 'annotation'));
    const result = await signImage({
      image,
      key,
      ...(notes ? { annotations: notes } : {}),
      ...(bundlePath === undefined ? {} : { bundlePath }),
    });
    out.result(
      {
        ok: true,
        command: 'sign',
        image: result.reference.canonical,
        digest: result.digest.value,
        keyId: result.keyId,
        ...(bundlePath === undefined ? { bundle: result.bundle } : { bundlePath }),
      },
      bundleLines(result.bundle, bundlePath, `${result.reference.canonical} with key ${result.keyId}`),
    );
    return EXIT_OK;
  },
};

export const signBlobCommand: Command = {
  name: 'sign-blob',
  summary: 'sign a file with a key',
  usage: `vouch sign-blob FILE --key KEY [--bundle OUT] [--output text|json]

  The statement's subject is the file's SHA-256, hashed as a stream.`,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { key: SIGN_OPTIONS.key, bundle: SIGN_OPTIONS.bundle }, ['FILE']);
    if (args.help) return help(io, this.usage);
    const out = createRenderer(io, args.format);
    const [file = ''] = args.positionals;
    const key = await privateKeyFromFile(required(stringFlag(args, 'key'), '--key'), io);
    const bundlePath = stringFlag(args, 'bundle');
    const result = await signBlob({ file, key, ...(bundlePath === undefined ? {} : { bundlePath }) });
    out.result(
      {
        ok: true,
        command: 'sign-blob',
        file,
        digest: result.digest.value,
        keyId: result.keyId,
        ...(bundlePath === undefined ? { bundle: result.bundle } : { bundlePath }),
      },
      bundleLines(result.bundle, bundlePath, `${file} (${result.digest.value}) with key ${result.keyId}`),
    );
    return EXIT_OK;
  },
};
