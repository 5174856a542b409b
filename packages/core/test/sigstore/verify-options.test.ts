// Tests of verifySigstoreBundle's digest-algorithm subject match and its chainMayIncludeTrustedCertificates option.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caseFile, loadVectorSet } from '../../../../test/support/vectors.js';
import { digestBytes } from '../../src/digest.js';
import { isObject } from '../../src/json.js';
import { verifyCertificateChain } from '../../src/sigstore/certificate.js';
import { parseTrustedRoot } from '../../src/sigstore/trusted-root.js';
import type { IdentityPolicy } from '../../src/sigstore/types.js';
import {
  type SigstoreVerification,
  type VerifySigstoreBundleOptions,
  verifySigstoreBundle,
} from '../../src/sigstore/verify.js';
import { ext, testAuthority } from './x509-builder.js';

const slsa = loadVectorSet('slsa-verifier');
const conformance = loadVectorSet('sigstore-conformance');
const trustedRoot = parseTrustedRoot(slsa.json('../trusted-roots/public-good.json'));
const NOW = new Date('2025-06-01T00:00:00Z');
const GITHUB = 'https://token.actions.githubusercontent.com';
const anyWorkflow: IdentityPolicy = { issuer: { exact: GITHUB }, subjectAlternativeName: { regexp: '.*' } };

// An npm provenance bundle (v0.1): its subject carries only a sha512, its chain includes the Sigstore root.
const npmCase = slsa.cases.find((c) => c.id === 'npm-valid-npm-cli-builder');
if (npmCase === undefined) throw new Error('the slsa-verifier set lacks npm-valid-npm-cli-builder');
const tarball = slsa.bytes(caseFile(npmCase, 'tarball'));
const attestations: unknown = slsa.json(caseFile(npmCase, 'attestations'));
const list = isObject(attestations) ? attestations.attestations : undefined;
const provenance: unknown = Array.isArray(list)
  ? list
      .map((a: unknown) => (isObject(a) ? a : {}))
      .find((a) => a.predicateType === 'https://slsa.dev/provenance/v0.2')?.bundle
  : undefined;

function verifyNpm(options: Partial<VerifySigstoreBundleOptions>): SigstoreVerification | string {
  try {
    return verifySigstoreBundle({
      bundle: provenance,
      artifact: { digest: digestBytes('sha512', tarball) },
      trustedRoot,
      now: NOW,
      identity: anyWorkflow,
      chainMayIncludeTrustedCertificates: true,
      ...options,
    });
  } catch (e) {
    return isObject(e) && typeof e.code === 'string' ? e.code : String(e);
  }
}

const artifactCheck = (r: SigstoreVerification | string) =>
  typeof r === 'string' ? r : r.checks.find((c) => c.id === 'artifact');

describe('the in-toto subject is matched by the given digest algorithm', () => {
  it('a sha512 digest matches a subject that has only sha512', () => {
    const r = verifyNpm({});
    expect(typeof r).not.toBe('string');
    expect(artifactCheck(r)).toMatchObject({ status: 'pass' });
    expect(JSON.stringify(artifactCheck(r))).toContain(`sha512:${digestBytes('sha512', tarball).hex}`);
  });

  it('another sha512 is refused as a digest mismatch naming sha512', () => {
    const other = digestBytes('sha512', Buffer.from('not the tarball'));
    expect(verifyNpm({ artifact: { digest: other } })).toBe('ERR_DIGEST_MISMATCH');
  });

  it('the sha256 of the same tarball finds no sha256 subject', () => {
    expect(verifyNpm({ artifact: { digest: digestBytes('sha256', tarball) } })).toBe('ERR_DIGEST_MISMATCH');
  });

  it('bytes are still matched by sha256 only', () => {
    expect(verifyNpm({ artifact: { bytes: tarball } })).toBe('ERR_DIGEST_MISMATCH');
  });

  it('a sha256 digest still matches a sha256 subject', () => {
    const found = conformance.cases.find((x) => x.id === 'happy-path-intoto-in-dsse-v3');
    if (found === undefined || typeof found.identity !== 'string' || typeof found.issuer !== 'string')
      throw new Error('the conformance set lacks happy-path-intoto-in-dsse-v3');
    const artifact = conformance.bytes(caseFile(found, 'artifact'));
    const r = verifySigstoreBundle({
      bundle: conformance.json(caseFile(found, 'bundle')),
      artifact: { digest: digestBytes('sha256', artifact) },
      trustedRoot: parseTrustedRoot(conformance.json(caseFile(found, 'trustedRoot'))),
      now: new Date(),
      identity: { subjectAlternativeName: { exact: found.identity }, issuer: { exact: found.issuer } },
    });
    expect(r.checks.find((k) => k.id === 'artifact')?.message).toContain(
      `sha256:${createHash('sha256').update(artifact).digest('hex')}`,
    );
  });
});

