// Tests of RFC 3161 timestamp verification over the Sigstore conformance bundles, hand-edited trust, and mutated tokens.
import { X509Certificate } from '@sigstore/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseFile, loadVectorSet, type VectorCase } from '../../../../test/support/vectors.js';
import { type Bundle, parseBundle } from '../../src/bundle.js';
import { decodeBase64 } from '../../src/encoding.js';
import { isVouchError, ParseError, VerificationError } from '../../src/errors.js';
import {
  type VerifiedTimestamp,
  verifyRfc3161Timestamp,
  verifyTimestamps,
} from '../../src/sigstore/timestamp.js';
import { parseTrustedRootJson } from '../../src/sigstore/trusted-root.js';
import type { TrustedCertificateAuthority, TrustedRoot } from '../../src/sigstore/types.js';

const set = loadVectorSet('sigstore-conformance');

// biome-ignore lint/suspicious/noExplicitAny: trusted_root.json is read loosely here, only for its TSAs
type LooseJson = any;

/** Only the TSAs of a trusted_root.json, built by hand so these tests depend on no other trust-root code. */
function tsaRoot(json: LooseJson): TrustedRoot {
  const timestampAuthorities: TrustedCertificateAuthority[] = (json.timestampAuthorities ?? []).map(
    (t: LooseJson) => ({
      uri: t.uri,
      chain: t.certChain.certificates.map((c: LooseJson) => decodeBase64(c.rawBytes)),
      validFor: {
        start: new Date(t.validFor.start),
        ...(t.validFor.end === undefined ? {} : { end: new Date(t.validFor.end) }),
      },
    }),
  );
  return {
    mediaType: json.mediaType,
    tlogs: [],
    ctlogs: [],
    certificateAuthorities: [],
    timestampAuthorities,
  };
}

/** The genTime of a token, read independently: the first DER GeneralizedTime (tag 0x18, 15 bytes) is TSTInfo's. */
function genTimeOf(token: Uint8Array): Date {
  for (let i = 0; i + 17 <= token.length; i++) {
    if (token[i] !== 0x18 || token[i + 1] !== 0x0f) continue;
    const text = Buffer.from(token.subarray(i + 2, i + 17)).toString('latin1');
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (m) return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  }
  throw new Error('no GeneralizedTime in token');
}

function signingCertOf(bundle: Bundle): X509Certificate | undefined {
  const m = bundle.verificationMaterial.content;
  const der =
    m.type === 'certificate'
      ? m.rawBytes
      : m.type === 'x509CertificateChain'
        ? m.certificates[0]?.rawBytes
        : undefined;
  return der === undefined ? undefined : X509Certificate.parse(Buffer.from(der));
}

interface TimestampCase {
  readonly c: VectorCase;
  /** Undefined when the bundle parser refuses the bundle for another reason (its timestamp is still checked). */
  readonly bundle: Bundle | undefined;
  readonly root: TrustedRoot;
  /** The same root through the real trusted-root parser, when it accepts the file. */
  readonly parsedRoot: TrustedRoot | undefined;
  readonly token: Uint8Array;
  readonly signature: Uint8Array;
}

function parsedRootOf(text: string): TrustedRoot | undefined {
  try {
    return parseTrustedRootJson(text);
  } catch (e) {
    if (e instanceof ParseError && e.code === 'ERR_MALFORMED_TRUSTED_ROOT') return undefined;
    throw e;
  }
}

function bytesField(value: unknown): Uint8Array {
  if (typeof value !== 'string') throw new Error('expected a base64 string');
  return decodeBase64(value.replace(/[\r\n]/g, ''));
}

