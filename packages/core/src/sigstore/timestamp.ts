// RFC 3161 timestamps: a strict reader of TimeStampResp / TimeStampToken DER and its verification against trusted TSAs.
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { type ASN1Obj, RFC3161Timestamp } from '@sigstore/core';
import type { Bundle } from '../bundle.js';
import { bytesEqual, encodeHex } from '../encoding.js';
import { isVouchError, ParseError, VerificationError } from '../errors.js';
import { parseQuietly } from './quiet-parse.js';
import { parseStrictCertificate, selectValidAt } from './trusted-root.js';
import type { TrustedCertificateAuthority, TrustedRoot } from './types.js';

/** What a verified RFC 3161 timestamp proves: its signed time, and the trusted authority that signed it. */
export interface VerifiedTimestamp {
  readonly time: Date;
  readonly authority: TrustedCertificateAuthority;
}

/** Options of {@link verifyRfc3161Timestamp}. */
export interface VerifyRfc3161TimestampOptions {
  /** DER TimeStampResp (as Sigstore bundles carry it) or a bare TimeStampToken (CMS ContentInfo). Untrusted. */
  readonly token: Uint8Array;
  /** The bytes the timestamp must cover: the message signature, or the DSSE signature. */
  readonly signature: Uint8Array;
  readonly trustedRoot: TrustedRoot;
  /**
   * When given, the timestamp's time must also lie inside this window (the signing certificate's validity): a
   * timestamp proves the signature existed while the certificate was valid only if it falls inside it.
   */
  readonly signingCertificateValidity?: { readonly notBefore: Date; readonly notAfter: Date };
}

type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';
type KeyKind = 'ec' | 'rsa' | 'ed25519';

const OID = Object.freeze({
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  extKeyUsage: '2.5.29.37',
  subjectKeyId: '2.5.29.14',
  timeStamping: '1.3.6.1.5.5.7.3.8',
});

// Digests allowed for the message imprint and the CMS signer (SHA-1 only to identify a certificate in ESS v1).
const DIGESTS: Readonly<Record<string, HashName>> = Object.freeze({
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
});

// Signature algorithms by OID; `hash: undefined` takes the CMS signer's digest algorithm (CMS-only OIDs).
const SIGNATURE_ALGORITHMS: Readonly<Record<string, { kind: KeyKind; hash: HashName | null | undefined }>> =
  Object.freeze({
    '1.2.840.10045.4.3.2': { kind: 'ec', hash: 'sha256' },
    '1.2.840.10045.4.3.3': { kind: 'ec', hash: 'sha384' },
    '1.2.840.10045.4.3.4': { kind: 'ec', hash: 'sha512' },
    '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'sha256' },
    '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
    '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
    '1.3.101.112': { kind: 'ed25519', hash: null },
    '1.2.840.10045.2.1': { kind: 'ec', hash: undefined },
    '1.2.840.113549.1.1.1': { kind: 'rsa', hash: undefined },
  });

const NAME_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
});

const TAG = Object.freeze({
  integer: 0x02,
  octetString: 0x04,
  oid: 0x06,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
  ctx0: 0xa0,
  ctx1: 0xa1,
  ctx0Primitive: 0x80,
});

/** The parts of a token that verification reads, all as exact DER bytes from the input. */
interface ParsedToken {
  readonly timeMs: number;
  /** Whether genTime has digits below the millisecond: the true time is then after `timeMs`. */
  readonly subMillisecond: boolean;
  readonly imprintHash: HashName;
  readonly imprint: Buffer;
  readonly tstInfo: Buffer;
  readonly sid: { readonly issuer: Buffer; readonly serial: Buffer } | { readonly subjectKeyId: Buffer };
  readonly signerDigest: HashName;
  readonly signedAttrs: Buffer;
  readonly messageDigest: Buffer;
  readonly essCertHash: { readonly hash: HashName; readonly value: Buffer };
  readonly signatureAlgorithm: { readonly kind: KeyKind; readonly hash: HashName | null };
  readonly signatureValue: Buffer;
  readonly certificates: readonly Buffer[];
}

