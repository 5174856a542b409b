// Sigstore trusted roots (`trusted_root.json`): a strict parser into prepared, frozen trust material, and strict X.509 DER checks.
import { createHash, createPublicKey } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';
import { bytesEqual, decodeBase64, encodeHex } from '../encoding.js';
import { isVouchError, ParseError, type VouchErrorCode } from '../errors.js';
import { describe, IssueCollector, isObject, type JsonObject, joinPath, parseJson } from '../json.js';
import { PublicKey, parsePublicKey } from '../keys/index.js';
import type { KeyAlgorithm } from '../keys/types.js';
import { parseQuietly } from './quiet-parse.js';
import type { TrustedCertificateAuthority, TrustedLog, TrustedRoot, ValidityWindow } from './types.js';

/**
 * The trusted-root media types vouch reads (protobuf-specs `TrustedRoot.media_type`: v0.2 is current, v0.1 and
 * the old `+json;version=0.1` form are still written by Sigstore's TUF repository). Anything else is refused.
 */
export const TRUSTED_ROOT_MEDIA_TYPES: readonly string[] = Object.freeze([
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.1+json',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
]);

const CODE: VouchErrorCode = 'ERR_MALFORMED_TRUSTED_ROOT';
const CERT_CODE: VouchErrorCode = 'ERR_MALFORMED_CERTIFICATE';

// protobuf `HashAlgorithm` (sigstore_common.proto); JSON may carry the name or the number.
const HASH_ALGORITHMS: readonly string[] = ['SHA2_256', 'SHA2_384', 'SHA2_512', 'SHA3_256', 'SHA3_384'];
const HASH_ALGORITHM_NUMBERS: Readonly<Record<number, string>> = {
  1: 'SHA2_256',
  2: 'SHA2_384',
  3: 'SHA2_512',
  4: 'SHA3_256',
  5: 'SHA3_384',
};

// protobuf `PublicKeyDetails`, number to name, so a numeric enum in JSON names the same value.
const KEY_DETAILS_NUMBERS: Readonly<Record<number, string>> = {
  0: 'PUBLIC_KEY_DETAILS_UNSPECIFIED',
  1: 'PKCS1_RSA_PKCS1V5',
  2: 'PKCS1_RSA_PSS',
  3: 'PKIX_RSA_PKCS1V5',
  4: 'PKIX_RSA_PSS',
  5: 'PKIX_ECDSA_P256_SHA_256',
  6: 'PKIX_ECDSA_P256_HMAC_SHA_256',
  7: 'PKIX_ED25519',
  8: 'PKIX_ED25519_PH',
  9: 'PKIX_RSA_PKCS1V15_2048_SHA256',
  10: 'PKIX_RSA_PKCS1V15_3072_SHA256',
  11: 'PKIX_RSA_PKCS1V15_4096_SHA256',
  12: 'PKIX_ECDSA_P384_SHA_384',
  13: 'PKIX_ECDSA_P521_SHA_512',
  14: 'LMS_SHA256',
  15: 'LMOTS_SHA256',
  16: 'PKIX_RSA_PSS_2048_SHA256',
  17: 'PKIX_RSA_PSS_3072_SHA256',
  18: 'PKIX_RSA_PSS_4096_SHA256',
  19: 'PKIX_ECDSA_P384_SHA_256',
  20: 'PKIX_ECDSA_P521_SHA_256',
  21: 'ML_DSA_65',
  22: 'ML_DSA_87',
  23: 'ML_DSA_44',
};

/** What a supported `keyDetails` promises about the key; `pkcs1` allows RSAPublicKey bytes as well as SPKI. */
interface KeyExpectation {
  readonly algorithm: KeyAlgorithm;
  readonly bits?: number;
  readonly pkcs1?: boolean;
}

// Only the schemes our PublicKey verifies exactly as named; PSS, pre-hashed Ed25519, mixed-hash ECDSA, LMS and
// ML-DSA are refused rather than checked with the wrong scheme.
const SUPPORTED_KEY_DETAILS: Readonly<Record<string, KeyExpectation>> = {
  PKIX_ECDSA_P256_SHA_256: { algorithm: 'ecdsa-p256' },
  PKIX_ECDSA_P384_SHA_384: { algorithm: 'ecdsa-p384' },
  PKIX_ECDSA_P521_SHA_512: { algorithm: 'ecdsa-p521' },
  PKIX_ED25519: { algorithm: 'ed25519' },
  PKCS1_RSA_PKCS1V5: { algorithm: 'rsa', pkcs1: true },
  PKIX_RSA_PKCS1V5: { algorithm: 'rsa' },
  PKIX_RSA_PKCS1V15_2048_SHA256: { algorithm: 'rsa', bits: 2048 },
  PKIX_RSA_PKCS1V15_3072_SHA256: { algorithm: 'rsa', bits: 3072 },
  PKIX_RSA_PKCS1V15_4096_SHA256: { algorithm: 'rsa', bits: 4096 },
};

