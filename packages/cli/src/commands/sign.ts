// vouch sign / attest / sign-blob / attest-blob: sign an image digest or a file (or attest it), with a key or keyless, into a Sigstore bundle v0.3.
import {
  attestBlob,
  type BundleJson,
  type KeylessBundleJson,
  type KeylessOptions,
  type KeylessSignImageResult,
  keylessOptionsFromSigningConfig,
  loadSigningConfig,
  type PrivateKey,
  PUBLIC_GOOD_KEYLESS,
  parseJson,
  readDocument,
  resolvePredicateType,
  type SignImageResult,
  serializeBundle,
  serializeKeylessBundle,
  signBlob,
  signImage,
  UsageError,
} from 'vouch';
import {
  annotations,
  booleanFlag,
  type ParsedArgs,
  parseCommandArgs,
  required,
  stringFlag,
  stringFlags,
} from '../args.js';
import { EXIT_OK } from '../exit.js';
import type { CliIo } from '../io.js';
import { createRenderer, type Renderer } from '../render.js';
import { help } from './keygen.js';
import { privateKeyFromFile } from './keys.js';
import { REGISTRY_OPTIONS, REGISTRY_USAGE, registryOptionsFromArgs } from './registry-flags.js';
import type { Command } from './types.js';

export const KEYLESS_OPTIONS = {
  keyless: { type: 'boolean', default: false },
  'identity-token': { type: 'string' },
  'fulcio-url': { type: 'string' },
  'rekor-url': { type: 'string', multiple: true },
  'rekor-v2': { type: 'boolean', default: false },
  'timestamp-server-url': { type: 'string', multiple: true },
  'signing-config': { type: 'string' },
} as const;

const SIGN_OPTIONS = {
  key: { type: 'string' },
  bundle: { type: 'string' },
  annotation: { type: 'string', short: 'a', multiple: true },
  'no-upload': { type: 'boolean', default: false },
  recursive: { type: 'boolean', default: false },
  ...REGISTRY_OPTIONS,
  ...KEYLESS_OPTIONS,
} as const;

const KEYLESS_USAGE = `  --keyless               sign with a short-lived Fulcio certificate for an OIDC identity (not with --key)
  --identity-token T      the OIDC token; else SIGSTORE_ID_TOKEN, else GitHub Actions' OIDC request variables
  --fulcio-url U          Fulcio; with --rekor-url and/or --timestamp-server-url (repeatable)
  --rekor-v2              write Rekor v2 entries
  --signing-config FILE   take the services from a Sigstore signing_config.json (flags override it)
  Without a signing config or URLs, Sigstore public-good's Fulcio and Rekor are used (over the network).`;

function isKeyBundle(bundle: BundleJson | KeylessBundleJson): bundle is BundleJson {
  return 'publicKey' in bundle.verificationMaterial;
}

function bundleLines(
  bundle: BundleJson | KeylessBundleJson,
  bundlePath: string | undefined,
  what: string,
  attached?: { readonly digest: { readonly value: string }; readonly via: string },
): string[] {
  if (attached !== undefined) {
    return [
      `Signed ${what}`,
      `Attached as ${attached.digest.value} (${attached.via === 'referrers-api' ? 'referrers API' : 'fallback tag'})`,
      ...(bundlePath === undefined ? [] : [`Bundle written to ${bundlePath}`]),
    ];
  }
  // Without --bundle the bundle itself is the result, on stdout.
  if (bundlePath !== undefined) return [`Signed ${what}`, `Bundle written to ${bundlePath}`];
  return [isKeyBundle(bundle) ? serializeBundle(bundle) : serializeKeylessBundle(bundle)];
}

/** The keyless flags given without --keyless, or --key with it, are usage errors. */
function checkSignerFlags(args: ParsedArgs): boolean {
  const keyless = booleanFlag(args, 'keyless');
  if (keyless && stringFlag(args, 'key') !== undefined) {
    throw new UsageError('ERR_USAGE', '--key and --keyless are mutually exclusive');
  }
  if (!keyless) {
    for (const flag of Object.keys(KEYLESS_OPTIONS)) {
      const v = args.values[flag];
      if (flag !== 'keyless' && v !== undefined && v !== false) {
        throw new UsageError('ERR_USAGE', `--${flag} needs --keyless`);
      }
    }
  }
  return keyless;
}

