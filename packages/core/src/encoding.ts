// Strict byte encodings: base64 (standard and URL-safe), hex and UTF-8. Nothing outside the alphabet is skipped.
import { ParseError } from './errors.js';

const B64_STD = /^[A-Za-z0-9+/]*={0,2}$/;
const B64_URL = /^[A-Za-z0-9_-]*={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Decodes base64 in the standard or the URL-safe alphabet, padded or not.
 * Any character outside the alphabet, bad padding or non-zero trailing bits is refused.
 *
 * @example
 * ```ts
 * decodeBase64('aGVsbG8=', 'payload'); // bytes of "hello"
 * ```
 */
export function decodeBase64(input: string, field = 'base64'): Uint8Array {
  let end = input.length;
  while (end > 0 && input.charCodeAt(end - 1) === 61 /* = */) end--;
  const unpadded = end === input.length ? input : input.slice(0, end);
  const url = unpadded.includes('-') || unpadded.includes('_');
  const bytes = Buffer.from(unpadded, url ? 'base64url' : 'base64');
  // Node's decoder is lenient (it skips what it does not know), so the input is accepted only when it is exactly
  // the canonical encoding of what was decoded: every character in one alphabet, no stray trailing bits. This is
  // one decode and one encode, much cheaper than a character-class scan of a large payload.
  let again = bytes.toString(url ? 'base64url' : 'base64');
  while (again.charCodeAt(again.length - 1) === 61) again = again.slice(0, -1);
  const padding = input.length - end;
  const paddingOk = padding === 0 || (padding <= 2 && input.length % 4 === 0);
  if (!paddingOk || again !== unpadded) throw base64Error(input, field);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Says why a string is not canonical base64 (only on the failure path, where speed does not matter). */
function base64Error(input: string, field: string): ParseError {
  const unpadded = input.replace(/=+$/, '');
  let reason: string;
  if (!B64_STD.test(input) && !B64_URL.test(input))
    reason = 'is not base64: a character is outside the alphabet';
  else if ((input.length !== unpadded.length && input.length % 4 !== 0) || unpadded.length % 4 === 1) {
    reason = 'is not base64: wrong length or padding';
  } else reason = 'is not canonical base64 (non-zero trailing bits)';
  return new ParseError('ERR_MALFORMED_BASE64', [{ path: field, message: reason }]);
}

/** Encodes bytes as padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes an even-length hex string (either case). */
export function decodeHex(input: string, field = 'hex'): Uint8Array {
  if (!HEX.test(input)) {
    throw new ParseError('ERR_MALFORMED_HEX', [{ path: field, message: 'is not an even-length hex string' }]);
  }
  const bytes = Buffer.from(input, 'hex');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Encodes bytes as lowercase hex. */
export function encodeHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, refusing invalid sequences. */
export function decodeUtf8(bytes: Uint8Array, field = 'utf8'): string {
  try {
    return strictDecoder.decode(bytes);
  } catch (cause) {
    throw new ParseError('ERR_MALFORMED_PAYLOAD', [{ path: field, message: 'is not valid UTF-8' }], {
      cause,
    });
  }
}

/** Constant-time-irrelevant byte equality for public values (digests, key ids). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