const cases: TimestampCase[] = set.cases.flatMap((c) => {
  const text = set.text(caseFile(c, 'bundle'));
  if (!text.includes('"signedTimestamp"')) return [];
  const raw = JSON.parse(text) as LooseJson;
  let bundle: Bundle | undefined;
  try {
    bundle = parseBundle(text);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
  }
  const token = bytesField(
    raw.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp,
  );
  const signature = bytesField(raw.messageSignature?.signature ?? raw.dsseEnvelope?.signatures[0].sig);
  const rootText = set.text(caseFile(c, 'trustedRoot'));
  return [
    { c, bundle, root: tsaRoot(JSON.parse(rootText)), parsedRoot: parsedRootOf(rootText), token, signature },
  ];
});

/** verifyTimestamps when the bundle parses, else the one timestamp alone. */
function verifyCase(t: TimestampCase): VerifiedTimestamp {
  if (t.bundle === undefined)
    return verifyRfc3161Timestamp({ token: t.token, signature: t.signature, trustedRoot: t.root });
  const [stamp, ...rest] = verifyTimestamps(t.bundle, t.root);
  expect(rest).toHaveLength(0);
  if (stamp === undefined) throw new Error('no timestamp verified');
  return stamp;
}

// What verifyTimestamps must say for each conformance case whose timestamp is bad (every other case must pass).
const TIMESTAMP_FAILURES: Readonly<Record<string, readonly string[]>> = {
  'rekor2-timestamp-outside-trust-root-tsa-validity_fail': [
    "is outside the trusted root's validity of TSA https://timestamp.sigstage.dev",
  ],
  'rekor2-timestamp-outside-tsa-cert-validity_fail': [
    'is outside the validity of TSA certificate',
    'CN=Test TSA Timestamping',
  ],
  'rekor2-timestamp-payload-mismatch_fail': ['message imprint mismatch'],
  'rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail': [
    "untrusted TSA: the token's embedded signer certificate",
    'CN=www.freetsa.org',
  ],
  'rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail': [
    'untrusted TSA: the token has no embedded signer certificate',
    'CN=www.freetsa.org',
  ],
};

// Cases whose (valid) timestamp lies outside the bundle's signing-certificate validity: the READMEs' real failure.
const OUTSIDE_SIGNING_CERT: ReadonlySet<string> = new Set([
  'rekor2-timestamp-with-incorrect-time_fail',
  'intoto-tsa-timestamp-outside-cert-validity_fail',
]);

