// Trusted roots: the Sigstore public-good root shipped inside @sigstore/tuf (offline by default), a file, or a cache
// refreshed through TUF only when asked.
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import {
  decodeBase64,
  isObject,
  parseJson,
  parseTrustedRoot,
  type TrustedRoot,
  VouchError,
} from '@vouch/core';
import { readDocument, writeFileAtomic } from './files.js';
import { serviceUrl } from './urls.js';

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

/**
 * A trusted root given to an API call: parsed already, a file path, a cache {@link refreshTrustedRoot} writes (the
 * shipped public-good root while it holds none), or omitted for the shipped public-good root.
 */
export type TrustedRootSource =
  | TrustedRoot
  | string
  | { readonly path: string }
  | { readonly cacheDir: string }
  | undefined;

/**
 * Loads a trusted root: `undefined` gives the shipped public-good root; a path reads a `trusted_root.json`;
 * `{ cacheDir }` reads the root last refreshed into that cache, or the shipped one when there is none. No network.
 *
 * @example
 * ```ts
 * const root = await loadTrustedRoot('private-sigstore/trusted_root.json');
 * const refreshed = await loadTrustedRoot({ cacheDir: '/var/cache/vouch' });
 * ```
 */
export async function loadTrustedRoot(source?: TrustedRootSource): Promise<TrustedRoot> {
  if (source === undefined) return publicGoodTrustedRoot();
  if (typeof source === 'string' || 'path' in source) {
    const path = typeof source === 'string' ? source : source.path;
    return parseTrustedRoot(parseJson(await readDocument(path), path, 'ERR_MALFORMED_TRUSTED_ROOT'));
  }
  if ('cacheDir' in source) return (await readCachedTrustedRoot(source.cacheDir)) ?? publicGoodTrustedRoot();
  return source;
}

// The cache: each refresh builds a complete generation directory (`gen-*`: TUF metadata under `tuf/`, the verified
// `trusted_root.json`) and then commits it by renaming `current.json` (naming the generation) into place. A crash
// at any point leaves the previous generation current and whole; a stray `gen-*` is removed by a later refresh.
const POINTER = 'current.json';
const TRUSTED_ROOT_TARGET = 'trusted_root.json';
const GENERATION = /^gen-[A-Za-z0-9_-]{1,64}$/;
/** writeFileAtomic's temp files for the pointer, which a crash may leave. */
const POINTER_TEMP = /^\.current\.json\.[0-9a-f]+\.tmp$/;
/** A generation directory no pointer names and older than this was left by a crashed refresh. */
const STALE_MS = 60 * 60 * 1000;

function isMissing(e: unknown): boolean {
  return e instanceof Error && 'code' in e && e.code === 'ENOENT';
}

async function currentGeneration(cacheDir: string): Promise<string | undefined> {
  const path = join(cacheDir, POINTER);
  let text: Uint8Array;
  try {
    text = await readFile(path);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw new VouchError('ERR_IO', `could not read ${path}`, { cause: e });
  }
  const pointer = parseJson(text, path, 'ERR_IO');
  const generation = isObject(pointer) ? pointer.generation : undefined;
  if (typeof generation !== 'string' || !GENERATION.test(generation)) {
    throw new VouchError(
      'ERR_IO',
      `${path}: expected generation to name a gen-* directory, found ${JSON.stringify(generation)}`,
    );
  }
  return generation;
}

/** The root in the cache's current generation, or undefined when nothing was refreshed into it yet. */
async function readCachedTrustedRoot(cacheDir: string): Promise<TrustedRoot | undefined> {
  // Twice at most: a refresh may commit and remove the generation between reading the pointer and the root.
  for (let attempt = 0; ; attempt++) {
    const generation = await currentGeneration(cacheDir);
    if (generation === undefined) return undefined;
    const path = join(cacheDir, generation, TRUSTED_ROOT_TARGET);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (e) {
      if (isMissing(e) && attempt === 0) continue;
      throw new VouchError('ERR_IO', `could not read the cached trusted root ${path}`, { cause: e });
    }
    return parseTrustedRoot(parseJson(bytes, path, 'ERR_MALFORMED_TRUSTED_ROOT'));
  }
}

