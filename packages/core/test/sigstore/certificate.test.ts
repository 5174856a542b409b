// Tests of Fulcio certificate path validation and SCT checks, over the conformance bundles and certificates built here.
import { RFC3161Timestamp } from '@sigstore/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, outcomeOf } from '../../../../test/support/errors.js';
import { caseFile, loadVectorSet, type VectorCase } from '../../../../test/support/vectors.js';
import { type Bundle, parseBundle } from '../../src/bundle.js';
import { VerificationError } from '../../src/errors.js';
import { parsePublicKey } from '../../src/keys/index.js';
import { verifyCertificateChain, verifySCTs } from '../../src/sigstore/certificate.js';
import { decodeCertificate } from '../../src/sigstore/identity.js';
import { parseTrustedRoot } from '../../src/sigstore/trusted-root.js';
import type { TrustedRoot } from '../../src/sigstore/types.js';
import { derMutation, ext, extension, mutateDer, p256, seq, testAuthority } from './x509-builder.js';

const set = loadVectorSet('sigstore-conformance');
const roots = new Map<string, TrustedRoot>();
function rootOf(c: VectorCase): TrustedRoot {
  const file = caseFile(c, 'trustedRoot');
  let root = roots.get(file);
  if (root === undefined) {
    root = parseTrustedRoot(set.json(file));
    roots.set(file, root);
  }
  return root;
}

