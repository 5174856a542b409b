// Reading Fulcio certificates: their strict structure, the identity they name (SAN and extensions), and identity policies.
import { type ASN1Obj, X509Certificate } from '@sigstore/core';
import { ParseError, UsageError, VerificationError } from '../errors.js';
import { describe } from '../json.js';
import { type PublicKey, parsePublicKey } from '../keys/index.js';
import { parseQuietly } from './quiet-parse.js';
import { assertStrictCertificateDer } from './trusted-root.js';
import type { CertificateIdentity, FulcioExtensions, IdentityPolicy, StringMatcher } from './types.js';

/** One X.509 extension, as found in the certificate. */
export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The content of `extnValue` (the bytes inside the OCTET STRING). */
  readonly value: Uint8Array;
  /** The parsed `Extension` SEQUENCE, for extension-specific readers. */
  readonly node: ASN1Obj;
}

/** A certificate split into the parts vouch checks, every part read and checked once. */
export interface DecodedCertificate {
  /** The certificate as @sigstore/core parsed it. */
  readonly x509: X509Certificate;
  /** The DER the certificate was decoded from (a private copy). */
  readonly der: Uint8Array;
  /** The exact `tbsCertificate` bytes the issuer signed. */
  readonly tbs: Uint8Array;
  /** The outer `signatureAlgorithm` OID (equal to the one inside the TBS). */
  readonly signatureAlgorithm: string;
  /** The signature bits (the BIT STRING without its unused-bits byte, which is 0). */
  readonly signature: Uint8Array;
  /** DER of the issuer and subject Names, compared byte for byte when building a path. */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  /** The SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Extensions by OID (a certificate with the same OID twice is refused). */
  readonly extensions: ReadonlyMap<string, CertificateExtension>;
}

const TAG_BOOLEAN = 0x01;
const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_OCTET_STRING = 0x04;
const TAG_OID = 0x06;
const TAG_UTF8_STRING = 0x0c;
const TAG_SEQUENCE = 0x30;

const OID_SAN = '2.5.29.17';
const OID_FULCIO_OTHERNAME_SAN = '1.3.6.1.4.1.57264.1.7';
const FULCIO_PREFIX = '1.3.6.1.4.1.57264.1.';

// Arc .1 to .6 carry the raw string as the extension value; .8 onwards wrap it in a DER UTF8String.
const FULCIO_EXTENSIONS: ReadonlyMap<
  number,
  { readonly name: keyof FulcioExtensions; readonly raw: boolean }
> = new Map([
  [1, { name: 'issuer', raw: true }],
  [2, { name: 'githubWorkflowTrigger', raw: true }],
  [3, { name: 'githubWorkflowSha', raw: true }],
  [4, { name: 'githubWorkflowName', raw: true }],
  [5, { name: 'githubWorkflowRepository', raw: true }],
  [6, { name: 'githubWorkflowRef', raw: true }],
  [8, { name: 'issuer', raw: false }],
  [9, { name: 'buildSignerUri', raw: false }],
  [10, { name: 'buildSignerDigest', raw: false }],
  [11, { name: 'runnerEnvironment', raw: false }],
  [12, { name: 'sourceRepositoryUri', raw: false }],
  [13, { name: 'sourceRepositoryDigest', raw: false }],
  [14, { name: 'sourceRepositoryRef', raw: false }],
  [15, { name: 'sourceRepositoryIdentifier', raw: false }],
  [16, { name: 'sourceRepositoryOwnerUri', raw: false }],
  [17, { name: 'sourceRepositoryOwnerIdentifier', raw: false }],
  [18, { name: 'buildConfigUri', raw: false }],
  [19, { name: 'buildConfigDigest', raw: false }],
  [20, { name: 'buildTrigger', raw: false }],
  [21, { name: 'runInvocationUri', raw: false }],
  [22, { name: 'sourceRepositoryVisibilityAtSigning', raw: false }],
]);

