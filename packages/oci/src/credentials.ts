// Registry credentials from Docker's config.json: `auths`, and `credHelpers`/`credsStore` via docker-credential-<name>.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeBase64, decodeUtf8, isObject, ParseError, RegistryError } from '@vouch/core';

/** What a registry accepts: a user name and password, or an identity (refresh) token. */
export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token (`identitytoken` in config.json, or a helper's `<token>` user). */
  readonly identityToken?: string;
}

/** Where Docker's configuration is looked for; the API passes the process's, tests pass their own. */
export interface DockerConfigOptions {
  /** Environment: `DOCKER_CONFIG` picks the directory and `PATH` finds credential helpers. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Home directory: `~/.docker/config.json` when `DOCKER_CONFIG` is unset (neither: no Docker config is read). */
  readonly homeDir?: string;
  /** Time a credential helper may take, in ms (default 10 000). */
  readonly helperTimeoutMs?: number;
}

const DOCKER_HUB_KEYS = [
  'https://index.docker.io/v1/',
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
];
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** The config.json path: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
function configPath(options: DockerConfigOptions): string | undefined {
  const dir = options.env.DOCKER_CONFIG;
  if (dir !== undefined && dir !== '') return join(dir, 'config.json');
  return options.homeDir === undefined ? undefined : join(options.homeDir, '.docker', 'config.json');
}

/** `https://host/v1/` and `host` name the same registry in `auths`. */
function normalizeKey(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

function isDockerHub(registry: string): boolean {
  return ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(registry.toLowerCase());
}

/** JSON.parse's messages quote the text near the error, and config.json holds secrets: report without them. */
function parseSecretJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decodeUtf8(bytes, what)) as unknown;
  } catch {
    throw new ParseError('ERR_MALFORMED_JSON', [{ path: what, message: 'is not valid UTF-8 JSON' }]);
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fromAuthEntry(entry: unknown, path: string): RegistryCredentials | undefined {
  if (!isObject(entry)) return undefined;
  const identityToken = optionalString(entry.identitytoken);
  let username = optionalString(entry.username);
  let password = optionalString(entry.password);
  const auth = optionalString(entry.auth);
  if (auth !== undefined) {
    let decoded: string;
    try {
      decoded = decodeUtf8(decodeBase64(auth, `${path}.auth`), `${path}.auth`);
    } catch {
      throw new ParseError('ERR_MALFORMED_BASE64', [
        { path: `${path}.auth`, message: 'must be base64 of "user:password"' },
      ]);
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new ParseError('ERR_MALFORMED_JSON', [
        { path: `${path}.auth`, message: 'must be base64 of "user:password", found no ":"' },
      ]);
    }
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (identityToken !== undefined)
    return Object.freeze({ ...(username === undefined ? {} : { username }), identityToken });
  if (username === undefined && password === undefined) return undefined;
  return Object.freeze({
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  });
}

/**
 * Runs `docker-credential-<helper> get` with the server on stdin, as the docker-credential-helpers protocol says, and reads
 * `{ ServerURL, Username, Secret }` from stdout. "credentials not found" means anonymous (`undefined`).
 *
 * @throws RegistryError `ERR_REGISTRY_AUTH` when the helper is missing, fails, times out or prints something else; the
 * message never includes the helper's output.
 * @example
 * ```ts
 * const creds = await runCredentialHelper({ helper: 'desktop', server: 'ghcr.io', env: process.env });
 * ```
 */
export function runCredentialHelper(options: {
  readonly helper: string;
  readonly server: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
}): Promise<RegistryCredentials | undefined> {
  const { helper, server } = options;
  if (!HELPER_NAME.test(helper)) {
    return Promise.reject(
      new RegistryError(
        'ERR_REGISTRY_AUTH',
        `credential helper name must be letters, digits, "_", "." or "-", found ${JSON.stringify(helper.slice(0, 64))}`,
      ),
    );
  }
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      program,
      ['get'],
      {
        env: { ...options.env },
        timeout: options.timeoutMs ?? 10_000,
        maxBuffer: 1024 * 1024,
        windowsHide: true,
        encoding: 'buffer',
      },
      (error, stdout) => {
        const out = new Uint8Array(stdout);
        if (error) {
          if (/credentials not found/i.test(Buffer.from(out).toString('utf8'))) return resolve(undefined);
          const why =
            (error as NodeJS.ErrnoException).code === 'ENOENT'
              ? 'was not found on PATH'
              : error.killed
                ? 'timed out'
                : 'failed';
          return reject(
            new RegistryError('ERR_REGISTRY_AUTH', `credential helper ${program} ${why} for ${server}`),
          );
        }
        let parsed: unknown;
        try {
          parsed = parseSecretJson(out, `${program} output`);
        } catch {
          return reject(
            new RegistryError(
              'ERR_REGISTRY_AUTH',
              `credential helper ${program} must print JSON for ${server}`,
            ),
          );
        }
        const user = isObject(parsed) ? parsed.Username : undefined;
        const secret = isObject(parsed) ? parsed.Secret : undefined;
        if (typeof user !== 'string' || typeof secret !== 'string' || secret === '') {
          return reject(
            new RegistryError(
              'ERR_REGISTRY_AUTH',
              `credential helper ${program} must print string Username and Secret for ${server}`,
            ),
          );
        }
        resolve(
          Object.freeze(
            user === '<token>' ? { identityToken: secret } : { username: user, password: secret },
          ),
        );
      },
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(server);
  });
}