describe('chainMayIncludeTrustedCertificates', () => {
  it('by default a chain including the trusted root is refused', () => {
    expect(verifyNpm({ chainMayIncludeTrustedCertificates: false })).toBe('ERR_CERTIFICATE_CHAIN');
    const defaults: VerifySigstoreBundleOptions = {
      bundle: provenance,
      artifact: { digest: digestBytes('sha512', tarball) },
      trustedRoot,
      now: NOW,
      identity: anyWorkflow,
    };
    expect(() => verifySigstoreBundle(defaults)).toThrow(/certificates\[2\] is a root/);
  });

  it('with the option the same bundle verifies', () => {
    const r = verifyNpm({});
    expect(typeof r === 'string' ? r : r.signer.type).toBe('certificate');
  });

  it('the conformance case bundle-with-root-cert_fail fails either way: its root is not a trusted CA certificate', () => {
    const c = conformance.cases.find((x) => x.id === 'bundle-with-root-cert_fail');
    if (c === undefined || typeof c.identity !== 'string' || typeof c.issuer !== 'string')
      throw new Error('the conformance set lacks bundle-with-root-cert_fail');
    const run = (chainMayIncludeTrustedCertificates: boolean) => {
      try {
        verifySigstoreBundle({
          bundle: conformance.json(caseFile(c, 'bundle')),
          artifact: { bytes: conformance.bytes(caseFile(c, 'artifact')) },
          trustedRoot: parseTrustedRoot(conformance.json(caseFile(c, 'trustedRoot'))),
          now: new Date(),
          identity: {
            subjectAlternativeName: { exact: String(c.identity) },
            issuer: { exact: String(c.issuer) },
          },
          chainMayIncludeTrustedCertificates,
        });
        return 'pass';
      } catch (e) {
        return isObject(e) && typeof e.code === 'string' ? e.code : String(e);
      }
    };
    expect(run(false)).toBe('ERR_CERTIFICATE_CHAIN');
    expect(run(true)).toBe('ERR_CERTIFICATE_CHAIN');
  });

  describe('in verifyCertificateChain', () => {
    const start = new Date('2024-01-01T00:00:00Z');
    const ca = testAuthority({ start, end: new Date('2034-01-01T00:00:00Z') });
    const other = testAuthority({ start, end: new Date('2034-01-01T00:00:00Z') });
    const t = new Date('2025-06-01T00:00:10Z');
    const leaf = ca.leaf({
      notBefore: new Date('2025-06-01T00:00:00Z'),
      notAfter: new Date('2025-06-01T00:10:00Z'),
      extensions: [ext.keyUsage(0x80), ext.codeSigning(), ext.sanEmail('someone@example.com')],
    });
    const verdict = (intermediates: Uint8Array[], chainMayIncludeTrustedCertificates?: boolean) => {
      try {
        verifyCertificateChain({
          leaf,
          intermediates,
          trustedRoot: ca.trustedRoot,
          times: [t],
          ...(chainMayIncludeTrustedCertificates !== undefined && { chainMayIncludeTrustedCertificates }),
        });
        return 'pass';
      } catch (e) {
        return isObject(e) && typeof e.code === 'string' ? `${e.code} ${String(e.message)}` : String(e);
      }
    };

    it.each([
      ['intermediate + root', () => [ca.intermediate, ca.root]],
      ['root only', () => [ca.root]],
      ['root before intermediate', () => [ca.root, ca.intermediate]],
    ])('%s: refused by default, skipped with the option', (_what, chain) => {
      expect(verdict(chain())).toMatch(/^ERR_CERTIFICATE_CHAIN .*root/);
      expect(verdict(chain(), false)).toMatch(/^ERR_CERTIFICATE_CHAIN .*root/);
      expect(verdict(chain(), true)).toBe('pass');
    });

    it("another CA's root is still refused with the option, at its index in the bundle", () => {
      expect(verdict([ca.intermediate, other.root], true)).toMatch(
        /^ERR_CERTIFICATE_CHAIN x509CertificateChain\.certificates\[2\] is a root/,
      );
    });

    it('refuses a non-boolean option', () => {
      expect(() =>
        verifyCertificateChain({
          leaf,
          trustedRoot: ca.trustedRoot,
          times: [t],
          chainMayIncludeTrustedCertificates: 'yes' as unknown as boolean,
        }),
      ).toThrow(/chainMayIncludeTrustedCertificates: expected a boolean/);
    });
  });
});