/** Options of {@link refreshTrustedRoot}. */
export interface RefreshTrustedRootOptions {
  /** The cache directory (created when missing); `loadTrustedRoot({ cacheDir })` reads what is refreshed into it. */
  readonly cacheDir: string;
  /** The TUF repository. Default: Sigstore's public-good one, whose initial `root.json` ships with @sigstore/tuf. */
  readonly mirrorUrl?: string;
  /** The TUF `root.json` to start trusting from when the cache has none: required for any other repository. */
  readonly rootPath?: string;
  /** Use the cached TUF metadata while it has not expired, without asking the repository. Default false. */
  readonly forceCache?: boolean;
}

/**
 * Refreshes the trusted root through TUF (sigstore-js's client): the only vouch call that fetches trust material,
 * and only when called. The TUF-verified `trusted_root.json` is parsed strictly before it is committed to
 * `cacheDir` atomically; on any failure the cache keeps its previous root.
 *
 * @throws VouchError `ERR_IO` when the repository cannot be reached or its metadata does not verify
 * @throws ParseError `ERR_MALFORMED_TRUSTED_ROOT` when the verified target is not a trusted root vouch accepts
 * @example
 * ```ts
 * await refreshTrustedRoot({ cacheDir: '/var/cache/vouch' });
 * const root = await loadTrustedRoot({ cacheDir: '/var/cache/vouch' }); // offline from here on
 * ```
 */
export async function refreshTrustedRoot(options: RefreshTrustedRootOptions): Promise<TrustedRoot> {
  const { cacheDir } = options;
  const mirrorUrl =
    options.mirrorUrl === undefined ? PUBLIC_GOOD_TUF : serviceUrl(options.mirrorUrl, 'the TUF mirror URL');
  const previous = await mkdir(cacheDir, { recursive: true }).then(
    () => currentGeneration(cacheDir),
    (cause: unknown) => {
      throw new VouchError('ERR_IO', `could not create the trusted root cache ${cacheDir}`, { cause });
    },
  );
  const staging = await mkdtemp(join(cacheDir, 'gen-')).catch((cause: unknown) => {
    throw new VouchError('ERR_IO', `could not write to the trusted root cache ${cacheDir}`, { cause });
  });
  const generation = basename(staging);
  let root: TrustedRoot;
  try {
    // Continue from the metadata already trusted, so that TUF's rollback and freeze checks hold across refreshes.
    if (previous !== undefined) {
      await cp(join(cacheDir, previous, 'tuf'), join(staging, 'tuf'), { recursive: true }).catch(
        (e: unknown) => {
          if (!isMissing(e)) throw e;
        },
      );
    }
    let text: string;
    try {
      // Loaded here, not at the top: verification never loads the TUF client.
      const { initTUF } = await import('@sigstore/tuf');
      const tuf = await initTUF({
        cachePath: join(staging, 'tuf'),
        mirrorURL: mirrorUrl,
        forceCache: options.forceCache ?? false,
        ...(options.rootPath === undefined ? {} : { rootPath: options.rootPath }),
      });
      // The target's bytes as TUF verified them (getTrustedRoot would re-encode them through protobuf classes).
      text = await tuf.getTarget(TRUSTED_ROOT_TARGET);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new VouchError('ERR_IO', `could not refresh the trusted root from ${mirrorUrl}: ${reason}`, {
        cause,
      });
    }
    const source = `${mirrorUrl} target ${TRUSTED_ROOT_TARGET}`;
    root = parseTrustedRoot(parseJson(Buffer.from(text, 'utf8'), source, 'ERR_MALFORMED_TRUSTED_ROOT'));
    await writeFileAtomic(join(staging, TRUSTED_ROOT_TARGET), text);
    // The commit: until this rename, readers see the previous generation; after it, this one, whole.
    await writeFileAtomic(
      join(cacheDir, POINTER),
      `${JSON.stringify({ generation, mirrorUrl, refreshedAt: new Date().toISOString() })}\n`,
    );
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    if (e instanceof VouchError) throw e;
    throw new VouchError('ERR_IO', `could not refresh the trusted root cache in ${cacheDir}`, { cause: e });
  }
  await removeOldGenerations(cacheDir, generation, previous);
  return root;
}

/** Best effort: the generation just replaced, and what a crashed refresh left. Never the current one. */
async function removeOldGenerations(
  cacheDir: string,
  current: string,
  previous: string | undefined,
): Promise<void> {
  const names = await readdir(cacheDir).catch(() => []);
  for (const name of names) {
    if (name === current || !(GENERATION.test(name) || POINTER_TEMP.test(name))) continue;
    const path = join(cacheDir, name);
    const stale =
      name === previous ||
      (await stat(path).then(
        (info) => Date.now() - info.mtimeMs > STALE_MS,
        () => false,
      ));
    if (stale) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}