/** Keyless options from a signing config and/or flags; public-good only when nothing names a service. */
export async function keylessFromArgs(args: ParsedArgs, io: CliIo, out: Renderer): Promise<KeylessOptions> {
  const configPath = stringFlag(args, 'signing-config');
  const fulcioUrl = stringFlag(args, 'fulcio-url');
  const rekorUrls = stringFlags(args, 'rekor-url');
  const tsaUrls = stringFlags(args, 'timestamp-server-url');
  const token = stringFlag(args, 'identity-token');
  const common = {
    env: io.env,
    ...(token === undefined ? {} : { identityToken: token }),
  };
  let base: KeylessOptions | undefined;
  if (configPath !== undefined) {
    base = keylessOptionsFromSigningConfig({ config: await loadSigningConfig(configPath), now: new Date() });
  } else if (fulcioUrl === undefined && rekorUrls.length === 0 && tsaUrls.length === 0) {
    out.info(
      `Keyless signing uses the network: Sigstore public-good Fulcio (${PUBLIC_GOOD_KEYLESS.fulcioUrl}) and Rekor (${PUBLIC_GOOD_KEYLESS.rekorUrls.join(', ')}); the signing identity is recorded in a public log.`,
    );
    return { ...common, fulcioUrl: PUBLIC_GOOD_KEYLESS.fulcioUrl, rekorUrls: PUBLIC_GOOD_KEYLESS.rekorUrls };
  }
  const rekorV2 = booleanFlag(args, 'rekor-v2') || base?.rekorV2 === true;
  const options: KeylessOptions = {
    ...common,
    fulcioUrl: required(fulcioUrl ?? base?.fulcioUrl, '--fulcio-url (or --signing-config)'),
    rekorUrls: rekorUrls.length > 0 ? rekorUrls : (base?.rekorUrls ?? []),
    tsaUrls: tsaUrls.length > 0 ? tsaUrls : (base?.tsaUrls ?? []),
    ...(rekorV2 ? { rekorV2 } : {}),
  };
  const services = [
    `Fulcio ${options.fulcioUrl}`,
    ...(options.rekorUrls ?? []).map((u) => `Rekor${rekorV2 ? ' v2' : ''} ${u}`),
    ...(options.tsaUrls ?? []).map((u) => `TSA ${u}`),
  ];
  out.info(`Keyless signing uses the network: ${services.join(', ')}`);
  return options;
}

export const sign: Command = {
  usage: `vouch sign IMAGE (--key KEY | --keyless [keyless flags]) [--annotation k=v]... [--bundle OUT] [--no-upload] [--recursive] [registry flags] [--output text|json]

  IMAGE is registry/repository:tag or @sha256:…; a tag is resolved once to the digest of the manifest served.
  The bundle is attached to the image in its registry as cosign v3 does (referrers API, else the fallback tag).
  --key                   private key file (cosign's encrypted format, PKCS#8, SEC1, PKCS#1 or JWK)
  --annotation            recorded in the signed statement's subject (repeatable)
  --bundle                also write the Sigstore bundle here (atomically)
  --no-upload             touch no registry: IMAGE must be IMAGE@DIGEST; the bundle goes to --bundle, else stdout
  --recursive             IMAGE is an index (multi-arch): also sign every platform manifest it lists (the index
                          itself is always signed; --bundle gets the index's bundle)
${REGISTRY_USAGE}
${KEYLESS_USAGE}`,
  run(argv, io) {
    return signOrAttest(argv, io, this.usage, false);
  },
};

export const attest: Command = {
  usage: `vouch attest IMAGE --predicate FILE [--type TYPE] (--key KEY | --keyless [keyless flags]) [--bundle OUT] [--no-upload] [--recursive] [registry flags] [--output text|json]

  Attests IMAGE as cosign attest does (cosign v3's layout): an in-toto statement about the image's digest with the
  predicate read from FILE (a JSON object), signed into a Sigstore bundle and attached to the image.
  --predicate             the predicate (JSON object), e.g. SLSA provenance, an SPDX or CycloneDX document
  --type                  its predicate type: a URI, or slsaprovenance (v0.2), slsaprovenance02, slsaprovenance1,
                          vsa, link, spdx, spdxjson, cyclonedx, vuln, openvex, custom (the default, as cosign)
  --key, --bundle, --no-upload, --recursive, --annotation as for vouch sign.
${REGISTRY_USAGE}
${KEYLESS_USAGE}`,
  run(argv, io) {
    return signOrAttest(argv, io, this.usage, true);
  },
};