/** Every extension name of `FulcioExtensions`, for policy checks. */
const EXTENSION_NAMES: ReadonlySet<string> = new Set([...FULCIO_EXTENSIONS.values()].map((e) => e.name));

function malformed(field: string, message: string, cause?: unknown): ParseError {
  return new ParseError('ERR_MALFORMED_CERTIFICATE', [{ path: field, message }], { cause });
}

function tagByte(node: ASN1Obj): number {
  return (node.tag.class << 6) | (node.tag.constructed ? 0x20 : 0) | node.tag.number;
}

function child(node: ASN1Obj | undefined, index: number, tag: number, what: string): ASN1Obj {
  const sub = node?.subs[index];
  if (sub === undefined) throw new Error(`${what} is missing`);
  if (tagByte(sub) !== tag) {
    throw new Error(`${what}: expected tag 0x${tag.toString(16)}, found 0x${tagByte(sub).toString(16)}`);
  }
  return sub;
}

function bytes(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

// The parser keeps every value as a view of the input and only accepts minimal lengths, so a node's exact
// encoding is its value plus a header of known size; re-encoding (toDER) would cost more than a signature check.
function rawOf(node: ASN1Obj): Uint8Array {
  const length = node.value.length;
  let header = 2;
  if (length > 127) for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) header++;
  return new Uint8Array(node.value.buffer, node.value.byteOffset - header, header + length);
}

function dateOf(node: ASN1Obj, what: string): Date {
  const date = node.toDate();
  if (Number.isNaN(date.getTime())) throw new Error(`${what} is not a valid time`);
  return date;
}

/**
 * Decodes a DER certificate strictly (minimal lengths, nothing trailing, v3 only): the TBS and outer signature
 * algorithms must agree, the signature BIT STRING has no unused bits, times are real dates and no
 * extension appears twice. Anything else is a `ParseError` `ERR_MALFORMED_CERTIFICATE` naming `field`.
 *
 * @example
 * ```ts
 * const cert = decodeCertificate(der, 'verificationMaterial.certificate');
 * console.log(cert.notAfter, cert.extensions.has('2.5.29.17'));
 * ```
 */
