// Untrusted key inputs: route text, bytes and JWK objects, copy JWK members, and wrap node:crypto import errors.
import { decodeUtf8 } from '../encoding.js';
import { KeyError, ParseError } from '../errors.js';
import { describe, isObject, parseJson } from '../json.js';

/** Where a text or bytes key input goes. */
export type KeyInput =
  | { readonly kind: 'pem'; readonly text: string }
  | { readonly kind: 'jwk'; readonly jwk: unknown }
  | { readonly kind: 'der'; readonly der: Buffer };

/** UTF-8 text of a key given as bytes; invalid UTF-8 is a malformed key, not a malformed payload. */
export function keyText(bytes: Uint8Array, field: string): string {
  try {
    return decodeUtf8(bytes, field);
  } catch (cause) {
    throw new ParseError('ERR_MALFORMED_KEY', [{ path: field, message: 'is neither DER nor UTF-8 text' }], {
      cause,
    });
  }
}

/** Routes a key input: PEM text, JWK (object or JSON text), or DER bytes (PEM/JSON text in bytes is detected). */
export function classifyKeyInput(input: unknown, field: string): KeyInput {
  let text: string;
  if (input instanceof Uint8Array) {
    let j = 0;
    while (
      j < input.length &&
      (input[j] === 0x20 || input[j] === 0x09 || input[j] === 0x0a || input[j] === 0x0d)
    )
      j++;
    // DER always starts with 0x30; PEM with '-' (or explanatory text), JSON with '{'.
    if (input[j] === 0x30 || input.length === 0) return { kind: 'der', der: Buffer.from(input) };
    text = keyText(input, field);
  } else if (typeof input === 'string') {
    text = input;
  } else if (isObject(input)) {
    return { kind: 'jwk', jwk: input };
  } else {
    throw new ParseError('ERR_MALFORMED_KEY', [
      { path: field, message: `must be PEM text, DER bytes or a JWK, found ${describe(input)}` },
    ]);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return { kind: 'jwk', jwk: parseJson(trimmed, field, 'ERR_MALFORMED_KEY') };
  return { kind: 'pem', text };
}

const JWK_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/**
 * Checks the shape of an untrusted JWK and copies the members node needs (all strings), refusing key types
 * and curves outside the policy before node sees them.
 */
export function copyJwk(value: unknown, field: string): Record<string, string> {
  if (!isObject(value)) {
    throw new ParseError('ERR_MALFORMED_KEY', [
      { path: field, message: `must be a JWK object, found ${describe(value)}` },
    ]);
  }
  const out: Record<string, string> = {};
  const issues = [];
  for (const m of JWK_MEMBERS) {
    const v = value[m];
    if (v === undefined) continue;
    if (typeof v !== 'string')
      issues.push({ path: `${field}.${m}`, message: `must be a string, found ${describe(v)}` });
    else out[m] = v;
  }
  if (out.kty === undefined && value.kty === undefined)
    issues.push({ path: `${field}.kty`, message: 'is required' });
  if (issues.length > 0) throw new ParseError('ERR_MALFORMED_KEY', issues);
  const kty = out.kty ?? '';
  const crv = out.crv;
  if (kty === 'EC') {
    if (crv !== 'P-256' && crv !== 'P-384' && crv !== 'P-521') {
      throw new KeyError(
        'ERR_UNSUPPORTED_KEY',
        `ECDSA curve ${crv ?? '(none)'} not supported (P-256, P-384, P-521)`,
      );
    }
  } else if (kty === 'OKP') {
    if (crv !== 'Ed25519')
      throw new KeyError('ERR_UNSUPPORTED_KEY', `OKP curve ${crv ?? '(none)'} not supported (Ed25519)`);
  } else if (kty !== 'RSA') {
    throw new KeyError(
      'ERR_UNSUPPORTED_KEY',
      `JWK key type ${JSON.stringify(kty)} not supported (EC, OKP, RSA)`,
    );
  }
  return out;
}

/** Runs a node:crypto key import, turning its errors into `ERR_MALFORMED_KEY` naming `field`. */
export function importWithNode<T>(field: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ParseError(
      'ERR_MALFORMED_KEY',
      [{ path: field, message: `is not a valid ${what} (${reason})` }],
      {
        cause,
      },
    );
  }
}
