// Tests of verify-npm-package: every slsa-npm vector, the registry keys parser, and the check list.
import { createHash } from 'node:crypto';
import { isVouchError, parseTrustedRoot, type TrustedRoot, type VouchErrorCode } from '@vouch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf, parseErrorOf } from '../../../test/support/errors.js';
import { mutatedJson } from '../../../test/support/json-mutation.js';
import { expectedCodes } from '../../../test/support/slsa-sentinels.js';
import { caseFile, loadVectorSet, type VectorCase } from '../../../test/support/vectors.js';
import { type NpmRegistryKeys, parseNpmRegistryKeys, verifyNpmPackage } from '../src/npm.js';
import type { SlsaPolicy, SlsaVerification } from '../src/slsa-types.js';
import { SlsaVerificationError } from '../src/slsa-types.js';

const set = loadVectorSet('slsa-verifier');
// trusted-roots/ has no cases.json: its files are read beside the slsa-verifier set.
const trustedRoot: TrustedRoot = parseTrustedRoot(
  JSON.parse(set.text('../trusted-roots/public-good.json')) as unknown,
);
const keysJson: unknown = JSON.parse(set.text('../trusted-roots/npm-registry-keys.json'));
const npmRegistryKeys = parseNpmRegistryKeys(keysJson);
const NOW = new Date('2025-06-01T00:00:00Z');

interface CasePolicy {
  readonly sourceUri: string;
  readonly builderId?: string | null;
  readonly packageName?: string;
  readonly packageVersion?: string;
  readonly sourceBranch?: string;
  readonly sourceTag?: string;
  readonly sourceVersionedTag?: string;
}

function policyOf(c: VectorCase): SlsaPolicy {
  const p = c.policy as CasePolicy;
  return {
    sourceUri: p.sourceUri,
    ...(typeof p.builderId === 'string' && { builderId: p.builderId }),
    ...(p.packageName !== undefined && { packageName: p.packageName }),
    ...(p.packageVersion !== undefined && { packageVersion: p.packageVersion }),
    ...(p.sourceBranch !== undefined && { sourceBranch: p.sourceBranch }),
    ...(p.sourceTag !== undefined && { sourceTag: p.sourceTag }),
    ...(p.sourceVersionedTag !== undefined && { sourceVersionedTag: p.sourceVersionedTag }),
  };
}

function tarballOf(c: VectorCase) {
  const bytes = set.bytes(caseFile(c, 'tarball'));
  return {
    sha512: new Uint8Array(createHash('sha512').update(bytes).digest()),
    sha256: new Uint8Array(createHash('sha256').update(bytes).digest()),
  };
}

function outcome(run: () => SlsaVerification): {
  code: VouchErrorCode | 'pass';
  error?: SlsaVerificationError;
} {
  try {
    run();
    return { code: 'pass' };
  } catch (e) {
    if (e instanceof SlsaVerificationError) return { code: e.code, error: e };
    throw e;
  }
}

const npmCases = set.cases.filter((c) => c.kind === 'slsa-npm');

describe('verifyNpmPackage over every slsa-npm vector', () => {
  it('has the 22 cases', () => {
    expect(npmCases).toHaveLength(22);
  });

  it.each(npmCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    // Every npm case is offline and asserted without the testing switch.
    expect(c.offline).toBe(true);
    expect(c.upstreamTestingMode).toBeUndefined();
    const accepted: readonly (VouchErrorCode | 'pass')[] =
      c.expect === 'pass' ? ['pass'] : expectedCodes(String(c.expectedError));
    const tarball = tarballOf(c);
    expect(Buffer.from(tarball.sha512).toString('hex')).toBe(c.artifactSha512);
    const got = outcome(() =>
      verifyNpmPackage({
        attestations: set.json(caseFile(c, 'attestations')),
        tarball,
        trustedRoot,
        npmRegistryKeys,
        policy: policyOf(c),
        now: NOW,
      }),
    );
    expect(accepted).toContain(got.code);
    if (got.error !== undefined) {
      const first = got.error.checks.find((k) => k.status === 'fail');
      expect(first?.code).toBe(got.code);
    }
  });
});

const V1 = npmCases.find((c) => c.id === 'npm-valid-npm-cli-builder-v1-main-branch');
const V02 = npmCases.find((c) => c.id === 'npm-valid-npm-cli-builder');