export function decodeCertificate(der: Uint8Array, field = 'certificate'): DecodedCertificate {
  if (!(der instanceof Uint8Array)) throw malformed(field, `expected DER bytes, found ${describe(der)}`);
  if (der.length === 0) throw malformed(field, 'expected a DER certificate, found 0 bytes');
  // The full strict-DER walk first: @sigstore/core's parser alone accepts encodings other parsers read differently.
  assertStrictCertificateDer(der, field);
  const copy = Buffer.from(der);
  try {
    const x509 = parseQuietly(() => X509Certificate.parse(copy));
    const root = x509.root;
    if (tagByte(root) !== TAG_SEQUENCE || root.subs.length !== 3) {
      throw new Error('expected SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }');
    }
    const tbsNode = child(root, 0, TAG_SEQUENCE, 'tbsCertificate');
    const outerAlg = child(root, 1, TAG_SEQUENCE, 'signatureAlgorithm');
    const sigNode = child(root, 2, TAG_BIT_STRING, 'signatureValue');
    if (sigNode.value.length < 2 || sigNode.value[0] !== 0) {
      throw new Error(
        `signatureValue: expected a BIT STRING with 0 unused bits, found ${sigNode.value[0] ?? 'none'}`,
      );
    }
    // tbsCertificate: [0] version, serial, signature, issuer, validity, subject, spki, [1] [2] [3]
    const version = tbsNode.subs[0];
    if (version === undefined || tagByte(version) !== 0xa0)
      throw new Error('only X.509 v3 certificates are accepted');
    const versionInt = child(version, 0, TAG_INTEGER, 'version');
    if (versionInt.toInteger() !== 2n) throw new Error('only X.509 v3 certificates are accepted');
    child(tbsNode, 1, TAG_INTEGER, 'serialNumber');
    const innerAlg = child(tbsNode, 2, TAG_SEQUENCE, 'tbsCertificate.signature');
    if (!Buffer.from(rawOf(innerAlg)).equals(rawOf(outerAlg))) {
      throw new Error('tbsCertificate.signature differs from signatureAlgorithm');
    }
    const issuer = child(tbsNode, 3, TAG_SEQUENCE, 'issuer');
    const validity = child(tbsNode, 4, TAG_SEQUENCE, 'validity');
    const subject = child(tbsNode, 5, TAG_SEQUENCE, 'subject');
    const spki = child(tbsNode, 6, TAG_SEQUENCE, 'subjectPublicKeyInfo');
    if (validity.subs.length !== 2) throw new Error('validity must hold notBefore and notAfter');
    const notBefore = dateOf(validity.subs[0] as ASN1Obj, 'notBefore');
    const notAfter = dateOf(validity.subs[1] as ASN1Obj, 'notAfter');
    const extensions = new Map<string, CertificateExtension>();
    for (const sub of tbsNode.subs.slice(7)) {
      const tag = tagByte(sub);
      if (tag === 0x81 || tag === 0x82) continue; // issuer/subject unique ids
      if (tag !== 0xa3) throw new Error(`unexpected field with tag 0x${tag.toString(16)} in tbsCertificate`);
      const list = child(sub, 0, TAG_SEQUENCE, 'extensions');
      for (const ext of list.subs) readExtension(ext, extensions);
    }
    const signatureAlgorithm = child(outerAlg, 0, TAG_OID, 'signatureAlgorithm.algorithm').toOID();
    const decoded: DecodedCertificate = Object.freeze({
      x509,
      der: bytes(copy),
      tbs: rawOf(tbsNode),
      signatureAlgorithm,
      signature: bytes(sigNode.value.subarray(1)),
      issuer: rawOf(issuer),
      subject: rawOf(subject),
      spki: rawOf(spki),
      notBefore,
      notAfter,
      extensions,
    });
    genuine.add(decoded);
    return decoded;
  } catch (error) {
    if (error instanceof ParseError) throw error;
    throw malformed(field, error instanceof Error ? error.message : String(error), error);
  }
}

// Decoded certificates this module produced, so a caller can hand one back instead of the DER (decoding is the
// costly part of reading a certificate) without a hand-made look-alike skipping the strict checks.
const genuine = new WeakSet<object>();
const keys = new WeakMap<DecodedCertificate, PublicKey>();

/**
 * Whether `value` is a certificate `decodeCertificate` produced (not merely one of the same shape).
 *
 * @example
 * ```ts
 * isDecodedCertificate(decodeCertificate(der)); // true
 * isDecodedCertificate({ ...decodeCertificate(der) }); // false
 * ```
 */
export function isDecodedCertificate(value: unknown): value is DecodedCertificate {
  return typeof value === 'object' && value !== null && genuine.has(value);
}

/**
 * The certificate's subject public key, parsed under the key policy once per decoded certificate (the
 * signature check and the chain check of one bundle share it). Errors as `parsePublicKey`, naming `options.field`.
 *
 * @example
 * ```ts
 * const key = certificatePublicKey(decodeCertificate(der), { field: 'certificate.subjectPublicKeyInfo' });
 * ```
 */
export function certificatePublicKey(
  cert: DecodedCertificate,
  options: { readonly field?: string } = {},
): PublicKey {
  if (!isDecodedCertificate(cert)) {
    throw new UsageError(
      'ERR_USAGE',
      `cert: expected a certificate from decodeCertificate, found ${describe(cert)}`,
    );
  }
  let key = keys.get(cert);
  if (key === undefined) {
    key = parsePublicKey(cert.spki, { field: options.field ?? 'certificate.subjectPublicKeyInfo' });
    keys.set(cert, key);
  }
  return key;
}

