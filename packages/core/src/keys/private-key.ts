// Private keys: parsing (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1, cosign, JWK), generation, signing and export.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeBase64 } from '../encoding.js';
import { KeyError, ParseError, UsageError } from '../errors.js';
import { describe } from '../json.js';
import { nobleSign } from './backend-noble.js';
import { nodeSign } from './backend-node.js';
import { webcryptoSign } from './backend-webcrypto.js';
import { COSIGN_PEM_LABEL, decryptCosignKey, encryptCosignKey } from './cosign.js';
import { classifyKeyInput, copyJwk, importWithNode } from './input.js';
import { assertOneDerSequence, decodePem, encodePem } from './pem.js';
import { type KeyProfile, profileKey } from './policy.js';
import { PublicKey } from './public-key.js';
import type { CryptoBackendName, KeyAlgorithm, SignatureScheme } from './types.js';

/** The algorithms `generateKeyPair` makes (never RSA). */
export type GeneratedKeyAlgorithm = 'ed25519' | 'ecdsa-p256' | 'ecdsa-p384';

/**
 * A private key, prepared once, with its public half. Its material never appears in `toString`,
 * `JSON.stringify` or `util.inspect` output: those show only the algorithm and key id.
 *
 * @example
 * ```ts
 * const key = generateKeyPair();
 * const signature = key.sign(new TextEncoder().encode('hello'));
 * key.publicKey.verifySync(new TextEncoder().encode('hello'), signature); // true
 * ```
 */
export class PrivateKey {
  readonly algorithm: KeyAlgorithm;
  readonly scheme: SignatureScheme;
  readonly publicKey: PublicKey;
  /** The public key's id. */
  readonly keyId: string;
  readonly #key: KeyObject;
  readonly #profile: KeyProfile;

