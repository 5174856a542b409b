// Transparency-log entries: every conformance bundle's first entry, and synthetic Rekor v1/v2 logs built here for each check.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type EntryOptions, entryJson, INTEGRATED, makeLog } from '../../../../test/support/synthetic-log.js';
import { caseFile, loadVectorSet, type VectorCase } from '../../../../test/support/vectors.js';
import { type Bundle, parseBundle, type TransparencyLogEntry } from '../../src/bundle.js';
import { pae } from '../../src/dsse.js';
import { isVouchError } from '../../src/errors.js';
import { PublicKey, parsePublicKey } from '../../src/keys/index.js';
import { type TlogSigner, type VerifyTlogEntryOptions, verifyTlogEntry } from '../../src/sigstore/tlog.js';
import { parseTrustedRootJson } from '../../src/sigstore/trusted-root.js';
import type { TrustedRoot } from '../../src/sigstore/types.js';

const NOW = new Date('2026-11-24T00:00:00Z');

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isVouchError(e)) return e.code;
    throw e;
  }
  return 'pass';
}

// ---- the conformance suite ----

const set = loadVectorSet('sigstore-conformance');

/**
 * What verifying the first log entry of each case gives (`pass`, or the code). Cases whose fault is the log
 * entry have the tlog code; cases refused before the entry is reached say where (bundle, key or root parser);
 * cases whose fault lies elsewhere (certificate, SCT, TSA, signature, identity) pass this module.
 */