function readExtension(ext: ASN1Obj, into: Map<string, CertificateExtension>): void {
  if (tagByte(ext) !== TAG_SEQUENCE || ext.subs.length < 2 || ext.subs.length > 3) {
    throw new Error('an extension must be SEQUENCE { extnID, critical?, extnValue }');
  }
  const oid = child(ext, 0, TAG_OID, 'extension.extnID').toOID();
  let critical = false;
  if (ext.subs.length === 3) {
    const flag = child(ext, 1, TAG_BOOLEAN, `extension ${oid}: critical`);
    // DER omits a DEFAULT FALSE, and TRUE is 0xff.
    if (flag.value.length !== 1 || flag.value[0] !== 0xff) {
      throw new Error(`extension ${oid}: critical must be omitted or TRUE (0xff)`);
    }
    critical = true;
  }
  const value = child(ext, ext.subs.length - 1, TAG_OCTET_STRING, `extension ${oid}: extnValue`);
  if (into.has(oid)) throw new Error(`extension ${oid} appears more than once`);
  into.set(oid, Object.freeze({ oid, critical, value: bytes(value.value), node: ext }));
}

/** Reads one DER TLV that must fill `buf` exactly; returns its tag and content. */
function readSingleTlv(
  buf: Uint8Array,
  what: string,
): { readonly tag: number; readonly content: Uint8Array } {
  const tag = buf[0];
  const first = buf[1];
  if (tag === undefined || first === undefined)
    throw new Error(`${what}: expected a DER value, found ${buf.length} bytes`);
  let length = first;
  let offset = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 3) throw new Error(`${what}: unsupported length encoding`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[offset + i] ?? Number.NaN);
    offset += count;
    if (!(length >= 128) || buf[2] === 0) throw new Error(`${what}: non-minimal length encoding`);
  }
  if (offset + length !== buf.length) {
    throw new Error(`${what}: expected ${offset + length} bytes for the value, found ${buf.length}`);
  }
  return { tag, content: buf.subarray(offset) };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function text(buf: Uint8Array, what: string, ascii: boolean): string {
  if (ascii && buf.some((b) => b > 0x7f)) {
    throw new Error(`${what}: expected ASCII (IA5String), found a byte above 0x7f`);
  }
  try {
    return UTF8.decode(buf);
  } catch {
    throw new Error(`${what}: expected UTF-8 text, found invalid UTF-8`);
  }
}

/**
 * The identity a Fulcio certificate names: its one subject alternative name (an email, a URI, or Fulcio's
 * otherName 1.3.6.1.4.1.57264.1.7) and every Fulcio extension 1.3.6.1.4.1.57264.1.1 to .22 it carries.
 * `extensions.issuer` is the V2 issuer (.8) when present, else the deprecated .1; when both are present
 * they must agree. A certificate without exactly one usable SAN is `ERR_MALFORMED_CERTIFICATE`.
 *
 * @example
 * ```ts
 * const id = extractIdentity(certificateDer);
 * console.log(id.subjectAlternativeName, id.extensions.issuer, id.extensions.sourceRepositoryUri);
 * ```
 */
