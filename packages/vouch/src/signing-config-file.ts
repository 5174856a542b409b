// Sigstore signing configs for keyless signing: read `signing_config.json`, and turn the services valid now into options.
import { parseSigningConfigJson, type SigningConfig, selectServices, UsageError } from '@vouch/core';
import { readDocument } from './files.js';
import type { KeylessOptions } from './keyless.js';

/**
 * Reads and parses a Sigstore `signing_config.json` (v0.2).
 *
 * @throws VouchError `ERR_IO` (unreadable); ParseError `ERR_MALFORMED_TRUSTED_ROOT` (malformed, every bad path listed)
 * @example
 * ```ts
 * const config = await loadSigningConfig('signing_config.v0.2.json');
 * ```
 */
export async function loadSigningConfig(path: string): Promise<SigningConfig> {
  return parseSigningConfigJson(await readDocument(path));
}

/**
 * The keyless options a signing config gives at `now`: its Fulcio, the Rekor logs its selector picks (v2 when the
 * newest usable logs speak v2), and its timestamp authorities. The identity token is left to the caller.
 *
 * @throws UsageError `ERR_USAGE` when no Fulcio is valid at `now`, or the selectors cannot be met
 * @example
 * ```ts
 * const keyless = { ...keylessOptionsFromSigningConfig({ config, now: new Date() }), env: process.env };
 * await signImage({ image, keyless });
 * ```
 */
export function keylessOptionsFromSigningConfig(options: {
  readonly config: SigningConfig;
  readonly now: Date;
}): KeylessOptions {
  const selected = selectServices(options.config, { now: options.now });
  if (selected.fulcio === undefined) {
    throw new UsageError(
      'ERR_USAGE',
      `the signing config names no Fulcio (caUrls) with API version 1 valid at ${options.now.toISOString()}`,
    );
  }
  // selectServices returns logs of one API version only.
  const rekorV2 = selected.rekor.some((s) => s.majorApiVersion === 2);
  return Object.freeze({
    fulcioUrl: selected.fulcio.url,
    rekorUrls: Object.freeze(selected.rekor.map((s) => s.url)),
    tsaUrls: Object.freeze(selected.tsa.map((s) => s.url)),
    ...(rekorV2 ? { rekorV2 } : {}),
  });
}