const present = (v: unknown): boolean => v !== undefined && v !== null;
const quote = (s: string): string => JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}…` : s);

/**
 * Whether `time` falls inside `window`: `start <= time <= end`, both ends inclusive (protobuf-specs `TimeRange`);
 * an absent `end` means still valid. An invalid `Date` is never inside.
 *
 * @example
 * ```ts
 * const usable = root.tlogs.filter((log) => selectValidAt(log.validFor, integratedTime));
 * ```
 */
export function selectValidAt(window: ValidityWindow, time: Date): boolean {
  const t = time.getTime();
  if (!(t >= window.start.getTime())) return false;
  return window.end === undefined || t <= window.end.getTime();
}

// RFC 3339 as protobuf's Timestamp JSON writes it: upper-case `T`, `Z` or a numeric offset, 1–9 fraction digits.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Milliseconds since the epoch of an RFC 3339 timestamp, or a reason it is not one. A `start` with sub-millisecond
 * digits rounds up and an `end` rounds down, so a millisecond `Date` is inside exactly when the exact instant is.
 */
function parseTimestamp(text: string, bound: 'start' | 'end'): number | string {
  const m = RFC3339.exec(text);
  if (m === null) return 'must be an RFC 3339 timestamp like 2024-01-31T12:00:00Z';
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const maxDay = mo === 2 && !leap ? 28 : (DAYS[mo - 1] ?? 0);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > maxDay || h > 23 || mi > 59 || s > 59) {
    return 'is not a valid date and time (years 0001–9999, no leap seconds)';
  }
  const offH = m[9] === undefined ? 0 : Number(m[9]);
  const offM = m[10] === undefined ? 0 : Number(m[10]);
  if (offH > 23 || offM > 59) return 'has an invalid UTC offset';
  const fraction = m[7] ?? '';
  let ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (bound === 'start' && /[1-9]/.test(fraction.slice(3))) ms += 1;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  const sign = m[8] === '-' ? -1 : 1;
  return date.getTime() - sign * (offH * 60 + offM) * 60_000;
}

/**
 * Reads a protobuf `TimeRange` (`{ start, end? }`, RFC 3339 strings) into a `ValidityWindow`, recording every
 * problem at its path in `issues`. `start` is required: a window without one is malformed, never unbounded.
 *
 * @example
 * ```ts
 * const issues = new IssueCollector();
 * const window = readValidityWindow({ start: '2024-01-01T00:00:00Z' }, 'validFor', issues);
 * issues.throwIfAny('ERR_MALFORMED_TRUSTED_ROOT');
 * ```
 */
export function readValidityWindow(
  value: unknown,
  path: string,
  issues: IssueCollector,
): ValidityWindow | undefined {
  if (!present(value)) {
    issues.add(path, 'is required (a time range with at least a start)');
    return undefined;
  }
  if (!isObject(value)) {
    issues.add(path, `must be an object, found ${describe(value)}`);
    return undefined;
  }
  const read = (key: 'start' | 'end', required: boolean): number | undefined => {
    const v = value[key];
    const at = joinPath(path, key);
    if (!present(v)) {
      if (required) issues.add(at, 'is required: a validity window without a start is not unbounded');
      return undefined;
    }
    if (typeof v !== 'string') {
      issues.add(at, `must be an RFC 3339 timestamp string, found ${describe(v)}`);
      return undefined;
    }
    const t = parseTimestamp(v, key);
    if (typeof t === 'string') {
      issues.add(at, `${t}, found ${quote(v)}`);
      return undefined;
    }
    return t;
  };
  const start = read('start', true);
  const end = read('end', false);
  if (start === undefined) return undefined;
  if (end !== undefined && end < start) {
    issues.add(joinPath(path, 'end'), 'must not be before start');
    return undefined;
  }
  if (end === undefined && present(value.end)) return undefined;
  return Object.freeze(
    end === undefined ? { start: new Date(start) } : { start: new Date(start), end: new Date(end) },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Strict DER

const MAX_DER_DEPTH = 32;

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly body: number;
  readonly end: number;
}

class Der {
  constructor(
    readonly bytes: Uint8Array,
    readonly path: string,
  ) {}

  fail(at: number, why: string): never {
    throw new ParseError(CERT_CODE, [
      { path: this.path, message: `is not strict DER: ${why} (at byte ${at})` },
    ]);
  }

  /** The element starting at `offset`, which must end by `limit`. */
  tlv(offset: number, limit: number): Tlv {
    const b = this.bytes;
    const tag = b[offset];
    if (tag === undefined || offset >= limit) this.fail(offset, 'truncated element');
    if ((tag & 0x1f) === 0x1f) this.fail(offset, 'high-number tags are not used in X.509');
    let p = offset + 1;
    const first = b[p];
    if (first === undefined || p >= limit) this.fail(p, 'truncated length');
    p++;
    let length = first;
    if (first >= 0x80) {
      const n = first & 0x7f;
      if (n === 0) this.fail(p - 1, 'indefinite length (BER, not DER)');
      if (n > 4) this.fail(p - 1, 'length of more than 4 bytes');
      if (p + n > limit) this.fail(p, 'truncated length');
      if (b[p] === 0) this.fail(p, 'non-minimal length (leading zero byte)');
      length = 0;
      for (let k = 0; k < n; k++) length = length * 256 + (b[p + k] ?? 0);
      p += n;
      if (length < 0x80) this.fail(offset + 1, 'non-minimal length (long form for a length under 128)');
    }
    if (p + length > limit) this.fail(offset, `length ${length} runs past the end of its container`);
    return { tag, start: offset, body: p, end: p + length };
  }

  children(parent: Tlv): Tlv[] {
    const out: Tlv[] = [];
    for (let p = parent.body; p < parent.end; ) {
      const child = this.tlv(p, parent.end);
      out.push(child);
      p = child.end;
    }
    return out;
  }

  slice(t: Tlv): Uint8Array {
    return this.bytes.subarray(t.start, t.end);
  }

  /** Checks one element and everything constructed inside it against the DER rules X.509 uses. */
  check(t: Tlv, depth: number): void {
    if (depth > MAX_DER_DEPTH) this.fail(t.start, `nesting deeper than ${MAX_DER_DEPTH}`);
    const constructed = (t.tag & 0x20) !== 0;
    const universal = t.tag >> 6 === 0;
    const number = t.tag & 0x1f;
    if (universal) {
      if (number === 0) this.fail(t.start, 'tag 0 (end-of-contents) outside BER');
      const container = number === 16 || number === 17;
      if (container !== constructed) {
        this.fail(t.start, container ? 'primitive SEQUENCE or SET' : 'constructed string or primitive type');
      }
      if (!constructed) this.checkPrimitive(t, number);
    }
    if (!constructed) return;
    const subs = this.children(t);
    for (const s of subs) this.check(s, depth + 1);
    if (universal && number === 17) this.checkSetOrder(subs);
  }

  private checkPrimitive(t: Tlv, number: number): void {
    const b = this.bytes;
    const len = t.end - t.body;
    const v0 = b[t.body] ?? 0;
    const v1 = b[t.body + 1] ?? 0;
    switch (number) {
      case 1: // BOOLEAN
        if (len !== 1 || (v0 !== 0x00 && v0 !== 0xff))
          this.fail(t.start, 'BOOLEAN must be one byte 00 or FF');
        return;
      case 2: // INTEGER
      case 10: // ENUMERATED
        if (len === 0) this.fail(t.start, 'empty INTEGER');
        if (len > 1 && ((v0 === 0x00 && v1 < 0x80) || (v0 === 0xff && v1 >= 0x80))) {
          this.fail(t.start, 'non-minimal INTEGER');
        }
        return;
      case 3: {
        // BIT STRING
        if (len === 0) this.fail(t.start, 'empty BIT STRING');
        if (v0 > 7) this.fail(t.body, `BIT STRING with ${v0} unused bits`);
        if (len === 1 && v0 !== 0) this.fail(t.body, 'empty BIT STRING with unused bits');
        const last = b[t.end - 1] ?? 0;
        if ((last & ((1 << v0) - 1)) !== 0) this.fail(t.end - 1, 'BIT STRING unused bits are not zero');
        return;
      }
      case 5: // NULL
        if (len !== 0) this.fail(t.start, 'NULL with content');
        return;
      case 6: // OBJECT IDENTIFIER
        if (len === 0 || ((b[t.end - 1] ?? 0) & 0x80) !== 0)
          this.fail(t.start, 'truncated OBJECT IDENTIFIER');
        for (let p = t.body; p < t.end; p++) {
          if (b[p] === 0x80 && (p === t.body || ((b[p - 1] ?? 0) & 0x80) === 0)) {
            this.fail(p, 'non-minimal OBJECT IDENTIFIER arc');
          }
        }
        return;
      case 23: // UTCTime
        if (!/^\d{12}Z$/.test(Buffer.from(b.subarray(t.body, t.end)).toString('latin1'))) {
          this.fail(t.start, 'UTCTime must be YYMMDDHHMMSSZ');
        }
        return;
      case 24: // GeneralizedTime
        if (!/^\d{14}(?:\.\d*[1-9])?Z$/.test(Buffer.from(b.subarray(t.body, t.end)).toString('latin1'))) {
          this.fail(t.start, 'GeneralizedTime must be YYYYMMDDHHMMSS[.fff]Z');
        }
        return;
      default:
        return;
    }
  }

  // X.690 11.6: the elements of a SET OF are in ascending order of their encodings.
  private checkSetOrder(subs: readonly Tlv[]): void {
    for (let i = 1; i < subs.length; i++) {
      const a = this.slice(subs[i - 1] as Tlv);
      const b = this.slice(subs[i] as Tlv);
      if (Buffer.compare(Buffer.from(a), Buffer.from(b)) > 0)
        this.fail(subs[i]?.start ?? 0, 'SET OF out of order');
    }
  }

  expect(t: Tlv | undefined, tag: number, what: string, at: number): Tlv {
    if (t === undefined || t.tag !== tag) this.fail(t?.start ?? at, `expected ${what}`);
    return t;
  }
}

/**
 * Checks that `der` is one X.509 certificate in strict DER, refusing what lenient parsers (including
 * `@sigstore/core`'s) let through: BER lengths, trailing bytes, constructed strings, non-minimal INTEGERs and
 * OIDs, a signature BIT STRING with unused bits, `tbsCertificate.signature` differing from `signatureAlgorithm`,
 * a version other than v3, an explicit `critical FALSE`, duplicate or non-DER extension values.
 *
 * @throws ParseError `ERR_MALFORMED_CERTIFICATE` naming `path`
 * @example
 * ```ts
 * assertStrictCertificateDer(cert.rawBytes, 'verificationMaterial.certificate.rawBytes');
 * ```
 */
export function assertStrictCertificateDer(der: Uint8Array, path: string): void {
  const r = new Der(der, path);
  const root = r.tlv(0, der.length);
  if (root.end !== der.length) r.fail(root.end, 'trailing bytes after the certificate');
  r.expect(root, 0x30, 'a certificate SEQUENCE', 0);
  r.check(root, 0);
  const [tbs, alg, sig, extra] = r.children(root);
  r.expect(tbs, 0x30, 'tbsCertificate SEQUENCE', root.body);
  const algorithm = r.expect(alg, 0x30, 'signatureAlgorithm SEQUENCE', root.end);
  const signature = r.expect(sig, 0x03, 'signatureValue BIT STRING', root.end);
  if (extra !== undefined) r.fail(extra.start, 'a certificate holds exactly three elements');
  const unused = der[signature.body] ?? 0;
  if (unused !== 0) r.fail(signature.body, `the signature BIT STRING has ${unused} unused bits (must be 0)`);
  checkTbs(r, tbs as Tlv, algorithm);
}

function checkTbs(r: Der, tbs: Tlv, algorithm: Tlv): void {
  const f = r.children(tbs);
  const version = r.expect(f[0], 0xa0, 'an explicit version (v3)', tbs.body);
  const [v, vExtra] = r.children(version);
  const vInt = r.expect(v, 0x02, 'a version INTEGER', version.body);
  if (vExtra !== undefined || vInt.end - vInt.body !== 1 || r.bytes[vInt.body] !== 2) {
    r.fail(version.start, 'version must be v3 (INTEGER 2)');
  }
  r.expect(f[1], 0x02, 'serialNumber INTEGER', tbs.end);
  const inner = r.expect(f[2], 0x30, 'signature AlgorithmIdentifier', tbs.end);
  if (!bytesEqual(r.slice(inner), r.slice(algorithm))) {
    r.fail(inner.start, 'tbsCertificate.signature differs from signatureAlgorithm');
  }
  r.expect(f[3], 0x30, 'issuer Name', tbs.end);
  const validity = r.expect(f[4], 0x30, 'validity SEQUENCE', tbs.end);
  const times = r.children(validity);
  if (times.length !== 2 || times.some((t) => t.tag !== 0x17 && t.tag !== 0x18)) {
    r.fail(validity.start, 'validity must be two times (notBefore, notAfter)');
  }
  r.expect(f[5], 0x30, 'subject Name', tbs.end);
  r.expect(f[6], 0x30, 'subjectPublicKeyInfo SEQUENCE', tbs.end);
  // Then, in order and each at most once: issuerUniqueID [1], subjectUniqueID [2], extensions [3].
  let last = 0;
  for (const t of f.slice(7)) {
    const order = t.tag === 0x81 ? 1 : t.tag === 0x82 ? 2 : t.tag === 0xa3 ? 3 : 0;
    if (order <= last) r.fail(t.start, 'unexpected or repeated element after subjectPublicKeyInfo');
    last = order;
    if (order === 3) checkExtensions(r, t);
  }
}

function checkExtensions(r: Der, wrapper: Tlv): void {
  const [list, extra] = r.children(wrapper);
  const seq = r.expect(list, 0x30, 'an Extensions SEQUENCE', wrapper.body);
  if (extra !== undefined) r.fail(extra.start, 'extensions [3] holds one SEQUENCE');
  const exts = r.children(seq);
  if (exts.length === 0) r.fail(seq.start, 'an empty extension list is omitted in DER');
  const seen = new Set<string>();
  for (const ext of exts) {
    r.expect(ext, 0x30, 'an Extension SEQUENCE', seq.body);
    const parts = r.children(ext);
    const oid = r.expect(parts[0], 0x06, 'an extension OID', ext.body);
    const key = encodeHex(r.slice(oid));
    if (seen.has(key)) r.fail(oid.start, 'the same extension appears twice');
    seen.add(key);
    let i = 1;
    if (parts[i]?.tag === 0x01) {
      // DER omits a DEFAULT value, so an explicit `critical` can only be TRUE.
      if (r.bytes[(parts[i] as Tlv).body] !== 0xff)
        r.fail((parts[i] as Tlv).start, 'explicit critical FALSE');
      i++;
    }
    const value = r.expect(parts[i], 0x04, 'an extnValue OCTET STRING', ext.end);
    if (parts[i + 1] !== undefined)
      r.fail((parts[i + 1] as Tlv).start, 'an Extension holds at most three elements');
    // RFC 5280 4.1: extnValue holds the DER encoding of the value. Checked for the standard (id-ce, 2.5.29.*)
    // extensions only: Fulcio's legacy 1.3.6.1.4.1.57264.1.1-.6 hold raw strings, not DER.
    const oidBody = r.bytes.subarray(oid.body, oid.end);
    if (oidBody.length === 3 && oidBody[0] === 0x55 && oidBody[1] === 0x1d) {
      const content = r.tlv(value.body, value.end);
      if (content.end !== value.end) r.fail(content.end, 'trailing bytes inside an extension value');
      r.check(content, 1);
    }
  }
}

/**
 * Parses one certificate after `assertStrictCertificateDer`, with `@sigstore/core`'s `X509Certificate`, and reads
 * every field that parser computes lazily, so a certificate it cannot read is refused here and not during
 * verification.
 *
 * @throws ParseError `ERR_MALFORMED_CERTIFICATE` naming `path`
 * @example
 * ```ts
 * const cert = parseStrictCertificate(der, 'certificateAuthorities[0].certChain.certificates[0].rawBytes');
 * console.log(cert.notAfter);
 * ```
 */
export function parseStrictCertificate(der: Uint8Array, path: string): X509Certificate {
  assertStrictCertificateDer(der, path);
  try {
    const cert = parseQuietly(() => X509Certificate.parse(Buffer.from(der)));
    // @sigstore/core reads fields lazily; reading each one now surfaces what it cannot parse.
    void cert.version;
    void cert.serialNumber;
    void cert.issuer;
    void cert.subject;
    void cert.publicKey;
    void cert.signatureValue;
    void cert.isCA;
    void cert.extSubjectKeyID;
    void cert.extAuthorityKeyID;
    if (!Number.isFinite(cert.notBefore.getTime()) || !Number.isFinite(cert.notAfter.getTime())) {
      throw new Error('invalid validity date');
    }
    return cert;
  } catch (cause) {
    if (isVouchError(cause)) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ParseError(CERT_CODE, [{ path, message: `is not an X.509 certificate (${reason})` }], {
      cause,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The trusted root

/** Records the issues of a ParseError; anything else thrown is a bug and propagates. */
function absorb(issues: IssueCollector, e: unknown, path: string): undefined {
  if (e instanceof ParseError) for (const i of e.issues) issues.add(i.path || path, i.message);
  else if (isVouchError(e)) issues.add(path, e.message);
  else throw e;
  return undefined;
}

function readString(c: IssueCollector, obj: JsonObject, key: string, path: string, required: boolean) {
  const v = obj[key];
  const at = joinPath(path, key);
  if (!present(v)) {
    if (required) c.add(at, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') {
    c.add(at, `must be a string, found ${describe(v)}`);
    return undefined;
  }
  if (required && v === '') c.add(at, 'must not be empty');
  return v;
}

function readObject(c: IssueCollector, obj: JsonObject, key: string, path: string, required: boolean) {
  const v = obj[key];
  const at = joinPath(path, key);
  if (!present(v)) {
    if (required) c.add(at, 'is required');
    return undefined;
  }
  if (!isObject(v)) {
    c.add(at, `must be an object, found ${describe(v)}`);
    return undefined;
  }
  return v;
}

function readBytes(c: IssueCollector, obj: JsonObject, key: string, path: string): Uint8Array | undefined {
  const v = obj[key];
  const at = joinPath(path, key);
  if (!present(v)) {
    c.add(at, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') {
    c.add(at, `must be a base64 string, found ${describe(v)}`);
    return undefined;
  }
  try {
    const bytes = decodeBase64(v, at);
    if (bytes.length > 0) return bytes;
    c.add(at, 'must not be empty');
    return undefined;
  } catch (e) {
    return absorb(c, e, at);
  }
}

function readEnum(
  c: IssueCollector,
  obj: JsonObject,
  key: string,
  path: string,
  names: readonly string[],
  numbers: Readonly<Record<number, string>>,
): string | undefined {
  const v = obj[key];
  const at = joinPath(path, key);
  const name = typeof v === 'number' && Object.hasOwn(numbers, v) ? numbers[v] : v;
  if (typeof name === 'string' && names.includes(name)) return name;
  if (!present(v)) c.add(at, `is required (one of ${names.join(', ')})`);
  else
    c.add(at, `must be one of ${names.join(', ')}, found ${typeof v === 'string' ? quote(v) : describe(v)}`);
  return undefined;
}

function readList<T>(
  c: IssueCollector,
  root: JsonObject,
  key: string,
  item: (c: IssueCollector, value: JsonObject, path: string) => T | undefined,
): T[] {
  const v = root[key];
  if (!present(v)) return [];
  if (!Array.isArray(v)) {
    c.add(key, `must be an array, found ${describe(v)}`);
    return [];
  }
  const out: T[] = [];
  v.forEach((entry: unknown, i) => {
    const at = joinPath(key, i);
    if (!isObject(entry)) c.add(at, `must be an object, found ${describe(entry)}`);
    else {
      const parsed = item(c, entry, at);
      if (parsed !== undefined) out.push(parsed);
    }
  });
  return out;
}

/** Imports a log key from DER, accepting RSAPublicKey bytes only where `keyDetails` is a PKCS1_ value. */
function importLogKey(raw: Uint8Array, expect: KeyExpectation, at: string): PublicKey {
  if (raw[0] !== 0x30) {
    throw new ParseError(CODE, [{ path: at, message: 'must be a DER SubjectPublicKeyInfo (a SEQUENCE)' }]);
  }
  const der = new Der(raw, at);
  const top = der.tlv(0, raw.length);
  if (top.end !== raw.length) der.fail(top.end, 'trailing bytes after the key');
  der.check(top, 0);
  let spkiError: unknown;
  try {
    const key = parsePublicKey(raw, { field: at });
    if (!bytesEqual(key.spki, raw)) {
      throw new ParseError(CODE, [
        { path: at, message: 'is not the canonical SubjectPublicKeyInfo of its key' },
      ]);
    }
    return key;
  } catch (e) {
    if (!expect.pkcs1 || !isVouchError(e)) throw e;
    spkiError = e;
  }
  try {
    return new PublicKey(createPublicKey({ key: Buffer.from(raw), format: 'der', type: 'pkcs1' }));
  } catch (e) {
    if (isVouchError(e)) throw e;
    throw spkiError;
  }
}

function describeKey(key: PublicKey): string {
  return key.algorithm === 'rsa' ? `an RSA ${key.bits}-bit key` : `an ${key.algorithm} key`;
}

function readPublicKey(
  c: IssueCollector,
  pk: JsonObject,
  at: string,
): { key: PublicKey; validFor: ValidityWindow } | undefined {
  const raw = readBytes(c, pk, 'rawBytes', at);
  const details = readEnum(c, pk, 'keyDetails', at, Object.values(KEY_DETAILS_NUMBERS), KEY_DETAILS_NUMBERS);
  const validFor = readValidityWindow(pk.validFor, joinPath(at, 'validFor'), c);
  if (details === undefined || raw === undefined) return undefined;
  const expect = SUPPORTED_KEY_DETAILS[details];
  if (expect === undefined) {
    c.add(
      joinPath(at, 'keyDetails'),
      `${details} is not supported for a log key (supported: ${Object.keys(SUPPORTED_KEY_DETAILS).join(', ')})`,
    );
    return undefined;
  }
  let key: PublicKey;
  try {
    key = importLogKey(raw, expect, joinPath(at, 'rawBytes'));
  } catch (e) {
    return absorb(c, e, joinPath(at, 'rawBytes'));
  }
  if (key.algorithm !== expect.algorithm || (expect.bits !== undefined && key.bits !== expect.bits)) {
    const wanted =
      expect.algorithm === 'rsa'
        ? `an RSA${expect.bits ? ` ${expect.bits}-bit` : ''} key`
        : `an ${expect.algorithm} key`;
    c.add(joinPath(at, 'keyDetails'), `${details} names ${wanted} but rawBytes holds ${describeKey(key)}`);
    return undefined;
  }
  return validFor === undefined ? undefined : { key, validFor };
}

function readLog(c: IssueCollector, log: JsonObject, at: string): TrustedLog | undefined {
  const baseUrl = readString(c, log, 'baseUrl', at, true);
  const hashAlgorithm = readEnum(c, log, 'hashAlgorithm', at, HASH_ALGORITHMS, HASH_ALGORITHM_NUMBERS);
  const pk = readObject(c, log, 'publicKey', at, true);
  const prepared = pk === undefined ? undefined : readPublicKey(c, pk, joinPath(at, 'publicKey'));
  const logIdObj = readObject(c, log, 'logId', at, true);
  const logId = logIdObj === undefined ? undefined : readBytes(c, logIdObj, 'keyId', joinPath(at, 'logId'));
  // Newer fields (trusted root v0.2), checked for shape though verification identifies logs by logId.
  const checkpoint = readObject(c, log, 'checkpointKeyId', at, false);
  if (checkpoint !== undefined) readBytes(c, checkpoint, 'keyId', joinPath(at, 'checkpointKeyId'));
  readString(c, log, 'operator', at, false);
  if (baseUrl === undefined || hashAlgorithm === undefined || prepared === undefined || logId === undefined) {
    return undefined;
  }
  return Object.freeze({
    baseUrl,
    hashAlgorithm,
    logId,
    logIdHex: encodeHex(logId),
    key: prepared.key,
    validFor: prepared.validFor,
  });
}

function readAuthority(
  c: IssueCollector,
  ca: JsonObject,
  at: string,
): TrustedCertificateAuthority | undefined {
  const subject = readObject(c, ca, 'subject', at, false);
  if (subject !== undefined) {
    readString(c, subject, 'organization', joinPath(at, 'subject'), false);
    readString(c, subject, 'commonName', joinPath(at, 'subject'), false);
  }
  const uri = readString(c, ca, 'uri', at, false) ?? '';
  readString(c, ca, 'operator', at, false);
  const validFor = readValidityWindow(ca.validFor, joinPath(at, 'validFor'), c);
  const chainObj = readObject(c, ca, 'certChain', at, true);
  const chainAt = joinPath(at, 'certChain');
  const list = chainObj === undefined ? undefined : chainObj.certificates;
  const listAt = joinPath(chainAt, 'certificates');
  if (chainObj !== undefined && !Array.isArray(list)) {
    c.add(listAt, present(list) ? `must be an array, found ${describe(list)}` : 'is required');
  }
  if (!Array.isArray(list)) return undefined;
  if (list.length === 0) c.add(listAt, 'must hold at least one certificate');
  const before = c.issues.length;
  const certs: { der: Uint8Array; cert: X509Certificate }[] = [];
  for (const [i, entry] of list.entries()) {
    const certAt = joinPath(listAt, i);
    if (!isObject(entry)) {
      c.add(certAt, `must be an object, found ${describe(entry)}`);
      continue;
    }
    const der = readBytes(c, entry, 'rawBytes', certAt);
    if (der === undefined) continue;
    try {
      certs.push({ der, cert: parseStrictCertificate(der, joinPath(certAt, 'rawBytes')) });
    } catch (e) {
      absorb(c, e, joinPath(certAt, 'rawBytes'));
    }
  }
  if (c.issues.length > before || validFor === undefined) return undefined;
  // protobuf-specs: the chain runs from the issuing certificate to the trust anchor, which is last.
  for (let i = 0; i + 1 < certs.length; i++) {
    const child = certs[i]?.cert;
    const parent = certs[i + 1]?.cert;
    if (child !== undefined && parent !== undefined && !child.issuer.equals(parent.subject)) {
      c.add(
        joinPath(listAt, i),
        `its issuer is not the subject of certificates[${i + 1}] (the chain must end at the trust anchor)`,
      );
    }
  }
  return Object.freeze({ uri, chain: Object.freeze(certs.map((x) => x.der)), validFor });
}

/**
 * Parses a Sigstore trusted root (protobuf-specs `TrustedRoot` JSON, already parsed into a value) into prepared,
 * frozen trust material: log keys imported once (their `keyDetails` must name the key they hold), certificate
 * chains checked as strict DER and readable by `@sigstore/core`, validity windows as `Date`s. Every tlog, ctlog,
 * CA and TSA needs `validFor.start`. Unknown fields are ignored, so newer roots still load.
 *
 * @throws ParseError `ERR_MALFORMED_TRUSTED_ROOT` listing every bad path (`tlogs[1].publicKey.validFor.start`)
 * @example
 * ```ts
 * const root = parseTrustedRoot(JSON.parse(text));
 * const rekor = root.tlogs.find((log) => log.logIdHex === entryLogIdHex);
 * ```
 */
export function parseTrustedRoot(input: unknown): TrustedRoot {
  if (!isObject(input)) {
    throw new ParseError(CODE, [
      { path: '', message: `trusted root must be a JSON object, found ${describe(input)}` },
    ]);
  }
  const c = new IssueCollector();
  const mediaType = readString(c, input, 'mediaType', '', true);
  c.throwIfAny(CODE);
  if (mediaType === undefined || !TRUSTED_ROOT_MEDIA_TYPES.includes(mediaType)) {
    throw new ParseError(CODE, [
      {
        path: 'mediaType',
        message: `expected a trusted root media type (${TRUSTED_ROOT_MEDIA_TYPES.join(', ')}), found ${quote(mediaType ?? '')}`,
      },
    ]);
  }
  const tlogs = readList(c, input, 'tlogs', readLog);
  const ctlogs = readList(c, input, 'ctlogs', readLog);
  const certificateAuthorities = readList(c, input, 'certificateAuthorities', readAuthority);
  const timestampAuthorities = readList(c, input, 'timestampAuthorities', readAuthority);
  c.throwIfAny(CODE);
  return Object.freeze({
    mediaType,
    tlogs: Object.freeze(tlogs),
    ctlogs: Object.freeze(ctlogs),
    certificateAuthorities: Object.freeze(certificateAuthorities),
    timestampAuthorities: Object.freeze(timestampAuthorities),
  });
}

/**
 * Parses `trusted_root.json` from its bytes or text (bad JSON is `ERR_MALFORMED_TRUSTED_ROOT` too).
 *
 * @example
 * ```ts
 * const root = parseTrustedRootJson(await readFile('trusted_root.json'));
 * ```
 */
export function parseTrustedRootJson(bytes: Uint8Array | string): TrustedRoot {
  return parseTrustedRoot(parseJson(bytes, 'trustedRoot', CODE));
}

/**
 * Whether a log's id is SHA-256 of its key's SubjectPublicKeyInfo, as RFC 6962 defines it for CT logs and Rekor v1
 * uses it. Rekor v2 logs (and some staging CT logs) have other ids; they are kept as the root says.
 *
 * @example
 * ```ts
 * const v1Style = root.tlogs.filter(logIdIsKeyHash);
 * ```
 */
export function logIdIsKeyHash(log: TrustedLog): boolean {
  return bytesEqual(createHash('sha256').update(log.key.spki).digest(), log.logId);
}
