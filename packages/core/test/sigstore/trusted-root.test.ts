// Tests of the trusted-root and signing-config parsers and the strict certificate DER checks, over the conformance roots.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf, parseErrorOf } from '../../../../test/support/errors.js';
import { type JsonPath, mutatedJson, mutateJson } from '../../../../test/support/json-mutation.js';
import { caseFile, loadVectorSet } from '../../../../test/support/vectors.js';
import { decodeBase64, encodeBase64, encodeHex } from '../../src/encoding.js';
import { isVouchError } from '../../src/errors.js';
import {
  parseSigningConfig,
  parseSigningConfigJson,
  SIGNING_CONFIG_MEDIA_TYPE,
  type SigningConfig,
  selectServices,
} from '../../src/sigstore/signing-config.js';
import {
  assertStrictCertificateDer,
  logIdIsKeyHash,
  parseStrictCertificate,
  parseTrustedRoot,
  parseTrustedRootJson,
  selectValidAt,
} from '../../src/sigstore/trusted-root.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read and edit untyped trusted-root JSON
type LooseJson = any;

const set = loadVectorSet('sigstore-conformance');
const rootFiles = [
  ...new Set(
    set.cases.filter((c) => c.files.trustedRoot !== undefined).map((c) => caseFile(c, 'trustedRoot')),
  ),
];
const publicGoodFile = rootFiles.find((f) => f.endsWith('public-good.json')) ?? '';
const publicGood: LooseJson = set.json(publicGoodFile);
// The smallest root keeps the mutation property fast.
const smallFile = [...rootFiles].sort((a, b) => set.bytes(a).length - set.bytes(b).length)[0] ?? '';
const small: LooseJson = set.json(smallFile);

const KINDS = ['tlogs', 'ctlogs', 'certificateAuthorities', 'timestampAuthorities'] as const;

/** Paths of every tlog/ctlog/CA/TSA whose validity window has no start, read straight from the JSON. */
function entriesWithoutStart(root: LooseJson): string[] {
  const out: string[] = [];
  for (const kind of KINDS) {
    (root[kind] ?? []).forEach((e: LooseJson, i: number) => {
      const window = kind.endsWith('logs') ? e.publicKey?.validFor : e.validFor;
      const at = kind.endsWith('logs')
        ? `${kind}[${i}].publicKey.validFor.start`
        : `${kind}[${i}].validFor.start`;
      if (window?.start === undefined || window.start === null) out.push(at);
    });
  }
  return out;
}

function edited(base: LooseJson, path: JsonPath, value: unknown): LooseJson {
  return mutateJson(base, path, value);
}

function issuePaths(run: () => unknown): string[] {
  const e = parseErrorOf(run);
  expect(e.code).toBe('ERR_MALFORMED_TRUSTED_ROOT');
  return e.issues.map((i) => i.path);
}

/** Offsets of the top-level elements inside a DER SEQUENCE (test helper for building bad certificates). */
function topLevel(der: Uint8Array): { start: number; body: number; end: number }[] {
  const read = (p: number) => {
    const first = der[p + 1] ?? 0;
    const n = first & 0x80 ? first & 0x7f : 0;
    let len = n ? 0 : first;
    for (let k = 0; k < n; k++) len = len * 256 + (der[p + 2 + k] ?? 0);
    return { start: p, body: p + 2 + n, end: p + 2 + n + len };
  };
  const root = read(0);
  const out = [];
  for (let p = root.body; p < root.end; ) {
    const t = read(p);
    out.push(t);
    p = t.end;
  }
  return out;
}

const caCert = decodeBase64(publicGood.certificateAuthorities[1].certChain.certificates[0].rawBytes);

