// Registry authentication: answers a 401 challenge with Basic or a bearer token, and reuses tokens per (registry, scope).
import { encodeBase64, isObject, RegistryError, utf8 } from '@vouch/core';
import { type DockerConfigOptions, dockerCredentials, type RegistryCredentials } from './credentials.js';
import { type HttpOptions, httpRequest, safeUrl } from './http.js';
import { allowsPlainHttp, type RegistryUrlOptions } from './registry-url.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

/** Where credentials come from: given per registry (flags, API), else Docker's config.json when its location is given. */
export interface CredentialOptions {
  /** Credentials by registry (`host[:port]` as in references); these win over config.json. */
  readonly credentials?: Readonly<Record<string, RegistryCredentials>>;
  /** Read Docker's config.json (and its credential helpers) for registries not in `credentials`. */
  readonly dockerConfig?: DockerConfigOptions;
}

export interface RegistryAuthOptions extends CredentialOptions {
  readonly http?: HttpOptions;
  readonly urls?: RegistryUrlOptions;
  /** Clock for token expiry (default `Date.now`). */
  readonly now?: () => number;
}

interface CachedToken {
  readonly header: string;
  readonly expiresAt: number;
}

const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
const DEFAULT_TOKEN_LIFETIME_S = 60;

/**
 * The token scope for repository access, as the distribution token spec writes it.
 *
 * @example
 * ```ts
 * repositoryScope('team/app', 'push'); // 'repository:team/app:pull,push'
 * ```
 */
export function repositoryScope(repository: string, access: 'pull' | 'push'): string {
  return `repository:${repository}:${access === 'push' ? 'pull,push' : 'pull'}`;
}

/**
 * Prepared authentication state for one client: resolved credentials per registry, and bearer tokens cached per
 * (registry, scope) until shortly before they expire. Secrets stay in here: no message it throws contains one.
 *
 * @example
 * ```ts
 * const auth = new RegistryAuth({ credentials: { 'localhost:5000': { username: 'u', password: 'p' } } });
 * const header = await auth.authenticate({ registry: 'localhost:5000', scope: 'repository:a:pull', challenge });
 * ```
 */
export class RegistryAuth {
  readonly #options: RegistryAuthOptions;
  readonly #now: () => number;
  readonly #tokens = new Map<string, CachedToken>();
  readonly #pending = new Map<string, Promise<string>>();
  readonly #basic = new Map<string, string>();
  readonly #credentials = new Map<string, Promise<RegistryCredentials | undefined>>();

  constructor(options: RegistryAuthOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The Authorization header already known for this registry and scope (a live token, or Basic), if any. */
  cachedHeader(registry: string, scope: string): string | undefined {
    const basic = this.#basic.get(registry);
    if (basic !== undefined) return basic;
    const token = this.#tokens.get(`${registry}\n${scope}`);
    if (token === undefined) return undefined;
    if (token.expiresAt > this.#now()) return token.header;
    this.#tokens.delete(`${registry}\n${scope}`);
    return undefined;
  }

  /** Forgets what is cached for a registry and scope (after the registry refused it). */
  forget(registry: string, scope: string): void {
    this.#basic.delete(registry);
    this.#tokens.delete(`${registry}\n${scope}`);
  }

  /**
   * Answers a `WWW-Authenticate` challenge with an Authorization header value: Basic from the credentials, or a bearer
   * token from the challenge's realm (fetched once per scope, shared by concurrent callers).
   *
   * @throws RegistryError `ERR_REGISTRY_AUTH` when no credentials fit, the challenge is unusable, or the token server
   * refuses; `ERR_REGISTRY` when the token server fails otherwise.
   */
  async authenticate(options: {
    readonly registry: string;
    readonly scope: string;
    readonly challenge: string | null;
  }) {
    const { registry, scope, challenge } = options;
    if (challenge === null) {
      throw new RegistryError(
        'ERR_REGISTRY_AUTH',
        `${registry} answered 401 without a WWW-Authenticate challenge`,
      );
    }
    let challenges: ReturnType<typeof parseWwwAuthenticate>;
    try {
      challenges = parseWwwAuthenticate(challenge);
    } catch (cause) {
      throw new RegistryError(
        'ERR_REGISTRY_AUTH',
        `${registry} sent a malformed WWW-Authenticate challenge`,
        { cause },
      );
    }
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer !== undefined) {
      const key = `${registry}\n${scope}`;
      const inFlight = this.#pending.get(key);
      if (inFlight !== undefined) return inFlight;
      const promise = this.#fetchToken(registry, scope, bearer.params).finally(() =>
        this.#pending.delete(key),
      );
      this.#pending.set(key, promise);
      return promise;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const creds = await this.credentialsFor(registry);
      if (creds?.username === undefined || creds.password === undefined) {
        throw new RegistryError(
          'ERR_REGISTRY_AUTH',
          `${registry} requires basic authentication and no user name and password are known for it`,
        );
      }
      const header = `Basic ${encodeBase64(utf8(`${creds.username}:${creds.password}`))}`;
      this.#basic.set(registry, header);
      return header;
    }
    const schemes = challenges.map((c) => c.scheme).join(', ') || 'none';
    throw new RegistryError(
      'ERR_REGISTRY_AUTH',
      `${registry} challenge must offer Bearer or Basic, found ${schemes}`,
    );
  }

