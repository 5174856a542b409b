// ReferrersClient: a RegistryClient that also speaks the OCI 1.1 referrers API and reads the `OCI-Subject` answer.
import { type Digest, isDigest, parseDigest, RegistryError } from '@vouch/core';
import { repositoryScope } from './auth.js';
import {
  type ManifestUpload,
  nextLink,
  RegistryClient,
  type RegistryClientOptions,
  type RepositoryTarget,
} from './client.js';
import { type ImageIndex, parseImageIndex } from './descriptor.js';
import { safeUrl } from './http.js';
import { OCI_INDEX } from './media-types.js';
import { repositoryUrl } from './registry-url.js';

/** The registry's answer to `GET /v2/<name>/referrers/<digest>`. */
export type ReferrersAnswer =
  | { readonly supported: false }
  | {
      readonly supported: true;
      readonly index: ImageIndex;
      /** Filters the registry applied (`OCI-Filters-Applied`), e.g. `['artifactType']`. */
      readonly filtersApplied: readonly string[];
    };

const MAX_REFERRERS_PAGES = 20;
/** How many registries without the referrers API a client remembers (oldest forgotten first). */
const MAX_REMEMBERED_REGISTRIES = 64;

/**
 * A {@link RegistryClient} with the two calls the storage layouts need beyond it: the referrers endpoint (with paging
 * and the `artifactType` filter) and a manifest PUT that reports the registry's `OCI-Subject` header. It takes the
 * same options as RegistryClient and shares its credentials and token cache.
 *
 * @example
 * ```ts
 * const client = new ReferrersClient({ credentials });
 * const answer = await client.getReferrers({ target, subject: digest, artifactType: SIGSTORE_BUNDLE_V03 });
 * if (answer.supported) answer.index.manifests;
 * ```
 */
export class ReferrersClient extends RegistryClient {
  readonly #maxBytes: number;
  /** Registries (`host[:port]`) that answered the referrers route with 404: they have no referrers API (OCI 1.1). */
  readonly #withoutReferrersApi = new Set<string>();

  constructor(options: RegistryClientOptions = {}) {
    super(options);
    this.#maxBytes = options.maxManifestBytes ?? 4 * 1024 * 1024;
  }

  /**
   * Lists the manifests referring to `subject` through the referrers API, following `Link` pages. A 404 means the
   * registry has no referrers API (`supported: false`); the caller then reads the fallback tag. The client remembers
   * that answer per registry, so later calls to that registry answer `supported: false` without a request (until a
   * manifest PUT there is answered with `OCI-Subject`, which shows the API exists).
   *
   * @throws RegistryError on other failures; ParseError `ERR_MALFORMED_JSON` for an answer that is not an index.
   */
  async getReferrers(options: {
    readonly target: RepositoryTarget;
    readonly subject: Digest;
    readonly artifactType?: string;
  }): Promise<ReferrersAnswer> {
    const { target, subject, artifactType } = options;
    if (this.#withoutReferrersApi.has(target.registry)) return Object.freeze({ supported: false });
    const base = this.baseUrl(target.registry);
    const first = new URL(repositoryUrl(base, target.repository, `referrers/${subject.value}`));
    if (artifactType !== undefined) first.searchParams.set('artifactType', artifactType);
    const manifests: ImageIndex['manifests'][number][] = [];
    const filters = new Set<string>();
    let next: string | undefined = first.href;
    for (let page = 0; next !== undefined; page++) {
      if (page >= MAX_REFERRERS_PAGES) {
        throw new RegistryError(
          'ERR_REGISTRY',
          `referrers of ${subject.value}: more than ${MAX_REFERRERS_PAGES} pages`,
        );
      }
      const url: string = next;
      const res = await this.send(target.registry, repositoryScope(target.repository, 'pull'), {
        method: 'GET',
        url,
        headers: { accept: OCI_INDEX },
        maxBytes: this.#maxBytes,
      });
      if (res.status === 404 && page === 0) {
        this.#rememberWithoutReferrersApi(target.registry);
        return Object.freeze({ supported: false });
      }
      if (res.status !== 200) {
        throw new RegistryError(
          'ERR_REGISTRY',
          `GET ${safeUrl(url)}: expected HTTP 200, found HTTP ${res.status}`,
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(res.body)) as unknown;
      } catch {
        throw new RegistryError('ERR_REGISTRY', `referrers ${safeUrl(url)} must be UTF-8 JSON`);
      }
      manifests.push(...parseImageIndex(json).manifests);
      for (const f of (res.headers.get('oci-filters-applied') ?? '').split(','))
        if (f.trim()) filters.add(f.trim());
      next = nextLink(res.headers.get('link'), url, base, 'referrers');
    }
    return Object.freeze({
      supported: true,
      index: Object.freeze({ mediaType: OCI_INDEX, manifests: Object.freeze(manifests) }),
      filtersApplied: Object.freeze([...filters]),
    });
  }

  /**
   * Uploads a manifest like {@link RegistryClient.putManifest} and also returns the `OCI-Subject` digest the registry
   * answered with: present when the registry processed the manifest's `subject` (it has the referrers API).
   *
   * @throws RegistryError when the registry refuses.
   */
  async putManifestWithSubject(
    options: ManifestUpload,
  ): Promise<{ readonly digest: Digest; readonly ociSubject?: Digest }> {
    const { digest, headers } = await this.putManifestReply(options);
    const { target } = options;
    const header = headers.get('oci-subject')?.trim();
    if (header !== undefined) this.#withoutReferrersApi.delete(target.registry);
    return Object.freeze({
      digest,
      ...(header !== undefined && isDigest(header) ? { ociSubject: parseDigest(header, 'OCI-Subject') } : {}),
    });
  }

  #rememberWithoutReferrersApi(registry: string): void {
    this.#withoutReferrersApi.delete(registry);
    this.#withoutReferrersApi.add(registry);
    // A Set iterates in insertion order: the first entry is the oldest.
    for (const oldest of this.#withoutReferrersApi) {
      if (this.#withoutReferrersApi.size <= MAX_REMEMBERED_REGISTRIES) break;
      this.#withoutReferrersApi.delete(oldest);
    }
  }
}
