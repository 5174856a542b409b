// cosign's encrypted private-key format (go-securesystemslib `encrypted`): scrypt + NaCl secretbox around PKCS#8.
import { randomBytes, scrypt } from 'node:crypto';
import { decodeBase64, encodeBase64, utf8 } from '../encoding.js';
import { KeyError, ParseError } from '../errors.js';
import { IssueCollector, isObject, joinPath, parseJson } from '../json.js';
import { keyText } from './input.js';

/** The PEM label cosign writes today; `ENCRYPTED COSIGN PRIVATE KEY` is the older one (read only). */
export const COSIGN_PEM_LABEL = 'ENCRYPTED SIGSTORE PRIVATE KEY';

/** The scrypt parameters vouch writes (cosign's). */
export const COSIGN_SCRYPT = Object.freeze({ N: 65536, r: 8, p: 1 });

// Bounds on what a file may ask for, so a hostile key cannot make us allocate or spin without end.
const MAX_LOG2_N = 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_SCRYPT_MEMORY = 2 ** 30; // 128 * N * r bytes: N = 2^20 with r = 8 is the largest allowed.
const MAX_SALT = 1024;

interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** A decoded (not yet decrypted) cosign key document. */
interface CosignDocument {
  readonly params: ScryptParams;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function toBytes(password: string | Uint8Array): Uint8Array {
  return typeof password === 'string' ? utf8(password) : password;
}

function deriveKey(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  const maxmem = 128 * params.N * params.r + 128 * params.r * params.p + 2 ** 24;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N: params.N, r: params.r, p: params.p, maxmem }, (err, key) => {
      if (err) reject(err);
      else resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength));
    });
  });
}

function parseDocument(body: Uint8Array, field: string): CosignDocument {
  const doc = parseJson(keyText(body, field), field, 'ERR_MALFORMED_KEY');
  const issues = new IssueCollector();
  if (!isObject(doc)) {
    throw new ParseError('ERR_MALFORMED_KEY', [{ path: field, message: 'must hold a JSON object' }]);
  }
  const bytes = (value: string | undefined, path: string): Uint8Array | undefined => {
    if (value === undefined) return undefined;
    try {
      return decodeBase64(value, path);
    } catch {
      issues.add(path, 'is not base64');
      return undefined;
    }
  };
  const kdf = issues.object(doc, 'kdf', field);
  const cipher = issues.object(doc, 'cipher', field);
  const ciphertext = bytes(issues.string(doc, 'ciphertext', field), joinPath(field, 'ciphertext'));
  let params: ScryptParams | undefined;
  let salt: Uint8Array | undefined;
  if (kdf !== undefined) {
    const kdfPath = joinPath(field, 'kdf');
    const name = issues.string(kdf, 'name', kdfPath);
    if (name !== undefined && name !== 'scrypt') {
      issues.add(joinPath(kdfPath, 'name'), `must be "scrypt", found ${JSON.stringify(name)}`);
    }
    salt = bytes(issues.string(kdf, 'salt', kdfPath), joinPath(kdfPath, 'salt'));
    if (salt !== undefined && (salt.length === 0 || salt.length > MAX_SALT)) {
      issues.add(joinPath(kdfPath, 'salt'), `must be 1 to ${MAX_SALT} bytes, found ${salt.length}`);
    }
    const p = issues.object(kdf, 'params', kdfPath);
    if (p !== undefined) params = scryptParams(p, joinPath(kdfPath, 'params'), issues);
  }
  let nonce: Uint8Array | undefined;
  if (cipher !== undefined) {
    const cipherPath = joinPath(field, 'cipher');
    const name = issues.string(cipher, 'name', cipherPath);
    if (name !== undefined && name !== 'nacl/secretbox') {
      issues.add(joinPath(cipherPath, 'name'), `must be "nacl/secretbox", found ${JSON.stringify(name)}`);
    }
    nonce = bytes(issues.string(cipher, 'nonce', cipherPath), joinPath(cipherPath, 'nonce'));
    if (nonce !== undefined && nonce.length !== 24) {
      issues.add(joinPath(cipherPath, 'nonce'), `must be 24 bytes, found ${nonce.length}`);
    }
  }
  if (ciphertext !== undefined && ciphertext.length < 16) {
    issues.add(
      joinPath(field, 'ciphertext'),
      `must hold at least the 16-byte tag, found ${ciphertext.length} bytes`,
    );
  }
  issues.throwIfAny('ERR_MALFORMED_KEY');
  if (params === undefined || salt === undefined || nonce === undefined || ciphertext === undefined) {
    throw new ParseError('ERR_MALFORMED_KEY', [{ path: field, message: 'is incomplete' }]);
  }
  return { params, salt, nonce, ciphertext };
}

