// TLS to a registry with its own CA: an undici dispatcher for fetch (global fetch takes no `ca` of its own).
import { createRequire } from 'node:module';
import type { Agent } from 'undici';

// undici is loaded only when a private CA is used: loading it costs a verify gate's cold start tens of milliseconds.
let agentClass: typeof Agent | undefined;

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
  agentClass ??= (createRequire(import.meta.url)('undici') as { Agent: typeof Agent }).Agent;
  return new agentClass({ connect: { ca: caCertificates } });
}