/** A certificate with everything the checks read, extracted once. */
interface PreparedCert {
  readonly der: Buffer;
  readonly tbs: Buffer;
  readonly subject: Buffer;
  readonly issuer: Buffer;
  readonly serial: Buffer;
  readonly subjectKeyId: Buffer | undefined;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCA: boolean;
  readonly key: KeyObject;
  readonly keyKind: string;
  readonly signatureAlgorithm: { readonly kind: KeyKind; readonly hash: HashName | null } | undefined;
  readonly signatureValue: Buffer;
  readonly extKeyUsage: { readonly critical: boolean; readonly purposes: readonly string[] } | undefined;
  readonly label: string;
}

/** A trusted TSA prepared once: its parsed chain, and why it is unusable when it is. */
interface PreparedAuthority {
  readonly certs: readonly PreparedCert[];
  readonly problem?: string;
}

const prepared = new WeakMap<TrustedCertificateAuthority, PreparedAuthority>();

function malformed(path: string, message: string): never {
  throw new ParseError('ERR_TIMESTAMP_INVALID', [
    { path, message: `malformed RFC 3161 timestamp: ${message}` },
  ]);
}

function invalid(message: string): never {
  throw new VerificationError('ERR_TIMESTAMP_INVALID', message);
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

// The parser only accepts minimal DER lengths, so tag + length + content reproduces the input bytes exactly.
function derOf(obj: ASN1Obj, tag = obj.tag.toDER()): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(obj.value.length), obj.value]);
}

function tagName(tag: number): string {
  return `tag 0x${tag.toString(16).padStart(2, '0')}`;
}

function at(parent: ASN1Obj, index: number, path: string, tag: number, what: string): ASN1Obj {
  const obj = parent.subs[index];
  if (obj === undefined) return malformed(path, `expected ${what}, found nothing`);
  if (obj.tag.toDER() !== tag)
    return malformed(path, `expected ${what} (${tagName(tag)}), found ${tagName(obj.tag.toDER())}`);
  return obj;
}

function oidAt(parent: ASN1Obj, index: number, path: string): string {
  try {
    return at(parent, index, path, TAG.oid, 'an OBJECT IDENTIFIER').toOID();
  } catch (e) {
    if (isVouchError(e)) throw e;
    return malformed(path, 'expected an OBJECT IDENTIFIER, found undecodable bytes');
  }
}

function integerAt(parent: ASN1Obj, index: number, path: string): Buffer {
  const obj = at(parent, index, path, TAG.integer, 'an INTEGER');
  if (obj.value.length === 0) return malformed(path, 'expected an INTEGER, found an empty one');
  return obj.value;
}

function digestAt(parent: ASN1Obj, index: number, path: string): HashName {
  const algorithm = at(parent, index, path, TAG.sequence, 'an AlgorithmIdentifier');
  const oid = oidAt(algorithm, 0, `${path}.algorithm`);
  const hash = DIGESTS[oid];
  if (hash === undefined)
    return malformed(`${path}.algorithm`, `expected SHA-256, SHA-384 or SHA-512, found OID ${oid}`);
  assertNullParameters(algorithm, path);
  return hash;
}

function assertNullParameters(algorithm: ASN1Obj, path: string): void {
  const params = algorithm.subs[1];
  if (
    algorithm.subs.length > 2 ||
    (params !== undefined && (params.tag.toDER() !== 0x05 || params.value.length > 0))
  ) {
    malformed(`${path}.parameters`, 'expected absent or NULL parameters, found something else');
  }
}

// GeneralizedTime in DER: YYYYMMDDHHMMSS[.fraction]Z, fraction without trailing zeros (X.690 11.7).
function parseGeneralizedTime(obj: ASN1Obj, path: string): { timeMs: number; subMillisecond: boolean } {
  const text = obj.value.toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d*[1-9]))?Z$/.exec(text);
  if (m === null)
    return malformed(
      path,
      `expected a DER GeneralizedTime (YYYYMMDDHHMMSS[.f]Z), found ${JSON.stringify(text)}`,
    );
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] ?? '';
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const time = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const date = new Date(time);
  if (
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return malformed(path, `expected a real calendar time, found ${JSON.stringify(text)}`);
  }
  return { timeMs: time, subMillisecond: fraction.length > 3 };
}