export function extractIdentity(
  certificate: Uint8Array | DecodedCertificate,
  options: { readonly field?: string } = {},
): CertificateIdentity {
  const field = options.field ?? 'certificate';
  const cert = certificate instanceof Uint8Array ? decodeCertificate(certificate, field) : certificate;
  try {
    const san = cert.extensions.get(OID_SAN);
    if (san === undefined) throw new Error('expected a subject alternative name extension, found none');
    const subjectAlternativeName = readSan(san);
    const found: Partial<Record<keyof FulcioExtensions, string>> = {};
    let deprecatedIssuer: string | undefined;
    for (const ext of cert.extensions.values()) {
      if (!ext.oid.startsWith(FULCIO_PREFIX)) continue;
      const arc = ext.oid.slice(FULCIO_PREFIX.length);
      const spec = /^[1-9][0-9]?$/.test(arc) ? FULCIO_EXTENSIONS.get(Number(arc)) : undefined;
      if (spec === undefined) continue;
      const what = `extension ${ext.oid} (${spec.name})`;
      let value: string;
      if (spec.raw) {
        value = text(ext.value, what, false);
      } else {
        const tlv = readSingleTlv(ext.value, what);
        if (tlv.tag !== TAG_UTF8_STRING) {
          throw new Error(`${what}: expected a UTF8String (tag 0x0c), found tag 0x${tlv.tag.toString(16)}`);
        }
        value = text(tlv.content, what, false);
      }
      if (arc === '1') deprecatedIssuer = value;
      else found[spec.name] = value;
    }
    if (deprecatedIssuer !== undefined) {
      if (found.issuer === undefined) found.issuer = deprecatedIssuer;
      else if (found.issuer !== deprecatedIssuer) {
        throw new Error(
          `the issuer extensions disagree: .8 is ${JSON.stringify(found.issuer)}, .1 is ${JSON.stringify(deprecatedIssuer)}`,
        );
      }
    }
    return Object.freeze({ subjectAlternativeName, extensions: Object.freeze(found) });
  } catch (error) {
    if (error instanceof ParseError) throw error;
    throw malformed(field, error instanceof Error ? error.message : String(error), error);
  }
}

function readSan(ext: CertificateExtension): string {
  const value = child(ext.node, ext.node.subs.length - 1, TAG_OCTET_STRING, 'subjectAltName');
  const names = child(value, 0, TAG_SEQUENCE, 'subjectAltName.GeneralNames');
  if (value.subs.length !== 1) throw new Error('subjectAltName: expected one GeneralNames SEQUENCE');
  if (names.subs.length !== 1) {
    throw new Error(`subjectAltName: expected exactly one name, found ${names.subs.length}`);
  }
  const name = names.subs[0] as ASN1Obj;
  const tag = tagByte(name);
  if (tag === 0x81) return text(name.value, 'subjectAltName rfc822Name', true);
  if (tag === 0x86) return text(name.value, 'subjectAltName uniformResourceIdentifier', true);
  if (tag === 0xa0) {
    const oid = child(name, 0, TAG_OID, 'subjectAltName otherName.type-id').toOID();
    if (oid !== OID_FULCIO_OTHERNAME_SAN || name.subs.length !== 2) {
      throw new Error(`subjectAltName: unsupported otherName ${oid}`);
    }
    const explicit = child(name, 1, 0xa0, 'subjectAltName otherName.value');
    const str = child(explicit, 0, TAG_UTF8_STRING, 'subjectAltName otherName.value');
    if (explicit.subs.length !== 1)
      throw new Error('subjectAltName otherName.value: expected one UTF8String');
    return text(str.value, 'subjectAltName otherName', false);
  }
  throw new Error(`subjectAltName: unsupported GeneralName with tag 0x${tag.toString(16)}`);
}

/** One row of an identity check: which field, what the policy wanted, what the certificate has. */
export interface IdentityCheck {
  /** `subjectAlternativeName`, `issuer`, or `extensions.<name>`. */
  readonly field: string;
  readonly ok: boolean;
  /** The exact value, or the anchored expression as `/^(?:re)$/u`. */
  readonly expected: string;
  /** The certificate's value, or `(absent)`. */
  readonly found: string;
}

const ABSENT = '(absent)';
const compiled = new Map<string, RegExp>();

function compileAnchored(source: string, field: string): RegExp {
  const hit = compiled.get(source);
  if (hit !== undefined) return hit;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${source})$`, 'u');
  } catch (error) {
    throw new UsageError(
      'ERR_USAGE',
      `${field}: ${JSON.stringify(source)} is not a valid regular expression (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  if (compiled.size >= 256) compiled.clear();
  compiled.set(source, re);
  return re;
}

