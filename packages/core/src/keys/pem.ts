// PEM armour (RFC 7468) for key material: one strict block decoder, an encoder, and the label checks callers need.
import { ParseError } from '../errors.js';

/** One decoded PEM block. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
  /** `Proc-Type`-style headers (legacy OpenSSL encryption); empty for RFC 7468 blocks. */
  readonly headers: ReadonlyMap<string, string>;
}

const BEGIN = /-----BEGIN ([A-Z0-9][A-Z0-9 ]*[A-Z0-9]|[A-Z0-9])-----/;
const B64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;
const HEADER = /^([A-Za-z0-9-]+):\s*(.*)$/;

/** Whether `text` contains a PEM BEGIN line (used to route text inputs). */
export function looksLikePem(text: string): boolean {
  return BEGIN.test(text);
}

/**
 * Decodes the first PEM block of `text`. Explanatory text before the block is ignored (RFC 7468 section 2);
 * the body must be standard base64. Anything else is `ERR_MALFORMED_KEY` ("invalid PEM block") naming `field`.
 *
 * @example
 * ```ts
 * const { label, der } = decodePem(pemText, 'publicKey');
 * ```
 */
export function decodePem(text: string, field: string): PemBlock {
  const invalid = (why: string): ParseError =>
    new ParseError('ERR_MALFORMED_KEY', [{ path: field, message: `invalid PEM block: ${why}` }]);
  const begin = BEGIN.exec(text);
  if (begin === null) throw invalid('no "-----BEGIN <label>-----" line found');
  const label = begin[1] ?? '';
  const endLine = `-----END ${label}-----`;
  const bodyStart = begin.index + begin[0].length;
  const end = text.indexOf(endLine, bodyStart);
  if (end < 0) throw invalid(`no "${endLine}" line found`);
  const lines = text
    .slice(bodyStart, end)
    .split(/\r?\n/)
    .map((l) => l.trim());
  const headers = new Map<string, string>();
  let i = 0;
  while (i < lines.length && lines[i] === '') i++;
  // Legacy (RFC 1421) headers end at the first blank line; only those are allowed, never mixed with base64.
  if (i < lines.length && HEADER.test(lines[i] ?? '')) {
    while (i < lines.length && lines[i] !== '') {
      const m = HEADER.exec(lines[i] ?? '');
      if (m === null) throw invalid(`bad header line ${JSON.stringify(lines[i])}`);
      headers.set(m[1] ?? '', m[2] ?? '');
      i++;
    }
  }
  const body = lines.slice(i).filter((l) => l !== '');
  for (const line of body) {
    if (!B64_LINE.test(line)) throw invalid('the body is not base64');
  }
  const joined = body.join('');
  if (joined.length === 0) throw invalid('the body is empty');
  const unpadded = joined.replace(/=+$/, '');
  if (
    joined.length % 4 !== 0 ||
    joined.slice(0, unpadded.length).includes('=') ||
    unpadded.length % 4 === 1
  ) {
    throw invalid('the base64 body has a wrong length or padding');
  }
  const buf = Buffer.from(joined, 'base64');
  if (buf.toString('base64') !== joined) throw invalid('the base64 body is not canonical');
  return { label, der: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), headers };
}

/**
 * Encodes DER bytes as a PEM block with 64-character lines and a trailing newline.
 *
 * @example
 * ```ts
 * encodePem('PUBLIC KEY', spki); // '-----BEGIN PUBLIC KEY-----\n...'
 * ```
 */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The labels of encrypted private keys vouch can open with a password. */
export const ENCRYPTED_LABELS: ReadonlySet<string> = new Set([
  'ENCRYPTED PRIVATE KEY',
  'ENCRYPTED SIGSTORE PRIVATE KEY',
  'ENCRYPTED COSIGN PRIVATE KEY',
]);

/**
 * Whether a PEM text holds a password-protected private key (encrypted PKCS#8 or cosign's format),
 * so a CLI knows to ask for a password before calling `parsePrivateKey`.
 *
 * @example
 * ```ts
 * const password = isEncryptedPrivateKey(pem) ? await askPassword() : undefined;
 * ```
 */
export function isEncryptedPrivateKey(pem: string): boolean {
  const begin = BEGIN.exec(pem);
  return begin !== null && ENCRYPTED_LABELS.has(begin[1] ?? '');
}

/**
 * Checks that `der` is exactly one DER SEQUENCE (definite length, nothing trailing): OpenSSL ignores
 * trailing bytes, and a key whose bytes carry hidden extras should not get the same key id as a clean one.
 *
 * @example
 * ```ts
 * assertOneDerSequence(der, 'publicKey');
 * ```
 */
export function assertOneDerSequence(der: Uint8Array, field: string): void {
  const bad = (why: string): ParseError =>
    new ParseError('ERR_MALFORMED_KEY', [{ path: field, message: `is not a DER key: ${why}` }]);
  if (der[0] !== 0x30) throw bad('it does not start with a SEQUENCE');
  const first = der[1];
  if (first === undefined) throw bad('it is truncated');
  let length = first;
  let header = 2;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw bad('the SEQUENCE length is indefinite or too large');
    length = 0;
    for (let k = 0; k < n; k++) {
      const b = der[2 + k];
      if (b === undefined) throw bad('it is truncated');
      length = length * 256 + b;
    }
    header = 2 + n;
  }
  if (header + length !== der.length) {
    throw bad(`the SEQUENCE holds ${length} bytes but ${der.length - header} follow its header`);
  }
}