const EXPECTED: Readonly<Record<string, string>> = {
  'bundle-empty-certificate-chain_fail': 'ERR_MALFORMED_BUNDLE',
  'bundle-from-wrong-instance_fail': 'ERR_TLOG_UNTRUSTED', // a staging log is not in the production root
  'bundle-invalid-base64-signature_fail': 'ERR_MALFORMED_BUNDLE',
  'bundle-malformed-json_fail': 'ERR_MALFORMED_BUNDLE',
  'bundle-negative-log-index_fail': 'ERR_MALFORMED_BUNDLE', // parseBundle refuses "-1"; verifyTlogEntry too (below)
  'bundle-unknown-version_fail': 'ERR_UNSUPPORTED_MEDIA_TYPE',
  'bundle-with-root-cert_fail': 'pass', // its v0.1 proof has no checkpoint: the verified SET stands, the root cert fails later
  'bundle-with-sct-with-extensions': 'pass',
  'checkpoint-bad-keyhint_fail': 'ERR_TLOG_CHECKPOINT',
  'checkpoint-wrong-roothash_fail': 'ERR_TLOG_CHECKPOINT',
  'dsse-invalid-sig_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'dsse-mismatch-envelope_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'dsse-mismatch-sig_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'happy-path-intoto-in-dsse-v3': 'pass',
  'happy-path-v0.1': 'pass',
  'happy-path-v0.2': 'pass',
  'happy-path-v0.3': 'pass',
  'happy-path-v0.3-new-mediaType': 'pass',
  'inclusion-proof-corrupted-hash_fail': 'ERR_TLOG_INCLUSION_PROOF',
  'incorrect-public-key_fail': 'ERR_TLOG_SET_INVALID', // the edited body no longer matches the SET
  // Integrated 2026-05-07: not after NOW, so the entry itself verifies; its fault (README) is the certificate's
  // validity at that time. With a `now` before it, ERR_TLOG_TIME (tested below).
  'integrated-time-in-future_fail': 'pass',
  'intoto-expired-certificate_fail': 'pass',
  'intoto-log-entry-mismatch_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'intoto-missing-inclusion-proof_fail': 'ERR_MALFORMED_BUNDLE', // and ERR_TLOG_INCLUSION_PROOF below
  'intoto-set-outside-signing-cert-validity_fail': 'pass',
  'intoto-tsa-timestamp-outside-cert-validity_fail': 'pass',
  'intoto-with-custom-trust-root': 'pass',
  'invalid-checkpoint-signature_fail': 'ERR_TLOG_CHECKPOINT',
  'invalid-ct-key_fail': 'pass',
  'invalid-inclusion-proof_fail': 'ERR_MALFORMED_BUNDLE', // v0.2 proof without a checkpoint
  'managed-key-and-trusted-root': 'pass',
  'managed-key-happy-path': 'pass',
  'managed-key-no-key_fail': 'no key',
  'managed-key-wrong-key_fail': 'ERR_MALFORMED_KEY', // its key.pub does not parse
  'message-digest-mismatch_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'rekor2-checkpoint-cosigned': 'pass',
  'rekor2-checkpoint-missing-log-signature_fail': 'ERR_TLOG_CHECKPOINT',
  'rekor2-checkpoint-missing-origin_fail': 'ERR_TLOG_CHECKPOINT',
  'rekor2-checkpoint-missing-root-hash_fail': 'ERR_TLOG_CHECKPOINT',
  'rekor2-checkpoint-missing-size_fail': 'ERR_TLOG_CHECKPOINT',
  'rekor2-checkpoint-multiple-cosigs': 'pass',
  'rekor2-checkpoint-no-matching-signature_fail': 'ERR_TLOG_CHECKPOINT',
  'rekor2-checkpoint-origin-not-first': 'pass',
  'rekor2-checkpoint-two-sigs-cosigned': 'pass',
  'rekor2-checkpoint-two-sigs-from-origin': 'pass',
  'rekor2-dsse-happy-path': 'pass',
  'rekor2-dsse-invalid-sig_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'rekor2-dsse-mismatch-envelope_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'rekor2-dsse-mismatch-sig_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'rekor2-happy-path': 'pass',
  'rekor2-no-inclusion-proof_fail': 'ERR_MALFORMED_BUNDLE', // and ERR_TLOG_INCLUSION_PROOF below
  'rekor2-no-timestamp_fail': 'pass',
  'rekor2-timestamp-outside-trust-root-tsa-validity_fail': 'pass',
  'rekor2-timestamp-outside-tsa-cert-validity_fail': 'pass',
  'rekor2-timestamp-payload-mismatch_fail': 'pass',
  'rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail': 'pass',
  'rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail': 'pass',
  'rekor2-timestamp-with-embedded-cert': 'pass',
  'rekor2-timestamp-with-expired-cert-chain': 'pass',
  'rekor2-timestamp-with-incorrect-time_fail': 'pass',
  'rekor2-timestamp-without-embedded-cert': 'pass',
  'set-invalid-signature_fail': 'ERR_TLOG_SET_INVALID',
  'signature-mismatch_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'trust-root-tlog-missing-validity-start_fail': 'ERR_MALFORMED_TRUSTED_ROOT',
  'trust-root-tlog-validity-end-inclusive': 'pass', // integrated time == the log key's validity end
  'trust-root-tsa-validity-end-inclusive': 'pass',
  'wrong-hashedrekord-artifact_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'wrong-hashedrekord-cert-and-sig_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'wrong-hashedrekord-entry_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'wrong-material_fail': 'pass',
};

interface Loaded {
  readonly bundle: Bundle;
  readonly entry: TransparencyLogEntry;
  readonly signer: TlogSigner;
  readonly trustedRoot: TrustedRoot;
}

/** Parses a case's bundle, trusted root and signer; `run` verifies its first entry. */
function load(c: VectorCase): Loaded | 'no key' | 'no entry' {
  const bundle = parseBundle(set.bytes(caseFile(c, 'bundle')));
  const trustedRoot = parseTrustedRootJson(set.bytes(caseFile(c, 'trustedRoot')));
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (entry === undefined) return 'no entry';
  const m = bundle.verificationMaterial.content;
  const keyFile = typeof c.files.key === 'string' ? c.files.key : undefined;
  let signer: TlogSigner;
  if (m.type === 'publicKey') {
    if (keyFile === undefined) return 'no key';
    signer = { type: 'publicKey', key: parsePublicKey(set.text(keyFile)) };
  } else {
    const der = m.type === 'certificate' ? m.rawBytes : m.certificates[0]?.rawBytes;
    if (der === undefined) return 'no key';
    signer = { type: 'certificate', der };
  }
  return { bundle, entry, signer, trustedRoot };
}