function scryptParams(
  p: Record<string, unknown>,
  path: string,
  issues: IssueCollector,
): ScryptParams | undefined {
  const int = (key: string, ok: (n: number) => boolean, want: string): number | undefined => {
    const v = p[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || !ok(v)) {
      issues.add(joinPath(path, key), `must be ${want}, found ${JSON.stringify(v) ?? 'nothing'}`);
      return undefined;
    }
    return v;
  };
  const N = int(
    'N',
    (n) => n >= 2 && n <= 2 ** MAX_LOG2_N && (n & (n - 1)) === 0,
    `a power of two from 2 to 2^${MAX_LOG2_N}`,
  );
  const r = int('r', (n) => n >= 1 && n <= MAX_R, `an integer from 1 to ${MAX_R}`);
  const pp = int('p', (n) => n >= 1 && n <= MAX_P, `an integer from 1 to ${MAX_P}`);
  if (N === undefined || r === undefined || pp === undefined) return undefined;
  if (128 * N * r > MAX_SCRYPT_MEMORY) {
    issues.add(path, `N * r asks for ${128 * N * r} bytes of scrypt memory (at most ${MAX_SCRYPT_MEMORY})`);
    return undefined;
  }
  return { N, r, p: pp };
}

// Loaded on first use: only key files need it, so verification never pays its start-up cost.
function secretbox(): Promise<typeof import('@noble/ciphers/salsa.js')> {
  return import('@noble/ciphers/salsa.js');
}

/**
 * Decrypts the body (the base64-decoded PEM bytes: a JSON document) of a cosign encrypted key and returns
 * the plaintext, which cosign requires to be PKCS#8. Malformed documents and out-of-bounds scrypt
 * parameters are `ERR_MALFORMED_KEY`; a failed secretbox tag (wrong password) is `ERR_KEY_DECRYPT`.
 *
 * @example
 * ```ts
 * const pkcs8 = await decryptCosignKey({ body: decodePem(text, 'key').der, password: 'hello' });
 * ```
 */
export async function decryptCosignKey(options: {
  readonly body: Uint8Array;
  readonly password: string | Uint8Array;
  readonly field?: string;
}): Promise<Uint8Array> {
  const doc = parseDocument(options.body, options.field ?? 'privateKey');
  const key = await deriveKey(toBytes(options.password), doc.salt, doc.params);
  const { xsalsa20poly1305 } = await secretbox();
  try {
    return xsalsa20poly1305(key, doc.nonce).decrypt(doc.ciphertext);
  } catch (cause) {
    throw new KeyError(
      'ERR_KEY_DECRYPT',
      'could not decrypt the private key: wrong password or corrupted file',
      {
        cause,
      },
    );
  }
}

/**
 * Encrypts PKCS#8 DER as cosign does (scrypt N=65536 r=8 p=1, random 32-byte salt and 24-byte nonce,
 * NaCl secretbox) and returns the `ENCRYPTED SIGSTORE PRIVATE KEY` document bytes (JSON), to be PEM-armoured.
 *
 * @example
 * ```ts
 * const body = await encryptCosignKey({ pkcs8, password: 'hello' });
 * ```
 */
export async function encryptCosignKey(options: {
  readonly pkcs8: Uint8Array;
  readonly password: string | Uint8Array;
}): Promise<Uint8Array> {
  const salt = new Uint8Array(randomBytes(32));
  const nonce = new Uint8Array(randomBytes(24));
  const key = await deriveKey(toBytes(options.password), salt, COSIGN_SCRYPT);
  const { xsalsa20poly1305 } = await secretbox();
  const ciphertext = xsalsa20poly1305(key, nonce).encrypt(options.pkcs8);
  const doc = {
    kdf: { name: 'scrypt', params: { ...COSIGN_SCRYPT }, salt: encodeBase64(salt) },
    cipher: { name: 'nacl/secretbox', nonce: encodeBase64(nonce) },
    ciphertext: encodeBase64(ciphertext),
  };
  return utf8(JSON.stringify(doc));
}
