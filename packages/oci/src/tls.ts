// TLS to a registry with its own CA: an undici dispatcher for fetch (global fetch takes no `ca` of its own).
import { Agent } from 'undici';

/**
 * A fetch dispatcher that trusts `caCertificates` (PEM, one or more) in addition to nothing else: a registry behind a
 * private CA is reached with exactly that trust, without changing the process-wide CA store.
 *
 * @example
 * ```ts
 * const client = new RegistryClient({ http: { dispatcher: caDispatcher(await readFile('ca.pem', 'utf8')) } });
 * ```
 */
export function caDispatcher(caCertificates: string): Agent {
  return new Agent({ connect: { ca: caCertificates } });
}
