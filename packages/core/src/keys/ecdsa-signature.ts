// ECDSA signature encodings: strict DER (ASN.1 Ecdsa-Sig-Value) and IEEE P1363 r||s, converted without loss.

/**
 * Converts a DER `SEQUENCE { INTEGER r, INTEGER s }` to P1363 `r||s` of `2 * size` bytes.
 * Returns `undefined` unless the input is strict DER (definite minimal lengths, minimal non-negative
 * integers, nothing trailing) and both integers fit in `size` bytes: such a signature cannot verify.
 *
 * @example
 * ```ts
 * const p1363 = ecdsaDerToP1363(der, 32); // P-256
 * ```
 */
export function ecdsaDerToP1363(der: Uint8Array, size: number): Uint8Array | undefined {
  const seq = readTlv(der, 0, 0x30);
  if (seq === undefined || seq.end !== der.length) return undefined;
  const r = readTlv(der, seq.start, 0x02);
  if (r === undefined) return undefined;
  const s = readTlv(der, r.end, 0x02);
  if (s === undefined || s.end !== seq.end) return undefined;
  const out = new Uint8Array(2 * size);
  if (!placeInteger(der.subarray(r.start, r.end), out, 0, size)) return undefined;
  if (!placeInteger(der.subarray(s.start, s.end), out, size, size)) return undefined;
  return out;
}

/**
 * Converts P1363 `r||s` to DER. The input length must be even; used to turn WebCrypto output into the DER
 * form cosign and Sigstore write.
 *
 * @example
 * ```ts
 * const der = ecdsaP1363ToDer(new Uint8Array(await crypto.subtle.sign(alg, key, data)));
 * ```
 */
export function ecdsaP1363ToDer(p1363: Uint8Array): Uint8Array {
  if (p1363.length === 0 || p1363.length % 2 !== 0)
    throw new RangeError('P1363 signature length must be even');
  const half = p1363.length / 2;
  const r = derInteger(p1363.subarray(0, half));
  const s = derInteger(p1363.subarray(half));
  const body = concat([r, s]);
  return concat([Uint8Array.of(0x30), derLength(body.length), body]);
}

interface Tlv {
  readonly start: number;
  readonly end: number;
}

function readTlv(buf: Uint8Array, offset: number, tag: number): Tlv | undefined {
  if (buf[offset] !== tag) return undefined;
  const first = buf[offset + 1];
  if (first === undefined) return undefined;
  let length: number;
  let start: number;
  if (first < 0x80) {
    length = first;
    start = offset + 2;
  } else if (first === 0x81) {
    const b = buf[offset + 2];
    // Long form is only DER when the short form could not express the length.
    if (b === undefined || b < 0x80) return undefined;
    length = b;
    start = offset + 3;
  } else {
    // Two or more length bytes would mean > 255 bytes: larger than any ECDSA signature vouch supports.
    return undefined;
  }
  const end = start + length;
  if (end > buf.length) return undefined;
  return { start, end };
}

function placeInteger(content: Uint8Array, out: Uint8Array, offset: number, size: number): boolean {
  const first = content[0];
  if (first === undefined) return false;
  if (first & 0x80) return false; // negative
  let value = content;
  if (first === 0) {
    if (content.length === 1) return true; // zero: leave the zero bytes (verification rejects it)
    const second = content[1] ?? 0;
    if ((second & 0x80) === 0) return false; // non-minimal leading zero
    value = content.subarray(1);
  }
  if (value.length > size) return false;
  out.set(value, offset + size - value.length);
  return true;
}

function derInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let v = bytes.subarray(i);
  if ((v[0] ?? 0) & 0x80) v = concat([Uint8Array.of(0), v]);
  return concat([Uint8Array.of(0x02), derLength(v.length), v]);
}

function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0x81, n);
  return Uint8Array.of(0x82, n >> 8, n & 0xff);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