describe('the conformance and public-good trusted roots', () => {
  it('every root parses, except those with an entry lacking validFor.start, which fail naming that path', () => {
    let refused = 0;
    for (const file of rootFiles) {
      const json: LooseJson = set.json(file);
      const missing = entriesWithoutStart(json);
      if (missing.length > 0) {
        refused++;
        expect(issuePaths(() => parseTrustedRootJson(set.bytes(file)))).toEqual(missing);
        // A root we refuse is only ever used by cases that must fail.
        for (const c of set.cases.filter((x) => x.files.trustedRoot === file)) expect(c.expect).toBe('fail');
        continue;
      }
      const root = parseTrustedRootJson(set.bytes(file));
      for (const kind of KINDS) expect(root[kind]).toHaveLength((json[kind] ?? []).length);
      root.tlogs.forEach((log, i) => {
        expect(log.logIdHex).toBe(encodeHex(decodeBase64(json.tlogs[i].logId.keyId)));
      });
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('prepares public-good: keys, log ids, windows, chains', () => {
    const root = parseTrustedRoot(publicGood);
    expect(root.tlogs.map((l) => l.key.algorithm)).toEqual(['ecdsa-p256', 'ed25519']);
    expect(root.ctlogs.map((l) => l.key.algorithm)).toEqual(['ecdsa-p256', 'ecdsa-p256']);
    // Rekor v1 and CT logs are identified by SHA-256 of the key; the Rekor v2 log (Ed25519) is not, and is kept as is.
    expect(root.tlogs.map(logIdIsKeyHash)).toEqual([true, false]);
    expect(root.ctlogs.every(logIdIsKeyHash)).toBe(true);
    expect(root.tlogs[0]?.logIdHex).toBe(
      createHash('sha256')
        .update(root.tlogs[0]?.key.spki ?? '')
        .digest('hex'),
    );
    expect(root.certificateAuthorities[0]?.validFor.end?.toISOString()).toBe('2022-12-31T23:59:59.999Z');
    expect(root.certificateAuthorities[1]?.validFor.end).toBeUndefined();
    expect(root.certificateAuthorities.map((ca) => ca.chain.length)).toEqual([1, 2]);
    expect(root.timestampAuthorities[0]?.uri).toBe('https://timestamp.sigstore.dev/api/v1/timestamp');
    expect(Object.isFrozen(root) && Object.isFrozen(root.tlogs) && Object.isFrozen(root.tlogs[0])).toBe(true);
    expect(Object.isFrozen(root.certificateAuthorities[1]?.chain)).toBe(true);
  });

  it('parses public-good in about a millisecond, so once per process is cheap', () => {
    const bytes = set.bytes(publicGoodFile);
    parseTrustedRootJson(bytes);
    const start = performance.now();
    for (let i = 0; i < 20; i++) parseTrustedRootJson(bytes);
    // Generous bound for slow CI; measured here at ~1 ms per parse.
    expect((performance.now() - start) / 20).toBeLessThan(50);
  });

  it('accepts a null end, checkpointKeyId and operator (newer exports), and the v0.2 media type', () => {
    const root = parseTrustedRoot({
      ...edited(small, ['tlogs', 0, 'publicKey', 'validFor', 'end'], null),
      mediaType: 'application/vnd.dev.sigstore.trustedroot.v0.2+json',
    });
    expect(root.tlogs[0]?.validFor.end).toBeUndefined();
    const withExtras = edited(small, ['tlogs', 0, 'checkpointKeyId'], { keyId: 'AAECAw==' });
    expect(parseTrustedRoot(edited(withExtras, ['tlogs', 0, 'operator'], 'sigstore.dev')).tlogs).toHaveLength(
      1,
    );
    // Unknown fields are ignored so that a newer root still loads.
    expect(parseTrustedRoot({ ...small, futureField: { x: 1 } }).ctlogs).toHaveLength(1);
  });
});

describe('malformed trusted roots', () => {
  it('refuses a missing validFor.start on a tlog, ctlog, CA and TSA, reporting all four at once', () => {
    let root: LooseJson = small;
    root = edited(root, ['tlogs', 0, 'publicKey', 'validFor', 'start'], undefined);
    root = edited(root, ['ctlogs', 0, 'publicKey', 'validFor', 'start'], undefined);
    root = edited(root, ['certificateAuthorities', 0, 'validFor', 'start'], undefined);
    root = edited(root, ['timestampAuthorities', 0, 'validFor'], undefined);
    expect(issuePaths(() => parseTrustedRoot(root))).toEqual([
      'tlogs[0].publicKey.validFor.start',
      'ctlogs[0].publicKey.validFor.start',
      'certificateAuthorities[0].validFor.start',
      'timestampAuthorities[0].validFor',
    ]);
  });

  it('refuses an unknown or missing media type', () => {
    for (const mediaType of [
      'application/vnd.dev.sigstore.trustedroot+json;version=0.3',
      '',
      42,
      undefined,
    ]) {
      expect(issuePaths(() => parseTrustedRoot({ ...small, mediaType }))).toEqual(['mediaType']);
    }
  });

  it('refuses what is not a JSON object, and bad JSON', () => {
    for (const v of [null, [], 'x', 1]) expect(issuePaths(() => parseTrustedRoot(v))).toEqual(['']);
    expect(issuePaths(() => parseTrustedRootJson('{"mediaType":'))).toEqual(['trustedRoot']);
  });

  it.each([
    ['not base64!', 'tlogs[0].publicKey.rawBytes'],
    ['', 'tlogs[0].publicKey.rawBytes'],
    [7, 'tlogs[0].publicKey.rawBytes'],
  ])('refuses rawBytes %j', (value, path) => {
    expect(
      issuePaths(() => parseTrustedRoot(edited(small, ['tlogs', 0, 'publicKey', 'rawBytes'], value))),
    ).toEqual([path]);
  });

  it('refuses a bad logId or checkpointKeyId', () => {
    expect(issuePaths(() => parseTrustedRoot(edited(small, ['tlogs', 0, 'logId', 'keyId'], 'a*b')))).toEqual([
      'tlogs[0].logId.keyId',
    ]);
    expect(issuePaths(() => parseTrustedRoot(edited(small, ['ctlogs', 0, 'logId'], undefined)))).toEqual([
      'ctlogs[0].logId',
    ]);
    const cp = edited(small, ['tlogs', 0, 'checkpointKeyId'], { keyId: 5 });
    expect(issuePaths(() => parseTrustedRoot(cp))).toEqual(['tlogs[0].checkpointKeyId.keyId']);
  });

  it('refuses bytes that are not a SubjectPublicKeyInfo, or not its canonical DER', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    const spki = decodeBase64(small.tlogs[0].publicKey.rawBytes);
    const longForm = new Uint8Array([0x30, 0x81, ...spki.subarray(1)]);
    for (const raw of [Buffer.from(pem), caCert, longForm, spki.subarray(0, 40)]) {
      const root = edited(small, ['tlogs', 0, 'publicKey', 'rawBytes'], encodeBase64(raw));
      expect(issuePaths(() => parseTrustedRoot(root))).toEqual(['tlogs[0].publicKey.rawBytes']);
    }
  });

  it('refuses a key outside the key policy (secp256k1)', () => {
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    const root = edited(small, ['tlogs', 0, 'publicKey', 'rawBytes'], encodeBase64(k1));
    const e = parseErrorOf(() => parseTrustedRoot(root));
    expect(e.issues.map((i) => [i.path, i.message])).toEqual([
      ['tlogs[0].publicKey.rawBytes', expect.stringContaining('secp256k1')],
    ]);
  });

  it('refuses keyDetails that disagree with the key, or name a scheme vouch does not verify', () => {
    const mismatch = edited(small, ['tlogs', 0, 'publicKey', 'keyDetails'], 'PKIX_ED25519');
    const e = parseErrorOf(() => parseTrustedRoot(mismatch));
    expect(e.issues).toEqual([
      {
        path: 'tlogs[0].publicKey.keyDetails',
        message: 'PKIX_ED25519 names an ed25519 key but rawBytes holds an ecdsa-p256 key',
      },
    ]);
    for (const details of [
      'PKIX_RSA_PSS_2048_SHA256',
      'ML_DSA_65',
      'PKIX_ECDSA_P384_SHA_256',
      'NOPE',
      99,
      null,
    ]) {
      const root = edited(small, ['ctlogs', 0, 'publicKey', 'keyDetails'], details);
      expect(issuePaths(() => parseTrustedRoot(root))).toEqual(['ctlogs[0].publicKey.keyDetails']);
    }
  });

  it('checks an RSA key size against PKIX_RSA_PKCS1V15_<bits>_SHA256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    const withKey = edited(small, ['ctlogs', 0, 'publicKey', 'rawBytes'], encodeBase64(rsa));
    const ok = edited(withKey, ['ctlogs', 0, 'publicKey', 'keyDetails'], 'PKIX_RSA_PKCS1V15_2048_SHA256');
    expect(parseTrustedRoot(ok).ctlogs[0]?.key.bits).toBe(2048);
    const wrong = edited(withKey, ['ctlogs', 0, 'publicKey', 'keyDetails'], 'PKIX_RSA_PKCS1V15_4096_SHA256');
    expect(parseErrorOf(() => parseTrustedRoot(wrong)).issues[0]?.message).toBe(
      'PKIX_RSA_PKCS1V15_4096_SHA256 names an RSA 4096-bit key but rawBytes holds an RSA 2048-bit key',
    );
  });

  it('reads protobuf enum numbers as their names, and refuses HASH_ALGORITHM_UNSPECIFIED', () => {
    const numeric = edited(
      edited(small, ['tlogs', 0, 'hashAlgorithm'], 1),
      ['tlogs', 0, 'publicKey', 'keyDetails'],
      5,
    );
    expect(parseTrustedRoot(numeric).tlogs[0]?.hashAlgorithm).toBe('SHA2_256');
    for (const h of ['HASH_ALGORITHM_UNSPECIFIED', 0, 'sha256']) {
      expect(issuePaths(() => parseTrustedRoot(edited(small, ['tlogs', 0, 'hashAlgorithm'], h)))).toEqual([
        'tlogs[0].hashAlgorithm',
      ]);
    }
  });

  it('refuses a missing baseUrl, certChain, an empty chain or a chain out of order', () => {
    expect(issuePaths(() => parseTrustedRoot(edited(small, ['tlogs', 0, 'baseUrl'], undefined)))).toEqual([
      'tlogs[0].baseUrl',
    ]);
    expect(
      issuePaths(() => parseTrustedRoot(edited(small, ['certificateAuthorities', 0, 'certChain'], 1))),
    ).toEqual(['certificateAuthorities[0].certChain']);
    const empty = edited(small, ['certificateAuthorities', 0, 'certChain', 'certificates'], []);
    expect(issuePaths(() => parseTrustedRoot(empty))).toEqual([
      'certificateAuthorities[0].certChain.certificates',
    ]);
    const chain = publicGood.certificateAuthorities[1].certChain.certificates;
    const reversed = edited(
      publicGood,
      ['certificateAuthorities', 1, 'certChain', 'certificates'],
      [...chain].reverse(),
    );
    expect(issuePaths(() => parseTrustedRoot(reversed))).toEqual([
      'certificateAuthorities[1].certChain.certificates[0]',
    ]);
  });

  it.each<[unknown, string]>([
    ['2023-02-29T00:00:00Z', 'not a leap year'],
    ['2023-01-01 00:00:00Z', 'space for T'],
    ['2023-01-01T00:00:00', 'no offset'],
    ['2023-01-01t00:00:00z', 'lower case'],
    ['2023-01-01T24:00:00Z', 'hour 24'],
    ['2023-01-01T00:00:60Z', 'leap second'],
    ['0000-01-01T00:00:00Z', 'year 0'],
    ['2023-01-01T00:00:00.1234567891Z', '10 fraction digits'],
    ['2023-01-01T00:00:00+24:00', 'offset hour 24'],
    [1672531200, 'a number'],
  ])('refuses the timestamp %j (%s)', (start) => {
    const root = edited(small, ['certificateAuthorities', 0, 'validFor', 'start'], start);
    expect(issuePaths(() => parseTrustedRoot(root))).toEqual(['certificateAuthorities[0].validFor.start']);
  });

  it('refuses a window that ends before it starts', () => {
    const root = edited(small, ['tlogs', 0, 'publicKey', 'validFor', 'end'], '2022-12-31T23:59:59Z');
    expect(issuePaths(() => parseTrustedRoot(root))).toEqual(['tlogs[0].publicKey.validFor.end']);
  });

  it('reads offsets and rounds sub-millisecond bounds inward', () => {
    let root: LooseJson = edited(small, ['tlogs', 0, 'publicKey', 'validFor'], {
      start: '2024-02-29T01:00:00.0001+01:00',
      end: '2024-03-01T00:00:00.999999999Z',
    });
    root = edited(root, ['ctlogs', 0, 'publicKey', 'validFor'], { start: '2024-01-01T00:00:00-05:30' });
    const parsed = parseTrustedRoot(root);
    expect(parsed.tlogs[0]?.validFor.start.toISOString()).toBe('2024-02-29T00:00:00.001Z');
    expect(parsed.tlogs[0]?.validFor.end?.toISOString()).toBe('2024-03-01T00:00:00.999Z');
    expect(parsed.ctlogs[0]?.validFor.start.toISOString()).toBe('2024-01-01T05:30:00.000Z');
  });
});

describe('strict certificate DER', () => {
  const fields = topLevel(caCert);
  const sig = fields[2] ?? { start: 0, body: 0, end: 0 };
  const at = 'certificateAuthorities[1].certChain.certificates[0].rawBytes';

  function inRoot(der: Uint8Array): string[] {
    const root = edited(
      publicGood,
      ['certificateAuthorities', 1, 'certChain', 'certificates', 0, 'rawBytes'],
      encodeBase64(der),
    );
    return issuePaths(() => parseTrustedRoot(root));
  }

  it('refuses a signature BIT STRING with unused bits, which @sigstore/core lets through', () => {
    const bad = caCert.slice();
    const unusedAt = sig.body; // BIT STRING content starts with the unused-bits count
    bad[unusedAt] = 1;
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) & 0xfe;
    expect(X509Certificate.parse(Buffer.from(bad)).signatureValue.length).toBeGreaterThan(0);
    const e = parseErrorOf(() => assertStrictCertificateDer(bad, 'cert'));
    expect([e.code, e.issues[0]?.path, e.issues[0]?.message]).toEqual([
      'ERR_MALFORMED_CERTIFICATE',
      'cert',
      `is not strict DER: the signature BIT STRING has 1 unused bits (must be 0) (at byte ${unusedAt})`,
    ]);
    expect(inRoot(bad)).toEqual([at]);
  });

  it('refuses trailing bytes, long-form lengths, truncation, a signatureAlgorithm mismatch and garbage', () => {
    const trailing = new Uint8Array([...caCert, 0]);
    const longForm = new Uint8Array([0x30, 0x83, 0x00, ...caCert.subarray(2)]);
    const truncated = caCert.subarray(0, caCert.length - 1);
    const outerAlg = fields[1] ?? sig;
    const mismatch = caCert.slice();
    mismatch[outerAlg.end - 1] = (mismatch[outerAlg.end - 1] ?? 0) ^ 0x01;
    for (const der of [
      trailing,
      longForm,
      truncated,
      mismatch,
      new Uint8Array([1, 2, 3]),
      new Uint8Array(),
    ]) {
      expect(parseErrorOf(() => assertStrictCertificateDer(der, 'c')).code).toBe('ERR_MALFORMED_CERTIFICATE');
      expect(inRoot(der)).toEqual([at]);
    }
  });

  it('accepts every certificate of every conformance root, and reads it with @sigstore/core', () => {
    let count = 0;
    for (const file of rootFiles) {
      const json: LooseJson = set.json(file);
      for (const ca of [...(json.certificateAuthorities ?? []), ...(json.timestampAuthorities ?? [])]) {
        for (const c of ca.certChain.certificates) {
          const cert = parseStrictCertificate(decodeBase64(c.rawBytes), 'c');
          expect(cert.notBefore.getTime()).toBeLessThan(cert.notAfter.getTime());
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(20);
  });
});

describe('selectValidAt', () => {
  const window = { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-12-31T23:59:59Z') };

  it('includes both ends, excludes outside, and treats a missing end as open', () => {
    expect(selectValidAt(window, window.start)).toBe(true);
    expect(selectValidAt(window, window.end)).toBe(true);
    expect(selectValidAt(window, new Date(window.start.getTime() - 1))).toBe(false);
    expect(selectValidAt(window, new Date(window.end.getTime() + 1))).toBe(false);
    expect(selectValidAt({ start: window.start }, new Date('2999-01-01T00:00:00Z'))).toBe(true);
    expect(selectValidAt({ start: window.start }, new Date(Number.NaN))).toBe(false);
  });
});

describe('signing config', () => {
  const service = (url: string, start: string, extra: object = {}) => ({
    url,
    majorApiVersion: 1,
    validFor: { start },
    operator: 'sigstore.dev',
    ...extra,
  });
  // Shaped like Sigstore's public-good signing_config.v0.2.json (written here, not a vector).
  const config: LooseJson = {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: [service('https://fulcio.sigstore.dev', '2023-04-14T21:38:40Z')],
    oidcUrls: [service('https://oauth2.sigstore.dev/auth', '2025-04-16T00:00:00Z')],
    rekorTlogUrls: [service('https://rekor.sigstore.dev', '2021-01-12T11:53:27Z')],
    tsaUrls: [service('https://timestamp.sigstore.dev/api/v1/timestamp', '2025-07-04T00:00:00Z')],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  };
  const now = new Date('2026-01-01T00:00:00Z');
  const urls = (s: readonly { url: string }[]) => s.map((x) => x.url);

  it('parses and selects Fulcio, OIDC, one Rekor and one TSA', () => {
    const parsed: SigningConfig = parseSigningConfigJson(JSON.stringify(config));
    expect(Object.isFrozen(parsed) && Object.isFrozen(parsed.caUrls[0])).toBe(true);
    const chosen = selectServices(parsed, { now });
    expect([chosen.fulcio?.url, chosen.oidc?.url, urls(chosen.rekor), urls(chosen.tsa)]).toEqual([
      'https://fulcio.sigstore.dev',
      'https://oauth2.sigstore.dev/auth',
      ['https://rekor.sigstore.dev'],
      ['https://timestamp.sigstore.dev/api/v1/timestamp'],
    ]);
    // Nothing valid yet: no Fulcio and, with ANY, an empty Rekor list for the caller to refuse if it needs one.
    const early = selectServices(parsed, { now: new Date('2020-01-01T00:00:00Z') });
    expect([early.fulcio, early.rekor, early.tsa]).toEqual([undefined, [], []]);
  });

  it('prefers the highest supported API version, then the newest start, one per operator', () => {
    const rekorTlogUrls = [
      service('https://log2025-1.rekor.sigstore.dev', '2025-09-23T00:00:00Z', { majorApiVersion: 2 }),
      service('https://rekor.sigstore.dev', '2021-01-12T11:53:27Z'),
      service('https://rekor-old.example', '2020-01-01T00:00:00Z', {
        validFor: { start: '2020-01-01T00:00:00Z', end: '2024-01-01T00:00:00Z' },
      }),
      service('https://rekor.other.example', '2022-01-01T00:00:00Z', { operator: 'other.example' }),
    ];
    const all = parseSigningConfig({ ...config, rekorTlogUrls, rekorTlogConfig: { selector: 'ALL' } });
    expect(urls(selectServices(all, { now }).rekor)).toEqual(['https://log2025-1.rekor.sigstore.dev']);
    expect(urls(selectServices(all, { now, apiVersions: { rekor: [1] } }).rekor)).toEqual([
      'https://rekor.sigstore.dev',
      'https://rekor.other.example',
    ]);
    const exact = parseSigningConfig({
      ...config,
      rekorTlogUrls,
      rekorTlogConfig: { selector: 'EXACT', count: '2' },
    });
    expect(urls(selectServices(exact, { now, apiVersions: { rekor: [1] } }).rekor)).toHaveLength(2);
    expect(codeOfSync(() => selectServices(exact, { now }))).toBe('ERR_USAGE');
  });

  it('counts a window end as valid (inclusive)', () => {
    const end = '2025-01-01T00:00:00Z';
    const c = parseSigningConfig({
      ...config,
      caUrls: [
        service('https://f.example', '2024-01-01T00:00:00Z', {
          validFor: { start: '2024-01-01T00:00:00Z', end },
        }),
      ],
    });
    expect(selectServices(c, { now: new Date(end) }).fulcio?.url).toBe('https://f.example');
    expect(selectServices(c, { now: new Date(Date.parse(end) + 1) }).fulcio).toBeUndefined();
  });

  it.each([
    [{ mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.1+json' }, ['mediaType']],
    [{ rekorTlogConfig: undefined }, ['rekorTlogConfig']],
    [{ tsaConfig: { selector: 'SERVICE_SELECTOR_UNDEFINED' } }, ['tsaConfig.selector']],
    [{ tsaConfig: { selector: 'EXACT' } }, ['tsaConfig.count']],
    [{ caUrls: [service('fulcio.sigstore.dev', '2023-01-01T00:00:00Z')] }, ['caUrls[0].url']],
    [{ caUrls: [service('ftp://f.example', '2023-01-01T00:00:00Z')] }, ['caUrls[0].url']],
    [
      { caUrls: [service('https://f.example', '2023-01-01T00:00:00Z', { majorApiVersion: -1 })] },
      ['caUrls[0].majorApiVersion'],
    ],
    [
      { caUrls: [service('https://f.example', '2023-01-01T00:00:00Z', { operator: '' })] },
      ['caUrls[0].operator'],
    ],
    [{ oidcUrls: [{ url: 'https://o.example', operator: 'x' }] }, ['oidcUrls[0].validFor']],
    [{ tsaUrls: {} }, ['tsaUrls']],
  ])('refuses %j', (change, paths) => {
    const e = parseErrorOf(() => parseSigningConfig({ ...config, ...change }));
    expect([e.code, e.issues.map((i) => i.path)]).toEqual(['ERR_MALFORMED_TRUSTED_ROOT', paths]);
  });
});

function codeOfSync(run: () => unknown): string {
  try {
    run();
    return 'no error';
  } catch (e) {
    if (isVouchError(e)) return e.code;
    throw e;
  }
}

describe('properties', () => {
  function trustedRootOutcome(run: () => unknown): void {
    try {
      run();
    } catch (e) {
      if (!isVouchError(e)) throw e;
      expect(e.code).toBe('ERR_MALFORMED_TRUSTED_ROOT');
    }
  }
  const replacements = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 3 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 2 },
    {
      arbitrary: fc.constantFrom(
        '',
        'YQ==',
        'MAA=',
        '2023-01-01T00:00:00Z',
        'PKIX_ED25519',
        'SHA2_256',
        [],
        {},
        null,
        1,
        -1,
      ),
      weight: 2,
    },
  );

  it('parseTrustedRoot on arbitrary JSON: a root or ERR_MALFORMED_TRUSTED_ROOT', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => trustedRootOutcome(() => parseTrustedRoot(v))),
      { numRuns: 10_000 },
    );
  });

  it('parseTrustedRoot on mutations of the smallest conformance root: a root or ERR_MALFORMED_TRUSTED_ROOT', () => {
    fc.assert(
      fc.property(mutatedJson([small], replacements), (v) => trustedRootOutcome(() => parseTrustedRoot(v))),
      { numRuns: 10_000 },
    );
  });

  it('parseStrictCertificate on corrupted certificates: a certificate or ERR_MALFORMED_CERTIFICATE', () => {
    const corrupted = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
        const copy = caCert.slice();
        copy[i % copy.length] = b;
        return copy;
      }),
      fc.nat().map((n) => caCert.subarray(0, n % caCert.length)),
    );
    fc.assert(
      fc.property(corrupted, (der) => {
        try {
          parseStrictCertificate(der, 'c');
        } catch (e) {
          if (!isVouchError(e)) throw e;
          expect(e.code).toBe('ERR_MALFORMED_CERTIFICATE');
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('parseSigningConfig on arbitrary JSON and mutations: a config or ERR_MALFORMED_TRUSTED_ROOT', () => {
    const base = {
      mediaType: SIGNING_CONFIG_MEDIA_TYPE,
      caUrls: [
        {
          url: 'https://f.example',
          majorApiVersion: 1,
          validFor: { start: '2023-01-01T00:00:00Z' },
          operator: 'a',
        },
      ],
      rekorTlogUrls: [
        {
          url: 'https://r.example',
          majorApiVersion: 2,
          validFor: { start: '2023-01-01T00:00:00Z' },
          operator: 'a',
        },
      ],
      rekorTlogConfig: { selector: 'EXACT', count: 1 },
    };
    const input = fc.oneof(fc.jsonValue(), mutatedJson([base], replacements));
    fc.assert(
      fc.property(input, (v) => {
        let parsed: SigningConfig | undefined;
        trustedRootOutcome(() => {
          parsed = parseSigningConfig(v);
        });
        if (parsed === undefined) return;
        const config = parsed;
        // Selection either returns or says the config cannot be satisfied (ERR_USAGE); nothing else.
        if (outcomeOf(() => selectServices(config, { now: new Date('2024-01-01T00:00:00Z') })) === 'error') {
          expect(codeOfSync(() => selectServices(config, { now: new Date('2024-01-01T00:00:00Z') }))).toBe(
            'ERR_USAGE',
          );
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
