// Public keys: parsing (PEM, DER, JWK) under the key policy, the prepared PublicKey, and signature verification.
import { createHash, createPublicKey, type KeyObject, type webcrypto } from 'node:crypto';
import type { JWK } from 'jose';
import { KeyError, ParseError, UsageError } from '../errors.js';
import { describe } from '../json.js';
import { nobleVerify } from './backend-noble.js';
import { nodeVerify } from './backend-node.js';
import { webcryptoImportPublic, webcryptoVerify } from './backend-webcrypto.js';
import { ecdsaDerToP1363 } from './ecdsa-signature.js';
import { classifyKeyInput, copyJwk, importWithNode } from './input.js';
import { assertOneDerSequence, decodePem, encodePem } from './pem.js';
import { type KeyProfile, profileKey } from './policy.js';
import type { CryptoBackendName, KeyAlgorithm, SignatureScheme, VerifyOptions } from './types.js';

/** How an ECDSA signature is encoded: strict DER, IEEE P1363 r||s, or whichever of the two it is. */
export type SignatureEncoding = 'der' | 'p1363' | 'auto';

/** Backends that can check each key algorithm. */
const BACKENDS: Readonly<Record<CryptoBackendName, ReadonlySet<KeyAlgorithm>>> = {
  node: new Set(['ed25519', 'ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'rsa']),
  webcrypto: new Set(['ed25519', 'ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'rsa']),
  noble: new Set(['ed25519']),
};

// The DER prefix of every Ed25519 SPKI (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (33) }.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// SPKI DER that node:crypto would export unchanged: the named-curve / Ed25519 header, then the uncompressed point
// or raw key. DER read from input in exactly this form is kept as the key's SPKI instead of exported again
// (node's export re-encodes through OpenSSL and cost as much as the import). Anything else is exported.
const CANONICAL_SPKI: Readonly<
  Partial<Record<KeyAlgorithm, { readonly prefix: Buffer; readonly length: number }>>
> = {
  ed25519: { prefix: ED25519_SPKI_PREFIX, length: 44 },
  'ecdsa-p256': {
    prefix: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex'),
    length: 91,
  },
  'ecdsa-p384': {
    prefix: Buffer.from('3076301006072a8648ce3d020106052b8104002203620004', 'hex'),
    length: 120,
  },
  'ecdsa-p521': {
    prefix: Buffer.from('30819b301006072a8648ce3d020106052b810400230381860004', 'hex'),
    length: 158,
  },
};

/** DER a KeyObject was just imported from (a private copy), offered to the constructor to skip an export. */
const importedFrom = new WeakMap<KeyObject, Uint8Array>();

function canonicalSpki(profile: KeyProfile, der: Uint8Array | undefined): Uint8Array | undefined {
  const form = CANONICAL_SPKI[profile.algorithm];
  if (der === undefined || form === undefined || der.length !== form.length) return undefined;
  return Buffer.from(der.buffer, der.byteOffset, form.prefix.length).equals(form.prefix) ? der : undefined;
}

interface Internals {
  readonly node: KeyObject;
  readonly profile: KeyProfile;
  readonly spki: Uint8Array;
  web: Promise<webcrypto.CryptoKey> | undefined;
}

let internalsOf: (key: PublicKey) => Internals;

/**
 * A public key, prepared once: the node:crypto KeyObject, its policy profile and its key id.
 * Build one with `parsePublicKey`; the constructor takes a node:crypto KeyObject (a private one gives its public half).
 *
 * @example
 * ```ts
 * const key = parsePublicKey(pem);
 * if (!key.verifySync(data, signature)) throw new Error('bad signature');
 * console.log(key.algorithm, key.keyId);
 * ```
 */
export class PublicKey {
  readonly algorithm: KeyAlgorithm;
  readonly scheme: SignatureScheme;
  /** Lowercase hex SHA-256 of the SPKI DER. */
  readonly keyId: string;
  /** Curve bits (Ed25519: 256) or RSA modulus bits. */
  readonly bits: number;
  readonly #i: Internals;

  static {
    internalsOf = (key) => key.#i;
  }

  constructor(key: KeyObject) {
    if (key.type === 'secret')
      throw new UsageError('ERR_USAGE', 'a secret (symmetric) key is not a public key');
    const pub = key.type === 'private' ? createPublicKey(key) : key;
    const profile = profileKey(pub);
    const spki = canonicalSpki(profile, importedFrom.get(pub)) ?? exportSpki(pub);
    this.algorithm = profile.algorithm;
    this.scheme = profile.scheme;
    this.bits = profile.bits;
    this.keyId = computeKeyId(spki);
    this.#i = { node: pub, profile, spki, web: undefined };
    Object.freeze(this);
  }

  /** The SubjectPublicKeyInfo DER (a fresh copy). */
  get spki(): Uint8Array {
    return this.#i.spki.slice();
  }

  /**
   * Verifies `signature` over `data` with this key's scheme (ECDSA: DER or P1363). A malformed or wrong
   * signature is `false`; `options.backend` selects the implementation.
   *
   * @example
   * ```ts
   * if (!(await key.verify(pae, sig))) throw new VerificationError('ERR_SIGNATURE_INVALID', '...');
   * ```
   */
  verify(data: Uint8Array, signature: Uint8Array, options: VerifyOptions = {}): Promise<boolean> {
    return verifySignature({
      key: this,
      data,
      signature,
      encoding: 'auto',
      ...(options.backend === undefined ? {} : { backend: options.backend }),
    });
  }

  /**
   * Synchronous node:crypto verification (the fast path), same verdicts as `verify`.
   *
   * @example
   * ```ts
   * const ok = key.verifySync(data, signature);
   * ```
   */
  verifySync(data: Uint8Array, signature: Uint8Array): boolean {
    checkBytes(data, signature);
    const i = this.#i;
    const sig = prepareSignature(i.profile, signature, 'auto');
    if (sig === undefined) return false;
    if (nodeVerify({ key: i.node, profile: i.profile, data, signature: sig.bytes, encoding: sig.encoding })) {
      return true;
    }
    return sig.alternative !== undefined && nodeVerifyAlternative(i, data, sig.alternative);
  }

  /**
   * The key as an SPKI `PUBLIC KEY` PEM block.
   *
   * @example
   * ```ts
   * writeFileSync('cosign.pub', key.toPem());
   * ```
   */
  toPem(): string {
    return encodePem('PUBLIC KEY', this.#i.spki);
  }

  /**
   * The key as a public JWK (via jose).
   *
   * @example
   * ```ts
   * const jwk = await key.toJwk(); // { kty: 'EC', crv: 'P-256', x, y }
   * ```
   */
  async toJwk(): Promise<JWK> {
    // jose is loaded on first use: verification never needs it, and it is a large share of start-up.
    const { exportJWK } = await import('jose');
    return exportJWK(this.#i.node);
  }

  toJSON(): { algorithm: KeyAlgorithm; keyId: string; publicKey: string } {
    return { algorithm: this.algorithm, keyId: this.keyId, publicKey: this.toPem() };
  }

  toString(): string {
    return `PublicKey(${this.algorithm} ${this.keyId})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function exportSpki(key: KeyObject): Uint8Array {
  const der = key.export({ type: 'spki', format: 'der' });
  return new Uint8Array(der.buffer, der.byteOffset, der.byteLength);
}

function nodeVerifyAlternative(i: Internals, data: Uint8Array, p1363: Uint8Array): boolean {
  return nodeVerify({ key: i.node, profile: i.profile, data, signature: p1363, encoding: 'ieee-p1363' });
}

interface PreparedSignature {
  /** What the node backend gets. */
  readonly bytes: Uint8Array;
  readonly encoding: 'der' | 'ieee-p1363';
  /** What WebCrypto gets (P1363 for ECDSA, the bytes otherwise). */
  readonly web: Uint8Array;
  /** `auto` only: a DER-looking signature of exactly P1363 length is also tried as P1363. */
  readonly alternative?: Uint8Array;
}

// Length and encoding checks happen here, once, so every backend is handed the same bytes and agrees.
function prepareSignature(
  profile: KeyProfile,
  signature: Uint8Array,
  encoding: SignatureEncoding,
): PreparedSignature | undefined {
  if (profile.algorithm === 'ed25519') {
    return signature.length === 64 ? { bytes: signature, encoding: 'der', web: signature } : undefined;
  }
  if (profile.algorithm === 'rsa') {
    // RFC 8017 8.2.2 step 1: the signature is exactly as long as the modulus.
    return signature.length === Math.ceil(profile.bits / 8)
      ? { bytes: signature, encoding: 'der', web: signature }
      : undefined;
  }
  const size = profile.fieldBytes;
  const p1363Length = signature.length === 2 * size;
  if (encoding !== 'p1363') {
    const fromDer = ecdsaDerToP1363(signature, size);
    if (fromDer !== undefined) {
      // node gets the checked DER as is (no round trip through P1363); WebCrypto gets r||s.
      const base = { bytes: signature, encoding: 'der', web: fromDer } as const;
      return encoding === 'auto' && p1363Length ? { ...base, alternative: signature } : base;
    }
    if (encoding === 'der') return undefined;
  }
  return p1363Length ? { bytes: signature, encoding: 'ieee-p1363', web: signature } : undefined;
}

function checkBytes(data: unknown, signature: unknown): void {
  if (!(data instanceof Uint8Array))
    throw new UsageError('ERR_USAGE', `data must be a Uint8Array, found ${describe(data)}`);
  if (!(signature instanceof Uint8Array)) {
    throw new UsageError('ERR_USAGE', `signature must be a Uint8Array, found ${describe(signature)}`);
  }
}

/**
 * Verifies a signature with one backend and an explicit ECDSA encoding (`PublicKey.verify` uses `auto`).
 * `der` accepts only strict DER, `p1363` only r||s of twice the field size. Ed25519 signatures are 64 bytes
 * and RSA ones exactly the modulus length; anything else is `false`. RSA PKCS#1 v1.5 DigestInfo without
 * the NULL parameter (Wycheproof "MissingNull", marked acceptable) is rejected by every backend.
 * A backend that cannot do the key's algorithm is `ERR_UNSUPPORTED_ALGORITHM`.
 *
 * @example
 * ```ts
 * const ok = await verifySignature({ key, data, signature, encoding: 'p1363', backend: 'webcrypto' });
 * ```
 */
export async function verifySignature(options: {
  readonly key: PublicKey;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
  readonly encoding?: SignatureEncoding;
  readonly backend?: CryptoBackendName;
}): Promise<boolean> {
  const { key, data, signature } = options;
  if (!(key instanceof PublicKey))
    throw new UsageError('ERR_USAGE', 'key must be a PublicKey (see parsePublicKey)');
  checkBytes(data, signature);
  const backend = options.backend ?? 'node';
  const supported: ReadonlySet<KeyAlgorithm> | undefined = BACKENDS[backend];
  if (supported === undefined)
    throw new UsageError('ERR_USAGE', `unknown crypto backend ${JSON.stringify(backend)}`);
  if (!supported.has(key.algorithm)) {
    throw new KeyError(
      'ERR_UNSUPPORTED_ALGORITHM',
      `the ${backend} backend cannot verify ${key.algorithm} signatures`,
    );
  }
  const i = internalsOf(key);
  const sig = prepareSignature(i.profile, signature, options.encoding ?? 'auto');
  if (sig === undefined) return false;
  const one = async (
    bytes: Uint8Array,
    web: Uint8Array,
    encoding: 'der' | 'ieee-p1363',
  ): Promise<boolean> => {
    if (backend === 'node')
      return nodeVerify({ key: i.node, profile: i.profile, data, signature: bytes, encoding });
    if (backend === 'noble') {
      return nobleVerify({ publicKey: i.spki.subarray(ED25519_SPKI_PREFIX.length), data, signature: bytes });
    }
    i.web ??= webcryptoImportPublic({ spki: i.spki, profile: i.profile });
    return webcryptoVerify({ key: await i.web, profile: i.profile, data, signature: web });
  };
  if (await one(sig.bytes, sig.web, sig.encoding)) return true;
  return sig.alternative !== undefined && one(sig.alternative, sig.alternative, 'ieee-p1363');
}

/**
 * The key id vouch uses: lowercase hex SHA-256 of the SPKI DER.
 *
 * @example
 * ```ts
 * computeKeyId(key.spki) === key.keyId; // true
 * ```
 */
export function computeKeyId(spki: Uint8Array): string {
  if (!(spki instanceof Uint8Array))
    throw new UsageError('ERR_USAGE', `spki must be a Uint8Array, found ${describe(spki)}`);
  return createHash('sha256').update(spki).digest('hex');
}

/**
 * Parses a public key: PEM `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1), SPKI DER bytes, or a JWK
 * (object or JSON text). Garbage is `ERR_MALFORMED_KEY` naming `options.field` (default `publicKey`);
 * key types, curves and sizes outside the policy (Ed25519, ECDSA P-256/P-384/P-521, RSA 2048 to 4096)
 * are `ERR_UNSUPPORTED_KEY`.
 *
 * @example
 * ```ts
 * const key = parsePublicKey(readFileSync('cosign.pub', 'utf8'));
 * ```
 */
export function parsePublicKey(
  input: string | Uint8Array | object,
  options: { readonly field?: string } = {},
): PublicKey {
  const field = options.field ?? 'publicKey';
  const routed = classifyKeyInput(input, field);
  let key: KeyObject;
  if (routed.kind === 'der') {
    const der = routed.der;
    assertOneDerSequence(der, field);
    key = importWithNode(field, 'SPKI DER public key', () =>
      createPublicKey({ key: der, format: 'der', type: 'spki' }),
    );
    importedFrom.set(key, der);
  } else if (routed.kind === 'jwk') {
    const jwk = copyJwk(routed.jwk, field);
    if (jwk.d !== undefined) {
      throw new KeyError('ERR_UNSUPPORTED_KEY', 'a private key was given where a public key is expected');
    }
    key = importWithNode(field, 'JWK public key', () => createPublicKey({ key: jwk, format: 'jwk' }));
  } else {
    const block = decodePem(routed.text, field);
    const der = Buffer.from(block.der);
    if (block.headers.size > 0) {
      throw new ParseError('ERR_MALFORMED_KEY', [
        { path: field, message: 'invalid PEM block: unexpected headers' },
      ]);
    }
    if (block.label === 'PUBLIC KEY') {
      key = importWithNode(field, 'SPKI public key', () =>
        createPublicKey({ key: der, format: 'der', type: 'spki' }),
      );
      importedFrom.set(key, der);
    } else if (block.label === 'RSA PUBLIC KEY') {
      key = importWithNode(field, 'PKCS#1 RSA public key', () =>
        createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
      );
    } else if (block.label.endsWith('PRIVATE KEY')) {
      throw new KeyError('ERR_UNSUPPORTED_KEY', 'a private key was given where a public key is expected');
    } else {
      throw new KeyError(
        'ERR_UNSUPPORTED_KEY',
        `PEM block "${block.label}" is not a public key (expected PUBLIC KEY)`,
      );
    }
  }
  return new PublicKey(key);
}
