// Fulcio certificate checks: the path from a leaf to a trusted CA at every signing time, and the leaf's embedded SCTs.
import { createHash, createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto';
import { type ASN1Obj, type X509Certificate, X509SCTExtension } from '@sigstore/core';
import { bytesEqual, encodeHex } from '../encoding.js';
import { ParseError, UsageError, VerificationError } from '../errors.js';
import { describe } from '../json.js';
import type { PublicKey } from '../keys/index.js';
import {
  type CertificateExtension,
  certificatePublicKey,
  type DecodedCertificate,
  decodeCertificate,
  extractIdentity,
  isDecodedCertificate,
} from './identity.js';
import { selectValidAt } from './trusted-root.js';
import type { CertificateIdentity, TrustedCertificateAuthority, TrustedLog, TrustedRoot } from './types.js';

/** What `verifyCertificateChain` proved about a leaf certificate. */
export interface VerifiedCertificate {
  /** The leaf as @sigstore/core parsed it. */
  readonly leaf: X509Certificate;
  /** The leaf's key, which signed the artifact. */
  readonly publicKey: PublicKey;
  /** The trusted CA the leaf chains to. */
  readonly authority: TrustedCertificateAuthority;
  readonly identity: CertificateIdentity;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** An SCT that verified under a trusted CT log. */
export interface VerifiedSCT {
  readonly logIdHex: string;
  readonly timestamp: Date;
}

const OID_SCT = '1.3.6.1.4.1.11129.2.4.2';
const OID_KEY_USAGE = '2.5.29.15';
const OID_SAN = '2.5.29.17';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
// A leaf may mark only these critical; RFC 5280 says an unknown critical extension makes it unusable.
const LEAF_CRITICAL_OK: ReadonlySet<string> = new Set([
  OID_KEY_USAGE,
  OID_SAN,
  OID_BASIC_CONSTRAINTS,
  OID_EXT_KEY_USAGE,
]);

/** Certificate signature algorithms vouch accepts: OID → node hash name and the key type it needs. */
const SIGNATURE_ALGORITHMS: ReadonlyMap<string, { readonly hash: string | null; readonly keyType: string }> =
  new Map([
    ['1.2.840.10045.4.3.2', { hash: 'sha256', keyType: 'ec' }],
    ['1.2.840.10045.4.3.3', { hash: 'sha384', keyType: 'ec' }],
    ['1.2.840.10045.4.3.4', { hash: 'sha512', keyType: 'ec' }],
    ['1.2.840.113549.1.1.11', { hash: 'sha256', keyType: 'rsa' }],
    ['1.2.840.113549.1.1.12', { hash: 'sha384', keyType: 'rsa' }],
    ['1.2.840.113549.1.1.13', { hash: 'sha512', keyType: 'rsa' }],
    ['1.3.101.112', { hash: null, keyType: 'ed25519' }],
  ]);

/** SCT (hash, signature) algorithm pairs (RFC 5246 7.4.1.4.1) each CT log key scheme signs with. */
const SCT_ALGORITHMS: Readonly<Record<string, readonly [number, number]>> = {
  'ecdsa-p256-sha256': [4, 3],
  'ecdsa-p384-sha384': [5, 3],
  'ecdsa-p521-sha512': [6, 3],
  'rsa-pkcs1-sha256': [4, 1],
  ed25519: [8, 7],
};

interface PreparedCert {
  readonly cert: DecodedCertificate;
  readonly key: KeyObject;
}

interface PreparedAuthority {
  readonly certs: readonly PreparedCert[];
  /** Why this CA cannot anchor a path (its own chain is broken), if it cannot. */
  readonly problem?: string;
}

// Trust material is prepared once per CA object: parsing and checking a root costs more than a leaf.
const prepared = new WeakMap<TrustedCertificateAuthority, PreparedAuthority>();

function verifySignedBy(cert: DecodedCertificate, issuerKey: KeyObject): boolean {
  const alg = SIGNATURE_ALGORITHMS.get(cert.signatureAlgorithm);
  // The key type must fit the algorithm the certificate names, or a signature could be read under another scheme.
  if (alg === undefined || issuerKey.asymmetricKeyType !== alg.keyType) return false;
  try {
    return nodeVerify(alg.hash, cert.tbs, { key: issuerKey, dsaEncoding: 'der' }, cert.signature);
  } catch {
    return false;
  }
}

function keyOf(cert: DecodedCertificate, field: string): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(cert.spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new ParseError(
      'ERR_MALFORMED_CERTIFICATE',
      [{ path: field, message: 'the public key cannot be read' }],
      {
        cause: error,
      },
    );
  }
}

function lastSub(ext: CertificateExtension, what: string): ASN1Obj {
  const value = ext.node.subs[ext.node.subs.length - 1];
  const inner = value?.subs[0];
  if (inner === undefined || value?.subs.length !== 1)
    throw new Error(`${what}: expected one DER value in extnValue`);
  return inner;
}

/** basicConstraints: `{ ca, pathLen }`, absent extension = not a CA. */
function basicConstraints(cert: DecodedCertificate): { readonly ca: boolean; readonly pathLen?: number } {
  const ext = cert.extensions.get(OID_BASIC_CONSTRAINTS);
  if (ext === undefined) return { ca: false };
  const seq = lastSub(ext, 'basicConstraints');
  if (seq.tag.number !== 0x10 || !seq.tag.constructed || seq.subs.length > 2) {
    throw new Error('basicConstraints: expected SEQUENCE { cA, pathLenConstraint }');
  }
  let ca = false;
  let next = 0;
  const first = seq.subs[0];
  if (first?.tag.isBoolean()) {
    if (first.value.length !== 1 || first.value[0] !== 0xff)
      throw new Error('basicConstraints: cA must be omitted or TRUE');
    ca = true;
    next = 1;
  }
  const len = seq.subs[next];
  if (len === undefined) return { ca };
  if (next + 1 !== seq.subs.length) throw new Error('basicConstraints: unexpected trailing field');
  const n = len.toInteger();
  if (n < 0n || n > 255n) throw new Error('basicConstraints: pathLenConstraint out of range');
  return { ca, pathLen: Number(n) };
}

/** keyUsage bit `n` (0 digitalSignature, 5 keyCertSign); `undefined` when the extension is absent. */
function keyUsage(cert: DecodedCertificate, bit: number): boolean | undefined {
  const ext = cert.extensions.get(OID_KEY_USAGE);
  if (ext === undefined) return undefined;
  const bits = lastSub(ext, 'keyUsage');
  if (!bits.tag.isBitString() || bits.value.length < 2)
    throw new Error('keyUsage: expected a non-empty BIT STRING');
  const byte = bits.value[1 + Math.floor(bit / 8)] ?? 0;
  return (byte & (0x80 >> (bit % 8))) !== 0;
}

function extendedKeyUsages(cert: DecodedCertificate): readonly string[] {
  const ext = cert.extensions.get(OID_EXT_KEY_USAGE);
  if (ext === undefined) return [];
  const seq = lastSub(ext, 'extKeyUsage');
  if (seq.tag.number !== 0x10 || !seq.tag.constructed)
    throw new Error('extKeyUsage: expected a SEQUENCE of OIDs');
  return seq.subs.map((oid) => oid.toOID());
}

function prepareAuthority(ca: TrustedCertificateAuthority): PreparedAuthority {
  const hit = prepared.get(ca);
  if (hit !== undefined) return hit;
  let result: PreparedAuthority;
  try {
    if (ca.chain.length === 0) throw new Error('its certificate chain is empty');
    const certs = ca.chain.map((der, i) => {
      const field = `certificateAuthorities[${ca.uri}].certChain[${i}]`;
      const cert = decodeCertificate(der, field);
      return { cert, key: keyOf(cert, field) };
    });
    certs.forEach(({ cert }, i) => {
      const bc = basicConstraints(cert);
      if (!bc.ca || keyUsage(cert, 5) === false) throw new Error(`chain certificate ${i} is not a CA`);
      // chain[i] has i CA certificates below it before the leaf.
      if (bc.pathLen !== undefined && bc.pathLen < i) {
        throw new Error(`chain certificate ${i} allows a path length of ${bc.pathLen}, the chain needs ${i}`);
      }
      const issuer = certs[i + 1] ?? certs[i];
      if (
        issuer === undefined ||
        !bytesEqual(cert.issuer, issuer.cert.subject) ||
        !verifySignedBy(cert, issuer.key)
      ) {
        throw new Error(
          i === certs.length - 1
            ? `its root (chain certificate ${i}) is not self-signed`
            : `chain certificate ${i} is not signed by chain certificate ${i + 1}`,
        );
      }
    });
    result = { certs };
  } catch (error) {
    result = { certs: [], problem: error instanceof Error ? error.message : String(error) };
  }
  prepared.set(ca, Object.freeze(result));
  return result;
}

function iso(date: Date): string {
  return date.toISOString();
}

function checkLeaf(leaf: DecodedCertificate, field: string): void {
  const reasons: string[] = [];
  try {
    if (basicConstraints(leaf).ca) reasons.push('it is a CA certificate (basicConstraints cA is TRUE)');
    if (keyUsage(leaf, 0) === false) reasons.push('its keyUsage lacks digitalSignature');
    const eku = extendedKeyUsages(leaf);
    if (!eku.includes(OID_CODE_SIGNING)) {
      reasons.push(`its extendedKeyUsage lacks codeSigning (${OID_CODE_SIGNING}), found [${eku.join(', ')}]`);
    }
  } catch (error) {
    throw new ParseError(
      'ERR_MALFORMED_CERTIFICATE',
      [{ path: field, message: error instanceof Error ? error.message : String(error) }],
      { cause: error },
    );
  }
  for (const ext of leaf.extensions.values()) {
    if (ext.critical && !LEAF_CRITICAL_OK.has(ext.oid))
      reasons.push(`it has an unknown critical extension ${ext.oid}`);
  }
  if (reasons.length > 0) {
    throw new VerificationError(
      'ERR_CERTIFICATE_CHAIN',
      `${field}: not a usable signing certificate: ${reasons.join('; ')}`,
    );
  }
}

/** Options of {@link verifyCertificateChain}. */
export interface VerifyCertificateChainOptions {
  /** DER, or what `decodeCertificate` made of it (decoded once, its key shared with the signature check). */
  readonly leaf: Uint8Array | DecodedCertificate;
  readonly intermediates?: readonly Uint8Array[];
  readonly trustedRoot: TrustedRoot;
  readonly times: readonly Date[];
  readonly ctLogThreshold?: number;
  /**
   * Skip chain certificates that are copies of the trusted CA's own (root included) instead of refusing the root.
   * Default false: the Sigstore client spec refuses a bundle carrying the root.
   */
  readonly chainMayIncludeTrustedCertificates?: boolean;
}

function checkOptions(options: unknown): asserts options is VerifyCertificateChainOptions {
  const o = options as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null)
    throw new UsageError('ERR_USAGE', `options: expected an object, found ${describe(o)}`);
  if (!(o.leaf instanceof Uint8Array) && !isDecodedCertificate(o.leaf)) {
    throw new UsageError(
      'ERR_USAGE',
      `leaf: expected DER bytes or a decodeCertificate result, found ${describe(o.leaf)}`,
    );
  }
  if (
    o.intermediates !== undefined &&
    !(Array.isArray(o.intermediates) && o.intermediates.every((c) => c instanceof Uint8Array))
  ) {
    throw new UsageError(
      'ERR_USAGE',
      `intermediates: expected an array of DER bytes, found ${describe(o.intermediates)}`,
    );
  }
  const root = o.trustedRoot as Record<string, unknown> | null;
  if (
    typeof root !== 'object' ||
    root === null ||
    !Array.isArray(root.certificateAuthorities) ||
    !Array.isArray(root.ctlogs)
  ) {
    throw new UsageError('ERR_USAGE', `trustedRoot: expected a parsed TrustedRoot, found ${describe(root)}`);
  }
  if (!Array.isArray(o.times) || o.times.length === 0) {
    throw new UsageError(
      'ERR_USAGE',
      `times: expected at least one verified signing time, found ${describe(o.times)}`,
    );
  }
  o.times.forEach((t: unknown, i) => {
    if (!(t instanceof Date) || Number.isNaN(t.getTime())) {
      throw new UsageError('ERR_USAGE', `times[${i}]: expected a valid Date, found ${describe(t)}`);
    }
  });
  const lenient = o.chainMayIncludeTrustedCertificates;
  if (lenient !== undefined && typeof lenient !== 'boolean') {
    throw new UsageError(
      'ERR_USAGE',
      `chainMayIncludeTrustedCertificates: expected a boolean, found ${describe(lenient)}`,
    );
  }
  const threshold = o.ctLogThreshold;
  if (threshold !== undefined && !(Number.isSafeInteger(threshold) && (threshold as number) >= 0)) {
    throw new UsageError(
      'ERR_USAGE',
      `ctLogThreshold: expected a non-negative integer, found ${describe(threshold)}`,
    );
  }
}

