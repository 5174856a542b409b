// Loading a policy file: read and parse it, then load the keys and trusted roots it names, relative to its folder.
import { dirname, resolve } from 'node:path';
import {
  decodeUtf8,
  type Issue,
  isVouchError,
  ParseError,
  type PublicKey,
  type TrustedRoot,
} from '@vouch/core';
import { type LoadedPolicy, parsePolicyText, policyLocation } from '@vouch/provenance';
import { readDocument } from './files.js';
import { loadPublicKey } from './keys.js';
import { loadTrustedRoot } from './trusted-root.js';

function reasonOf(error: unknown): string {
  if (isVouchError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Loads a policy file (YAML or JSON): parses and validates it, then loads every key (`keys.<name>.file`) and trusted
 * root (`{ builtin: sigstore-public-good }` is the shipped root, `{ file }` a `trusted_root.json`), files resolved
 * relative to the policy's folder. Nothing is fetched from the network.
 *
 * @throws VouchError `ERR_IO` when the policy file cannot be read
 * @throws ParseError `ERR_MALFORMED_POLICY` listing every problem in the file, or every key and root that did not
 *   load (each issue names the policy entry, `keys.release.file`, where it is, and why it failed)
 * @example
 * ```ts
 * const loaded = await loadPolicy('deploy/policy.yaml');
 * console.log(loaded.policyDigest, Object.keys(loaded.keys));
 * ```
 */
export async function loadPolicy(path: string): Promise<LoadedPolicy> {
  const text = decodeUtf8(await readDocument(path), path);
  const { policy, policyDigest } = parsePolicyText(text, path);
  const base = dirname(resolve(path));
  type Outcome<T> = { readonly value: T } | { readonly issue: Issue; readonly cause: unknown };
  const attempt = async <T>(
    segments: readonly string[],
    file: string,
    full: string,
    load: () => Promise<T>,
  ): Promise<Outcome<T>> => {
    try {
      return { value: await load() };
    } catch (cause) {
      const where = policyLocation(text, path, segments);
      const message = `${JSON.stringify(file)} (${full}) did not load: ${reasonOf(cause)} (${where})`;
      return { issue: { path: segments.join('.'), message }, cause };
    }
  };

  const [keys, roots] = await Promise.all([
    Promise.all(
      Object.entries(policy.keys).map(async ([name, source]) => {
        const full = resolve(base, source.file);
        const outcome = await attempt(['keys', name, 'file'], source.file, full, () =>
          loadPublicKey({ path: full }),
        );
        return [name, outcome] as const;
      }),
    ),
    Promise.all(
      Object.entries(policy.trustedRoots).map(async ([name, source]) => {
        const outcome =
          'builtin' in source
            ? await attempt(['trustedRoots', name, 'builtin'], source.builtin, 'shipped with vouch', () =>
                loadTrustedRoot(),
              )
            : await attempt(['trustedRoots', name, 'file'], source.file, resolve(base, source.file), () =>
                loadTrustedRoot({ path: resolve(base, source.file) }),
              );
        return [name, outcome] as const;
      }),
    ),
  ]);
  // Every entry that did not load is listed, in the order of the file.
  const failures = [...keys, ...roots].flatMap(([, o]) => ('issue' in o ? [o] : []));
  if (failures.length > 0) {
    throw new ParseError(
      'ERR_MALFORMED_POLICY',
      failures.map((f) => f.issue),
      { cause: failures[0]?.cause },
    );
  }
  const loadedKeys: Record<string, PublicKey> = {};
  for (const [name, o] of keys) if ('value' in o) loadedKeys[name] = o.value;
  const loadedRoots: Record<string, TrustedRoot> = {};
  for (const [name, o] of roots) if ('value' in o) loadedRoots[name] = o.value;
  return Object.freeze({
    policy,
    policyDigest,
    keys: Object.freeze(loadedKeys),
    trustedRoots: Object.freeze(loadedRoots),
    source: path,
  });
}