const PREDICATE_OPTIONS = { predicate: { type: 'string' }, type: { type: 'string' } } as const;

/** --predicate FILE and --type TYPE (default cosign's `custom`), as attest and attest-blob take them. */
async function predicateFromArgs(
  args: ParsedArgs,
): Promise<{ readonly type: string; readonly value: object }> {
  return {
    type: resolvePredicateType(stringFlag(args, 'type') ?? 'custom'),
    value: await readPredicate(required(stringFlag(args, 'predicate'), '--predicate')),
  };
}

/** vouch sign and vouch attest: the same resolution, signing and attaching; attest signs the given predicate. */
async function signOrAttest(argv: readonly string[], io: CliIo, usage: string, attesting: boolean) {
  const args = parseCommandArgs(argv, attesting ? { ...SIGN_OPTIONS, ...PREDICATE_OPTIONS } : SIGN_OPTIONS, [
    'IMAGE',
  ]);
  if (args.help) return help(io, usage);
  const predicate = attesting ? { predicate: await predicateFromArgs(args) } : {};
  const out = createRenderer(io, args.format);
  const [image = ''] = args.positionals;
  const keyless = checkSignerFlags(args);
  const bundlePath = stringFlag(args, 'bundle');
  const notes = annotations(stringFlags(args, 'annotation'));
  const upload = !booleanFlag(args, 'no-upload');
  const recursive = booleanFlag(args, 'recursive');
  if (recursive && !upload)
    throw new UsageError('ERR_USAGE', '--recursive reads the index from the registry: not with --no-upload');
  if (!upload) {
    for (const flag of Object.keys(REGISTRY_OPTIONS)) {
      if (args.values[flag] !== undefined)
        throw new UsageError('ERR_USAGE', `--${flag} cannot be used with --no-upload`);
    }
  }
  const common = {
    image,
    ...predicate,
    ...(notes ? { annotations: notes } : {}),
    ...(bundlePath === undefined ? {} : { bundlePath }),
    ...(upload ? { registry: registryOptionsFromArgs(args, io, image, out) } : {}),
    ...(recursive ? { recursive } : {}),
  };
  // Keyless or with a key, the result is told the same way; only who signed differs.
  let result: SignImageResult | KeylessSignImageResult;
  let signer: Record<string, string>;
  let who: string;
  if (keyless) {
    const signed = await signImage({ ...common, keyless: await keylessFromArgs(args, io, out) });
    result = signed;
    signer = { certificate: signed.certificate };
    who = 'keyless (Fulcio certificate)';
  } else {
    const key = await privateKeyFromFile(required(stringFlag(args, 'key'), '--key (or --keyless)'), io);
    const signed = await signImage({ ...common, key });
    result = signed;
    signer = { keyId: signed.keyId };
    who = `with key ${signed.keyId}`;
  }
  out.result(
    {
      ok: true,
      command: attesting ? 'attest' : 'sign',
      image: result.reference.canonical,
      digest: result.digest.value,
      ...signer,
      ...(result.attached === undefined ? {} : { attached: attachedJson(result.attached) }),
      ...childrenJson(result.children),
      ...(bundlePath === undefined ? { bundle: result.bundle } : { bundlePath }),
    },
    [
      ...bundleLines(result.bundle, bundlePath, `${result.reference.canonical} ${who}`, result.attached),
      ...childLines(result.children),
    ],
  );
  return EXIT_OK;
}

type Children = SignImageResult['children'];

function childrenJson(children: Children) {
  if (children === undefined) return {};
  return {
    children: children.map((c) => ({
      digest: c.digest.value,
      ...(c.platform === undefined ? {} : { platform: c.platform }),
      attached: attachedJson(c.attached),
    })),
  };
}

