// The npm registry's signing keys (`registry.npmjs.org/keys.json` from Sigstore's TUF root): parsed, typed, frozen.
import {
  decodeBase64,
  describeJson as describe,
  IssueCollector,
  isObject,
  isVouchError,
  joinPath,
  ParseError,
  type PublicKey,
  parsePublicKey,
} from '@vouch/core';

/** When a registry key may be used; `end` absent means it is still in use. */
export interface NpmKeyValidity {
  readonly start?: Date;
  readonly end?: Date;
}

/** One registry key: the same key may be listed once per usage (`npm:signatures`, `npm:attestations`). */
export interface NpmRegistryKey {
  /** npm's key id, `SHA256:<base64 of the SPKI digest>`; matches a publish bundle's `publicKey.hint`. */
  readonly keyId: string;
  readonly keyUsage: string;
  /** The protobuf key details name, e.g. `PKIX_ECDSA_P256_SHA_256`. */
  readonly keyDetails: string;
  readonly publicKey: PublicKey;
  readonly validFor: NpmKeyValidity;
}

/** The parsed keys file. */
export interface NpmRegistryKeys {
  readonly keys: readonly NpmRegistryKey[];
}

/** The usage of the keys that sign npm publish attestations. */
export const NPM_ATTESTATION_KEY_USAGE = 'npm:attestations';

const CODE = 'ERR_MALFORMED_KEY';
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;
// Key details this parser accepts: the ones npm publishes, and what a PublicKey can verify.
const KEY_DETAILS: Readonly<Record<string, PublicKey['algorithm']>> = {
  PKIX_ECDSA_P256_SHA_256: 'ecdsa-p256',
  PKIX_ECDSA_P384_SHA_384: 'ecdsa-p384',
  PKIX_ED25519: 'ed25519',
};

function readTime(obj: Record<string, unknown>, key: string, path: string, issues: IssueCollector) {
  const v = obj[key];
  if (v === undefined) return undefined;
  const at = joinPath(path, key);
  if (typeof v !== 'string' || !RFC3339.test(v) || Number.isNaN(Date.parse(v))) {
    issues.add(at, `must be an RFC 3339 date-time, found ${describe(v)}`);
    return undefined;
  }
  return new Date(v);
}

function readKey(entry: unknown, path: string, issues: IssueCollector): NpmRegistryKey | undefined {
  if (!isObject(entry)) {
    issues.add(path, `must be an object, found ${describe(entry)}`);
    return undefined;
  }
  const before = issues.issues.length;
  const keyId = issues.string(entry, 'keyId', path);
  if (keyId === '') issues.add(joinPath(path, 'keyId'), 'must not be empty');
  const keyUsage = issues.string(entry, 'keyUsage', path);
  const pkPath = joinPath(path, 'publicKey');
  const pk = entry.publicKey;
  if (!isObject(pk)) {
    issues.add(pkPath, `must be an object, found ${describe(pk)}`);
    return undefined;
  }
  const keyDetails = issues.string(pk, 'keyDetails', pkPath);
  const expected = keyDetails === undefined ? undefined : KEY_DETAILS[keyDetails];
  if (keyDetails !== undefined && expected === undefined) {
    issues.add(
      joinPath(pkPath, 'keyDetails'),
      `must be one of ${Object.keys(KEY_DETAILS).join(', ')}, found ${JSON.stringify(keyDetails)}`,
    );
  }
  const raw = issues.string(pk, 'rawBytes', pkPath);
  let publicKey: PublicKey | undefined;
  if (raw !== undefined) {
    const at = joinPath(pkPath, 'rawBytes');
    try {
      publicKey = parsePublicKey(decodeBase64(raw, at), { field: at });
    } catch (e) {
      if (!isVouchError(e)) throw e;
      issues.add(at, `must be a base64 SPKI DER public key: ${e.message}`);
    }
  }
  if (publicKey !== undefined && expected !== undefined && publicKey.algorithm !== expected) {
    issues.add(
      joinPath(pkPath, 'rawBytes'),
      `expected a ${expected} key (keyDetails ${keyDetails}), found ${publicKey.algorithm}`,
    );
  }
  let validFor: NpmKeyValidity = {};
  const vf = pk.validFor;
  const vfPath = joinPath(pkPath, 'validFor');
  if (vf !== undefined) {
    if (!isObject(vf)) issues.add(vfPath, `must be an object, found ${describe(vf)}`);
    else {
      const start = readTime(vf, 'start', vfPath, issues);
      const end = readTime(vf, 'end', vfPath, issues);
      if (start !== undefined && end !== undefined && end < start)
        issues.add(joinPath(vfPath, 'end'), `must not be before start ${start.toISOString()}`);
      validFor = { ...(start && { start }), ...(end && { end }) };
    }
  }
  if (
    issues.issues.length !== before ||
    keyId === undefined ||
    keyUsage === undefined ||
    keyDetails === undefined ||
    publicKey === undefined
  ) {
    return undefined;
  }
  // Frozen by hand: the PublicKey is a prepared object, not JSON to deep-freeze.
  return Object.freeze({ keyId, keyUsage, keyDetails, publicKey, validFor: Object.freeze(validFor) });
}

/**
 * Parses the npm registry keys file (`{"keys":[{keyId, keyUsage, publicKey:{rawBytes, keyDetails, validFor}}]}`,
 * Sigstore TUF target `registry.npmjs.org/keys.json`). Every key must be a base64 SPKI DER key of the algorithm
 * its `keyDetails` names; `validFor` times are RFC 3339.
 *
 * @throws ParseError `ERR_MALFORMED_KEY` listing every bad path (`keys[1].publicKey.rawBytes: ...`)
 * @example
 * ```ts
 * const registry = parseNpmRegistryKeys(JSON.parse(readFileSync('npm-registry-keys.json', 'utf8')));
 * const attestationKeys = registry.keys.filter((k) => k.keyUsage === 'npm:attestations');
 * ```
 */
export function parseNpmRegistryKeys(input: unknown): NpmRegistryKeys {
  const issues = new IssueCollector();
  if (!isObject(input))
    throw new ParseError(CODE, `npm registry keys must be an object, found ${describe(input)}`);
  const list = input.keys;
  if (!Array.isArray(list)) {
    throw new ParseError(CODE, [{ path: 'keys', message: `must be an array, found ${describe(list)}` }]);
  }
  const keys = list.map((entry, i) => readKey(entry, joinPath('keys', i), issues));
  if (issues.issues.length > 0) throw new ParseError(CODE, issues.issues);
  return Object.freeze({
    keys: Object.freeze(keys.filter((k): k is NpmRegistryKey => k !== undefined)),
  });
}
