// The registry flags shared by sign, verify, attach and tree: TLS trust, plain HTTP, credentials, the signatures repository.
import { parseImageReference, type RegistryOptions, UsageError } from 'vouch';
import { type ParsedArgs, stringFlag, stringFlags } from '../args.js';
import type { CliIo } from '../io.js';
import type { Renderer } from '../render.js';

export const REGISTRY_OPTIONS = {
  'insecure-registry': { type: 'string', multiple: true },
  'registry-cacert': { type: 'string' },
  'registry-username': { type: 'string' },
  'signatures-repository': { type: 'string' },
} as const;

export const REGISTRY_USAGE = `Registry:
  --insecure-registry HOST     reach HOST over plain HTTP (repeatable; loopback registries always may be)
  --registry-cacert FILE       PEM CA certificate(s) that signed the registry's TLS certificate
  --registry-username U        basic/token auth user; the password comes from VOUCH_REGISTRY_PASSWORD (never a flag)
                               (else Docker's config.json and credential helpers)
  --signatures-repository R    store and look for signatures in registry/repository R (env COSIGN_REPOSITORY)`;

/**
 * Registry options from the flags and environment. The password is read from `VOUCH_REGISTRY_PASSWORD` only, so it
 * never appears in a process listing; it is used for the image's registry (and the signatures repository's).
 */
export function registryOptionsFromArgs(
  args: ParsedArgs,
  io: CliIo,
  image: string,
  out: Renderer,
): RegistryOptions {
  const username = stringFlag(args, 'registry-username');
  const password = io.env.VOUCH_REGISTRY_PASSWORD;
  const caFile = stringFlag(args, 'registry-cacert');
  const signaturesRepository =
    stringFlag(args, 'signatures-repository') ?? nonEmpty(io.env.COSIGN_REPOSITORY);
  const credentials: Record<string, { username: string; password: string }> = {};
  if (username !== undefined) {
    if (password === undefined || password === '')
      throw new UsageError('ERR_USAGE', '--registry-username needs the password in VOUCH_REGISTRY_PASSWORD');
    credentials[parseImageReference(image).registry] = { username, password };
    if (signaturesRepository !== undefined)
      credentials[parseImageReference(signaturesRepository, 'signaturesRepository').registry] = {
        username,
        password,
      };
  }
  const homeDir = nonEmpty(io.env.HOME);
  return {
    env: io.env,
    ...(homeDir === undefined ? {} : { homeDir }),
    insecureRegistries: stringFlags(args, 'insecure-registry'),
    ...(caFile === undefined ? {} : { caFile }),
    ...(username === undefined ? {} : { credentials }),
    ...(signaturesRepository === undefined ? {} : { signaturesRepository }),
    onResolved: (resolved) => {
      out.info(`${image}: resolved to ${resolved.digest.value}`);
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