function errorOf(run: () => unknown): VerificationError | ParseError {
  try {
    run();
  } catch (e) {
    if (e instanceof VerificationError || e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected an error, nothing was thrown');
}

describe('conformance bundles with RFC 3161 timestamps', () => {
  it('covers every timestamp case the expectations name', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const ids = new Set(cases.map((t) => t.c.id));
    for (const id of [...Object.keys(TIMESTAMP_FAILURES), ...OUTSIDE_SIGNING_CERT])
      expect(ids.has(id), id).toBe(true);
  });

  for (const t of cases) {
    const failure = TIMESTAMP_FAILURES[t.c.id];
    if (failure === undefined) {
      it(`${t.c.id}: verifies, at the token's genTime`, () => {
        const stamp = verifyCase(t);
        expect(stamp.time.toISOString()).toBe(genTimeOf(t.token).toISOString());
        expect(t.root.timestampAuthorities).toContain(stamp.authority);
      });
    } else {
      it(`${t.c.id}: fails with ERR_TIMESTAMP_INVALID naming the check`, () => {
        const e = errorOf(() => verifyCase(t));
        expect(e).toBeInstanceOf(VerificationError);
        expect(e.code).toBe('ERR_TIMESTAMP_INVALID');
        if (t.bundle !== undefined)
          expect(e.message).toContain('timestampVerificationData.rfc3161Timestamps[0]');
        for (const fragment of failure) expect(e.message).toContain(fragment);
      });
    }
  }

  it('gives the same outcome with roots from parseTrustedRootJson', () => {
    const compared = cases.filter((t) => t.parsedRoot !== undefined);
    expect(compared.length).toBeGreaterThanOrEqual(cases.length - 2);
    for (const t of compared) {
      const outcome = (root: TrustedRoot): string => {
        try {
          const v = verifyRfc3161Timestamp({ token: t.token, signature: t.signature, trustedRoot: root });
          return `${v.time.toISOString()} ${v.authority.uri}`;
        } catch (e) {
          if (isVouchError(e)) return `${e.code}: ${e.message}`;
          throw e;
        }
      };
      expect(outcome(t.parsedRoot as TrustedRoot), t.c.id).toBe(outcome(t.root));
    }
  });

  for (const t of cases) {
    const cert = t.bundle === undefined ? undefined : signingCertOf(t.bundle);
    if (cert === undefined || TIMESTAMP_FAILURES[t.c.id] !== undefined) continue;
    const outside = OUTSIDE_SIGNING_CERT.has(t.c.id);
    it(`${t.c.id}: the time ${outside ? 'lies outside' : 'lies inside'} the signing certificate's validity`, () => {
      const run = () =>
        verifyRfc3161Timestamp({
          token: t.token,
          signature: t.signature,
          trustedRoot: t.root,
          signingCertificateValidity: { notBefore: cert.notBefore, notAfter: cert.notAfter },
        });
      if (!outside) {
        expect(run().time.toISOString()).toBe(genTimeOf(t.token).toISOString());
        return;
      }
      const e = errorOf(run);
      expect(e.code).toBe('ERR_TIMESTAMP_INVALID');
      expect(e.message).toContain("is outside the signing certificate's validity");
    });
  }
});

const happy = cases.find((t) => t.c.id === 'rekor2-happy-path');
const embeddedCase = cases.find((t) => t.c.id === 'rekor2-timestamp-with-embedded-cert');
if (happy === undefined || embeddedCase === undefined) throw new Error('missing rekor2 happy-path vectors');
const happyBundle = happy.bundle;
if (happyBundle === undefined) throw new Error('rekor2-happy-path does not parse');
const happySignature = happy.signature;
const happyTime = genTimeOf(happy.token).toISOString();
const [happyTsa] = happy.root.timestampAuthorities;
if (happyTsa === undefined) throw new Error('rekor2-happy-path root has no TSA');

function withTsas(root: TrustedRoot, timestampAuthorities: TrustedCertificateAuthority[]): TrustedRoot {
  return { ...root, timestampAuthorities };
}

/** The TimeStampToken inside a TimeStampResp: SEQUENCE { status, token }, with the outer header and status dropped. */
function bareToken(response: Uint8Array): Uint8Array {
  const outerHeader = (response[1] ?? 0) & 0x80 ? 2 + ((response[1] ?? 0) & 0x7f) : 2;
  const statusLength = response[outerHeader + 1] ?? 0;
  return response.subarray(outerHeader + 2 + statusLength);
}

describe('verifyRfc3161Timestamp', () => {
  it('accepts a bare TimeStampToken as well as a TimeStampResp', () => {
    const v = verifyRfc3161Timestamp({
      token: bareToken(happy.token),
      signature: happySignature,
      trustedRoot: happy.root,
    });
    expect(v.time.toISOString()).toBe(happyTime);
  });

  it('returns a frozen result naming the trusted authority', () => {
    const v = verifyRfc3161Timestamp({
      token: happy.token,
      signature: happySignature,
      trustedRoot: happy.root,
    });
    expect(Object.isFrozen(v)).toBe(true);
    expect(v.authority).toBe(happyTsa);
  });

  it('accepts the token when the TSA window ends exactly at its time, refuses it a second earlier', () => {
    const at = new Date(happyTime);
    const ok = withTsas(happy.root, [{ ...happyTsa, validFor: { start: happyTsa.validFor.start, end: at } }]);
    expect(
      verifyRfc3161Timestamp({ token: happy.token, signature: happySignature, trustedRoot: ok }).time,
    ).toEqual(at);
    const early = withTsas(happy.root, [
      { ...happyTsa, validFor: { start: happyTsa.validFor.start, end: new Date(at.getTime() - 1000) } },
    ]);
    const e = errorOf(() =>
      verifyRfc3161Timestamp({ token: happy.token, signature: happySignature, trustedRoot: early }),
    );
    expect(e.message).toContain("outside the trusted root's validity");
    const late = withTsas(happy.root, [{ ...happyTsa, validFor: { start: new Date(at.getTime() + 1000) } }]);
    expect(
      errorOf(() =>
        verifyRfc3161Timestamp({ token: happy.token, signature: happySignature, trustedRoot: late }),
      ).code,
    ).toBe('ERR_TIMESTAMP_INVALID');
  });

  it('tries every TSA: an unrelated one before the right one does not matter', () => {
    const other = cases.find((t) => t.c.id === 'rekor2-timestamp-with-expired-cert-chain')?.root
      .timestampAuthorities[0];
    if (other === undefined) throw new Error('missing local TSA vector');
    const root = withTsas(happy.root, [other, happyTsa]);
    expect(
      verifyRfc3161Timestamp({ token: happy.token, signature: happySignature, trustedRoot: root }).authority,
    ).toBe(happyTsa);
  });

  it('refuses when the trusted root has no TSA', () => {
    const e = errorOf(() =>
      verifyRfc3161Timestamp({
        token: happy.token,
        signature: happySignature,
        trustedRoot: withTsas(happy.root, []),
      }),
    );
    expect(e.message).toContain('untrusted TSA');
  });

  it('lets an embedded signer certificate chain to a trusted root; without one, the TSA leaf must be in the root', () => {
    const rootOnly = withTsas(happy.root, [{ ...happyTsa, chain: happyTsa.chain.slice(1) }]);
    const stamp = verifyRfc3161Timestamp({
      token: embeddedCase.token,
      signature: embeddedCase.signature,
      trustedRoot: rootOnly,
    });
    expect(stamp.time.toISOString()).toBe(genTimeOf(embeddedCase.token).toISOString());
    const bare = cases.find((t) => t.c.id === 'rekor2-timestamp-without-embedded-cert');
    if (bare === undefined) throw new Error('missing vector');
    const e = errorOf(() =>
      verifyRfc3161Timestamp({ token: bare.token, signature: bare.signature, trustedRoot: rootOnly }),
    );
    expect(e.message).toContain('untrusted TSA: the token has no embedded signer certificate');
  });

  it('refuses an embedded signer certificate that does not chain to the trusted TSA', () => {
    const other = cases.find((t) => t.c.id === 'intoto-with-custom-trust-root')?.root.timestampAuthorities[0];
    if (other === undefined) throw new Error('missing mock TSA vector');
    const foreign = withTsas(happy.root, [{ ...other, validFor: happyTsa.validFor }]);
    const e = errorOf(() =>
      verifyRfc3161Timestamp({
        token: embeddedCase.token,
        signature: embeddedCase.signature,
        trustedRoot: foreign,
      }),
    );
    expect(e.message).toContain(
      "untrusted TSA: the token's embedded signer certificate (O=sigstore.dev, CN=sigstore-tsa",
    );
  });

  it('refuses a TSA whose chain does not link (root replaced by another CA)', () => {
    const other = cases.find((t) => t.c.id === 'intoto-with-custom-trust-root')?.root.timestampAuthorities[0];
    const [leaf] = happyTsa.chain;
    const foreignRoot = other?.chain.at(-1);
    if (leaf === undefined || foreignRoot === undefined) throw new Error('missing certificates');
    const root = withTsas(happy.root, [{ ...happyTsa, chain: [leaf, foreignRoot] }]);
    const e = errorOf(() =>
      verifyRfc3161Timestamp({ token: happy.token, signature: happySignature, trustedRoot: root }),
    );
    expect(e.message).toContain('is not issued by certificate 1');
  });

  it('refuses a TSA whose chain is empty or not DER', () => {
    for (const chain of [[], [new Uint8Array([0x30, 0x00])]]) {
      const root = withTsas(happy.root, [{ ...happyTsa, chain }]);
      const e = errorOf(() =>
        verifyRfc3161Timestamp({ token: happy.token, signature: happySignature, trustedRoot: root }),
      );
      expect(e.code).toBe('ERR_TIMESTAMP_INVALID');
    }
  });

  it('refuses a timestamp over other bytes', () => {
    const other = Uint8Array.from(happySignature);
    other[0] = (other[0] ?? 0) ^ 1;
    const e = errorOf(() =>
      verifyRfc3161Timestamp({ token: happy.token, signature: other, trustedRoot: happy.root }),
    );
    expect(e.message).toContain('message imprint mismatch');
  });

  it('refuses a response whose status is not granted', () => {
    const rejected = Uint8Array.from(happy.token);
    const statusAt = rejected.indexOf(0x02, 2); // the PKIStatus INTEGER, first INTEGER of the response
    rejected[statusAt + 2] = 2;
    const e = errorOf(() =>
      verifyRfc3161Timestamp({ token: rejected, signature: happySignature, trustedRoot: happy.root }),
    );
    expect(e.message).toContain('did not grant');
  });

  it('names the field of a malformed token', () => {
    const e = errorOf(() =>
      verifyRfc3161Timestamp({
        token: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]),
        signature: happySignature,
        trustedRoot: happy.root,
      }),
    );
    expect(e).toBeInstanceOf(ParseError);
    expect(e.message).toContain('timeStampToken');
  });
});

