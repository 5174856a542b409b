// The @noble/ed25519 backend: portable Ed25519, strict RFC 8032 (not ZIP-215), with no global library state set.

// Loaded on first use: the node backend is the default, so most processes never need noble.
function noble(): Promise<typeof import('@noble/ed25519')> {
  return import('@noble/ed25519');
}

/**
 * Verifies an Ed25519 signature with noble in strict mode (`zip215: false`: canonical encodings, no
 * small-order public keys). Uses WebCrypto SHA-512 inside, so no `hashes` global is configured.
 * Wrong lengths or undecodable points are `false`.
 *
 * @example
 * ```ts
 * await nobleVerify({ publicKey: raw32, data, signature: sig64 });
 * ```
 */
export async function nobleVerify(options: {
  readonly publicKey: Uint8Array;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}): Promise<boolean> {
  if (options.publicKey.length !== 32 || options.signature.length !== 64) return false;
  try {
    const { verifyAsync } = await noble();
    return await verifyAsync(options.signature, options.data, options.publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Signs with Ed25519 from a 32-byte RFC 8032 seed.
 *
 * @example
 * ```ts
 * const sig = await nobleSign({ seed, data });
 * ```
 */
export async function nobleSign(options: {
  readonly seed: Uint8Array;
  readonly data: Uint8Array;
}): Promise<Uint8Array> {
  const { signAsync } = await noble();
  return await signAsync(options.data, options.seed);
}
