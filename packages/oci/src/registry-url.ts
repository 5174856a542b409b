// Where a registry lives: its request host, base URL (https unless loopback or named insecure) and repository paths.
import { DOCKER_HUB_REGISTRY, UsageError } from '@vouch/core';

/** Docker Hub's references say `docker.io`; its API answers at this host. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/** How to reach registries over the network. */
export interface RegistryUrlOptions {
  /** Hosts (`host[:port]`, as in the reference) that may be reached over plain HTTP, as docker's `--insecure-registry`. */
  readonly insecureRegistries?: readonly string[];
  /** Whether loopback hosts (127.0.0.0/8, ::1, localhost) use plain HTTP (default `true`); `false` for a local TLS registry. */
  readonly loopbackHttp?: boolean;
}

/**
 * The host a registry's API answers at: `docker.io` (and `index.docker.io`) become `registry-1.docker.io`.
 *
 * @example
 * ```ts
 * registryApiHost('docker.io'); // 'registry-1.docker.io'
 * registryApiHost('localhost:5000'); // 'localhost:5000'
 * ```
 */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB_REGISTRY || registry === 'index.docker.io' ? DOCKER_HUB_API_HOST : registry;
}

/** The host part of `host[:port]` or `[v6]:port`, lowercase, without brackets. */
function hostname(registry: string): string {
  if (registry.startsWith('[')) {
    const end = registry.indexOf(']');
    return (end < 0 ? registry.slice(1) : registry.slice(1, end)).toLowerCase();
  }
  const colon = registry.indexOf(':');
  return (colon < 0 ? registry : registry.slice(0, colon)).toLowerCase();
}

/**
 * Whether a registry (`host[:port]`) is on this machine: `localhost`, 127.0.0.0/8 or ::1.
 *
 * @example
 * ```ts
 * isLoopbackRegistry('127.0.0.1:5000'); // true
 * isLoopbackRegistry('[::1]:5000'); // true
 * isLoopbackRegistry('ghcr.io'); // false
 * ```
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = hostname(registry);
  if (host === 'localhost' || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const octets = host.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((o) => /^(?:0|[1-9][0-9]{0,2})$/.test(o) && Number(o) <= 255)
  );
}

/**
 * The base URL (`scheme://host[:port]`, no trailing slash) for a registry's API. Plain HTTP is used only for
 * loopback hosts (unless `loopbackHttp` is `false`) and hosts listed in `insecureRegistries`; everything else is https.
 *
 * @example
 * ```ts
 * registryBaseUrl('ghcr.io'); // 'https://ghcr.io'
 * registryBaseUrl('localhost:5000'); // 'http://localhost:5000'
 * registryBaseUrl('docker.io'); // 'https://registry-1.docker.io'
 * ```
 */
export function registryBaseUrl(registry: string, options: RegistryUrlOptions = {}): string {
  const host = registryApiHost(registry);
  if (!/^[A-Za-z0-9.-]+(?::[0-9]+)?$|^\[[0-9A-Fa-f:]+\](?::[0-9]+)?$/.test(host)) {
    throw new UsageError(
      'ERR_USAGE',
      `registry must be host[:port] or [IPv6]:port, found ${JSON.stringify(host.slice(0, 80))}`,
    );
  }
  return `${allowsPlainHttp(registry, options) ? 'http' : 'https'}://${host}`;
}

/**
 * Whether a URL's origin may be reached over plain HTTP under the same rules as {@link registryBaseUrl}; used to refuse
 * a token realm or redirect that would send credentials in the clear.
 *
 * @example
 * ```ts
 * allowsPlainHttp('localhost:5001', {}); // true
 * ```
 */
export function allowsPlainHttp(registry: string, options: RegistryUrlOptions = {}): boolean {
  const listed = options.insecureRegistries?.some((h) => h.toLowerCase() === registry.toLowerCase()) ?? false;
  return listed || (options.loopbackHttp !== false && isLoopbackRegistry(registry));
}

/**
 * The URL of an API path under a repository: `/v2/<repository>/<suffix>`.
 *
 * @example
 * ```ts
 * repositoryUrl('http://localhost:5000', 'team/app', 'manifests/v1'); // 'http://localhost:5000/v2/team/app/manifests/v1'
 * ```
 */
export function repositoryUrl(baseUrl: string, repository: string, suffix: string): string {
  // Repository names are lowercase path components joined by "/" (checked by parseImageReference): no escaping needed,
  // but refuse anything that could climb out of /v2/.
  if (!/^[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*$/.test(repository)) {
    throw new UsageError(
      'ERR_USAGE',
      `repository must be lowercase path components, found ${JSON.stringify(repository.slice(0, 80))}`,
    );
  }
  return `${baseUrl}/v2/${repository}/${suffix}`;
}
