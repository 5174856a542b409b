// Trusted roots: the Sigstore public-good root shipped inside @sigstore/tuf (offline by default), or a file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  decodeBase64,
  isObject,
  parseJson,
  parseTrustedRoot,
  type TrustedRoot,
  VouchError,
} from '@vouch/core';
import { readDocument } from './files.js';

const PUBLIC_GOOD_TUF = 'https://tuf-repo-cdn.sigstore.dev';

let publicGood: TrustedRoot | undefined;

/**
 * The Sigstore public-good trusted root as shipped with vouch (the `trusted_root.json` target embedded in
 * `@sigstore/tuf`'s seeds), parsed once per process. No network.
 *
 * @example
 * ```ts
 * const root = publicGoodTrustedRoot();
 * console.log(root.certificateAuthorities.length);
 * ```
 */
export function publicGoodTrustedRoot(): TrustedRoot {
  if (publicGood === undefined) {
    const require = createRequire(import.meta.url);
    // The package exports only its entry point; seeds.json sits at the package root beside dist/.
    const seedsPath = join(dirname(require.resolve('@sigstore/tuf')), '..', 'seeds.json');
    let seeds: unknown;
    try {
      seeds = JSON.parse(readFileSync(seedsPath, 'utf8'));
    } catch (cause) {
      throw new VouchError('ERR_IO', `could not read the shipped public-good root from ${seedsPath}`, {
        cause,
      });
    }
    const repo = isObject(seeds) ? seeds[PUBLIC_GOOD_TUF] : undefined;
    const targets = isObject(repo) ? repo.targets : undefined;
    const encoded = isObject(targets) ? targets['trusted_root.json'] : undefined;
    if (typeof encoded !== 'string') {
      throw new VouchError(
        'ERR_INTERNAL',
        `${seedsPath} has no trusted_root.json target for ${PUBLIC_GOOD_TUF}`,
      );
    }
    publicGood = parseTrustedRoot(
      parseJson(
        decodeBase64(encoded, 'trusted_root.json'),
        'trusted_root.json',
        'ERR_MALFORMED_TRUSTED_ROOT',
      ),
    );
  }
  return publicGood;
}

/** A trusted root given to an API call: parsed already, a file path, or omitted for the public-good root. */
export type TrustedRootSource = TrustedRoot | string | { readonly path: string } | undefined;

/**
 * Loads a trusted root: `undefined` gives the shipped public-good root; a path reads a `trusted_root.json`.
 *
 * @example
 * ```ts
 * const root = await loadTrustedRoot('private-sigstore/trusted_root.json');
 * ```
 */
export async function loadTrustedRoot(source?: TrustedRootSource): Promise<TrustedRoot> {
  if (source === undefined) return publicGoodTrustedRoot();
  if (typeof source === 'string' || 'path' in source) {
    const path = typeof source === 'string' ? source : source.path;
    return parseTrustedRoot(parseJson(await readDocument(path), path, 'ERR_MALFORMED_TRUSTED_ROOT'));
  }
  return source;
}
