// Test support: transparency logs whose keys the test holds, to sign SETs and checkpoints over entries built here.
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { PublicKey, type TrustedLog, type TrustedRoot } from '@vouch/core';

const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();
const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');

// RFC 6962 hashing written out here, so the oracle does not share code with the verifier under test.
const leafHash = (data: Uint8Array): Buffer => sha256(Buffer.concat([Buffer.of(0), data]));
const nodeHash = (l: Uint8Array, r: Uint8Array): Buffer => sha256(Buffer.concat([Buffer.of(1), l, r]));

/** The Merkle tree hash (RFC 6962 §2.1) of leaf hashes. */
export function mth(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** The audit path (RFC 6962 §2.1.1) of leaf `m`. */
export function auditPath(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  if (m < k) return [...auditPath(m, leaves.slice(0, k)), mth(leaves.slice(k))];
  return [...auditPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

/** A validity window as a trusted root's JSON writes it. */
export interface ValidForJson {
  readonly start?: string;
  readonly end?: string;
}

export interface LogFixture {
  readonly host: string;
  readonly logId: Buffer;
  readonly privateKey: KeyObject;
  readonly kind: 'ecdsa' | 'ed25519';
  /** A parsed trusted root holding only this log. */
  trusted(validFor: TrustedLog['validFor']): TrustedRoot;
  /** This log as a `tlogs[]` element of a `trusted_root.json`. */
  json(validFor: ValidForJson): Record<string, unknown>;
  /** A signed note: `text` then this log's signature line. */
  signNote(text: string): string;
}

/** A Rekor v1 style log (ECDSA P-256, log id = SHA-256 of the SPKI) or a Rekor v2 style one (Ed25519, C2SP id). */
export function makeLog(kind: 'ecdsa' | 'ed25519', host: string): LogFixture {
  const pair =
    kind === 'ecdsa' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const logId =
    kind === 'ecdsa'
      ? sha256(spki)
      : sha256(Buffer.concat([Buffer.from(`${host}\n`), Buffer.from([1]), spki.subarray(12)]));
  const key = new PublicKey(pair.publicKey);
  return {
    host,
    logId,
    privateKey: pair.privateKey,
    kind,
    trusted: (validFor) => ({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [
        {
          baseUrl: `https://${host}`,
          hashAlgorithm: 'SHA2_256',
          logId: new Uint8Array(logId),
          logIdHex: logId.toString('hex'),
          key,
          validFor,
        },
      ],
      ctlogs: [],
      certificateAuthorities: [],
      timestampAuthorities: [],
    }),
    json: (validFor) => ({
      baseUrl: `https://${host}`,
      hashAlgorithm: 'SHA2_256',
      publicKey: {
        rawBytes: b64(spki),
        keyDetails: kind === 'ecdsa' ? 'PKIX_ECDSA_P256_SHA_256' : 'PKIX_ED25519',
        validFor,
      },
      logId: { keyId: b64(logId) },
    }),
    signNote: (text) => {
      const sig = sign(kind === 'ecdsa' ? 'sha256' : null, Buffer.from(text), pair.privateKey);
      return `${text}\n\u2014 ${host} ${b64(Buffer.concat([logId.subarray(0, 4), sig]))}\n`;
    },
  };
}

/** The integrated time entries get unless told otherwise: 2026-01-01. */
export const INTEGRATED = 1767225600;

export interface EntryOptions {
  readonly log: LogFixture;
  readonly body: object;
  readonly set?: boolean;
  readonly proof?: boolean;
  /** Seconds since the epoch; default {@link INTEGRATED}. */
  readonly integratedTime?: number;
  /** Global index (Rekor v1 shards offset it from the tree index). */
  readonly logIndex?: number;
  readonly treeIndex?: number;
  readonly treeSize?: number;
  /** Sign a checkpoint for this many leaves instead of the proof's tree. */
  readonly checkpointSize?: number;
  readonly kindVersion: { kind: string; version: string };
}

/** A `TransparencyLogEntry` as bundle JSON: the body in a tree of other leaves, with SET, proof and checkpoint. */
export function entryJson(o: EntryOptions): Record<string, unknown> {
  const body = Buffer.from(JSON.stringify(o.body));
  const treeIndex = o.treeIndex ?? 3;
  const treeSize = o.treeSize ?? 6;
  const logIndex = o.logIndex ?? 1000 + treeIndex;
  const integratedTime = o.integratedTime ?? INTEGRATED;
  const leaves = Array.from({ length: Math.max(treeSize, o.checkpointSize ?? 0) }, (_, i) =>
    i === treeIndex ? leafHash(body) : leafHash(Buffer.from(`other ${i}`)),
  );
  const tree = leaves.slice(0, treeSize);
  const cpSize = o.checkpointSize ?? treeSize;
  const origin = o.log.kind === 'ecdsa' ? `${o.log.host} - 42` : o.log.host;
  const out: Record<string, unknown> = {
    logIndex: String(logIndex),
    logId: { keyId: b64(o.log.logId) },
    kindVersion: o.kindVersion,
    canonicalizedBody: b64(body),
  };
  if (o.set !== false) {
    const payload = JSON.stringify({
      body: b64(body),
      integratedTime,
      logID: o.log.logId.toString('hex'),
      logIndex,
    });
    out.integratedTime = String(integratedTime);
    out.inclusionPromise = {
      signedEntryTimestamp: b64(sign('sha256', Buffer.from(payload), o.log.privateKey)),
    };
  }
  if (o.proof !== false) {
    out.inclusionProof = {
      logIndex: String(treeIndex),
      rootHash: b64(mth(tree)),
      treeSize: String(treeSize),
      hashes: auditPath(treeIndex, tree).map(b64),
      checkpoint: {
        envelope: o.log.signNote(`${origin}\n${cpSize}\n${b64(mth(leaves.slice(0, cpSize)))}\n`),
      },
    };
  }
  return out;
}