function isSelfIssued(der: Uint8Array): boolean {
  try {
    const cert = decodeCertificate(der);
    return bytesEqual(cert.issuer, cert.subject);
  } catch {
    return false;
  }
}

/** Why one CA did not give a valid path; the first such failure is what the caller sees. */
type Attempt = { readonly ok: true } | { readonly ok: false; readonly error: VerificationError };

function tryAuthority(
  ca: TrustedCertificateAuthority,
  certs: readonly PreparedCert[],
  leaf: DecodedCertificate,
  given: readonly Uint8Array[],
  times: readonly Date[],
  mayIncludeTrusted: boolean,
): Attempt {
  // The bundle may carry the CA's own intermediates, in order, and nothing else: never the root, never extras.
  // Unless the caller allows it (sigstore-go's leniency): then a copy of any of this CA's own certificates adds
  // nothing to the path built from the trusted root, and is dropped rather than refused.
  const intermediates = [...given.entries()].filter(
    ([, der]) => !(mayIncludeTrusted && certs.some((c) => bytesEqual(der, c.cert.der))),
  );
  const root = certs[certs.length - 1];
  for (const [k, [at, der]] of intermediates.entries()) {
    const expected = certs[k];
    if (expected !== undefined && expected !== root && bytesEqual(der, expected.cert.der)) continue;
    const why =
      (root !== undefined && bytesEqual(der, root.cert.der)) || isSelfIssued(der)
        ? 'is a root (self-signed) certificate, which a bundle must not include'
        : `is not certificate ${k} of the CA's intermediate chain (${certs.length - 1} intermediate(s))`;
    return {
      ok: false,
      error: new VerificationError(
        'ERR_CERTIFICATE_CHAIN',
        `x509CertificateChain.certificates[${at + 1}] ${why} (CA ${ca.uri})`,
      ),
    };
  }
  for (const time of times) {
    if (!selectValidAt(ca.validFor, time)) {
      const end = ca.validFor.end === undefined ? 'open-ended' : `until ${iso(ca.validFor.end)}`;
      return {
        ok: false,
        error: new VerificationError(
          'ERR_CERTIFICATE_VALIDITY',
          `the signing time ${iso(time)} is outside the trusted root's validity of CA ${ca.uri} (from ${iso(ca.validFor.start)}, ${end})`,
        ),
      };
    }
    const path: readonly [string, DecodedCertificate][] = [
      ['the signing certificate', leaf],
      ...certs.map((c, i): [string, DecodedCertificate] => [`CA ${ca.uri} certificate ${i}`, c.cert]),
    ];
    for (const [name, cert] of path) {
      if (cert.notBefore.getTime() <= time.getTime() && time.getTime() <= cert.notAfter.getTime()) continue;
      return {
        ok: false,
        error: new VerificationError(
          'ERR_CERTIFICATE_VALIDITY',
          `${name} is valid from notBefore ${iso(cert.notBefore)} to notAfter ${iso(cert.notAfter)}; the signing time ${iso(time)} is outside`,
        ),
      };
    }
  }
  return { ok: true };
}

