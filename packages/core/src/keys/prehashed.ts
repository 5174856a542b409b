// Verifying a signature given only the message's digest (Sigstore's verify-by-digest): ECDSA and RSA PKCS#1 v1.5.
import { constants, createPublicKey, publicDecrypt } from 'node:crypto';
import { createRequire } from 'node:module';
import { UsageError } from '../errors.js';
import { ecdsaDerToP1363 } from './ecdsa-signature.js';
import type { PublicKey } from './public-key.js';

/** Digest algorithms a prehashed signature may use. */
export type PrehashAlgorithm = 'sha256' | 'sha384' | 'sha512';

const DIGEST_SIZE: Readonly<Record<PrehashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

// DER of DigestInfo's AlgorithmIdentifier prefix (RFC 8017 §9.2 note 1), the digest follows.
const DIGEST_INFO_PREFIX: Readonly<Record<PrehashAlgorithm, Buffer>> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

type Nist = typeof import('@noble/curves/nist.js');
type Curve = Nist['p256'] | Nist['p384'] | Nist['p521'];
let nist: Nist | undefined;

// Loaded on first use (synchronously: this API is sync; Node >= 22.12 requires ES modules): verify-by-digest is
// rare, and @noble/curves would otherwise be a large share of every process's start-up.
function curveOf(algorithm: 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521'): readonly [Curve, number] {
  const loaded: Nist = nist ?? createRequire(import.meta.url)('@noble/curves/nist.js');
  nist = loaded;
  if (algorithm === 'ecdsa-p256') return [loaded.p256, 32];
  if (algorithm === 'ecdsa-p384') return [loaded.p384, 48];
  return [loaded.p521, 66];
}

// node:crypto has no prehashed ECDSA verify, so the point is handed to @noble/curves; prepared once per key.
const points = new WeakMap<PublicKey, Uint8Array>();

function ecPoint(key: PublicKey, size: number): Uint8Array {
  let point = points.get(key);
  if (point === undefined) {
    const jwk = createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' }).export({
      format: 'jwk',
    });
    const x = Buffer.from(jwk.x ?? '', 'base64url');
    const y = Buffer.from(jwk.y ?? '', 'base64url');
    point = new Uint8Array(1 + 2 * size);
    point[0] = 4;
    point.set(x, 1 + size - x.length);
    point.set(y, 1 + 2 * size - y.length);
    points.set(key, point);
  }
  return point;
}

/**
 * Verifies `signature` over a message known only by its `digest` (computed with `hash`). ECDSA signatures may be
 * DER or IEEE P1363; RSA is PKCS#1 v1.5 with the DigestInfo checked exactly. Ed25519 signs the message itself, so
 * it cannot be verified from a digest: that is a `UsageError` (`ERR_UNSUPPORTED_ALGORITHM`). A bad signature is
 * `false`, never an exception.
 *
 * @example
 * ```ts
 * const ok = verifyDigestSignature({ key, digest: sha256(artifact), hash: 'sha256', signature });
 * ```
 */
export function verifyDigestSignature(options: {
  readonly key: PublicKey;
  readonly digest: Uint8Array;
  readonly hash: PrehashAlgorithm;
  readonly signature: Uint8Array;
}): boolean {
  const { key, digest, hash, signature } = options;
  if (digest.length !== DIGEST_SIZE[hash]) return false;
  if (key.algorithm === 'ed25519') {
    throw new UsageError(
      'ERR_UNSUPPORTED_ALGORITHM',
      'an Ed25519 signature covers the message itself: verify it with the artifact, not its digest',
    );
  }
  if (key.algorithm === 'rsa') {
    let decoded: Buffer;
    try {
      decoded = publicDecrypt(
        {
          key: createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' }),
          padding: constants.RSA_PKCS1_PADDING,
        },
        signature,
      );
    } catch {
      return false;
    }
    return decoded.equals(Buffer.concat([DIGEST_INFO_PREFIX[hash], digest]));
  }
  const [curve, size] = curveOf(key.algorithm);
  const point = ecPoint(key, size);
  // Strict DER first; r||s of exactly twice the field size as the alternative (as PublicKey.verify does).
  const candidates = [
    ecdsaDerToP1363(signature, size),
    signature.length === 2 * size ? signature : undefined,
  ];
  return candidates.some((p1363) => {
    if (p1363 === undefined) return false;
    try {
      return curve.verify(p1363, digest, point, { prehash: false, lowS: false, format: 'compact' });
    } catch {
      return false;
    }
  });
}
