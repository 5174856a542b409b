// Bundles given to a verify call: a path, bytes or parsed JSON, read into the untrusted value core parses.
import { parseJson } from '@vouch/core';
import { readDocument } from './files.js';

/** A bundle given to a verify call: its parsed JSON, its bytes, or a file path. */
export type BundleSource =
  | string
  | Uint8Array
  | { readonly path: string }
  | Readonly<Record<string, unknown>>;

/**
 * Reads a bundle source into the untrusted JSON value core will parse (bad JSON is `ERR_MALFORMED_BUNDLE`).
 *
 * @example
 * ```ts
 * const untrusted = await readBundle('app.sigstore.json');
 * ```
 */
export async function readBundle(source: BundleSource): Promise<unknown> {
  if (typeof source === 'string')
    return parseJson(await readDocument(source), 'bundle', 'ERR_MALFORMED_BUNDLE');
  if (source instanceof Uint8Array) return parseJson(source, 'bundle', 'ERR_MALFORMED_BUNDLE');
  if (typeof source.path === 'string' && Object.keys(source).length === 1) {
    return parseJson(await readDocument(source.path), 'bundle', 'ERR_MALFORMED_BUNDLE');
  }
  return source;
}
