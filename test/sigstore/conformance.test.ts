// Every case of the Sigstore conformance bundle-verify corpus, in process through the API (file and digest modes)
// and through the built `vouch-conformance` bin (file mode), each failure with the code recorded below.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVouchError, loadPublicKey, verifyBundle } from 'vouch';
import { CONFORMANCE_BIN } from '../support/bins.js';
import { caseFile, loadVectorSet, type VectorCase } from '../support/vectors.js';

const set = loadVectorSet('sigstore-conformance');
const NOW = new Date('2026-11-24T00:00:00Z');

/** Why each failing case fails: the code vouch must give (the first check that fails, in vouch's order). */
const EXPECTED_CODE: Readonly<Record<string, string>> = {
  'bundle-empty-certificate-chain_fail': 'ERR_MALFORMED_BUNDLE',
  'bundle-from-wrong-instance_fail': 'ERR_CERTIFICATE_CHAIN',
  'bundle-invalid-base64-signature_fail': 'ERR_MALFORMED_BUNDLE',
  'bundle-malformed-json_fail': 'ERR_MALFORMED_BUNDLE',
  'bundle-negative-log-index_fail': 'ERR_MALFORMED_BUNDLE',
  'bundle-unknown-version_fail': 'ERR_UNSUPPORTED_MEDIA_TYPE',
  'bundle-with-root-cert_fail': 'ERR_CERTIFICATE_CHAIN',
  'checkpoint-bad-keyhint_fail': 'ERR_TLOG_CHECKPOINT',
  'checkpoint-wrong-roothash_fail': 'ERR_TLOG_CHECKPOINT',
  'dsse-invalid-sig_fail': 'ERR_SIGNATURE_INVALID',
  'dsse-mismatch-envelope_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'dsse-mismatch-sig_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'inclusion-proof-corrupted-hash_fail': 'ERR_TLOG_INCLUSION_PROOF',
  'incorrect-public-key_fail': 'ERR_TLOG_SET_INVALID',
  'integrated-time-in-future_fail': 'ERR_CERTIFICATE_VALIDITY',
  'intoto-expired-certificate_fail': 'ERR_CERTIFICATE_VALIDITY',
  'intoto-log-entry-mismatch_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'intoto-missing-inclusion-proof_fail': 'ERR_MALFORMED_BUNDLE',
  'intoto-set-outside-signing-cert-validity_fail': 'ERR_CERTIFICATE_VALIDITY',
  'intoto-tsa-timestamp-outside-cert-validity_fail': 'ERR_CERTIFICATE_VALIDITY',
  'invalid-checkpoint-signature_fail': 'ERR_TLOG_CHECKPOINT',
  'invalid-ct-key_fail': 'ERR_SCT_INVALID',
  'invalid-inclusion-proof_fail': 'ERR_MALFORMED_BUNDLE',
  'managed-key-no-key_fail': 'ERR_UNTRUSTED_KEY',
  'managed-key-wrong-key_fail': 'ERR_MALFORMED_KEY',
  'message-digest-mismatch_fail': 'ERR_DIGEST_MISMATCH',
  'rekor2-checkpoint-missing-log-signature_fail': 'ERR_TLOG_CHECKPOINT',
  'rekor2-checkpoint-missing-origin_fail': 'ERR_TLOG_CHECKPOINT',
  'rekor2-checkpoint-missing-root-hash_fail': 'ERR_TLOG_CHECKPOINT',
  'rekor2-checkpoint-missing-size_fail': 'ERR_TLOG_CHECKPOINT',
  'rekor2-checkpoint-no-matching-signature_fail': 'ERR_TLOG_CHECKPOINT',
  'rekor2-dsse-invalid-sig_fail': 'ERR_SIGNATURE_INVALID',
  'rekor2-dsse-mismatch-envelope_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'rekor2-dsse-mismatch-sig_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'rekor2-no-inclusion-proof_fail': 'ERR_MALFORMED_BUNDLE',
  'rekor2-no-timestamp_fail': 'ERR_TIME_SOURCE_MISSING',
  'rekor2-timestamp-outside-trust-root-tsa-validity_fail': 'ERR_TIMESTAMP_INVALID',
  'rekor2-timestamp-outside-tsa-cert-validity_fail': 'ERR_TIMESTAMP_INVALID',
  'rekor2-timestamp-payload-mismatch_fail': 'ERR_TIMESTAMP_INVALID',
  'rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail': 'ERR_TIMESTAMP_INVALID',
  'rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail': 'ERR_TIMESTAMP_INVALID',
  'rekor2-timestamp-with-incorrect-time_fail': 'ERR_CERTIFICATE_VALIDITY',
  'set-invalid-signature_fail': 'ERR_TLOG_SET_INVALID',
  'signature-mismatch_fail': 'ERR_SIGNATURE_INVALID',
  'trust-root-tlog-missing-validity-start_fail': 'ERR_MALFORMED_TRUSTED_ROOT',
  'wrong-hashedrekord-artifact_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'wrong-hashedrekord-cert-and-sig_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'wrong-hashedrekord-entry_fail': 'ERR_TLOG_ENTRY_MISMATCH',
  'wrong-material_fail': 'ERR_SIGNATURE_INVALID',
};