/**
 * Looks up credentials for a registry (`host[:port]` as in the reference) the way docker does: `credHelpers[host]`,
 * else `credsStore`, else `auths[host]` (`auth` = base64 `user:password`, `username`/`password`, or `identitytoken`).
 * Docker Hub is looked up under `https://index.docker.io/v1/`. A missing config file means anonymous.
 *
 * @throws ParseError when config.json is not JSON or an `auth` is not base64 `user:password` (no secret is quoted);
 * RegistryError `ERR_REGISTRY_AUTH` when a helper fails.
 * @example
 * ```ts
 * const creds = await dockerCredentials('ghcr.io', { env: process.env, homeDir: os.homedir() });
 * ```
 */
export async function dockerCredentials(
  registry: string,
  options: DockerConfigOptions,
): Promise<RegistryCredentials | undefined> {
  const path = configPath(options);
  if (path === undefined) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RegistryError('ERR_REGISTRY_AUTH', `could not read Docker config ${path}`);
  }
  if (bytes.byteLength > MAX_CONFIG_BYTES) {
    throw new ParseError('ERR_MALFORMED_JSON', [
      { path, message: `must be at most ${MAX_CONFIG_BYTES} bytes` },
    ]);
  }
  const config = parseSecretJson(bytes, path);
  if (!isObject(config))
    throw new ParseError('ERR_MALFORMED_JSON', [{ path, message: 'must be a JSON object' }]);
  const host = registry.toLowerCase();
  const keys = isDockerHub(host) ? DOCKER_HUB_KEYS : [host];
  const server = isDockerHub(host) ? 'https://index.docker.io/v1/' : host;
  const run = (helper: string) =>
    runCredentialHelper({
      helper,
      server,
      env: options.env,
      ...(options.helperTimeoutMs === undefined ? {} : { timeoutMs: options.helperTimeoutMs }),
    });

  if (isObject(config.credHelpers)) {
    for (const [key, helper] of Object.entries(config.credHelpers)) {
      if (typeof helper === 'string' && keys.includes(normalizeKey(key))) return run(helper);
    }
  }
  if (typeof config.credsStore === 'string' && config.credsStore !== '') return run(config.credsStore);
  if (isObject(config.auths)) {
    for (const [key, entry] of Object.entries(config.auths)) {
      if (keys.includes(normalizeKey(key)) || keys.includes(key.toLowerCase())) {
        const creds = fromAuthEntry(entry, `${path}: auths[${JSON.stringify(key)}]`);
        if (creds !== undefined) return creds;
      }
    }
  }
  return undefined;
}