function caseById(id: string): VectorCase {
  const c = set.cases.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no case ${id}`);
  return c;
}

function bundleOf(c: VectorCase): Bundle {
  return parseBundle(set.bytes(caseFile(c, 'bundle')));
}

function certsOf(b: Bundle): { leaf: Uint8Array; intermediates: Uint8Array[] } | undefined {
  const m = b.verificationMaterial.content;
  if (m.type === 'certificate') return { leaf: m.rawBytes, intermediates: [] };
  if (m.type === 'x509CertificateChain' && m.certificates[0] !== undefined) {
    return {
      leaf: m.certificates[0].rawBytes,
      intermediates: m.certificates.slice(1).map((c) => c.rawBytes),
    };
  }
  return undefined;
}

/** The bundle's claimed signing times: tlog integrated times, else RFC 3161 signing times (not verified here). */
function timesOf(b: Bundle): Date[] {
  const times = b.verificationMaterial.tlogEntries
    .map((e) => Number(e.integratedTime ?? '0'))
    .filter((t) => t > 0)
    .map((t) => new Date(t * 1000));
  for (const ts of b.verificationMaterial.timestampVerificationData.rfc3161Timestamps) {
    times.push(RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp)).signingTime);
  }
  return times;
}

function errorOf(fn: () => unknown): VerificationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerificationError) return e;
    throw e;
  }
  throw new Error('expected a VerificationError, nothing was thrown');
}

const passing = set.cases.filter((c) => c.expect === 'pass' && certsOf(bundleOf(c)) !== undefined);

describe('verifyCertificateChain over the conformance happy paths', () => {
  it('covers the keyless happy-path cases', () => {
    expect(passing.length).toBeGreaterThanOrEqual(10);
  });

  it.each(passing.map((c) => [c.id, c] as const))('%s: the leaf chains at its signing time', (_id, c) => {
    const b = bundleOf(c);
    const certs = certsOf(b);
    if (certs === undefined) throw new Error('no certificate');
    const times = timesOf(b);
    expect(times.length).toBeGreaterThan(0);
    const v = verifyCertificateChain({ ...certs, trustedRoot: rootOf(c), times });
    expect(v.identity.subjectAlternativeName).toBe(c.identity);
    expect(v.identity.extensions.issuer).toBe(c.issuer);
    expect(rootOf(c).certificateAuthorities).toContain(v.authority);
    expect(v.notBefore.getTime()).toBeLessThanOrEqual(Math.min(...times.map((t) => t.getTime())));
    expect(v.publicKey.algorithm).toMatch(/^ecdsa-/);
    expect(Buffer.from(v.leaf.root.toDER()).equals(Buffer.from(certs.leaf))).toBe(true);
  });
});

describe('verifyCertificateChain refusals', () => {
  const happy = caseById('happy-path-intoto-in-dsse-v3');
  const happyBundle = bundleOf(happy);
  const happyLeaf = certsOf(happyBundle)?.leaf ?? new Uint8Array();
  const happyTime = timesOf(happyBundle)[0] ?? new Date(0);
  const publicGood = rootOf(happy);

  it('intoto-expired-certificate_fail: a signing time outside the leaf validity is ERR_CERTIFICATE_VALIDITY', () => {
    const c = caseById('intoto-expired-certificate_fail');
    const b = bundleOf(c);
    const e = errorOf(() =>
      verifyCertificateChain({
        leaf: certsOf(b)?.leaf ?? new Uint8Array(),
        trustedRoot: rootOf(c),
        times: timesOf(b),
      }),
    );
    expect(e.code).toBe('ERR_CERTIFICATE_VALIDITY');
    expect(e.message).toContain('notBefore 2030-01-01T00:00:00.000Z');
    expect(e.message).toContain('notAfter 2030-01-01T00:10:00.000Z');
    expect(e.message).toContain('2023-02-01T00:00:00.000Z');
  });

  it('a time after notAfter, and one good time among bad ones, are refused', () => {
    const late = new Date(happyTime.getTime() + 3600_000);
    for (const times of [[late], [happyTime, late]]) {
      const e = errorOf(() => verifyCertificateChain({ leaf: happyLeaf, trustedRoot: publicGood, times }));
      expect(e.code).toBe('ERR_CERTIFICATE_VALIDITY');
      expect(e.message).toContain(late.toISOString());
    }
  });

  it('bundle-with-root-cert_fail: a chain that includes the root is ERR_CERTIFICATE_CHAIN', () => {
    const c = caseById('bundle-with-root-cert_fail');
    const b = bundleOf(c);
    const certs = certsOf(b);
    if (certs === undefined) throw new Error('no certificate');
    expect(certs.intermediates).toHaveLength(2);
    const e = errorOf(() => verifyCertificateChain({ ...certs, trustedRoot: rootOf(c), times: timesOf(b) }));
    expect(e.code).toBe('ERR_CERTIFICATE_CHAIN');
    expect(e.message).toContain('root');
    // The same leaf with no chain, or with exactly the CA's intermediate, verifies: only the extras are refused.
    const ca = rootOf(c).certificateAuthorities.find((a) => a.chain.length === 2);
    const intermediate = ca?.chain[0];
    if (intermediate === undefined) throw new Error('no two-level CA');
    for (const intermediates of [[], [intermediate]]) {
      const v = verifyCertificateChain({
        leaf: certs.leaf,
        intermediates,
        trustedRoot: rootOf(c),
        times: timesOf(b),
      });
      expect(v.authority).toBe(ca);
    }
    const root = ca?.chain[1] ?? new Uint8Array();
    for (const intermediates of [[root], [intermediate, root], [intermediate, intermediate], [happyLeaf]]) {
      expect(
        errorOf(() =>
          verifyCertificateChain({
            leaf: certs.leaf,
            intermediates,
            trustedRoot: rootOf(c),
            times: timesOf(b),
          }),
        ).code,
      ).toBe('ERR_CERTIFICATE_CHAIN');
    }
  });

  it('invalid-ct-key_fail: an SCT from a log the root does not list is ERR_SCT_INVALID', () => {
    const c = caseById('invalid-ct-key_fail');
    const b = bundleOf(c);
    const e = errorOf(() =>
      verifyCertificateChain({
        leaf: certsOf(b)?.leaf ?? new Uint8Array(),
        trustedRoot: rootOf(c),
        times: timesOf(b),
      }),
    );
    expect(e.code).toBe('ERR_SCT_INVALID');
    expect(e.message).toContain('dd3d306ac6c7113263191e1c99673702a24a5eb8de3cadff878a72802f29ee8e');
  });

  it('an SCT under a trusted log id with another key does not verify; a threshold of 2 is not met', () => {
    const wrongKey = parsePublicKey(p256().publicKey.export({ type: 'spki', format: 'der' }));
    const ctlogs = publicGood.ctlogs.map((l) => ({ ...l, key: wrongKey }));
    const e = errorOf(() =>
      verifyCertificateChain({ leaf: happyLeaf, trustedRoot: { ...publicGood, ctlogs }, times: [happyTime] }),
    );
    expect(e.code).toBe('ERR_SCT_INVALID');
    expect(e.message).toContain('does not verify');
    const t = errorOf(() =>
      verifyCertificateChain({
        leaf: happyLeaf,
        trustedRoot: publicGood,
        times: [happyTime],
        ctLogThreshold: 2,
      }),
    );
    expect(t.code).toBe('ERR_SCT_INVALID');
    // Without CT logs in the root there is nothing to check.
    expect(
      verifyCertificateChain({
        leaf: happyLeaf,
        trustedRoot: { ...publicGood, ctlogs: [] },
        times: [happyTime],
      }).identity,
    ).toBeDefined();
  });

  it('bundle-with-sct-with-extensions: an SCT with extensions verifies under its own root', () => {
    const c = caseById('bundle-with-sct-with-extensions');
    const b = bundleOf(c);
    const root = rootOf(c);
    const leaf = decodeCertificate(certsOf(b)?.leaf ?? new Uint8Array());
    const issuer = root.certificateAuthorities[0]?.chain[0] ?? new Uint8Array();
    const scts = verifySCTs(leaf, issuer, root.ctlogs);
    expect(scts).toHaveLength(1);
    expect(scts[0]?.logIdHex).toBe(root.ctlogs[0]?.logIdHex);
    // Against the public-good logs the same SCT counts for nothing.
    expect(errorOf(() => verifySCTs(leaf, issuer, publicGood.ctlogs)).code).toBe('ERR_SCT_INVALID');
  });

  it('a tampered signature or TBS is ERR_CERTIFICATE_CHAIN', () => {
    const sig = Uint8Array.from(happyLeaf);
    sig[sig.length - 5] = (sig[sig.length - 5] ?? 0) ^ 0x01;
    const tbs = Uint8Array.from(happyLeaf);
    const at = Buffer.from(tbs).indexOf('workflow_dispatch');
    tbs[at] = 'W'.charCodeAt(0);
    for (const leaf of [sig, tbs]) {
      const e = errorOf(() => verifyCertificateChain({ leaf, trustedRoot: publicGood, times: [happyTime] }));
      expect(e.code).toBe('ERR_CERTIFICATE_CHAIN');
      expect(e.message).toContain('signature does not verify');
    }
  });

  it('a signature BIT STRING with unused bits is ERR_MALFORMED_CERTIFICATE', async () => {
    const leaf = Uint8Array.from(happyLeaf);
    // The BIT STRING is the certificate's last element: 03 <len> 00 <signature>; set its unused-bits byte.
    const unusedBits = leaf.length - decodeCertificate(happyLeaf).signature.length - 1;
    expect(leaf[unusedBits]).toBe(0);
    expect(leaf[unusedBits - 2]).toBe(0x03);
    leaf[unusedBits] = 1;
    expect(
      await codeOf(() => verifyCertificateChain({ leaf, trustedRoot: publicGood, times: [happyTime] })),
    ).toBe('ERR_MALFORMED_CERTIFICATE');
  });

  it('a leaf from another CA is ERR_CERTIFICATE_CHAIN', () => {
    const c = caseById('intoto-with-custom-trust-root');
    const e = errorOf(() =>
      verifyCertificateChain({ leaf: happyLeaf, trustedRoot: rootOf(c), times: [happyTime] }),
    );
    expect(e.code).toBe('ERR_CERTIFICATE_CHAIN');
  });

  it('usage errors: no times, an invalid date', async () => {
    expect(
      await codeOf(() => verifyCertificateChain({ leaf: happyLeaf, trustedRoot: publicGood, times: [] })),
    ).toBe('ERR_USAGE');
    expect(
      await codeOf(() =>
        verifyCertificateChain({ leaf: happyLeaf, trustedRoot: publicGood, times: [new Date(Number.NaN)] }),
      ),
    ).toBe('ERR_USAGE');
  });
});

describe('verifyCertificateChain on certificates built here', () => {
  const start = new Date('2024-01-01T00:00:00Z');
  const end = new Date('2034-01-01T00:00:00Z');
  const t = new Date('2025-06-01T00:00:10Z');
  const ca = testAuthority({ start, end });
  const window = { notBefore: new Date('2025-06-01T00:00:00Z'), notAfter: new Date('2025-06-01T00:10:00Z') };
  const fulcio = [
    ext.keyUsage(0x80),
    ext.codeSigning(),
    ext.sanEmail('someone@example.com'),
    ext.fulcioRaw(1, 'https://accounts.example.com'),
  ];

  it('a well-formed leaf verifies, with or without the intermediate', () => {
    const leaf = ca.leaf({ ...window, extensions: fulcio });
    for (const intermediates of [[], [ca.intermediate]]) {
      const v = verifyCertificateChain({ leaf, intermediates, trustedRoot: ca.trustedRoot, times: [t] });
      expect(v.identity).toEqual({
        subjectAlternativeName: 'someone@example.com',
        extensions: { issuer: 'https://accounts.example.com' },
      });
      expect(v.authority).toBe(ca.authority);
    }
  });

  it.each([
    ['no codeSigning EKU', [ext.keyUsage(0x80), ext.sanEmail('a@b.c')], 'codeSigning'],
    ['a CA leaf', [ext.ca(), ...fulcio], 'CA certificate'],
    [
      'keyUsage without digitalSignature',
      [ext.keyUsage(0x04), ext.codeSigning(), ext.sanEmail('a@b.c')],
      'digitalSignature',
    ],
    ['an unknown critical extension', [...fulcio, extension('1.2.3.4', seq(), true)], 'critical'],
  ])('%s is ERR_CERTIFICATE_CHAIN', (_name, extensions, text) => {
    const leaf = ca.leaf({ ...window, extensions });
    const e = errorOf(() => verifyCertificateChain({ leaf, trustedRoot: ca.trustedRoot, times: [t] }));
    expect(e.code).toBe('ERR_CERTIFICATE_CHAIN');
    expect(e.message).toContain(text);
  });

  it('a time before the CA validFor start is ERR_CERTIFICATE_VALIDITY naming the CA', () => {
    const root = {
      ...ca.trustedRoot,
      certificateAuthorities: [{ ...ca.authority, validFor: { start: new Date('2025-07-01T00:00:00Z') } }],
    };
    const e = errorOf(() =>
      verifyCertificateChain({
        leaf: ca.leaf({ ...window, extensions: fulcio }),
        trustedRoot: root,
        times: [t],
      }),
    );
    expect(e.code).toBe('ERR_CERTIFICATE_VALIDITY');
    expect(e.message).toContain('https://fulcio.test');
  });

  it('a CA whose own chain is broken anchors nothing', () => {
    const other = testAuthority({ start, end });
    const broken = { ...ca.authority, chain: [ca.intermediate, other.root] };
    const e = errorOf(() =>
      verifyCertificateChain({
        leaf: ca.leaf({ ...window, extensions: fulcio }),
        trustedRoot: { ...ca.trustedRoot, certificateAuthorities: [broken] },
        times: [t],
      }),
    );
    expect(e.code).toBe('ERR_CERTIFICATE_CHAIN');
    expect(e.message).toContain('unusable');
  });

  it('a leaf without an SCT fails when the root lists CT logs', () => {
    const happy = rootOf(caseById('happy-path-v0.3'));
    const e = errorOf(() =>
      verifyCertificateChain({
        leaf: ca.leaf({ ...window, extensions: fulcio }),
        trustedRoot: { ...ca.trustedRoot, ctlogs: happy.ctlogs },
        times: [t],
      }),
    );
    expect(e.code).toBe('ERR_SCT_INVALID');
    expect(e.message).toContain('no SCT extension');
  });
});

describe('property: mutated certificates end in a VouchError or a verified value', () => {
  const c = caseById('happy-path-intoto-in-dsse-v3');
  const b = bundleOf(c);
  const leaf = certsOf(b)?.leaf ?? new Uint8Array();
  const root = rootOf(c);
  const time = timesOf(b)[0] ?? new Date(0);
  it('verifyCertificateChain', () => {
    fc.assert(
      fc.property(derMutation, (m) => {
        outcomeOf(() =>
          verifyCertificateChain({ leaf: mutateDer(leaf, m), trustedRoot: root, times: [time] }),
        );
      }),
      { numRuns: 10_000 },
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        outcomeOf(() =>
          verifyCertificateChain({
            leaf: Uint8Array.of(0x30, 0x82, 0x01, 0x00, ...bytes),
            trustedRoot: root,
            times: [time],
          }),
        );
      }),
      { numRuns: 10_000 },
    );
  });
});
