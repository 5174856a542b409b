// Test support: a tiny DER writer that builds and signs X.509 certificates for a test CA, and DER mutations for property tests.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import fc from 'fast-check';
import type { TrustedCertificateAuthority, TrustedRoot } from '../../src/sigstore/types.js';

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  const len: number[] = [];
  for (let rest = body.length; rest > 0; rest = Math.floor(rest / 256)) len.unshift(rest % 256);
  const header = body.length < 128 ? [tag, body.length] : [tag, 0x80 | len.length, ...len];
  return Buffer.concat([Buffer.from(header), body]);
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
export const utf8 = (s: string): Uint8Array => tlv(0x0c, Buffer.from(s, 'utf8'));
export const octets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const TRUE = Uint8Array.of(0x01, 0x01, 0xff);

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const out = [40 * (parts[0] ?? 0) + (parts[1] ?? 0)];
  for (const n of parts.slice(2)) {
    const bytes = [n & 0x7f];
    for (let rest = Math.floor(n / 128); rest > 0; rest = Math.floor(rest / 128))
      bytes.unshift(0x80 | (rest & 0x7f));
    out.push(...bytes);
  }
  return tlv(0x06, Uint8Array.from(out));
}

function utcTime(d: Date): Uint8Array {
  const s = d.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return tlv(0x17, Buffer.from(`${s}Z`, 'ascii'));
}

export function name(cn: string): Uint8Array {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), utf8(cn))));
}

export function extension(id: string, value: Uint8Array, critical = false): Uint8Array {
  return critical ? seq(oid(id), TRUE, octets(value)) : seq(oid(id), octets(value));
}

export const ext = {
  ca: (pathLen?: number) =>
    extension(
      '2.5.29.19',
      seq(TRUE, ...(pathLen === undefined ? [] : [tlv(0x02, Uint8Array.of(pathLen))])),
      true,
    ),
  keyUsage: (bits: number) => extension('2.5.29.15', tlv(0x03, Uint8Array.of(0, bits)), true),
  codeSigning: () => extension('2.5.29.37', seq(oid('1.3.6.1.5.5.7.3.3'))),
  sanUri: (uri: string) => extension('2.5.29.17', seq(tlv(0x86, Buffer.from(uri))), true),
  sanEmail: (email: string) => extension('2.5.29.17', seq(tlv(0x81, Buffer.from(email))), true),
  sanOther: (value: string) =>
    extension('2.5.29.17', seq(tlv(0xa0, oid('1.3.6.1.4.1.57264.1.7'), tlv(0xa0, utf8(value)))), true),
  fulcioRaw: (arc: number, value: string) => extension(`1.3.6.1.4.1.57264.1.${arc}`, Buffer.from(value)),
  fulcio: (arc: number, value: string) => extension(`1.3.6.1.4.1.57264.1.${arc}`, utf8(value)),
};

export interface KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

export function p256(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

/** A v3 certificate for `subjectKey`, signed by `issuerKey` with ECDSA-SHA256. */
export function certificate(options: {
  readonly issuer: string;
  readonly subject: string;
  readonly subjectKey: KeyObject;
  readonly issuerKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Uint8Array[];
  readonly serial?: number;
}): Uint8Array {
  const spki = options.subjectKey.export({ type: 'spki', format: 'der' });
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Uint8Array.of(2))),
    tlv(0x02, Uint8Array.of(options.serial ?? 1)),
    ECDSA_SHA256,
    name(options.issuer),
    seq(utcTime(options.notBefore), utcTime(options.notAfter)),
    name(options.subject),
    spki,
    tlv(0xa3, seq(...options.extensions)),
  );
  const signature = sign('sha256', tbs, options.issuerKey);
  return seq(tbs, ECDSA_SHA256, tlv(0x03, Uint8Array.of(0), signature));
}

/** A two-level test CA (root → intermediate) and a helper to issue Fulcio-like leaves from it. */
export function testAuthority(options: { readonly start: Date; readonly end: Date }) {
  const rootKey = p256();
  const interKey = p256();
  const root = certificate({
    issuer: 'test root',
    subject: 'test root',
    subjectKey: rootKey.publicKey,
    issuerKey: rootKey.privateKey,
    notBefore: options.start,
    notAfter: options.end,
    extensions: [ext.ca(1), ext.keyUsage(0x06)],
  });
  const intermediate = certificate({
    issuer: 'test root',
    subject: 'test intermediate',
    subjectKey: interKey.publicKey,
    issuerKey: rootKey.privateKey,
    notBefore: options.start,
    notAfter: options.end,
    extensions: [ext.ca(0), ext.keyUsage(0x06)],
  });
  const authority: TrustedCertificateAuthority = {
    uri: 'https://fulcio.test',
    chain: [intermediate, root],
    validFor: { start: options.start },
  };
  const leaf = (o: {
    readonly extensions: readonly Uint8Array[];
    readonly notBefore: Date;
    readonly notAfter: Date;
  }) =>
    certificate({
      issuer: 'test intermediate',
      subject: '',
      subjectKey: p256().publicKey,
      issuerKey: interKey.privateKey,
      ...o,
    });
  const trustedRoot: TrustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    ctlogs: [],
    certificateAuthorities: [authority],
    timestampAuthorities: [],
  };
  return { root, intermediate, authority, trustedRoot, leaf };
}

export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'cut'; readonly at: number; readonly len: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array };

/** Mutations of DER bytes: a flipped bit, a replaced byte, a cut, an insertion. */
export const derMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
);

export function mutateDer(der: Uint8Array, m: Mutation): Uint8Array {
  const at = m.at % der.length;
  const out = Buffer.from(der);
  if (m.kind === 'flip') out[at] = (out[at] ?? 0) ^ (1 << m.bit);
  if (m.kind === 'set') out[at] = m.value;
  if (m.kind === 'cut') return Buffer.concat([out.subarray(0, at), out.subarray(at + m.len)]);
  if (m.kind === 'insert') return Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
  return out;
}