/**
 * Verifies a Fulcio leaf certificate: a path from `leaf` through the issuing CA's chain to its root, for one
 * of `trustedRoot.certificateAuthorities`, with each signature checked; every certificate and the CA's
 * `validFor` cover each time in `times`; `intermediates` (a bundle's chain after the leaf) may only repeat
 * the CA's own intermediates in order; the leaf has the codeSigning EKU, is no CA and is strict DER; and
 * when the root lists CT logs, at least `ctLogThreshold` (default 1) embedded SCTs verify. With
 * `chainMayIncludeTrustedCertificates`, certificates of `intermediates` byte-identical to one of the CA's own
 * (root included) are skipped first, as sigstore-go does; the rest must still be the CA's intermediates in order.
 * Codes: `ERR_MALFORMED_CERTIFICATE`, `ERR_CERTIFICATE_CHAIN`, `ERR_CERTIFICATE_VALIDITY`, `ERR_SCT_INVALID`.
 *
 * @example
 * ```ts
 * const verified = verifyCertificateChain({ leaf: der, trustedRoot, times: [integratedTime] });
 * assertIdentity(verified.identity, policy);
 * ```
 */
export function verifyCertificateChain(options: VerifyCertificateChainOptions): VerifiedCertificate {
  checkOptions(options);
  const field = 'certificate';
  const leaf = options.leaf instanceof Uint8Array ? decodeCertificate(options.leaf, field) : options.leaf;
  checkLeaf(leaf, field);
  const intermediates = options.intermediates ?? [];
  const tried: string[] = [];
  let found: { readonly ca: TrustedCertificateAuthority; readonly issuer: PreparedCert } | undefined;
  let firstFailure: VerificationError | undefined;
  for (const ca of options.trustedRoot.certificateAuthorities) {
    const authority = prepareAuthority(ca);
    const issuing = authority.certs[0];
    if (authority.problem !== undefined || issuing === undefined) {
      tried.push(`${ca.uri}: unusable (${authority.problem ?? 'no certificates'})`);
      continue;
    }
    if (!bytesEqual(leaf.issuer, issuing.cert.subject)) {
      tried.push(`${ca.uri}: issuer name differs`);
      continue;
    }
    if (!verifySignedBy(leaf, issuing.key)) {
      tried.push(`${ca.uri}: signature does not verify`);
      continue;
    }
    const attempt = tryAuthority(
      ca,
      authority.certs,
      leaf,
      intermediates,
      options.times,
      options.chainMayIncludeTrustedCertificates === true,
    );
    if (attempt.ok) {
      found = { ca, issuer: issuing };
      break;
    }
    firstFailure ??= attempt.error;
  }
  if (found === undefined) {
    throw (
      firstFailure ??
      new VerificationError(
        'ERR_CERTIFICATE_CHAIN',
        `the signing certificate does not chain to a trusted certificate authority (tried ${tried.length}: ${tried.join('; ') || 'none'})`,
      )
    );
  }
  if (options.trustedRoot.ctlogs.length > 0) {
    verifySCTs(leaf, found.issuer.cert, options.trustedRoot.ctlogs, {
      threshold: options.ctLogThreshold ?? 1,
    });
  }
  const publicKey = certificatePublicKey(leaf, { field: `${field}.subjectPublicKeyInfo` });
  return Object.freeze({
    leaf: leaf.x509,
    publicKey,
    authority: found.ca,
    identity: extractIdentity(leaf, { field }),
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
  });
}

