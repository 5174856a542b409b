// Service URLs given by users or configs: absolute, https (plain http only on loopback), no credentials.
import { UsageError } from '@vouch/core';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Checks a service URL and returns it without a trailing slash: https, or plain http only to a loopback host; no
 * credentials, query or fragment. `what` names it in the error.
 *
 * @example
 * ```ts
 * serviceUrl('https://fulcio.sigstore.dev/', 'the Fulcio URL'); // 'https://fulcio.sigstore.dev'
 * ```
 */
export function serviceUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('ERR_USAGE', `${what} must be an absolute URL, found ${JSON.stringify(value)}`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(
      'ERR_USAGE',
      `${what} must be an https URL (plain http only on loopback), found ${JSON.stringify(value)}`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new UsageError(
      'ERR_USAGE',
      `${what} must have no credentials, query or fragment, found ${JSON.stringify(value)}`,
    );
  }
  return url.href.replace(/\/+$/, '');
}