function optionalFile(c: VectorCase, key: string): string | undefined {
  const f = c.files[key];
  const path = typeof f === 'string' ? f : f?.path;
  return typeof path === 'string' ? join(set.dir, path) : undefined;
}

function caseInputs(c: VectorCase) {
  const bundle = join(set.dir, caseFile(c, 'bundle'));
  const artifact = join(set.dir, caseFile(c, 'artifact'));
  const trustedRoot = optionalFile(c, 'trustedRoot');
  const key = optionalFile(c, 'key');
  const identity = typeof c.identity === 'string' ? c.identity : undefined;
  const issuer = typeof c.issuer === 'string' ? c.issuer : undefined;
  const digest = `sha256:${String(c.artifactSha256)}`;
  return { bundle, artifact, trustedRoot, key, identity, issuer, digest };
}

async function verifyInProcess(c: VectorCase, mode: 'file' | 'digest'): Promise<string> {
  const i = caseInputs(c);
  try {
    await verifyBundle({
      bundle: i.bundle,
      artifact: mode === 'file' ? { path: i.artifact } : { digest: i.digest },
      now: NOW,
      ...(i.trustedRoot === undefined ? {} : { trustedRoot: i.trustedRoot }),
      ...(i.key === undefined
        ? {
            identity: {
              ...(i.identity === undefined ? {} : { subjectAlternativeName: { exact: i.identity } }),
              ...(i.issuer === undefined ? {} : { issuer: { exact: i.issuer } }),
            },
          }
        : { keys: [await loadPublicKey({ path: i.key })], tlogThreshold: 1 }),
    });
    return 'pass';
  } catch (e) {
    if (isVouchError(e)) return e.code;
    throw e;
  }
}

function runBin(argv: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CONFORMANCE_BIN, ...argv],
      { env: { PATH: process.env.PATH ?? '' } },
      (error, _stdout, stderr) => {
        done({
          code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
          stderr: String(stderr),
        });
      },
    );
  });
}

describe('sigstore-conformance bundle-verify', () => {
  it('covers every case, and records a code for every failing one', () => {
    expect(set.cases).toHaveLength(70);
    const failing = set.cases.filter((c) => c.expect === 'fail').map((c) => c.id);
    expect(Object.keys(EXPECTED_CODE).sort()).toEqual(failing.sort());
  });

  for (const c of set.cases) {
    const modes =
      Array.isArray(c.verifyModes) && c.verifyModes.includes('artifact-sha256-digest')
        ? (['file', 'digest'] as const)
        : (['file'] as const);
    for (const mode of modes) {
      it(`${c.id} (${mode}) → ${c.expect === 'pass' ? 'pass' : EXPECTED_CODE[c.id]}`, async () => {
        expect(await verifyInProcess(c, mode)).toBe(c.expect === 'pass' ? 'pass' : EXPECTED_CODE[c.id]);
      });
    }
  }
});

describe('vouch-conformance (built bin)', () => {
  it.each(set.cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    if (!existsSync(CONFORMANCE_BIN)) throw new Error(`${CONFORMANCE_BIN} is missing: build first`);
    const i = caseInputs(c);
    const argv = [
      'verify-bundle',
      '--bundle',
      i.bundle,
      ...(i.key === undefined
        ? ['--certificate-identity', i.identity ?? '', '--certificate-oidc-issuer', i.issuer ?? '']
        : ['--key', i.key]),
      ...(i.trustedRoot === undefined ? [] : ['--trusted-root', i.trustedRoot]),
      i.artifact,
    ];
    const r = await runBin(argv);
    if (c.expect === 'pass') expect(r.code, r.stderr).toBe(0);
    else {
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr).toContain(`[${EXPECTED_CODE[c.id]}]`);
    }
  });
});
