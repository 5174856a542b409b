// RegistryClient: the OCI distribution API (ping, manifests, blobs, tags), every byte checked against its digest.

import {
  type Digest,
  type DigestAlgorithm,
  digestBytes,
  digestsEqual,
  type ImageReference,
  isObject,
  parseDigest,
  RegistryError,
  UsageError,
  VerificationError,
} from '@vouch/core';
import { type CredentialOptions, RegistryAuth, repositoryScope } from './auth.js';
import { type HttpOptions, type HttpRequest, type HttpResponse, httpRequest, safeUrl } from './http.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { type RegistryUrlOptions, registryBaseUrl, repositoryUrl } from './registry-url.js';
import { caDispatcher } from './tls.js';

/** A repository in a registry; an {@link ImageReference} is one. */
export interface RepositoryTarget {
  /** `host[:port]` as in references (`docker.io` is reached at registry-1.docker.io). */
  readonly registry: string;
  readonly repository: string;
}

/** Options of a {@link RegistryClient}. */
export interface RegistryClientOptions extends CredentialOptions, RegistryUrlOptions {
  /** Timeouts, retries, dispatcher, abort signal. */
  readonly http?: HttpOptions;
  /** PEM certificates of the CA that signed the registry's TLS certificate (a private registry, a test CA). */
  readonly caCertificates?: string;
  /** Largest manifest read (default 4 MiB). */
  readonly maxManifestBytes?: number;
  /** Largest blob read unless a call says otherwise (default 16 MiB). */
  readonly maxBlobBytes?: number;
  /** Blobs larger than this are uploaded in PATCH chunks of this size (default 8 MiB). */
  readonly chunkSize?: number;
  /** Largest number of tag-list pages followed (default 100). */
  readonly maxTagPages?: number;
  /** Clock for token expiry (default `Date.now`). */
  readonly now?: () => number;
}

/** A manifest as received: its bytes, their digest, and the parsed JSON. */
export interface Manifest {
  readonly digest: Digest;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  readonly json: unknown;
}

export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_BLOB_BYTES = 16 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
const MAX_TAG_PAGE_BYTES = 4 * 1024 * 1024;

function deepFreezeJson(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreezeJson(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The `rel="next"` target of a Link header (tag lists, referrers), which must stay on the registry's origin: the
 * credentials go with each page.
 */
export function nextLink(
  header: string | null,
  current: string,
  base: string,
  what: string,
): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m === null || !/(?:^|;)\s*rel="?next"?\s*(?:;|$)/i.test(m[2] ?? '')) continue;
    let url: URL;
    try {
      url = new URL(m[1] ?? '', current);
    } catch {
      throw new RegistryError('ERR_REGISTRY', `${what} ${safeUrl(current)}: Link must hold a URL`);
    }
    if (url.origin !== new URL(base).origin) {
      throw new RegistryError(
        'ERR_REGISTRY',
        `${what} ${safeUrl(current)}: Link must stay on ${base}, found ${safeUrl(url.href)}`,
      );
    }
    return url.href;
  }
  return undefined;
}

/** The registry's error codes (`MANIFEST_UNKNOWN`, …) from an error body: short uppercase words only, never free text. */
export function registryErrorCodes(body: Uint8Array): string {
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(body));
    if (!isObject(json) || !Array.isArray(json.errors)) return '';
    const codes = json.errors
      .map((e: unknown) =>
        isObject(e) && typeof e.code === 'string' && /^[A-Z_]{1,40}$/.test(e.code) ? e.code : undefined,
      )
      .filter((c): c is string => c !== undefined)
      .slice(0, 5);
    return codes.length > 0 ? ` (${codes.join(', ')})` : '';
  } catch {
    return '';
  }
}

/** A manifest to upload: its bytes and media type, under a tag or its own digest. */
export interface ManifestUpload {
  readonly target: RepositoryTarget;
  readonly reference: string;
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}

/**
 * A client for OCI distribution registries, holding prepared state (credentials, cached tokens) across calls. Every
 * manifest and blob read is hashed and compared with the digest asked for; a tag resolves to the digest of the bytes
 * received, never to a header's claim. Sizes are bounded, and transient failures are retried with backoff.
 *
 * @example
 * ```ts
 * const client = new RegistryClient({ dockerConfig: { env: process.env, homeDir: os.homedir() } });
 * const ref = parseImageReference('localhost:5000/app:v1');
 * const digest = await client.resolveDigest(ref);
 * const manifest = await client.getManifest(withDigest(ref, digest));
 * ```
 */
export class RegistryClient {
  readonly #options: RegistryClientOptions;
  readonly #auth: RegistryAuth;

