// Merkle inclusion proofs: trees built here by the RFC 6962 §2.1 definitions, known roots, and mutations.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeHex } from '../../src/encoding.js';
import { VerificationError } from '../../src/errors.js';
import { hashChildren, hashLeaf, verifyInclusionProof } from '../../src/sigstore/merkle.js';

/** MTH(D[n]) of leaf hashes, straight from the recursive definition. */
function mth(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(createHash('sha256').digest());
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

interface Step {
  readonly hash: Uint8Array;
  readonly side: 'L' | 'R';
}

/** PATH(m, D[n]) with the side of each sibling, leaf upwards. */
function auditPath(m: number, leaves: readonly Uint8Array[]): Step[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  if (m < k) return [...auditPath(m, leaves.slice(0, k)), { hash: mth(leaves.slice(k)), side: 'R' }];
  return [...auditPath(m - k, leaves.slice(k)), { hash: mth(leaves.slice(0, k)), side: 'L' }];
}

const shape = (steps: readonly Step[]): string => steps.map((s) => s.side).join('');

function leavesOf(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf ${i}`)));
}

function accepts(input: Parameters<typeof verifyInclusionProof>[0]): boolean {
  try {
    verifyInclusionProof(input);
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(VerificationError);
    expect((e as VerificationError).code).toBe('ERR_TLOG_INCLUSION_PROOF');
    return false;
  }
}

// The eight leaves of the certificate-transparency / trillian reference tests and the root of each prefix.
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('Merkle tree hashing', () => {
  it('reproduces the RFC 6962 reference roots of the CT test tree', () => {
    const leaves = CT_LEAVES.map((h) => hashLeaf(Buffer.from(h, 'hex')));
    CT_ROOTS.forEach((root, i) => {
      expect(encodeHex(mth(leaves.slice(0, i + 1)))).toBe(root);
    });
  });

  it('verifies the reference proof of leaf 0 in the eight-leaf tree', () => {
    const leaves = CT_LEAVES.map((h) => hashLeaf(Buffer.from(h, 'hex')));
    const hashes = [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ].map((h) => new Uint8Array(Buffer.from(h, 'hex')));
    expect(auditPath(0, leaves).map((s) => encodeHex(s.hash))).toEqual(hashes.map(encodeHex));
    const rootHash = new Uint8Array(Buffer.from(CT_ROOTS[7] ?? '', 'hex'));
    expect(accepts({ leafHash: leaves[0] as Uint8Array, logIndex: 0n, treeSize: 8n, hashes, rootHash })).toBe(
      true,
    );
  });
});

describe('verifyInclusionProof', () => {
  const MAX = 40;
  const trees = Array.from({ length: MAX + 2 }, (_, n) => leavesOf(n));

  it('accepts every leaf of every tree of 1 to 40 leaves', () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      const leaves = trees[n] ?? [];
      const rootHash = mth(leaves);
      for (let m = 0; m < n; m++) {
        const hashes = auditPath(m, leaves).map((s) => s.hash);
        verifyInclusionProof({
          leafHash: leaves[m] as Uint8Array,
          logIndex: BigInt(m),
          treeSize: BigInt(n),
          hashes,
          rootHash,
        });
        checked++;
      }
    }
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it('refuses a flipped bit in any proof hash, the leaf or the root', () => {
    for (let n = 2; n <= 24; n++) {
      const leaves = trees[n] ?? [];
      const rootHash = mth(leaves);
      for (let m = 0; m < n; m++) {
        const hashes = auditPath(m, leaves).map((s) => s.hash);
        const leafHash = leaves[m] as Uint8Array;
        const base = { leafHash, logIndex: BigInt(m), treeSize: BigInt(n), hashes, rootHash };
        hashes.forEach((h, i) => {
          const bad = h.slice();
          bad[(i * 7 + m) % 32] = (bad[(i * 7 + m) % 32] ?? 0) ^ (1 << (i % 8));
          expect(accepts({ ...base, hashes: hashes.map((x, j) => (j === i ? bad : x)) })).toBe(false);
        });
        const badLeaf = leafHash.slice();
        badLeaf[0] = (badLeaf[0] ?? 0) ^ 0x80;
        expect(accepts({ ...base, leafHash: badLeaf })).toBe(false);
        const badRoot = rootHash.slice();
        badRoot[31] = (badRoot[31] ?? 0) ^ 1;
        expect(accepts({ ...base, rootHash: badRoot })).toBe(false);
      }
    }
  });

  it('refuses another index, and another size exactly when the audit path has another shape', () => {
    for (let n = 1; n <= 24; n++) {
      const leaves = trees[n] ?? [];
      const rootHash = mth(leaves);
      for (let m = 0; m < n; m++) {
        const path = auditPath(m, leaves);
        const base = {
          leafHash: leaves[m] as Uint8Array,
          logIndex: BigInt(m),
          treeSize: BigInt(n),
          hashes: path.map((s) => s.hash),
          rootHash,
        };
        for (const other of [m - 1, m + 1, m + 2, n, n + 5]) {
          if (other < 0 || other === m) continue;
          expect(accepts({ ...base, logIndex: BigInt(other) })).toBe(false);
        }
        for (const size of [n - 1, n + 1, n + 2, 2 * n]) {
          if (size < 1) continue;
          // The computation does not bind the size: a size whose path for m has the same shape yields the same
          // root (the checkpoint binds the size); every other size must fail.
          const same = m < size && shape(auditPath(m, leavesOf(size))) === shape(path);
          expect(accepts({ ...base, treeSize: BigInt(size) })).toBe(same);
        }
      }
    }
  });

  it('refuses a hash too many or too few', () => {
    for (let n = 1; n <= 20; n++) {
      const leaves = trees[n] ?? [];
      const rootHash = mth(leaves);
      for (let m = 0; m < n; m++) {
        const hashes = auditPath(m, leaves).map((s) => s.hash);
        const base = {
          leafHash: leaves[m] as Uint8Array,
          logIndex: BigInt(m),
          treeSize: BigInt(n),
          hashes,
          rootHash,
        };
        expect(accepts({ ...base, hashes: [...hashes, rootHash] })).toBe(false);
        if (hashes.length > 0) expect(accepts({ ...base, hashes: hashes.slice(0, -1) })).toBe(false);
      }
    }
  });

  it('refuses bad sizes, indexes and hash lengths with ERR_TLOG_INCLUSION_PROOF', () => {
    const leaves = trees[5] ?? [];
    const rootHash = mth(leaves);
    const hashes = auditPath(2, leaves).map((s) => s.hash);
    const base = { leafHash: leaves[2] as Uint8Array, logIndex: 2n, treeSize: 5n, hashes, rootHash };
    expect(accepts(base)).toBe(true);
    expect(accepts({ ...base, treeSize: 0n, logIndex: 0n })).toBe(false);
    expect(accepts({ ...base, logIndex: -1n })).toBe(false);
    expect(accepts({ ...base, logIndex: 5n })).toBe(false);
    expect(accepts({ ...base, treeSize: 1n << 63n })).toBe(false);
    expect(accepts({ ...base, rootHash: rootHash.slice(0, 31) })).toBe(false);
    expect(accepts({ ...base, leafHash: new Uint8Array(33) })).toBe(false);
    expect(accepts({ ...base, hashes: hashes.map((h, i) => (i === 0 ? h.slice(0, 16) : h)) })).toBe(false);
    expect(accepts({ ...base, hashes: Array.from({ length: 65 }, () => rootHash) })).toBe(false);
  });

  it('accepts a single-leaf tree only with an empty proof whose root is the leaf hash', () => {
    const leaf = hashLeaf(new Uint8Array([1, 2, 3]));
    expect(accepts({ leafHash: leaf, logIndex: 0n, treeSize: 1n, hashes: [], rootHash: leaf })).toBe(true);
    expect(accepts({ leafHash: leaf, logIndex: 0n, treeSize: 1n, hashes: [leaf], rootHash: leaf })).toBe(
      false,
    );
  });
});