  constructor(key: KeyObject) {
    if (key.type !== 'private')
      throw new UsageError('ERR_USAGE', `expected a private KeyObject, found a ${key.type} one`);
    this.#profile = profileKey(key);
    this.#key = key;
    this.publicKey = new PublicKey(key);
    assertPairwiseConsistent(key, this.#profile, this.publicKey);
    this.algorithm = this.#profile.algorithm;
    this.scheme = this.#profile.scheme;
    this.keyId = this.publicKey.keyId;
    Object.freeze(this);
  }

  /**
   * Signs `data` with node:crypto: Ed25519 raw 64 bytes, ECDSA DER (as cosign and Sigstore write), RSA PKCS#1 v1.5 SHA-256.
   *
   * @example
   * ```ts
   * const sig = key.sign(pae);
   * ```
   */
  sign(data: Uint8Array): Uint8Array {
    checkData(data);
    return nodeSign({ key: this.#key, profile: this.#profile, data });
  }

  /**
   * Signs with a chosen backend (default node); same output encodings as `sign`.
   *
   * @example
   * ```ts
   * const sig = await key.signAsync(data, { backend: 'webcrypto' });
   * ```
   */
  async signAsync(
    data: Uint8Array,
    options: { readonly backend?: CryptoBackendName } = {},
  ): Promise<Uint8Array> {
    checkData(data);
    const backend = options.backend ?? 'node';
    if (backend === 'node') return nodeSign({ key: this.#key, profile: this.#profile, data });
    if (backend === 'webcrypto') {
      const der = this.#key.export({ type: 'pkcs8', format: 'der' });
      return webcryptoSign({ pkcs8: new Uint8Array(der), profile: this.#profile, data });
    }
    if (backend === 'noble') {
      if (this.algorithm !== 'ed25519') {
        throw new KeyError(
          'ERR_UNSUPPORTED_ALGORITHM',
          `the noble backend cannot sign with ${this.algorithm} keys`,
        );
      }
      const d = this.#key.export({ format: 'jwk' }).d ?? '';
      return nobleSign({ seed: decodeBase64(d, 'd'), data });
    }
    throw new UsageError('ERR_USAGE', `unknown crypto backend ${JSON.stringify(backend)}`);
  }

  /**
   * PKCS#8 PEM; with a passphrase, `ENCRYPTED PRIVATE KEY` (PBES2, AES-256-CBC, via node:crypto).
   *
   * @example
   * ```ts
   * const pem = key.toPkcs8Pem({ passphrase: 'correct horse' });
   * ```
   */
  toPkcs8Pem(options: { readonly passphrase?: string } = {}): string {
    if (options.passphrase === undefined) return String(this.#key.export({ type: 'pkcs8', format: 'pem' }));
    return String(
      this.#key.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: options.passphrase,
      }),
    );
  }

  /**
   * cosign's `ENCRYPTED SIGSTORE PRIVATE KEY` PEM (scrypt N=65536 r=8 p=1 + NaCl secretbox over PKCS#8),
   * which `cosign sign --key` and `parsePrivateKey` both read.
   *
   * @example
   * ```ts
   * const pem = await key.toCosignPem('hello');
   * ```
   */
  async toCosignPem(password: string | Uint8Array): Promise<string> {
    if (typeof password !== 'string' && !(password instanceof Uint8Array)) {
      throw new UsageError('ERR_USAGE', `password must be a string or bytes, found ${describe(password)}`);
    }
    const der = this.#key.export({ type: 'pkcs8', format: 'der' });
    const body = await encryptCosignKey({ pkcs8: new Uint8Array(der), password });
    return encodePem(COSIGN_PEM_LABEL, body);
  }

  toJSON(): { algorithm: KeyAlgorithm; keyId: string } {
    return { algorithm: this.algorithm, keyId: this.keyId };
  }

  toString(): string {
    return `PrivateKey(${this.algorithm} ${this.keyId})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

const PROBE = new TextEncoder().encode('vouch pairwise consistency check');

// OpenSSL keeps the public point a SEC1 key or an EC JWK states without checking it against the private
// scalar, and signs RSA with whatever CRT values the file holds (a faulty CRT signature leaks the factors).
// One sign + verify proves the key id names the key that signs, before any signature leaves this process.
function assertPairwiseConsistent(key: KeyObject, profile: KeyProfile, publicKey: PublicKey): void {
  let ok = false;
  try {
    ok = publicKey.verifySync(PROBE, nodeSign({ key, profile, data: PROBE }));
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ParseError('ERR_MALFORMED_KEY', [
      { path: 'privateKey', message: 'is inconsistent: its public key does not match its private key' },
    ]);
  }
}

function checkData(data: unknown): void {
  if (!(data instanceof Uint8Array))
    throw new UsageError('ERR_USAGE', `data must be a Uint8Array, found ${describe(data)}`);
}

const PUBLIC_LABELS: ReadonlySet<string> = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);
const DER_PRIVATE_LABELS: ReadonlySet<string> = new Set([
  'PRIVATE KEY',
  'EC PRIVATE KEY',
  'RSA PRIVATE KEY',
  'ENCRYPTED PRIVATE KEY',
]);

function publicGiven(): KeyError {
  return new KeyError('ERR_UNSUPPORTED_KEY', 'a public key was given where a private key is needed');
}

function passwordRequired(label: string): KeyError {
  return new KeyError('ERR_PASSWORD_REQUIRED', `the ${label} needs a password`);
}

/**
 * Parses a private key: PEM `PRIVATE KEY` (PKCS#8), `ENCRYPTED PRIVATE KEY`, `EC PRIVATE KEY` (SEC1),
 * `RSA PRIVATE KEY` (PKCS#1), cosign's `ENCRYPTED SIGSTORE PRIVATE KEY` / `ENCRYPTED COSIGN PRIVATE KEY`,
 * PKCS#8 DER bytes, or a private JWK. Then applies the key policy.
 * Errors: `ERR_MALFORMED_KEY` (not a key, or a cosign key whose plaintext is not PKCS#8),
 * `ERR_PASSWORD_REQUIRED`, `ERR_KEY_DECRYPT` (wrong password), `ERR_UNSUPPORTED_KEY` (a public key, or a
 * type/curve/size outside the policy).
 *
 * @example
 * ```ts
 * const key = await parsePrivateKey(readFileSync('cosign.key', 'utf8'), { password: 'hello' });
 * ```
 */
export async function parsePrivateKey(
  input: string | Uint8Array | object,
  options: { readonly password?: string | Uint8Array } = {},
): Promise<PrivateKey> {
  const field = 'privateKey';
  const { password } = options;
  if (password !== undefined && typeof password !== 'string' && !(password instanceof Uint8Array)) {
    throw new UsageError('ERR_USAGE', `password must be a string or bytes, found ${describe(password)}`);
  }
  const routed = classifyKeyInput(input, field);
  if (routed.kind === 'der') {
    const der = routed.der;
    assertOneDerSequence(der, field);
    return new PrivateKey(
      importWithNode(field, 'PKCS#8 DER private key', () =>
        createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
      ),
    );
  }
  if (routed.kind === 'jwk') {
    const jwk = copyJwk(routed.jwk, field);
    if (jwk.d === undefined) throw publicGiven();
    return new PrivateKey(
      importWithNode(field, 'JWK private key', () => createPrivateKey({ key: jwk, format: 'jwk' })),
    );
  }
  const block = decodePem(routed.text, field);
  const der = Buffer.from(block.der);
  const label = block.label;
  if (block.headers.size > 0) {
    if (block.headers.has('Proc-Type')) {
      throw new KeyError(
        'ERR_UNSUPPORTED_KEY',
        'legacy PEM encryption (Proc-Type header) is not supported; convert the key to encrypted PKCS#8',
      );
    }
    throw new ParseError('ERR_MALFORMED_KEY', [
      { path: field, message: 'invalid PEM block: unexpected headers' },
    ]);
  }
  if (PUBLIC_LABELS.has(label)) throw publicGiven();
  if (DER_PRIVATE_LABELS.has(label)) assertOneDerSequence(der, field);
  switch (label) {
    case 'PRIVATE KEY':
      return new PrivateKey(
        importWithNode(field, 'PKCS#8 private key', () =>
          createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
        ),
      );
    case 'EC PRIVATE KEY':
      return new PrivateKey(
        importWithNode(field, 'SEC1 EC private key', () =>
          createPrivateKey({ key: der, format: 'der', type: 'sec1' }),
        ),
      );
    case 'RSA PRIVATE KEY':
      return new PrivateKey(
        importWithNode(field, 'PKCS#1 RSA private key', () =>
          createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }),
        ),
      );
    case 'ENCRYPTED PRIVATE KEY': {
      if (password === undefined) throw passwordRequired('encrypted PKCS#8 key');
      let key: KeyObject;
      try {
        key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8', passphrase: Buffer.from(password) });
      } catch (cause) {
        // With a password given, OpenSSL cannot tell a wrong password from a corrupt ciphertext.
        throw new KeyError(
          'ERR_KEY_DECRYPT',
          'could not decrypt the private key: wrong password or corrupted file',
          {
            cause,
          },
        );
      }
      return new PrivateKey(key);
    }
    case 'ENCRYPTED SIGSTORE PRIVATE KEY':
    case 'ENCRYPTED COSIGN PRIVATE KEY': {
      if (password === undefined) throw passwordRequired('cosign key');
      const plain = Buffer.from(await decryptCosignKey({ body: block.der, password, field }));
      assertOneDerSequence(plain, field);
      // cosign parses the decrypted bytes as PKCS#8 only (x509.ParsePKCS8PrivateKey); so do we.
      const key = importWithNode(field, 'cosign key: the decrypted key is not PKCS#8', () =>
        createPrivateKey({ key: plain, format: 'der', type: 'pkcs8' }),
      );
      return new PrivateKey(key);
    }
    default:
      throw new KeyError('ERR_UNSUPPORTED_KEY', `PEM block "${label}" is not a private key`);
  }
}

/**
 * Generates a signing key pair (default ECDSA P-256, as cosign). RSA is never generated.
 *
 * @example
 * ```ts
 * const key = generateKeyPair({ algorithm: 'ed25519' });
 * ```
 */
export function generateKeyPair(options: { readonly algorithm?: GeneratedKeyAlgorithm } = {}): PrivateKey {
  const algorithm = options.algorithm ?? 'ecdsa-p256';
  switch (algorithm) {
    case 'ed25519':
      return new PrivateKey(generateKeyPairSync('ed25519').privateKey);
    case 'ecdsa-p256':
      return new PrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    case 'ecdsa-p384':
      return new PrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey);
    default:
      throw new UsageError(
        'ERR_USAGE',
        `cannot generate ${JSON.stringify(algorithm)} keys (ed25519, ecdsa-p256, ecdsa-p384)`,
      );
  }
}