  /** Credentials for a registry: from the options, else Docker's config.json (looked up once). */
  credentialsFor(registry: string): Promise<RegistryCredentials | undefined> {
    let found = this.#credentials.get(registry);
    if (found === undefined) {
      const given = this.#options.credentials?.[registry];
      const config = this.#options.dockerConfig;
      found =
        given !== undefined
          ? Promise.resolve(given)
          : config === undefined
            ? Promise.resolve(undefined)
            : dockerCredentials(registry, config);
      this.#credentials.set(registry, found);
    }
    return found;
  }

  async #fetchToken(
    registry: string,
    scope: string,
    params: Readonly<Record<string, string>>,
  ): Promise<string> {
    const realm = params.realm;
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new RegistryError(
        'ERR_REGISTRY_AUTH',
        `${registry} Bearer challenge must have an absolute realm URL`,
      );
    }
    if (url.username !== '' || url.password !== '') {
      throw new RegistryError('ERR_REGISTRY_AUTH', `${registry} Bearer realm must not carry userinfo`);
    }
    const plainOk = allowsPlainHttp(url.host, this.#options.urls);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainOk)) {
      throw new RegistryError(
        'ERR_REGISTRY_AUTH',
        `${registry} Bearer realm must be https (plain http only for loopback or insecure registries), found ${safeUrl(url.href)}`,
      );
    }
    const creds = await this.credentialsFor(registry);
    if (params.service !== undefined) url.searchParams.set('service', params.service);
    const scopes = (params.scope ?? scope).split(' ').filter((s) => s !== '');
    if (!scopes.includes(scope) && scope !== '') scopes.push(scope);
    const headers: Record<string, string> = { accept: 'application/json' };
    let method: 'GET' | 'POST' = 'GET';
    let body: Uint8Array | undefined;
    if (creds?.identityToken !== undefined) {
      // OAuth2 refresh-token grant, as docker does with an identity token.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: 'vouch',
      });
      if (params.service !== undefined) form.set('service', params.service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      method = 'POST';
      body = utf8(form.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds?.username !== undefined && creds.password !== undefined) {
        url.searchParams.set('account', creds.username);
        headers.authorization = `Basic ${encodeBase64(utf8(`${creds.username}:${creds.password}`))}`;
      }
    }
    const response = await httpRequest(
      {
        method,
        url: url.href,
        headers,
        maxBytes: MAX_TOKEN_RESPONSE_BYTES,
        ...(body === undefined ? {} : { body }),
      },
      this.#options.http,
    );
    const where = `token server ${safeUrl(url.href)} for ${registry}`;
    if (response.status === 401 || response.status === 403) {
      throw new RegistryError(
        'ERR_REGISTRY_AUTH',
        creds === undefined
          ? `${where} refused anonymous access (HTTP ${response.status}): no credentials are known for ${registry}`
          : `${where} refused the credentials (HTTP ${response.status})`,
      );
    }
    if (response.status !== 200)
      throw new RegistryError('ERR_REGISTRY', `${where} answered HTTP ${response.status}`);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(response.body)) as unknown;
    } catch {
      // The body is not echoed: it may hold a token.
      throw new RegistryError('ERR_REGISTRY', `${where} must answer JSON`);
    }
    const token = isObject(json) ? (json.token ?? json.access_token) : undefined;
    if (typeof token !== 'string' || token === '' || !/^[\x21-\x7e]+$/.test(token)) {
      throw new RegistryError(
        'ERR_REGISTRY',
        `${where} must answer a "token" or "access_token" string of printable characters`,
      );
    }
    const expires = isObject(json) ? json.expires_in : undefined;
    const lifetime =
      typeof expires === 'number' && Number.isFinite(expires) && expires > 0
        ? expires
        : DEFAULT_TOKEN_LIFETIME_S;
    // Renew a little early, so a token does not expire between the cache check and the registry's.
    const margin = Math.min(30, lifetime / 2);
    const header = `Bearer ${token}`;
    this.#tokens.set(`${registry}\n${scope}`, {
      header,
      expiresAt: this.#now() + (lifetime - margin) * 1000,
    });
    return header;
  }
}
