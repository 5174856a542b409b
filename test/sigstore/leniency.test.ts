// The leniencies of @sigstore/verify 4.1.3 that vouch must not inherit (issue 3), one test each: vouch refuses the
// offending input with its own code, and sigstore-js accepts the same input, which shows the test really reaches it.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { type IdentityPolicy, isVouchError, parseTrustedRoot, verifySigstoreBundle } from '@vouch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonPath, mutateJson } from '../support/json-mutation.js';
import { sigstoreJsVerdict } from '../support/sigstore-js.js';
import {
  type SigstoreServices,
  startSigstoreServices,
  TEST_ISSUER,
  TEST_SUBJECT,
} from '../support/sigstore-services.js';
import { entryJson, makeLog } from '../support/synthetic-log.js';
import { caseFile, loadVectorSet } from '../support/vectors.js';

const set = loadVectorSet('sigstore-conformance');

/** One verification: the bundle and trusted root as JSON (each verifier parses its own), the artifact, the signer. */
interface Input {
  readonly bundle: unknown;
  readonly trustedRoot: unknown;
  readonly artifact: Uint8Array;
  readonly san: string;
  readonly issuer: string;
}

function conformance(id: string): Input {
  const c = set.cases.find((x) => x.id === id);
  if (c === undefined || typeof c.identity !== 'string' || typeof c.issuer !== 'string')
    throw new Error(`no case ${id} with an identity`);
  return {
    bundle: set.json(caseFile(c, 'bundle')),
    trustedRoot: set.json(caseFile(c, 'trustedRoot')),
    artifact: set.bytes(caseFile(c, 'artifact')),
    san: c.identity,
    issuer: c.issuer,
  };
}

/** vouch's verdict: `'pass'` or the code. `identity` defaults to the exact SAN and issuer. */
function vouch(input: Input, identity?: IdentityPolicy): string {
  try {
    verifySigstoreBundle({
      bundle: input.bundle,
      trustedRoot: parseTrustedRoot(input.trustedRoot),
      artifact: { bytes: input.artifact },
      identity: identity ?? { subjectAlternativeName: { exact: input.san }, issuer: { exact: input.issuer } },
      now: new Date(),
    });
    return 'pass';
  } catch (e) {
    if (isVouchError(e)) return e.code;
    throw e;
  }
}

/** sigstore-js's verdict on the same input, with the same exact SAN and issuer unless told otherwise. */
function sigstoreJs(input: Input, san: string | RegExp = input.san): string {
  return sigstoreJsVerdict({
    bundle: input.bundle,
    trustedRoot: input.trustedRoot,
    artifact: input.artifact,
    policy: { subjectAlternativeName: san, extensions: { issuer: input.issuer } },
  });
}

function at(value: unknown, path: JsonPath): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = Reflect.get(node, key);
  }
  return node;
}

function stringAt(value: unknown, path: JsonPath): string {
  const s = at(value, path);
  if (typeof s !== 'string') throw new Error(`no string at ${path.join('.')}`);
  return s;
}

function withBundle(input: Input, path: JsonPath, replacement: unknown): Input {
  return { ...input, bundle: mutateJson(input.bundle, path, replacement) };
}

/** Offset of the unused-bits octet of a certificate's signatureValue BIT STRING (the third item of its SEQUENCE). */
function signatureUnusedBitsOffset(der: Uint8Array): number {
  const header = (at: number): { content: number; end: number } => {
    const first = der[at + 1] ?? 0;
    if (first < 0x80) return { content: at + 2, end: at + 2 + first };
    let len = 0;
    for (let i = 0; i < (first & 0x7f); i++) len = len * 256 + (der[at + 2 + i] ?? 0);
    const content = at + 2 + (first & 0x7f);
    return { content, end: content + len };
  };
  const tbs = header(0).content;
  const bitString = header(header(tbs).end).end;
  if (der[bitString] !== 0x03)
    throw new Error('the certificate has no BIT STRING where its signature belongs');
  return header(bitString).content;
}

const HAPPY = 'happy-path-v0.3';
const REKOR_V2 = 'rekor2-happy-path';

describe('controls: the unmodified inputs verify under both', () => {
  it.each([HAPPY, REKOR_V2])('%s', (id) => {
    const input = conformance(id);
    expect(vouch(input)).toBe('pass');
    expect(sigstoreJs(input)).toBe('pass');
  });
});

describe('a bundle media type with an unknown version is refused', () => {
  it.each([
    'application/vnd.dev.sigstore.bundle.v0.4+json',
    'application/vnd.dev.sigstore.bundle.v1.0+json',
    'application/vnd.dev.sigstore.bundle+json;version=0.9',
  ])('%s', (mediaType) => {
    const input = withBundle(conformance(HAPPY), ['mediaType'], mediaType);
    expect(vouch(input)).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
    expect(sigstoreJs(input)).toBe('pass');
  });
});

