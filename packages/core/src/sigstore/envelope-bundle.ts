// A bare DSSE envelope whose signature carries its Fulcio certificate (slsa-github-generator's `.intoto.jsonl`) as a bundle.
import { decodeBase64, encodeBase64 } from '../encoding.js';
import { ParseError } from '../errors.js';
import { describe, isObject, type JsonObject } from '../json.js';
import { decodePem } from '../keys/pem.js';

/** Where the certificate sits in such an envelope: `signatures[0].cert` (PEM). */
const CERT_PATH = 'signatures[0].cert';

/**
 * The DER certificate a bare DSSE envelope's first signature carries (`signatures[0].cert`, PEM). Not trusted.
 *
 * @throws ParseError `ERR_MALFORMED_ENVELOPE` when there is none; `ERR_MALFORMED_CERTIFICATE` when it is not PEM
 * @example
 * ```ts
 * const identity = extractIdentity(envelopeCertificate(envelope));
 * ```
 */
export function envelopeCertificate(envelope: unknown): Uint8Array {
  const signatures = isObject(envelope) ? envelope.signatures : undefined;
  const first = Array.isArray(signatures) ? signatures[0] : undefined;
  const cert = isObject(first) ? first.cert : undefined;
  if (typeof cert !== 'string' || cert === '') {
    throw new ParseError('ERR_MALFORMED_ENVELOPE', [
      { path: CERT_PATH, message: `expected the signing certificate (PEM), found ${describe(cert)}` },
    ]);
  }
  try {
    // Some writers store the PEM base64-encoded once more.
    const pem = cert.includes('-----BEGIN') ? cert : new TextDecoder().decode(decodeBase64(cert, CERT_PATH));
    return decodePem(pem, CERT_PATH).der;
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    throw new ParseError('ERR_MALFORMED_CERTIFICATE', e.issues, { cause: e });
  }
}

/**
 * The Sigstore bundle (JSON) holding a bare DSSE envelope and the certificate its first signature carries, with no
 * transparency-log entry and no timestamp: nothing in it proves when the short-lived certificate signed, so verifying
 * it checks the signature, the artifact and the statement, then fails at the time source. The caller decides what
 * that means (offline, vouch refuses it with `ERR_NO_TLOG_PROOF`).
 *
 * @throws ParseError `ERR_MALFORMED_ENVELOPE` when the envelope has no certificate-bearing signature;
 * `ERR_MALFORMED_CERTIFICATE` when the certificate is not PEM
 * @example
 * ```ts
 * const bundle = envelopeCertificateBundle(JSON.parse(firstLineOfIntotoJsonl));
 * verifySigstoreBundle({ bundle, artifact, trustedRoot, identity, now, tlogThreshold: 0 }); // fails: no time source
 * ```
 */
export function envelopeCertificateBundle(envelope: unknown): JsonObject {
  const der = envelopeCertificate(envelope);
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2',
    verificationMaterial: {
      x509CertificateChain: { certificates: [{ rawBytes: encodeBase64(der) }] },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: envelope,
  };
}