function checkOne(field: string, matcher: unknown, value: string | undefined): IdentityCheck {
  const m: unknown = matcher;
  const exact = typeof m === 'object' && m !== null && 'exact' in m ? m.exact : undefined;
  const regexp = typeof m === 'object' && m !== null && 'regexp' in m ? m.regexp : undefined;
  if (
    (exact === undefined) === (regexp === undefined) ||
    (exact ?? regexp) === '' ||
    typeof (exact ?? regexp) !== 'string'
  ) {
    throw new UsageError(
      'ERR_USAGE',
      `${field}: expected { exact: string } or { regexp: string } (non-empty), found ${describe(matcher)}`,
    );
  }
  const found = value ?? ABSENT;
  if (typeof exact === 'string') {
    return Object.freeze({ field, ok: value !== undefined && value === exact, expected: exact, found });
  }
  const source = regexp as string;
  const re = compileAnchored(source, field);
  return Object.freeze({
    field,
    ok: value !== undefined && re.test(value),
    expected: `/^(?:${source})$/u`,
    found,
  });
}

/**
 * Checks an identity against a policy, field by field; every field the policy names gives one row.
 * `subjectAlternativeName` and `issuer` compare with the SAN and `extensions.issuer`; `extensions.<name>`
 * with that Fulcio extension. Regular expressions match the WHOLE value (`^(?:re)$`, Unicode mode); an
 * invalid one, or a matcher that is not `{ exact }` xor `{ regexp }`, is a `UsageError` `ERR_USAGE`.
 * An absent value never matches.
 *
 * @example
 * ```ts
 * const rows = matchIdentity(identity, { issuer: { exact: 'https://token.actions.githubusercontent.com' } });
 * const failed = rows.filter((r) => !r.ok);
 * ```
 */
export function matchIdentity(
  identity: CertificateIdentity,
  policy: IdentityPolicy,
): readonly IdentityCheck[] {
  const rows: IdentityCheck[] = [];
  if (policy.subjectAlternativeName !== undefined) {
    rows.push(
      checkOne('subjectAlternativeName', policy.subjectAlternativeName, identity.subjectAlternativeName),
    );
  }
  if (policy.issuer !== undefined) rows.push(checkOne('issuer', policy.issuer, identity.extensions.issuer));
  const extensions = policy.extensions ?? {};
  for (const name of Object.keys(extensions)) {
    if (!EXTENSION_NAMES.has(name)) {
      throw new UsageError('ERR_USAGE', `extensions.${name}: not a Fulcio extension name`);
    }
    const key = name as keyof FulcioExtensions;
    const matcher = extensions[key];
    if (matcher === undefined) continue;
    rows.push(checkOne(`extensions.${name}`, matcher, identity.extensions[key]));
  }
  return Object.freeze(rows);
}

/**
 * Throws `VerificationError` `ERR_IDENTITY_MISMATCH` naming every field that does not match (expected and found).
 *
 * @example
 * ```ts
 * assertIdentity(verified.identity, { subjectAlternativeName: { regexp: 'https://github\\.com/acme/.*' } });
 * ```
 */
export function assertIdentity(identity: CertificateIdentity, policy: IdentityPolicy): void {
  const failed = matchIdentity(identity, policy).filter((row) => !row.ok);
  if (failed.length === 0) return;
  throw new VerificationError(
    'ERR_IDENTITY_MISMATCH',
    `the certificate identity does not match the policy: ${failed
      .map(
        (r) =>
          `${r.field}: expected ${r.expected}, found ${r.found === ABSENT ? r.found : JSON.stringify(r.found)}`,
      )
      .join('; ')}`,
  );
}

