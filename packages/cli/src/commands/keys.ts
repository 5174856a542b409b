// Loading keys for the CLI: asks for a password only when the key file is encrypted.
import {
  isEncryptedKeyFile,
  loadPrivateKey,
  loadPublicKey,
  type PrivateKey,
  type PublicKey,
  readDocument,
} from 'vouch';
import type { CliIo } from '../io.js';
import { obtainPassword } from '../password.js';

export async function privateKeyFromFile(path: string, io: CliIo): Promise<PrivateKey> {
  if (!(await isEncryptedKeyFile(path))) return loadPrivateKey({ path });
  const text = new TextDecoder().decode(await readDocument(path));
  const cosign = /-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----/.test(text);
  const password = await obtainPassword(io, { cosign, confirm: false, purpose: `decrypt ${path}` });
  return loadPrivateKey(text, { password });
}

export function publicKeysFromFiles(paths: readonly string[]): Promise<PublicKey[]> {
  return Promise.all(paths.map((path) => loadPublicKey({ path })));
}
