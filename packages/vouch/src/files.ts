// File I/O for the API: bounded reads, and atomic writes (temp file in the same folder, then rename).
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VouchError } from '@vouch/core';

/** Largest key, bundle or policy file read into memory (16 MiB): larger input is refused, not buffered. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** Chunk size for hashing files as a stream. */
export const HASH_CHUNK_BYTES = 1024 * 1024;

function ioError(action: string, path: string, cause: unknown): VouchError {
  const reason = cause instanceof Error && 'code' in cause ? String(cause.code) : String(cause);
  return new VouchError('ERR_IO', `could not ${action} ${path} (${reason})`, { cause });
}

/**
 * Reads a whole document file (key, bundle, policy), refusing files over `MAX_DOCUMENT_BYTES`.
 *
 * @example
 * ```ts
 * const bytes = await readDocument('bundle.json');
 * ```
 */
export async function readDocument(path: string, maxBytes = MAX_DOCUMENT_BYTES): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new VouchError('ERR_IO', `${path} is not a file`);
    if (info.size > maxBytes) {
      throw new VouchError('ERR_IO', `${path} is ${info.size} bytes, more than the ${maxBytes} allowed`);
    }
    return new Uint8Array(await readFile(path));
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw ioError('read', path, e);
  }
}

/**
 * Streams a file in 1 MiB chunks (for hashing blobs of any size without loading them).
 *
 * @example
 * ```ts
 * for await (const chunk of readChunks('app.tar')) hash.update(chunk);
 * ```
 */
export async function* readChunks(path: string): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: HASH_CHUNK_BYTES });
  try {
    for await (const chunk of stream) {
      if (chunk instanceof Uint8Array) yield chunk;
    }
  } catch (e) {
    throw ioError('read', path, e);
  }
}

export interface WriteOptions {
  /** File mode; private keys are written 0600. Default 0644. */
  readonly mode?: number;
  /** Refuse to replace an existing file. Default false. */
  readonly exclusive?: boolean;
}

/**
 * Writes a file atomically: the bytes go to a temp file beside it (created with the final mode),
 * are flushed, then renamed over the target, so a reader never sees a partial file.
 *
 * @example
 * ```ts
 * await writeFileAtomic('cosign.key', pem, { mode: 0o600 });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o644;
  if (options.exclusive) {
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new VouchError('ERR_IO', `${path} exists already; refusing to overwrite it`);
  }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open() honours the umask; set the mode exactly (0600 must stay 0600, 0644 must not become 0600).
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    if (e instanceof VouchError) throw e;
    throw ioError('write', path, e);
  }
}