/** The GitHub Actions OIDC issuer. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** Options of `gitHubPolicy`: `gh attestation verify`'s policy flags. */
export interface GitHubPolicyOptions {
  /** `--owner`: the source repository's owner. */
  readonly owner?: string;
  /** `--repo`: `<owner>/<repo>`. */
  readonly repo?: string;
  /** `--signer-repo`: `<owner>/<repo>` of the (reusable) workflow that signed. */
  readonly signerRepo?: string;
  /** `--signer-workflow`: `[host/]<owner>/<repo>/<path>` (a regular expression fragment, as in gh). */
  readonly signerWorkflow?: string;
  /** `--signer-digest`: the signer workflow's commit. */
  readonly signerDigest?: string;
  /** `--source-ref`: e.g. `refs/heads/main`. */
  readonly sourceRef?: string;
  /** `--source-digest`: the source commit. */
  readonly sourceDigest?: string;
  /** `--deny-self-hosted-runners`. */
  readonly denySelfHostedRunners?: boolean;
  /** `--cert-oidc-issuer`; default GitHub Actions'. */
  readonly issuer?: string;
  /** `--hostname`; default `github.com`. */
  readonly hostname?: string;
}

// gh: a --signer-workflow value that starts with a host name keeps it; otherwise the host is prepended.
const HOST_PREFIX = /^[a-zA-Z0-9-]+\.[a-zA-Z0-9-]+/;
const REPO_FORMAT = /^[^/\s]+\/[^/\s]+$/;

function escapeRegExp(literal: string): string {
  return literal.replace(/[\^$\\.*+?()[\]{}|/]/g, '\\$&');
}

// GitHub names are case-insensitive and gh compares them with EqualFold / (?i); the matcher has no flags, so
// letters become [xX] classes.
function caseInsensitive(literal: string): string {
  return [...literal]
    .map((ch) => {
      const lower = ch.toLowerCase();
      const upper = ch.toUpperCase();
      return lower !== upper && lower.length === 1 && upper.length === 1
        ? `[${lower}${upper}]`
        : escapeRegExp(ch);
    })
    .join('');
}