function childLines(children: Children): string[] {
  if (children === undefined) return [];
  if (children.length === 0) return ['Not an index: no platform manifests to sign (--recursive)'];
  return children.map(
    (c) => `Signed platform manifest ${c.digest.value}${c.platform === undefined ? '' : ` (${c.platform})`}`,
  );
}

function attachedJson(attached: { readonly digest: { readonly value: string }; readonly via: string }) {
  return { digest: attached.digest.value, via: attached.via };
}

export const signBlobCommand: Command = {
  usage: `vouch sign-blob FILE (--key KEY | --keyless [keyless flags]) [--bundle OUT] [--output text|json]

  The statement's subject is the file's SHA-256, hashed as a stream.
${KEYLESS_USAGE}`,
  run(argv, io) {
    return signOrAttestBlob(argv, io, this.usage, false);
  },
};

export const attestBlobCommand: Command = {
  usage: `vouch attest-blob FILE --predicate FILE [--type TYPE] (--key KEY | --keyless [keyless flags]) [--bundle OUT] [--output text|json]

  Attests FILE as cosign attest-blob does: an in-toto statement whose subject is the file (its base name and
  SHA-256, hashed as a stream) with the predicate read from --predicate (a JSON object), in a Sigstore bundle v0.3.
  --predicate             the predicate (JSON object), e.g. SLSA provenance, an SPDX or CycloneDX document
  --type                  its predicate type: a URI, or slsaprovenance (v0.2), slsaprovenance02, slsaprovenance1,
                          vsa, link, spdx, spdxjson, cyclonedx, vuln, openvex, custom (the default, as cosign)
  --bundle                write the bundle here (atomically); else it is printed on stdout
${KEYLESS_USAGE}`,
  run(argv, io) {
    return signOrAttestBlob(argv, io, this.usage, true);
  },
};

/** vouch sign-blob and vouch attest-blob: the same signing and output; attest-blob signs the given predicate. */
async function signOrAttestBlob(argv: readonly string[], io: CliIo, usage: string, attesting: boolean) {
  const options = { key: SIGN_OPTIONS.key, bundle: SIGN_OPTIONS.bundle, ...KEYLESS_OPTIONS };
  const args = parseCommandArgs(argv, attesting ? { ...options, ...PREDICATE_OPTIONS } : options, ['FILE']);
  if (args.help) return help(io, usage);
  const command = attesting ? 'attest-blob' : 'sign-blob';
  const predicate = attesting ? await predicateFromArgs(args) : undefined;
  const out = createRenderer(io, args.format);
  const [file = ''] = args.positionals;
  const keyless = checkSignerFlags(args);
  const bundlePath = stringFlag(args, 'bundle');
  const common = { file, ...(bundlePath === undefined ? {} : { bundlePath }) };
  const sign = async (signer: { key: PrivateKey } | { keyless: KeylessOptions }) =>
    predicate === undefined
      ? signBlob({ ...common, ...signer })
      : attestBlob({ ...common, ...signer, predicate });
  const result = keyless
    ? await sign({ keyless: await keylessFromArgs(args, io, out) })
    : await sign({
        key: await privateKeyFromFile(required(stringFlag(args, 'key'), '--key (or --keyless)'), io),
      });
  const signer = 'certificate' in result ? { certificate: result.certificate } : { keyId: result.keyId };
  const who = 'certificate' in result ? 'keyless (Fulcio certificate)' : `with key ${result.keyId}`;
  out.result(
    {
      ok: true,
      command,
      file,
      digest: result.digest.value,
      ...(predicate === undefined ? {} : { predicateType: predicate.type }),
      ...signer,
      ...(bundlePath === undefined ? { bundle: result.bundle } : { bundlePath }),
    },
    bundleLines(result.bundle, bundlePath, `${file} (${result.digest.value}) ${who}`),
  );
  return EXIT_OK;
}

/** A predicate file: one JSON object (the statement's `predicate`). */
async function readPredicate(path: string): Promise<object> {
  const value = parseJson(await readDocument(path), path, 'ERR_MALFORMED_PREDICATE');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('ERR_USAGE', `--predicate ${path}: expected a JSON object`);
  }
  return value;
}