describe('verifyTimestamps', () => {
  it('returns nothing for a bundle without timestamps', () => {
    const plain: Bundle = {
      ...happyBundle,
      verificationMaterial: {
        ...happyBundle.verificationMaterial,
        timestampVerificationData: { rfc3161Timestamps: [] },
      },
    };
    expect(verifyTimestamps(plain, happy.root)).toEqual([]);
  });

  it('fails closed when any one of several timestamps is invalid, naming its index', () => {
    const bad = Uint8Array.from(happy.token);
    bad[bad.length - 5] = (bad[bad.length - 5] ?? 0) ^ 0xff;
    const two: Bundle = {
      ...happyBundle,
      verificationMaterial: {
        ...happyBundle.verificationMaterial,
        timestampVerificationData: {
          rfc3161Timestamps: [{ signedTimestamp: happy.token }, { signedTimestamp: bad }],
        },
      },
    };
    const e = errorOf(() => verifyTimestamps(two, happy.root));
    expect(e.code).toBe('ERR_TIMESTAMP_INVALID');
    expect(e.message).toContain('rfc3161Timestamps[1]');
  });
});

describe('mutated tokens end in ERR_TIMESTAMP_INVALID or the same verified time', () => {
  function outcome(token: Uint8Array, signature: Uint8Array, trustedRoot: TrustedRoot): string {
    try {
      return verifyRfc3161Timestamp({ token, signature, trustedRoot }).time.toISOString();
    } catch (e) {
      if (isVouchError(e) && e.code === 'ERR_TIMESTAMP_INVALID') return 'error';
      throw e;
    }
  }

  for (const t of [happy, embeddedCase]) {
    const signature = t.signature;
    const time = genTimeOf(t.token).toISOString();
    it(`${t.c.id}: byte flips`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(t.token.length - 1), fc.integer({ min: 1, max: 255 })), {
            minLength: 1,
            maxLength: 4,
          }),
          (flips) => {
            const token = Uint8Array.from(t.token);
            for (const [i, x] of flips) token[i] = (token[i] ?? 0) ^ x;
            expect(['error', time]).toContain(outcome(token, signature, t.root));
          },
        ),
        { numRuns: 10_000 },
      );
    });
  }

  it('truncations and random bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat(happy.token.length - 1).map((n) => happy.token.subarray(0, n)),
          fc.uint8Array({ maxLength: 256 }),
          fc.uint8Array({ maxLength: 64 }).map((tail) => Uint8Array.from([...happy.token, ...tail])),
        ),
        (token) => {
          expect(['error', happyTime]).toContain(outcome(token, happySignature, happy.root));
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