  constructor(options: RegistryClientOptions = {}) {
    // A custom CA becomes the dispatcher every request (registry and token realm alike) goes through.
    if (options.caCertificates !== undefined && options.http?.dispatcher === undefined) {
      options = { ...options, http: { ...options.http, dispatcher: caDispatcher(options.caCertificates) } };
    }
    this.#options = options;
    this.#auth = new RegistryAuth({
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.dockerConfig === undefined ? {} : { dockerConfig: options.dockerConfig }),
      ...(options.http === undefined ? {} : { http: options.http }),
      urls: options,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  /** `scheme://host[:port]` for a registry, by the plain-HTTP rules of {@link registryBaseUrl}. */
  baseUrl(registry: string): string {
    return registryBaseUrl(registry, this.#options);
  }

  /**
   * Checks that the registry speaks the v2 API and that the credentials (if it asks for any) are accepted.
   *
   * @throws RegistryError `ERR_REGISTRY_AUTH` when refused, `ERR_REGISTRY` when unreachable or not a v2 registry.
   */
  async ping(target: { readonly registry: string }): Promise<void> {
    const url = `${this.baseUrl(target.registry)}/v2/`;
    const res = await this.send(target.registry, '', { method: 'GET', url, maxBytes: 64 * 1024 });
    if (res.status !== 200) this.#fail(res, 'GET', url, 'the v2 API');
  }

  /**
   * Resolves a reference to the digest of its manifest: the manifest is fetched (GET, at most `maxManifestBytes`) and
   * its bytes hashed; a `Docker-Content-Digest` header is not trusted. A reference with a digest is fetched and checked.
   *
   * @throws RegistryError `ERR_REGISTRY_NOT_FOUND`, `ERR_REGISTRY_AUTH`, `ERR_REGISTRY`, `ERR_RESPONSE_TOO_LARGE`;
   * VerificationError `ERR_DIGEST_MISMATCH`.
   */
  async resolveDigest(ref: ImageReference): Promise<Digest> {
    return (await this.getManifest(ref)).digest;
  }

  /**
   * Fetches a manifest or index by digest (preferred when the reference has one) or tag, with an `Accept` for OCI and
   * Docker v2 manifests and lists, and checks the bytes against the digest asked for.
   *
   * @throws VerificationError `ERR_DIGEST_MISMATCH` when the bytes do not hash to the requested digest; RegistryError
   * as {@link RegistryClient.resolveDigest}; ParseError `ERR_MALFORMED_JSON` when the manifest is not JSON.
   */
  async getManifest(
    ref: RepositoryTarget & { readonly tag?: string; readonly digest?: Digest },
    options: { readonly maxBytes?: number } = {},
  ): Promise<Manifest> {
    const reference = ref.digest?.value ?? ref.tag;
    if (reference === undefined)
      throw new UsageError('ERR_USAGE', 'getManifest needs a reference with a tag or digest');
    const url = repositoryUrl(this.baseUrl(ref.registry), ref.repository, `manifests/${reference}`);
    const maxBytes = options.maxBytes ?? this.#options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    const res = await this.send(ref.registry, repositoryScope(ref.repository, 'pull'), {
      method: 'GET',
      url,
      headers: { accept: MANIFEST_ACCEPT },
      maxBytes,
    });
    if (res.status !== 200) this.#fail(res, 'GET', url, `manifest ${reference}`);
    const digest = this.#check(res.body, ref.digest, `manifest ${safeUrl(url)}`);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(res.body)) as unknown;
    } catch {
      throw new RegistryError('ERR_REGISTRY', `manifest ${safeUrl(url)} must be UTF-8 JSON`);
    }
    const declared = isObject(json) && typeof json.mediaType === 'string' ? json.mediaType : undefined;
    const header = res.headers.get('content-type')?.split(';')[0]?.trim();
    return Object.freeze({
      digest,
      mediaType: declared ?? header ?? '',
      bytes: res.body,
      json: deepFreezeJson(json),
    });
  }

  /**
   * Uploads a manifest under a tag or its digest and returns the digest of the bytes sent.
   *
   * @throws VerificationError `ERR_DIGEST_MISMATCH` when `reference` is a digest the bytes do not hash to;
   * RegistryError when the registry refuses.
   */
  async putManifest(options: ManifestUpload): Promise<Digest> {
    return (await this.putManifestReply(options)).digest;
  }

  /**
   * {@link putManifest}, also handing back the registry's response headers (a subclass reads `OCI-Subject`).
   *
   * @throws as {@link putManifest}
   */
  protected async putManifestReply(options: ManifestUpload): Promise<{ digest: Digest; headers: Headers }> {
    const { target, reference, bytes, mediaType } = options;
    const asked = reference.includes(':') ? parseDigest(reference, 'reference') : undefined;
    const digest = this.#check(bytes, asked, 'manifest to upload');
    const url = repositoryUrl(this.baseUrl(target.registry), target.repository, `manifests/${reference}`);
    const res = await this.send(target.registry, repositoryScope(target.repository, 'push'), {
      method: 'PUT',
      url,
      headers: { 'content-type': mediaType },
      body: bytes,
      maxBytes: 64 * 1024,
    });
    if (res.status !== 201 && res.status !== 200) this.#fail(res, 'PUT', url, `manifest ${reference}`);
    return { digest, headers: res.headers };
  }

  /** Whether a blob exists (HEAD). @throws RegistryError on anything but 200 or 404. */
  async hasBlob(target: RepositoryTarget, digest: Digest): Promise<boolean> {
    const url = repositoryUrl(this.baseUrl(target.registry), target.repository, `blobs/${digest.value}`);
    const res = await this.send(target.registry, repositoryScope(target.repository, 'pull'), {
      method: 'HEAD',
      url,
      maxBytes: 0,
    });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    return this.#fail(res, 'HEAD', url, `blob ${digest.value}`);
  }

  /**
   * Fetches a blob and checks it against its digest.
   *
   * @throws VerificationError `ERR_DIGEST_MISMATCH`; RegistryError `ERR_RESPONSE_TOO_LARGE` past `maxBytes` (default
   * `maxBlobBytes`), `ERR_REGISTRY_NOT_FOUND`, `ERR_REGISTRY_AUTH`, `ERR_REGISTRY`.
   */
  async getBlob(options: {
    readonly target: RepositoryTarget;
    readonly digest: Digest;
    readonly maxBytes?: number;
  }): Promise<Uint8Array> {
    const { target, digest } = options;
    const url = repositoryUrl(this.baseUrl(target.registry), target.repository, `blobs/${digest.value}`);
    const maxBytes = options.maxBytes ?? this.#options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
    const res = await this.send(target.registry, repositoryScope(target.repository, 'pull'), {
      method: 'GET',
      url,
      maxBytes,
    });
    if (res.status !== 200) this.#fail(res, 'GET', url, `blob ${digest.value}`);
    this.#check(res.body, digest, `blob ${safeUrl(url)}`);
    return res.body;
  }

  /**
   * Uploads a blob unless the registry has it: POST an upload session, then one PUT with the bytes, or PATCH chunks of
   * `chunkSize` and a closing PUT when the blob is larger. Returns the blob's sha256 digest.
   *
   * @throws RegistryError when the registry refuses or answers without a `Location`.
   */
  async putBlob(options: { readonly target: RepositoryTarget; readonly bytes: Uint8Array }): Promise<Digest> {
    const { target, bytes } = options;
    const digest = digestBytes('sha256', bytes);
    if (await this.hasBlob(target, digest)) return digest;
    const scope = repositoryScope(target.repository, 'push');
    const start = repositoryUrl(this.baseUrl(target.registry), target.repository, 'blobs/uploads/');
    const res = await this.send(target.registry, scope, { method: 'POST', url: start, maxBytes: 64 * 1024 });
    if (res.status !== 202) this.#fail(res, 'POST', start, 'blob upload');
    let location = this.#location(res, start);
    const chunkSize = Math.max(1, this.#options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    let body: Uint8Array = bytes;
    if (bytes.byteLength > chunkSize) {
      for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
        const chunk = bytes.subarray(offset, Math.min(offset + chunkSize, bytes.byteLength));
        const patch = await this.send(target.registry, scope, {
          method: 'PATCH',
          url: location,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${offset}-${offset + chunk.byteLength - 1}`,
          },
          body: chunk,
          maxBytes: 64 * 1024,
        });
        if (patch.status !== 202) this.#fail(patch, 'PATCH', location, 'blob chunk');
        location = this.#location(patch, location);
      }
      body = new Uint8Array();
    }
    const put = new URL(location);
    put.searchParams.set('digest', digest.value);
    const done = await this.send(target.registry, scope, {
      method: 'PUT',
      url: put.href,
      headers: { 'content-type': 'application/octet-stream' },
      body,
      maxBytes: 64 * 1024,
    });
    if (done.status !== 201) this.#fail(done, 'PUT', put.href, 'blob upload');
    return digest;
  }

  /**
   * Lists a repository's tags, following `Link: <…>; rel="next"` pages on the same registry, at most `maxPages` pages.
   *
   * @throws RegistryError `ERR_REGISTRY_NOT_FOUND` for an unknown repository; `ERR_REGISTRY` for a malformed page,
   * a link to another origin, or too many pages.
   */
  async listTags(
    target: RepositoryTarget,
    options: { readonly pageSize?: number; readonly maxPages?: number } = {},
  ): Promise<readonly string[]> {
    const base = this.baseUrl(target.registry);
    const first = new URL(repositoryUrl(base, target.repository, 'tags/list'));
    if (options.pageSize !== undefined)
      first.searchParams.set('n', String(Math.max(1, Math.floor(options.pageSize))));
    const maxPages = options.maxPages ?? this.#options.maxTagPages ?? 100;
    const tags: string[] = [];
    let next: string | undefined = first.href;
    for (let page = 0; next !== undefined; page++) {
      if (page >= maxPages)
        throw new RegistryError('ERR_REGISTRY', `tags of ${target.repository}: more than ${maxPages} pages`);
      const url: string = next;
      const res = await this.send(target.registry, repositoryScope(target.repository, 'pull'), {
        method: 'GET',
        url,
        maxBytes: MAX_TAG_PAGE_BYTES,
      });
      if (res.status !== 200) this.#fail(res, 'GET', url, `tags of ${target.repository}`);
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(res.body)) as unknown;
      } catch {
        throw new RegistryError('ERR_REGISTRY', `tag list ${safeUrl(url)} must be UTF-8 JSON`);
      }
      const list = isObject(json) ? json.tags : undefined;
      if (list !== null && !(Array.isArray(list) && list.every((t) => typeof t === 'string'))) {
        throw new RegistryError(
          'ERR_REGISTRY',
          `tag list ${safeUrl(url)}: "tags" must be an array of strings or null`,
        );
      }
      if (list !== null) tags.push(...list);
      next = nextLink(res.headers.get('link'), url, base, 'tag list');
    }
    return Object.freeze(tags);
  }

  #location(res: HttpResponse, current: string): string {
    const location = res.headers.get('location');
    if (location === null)
      throw new RegistryError('ERR_REGISTRY', `${safeUrl(current)}: upload answered without a Location`);
    try {
      return new URL(location, current).href;
    } catch {
      throw new RegistryError('ERR_REGISTRY', `${safeUrl(current)}: upload Location must be a URL`);
    }
  }

  /** The digest of `bytes` (in the algorithm asked for), which must equal `expected` when given. */
  #check(bytes: Uint8Array, expected: Digest | undefined, what: string): Digest {
    const algorithm: DigestAlgorithm = expected?.algorithm ?? 'sha256';
    const actual = digestBytes(algorithm, bytes);
    if (expected !== undefined && !digestsEqual(actual, expected)) {
      throw new VerificationError(
        'ERR_DIGEST_MISMATCH',
        `${what}: expected digest ${expected.value}, found ${actual.value}`,
      );
    }
    return actual;
  }

  #fail(res: HttpResponse, method: string, url: string, what: string): never {
    const where = `${method} ${safeUrl(url)} (${what})`;
    const codes = registryErrorCodes(res.body);
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError('ERR_REGISTRY_AUTH', `${where}: access refused (HTTP ${res.status})${codes}`);
    }
    if (res.status === 404)
      throw new RegistryError('ERR_REGISTRY_NOT_FOUND', `${where}: not found (HTTP 404)${codes}`);
    throw new RegistryError('ERR_REGISTRY', `${where}: expected success, found HTTP ${res.status}${codes}`);
  }

  /**
   * Sends one request with the cached Authorization for (registry, scope); on a 401 answers the challenge once and
   * resends. The one place credentials are attached, for every call of this class and its subclasses.
   */
  protected async send(registry: string, scope: string, request: HttpRequest): Promise<HttpResponse> {
    const http = this.#options.http;
    const cached = this.#auth.cachedHeader(registry, scope);
    const withAuth = (header: string | undefined): HttpRequest =>
      header === undefined ? request : { ...request, headers: { ...request.headers, authorization: header } };
    const res = await httpRequest(withAuth(cached), http);
    if (res.status !== 401) return res;
    if (cached !== undefined) this.#auth.forget(registry, scope);
    const header = await this.#auth.authenticate({
      registry,
      scope,
      challenge: res.headers.get('www-authenticate'),
    });
    const again = await httpRequest(withAuth(header), http);
    if (again.status === 401 || again.status === 403) {
      this.#auth.forget(registry, scope);
      throw new RegistryError(
        'ERR_REGISTRY_AUTH',
        `${request.method} ${safeUrl(request.url)}: ${registry} refused the credentials (HTTP ${again.status})`,
      );
    }
    return again;
  }
}
