// cosign's encrypted keys and private-key import fixtures: load, refuse with the right code, and re-encrypt round trip.
import { describe, expect, it } from 'vitest';
import { caseFile, loadVectorSet, type VectorCase } from '../../../../test/support/vectors.js';
import { isVouchError, type VouchErrorCode } from '../../src/errors.js';
import { PrivateKey, parsePrivateKey } from '../../src/keys/index.js';

const set = loadVectorSet('cosign-keys');

// The code vouch throws for each kind of failure, keyed by what the case says went wrong (never by id).
// A case whose expectedError is absent is a wrong-password case (derived negatives): the secretbox tag fails.
const FAIL_BY_EXPECTED_ERROR: Readonly<Record<string, VouchErrorCode>> = {
  // decrypts, but the plaintext is SEC1, and cosign (and vouch) read only PKCS#8 after decryption
  'parsing private key: x509: failed to parse private key (use ParseECPrivateKey instead for this key format)':
    'ERR_MALFORMED_KEY',
  'unsupported private key': 'ERR_UNSUPPORTED_KEY', // a PUBLIC KEY block
  'error validating rsa key: key size not supported: 1024': 'ERR_UNSUPPORTED_KEY',
  'error validating rsa key: key size not supported: 5120': 'ERR_UNSUPPORTED_KEY',
  'error validating ecdsa key: ECDSA curve P-224 not allowed': 'ERR_UNSUPPORTED_KEY',
  // Go cannot parse secp256k1; node can, and the policy then refuses the curve
  'error parsing ecdsa private key': 'ERR_UNSUPPORTED_KEY',
  'invalid pem block': 'ERR_MALFORMED_KEY', // an OpenPGP armored key
};
const WRONG_PASSWORD: VouchErrorCode = 'ERR_KEY_DECRYPT';

// What the message must name, where a case's keyType says which curve or size was refused.
const MESSAGE_BY_KEY_TYPE: Readonly<Record<string, RegExp>> = {
  'RSA 1024, PKCS#1': /RSA key size 1024 not supported \(2048 to 4096\)/,
  'RSA 5120, PKCS#1': /RSA key size 5120 not supported \(2048 to 4096\)/,
  'ECDSA P-224 (secp224r1), SEC1': /P-224/,
  'ECDSA secp256k1, SEC1': /secp256k1/,
};

function password(c: VectorCase): string {
  if (typeof c.password !== 'string') throw new Error(`case ${c.id} has no password`);
  return c.password;
}

function expectedCode(c: VectorCase): VouchErrorCode {
  if (c.expectedError === undefined) return WRONG_PASSWORD;
  const code = typeof c.expectedError === 'string' ? FAIL_BY_EXPECTED_ERROR[c.expectedError] : undefined;
  if (code === undefined) throw new Error(`no expected code recorded for ${JSON.stringify(c.expectedError)}`);
  return code;
}

async function outcome(load: () => Promise<unknown>): Promise<{ error?: unknown; value?: unknown }> {
  try {
    return { value: await load() };
  } catch (error) {
    return { error };
  }
}

describe.each(set.cases)('cosign-keys $id ($kind, expect $expect)', (c) => {
  const pem = set.text(caseFile(c, 'key'));

  it(`meets its expectation`, async () => {
    const load =
      c.kind === 'cosign-encrypted-key'
        ? () => parsePrivateKey(pem, { password: password(c) })
        : c.kind === 'private-key-import'
          ? () => parsePrivateKey(pem)
          : undefined;
    expect(load, `kind ${c.kind}`).toBeDefined();
    if (load === undefined) return;
    const { error, value } = await outcome(load);
    if (c.expect === 'pass') {
      expect(error).toBeUndefined();
      expect(value).toBeInstanceOf(PrivateKey);
      if (!(value instanceof PrivateKey)) return;
      const key = value;
      expect(key.keyId).toMatch(/^[0-9a-f]{64}$/);
      if (c.kind === 'private-key-import') {
        // As cosign's ImportKeyPair: re-encrypt with the case's password and load it back.
        const again = await key.toCosignPem(password(c));
        expect(again).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
        const reloaded = await parsePrivateKey(again, { password: password(c) });
        expect(reloaded.keyId).toBe(key.keyId);
        expect(reloaded.algorithm).toBe(key.algorithm);
      }
      const data = new TextEncoder().encode(c.id);
      expect(key.publicKey.verifySync(data, key.sign(data))).toBe(true);
    } else {
      expect(value).toBeUndefined();
      expect(isVouchError(error), String(error)).toBe(true);
      if (!isVouchError(error)) return;
      expect(error.code).toBe(expectedCode(c));
      const pattern = typeof c.keyType === 'string' ? MESSAGE_BY_KEY_TYPE[c.keyType] : undefined;
      if (pattern !== undefined) expect(error.message).toMatch(pattern);
    }
  });
});
