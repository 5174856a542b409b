// Atomic writes and bounded reads: no partial file, exact modes, no silent overwrite.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDocument, writeFileAtomic } from '../src/files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-files-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes with the exact mode and leaves no temp file', async () => {
    const path = join(dir, 'k.key');
    await writeFileAtomic(path, 'secret', { mode: 0o600 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('secret');
    expect(await readdir(dir)).toEqual(['k.key']);
  });

  it('replaces a file in one step, and refuses to when exclusive', async () => {
    const path = join(dir, 'b.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    await expect(writeFileAtomic(path, 'newer', { exclusive: true })).rejects.toMatchObject({
      code: 'ERR_IO',
    });
    expect(await readFile(path, 'utf8')).toBe('new');
  });

  it('fails with ERR_IO and leaves nothing behind when the folder is missing', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'x'), 'x')).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('readDocument', () => {
  it('reads a file and refuses one over the bound', async () => {
    const path = join(dir, 'd');
    await writeFile(path, Buffer.alloc(2048, 1));
    expect((await readDocument(path)).length).toBe(2048);
    await expect(readDocument(path, 1024)).rejects.toMatchObject({ code: 'ERR_IO' });
    await expect(readDocument(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ERR_IO' });
    await expect(readDocument(dir)).rejects.toMatchObject({ code: 'ERR_IO' });
  });
});