describe('base64 with a character outside the alphabet is refused, not skipped', () => {
  it.each([
    ['messageSignature', 'signature'],
    ['verificationMaterial', 'certificate', 'rawBytes'],
    ['verificationMaterial', 'tlogEntries', 0, 'canonicalizedBody'],
  ] satisfies JsonPath[])('%s.%s', (...path) => {
    const input = conformance(HAPPY);
    const value = stringAt(input.bundle, path);
    const mutated = withBundle(input, path, `${value.slice(0, 12)}!${value.slice(12)}`);
    expect(vouch(mutated)).toBe('ERR_MALFORMED_BUNDLE');
    expect(sigstoreJs(mutated)).toBe('pass');
  });
});

describe("a log key's validity window holds for checkpoints too", () => {
  it('an entry with no SET (Rekor v2, checkpoint only) under a log key valid only in 2000 is refused', () => {
    const input = conformance(REKOR_V2);
    const logId = stringAt(input.bundle, ['verificationMaterial', 'tlogEntries', 0, 'logId', 'keyId']);
    expect(at(input.bundle, ['verificationMaterial', 'tlogEntries', 0, 'inclusionPromise'])).toBeUndefined();
    const tlogs = at(input.trustedRoot, ['tlogs']);
    if (!Array.isArray(tlogs)) throw new Error('the root has no tlogs');
    const index = tlogs.findIndex((t) => at(t, ['logId', 'keyId']) === logId);
    expect(index).toBeGreaterThanOrEqual(0);
    const in2000 = {
      ...input,
      trustedRoot: mutateJson(input.trustedRoot, ['tlogs', index, 'publicKey', 'validFor'], {
        start: '2000-01-01T00:00:00Z',
        end: '2000-12-31T23:59:59Z',
      }),
    };
    expect(vouch(in2000)).toBe('ERR_TLOG_UNTRUSTED');
    expect(sigstoreJs(in2000)).toBe('pass');
  });
});

describe('a certificate with malformed DER is refused', () => {
  it('a signature BIT STRING with non-zero unused bits', () => {
    const input = conformance(HAPPY);
    const path = ['verificationMaterial', 'certificate', 'rawBytes'];
    const der = Buffer.from(stringAt(input.bundle, path), 'base64');
    const offset = signatureUnusedBitsOffset(der);
    expect(der[offset]).toBe(0);
    der[offset] = 1;
    const mutated = withBundle(input, path, der.toString('base64'));
    expect(vouch(mutated)).toBe('ERR_MALFORMED_CERTIFICATE');
    expect(sigstoreJs(mutated)).toBe('pass');
  });
});

describe("the inclusion proof's tree size and root hash must be its checkpoint's", () => {
  // sigstore-js recomputes the root from the audit path at the checkpoint's size and compares it with the
  // checkpoint's hash: the proof's own `treeSize` and `rootHash` are never read, so they may say anything.
  const proof = ['verificationMaterial', 'tlogEntries', 0, 'inclusionProof'];

  it('treeSize', () => {
    const input = conformance(HAPPY);
    const treeSize = BigInt(stringAt(input.bundle, [...proof, 'treeSize']));
    const mutated = withBundle(input, [...proof, 'treeSize'], String(treeSize + 1n));
    expect(vouch(mutated)).toBe('ERR_TLOG_CHECKPOINT');
    expect(sigstoreJs(mutated)).toBe('pass');
  });

  it('rootHash', () => {
    const mutated = withBundle(
      conformance(HAPPY),
      [...proof, 'rootHash'],
      randomBytes(32).toString('base64'),
    );
    expect(vouch(mutated)).toBe('ERR_TLOG_CHECKPOINT');
    expect(sigstoreJs(mutated)).toBe('pass');
  });
});

describe('Rekor v2 log index', () => {
  it.each(['-1', 'abc', '1e3', ''])('logIndex %j is refused', (logIndex) => {
    const input = withBundle(
      conformance(REKOR_V2),
      ['verificationMaterial', 'tlogEntries', 0, 'logIndex'],
      logIndex,
    );
    expect(vouch(input)).toBe('ERR_MALFORMED_BUNDLE');
    expect(sigstoreJs(input)).toBe('pass');
  });
});