function readLength(buf: Uint8Array, pos: number): { readonly length: number; readonly header: number } {
  const first = buf[pos + 1] ?? 0;
  if ((first & 0x80) === 0) return { length: first, header: 2 };
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (buf[pos + 2 + i] ?? 0);
  return { length, header: 2 + count };
}

function encodeTlv(tag: number, content: Uint8Array): Uint8Array {
  const len: number[] = [];
  for (let rest = content.length; rest > 0; rest = Math.floor(rest / 256)) len.unshift(rest % 256);
  const header = content.length < 128 ? [tag, content.length] : [tag, 0x80 | len.length, ...len];
  const out = new Uint8Array(header.length + content.length);
  out.set(header);
  out.set(content, header.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The TBS of the precertificate (RFC 6962 3.2): the leaf's TBS without the SCT list extension. */
function precertificateTbs(leaf: DecodedCertificate, sctExt: CertificateExtension): Uint8Array {
  const tbs = leaf.tbs;
  const outer = readLength(tbs, 0);
  // The extension node is a view into the same buffer as the TBS, so its offset locates it.
  const ext = sctExt.node.value;
  let extLen = 2;
  if (ext.length > 127) for (let rest = ext.length; rest > 0; rest = Math.floor(rest / 256)) extLen++;
  const extStart = ext.byteOffset - extLen - tbs.byteOffset;
  const extEnd = extStart + extLen + ext.length;
  let pos = outer.header;
  while (pos < tbs.length) {
    const { length, header } = readLength(tbs, pos);
    const end = pos + header + length;
    if (tbs[pos] === 0xa3) {
      const seq = readLength(tbs, pos + header);
      const contentStart = pos + header + seq.header;
      if (extStart < contentStart || extEnd > end) break;
      const remaining = concat([tbs.subarray(contentStart, extStart), tbs.subarray(extEnd, end)]);
      const extensions =
        remaining.length === 0 ? new Uint8Array(0) : encodeTlv(0xa3, encodeTlv(0x30, remaining));
      return encodeTlv(0x30, concat([tbs.subarray(outer.header, pos), extensions, tbs.subarray(end)]));
    }
    pos = end;
  }
  throw new ParseError(
    'ERR_MALFORMED_CERTIFICATE',
    'the SCT extension is not inside the certificate extensions',
  );
}

/**
 * Verifies the SCTs embedded in `leaf` (extension 1.3.6.1.4.1.11129.2.4.2) over the precertificate
 * (RFC 6962 3.2; issuer key hash = SHA-256 of `issuer`'s SPKI), each under the CT log with its log id whose
 * `validFor` holds the SCT's timestamp. An SCT from an unknown log (or outside its log's window) does not
 * count; one from a trusted log that does not verify is refused. Fewer than `threshold` (default 1) distinct
 * logs verified is `ERR_SCT_INVALID`.
 *
 * @example
 * ```ts
 * const scts = verifySCTs(leafDer, issuingCaDer, trustedRoot.ctlogs, { threshold: 1 });
 * ```
 */
export function verifySCTs(
  leaf: Uint8Array | DecodedCertificate,
  issuer: Uint8Array | DecodedCertificate,
  ctlogs: readonly TrustedLog[],
  options: { readonly threshold?: number } = {},
): readonly VerifiedSCT[] {
  const threshold = options.threshold ?? 1;
  if (!Number.isSafeInteger(threshold) || threshold < 0) {
    throw new UsageError(
      'ERR_USAGE',
      `threshold: expected a non-negative integer, found ${describe(threshold)}`,
    );
  }
  const cert = leaf instanceof Uint8Array ? decodeCertificate(leaf, 'certificate') : leaf;
  const issuerCert = issuer instanceof Uint8Array ? decodeCertificate(issuer, 'issuer') : issuer;
  const ext = cert.extensions.get(OID_SCT);
  const verified = new Map<string, VerifiedSCT>();
  const skipped: string[] = [];
  if (ext !== undefined) {
    let scts: X509SCTExtension['signedCertificateTimestamps'];
    try {
      const list = lastSub(ext, 'SCT list');
      // The TLS list (a 2-byte length, then the SCTs) must fill the OCTET STRING exactly.
      if (
        !list.tag.isOctetString() ||
        list.value.length < 2 ||
        list.value.readUInt16BE(0) + 2 !== list.value.length
      ) {
        throw new Error('the SCT list length does not match its OCTET STRING');
      }
      scts = new X509SCTExtension(ext.node).signedCertificateTimestamps;
    } catch (error) {
      throw new ParseError(
        'ERR_MALFORMED_CERTIFICATE',
        [
          {
            path: 'certificate',
            message: `SCT list: ${error instanceof Error ? error.message : String(error)}`,
          },
        ],
        { cause: error },
      );
    }
    const header = concat([
      createHash('sha256').update(issuerCert.spki).digest(),
      (() => {
        const tbs = precertificateTbs(cert, ext);
        return concat([Uint8Array.of(tbs.length >>> 16, (tbs.length >>> 8) & 0xff, tbs.length & 0xff), tbs]);
      })(),
    ]);
    for (const [i, sct] of scts.entries()) {
      const logIdHex = encodeHex(sct.logID);
      const time = sct.datetime;
      const logs = ctlogs.filter((log) => log.logIdHex === logIdHex && selectValidAt(log.validFor, time));
      if (logs.length === 0 || sct.version !== 0) {
        skipped.push(
          `SCT ${i} from log ${logIdHex} at ${Number.isNaN(time.getTime()) ? 'an invalid time' : iso(time)} has no trusted CT log`,
        );
        continue;
      }
      const signed = concat([
        Uint8Array.of(sct.version, 0),
        sct.timestamp,
        Uint8Array.of(0, 1),
        header,
        Uint8Array.of(sct.extensions.length >>> 8, sct.extensions.length & 0xff),
        sct.extensions,
      ]);
      const ok = logs.some((log) => {
        const pair = SCT_ALGORITHMS[log.key.scheme];
        return (
          pair !== undefined &&
          pair[0] === sct.hashAlgorithm &&
          pair[1] === sct.signatureAlgorithm &&
          log.key.verifySync(signed, sct.signature)
        );
      });
      if (!ok) {
        throw new VerificationError(
          'ERR_SCT_INVALID',
          `SCT ${i} does not verify under the trusted CT log ${logIdHex} (${logs[0]?.baseUrl ?? ''})`,
        );
      }
      verified.set(logIdHex, Object.freeze({ logIdHex, timestamp: time }));
    }
  }
  if (verified.size < threshold) {
    throw new VerificationError(
      'ERR_SCT_INVALID',
      `expected SCTs from at least ${threshold} trusted CT log(s), found ${verified.size}${
        ext === undefined
          ? ' (the certificate has no SCT extension)'
          : skipped.length > 0
            ? ` (${skipped.join('; ')})`
            : ''
      }`,
    );
  }
  return Object.freeze([...verified.values()]);
}
