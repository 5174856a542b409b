// Strict byte encodings: base64 (standard and URL-safe), hex and UTF-8. Nothing outside the alphabet is skipped.
import { ParseError } from './errors.js';

const B64_STD = /^[A-Za-z0-9+/]*={0,2}$/;
const B64_URL = /^[A-Za-z0-9_-]*={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Decodes base64 in the standard or the URL-safe alphabet, padded or not.
 * Any character outside the alphabet, bad padding or non-zero trailing bits is refused.
 */
export function decodeBase64(input: string, field = 'base64'): Uint8Array {
  const std = B64_STD.test(input);
  if (!std && !B64_URL.test(input)) {
    throw new ParseError('ERR_MALFORMED_BASE64', [
      { path: field, message: 'is not base64: a character is outside the alphabet' },
    ]);
  }
  const unpadded = input.replace(/=+$/, '');
  const padded = input.length !== unpadded.length;
  if ((padded && input.length % 4 !== 0) || unpadded.length % 4 === 1) {
    throw new ParseError('ERR_MALFORMED_BASE64', [
      { path: field, message: 'is not base64: wrong length or padding' },
    ]);
  }
  const bytes = Buffer.from(unpadded, std ? 'base64' : 'base64url');
  // Canonical form only: re-encoding must give the same characters (no stray trailing bits).
  const again = bytes.toString(std ? 'base64' : 'base64url').replace(/=+$/, '');
  if (again !== unpadded) {
    throw new ParseError('ERR_MALFORMED_BASE64', [
      { path: field, message: 'is not canonical base64 (non-zero trailing bits)' },
    ]);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