function run(l: Loaded, extra: Partial<VerifyTlogEntryOptions> = {}) {
  return verifyTlogEntry({ ...l, now: NOW, bundleVersion: l.bundle.version, ...extra });
}

function loadCase(id: string): Loaded {
  const c = set.cases.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no case ${id}`);
  const l = load(c);
  if (typeof l === 'string') throw new Error(`case ${id}: ${l}`);
  return l;
}

describe('verifyTlogEntry over the conformance bundles', () => {
  it('covers every case of the suite', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(set.cases.map((c) => c.id).sort());
  });

  for (const c of set.cases) {
    it(`${c.id}: ${EXPECTED[c.id]}`, () => {
      let outcome = 'pass';
      const code = codeOf(() => {
        const l = load(c);
        if (typeof l === 'string') {
          outcome = l;
          return;
        }
        const v = run(l);
        expect(v.log.logId).toEqual(l.entry.logId.keyId);
        expect(v.logIndex).toBe(BigInt(l.entry.logIndex));
        // Every conformance entry carries a proof (v0.1 ones too). One anchored by a checkpoint is verified; a v0.1
        // proof without one cannot be, and only the SET stands for it. A time only comes from a verified SET.
        const anchored = l.entry.inclusionProof?.checkpoint !== undefined;
        expect(v.inclusionProof).toBe(anchored);
        if (anchored) expect(v.checkpoint?.treeSize).toBe(BigInt(l.entry.inclusionProof?.treeSize ?? -1));
        else expect(v.checkpoint).toBeUndefined();
        if (l.entry.inclusionPromise === undefined) expect(v.integratedTime).toBeUndefined();
        else expect(v.integratedTime?.getTime()).toBe(Number(l.entry.integratedTime) * 1000);
      });
      expect(code === 'pass' ? outcome : code).toBe(EXPECTED[c.id]);
      if (c.expect === 'pass') expect(code).toBe('pass');
    });
  }

  it('refuses an integrated time after `now` with ERR_TLOG_TIME', () => {
    const l = loadCase('integrated-time-in-future_fail');
    expect(codeOf(() => run(l, { now: new Date('2026-05-07T15:34:10Z') }))).toBe('ERR_TLOG_TIME');
    expect(codeOf(() => run(l, { now: new Date('2026-05-07T15:34:11Z') }))).toBe('pass');
    const ok = loadCase('happy-path-v0.3');
    expect(codeOf(() => run(ok, { now: new Date('2024-03-19T17:26:25Z') }))).toBe('ERR_TLOG_TIME');
  });

  it('refuses a negative or out-of-range log index that reaches it', () => {
    for (const id of ['happy-path-v0.3', 'rekor2-happy-path']) {
      const l = loadCase(id);
      for (const logIndex of ['-1', '9223372036854775808', '18446744073709551615', 'abc', '', '01']) {
        expect(codeOf(() => run({ ...l, entry: { ...l.entry, logIndex } }))).toBe('ERR_TLOG_ENTRY_MISMATCH');
      }
    }
  });

  it('requires an inclusion proof in v0.2+ bundles and for Rekor v2 entries, and a SET in v0.1 bundles', () => {
    const v2 = loadCase('rekor2-happy-path');
    const { inclusionProof: _p2, ...v2NoProof } = v2.entry;
    expect(codeOf(() => run({ ...v2, entry: v2NoProof }))).toBe('ERR_TLOG_INCLUSION_PROOF');
    expect(codeOf(() => run({ ...v2, entry: v2NoProof }, { bundleVersion: '0.1' }))).toBe(
      'ERR_TLOG_SET_INVALID',
    );
    const intoto = loadCase('intoto-with-custom-trust-root');
    const { inclusionProof: _p, ...noProof } = intoto.entry;
    expect(codeOf(() => run({ ...intoto, entry: noProof }))).toBe('ERR_TLOG_INCLUSION_PROOF');
    expect(codeOf(() => run({ ...intoto, entry: noProof }, { bundleVersion: '0.1' }))).toBe('pass');
    const v01 = loadCase('happy-path-v0.1');
    const { inclusionPromise: _s, ...noSet } = v01.entry;
    expect(codeOf(() => run({ ...v01, entry: noSet }))).toBe('ERR_TLOG_SET_INVALID');
    const { inclusionProof: _q, ...neither } = noSet;
    expect(codeOf(() => run({ ...v01, entry: neither }, { bundleVersion: '0.1' }))).toBe(
      'ERR_TLOG_SET_INVALID',
    );
  });

  it('refuses an entry whose certificate is not the bundle certificate, or a key for a certificate', () => {
    const l = loadCase('happy-path-v0.3');
    const other = loadCase('happy-path-intoto-in-dsse-v3');
    expect(codeOf(() => run({ ...l, signer: other.signer }))).toBe('ERR_TLOG_ENTRY_MISMATCH');
    const key = {
      type: 'publicKey' as const,
      key: parsePublicKey(set.text('bundle-verify/managed-key-happy-path/key.pub')),
    };
    expect(codeOf(() => run({ ...l, signer: key }))).toBe('ERR_TLOG_ENTRY_MISMATCH');
    const v2 = loadCase('rekor2-happy-path');
    expect(codeOf(() => run({ ...v2, signer: other.signer }))).toBe('ERR_TLOG_ENTRY_MISMATCH');
  });

  it('refuses a kindVersion that its body does not have', () => {
    const l = loadCase('happy-path-v0.3');
    expect(
      codeOf(() => run({ ...l, entry: { ...l.entry, kindVersion: { kind: 'dsse', version: '0.0.1' } } })),
    ).toBe('ERR_TLOG_ENTRY_MISMATCH');
    expect(
      codeOf(() =>
        run({ ...l, entry: { ...l.entry, kindVersion: { kind: 'hashedrekord', version: '0.0.9' } } }),
      ),
    ).toBe('ERR_TLOG_ENTRY_MISMATCH');
  });

  it('refuses a SET over other values, and a log missing from the root', () => {
    const l = loadCase('happy-path-v0.3');
    const bumped = String(BigInt(l.entry.logIndex) + 1n);
    expect(codeOf(() => run({ ...l, entry: { ...l.entry, logIndex: bumped } }))).toBe('ERR_TLOG_SET_INVALID');
    const time = String(Number(l.entry.integratedTime) - 1);
    expect(codeOf(() => run({ ...l, entry: { ...l.entry, integratedTime: time } }))).toBe(
      'ERR_TLOG_SET_INVALID',
    );
    const body = l.entry.canonicalizedBody?.slice() ?? new Uint8Array();
    body[body.length - 2] = 0x20;
    expect(codeOf(() => run({ ...l, entry: { ...l.entry, canonicalizedBody: body } }))).toBe(
      'ERR_TLOG_SET_INVALID',
    );
    const root = {
      ...l.trustedRoot,
      tlogs: l.trustedRoot.tlogs.filter((t) => t.baseUrl !== 'https://rekor.sigstore.dev'),
    };
    expect(codeOf(() => run({ ...l, trustedRoot: root }))).toBe('ERR_TLOG_UNTRUSTED');
  });
});

// ---- synthetic logs: every check, on entries built here ----

const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');
const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();

const ALWAYS = { start: new Date('2020-01-01T00:00:00Z') };
const IN_2000 = { start: new Date('2000-01-01T00:00:00Z'), end: new Date('2000-12-31T23:59:59Z') };

/** An artifact signed with a fresh P-256 key, as a message-signature bundle with one entry. */
function messageBundle(
  version: '0.1' | '0.3',
  entry: (parts: { sig: Buffer; digest: Buffer; spki: Buffer; pem: string }) => Record<string, unknown>,
) {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const artifact = Buffer.from('hello, log');
  const digest = sha256(artifact);
  const sig = sign('sha256', artifact, pair.privateKey);
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const pem = String(pair.publicKey.export({ type: 'spki', format: 'pem' }));
  const mediaType =
    version === '0.1'
      ? 'application/vnd.dev.sigstore.bundle+json;version=0.1'
      : 'application/vnd.dev.sigstore.bundle.v0.3+json';
  const bundle = parseBundle({
    mediaType,
    verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [entry({ sig, digest, spki, pem })] },
    messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: b64(digest) }, signature: b64(sig) },
  });
  return { bundle, signer: { type: 'publicKey' as const, key: new PublicKey(pair.publicKey) } };
}

/** A DSSE envelope signed with a fresh P-256 key, as a v0.3 bundle with one entry. */
function dsseBundle(
  entry: (parts: {
    sig: Buffer;
    payload: Buffer;
    paeDigest: Buffer;
    spki: Buffer;
    pem: string;
  }) => Record<string, unknown>,
) {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const payload = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
  const payloadType = 'application/vnd.in-toto+json';
  const encoded = pae(payloadType, payload);
  const sig = sign('sha256', encoded, pair.privateKey);
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const pem = String(pair.publicKey.export({ type: 'spki', format: 'pem' }));
  const bundle = parseBundle({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      publicKey: { hint: '' },
      tlogEntries: [entry({ sig, payload, paeDigest: sha256(encoded), spki, pem })],
    },
    dsseEnvelope: { payload: b64(payload), payloadType, signatures: [{ sig: b64(sig), keyid: '' }] },
  });
  return { bundle, signer: { type: 'publicKey' as const, key: new PublicKey(pair.publicKey) } };
}

function hashedrekordV1(p: { sig: Buffer; digest: Buffer; pem: string }) {
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: p.digest.toString('hex') } },
      signature: { content: b64(p.sig), publicKey: { content: b64(p.pem) } },
    },
  };
}

function verifyFirst(
  b: { bundle: Bundle; signer: TlogSigner },
  trustedRoot: TrustedRoot,
  extra: Partial<VerifyTlogEntryOptions> = {},
) {
  const entry = b.bundle.verificationMaterial.tlogEntries[0] as TransparencyLogEntry;
  return verifyTlogEntry({
    entry,
    bundle: b.bundle,
    signer: b.signer,
    trustedRoot,
    now: NOW,
    bundleVersion: b.bundle.version,
    ...extra,
  });
}

describe('verifyTlogEntry on a synthetic Rekor v1 log', () => {
  const log = makeLog('ecdsa', 'rekor.test');
  const kindVersion = { kind: 'hashedrekord', version: '0.0.1' };
  const build = (o: Partial<EntryOptions> = {}, version: '0.1' | '0.3' = '0.3') =>
    messageBundle(version, (p) => entryJson({ log, kindVersion, body: hashedrekordV1(p), ...o }));

  it('verifies SET, checkpoint, proof and body, and reports what it proved', () => {
    const v = verifyFirst(build(), log.trusted(ALWAYS));
    expect(v.logIndex).toBe(1003n);
    expect(v.integratedTime?.getTime()).toBe(INTEGRATED * 1000);
    expect(v.inclusionProof).toBe(true);
    expect(v.checkpoint?.origin).toBe('rekor.test - 42');
    expect(v.checkpoint?.treeSize).toBe(6n);
    expect(v.log.baseUrl).toBe('https://rekor.test');
  });

  it('verifies a SET-only v0.1 entry, and a proof-only v0.3 entry without claiming a time', () => {
    expect(verifyFirst(build({ proof: false }, '0.1'), log.trusted(ALWAYS)).inclusionProof).toBe(false);
    expect(verifyFirst(build({ set: false }), log.trusted(ALWAYS)).integratedTime).toBeUndefined();
  });

  it('enforces the log key validity window for the SET and for the checkpoint', () => {
    const only2000 = log.trusted(IN_2000);
    expect(codeOf(() => verifyFirst(build(), only2000))).toBe('ERR_TLOG_UNTRUSTED');
    // No SET: the checkpoint alone must not verify under a key valid only in 2000 (sigstore-js lets it through).
    const checkpointOnly = build({ set: false });
    expect(codeOf(() => verifyFirst(checkpointOnly, only2000))).toBe('ERR_TLOG_UNTRUSTED');
    expect(
      codeOf(() =>
        verifyFirst(checkpointOnly, only2000, { verifiedTimes: [new Date('2026-01-01T00:00:00Z')] }),
      ),
    ).toBe('ERR_TLOG_UNTRUSTED');
    expect(
      codeOf(() =>
        verifyFirst(checkpointOnly, only2000, { verifiedTimes: [new Date('2000-06-01T00:00:00Z')] }),
      ),
    ).toBe('pass');
    const ended = log.trusted({
      start: new Date('2020-01-01T00:00:00Z'),
      end: new Date('2026-06-01T00:00:00Z'),
    });
    expect(codeOf(() => verifyFirst(checkpointOnly, ended))).toBe('ERR_TLOG_UNTRUSTED'); // now is after the end
    expect(codeOf(() => verifyFirst(build(), ended))).toBe('pass'); // the SET proves 2026-01-01
  });

  it("refuses a proof whose tree size or root hash is not its checkpoint's", () => {
    // A valid path in a 6-leaf tree, anchored by a genuine checkpoint of the 9-leaf tree.
    expect(codeOf(() => verifyFirst(build({ checkpointSize: 9 }), log.trusted(ALWAYS)))).toBe(
      'ERR_TLOG_CHECKPOINT',
    );
  });

  it('refuses a proof index beyond the global index', () => {
    expect(codeOf(() => verifyFirst(build({ logIndex: 2, set: false }), log.trusted(ALWAYS)))).toBe(
      'ERR_TLOG_ENTRY_MISMATCH',
    );
  });

  it('refuses a log index beyond int64', () => {
    const b = build({ logIndex: 1003 });
    const entry = b.bundle.verificationMaterial.tlogEntries[0] as TransparencyLogEntry;
    const big = { ...entry, logIndex: '9223372036854775808' };
    expect(
      codeOf(() =>
        verifyTlogEntry({
          entry: big,
          bundle: b.bundle,
          signer: b.signer,
          trustedRoot: log.trusted(ALWAYS),
          now: NOW,
          bundleVersion: '0.3',
        }),
      ),
    ).toBe('ERR_TLOG_ENTRY_MISMATCH');
  });

  it('refuses a body that records another signature, key, digest or algorithm', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const otherPem = String(other.publicKey.export({ type: 'spki', format: 'pem' }));
    const variants: ((p: { sig: Buffer; digest: Buffer; pem: string }) => object)[] = [
      (p) => hashedrekordV1({ ...p, sig: Buffer.from(p.sig.subarray(0, -1)) }),
      (p) => hashedrekordV1({ ...p, pem: otherPem }),
      (p) => hashedrekordV1({ ...p, digest: sha256(p.digest) }),
      (p) => {
        const body = hashedrekordV1(p);
        return {
          ...body,
          spec: { ...body.spec, data: { hash: { algorithm: 'sha512', value: p.digest.toString('hex') } } },
        };
      },
      (p) => hashedrekordV1({ ...p, pem: `${p.pem}${p.pem}` }),
      (p) => ({ ...hashedrekordV1(p), apiVersion: '0.0.2' }),
      () => ({ apiVersion: '0.0.1', kind: 'hashedrekord' }),
    ];
    for (const body of variants) {
      const b = messageBundle('0.3', (p) => entryJson({ log, kindVersion, body: body(p) }));
      expect(codeOf(() => verifyFirst(b, log.trusted(ALWAYS)))).toBe('ERR_TLOG_ENTRY_MISMATCH');
    }
  });

  it('verifies a dsse 0.0.1 entry and refuses one for another payload', () => {
    const kv = { kind: 'dsse', version: '0.0.1' };
    const body = (p: { sig: Buffer; payload: Buffer; pem: string }, payload = p.payload) => ({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: '00'.repeat(32) },
        payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
        signatures: [{ signature: b64(p.sig), verifier: b64(p.pem) }],
      },
    });
    expect(
      codeOf(() =>
        verifyFirst(
          dsseBundle((p) => entryJson({ log, kindVersion: kv, body: body(p) })),
          log.trusted(ALWAYS),
        ),
      ),
    ).toBe('pass');
    const other = dsseBundle((p) => entryJson({ log, kindVersion: kv, body: body(p, Buffer.from('other')) }));
    expect(codeOf(() => verifyFirst(other, log.trusted(ALWAYS)))).toBe('ERR_TLOG_ENTRY_MISMATCH');
  });
});

describe('verifyTlogEntry on a synthetic Rekor v2 log', () => {
  const log = makeLog('ed25519', 'log2026.rekor.test');
  const verifier = (spki: Buffer) => ({
    publicKey: { rawBytes: b64(spki) },
    keyDetails: 'PKIX_ECDSA_P256_SHA_256',
  });

  it('verifies a hashedrekord 0.0.2 entry over a DSSE envelope (digest of the PAE)', () => {
    const b = dsseBundle((p) =>
      entryJson({
        log,
        set: false,
        logIndex: 3,
        kindVersion: { kind: 'hashedrekord', version: '0.0.2' },
        body: {
          apiVersion: '0.0.2',
          kind: 'hashedrekord',
          spec: {
            hashedRekordV002: {
              data: { algorithm: 'SHA2_256', digest: b64(p.paeDigest) },
              signature: { content: b64(p.sig), verifier: verifier(p.spki) },
            },
          },
        },
      }),
    );
    const v = verifyFirst(b, log.trusted(ALWAYS));
    expect(v.integratedTime).toBeUndefined();
    expect(v.checkpoint?.origin).toBe('log2026.rekor.test');
    expect(codeOf(() => verifyFirst(b, log.trusted(IN_2000)))).toBe('ERR_TLOG_UNTRUSTED');
  });

  const dsseV2 = (o: { logIndex?: number; payloadDigest?: (p: Buffer) => Buffer; spki?: Buffer } = {}) =>
    dsseBundle((p) =>
      entryJson({
        log,
        set: false,
        logIndex: o.logIndex ?? 3,
        kindVersion: { kind: 'dsse', version: '0.0.2' },
        body: {
          apiVersion: '0.0.2',
          kind: 'dsse',
          spec: {
            dsseV002: {
              payloadHash: { algorithm: 'SHA2_256', digest: b64((o.payloadDigest ?? sha256)(p.payload)) },
              signatures: [{ content: b64(p.sig), verifier: verifier(o.spki ?? p.spki) }],
            },
          },
        },
      }),
    );

  it('verifies a dsse 0.0.2 entry', () => {
    expect(codeOf(() => verifyFirst(dsseV2(), log.trusted(ALWAYS)))).toBe('pass');
  });

  it('refuses a dsse 0.0.2 entry for another payload or key', () => {
    expect(
      codeOf(() =>
        verifyFirst(dsseV2({ payloadDigest: (p) => sha256(Buffer.concat([p, p])) }), log.trusted(ALWAYS)),
      ),
    ).toBe('ERR_TLOG_ENTRY_MISMATCH');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    expect(codeOf(() => verifyFirst(dsseV2({ spki: other }), log.trusted(ALWAYS)))).toBe(
      'ERR_TLOG_ENTRY_MISMATCH',
    );
  });

  it('refuses a Rekor v2 entry whose log index is not its proof index', () => {
    expect(codeOf(() => verifyFirst(dsseV2({ logIndex: 4 }), log.trusted(ALWAYS)))).toBe(
      'ERR_TLOG_ENTRY_MISMATCH',
    );
    expect(codeOf(() => verifyFirst(dsseV2({ logIndex: 1003 }), log.trusted(ALWAYS)))).toBe(
      'ERR_TLOG_ENTRY_MISMATCH',
    );
  });
});