describe('identity regular expressions are anchored to the whole value', () => {
  it('a substring of the SAN or issuer does not match; the whole value does', () => {
    const input = conformance(HAPPY);
    const exactIssuer = { exact: input.issuer };
    expect(
      vouch(input, { subjectAlternativeName: { regexp: 'sigstore-conformance' }, issuer: exactIssuer }),
    ).toBe('ERR_IDENTITY_MISMATCH');
    expect(
      vouch(input, {
        subjectAlternativeName: { exact: input.san },
        issuer: { regexp: 'token\\.actions' },
      }),
    ).toBe('ERR_IDENTITY_MISMATCH');
    expect(
      vouch(input, {
        subjectAlternativeName: { regexp: 'https://github\\.com/sigstore-conformance/.+' },
        issuer: { regexp: 'https://token\\.actions\\.githubusercontent\\.com' },
      }),
    ).toBe('pass');
    // sigstore-js's policy matches a regular expression (or a string, taken as one) anywhere in the SAN.
    expect(sigstoreJs(input, /sigstore-conformance/)).toBe('pass');
    expect(sigstoreJs(input, 'sigstore-conformance')).toBe('pass');
  });
});

describe('a trusted root whose log has no validity start is malformed', () => {
  it('trust-root-tlog-missing-validity-start_fail', () => {
    const input = conformance('trust-root-tlog-missing-validity-start_fail');
    expect(vouch(input)).toBe('ERR_MALFORMED_TRUSTED_ROOT');
    expect(sigstoreJs(input)).toBe('pass');
  });
});

// ---- inputs that need signing: Fulcio certificates from the loopback services, entries in a log whose key we hold ----

describe('entries signed here, certificates from the loopback Fulcio', () => {
  let services: SigstoreServices;
  const log = makeLog('ecdsa', 'rekor.leniency.test');
  const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const artifact = Buffer.from('an artifact for the leniency tests');
  const digest = createHash('sha256').update(artifact).digest();
  const signature = sign('sha256', artifact, signingKey.privateKey);
  /** Two certificates Fulcio issued for the same key: either verifies `signature`. */
  let certificates: [Buffer, Buffer];

  async function issueCertificate(): Promise<Buffer> {
    const pem = String(signingKey.publicKey.export({ type: 'spki', format: 'pem' }));
    const response = await fetch(`${services.fulcioUrl}/api/v2/signingCert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        credentials: { oidcIdentityToken: services.identityToken() },
        publicKeyRequest: {
          publicKey: { algorithm: 'ECDSA', content: pem },
          proofOfPossession: sign('sha256', Buffer.from(TEST_SUBJECT), signingKey.privateKey).toString(
            'base64',
          ),
        },
      }),
    });
    expect(response.status).toBe(201);
    const leafPem = stringAt(await response.json(), [
      'signedCertificateEmbeddedSct',
      'chain',
      'certificates',
      0,
    ]);
    return Buffer.from(leafPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  }

  beforeAll(async () => {
    services = await startSigstoreServices();
    certificates = [await issueCertificate(), await issueCertificate()];
  });
  afterAll(() => services.close());

  const pemOf = (der: Buffer): string =>
    `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;

  /** A v0.3 message-signature bundle carrying `bundleCertificate`, whose entry (SET, proof, checkpoint) records `loggedCertificate`. */
  function signed(o: { bundleCertificate: Buffer; loggedCertificate: Buffer }): Input {
    const body = {
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: digest.toString('hex') } },
        signature: {
          content: signature.toString('base64'),
          publicKey: { content: Buffer.from(pemOf(o.loggedCertificate)).toString('base64') },
        },
      },
    };
    const entry = entryJson({
      log,
      body,
      kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
      integratedTime: Math.floor(Date.now() / 1000),
    });
    return {
      bundle: {
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: {
          certificate: { rawBytes: o.bundleCertificate.toString('base64') },
          tlogEntries: [entry],
          timestampVerificationData: {},
        },
        messageSignature: {
          messageDigest: { algorithm: 'SHA2_256', digest: digest.toString('base64') },
          signature: signature.toString('base64'),
        },
      },
      trustedRoot: { ...services.trustedRoot, tlogs: [log.json({ start: '2020-01-01T00:00:00Z' })] },
      artifact,
      san: TEST_SUBJECT,
      issuer: TEST_ISSUER,
    };
  }

  it('control: the bundle certificate is the logged one', () => {
    const [a] = certificates;
    const input = signed({ bundleCertificate: a, loggedCertificate: a });
    expect(vouch(input)).toBe('pass');
    expect(sigstoreJs(input)).toBe('pass');
  });

  it('the certificate recorded in the log entry is not the bundle certificate (same key)', () => {
    const [a, b] = certificates;
    expect(a.equals(b)).toBe(false);
    const input = signed({ bundleCertificate: b, loggedCertificate: a });
    expect(vouch(input)).toBe('ERR_TLOG_ENTRY_MISMATCH');
    expect(sigstoreJs(input)).toBe('pass');
  });
});
