// A leaf decoded once and handed on: the chain check accepts only genuine decodeCertificate results, and the key is shared.
import { describe, expect, it } from 'vitest';
import { caseFile, loadVectorSet } from '../../../../test/support/vectors.js';
import { parseBundle } from '../../src/bundle.js';
import { UsageError } from '../../src/errors.js';
import { verifyCertificateChain } from '../../src/sigstore/certificate.js';
import {
  certificatePublicKey,
  decodeCertificate,
  isDecodedCertificate,
} from '../../src/sigstore/identity.js';
import { parseTrustedRoot } from '../../src/sigstore/trusted-root.js';

const set = loadVectorSet('sigstore-conformance');
const passing = set.cases.filter((c) => c.kind === 'sigstore-bundle' && c.expect === 'pass');

describe('verifyCertificateChain with a decoded leaf', () => {
  for (const c of passing) {
    const bundle = parseBundle(set.bytes(caseFile(c, 'bundle')));
    const m = bundle.verificationMaterial.content;
    const leaf =
      m.type === 'certificate'
        ? m.rawBytes
        : m.type === 'x509CertificateChain'
          ? m.certificates[0]?.rawBytes
          : undefined;
    const time = bundle.verificationMaterial.tlogEntries[0]?.integratedTime;
    if (leaf === undefined || time === undefined || time === '0') continue;
    it(`${c.id}: same verdict from DER and from the decoded certificate, and one shared key`, () => {
      const trustedRoot = parseTrustedRoot(set.json(caseFile(c, 'trustedRoot')));
      const intermediates =
        m.type === 'x509CertificateChain' ? m.certificates.slice(1).map((x) => x.rawBytes) : [];
      const times = [new Date(Number(time) * 1000)];
      const decoded = decodeCertificate(leaf);
      expect(isDecodedCertificate(decoded)).toBe(true);
      const key = certificatePublicKey(decoded);
      const fromDer = verifyCertificateChain({ leaf, intermediates, trustedRoot, times });
      const fromDecoded = verifyCertificateChain({ leaf: decoded, intermediates, trustedRoot, times });
      expect(fromDecoded.identity).toEqual(fromDer.identity);
      expect(fromDecoded.authority).toBe(fromDer.authority);
      expect(fromDecoded.publicKey).toBe(key);
      expect(fromDer.publicKey.keyId).toBe(key.keyId);
    });
  }

  it('a look-alike of a decoded certificate is refused, never trusted', () => {
    const c = passing[0];
    if (c === undefined) throw new Error('no passing case');
    const bundle = parseBundle(set.bytes(caseFile(c, 'bundle')));
    const m = bundle.verificationMaterial.content;
    const leaf =
      m.type === 'certificate'
        ? m.rawBytes
        : m.type === 'x509CertificateChain'
          ? m.certificates[0]?.rawBytes
          : undefined;
    if (leaf === undefined) throw new Error('no certificate');
    const copy = { ...decodeCertificate(leaf) };
    expect(isDecodedCertificate(copy)).toBe(false);
    expect(() => certificatePublicKey(copy)).toThrow(UsageError);
    expect(() =>
      verifyCertificateChain({
        leaf: copy,
        trustedRoot: parseTrustedRoot(set.json(caseFile(c, 'trustedRoot'))),
        times: [new Date()],
      }),
    ).toThrow(UsageError);
  });
});
