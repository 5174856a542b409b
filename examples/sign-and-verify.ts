// Sign an image digest and verify it with vouch's public API, then show a tampered bundle being refused.
// Run: node examples/sign-and-verify.ts (after `./run demo` or `pnpm run build`).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateKeyPair,
  isVouchError,
  loadPrivateKey,
  loadPublicKey,
  signImage,
  verifyImage,
  writeKeyPair,
} from 'vouch';

const image =
  'registry.example.com/acme/app@sha256:7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c';
const dir = await mkdtemp(join(tmpdir(), 'vouch-example-'));
try {
  // A key pair on disk: the private key in cosign's encrypted format, mode 0600.
  const password = 'example-password';
  const written = await writeKeyPair(generateKeyPair({ algorithm: 'ecdsa-p256' }), {
    prefix: join(dir, 'cosign'),
    password,
  });
  const privateKey = await loadPrivateKey({ path: written.privateKeyPath }, { password });
  const publicKey = await loadPublicKey({ path: written.publicKeyPath });

  const bundlePath = join(dir, 'app.sigstore.json');
  await signImage({ image, key: privateKey, annotations: { env: 'prod' }, bundlePath });
  const result = await verifyImage({ image, bundle: bundlePath, keys: [publicKey] });
  console.log(`verified ${result.digest.value}, signed by ${result.signerKeyIds.join(', ')}`);

  // Change one byte of the signed payload: verification must refuse it.
  const bundle: { dsseEnvelope: { payload: string } } = JSON.parse(await readFile(bundlePath, 'utf8'));
  const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
  const at = payload.length - 2;
  payload.writeUInt8(payload.readUInt8(at) ^ 1, at);
  bundle.dsseEnvelope.payload = payload.toString('base64');
  await writeFile(bundlePath, JSON.stringify(bundle));
  try {
    await verifyImage({ image, bundle: bundlePath, keys: [publicKey] });
    throw new Error('a tampered bundle verified');
  } catch (error) {
    if (!isVouchError(error)) throw error;
    console.log(`tampered bundle refused: ${error.code}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