function base(c: VectorCase | undefined) {
  if (c === undefined) throw new Error('the vector set lacks the base npm cases');
  return {
    attestations: set.json(caseFile(c, 'attestations')),
    tarball: tarballOf(c),
    trustedRoot,
    npmRegistryKeys,
    policy: policyOf(c),
    now: NOW,
  };
}

describe('verifyNpmPackage', () => {
  it('returns the verified builder, statement, normalized provenance, certificate and every check', () => {
    const r = verifyNpmPackage(base(V1));
    expect(r.builderId).toBe('https://github.com/actions/runner/github-hosted');
    expect(r.statement.subject[0]?.name).toBe('pkg:npm/sigstore@2.3.1');
    expect(r.provenance.slsaVersion).toBe('1');
    expect(r.provenance.sourceUri).toBe('git+https://github.com/sigstore/sigstore-js@refs/heads/main');
    expect(r.provenance.triggerUri).toBe('git+https://github.com/sigstore/sigstore-js@refs/heads/main');
    expect(r.provenance.buildTriggerPath).toBe('.github/workflows/release.yml');
    expect(r.certificate?.extensions.issuer).toBe('https://token.actions.githubusercontent.com');
    expect(r.checks.every((c) => c.status !== 'fail')).toBe(true);
    expect(r.checks.map((c) => c.id)).toEqual([
      'branch',
      'tag',
      'versioned-tag',
      'envelope',
      'envelope',
      'certificate',
      'certificate',
      'source',
      'builder',
      'build-type',
      'builder',
      'source',
      'subject',
      'workflow-inputs',
      'certificate-provenance',
      'envelope',
      'subject',
      'envelope',
      'package',
      'package',
    ]);
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('reads SLSA v0.2 npm provenance', () => {
    const r = verifyNpmPackage(base(V02));
    expect(r.provenance.slsaVersion).toBe('0.2');
    expect(r.provenance.buildType).toBe('https://github.com/npm/cli/gha/v2');
    expect(r.provenance.invocationId).toBe('4994975790-1');
  });

  it('evaluates every check and throws the first failure in slsa-verifier order', () => {
    const o = base(V1);
    const got = outcome(() =>
      verifyNpmPackage({ ...o, policy: { ...o.policy, sourceUri: 'github.com/a/b', packageName: 'other' } }),
    );
    expect(got.code).toBe('ERR_SLSA_SOURCE_MISMATCH');
    const failed = got.error?.checks.filter((c) => c.status === 'fail').map((c) => c.code);
    expect(failed).toEqual([
      'ERR_SLSA_SOURCE_MISMATCH',
      'ERR_SLSA_SOURCE_MISMATCH',
      'ERR_SLSA_PACKAGE_NAME_MISMATCH',
    ]);
  });

  it('refuses a tarball whose sha512 is not the subject', () => {
    const o = base(V1);
    const got = outcome(() => verifyNpmPackage({ ...o, tarball: { sha512: new Uint8Array(64) } }));
    expect(got.code).toBe('ERR_DIGEST_MISMATCH');
  });

  it.each([
    ['sourceBranch', 'main'],
    ['sourceTag', 'v1'],
    ['sourceVersionedTag', 'v1'],
  ])('refuses %s, which verify-npm-package does not support', (flag, value) => {
    const o = base(V1);
    expect(outcome(() => verifyNpmPackage({ ...o, policy: { ...o.policy, [flag]: value } })).code).toBe(
      'ERR_SLSA_NOT_SUPPORTED',
    );
  });

  it('accepts the self-hosted builder id only for a self-hosted runner', () => {
    const o = base(V1);
    const got = outcome(() =>
      verifyNpmPackage({
        ...o,
        policy: { ...o.policy, builderId: 'https://github.com/actions/runner/self-hosted' },
      }),
    );
    expect(got.code).toBe('ERR_SLSA_BUILDER_MISMATCH');
  });

  it('refuses workflow inputs that npm CLI provenance cannot prove', () => {
    const o = base(V1);
    const got = outcome(() =>
      verifyNpmPackage({ ...o, policy: { ...o.policy, buildWorkflowInputs: { a: 'b' } } }),
    );
    expect(got.code).toBe('ERR_MALFORMED_ENVELOPE');
  });

  it('refuses a publish attestation signed outside the registry key validity window', () => {
    const o = base(V1);
    const keys: NpmRegistryKeys = {
      keys: npmRegistryKeys.keys.map((k) => ({
        ...k,
        validFor: { start: new Date('2024-06-01T00:00:00Z') },
      })),
    };
    const got = outcome(() => verifyNpmPackage({ ...o, npmRegistryKeys: keys }));
    expect(got.code).toBe('ERR_UNTRUSTED_KEY');
  });

  it('refuses a publish attestation when no registry key has the attestations usage', () => {
    const o = base(V1);
    const keys: NpmRegistryKeys = {
      keys: npmRegistryKeys.keys.filter((k) => k.keyUsage !== 'npm:attestations'),
    };
    expect(outcome(() => verifyNpmPackage({ ...o, npmRegistryKeys: keys })).code).toBe('ERR_UNTRUSTED_KEY');
  });

  it.each([
    ['not an object', 42],
    ['no attestations', { attestations: [] }],
    ['one attestation', { attestations: [{ predicateType: 'https://slsa.dev/provenance/v1', bundle: {} }] }],
    [
      'no publish attestation',
      {
        attestations: [
          { predicateType: 'https://slsa.dev/provenance/v1', bundle: {} },
          { predicateType: 'https://example.com/x', bundle: {} },
        ],
      },
    ],
  ])('refuses an attestations document with %s', (_what, attestations) => {
    expect(outcome(() => verifyNpmPackage({ ...base(V1), attestations })).code).toBe('ERR_MALFORMED_BUNDLE');
  });

  it('ends mutated attestations documents in a VouchError or a value, never another exception', () => {
    const docs = [base(V1).attestations, base(V02).attestations];
    const o = base(V1);
    fc.assert(
      fc.property(mutatedJson(docs, fc.jsonValue({ maxDepth: 2 })), (attestations) => {
        expect(outcomeOf(() => verifyNpmPackage({ ...o, attestations }))).toMatch(/^(value|error)$/);
      }),
      // Each run verifies two Sigstore bundles (certificate chain, log entries): kept few to stay fast.
      { numRuns: 300 },
    );
  });
});

describe('parseNpmRegistryKeys', () => {
  it('reads the registry keys file', () => {
    expect(npmRegistryKeys.keys).toHaveLength(4);
    const k = npmRegistryKeys.keys[1];
    expect(k?.keyId).toBe('SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA');
    expect(k?.keyUsage).toBe('npm:attestations');
    expect(k?.publicKey.algorithm).toBe('ecdsa-p256');
    expect(k?.validFor.end?.toISOString()).toBe('2025-01-29T00:00:00.000Z');
    expect(npmRegistryKeys.keys[3]?.validFor.end).toBeUndefined();
    expect(Object.isFrozen(npmRegistryKeys.keys)).toBe(true);
  });

  it('lists every bad path', () => {
    const e = parseErrorOf(() =>
      parseNpmRegistryKeys({
        keys: [
          {
            keyId: 1,
            keyUsage: 'npm:attestations',
            publicKey: { rawBytes: 'AAAA', keyDetails: 'PKIX_ECDSA_P256_SHA_256' },
          },
          {
            keyId: 'k',
            keyUsage: 'x',
            publicKey: { rawBytes: 'AAAA', keyDetails: 'RSA', validFor: { start: 'yesterday' } },
          },
        ],
      }),
    );
    expect(e.code).toBe('ERR_MALFORMED_KEY');
    expect(e.issues.map((i) => i.path)).toEqual([
      'keys[0].keyId',
      'keys[0].publicKey.rawBytes',
      'keys[1].publicKey.keyDetails',
      'keys[1].publicKey.rawBytes',
      'keys[1].publicKey.validFor.start',
    ]);
  });

  it('refuses a key whose algorithm is not the one keyDetails names', () => {
    const input = structuredClone(keysJson) as { keys: { publicKey: { keyDetails: string } }[] };
    const first = input.keys[0];
    if (first !== undefined) first.publicKey.keyDetails = 'PKIX_ECDSA_P384_SHA_384';
    expect(parseErrorOf(() => parseNpmRegistryKeys(input)).issues[0]?.path).toBe(
      'keys[0].publicKey.rawBytes',
    );
  });

  it('ends random input in a VouchError or a value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (input) => {
        expect(outcomeOf(() => parseNpmRegistryKeys(input))).toMatch(/^(value|error)$/);
      }),
      { numRuns: 10_000 },
    );
  });

  it('ends mutated valid input in a VouchError or a value', () => {
    fc.assert(
      fc.property(mutatedJson([keysJson], fc.jsonValue({ maxDepth: 2 })), (input) => {
        try {
          parseNpmRegistryKeys(input);
        } catch (e) {
          if (!isVouchError(e)) throw e;
          expect(e.code).toBe('ERR_MALFORMED_KEY');
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