function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value !== value.trim()) {
    throw new UsageError(
      'ERR_USAGE',
      `${flag}: expected a non-empty value without surrounding spaces, found ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Maps `gh attestation verify`'s policy flags onto an identity policy, as gh checks them:
 * `--owner`/`--repo` compare (case-insensitively) with `sourceRepositoryOwnerUri`/`sourceRepositoryUri`;
 * the signer is the SAN: `--signer-workflow` (`https://[host/]<workflow>@<ref>`), else `--signer-repo`
 * (`https://host/<owner>/<repo>/...`), else the repository or owner (`https://host/<owner>[/<repo>]/...`);
 * `--signer-digest`, `--source-ref`, `--source-digest` are exact; `--deny-self-hosted-runners` requires
 * `runnerEnvironment` = `github-hosted`; the issuer is GitHub Actions' unless `issuer` says otherwise.
 * gh matches the SAN with an unanchored suffix; vouch anchors, allowing only an `@<ref>` after a workflow.
 *
 * @example
 * ```ts
 * const policy = gitHubPolicy({ repo: 'acme/app', signerWorkflow: 'acme/app/.github/workflows/release.yml' });
 * assertIdentity(identity, policy);
 * ```
 */
export function gitHubPolicy(options: GitHubPolicyOptions): IdentityPolicy {
  const owner0 = nonEmpty(options.owner, 'owner');
  const repo = nonEmpty(options.repo, 'repo');
  const signerRepo = nonEmpty(options.signerRepo, 'signerRepo');
  const signerWorkflow = nonEmpty(options.signerWorkflow, 'signerWorkflow');
  const hostname = nonEmpty(options.hostname, 'hostname') ?? 'github.com';
  const issuer = nonEmpty(options.issuer, 'issuer') ?? GITHUB_ACTIONS_ISSUER;
  if (owner0 === undefined && repo === undefined) {
    throw new UsageError(
      'ERR_USAGE',
      'gitHubPolicy: one of owner or repo is required (as gh attestation verify)',
    );
  }
  for (const [flag, value] of [
    ['repo', repo],
    ['signerRepo', signerRepo],
  ] as const) {
    if (value !== undefined && !REPO_FORMAT.test(value)) {
      throw new UsageError('ERR_USAGE', `${flag}: expected <owner>/<repo>, found ${JSON.stringify(value)}`);
    }
  }
  if (signerRepo !== undefined && signerWorkflow !== undefined) {
    throw new UsageError('ERR_USAGE', 'signerRepo and signerWorkflow cannot be used together');
  }
  const repoOwner = repo?.split('/')[0];
  if (owner0 !== undefined && repoOwner !== undefined && owner0.toLowerCase() !== repoOwner.toLowerCase()) {
    throw new UsageError(
      'ERR_USAGE',
      `owner ${JSON.stringify(owner0)} is not the owner of repo ${JSON.stringify(repo)}`,
    );
  }
  const owner = repoOwner ?? (owner0 as string);
  const base = `https://${hostname}/`;
  const extensions: Partial<Record<keyof FulcioExtensions, StringMatcher>> = {
    sourceRepositoryOwnerUri: { regexp: caseInsensitive(`${base}${owner}`) },
  };
  if (repo !== undefined) extensions.sourceRepositoryUri = { regexp: caseInsensitive(`${base}${repo}`) };
  let san: StringMatcher;
  if (signerWorkflow !== undefined) {
    const path = HOST_PREFIX.test(signerWorkflow)
      ? signerWorkflow
      : `${escapeRegExp(hostname)}/${signerWorkflow}`;
    san = { regexp: `https://${path}${signerWorkflow.includes('@') ? '' : '@.*'}` };
  } else {
    san = { regexp: `${caseInsensitive(`${base}${signerRepo ?? repo ?? owner}`)}/.*` };
  }
  const signerDigest = nonEmpty(options.signerDigest, 'signerDigest');
  const sourceRef = nonEmpty(options.sourceRef, 'sourceRef');
  const sourceDigest = nonEmpty(options.sourceDigest, 'sourceDigest');
  if (signerDigest !== undefined) extensions.buildSignerDigest = { exact: signerDigest };
  if (sourceRef !== undefined) extensions.sourceRepositoryRef = { exact: sourceRef };
  if (sourceDigest !== undefined) extensions.sourceRepositoryDigest = { exact: sourceDigest };
  if (options.denySelfHostedRunners === true) extensions.runnerEnvironment = { exact: 'github-hosted' };
  return Object.freeze({
    subjectAlternativeName: san,
    issuer: { exact: issuer },
    extensions: Object.freeze(extensions),
  });
}

/**
 * Maps cosign's `--certificate-github-workflow-{repository,ref,sha,trigger,name}` onto the deprecated
 * GitHub extensions (.5, .6, .3, .2, .4), each compared exactly as cosign does.
 *
 * @example
 * ```ts
 * const policy = { issuer: { exact: GITHUB_ACTIONS_ISSUER }, extensions: gitHubWorkflowExtensions({ repository: 'acme/app' }) };
 * ```
 */
export function gitHubWorkflowExtensions(options: {
  readonly repository?: string;
  readonly ref?: string;
  readonly sha?: string;
  readonly trigger?: string;
  readonly name?: string;
}): Readonly<Partial<Record<keyof FulcioExtensions, StringMatcher>>> {
  const out: Partial<Record<keyof FulcioExtensions, StringMatcher>> = {};
  const map = [
    ['repository', 'githubWorkflowRepository'],
    ['ref', 'githubWorkflowRef'],
    ['sha', 'githubWorkflowSha'],
    ['trigger', 'githubWorkflowTrigger'],
    ['name', 'githubWorkflowName'],
  ] as const;
  for (const [flag, name] of map) {
    const value = nonEmpty(options[flag], `certificate-github-workflow-${flag}`);
    if (value !== undefined) out[name] = { exact: value };
  }
  return Object.freeze(out);
}