function parseDer(bytes: Uint8Array, path: string): ASN1Obj {
  try {
    return parseQuietly(() => RFC3161Timestamp.parse(Buffer.from(bytes))).root;
  } catch (e) {
    return malformed(
      path,
      `expected DER, found bytes that do not decode (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

/** Reads a TimeStampResp or TimeStampToken strictly: every field verification reads is checked for its type. */
function parseToken(token: Uint8Array): ParsedToken {
  const root = parseDer(Buffer.from(token), 'signedTimestamp');
  if (root.tag.toDER() !== TAG.sequence)
    return malformed('signedTimestamp', `expected a SEQUENCE, found ${tagName(root.tag.toDER())}`);
  let contentInfo = root;
  let path = 'timeStampToken';
  if (root.subs[0]?.tag.toDER() === TAG.sequence) {
    // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
    const status = integerAt(at(root, 0, 'status', TAG.sequence, 'a PKIStatusInfo'), 0, 'status.status');
    if (status.length !== 1 || (status[0] !== 0 && status[0] !== 1)) {
      return invalid(
        `the TSA did not grant the timestamp: expected PKIStatus 0 or 1, found 0x${encodeHex(status)}`,
      );
    }
    if (root.subs.length !== 2)
      return malformed(
        'TimeStampResp',
        `expected status and timeStampToken, found ${root.subs.length} fields`,
      );
    contentInfo = at(root, 1, path, TAG.sequence, 'a ContentInfo');
  }
  if (contentInfo.subs.length !== 2)
    return malformed(path, `expected a ContentInfo of 2 fields, found ${contentInfo.subs.length}`);
  const contentType = oidAt(contentInfo, 0, `${path}.contentType`);
  if (contentType !== OID.signedData)
    return malformed(`${path}.contentType`, `expected signedData (${OID.signedData}), found ${contentType}`);
  const explicit = at(contentInfo, 1, `${path}.content`, TAG.ctx0, 'the [0] content');
  if (explicit.subs.length !== 1) return malformed(`${path}.content`, 'expected exactly one SignedData');
  path = 'signedData';
  const signedData = at(explicit, 0, path, TAG.sequence, 'a SignedData');
  integerAt(signedData, 0, `${path}.version`);
  at(signedData, 1, `${path}.digestAlgorithms`, TAG.set, 'a SET of AlgorithmIdentifier');

  // encapContentInfo: the TSTInfo, read from the exact bytes the signer hashed.
  const encap = at(signedData, 2, `${path}.encapContentInfo`, TAG.sequence, 'an EncapsulatedContentInfo');
  const eContentType = oidAt(encap, 0, `${path}.encapContentInfo.eContentType`);
  if (eContentType !== OID.tstInfo) {
    return malformed(
      `${path}.encapContentInfo.eContentType`,
      `expected id-ct-TSTInfo (${OID.tstInfo}), found ${eContentType}`,
    );
  }
  const eContent = at(encap, 1, `${path}.encapContentInfo.eContent`, TAG.ctx0, 'the [0] eContent');
  if (encap.subs.length !== 2 || eContent.subs.length !== 1) {
    return malformed(`${path}.encapContentInfo`, 'expected eContentType and one eContent');
  }
  const tstInfoBytes = Buffer.from(
    at(eContent, 0, `${path}.encapContentInfo.eContent`, TAG.octetString, 'an OCTET STRING').value,
  );
  const tst = parseTstInfo(tstInfoBytes);

  // Optional certificates [0] and crls [1], then signerInfos, which must be last.
  let index = 3;
  const certificates: Buffer[] = [];
  const certs = signedData.subs[index];
  if (certs?.tag.toDER() === TAG.ctx0) {
    // Other CertificateChoices (attribute certificates, ...) identify nothing we use: only X.509 certificates count.
    for (const c of certs.subs) if (c.tag.toDER() === TAG.sequence) certificates.push(derOf(c));
    index++;
  }
  if (signedData.subs[index]?.tag.toDER() === TAG.ctx1) index++;
  const signerInfos = at(signedData, index, `${path}.signerInfos`, TAG.set, 'a SET of SignerInfo');
  if (index !== signedData.subs.length - 1)
    return malformed(`${path}.signerInfos`, 'expected signerInfos to be the last field');
  if (signerInfos.subs.length !== 1) {
    return malformed(
      `${path}.signerInfos`,
      `expected exactly one SignerInfo, found ${signerInfos.subs.length}`,
    );
  }
  return { ...tst, tstInfo: tstInfoBytes, certificates, ...parseSignerInfo(signerInfos) };
}

function parseTstInfo(
  bytes: Buffer,
): Pick<ParsedToken, 'timeMs' | 'subMillisecond' | 'imprintHash' | 'imprint'> {
  const path = 'tstInfo';
  const tst = parseDer(bytes, path);
  if (tst.tag.toDER() !== TAG.sequence)
    return malformed(path, `expected a SEQUENCE, found ${tagName(tst.tag.toDER())}`);
  const version = integerAt(tst, 0, `${path}.version`);
  if (version.length !== 1 || version[0] !== 1)
    return malformed(`${path}.version`, `expected 1, found 0x${encodeHex(version)}`);
  oidAt(tst, 1, `${path}.policy`);
  const imprint = at(tst, 2, `${path}.messageImprint`, TAG.sequence, 'a MessageImprint');
  const imprintHash = digestAt(imprint, 0, `${path}.messageImprint.hashAlgorithm`);
  const hashed = at(
    imprint,
    1,
    `${path}.messageImprint.hashedMessage`,
    TAG.octetString,
    'an OCTET STRING',
  ).value;
  if (imprint.subs.length !== 2)
    return malformed(`${path}.messageImprint`, 'expected hashAlgorithm and hashedMessage only');
  integerAt(tst, 3, `${path}.serialNumber`);
  const genTime = at(tst, 4, `${path}.genTime`, TAG.generalizedTime, 'a GeneralizedTime');
  return { ...parseGeneralizedTime(genTime, `${path}.genTime`), imprintHash, imprint: Buffer.from(hashed) };
}

function parseSignerInfo(
  signerInfos: ASN1Obj,
): Omit<ParsedToken, 'timeMs' | 'subMillisecond' | 'imprintHash' | 'imprint' | 'tstInfo' | 'certificates'> {
  const path = 'signerInfos[0]';
  const si = at(signerInfos, 0, path, TAG.sequence, 'a SignerInfo');
  if (si.subs.length !== 6 && !(si.subs.length === 7 && si.subs[6]?.tag.toDER() === TAG.ctx1)) {
    return malformed(path, `expected 6 fields (7 with unsignedAttrs), found ${si.subs.length}`);
  }
  integerAt(si, 0, `${path}.version`);
  const sidObj = si.subs[1];
  let sid: ParsedToken['sid'];
  if (sidObj?.tag.toDER() === TAG.sequence) {
    at(sidObj, 0, `${path}.sid.issuer`, TAG.sequence, 'a Name');
    if (sidObj.subs.length !== 2) return malformed(`${path}.sid`, 'expected issuer and serialNumber only');
    sid = {
      issuer: Buffer.from(sidObj.subs[0]?.value ?? []),
      serial: Buffer.from(integerAt(sidObj, 1, `${path}.sid.serialNumber`)),
    };
  } else if (sidObj?.tag.toDER() === TAG.ctx0Primitive) {
    sid = { subjectKeyId: Buffer.from(sidObj.value) };
  } else {
    return malformed(`${path}.sid`, 'expected issuerAndSerialNumber or [0] subjectKeyIdentifier');
  }
  const signerDigest = digestAt(si, 2, `${path}.digestAlgorithm`);
  const attrs = at(si, 3, `${path}.signedAttrs`, TAG.ctx0, 'the [0] signedAttrs');
  const byOid = new Map<string, ASN1Obj>();
  for (const [i, attr] of attrs.subs.entries()) {
    const attrPath = `${path}.signedAttrs[${i}]`;
    if (attr.tag.toDER() !== TAG.sequence || attr.subs.length !== 2)
      return malformed(attrPath, 'expected an Attribute SEQUENCE');
    const type = oidAt(attr, 0, `${attrPath}.attrType`);
    const values = at(attr, 1, `${attrPath}.attrValues`, TAG.set, 'a SET of values');
    if (byOid.has(type)) return malformed(attrPath, `expected each attribute once, found ${type} twice`);
    if (values.subs.length !== 1)
      return malformed(`${attrPath}.attrValues`, `expected one value, found ${values.subs.length}`);
    byOid.set(type, values);
  }
  const contentType = byOid.get(OID.contentType);
  if (contentType === undefined)
    return malformed(`${path}.signedAttrs`, 'expected a content-type attribute, found none');
  const signedType = oidAt(contentType, 0, `${path}.signedAttrs.contentType`);
  if (signedType !== OID.tstInfo)
    return malformed(`${path}.signedAttrs.contentType`, `expected id-ct-TSTInfo, found ${signedType}`);
  const digest = byOid.get(OID.messageDigest);
  if (digest === undefined)
    return malformed(`${path}.signedAttrs`, 'expected a message-digest attribute, found none');
  const messageDigest = at(
    digest,
    0,
    `${path}.signedAttrs.messageDigest`,
    TAG.octetString,
    'an OCTET STRING',
  ).value;

  const algorithm = at(si, 4, `${path}.signatureAlgorithm`, TAG.sequence, 'an AlgorithmIdentifier');
  const algOid = oidAt(algorithm, 0, `${path}.signatureAlgorithm.algorithm`);
  const alg = SIGNATURE_ALGORITHMS[algOid];
  if (alg === undefined)
    return malformed(
      `${path}.signatureAlgorithm`,
      `expected ECDSA, RSA PKCS#1 v1.5 or Ed25519, found OID ${algOid}`,
    );
  assertNullParameters(algorithm, `${path}.signatureAlgorithm`);
  const signatureValue = at(si, 5, `${path}.signature`, TAG.octetString, 'an OCTET STRING').value;
  return {
    sid,
    signerDigest,
    signedAttrs: derOf(attrs, TAG.set), // signed as a SET OF (RFC 5652 §5.4), not with its [0] tag
    messageDigest: Buffer.from(messageDigest),
    essCertHash: parseEssCertHash(byOid, `${path}.signedAttrs`),
    signatureAlgorithm: { kind: alg.kind, hash: alg.hash === undefined ? signerDigest : alg.hash },
    signatureValue: Buffer.from(signatureValue),
  };
}

// RFC 3161 §2.4.1 / RFC 5816: the signer certificate is bound into the signed attributes (ESS signing-certificate v1 or v2).
function parseEssCertHash(byOid: Map<string, ASN1Obj>, path: string): ParsedToken['essCertHash'] {
  const v2 = byOid.get(OID.signingCertificateV2);
  const v1 = byOid.get(OID.signingCertificate);
  const attr = v2 ?? v1;
  if (attr === undefined)
    return malformed(path, 'expected an ESS signing-certificate attribute (RFC 3161 §2.4.1), found none');
  const attrPath = `${path}.${v2 === undefined ? 'signingCertificate' : 'signingCertificateV2'}`;
  const signingCertificate = at(attr, 0, attrPath, TAG.sequence, 'a SigningCertificate');
  const ids = at(signingCertificate, 0, `${attrPath}.certs`, TAG.sequence, 'a SEQUENCE of ESSCertID');
  const first = at(ids, 0, `${attrPath}.certs[0]`, TAG.sequence, 'an ESSCertID');
  let hash: HashName = v2 === undefined ? 'sha1' : 'sha256';
  let i = 0;
  if (v2 !== undefined && first.subs[0]?.tag.toDER() === TAG.sequence) {
    hash = digestAt(first, 0, `${attrPath}.certs[0].hashAlgorithm`);
    i = 1;
  }
  const value = at(first, i, `${attrPath}.certs[0].certHash`, TAG.octetString, 'an OCTET STRING').value;
  return { hash, value: Buffer.from(value) };
}

function describeName(content: Buffer): string {
  try {
    const name = RFC3161Timestamp.parse(
      Buffer.concat([Buffer.from([TAG.sequence]), encodeLength(content.length), content]),
    ).root;
    const parts = name.subs.flatMap((rdn) =>
      rdn.subs.map((atv) => {
        const [type, value] = atv.subs;
        if (type === undefined || value === undefined) throw new Error('attribute');
        const oid = type.toOID();
        return `${NAME_ATTRIBUTES[oid] ?? oid}=${value.value.toString('utf8')}`;
      }),
    );
    return parts.length === 0 ? '(empty name)' : parts.join(', ');
  } catch {
    return `(name 0x${encodeHex(content)})`;
  }
}

function prepareCert(der: Uint8Array, what: string): PreparedCert {
  try {
    // Strict DER (and tbsCertificate.signature equal to signatureAlgorithm) is checked by the trusted-root parser.
    const cert = parseStrictCertificate(der, what);
    const algOid = cert.root.subs[1]?.subs[0]?.toOID() ?? '';
    const alg = SIGNATURE_ALGORITHMS[algOid];
    const key = createPublicKey({ key: cert.publicKey, format: 'der', type: 'spki' });
    const eku = cert.extension(OID.extKeyUsage);
    const ski = cert.extension(OID.subjectKeyId);
    const subject = Buffer.from(cert.subject);
    return {
      der: Buffer.from(der),
      tbs: derOf(cert.tbsCertificate),
      subject,
      issuer: Buffer.from(cert.issuer),
      serial: Buffer.from(cert.serialNumber),
      subjectKeyId:
        ski === undefined
          ? undefined
          : Buffer.from(RFC3161Timestamp.parse(Buffer.from(ski.value)).root.value),
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      isCA: cert.isCA,
      key,
      keyKind: key.asymmetricKeyType ?? 'unknown',
      // Only the allowlisted algorithms that name their own hash may sign certificates.
      signatureAlgorithm:
        alg === undefined || alg.hash === undefined ? undefined : { kind: alg.kind, hash: alg.hash },
      signatureValue: Buffer.from(cert.signatureValue),
      extKeyUsage:
        eku === undefined
          ? undefined
          : {
              critical: eku.critical,
              purposes: RFC3161Timestamp.parse(Buffer.from(eku.value)).root.subs.map((p) => p.toOID()),
            },
      label: describeName(subject),
    };
  } catch (e) {
    return invalid(
      `${what} is not a well-formed X.509 certificate (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

function verifySignature(
  algorithm: { readonly kind: KeyKind; readonly hash: HashName | null },
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
): boolean {
  if (key.asymmetricKeyType !== algorithm.kind) return false;
  if (algorithm.kind === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return false;
  try {
    return cryptoVerify(algorithm.hash, data, key, signature);
  } catch {
    return false;
  }
}

/** Whether `issuer` issued and signed `child` (names match, CA, signature verifies). */
function issued(child: PreparedCert, issuer: PreparedCert): boolean {
  return (
    child.issuer.equals(issuer.subject) &&
    issuer.isCA &&
    child.signatureAlgorithm !== undefined &&
    verifySignature(child.signatureAlgorithm, issuer.key, child.tbs, child.signatureValue)
  );
}

function prepareAuthority(authority: TrustedCertificateAuthority): PreparedAuthority {
  const cached = prepared.get(authority);
  if (cached !== undefined) return cached;
  let result: PreparedAuthority;
  try {
    if (authority.chain.length === 0) throw invalid('its certificate chain is empty');
    const certs = authority.chain.map((der, i) => prepareCert(der, `certificate ${i}`));
    // The root (last) is the trust anchor; every other certificate must be issued by the next one.
    const broken = certs.findIndex((c, i) => {
      const next = certs[i + 1];
      return next !== undefined && !issued(c, next);
    });
    result =
      broken < 0
        ? { certs }
        : {
            certs,
            problem: `its certificate ${broken} (${certs[broken]?.label}) is not issued by certificate ${broken + 1}`,
          };
  } catch (e) {
    result = { certs: [], problem: e instanceof Error ? e.message : String(e) };
  }
  prepared.set(authority, Object.freeze(result));
  return result;
}

function matchesSid(cert: PreparedCert, sid: ParsedToken['sid']): boolean {
  if ('subjectKeyId' in sid) return cert.subjectKeyId?.equals(sid.subjectKeyId) === true;
  return cert.issuer.equals(sid.issuer) && cert.serial.equals(sid.serial);
}

function describeSid(sid: ParsedToken['sid']): string {
  return 'subjectKeyId' in sid
    ? `subject key id ${encodeHex(sid.subjectKeyId)}`
    : `issuer ${describeName(sid.issuer)}, serial ${encodeHex(sid.serial)}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function windowText(start: Date, end: Date | undefined): string {
  return `${start.toISOString()} to ${end === undefined ? 'no end' : end.toISOString()}`;
}

/** The path from the signer certificate to `authority`'s root, or undefined when the signer is not this TSA's. */
function signerPath(
  token: ParsedToken,
  embedded: PreparedCert | undefined,
  authority: PreparedAuthority,
): readonly PreparedCert[] | undefined {
  const [first] = authority.certs;
  if (first === undefined) return undefined;
  if (embedded === undefined) return matchesSid(first, token.sid) ? authority.certs : undefined;
  if (embedded.der.equals(first.der)) return authority.certs;
  const i = authority.certs.findIndex((c) => issued(embedded, c));
  return i < 0 ? undefined : [embedded, ...authority.certs.slice(i)];
}

/** Every check of one token against one TSA whose certificate is the signer's; throws the first that fails. */
function checkAgainst(
  token: ParsedToken,
  path: readonly PreparedCert[],
  authority: TrustedCertificateAuthority,
  problem: string | undefined,
): void {
  const tsa = `TSA ${authority.uri}`;
  if (problem !== undefined) invalid(`${tsa} in the trusted root is unusable: ${problem}`);
  const [leaf] = path;
  if (leaf === undefined) invalid(`${tsa} has no certificate`);
  const eku = leaf.extKeyUsage;
  if (
    eku === undefined ||
    !eku.critical ||
    eku.purposes.length !== 1 ||
    eku.purposes[0] !== OID.timeStamping
  ) {
    invalid(
      `${tsa}: expected the signing certificate ${leaf.label} to have only the timeStamping extended key usage, critical ` +
        `(RFC 3161 §2.3), found ${eku === undefined ? 'none' : `${eku.purposes.join(', ')}${eku.critical ? ' (critical)' : ' (not critical)'}`}`,
    );
  }
  const certHash = createHash(token.essCertHash.hash).update(leaf.der).digest();
  if (!certHash.equals(token.essCertHash.value)) {
    invalid(
      `${tsa}: the signed ESS signing-certificate attribute names another certificate than the TSA's ${leaf.label}`,
    );
  }
  if (!verifySignature(token.signatureAlgorithm, leaf.key, token.signedAttrs, token.signatureValue)) {
    invalid(
      `${tsa}: the CMS signature does not verify under the TSA certificate ${leaf.label} (${leaf.keyKind} key)`,
    );
  }
  const { start, end } = authority.validFor;
  const last = token.timeMs + (token.subMillisecond ? 1 : 0);
  if (
    !selectValidAt(authority.validFor, new Date(token.timeMs)) ||
    !selectValidAt(authority.validFor, new Date(last))
  ) {
    invalid(
      `timestamp time ${iso(token.timeMs)} is outside the trusted root's validity of ${tsa} (${windowText(start, end)})`,
    );
  }
  for (const cert of path) {
    if (token.timeMs < cert.notBefore.getTime() || last > cert.notAfter.getTime()) {
      invalid(
        `timestamp time ${iso(token.timeMs)} is outside the validity of TSA certificate ${cert.label} ` +
          `(${windowText(cert.notBefore, cert.notAfter)})`,
      );
    }
  }
}

/**
 * Verifies one RFC 3161 timestamp over `signature` against the trusted root's timestamp authorities: the token's
 * structure, its message imprint, the signer's chain to a trusted TSA root (with the timeStamping EKU), the CMS
 * signature, and that its time lies inside the TSA's trusted-root window and every certificate's validity.
 *
 * @throws ParseError `ERR_TIMESTAMP_INVALID` when the token is not a well-formed timestamp (naming the field)
 * @throws VerificationError `ERR_TIMESTAMP_INVALID` naming the failed check
 * @example
 * ```ts
 * const { time, authority } = verifyRfc3161Timestamp({ token: der, signature: bundleSignature, trustedRoot });
 * console.log(`signed by ${authority.uri} at ${time.toISOString()}`);
 * ```
 */
export function verifyRfc3161Timestamp(options: VerifyRfc3161TimestampOptions): VerifiedTimestamp {
  const token = parseToken(options.token);
  const expected = createHash(token.imprintHash).update(options.signature).digest();
  if (!bytesEqual(expected, token.imprint)) {
    invalid(
      `message imprint mismatch: the timestamp covers ${token.imprintHash}:${encodeHex(token.imprint)}, ` +
        `expected the ${token.imprintHash} of the signature, ${encodeHex(expected)} (it timestamps other bytes)`,
    );
  }
  if (!createHash(token.signerDigest).update(token.tstInfo).digest().equals(token.messageDigest)) {
    invalid(
      'the signed message-digest attribute does not match the TSTInfo: the timestamp content was altered',
    );
  }
  const embedded = token.certificates
    .map((der, i) => prepareCert(der, `embedded certificate ${i}`))
    .find((c) => matchesSid(c, token.sid));

  const authorities = options.trustedRoot.timestampAuthorities;
  let firstFailure: unknown;
  for (const authority of authorities) {
    const ready = prepareAuthority(authority);
    const path = signerPath(token, embedded, ready);
    if (path === undefined) continue;
    try {
      checkAgainst(token, path, authority, ready.problem);
    } catch (e) {
      firstFailure ??= e;
      continue;
    }
    assertSigningCertificateValidity(token, options.signingCertificateValidity);
    return Object.freeze({ time: new Date(token.timeMs), authority });
  }
  if (firstFailure !== undefined) throw firstFailure;
  const trusted = `trusted timestamp authority (the trusted root has ${authorities.length})`;
  if (embedded !== undefined) {
    return invalid(
      `untrusted TSA: the token's embedded signer certificate (${embedded.label}, issued by ${describeName(embedded.issuer)}) ` +
        `does not chain to any ${trusted}`,
    );
  }
  return invalid(
    `untrusted TSA: the token has no embedded signer certificate, and its signer (${describeSid(token.sid)}) is not the ` +
      `signing certificate of any ${trusted}`,
  );
}

function assertSigningCertificateValidity(
  token: ParsedToken,
  validity: VerifyRfc3161TimestampOptions['signingCertificateValidity'],
): void {
  if (validity === undefined) return;
  const last = token.timeMs + (token.subMillisecond ? 1 : 0);
  if (token.timeMs < validity.notBefore.getTime() || last > validity.notAfter.getTime()) {
    invalid(
      `timestamp time ${iso(token.timeMs)} is outside the signing certificate's validity ` +
        `(${windowText(validity.notBefore, validity.notAfter)}): it does not prove the signature was made while the certificate was valid`,
    );
  }
}

/**
 * Verifies every RFC 3161 timestamp of a bundle over its signature bytes (the message signature, or the DSSE
 * envelope's first signature); one invalid timestamp fails the whole bundle. Returns one result per timestamp.
 *
 * @throws ParseError / VerificationError `ERR_TIMESTAMP_INVALID`, the message prefixed with the timestamp's path
 * @example
 * ```ts
 * const times = verifyTimestamps(parseBundle(json), trustedRoot).map((t) => t.time);
 * ```
 */
export function verifyTimestamps(bundle: Bundle, trustedRoot: TrustedRoot): VerifiedTimestamp[] {
  const stamps = bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps;
  if (stamps.length === 0) return [];
  const signature =
    bundle.content.type === 'messageSignature'
      ? bundle.content.signature
      : bundle.content.envelope.signatures[0]?.sig;
  if (signature === undefined)
    invalid('the bundle has RFC 3161 timestamps but no signature for them to cover');
  return stamps.map((stamp, i) => {
    const where = `timestampVerificationData.rfc3161Timestamps[${i}]`;
    try {
      return verifyRfc3161Timestamp({ token: stamp.signedTimestamp, signature, trustedRoot });
    } catch (e) {
      if (e instanceof ParseError) {
        throw new ParseError(
          e.code,
          e.issues.map((issue) => ({ path: `${where}.${issue.path}`, message: issue.message })),
          { cause: e },
        );
      }
      if (e instanceof VerificationError)
        throw new VerificationError(e.code, `${where}: ${e.message}`, { cause: e });
      throw e;
    }
  });
}
