// RFC 6962 / RFC 9162 Merkle tree hashing and inclusion-proof verification (SHA-256), as transparency logs use them.
import { createHash } from 'node:crypto';
import { bytesEqual, encodeHex } from '../encoding.js';
import { VerificationError } from '../errors.js';

const HASH_SIZE = 32;
// A proof for a tree of at most 2^63 leaves (int64 tree sizes) has at most 63 hashes; more is never valid.
const MAX_PROOF_HASHES = 64;
const INT64_MAX = (1n << 63n) - 1n;

/**
 * The hash of a log leaf: SHA-256(0x00 || data) (RFC 9162 §2.1.1).
 *
 * @example
 * ```ts
 * const leaf = hashLeaf(entry.canonicalizedBody);
 * ```
 */
export function hashLeaf(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(Uint8Array.of(0)).update(data).digest());
}

/**
 * The hash of an interior node: SHA-256(0x01 || left || right) (RFC 9162 §2.1.1).
 *
 * @example
 * ```ts
 * const root = hashChildren(hashLeaf(a), hashLeaf(b)); // the root of a two-leaf tree
 * ```
 */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(Uint8Array.of(1)).update(left).update(right).digest());
}

/** What {@link verifyInclusionProof} checks: a leaf at `logIndex` in the tree of `treeSize` leaves with `rootHash`. */
export interface InclusionProofInput {
  readonly leafHash: Uint8Array;
  readonly logIndex: bigint;
  readonly treeSize: bigint;
  readonly hashes: readonly Uint8Array[];
  readonly rootHash: Uint8Array;
}

function fail(message: string): never {
  throw new VerificationError('ERR_TLOG_INCLUSION_PROOF', message);
}

/**
 * Verifies a Merkle audit path exactly as RFC 9162 §2.1.3.2 says: the path must lead from `leafHash` at
 * `logIndex` to `rootHash` in a tree of `treeSize` leaves, using every hash and ending at the root
 * (so a proof with a hash too many or too few fails). Every hash must be 32 bytes (SHA-256).
 *
 * @throws VerificationError `ERR_TLOG_INCLUSION_PROOF` saying which condition failed
 * @example
 * ```ts
 * verifyInclusionProof({ leafHash: hashLeaf(body), logIndex: 3n, treeSize: 7n, hashes, rootHash });
 * ```
 */
export function verifyInclusionProof(input: InclusionProofInput): void {
  const { leafHash, logIndex, treeSize, hashes, rootHash } = input;
  if (treeSize < 1n || treeSize > INT64_MAX) fail(`treeSize must be in 1..2^63-1, found ${treeSize}`);
  if (logIndex < 0n || logIndex >= treeSize) {
    fail(`logIndex must be less than treeSize ${treeSize}, found ${logIndex}`);
  }
  if (leafHash.length !== HASH_SIZE)
    fail(`the leaf hash must be ${HASH_SIZE} bytes, found ${leafHash.length}`);
  if (rootHash.length !== HASH_SIZE) fail(`rootHash must be ${HASH_SIZE} bytes, found ${rootHash.length}`);
  if (hashes.length > MAX_PROOF_HASHES)
    fail(`the proof holds ${hashes.length} hashes, more than any tree needs`);
  let fn = logIndex;
  let sn = treeSize - 1n;
  let r = leafHash;
  for (const [i, p] of hashes.entries()) {
    if (p.length !== HASH_SIZE) fail(`hashes[${i}] must be ${HASH_SIZE} bytes, found ${p.length}`);
    if (sn === 0n) fail(`the proof has ${hashes.length} hashes, more than the path to the root (${i})`);
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashChildren(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) fail(`the proof has ${hashes.length} hashes, fewer than the path to the root needs`);
  if (!bytesEqual(r, rootHash)) {
    fail(`the computed root hash ${encodeHex(r)} does not equal rootHash ${encodeHex(rootHash)}`);
  }
}
