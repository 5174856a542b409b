// Key files through the API: write a pair, load it back in both formats, refuse a wrong password.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  isEncryptedKeyFile,
  loadPrivateKey,
  loadPublicKey,
  writeKeyPair,
} from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-keys-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('writeKeyPair / loadPrivateKey / loadPublicKey', () => {
  for (const format of ['cosign', 'pkcs8'] as const) {
    it(`round-trips a ${format} key pair`, async () => {
      const key = generateKeyPair({ algorithm: 'ecdsa-p384' });
      const written = await writeKeyPair(key, { prefix: join(dir, format), format, password: 'pw' });
      expect((await stat(written.privateKeyPath)).mode & 0o777).toBe(0o600);
      expect(await isEncryptedKeyFile(written.privateKeyPath)).toBe(true);
      const loaded = await loadPrivateKey({ path: written.privateKeyPath }, { password: 'pw' });
      expect(loaded.keyId).toBe(key.keyId);
      expect((await loadPublicKey({ path: written.publicKeyPath })).keyId).toBe(key.keyId);
      expect((await loadPublicKey(written.publicKeyPath)).keyId).toBe(key.keyId);
      await expect(
        loadPrivateKey({ path: written.privateKeyPath }, { password: 'nope' }),
      ).rejects.toMatchObject({
        code: 'ERR_KEY_DECRYPT',
      });
    });
  }

  it('writes a plain PKCS#8 key when the password is empty, and never the private key in the public file', async () => {
    const key = generateKeyPair({ algorithm: 'ed25519' });
    const written = await writeKeyPair(key, { prefix: join(dir, 'plain'), format: 'pkcs8', password: '' });
    expect(await isEncryptedKeyFile(written.privateKeyPath)).toBe(false);
    expect((await loadPrivateKey({ path: written.privateKeyPath })).keyId).toBe(key.keyId);
    expect(await readFile(written.publicKeyPath, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('requires a password for the cosign format', async () => {
    await expect(writeKeyPair(generateKeyPair(), { prefix: join(dir, 'x') })).rejects.toMatchObject({
      code: 'ERR_PASSWORD_REQUIRED',
    });
  });
});
