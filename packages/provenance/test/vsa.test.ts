// Unit, round-trip and property tests of SLSA VSA parsing, `verify-vsa` checks and VSA creation.
import {
  type Digest,
  parseDigest,
  parseStatement,
  parseStatementJson,
  type Statement,
  serializeStatement,
} from '@vouch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, outcomeOf, parseErrorOf } from '../../../test/support/errors.js';
import { mutatedJson } from '../../../test/support/json-mutation.js';
import { SlsaVerificationError } from '../src/slsa-types.js';
import {
  type CreateVsaOptions,
  createVsa,
  parseVsa,
  parseVsaV1,
  parseVsaV02,
  type VerifyVsaOptions,
  VSA_V1_PREDICATE_TYPE,
  VSA_V02_PREDICATE_TYPE,
  verifyVsa,
} from '../src/vsa.js';

const HEX = 'ab'.repeat(32);
const OTHER_HEX = 'cd'.repeat(32);
const DIGEST: Digest = parseDigest(`sha256:${HEX}`);
const VERIFIER = 'https://example.com/verifier/v1';
const RESOURCE = 'pkg:oci/app?repository_url=ghcr.io/o/app';

function validV1(): Record<string, unknown> {
  return {
    verifier: { id: VERIFIER, version: { vouch: '0.1.0' } },
    timeVerified: '2024-06-12T07:24:34.351608Z',
    resourceUri: RESOURCE,
    policy: { uri: 'https://example.com/policy.yaml', digest: { sha256: HEX } },
    inputAttestations: [{ uri: 'https://example.com/p.intoto.jsonl', digest: { sha256: OTHER_HEX } }],
    verificationResult: 'PASSED',
    verifiedLevels: ['SLSA_BUILD_LEVEL_3', 'BCID_L1'],
    dependencyLevels: { SLSA_BUILD_LEVEL_3: 5 },
    slsaVersion: '1.0',
  };
}

function validV02(): Record<string, unknown> {
  return {
    verifier: { id: VERIFIER },
    time_verified: '1985-04-12T23:20:50.52Z',
    resource_uri: 'https://example.com/example-1.2.3.tar.gz',
    policy: { uri: 'https://example.com/example_tarball.policy', digest: { sha256: HEX } },
    input_attestations: [{ uri: 'https://example.com/p.intoto.jsonl', digest: { sha256: OTHER_HEX } }],
    verification_result: 'PASSED',
    policy_level: 'SLSA_LEVEL_3',
    dependency_levels: { SLSA_LEVEL_4: 1, SLSA_LEVEL_3: 5 },
  };
}

function statementOf(
  predicate: unknown,
  predicateType = VSA_V1_PREDICATE_TYPE,
  digest: Readonly<Record<string, string>> = { sha256: HEX },
): Statement {
  return parseStatement({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app', digest }],
    predicateType,
    predicate,
  });
}

function paths(parse: (p: unknown) => unknown, p: unknown): string[] {
  return parseErrorOf(() => parse(p)).issues.map((i) => i.path);
}

describe('parseVsaV1', () => {
  it('reads a full predicate into a frozen typed value, unknown fields kept in raw', () => {
    const input = { ...validV1(), 'https://example.com/ext': 1 };
    const vsa = parseVsaV1(input);
    expect(vsa.version).toBe('1');
    expect(vsa.predicateType).toBe(VSA_V1_PREDICATE_TYPE);
    expect(vsa.verifier).toEqual({ id: VERIFIER, version: { vouch: '0.1.0' } });
    expect(vsa.timeVerified).toBe('2024-06-12T07:24:34.351608Z');
    expect(vsa.resourceUri).toBe(RESOURCE);
    expect(vsa.policy?.digest?.sha256).toBe(HEX);
    expect(vsa.inputAttestations?.[0]?.digest?.sha256).toBe(OTHER_HEX);
    expect(vsa.verificationResult).toBe('PASSED');
    expect(vsa.verifiedLevels).toEqual(['SLSA_BUILD_LEVEL_3', 'BCID_L1']);
    expect(vsa.dependencyLevels).toEqual({ SLSA_BUILD_LEVEL_3: 5 });
    expect(vsa.slsaVersion).toBe('1.0');
    expect(vsa.raw['https://example.com/ext']).toBe(1);
    expect(Object.isFrozen(vsa)).toBe(true);
    expect(Object.isFrozen(vsa.verifiedLevels)).toBe(true);
    expect(Object.isFrozen(vsa.verifier)).toBe(true);
    expect(Object.isFrozen(input)).toBe(false);
  });

  it('accepts the minimal VSA slsa-verifier accepts (no policy, time or levels)', () => {
    const vsa = parseVsaV1({
      verifier: { id: VERIFIER },
      resourceUri: RESOURCE,
      verificationResult: 'FAILED',
    });
    expect(vsa.verifiedLevels).toEqual([]);
    expect(vsa.policy).toBeUndefined();
    expect(vsa.timeVerified).toBeUndefined();
    expect(vsa.verificationResult).toBe('FAILED');
  });

  it('names every bad path at once', () => {
    expect(
      paths(parseVsaV1, {
        verifier: { id: '', version: { a: 1 } },
        timeVerified: '2024-02-30T00:00:00Z',
        resourceUri: 7,
        policy: { digest: { sha256: HEX } },
        inputAttestations: [{ uri: 'x' }, { digest: { sha256: 'XYZ' } }],
        verificationResult: 'passed',
        verifiedLevels: ['SLSA_BUILD_LEVEL_1', 2],
        dependencyLevels: { SLSA_BUILD_LEVEL_1: -1, SLSA_BUILD_LEVEL_2: 1.5 },
        slsaVersion: 1,
      }),
    ).toEqual([
      'verifier.id',
      'verifier.version.a',
      'timeVerified',
      'resourceUri',
      'policy.uri',
      'inputAttestations[0].digest',
      'inputAttestations[1].digest.sha256',
      'verificationResult',
      'dependencyLevels.SLSA_BUILD_LEVEL_1',
      'dependencyLevels.SLSA_BUILD_LEVEL_2',
      'verifiedLevels[1]',
      'slsaVersion',
    ]);
  });

  it('refuses missing required fields and wrong containers, with ERR_MALFORMED_PREDICATE', () => {
    const e = parseErrorOf(() => parseVsaV1({}));
    expect(e.code).toBe('ERR_MALFORMED_PREDICATE');
    expect(e.issues.map((i) => i.path)).toEqual(['verifier', 'resourceUri', 'verificationResult']);
    expect(e.message).toContain('verificationResult: must be "PASSED" or "FAILED", found nothing');
    expect(
      paths(parseVsaV1, { ...validV1(), verifier: 'x', verifiedLevels: {}, inputAttestations: {} }),
    ).toEqual(['verifier', 'inputAttestations', 'verifiedLevels']);
    for (const bad of [null, [], 'vsa', 3]) expect(paths(parseVsaV1, bad)).toEqual(['']);
    expect(paths(parseVsaV1, { ...validV1(), timeVerified: '2024-06-12 07:24:34Z' })).toEqual([
      'timeVerified',
    ]);
  });

  it('reads null optional fields as absent, as Go decoding does', () => {
    const vsa = parseVsaV1({ ...validV1(), policy: null, timeVerified: null, verifiedLevels: null });
    expect(vsa.policy).toBeUndefined();
    expect(vsa.verifiedLevels).toEqual([]);
  });
});

describe('parseVsaV02', () => {
  it('reads the snake_case v0.2 predicate into the same shape', () => {
    const vsa = parseVsaV02(validV02());
    expect(vsa.version).toBe('0.2');
    expect(vsa.predicateType).toBe(VSA_V02_PREDICATE_TYPE);
    expect(vsa.timeVerified).toBe('1985-04-12T23:20:50.52Z');
    expect(vsa.resourceUri).toBe('https://example.com/example-1.2.3.tar.gz');
    expect(vsa.policyLevel).toBe('SLSA_LEVEL_3');
    expect(vsa.inputAttestations?.length).toBe(1);
    expect(vsa.dependencyLevels).toEqual({ SLSA_LEVEL_4: 1, SLSA_LEVEL_3: 5 });
    expect(vsa.verifiedLevels).toBeUndefined();
    expect(Object.isFrozen(vsa.dependencyLevels)).toBe(true);
  });

  it('requires time_verified, policy and policy_level, and does not read v1 names', () => {
    expect(paths(parseVsaV02, { verifier: { id: VERIFIER } })).toEqual([
      'time_verified',
      'resource_uri',
      'policy',
      'verification_result',
      'policy_level',
    ]);
    expect(
      paths(parseVsaV02, {
        ...validV02(),
        policy: { uri: '', digest: { sha256: HEX } },
        input_attestations: [{}],
      }),
    ).toEqual(['policy.uri', 'input_attestations[0]']);
  });
});

describe('parseVsa', () => {
  it('dispatches on the predicate type and refuses others with ERR_PREDICATE_TYPE', () => {
    expect(parseVsa(statementOf(validV1())).version).toBe('1');
    expect(parseVsa(statementOf(validV02(), VSA_V02_PREDICATE_TYPE)).version).toBe('0.2');
    const e = parseErrorOf(() => parseVsa(statementOf(validV1(), 'https://slsa.dev/provenance/v1')));
    expect(e.code).toBe('ERR_PREDICATE_TYPE');
    expect(e.issues[0]?.path).toBe('predicateType');
  });
});

function verifyOptions(statement: Statement, over: Partial<VerifyVsaOptions> = {}): VerifyVsaOptions {
  return {
    statement,
    subjectDigests: [DIGEST],
    verifierId: VERIFIER,
    resourceUri: RESOURCE,
    verifiedLevels: ['SLSA_BUILD_LEVEL_2', 'BCID_L1'],
    ...over,
  };
}

function failureOf(run: () => unknown): SlsaVerificationError {
  try {
    run();
  } catch (e) {
    if (e instanceof SlsaVerificationError) return e;
    throw e;
  }
  throw new Error('expected a SlsaVerificationError, nothing was thrown');
}

describe('verifyVsa', () => {
  it('passes and reports every check in slsa-verifier order', () => {
    const { vsa, checks } = verifyVsa(verifyOptions(statementOf(validV1())));
    expect(vsa.verifier.id).toBe(VERIFIER);
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['vsa', 'pass'],
      ['subject', 'pass'],
      ['vsa', 'pass'],
      ['vsa', 'pass'],
      ['vsa', 'pass'],
      ['vsa', 'pass'],
    ]);
    expect(Object.isFrozen(checks)).toBe(true);
  });

  it("verifies upstream's example VSA (custom digest type, BCID property)", () => {
    const statement = statementOf(
      {
        timeVerified: '2024-06-12T07:24:34.351608Z',
        verifier: { id: 'https://bcid.corp.google.com/verifier/bcid_package_enforcer/v0.1' },
        verificationResult: 'PASSED',
        verifiedLevels: ['BCID_L1', 'SLSA_BUILD_LEVEL_2'],
        resourceUri: 'gce_image://gke-node-images:gke-12615',
        policy: { uri: 'googlefile:/google_src/files/642513192/vm_images.sw_policy.textproto' },
      },
      VSA_V1_PREDICATE_TYPE,
      { gce_image_id: '8970095005306000053' },
    );
    const result = verifyVsa({
      statement,
      subjectDigests: [{ algorithm: 'gce_image_id', hex: '8970095005306000053' }],
      verifierId: 'https://bcid.corp.google.com/verifier/bcid_package_enforcer/v0.1',
      resourceUri: 'gce_image://gke-node-images:gke-12615',
      verifiedLevels: ['BCID_L1', 'SLSA_BUILD_LEVEL_2'],
    });
    expect(result.checks.every((c) => c.status === 'pass')).toBe(true);
  });

  // Upstream's Test_matchVerifiedLevels and Test_extractSLSALevels tables, as [VSA levels, expected, passes].
  const levelCases: [string[], string[], boolean][] = [
    [
      ['SLSA_BUILD_LEVEL_1', 'SLSA_SOURCE_LEVEL_2', 'BCID_L1'],
      ['SLSA_BUILD_LEVEL_1', 'SLSA_SOURCE_LEVEL_2', 'BCID_L1'],
      true,
    ],
    [
      ['SLSA_BUILD_LEVEL_1', 'SLSA_SOURCE_LEVEL_2', 'BCID_L1'],
      ['SLSA_BUILD_LEVEL_0', 'SLSA_SOURCE_LEVEL_2', 'BCID_L1'],
      true,
    ],
    [['SLSA_BUILD_LEVEL_1', 'SLSA_SOURCE_LEVEL_2', 'BCID_L1'], [], true],
    [['BCID_L1'], [], true],
    [[], [], true],
    [['SLSA_BUILD_LEVEL_3'], ['SLSA_BUILD_LEVEL_2'], true],
    [['SLSA_BUILD_LEVEL_1', 'SLSA_BUILD_LEVEL_3'], ['SLSA_BUILD_LEVEL_3'], true],
    [
      ['SLSA_BUILD_LEVEL_1', 'SLSA_SOURCE_LEVEL_2', 'BCID_L1'],
      ['SLSA_BUILD_LEVEL_2', 'SLSA_SOURCE_LEVEL_2', 'BCID_L1'],
      false,
    ],
    [['SLSA_BUILD_LEVEL_2', 'BCID_L1'], ['SLSA_BUILD_LEVEL_2', 'SLSA_SOURCE_LEVEL_2', 'BCID_L1'], false],
    [['SLSA_BUILD_LEVEL_2'], ['SLSA_BUILD_LEVEL_2', 'BCID_L1'], false],
    [['SLSA_SOURCE_LEVEL_3'], ['SLSA_BUILD_LEVEL_1'], false],
    [['BCID_L2'], ['BCID_L1'], false],
    [['SLSA_BUILD_LEVEL_X'], [], false],
    [['SLSA_BUILD_L_1'], [], false],
    [['SLSA_BUILD_LEVEL_'], [], false],
    [['SLSA_BUILD_LEVEL'], [], false],
    [['SLSA_BUILD_LEVEL_3'], ['SLSA_BUILD_LEVEL_X'], false],
  ];
  it.each(levelCases)('levels %j against expected %j → pass %s', (got, wanted, passes) => {
    const statement = statementOf({ ...validV1(), verifiedLevels: got });
    const run = (): unknown => verifyVsa(verifyOptions(statement, { verifiedLevels: wanted }));
    if (passes) expect(outcomeOf(run)).toBe('value');
    else {
      const e = failureOf(run);
      expect(e.code).toBe('ERR_VSA_MISMATCH');
      expect(e.checks.at(-1)?.status).toBe('fail');
    }
  });

  it('refuses another predicate type with ERR_PREDICATE_TYPE (v0.2 too, as upstream), skipping what it cannot read', () => {
    for (const type of ['https://slsa.dev/provenance/v1', VSA_V02_PREDICATE_TYPE]) {
      const e = failureOf(() => verifyVsa(verifyOptions(statementOf(validV1(), type))));
      expect(e.code).toBe('ERR_PREDICATE_TYPE');
      expect(e.checks.map((c) => c.status)).toEqual(['fail', 'pass', 'skip', 'skip', 'skip', 'skip']);
    }
  });

  it('refuses a malformed predicate with ERR_MALFORMED_PREDICATE, keeping the parse error as cause', () => {
    const e = failureOf(() => verifyVsa(verifyOptions(statementOf({ ...validV1(), verifier: { id: '' } }))));
    expect(e.code).toBe('ERR_MALFORMED_PREDICATE');
    expect(e.message).toContain('verifier.id');
    expect(e.cause).toBeDefined();
  });

  it('reports every failure and throws the first in upstream order', () => {
    const statement = statementOf({ ...validV1(), verificationResult: 'FAILED', resourceUri: 'other' });
    const e = failureOf(() =>
      verifyVsa(verifyOptions(statement, { subjectDigests: [DIGEST, parseDigest(`sha256:${OTHER_HEX}`)] })),
    );
    expect(e.code).toBe('ERR_DIGEST_MISMATCH');
    expect(e.checks.map((c) => [c.id, c.status, c.code])).toEqual([
      ['vsa', 'pass', undefined],
      ['subject', 'pass', undefined],
      ['subject', 'fail', 'ERR_DIGEST_MISMATCH'],
      ['vsa', 'pass', undefined],
      ['vsa', 'fail', 'ERR_VSA_MISMATCH'],
      ['vsa', 'fail', 'ERR_VSA_MISMATCH'],
      ['vsa', 'pass', undefined],
    ]);
  });

  it('requires at least one subject digest and non-empty expectations', async () => {
    const statement = statementOf(validV1());
    expect(await codeOf(() => verifyVsa(verifyOptions(statement, { subjectDigests: [] })))).toBe('ERR_USAGE');
    expect(await codeOf(() => verifyVsa(verifyOptions(statement, { verifierId: '' })))).toBe('ERR_USAGE');
    expect(await codeOf(() => verifyVsa(verifyOptions(statement, { resourceUri: '' })))).toBe('ERR_USAGE');
  });
});

describe('createVsa → serializeStatement → parseStatementJson → verifyVsa', () => {
  const base: CreateVsaOptions = {
    subject: [{ name: 'ghcr.io/o/app', digest: DIGEST }],
    verifierId: VERIFIER,
    resourceUri: RESOURCE,
    timeVerified: new Date('2025-01-02T03:04:05.678Z'),
    policy: { uri: 'https://example.com/policy.yaml', digest: { sha256: OTHER_HEX } },
    inputAttestations: [{ uri: 'oci://ghcr.io/o/app:sha256-ab.att', digest: { sha256: OTHER_HEX } }],
    verifiedLevels: ['SLSA_BUILD_LEVEL_3', 'VOUCH_POLICY_PASSED'],
    result: 'PASSED',
  };
  const roundTrip = (options: CreateVsaOptions): Statement =>
    parseStatementJson(serializeStatement(createVsa(options)));

  it('builds a Statement v1 whose VSA verifies', () => {
    const json = createVsa(base);
    expect(json._type).toBe('https://in-toto.io/Statement/v1');
    expect(json.predicateType).toBe(VSA_V1_PREDICATE_TYPE);
    expect(json.subject).toEqual([{ name: 'ghcr.io/o/app', digest: { sha256: HEX } }]);
    expect(json.predicate.timeVerified).toBe('2025-01-02T03:04:05.678Z');
    expect(json.predicate.slsaVersion).toBe('1.0');
    expect(Object.isFrozen(json)).toBe(true);
    const { vsa, checks } = verifyVsa(
      verifyOptions(roundTrip(base), { verifiedLevels: ['SLSA_BUILD_LEVEL_2'] }),
    );
    expect(vsa.inputAttestations?.[0]?.uri).toBe('oci://ghcr.io/o/app:sha256-ab.att');
    expect(vsa.policy?.digest?.sha256).toBe(OTHER_HEX);
    expect(checks.every((c) => c.status === 'pass')).toBe(true);
  });

  it('builds without a policy or a subject name', () => {
    const { policy: _policy, ...rest } = base;
    const statement = roundTrip({ ...rest, subject: [{ digest: DIGEST }], inputAttestations: [] });
    expect(verifyVsa(verifyOptions(statement, { verifiedLevels: [] })).vsa.policy).toBeUndefined();
  });

  const mismatches: [string, Partial<CreateVsaOptions>, Partial<VerifyVsaOptions>, string][] = [
    ['subject', {}, { subjectDigests: [parseDigest(`sha256:${OTHER_HEX}`)] }, 'ERR_DIGEST_MISMATCH'],
    [
      'subject algorithm',
      {},
      { subjectDigests: [parseDigest(`sha512:${'ab'.repeat(64)}`)] },
      'ERR_DIGEST_MISMATCH',
    ],
    ['verifier', { verifierId: 'https://evil.example/verifier' }, {}, 'ERR_VSA_MISMATCH'],
    ['resource', {}, { resourceUri: `${RESOURCE}x` }, 'ERR_VSA_MISMATCH'],
    ['result', { result: 'FAILED' }, {}, 'ERR_VSA_MISMATCH'],
    [
      'level',
      { verifiedLevels: ['SLSA_BUILD_LEVEL_1'] },
      { verifiedLevels: ['SLSA_BUILD_LEVEL_2'] },
      'ERR_VSA_MISMATCH',
    ],
    ['property', {}, { verifiedLevels: ['OTHER_PROPERTY'] }, 'ERR_VSA_MISMATCH'],
  ];
  it.each(mismatches)('refuses a %s mismatch', (_name, create, verify, code) => {
    const statement = roundTrip({ ...base, ...create });
    const e = failureOf(() =>
      verifyVsa(verifyOptions(statement, { verifiedLevels: ['SLSA_BUILD_LEVEL_2'], ...verify })),
    );
    expect(e.code).toBe(code);
    expect(e.checks.filter((c) => c.status === 'fail')).toHaveLength(1);
  });

  it('never emits a malformed VSA', async () => {
    expect(await codeOf(() => createVsa({ ...base, verifierId: '' }))).toBe('ERR_MALFORMED_PREDICATE');
    expect(await codeOf(() => createVsa({ ...base, inputAttestations: [{ digest: { sha256: 'x' } }] }))).toBe(
      'ERR_MALFORMED_PREDICATE',
    );
    expect(await codeOf(() => createVsa({ ...base, timeVerified: new Date(Number.NaN) }))).toBe('ERR_USAGE');
    expect(await codeOf(() => createVsa({ ...base, timeVerified: new Date(Date.UTC(10000, 0)) }))).toBe(
      'ERR_MALFORMED_PREDICATE',
    );
    expect(await codeOf(() => createVsa({ ...base, subject: [] }))).toBe('ERR_MALFORMED_STATEMENT');
  });
});

describe('VSA parser properties', () => {
  const parsers = [parseVsaV1, parseVsaV02];
  const replacements = fc.option(
    fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(
        '',
        'PASSED',
        'FAILED',
        '2024-01-01T00:00:00Z',
        'SLSA_BUILD_LEVEL_',
        {},
        [],
        null,
        -1,
        1.5,
      ),
    ),
    { nil: undefined },
  );

  it('random JSON ends in a value or an ERR_ code', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...parsers), (v, parse) => void outcomeOf(() => parse(v))),
      { numRuns: 10_000 },
    );
  });

  it('mutated valid predicates end in a frozen value or an ERR_MALFORMED_PREDICATE naming a path', () => {
    fc.assert(
      fc.property(
        mutatedJson([validV1(), validV02()], replacements),
        fc.constantFrom(...parsers),
        (v, parse) => {
          try {
            const vsa = parse(v);
            expect(Object.isFrozen(vsa)).toBe(true);
            expect(typeof vsa.verifier.id).toBe('string');
            expect(['PASSED', 'FAILED']).toContain(vsa.verificationResult);
          } catch (e) {
            const pe = parseErrorOf(() => {
              throw e;
            });
            expect(pe.code).toBe('ERR_MALFORMED_PREDICATE');
            expect(pe.issues.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('verifyVsa on mutated valid statements returns or throws a VouchError', () => {
    fc.assert(
      fc.property(mutatedJson([validV1()], replacements), (v) => {
        let statement: Statement;
        try {
          statement = statementOf(v);
        } catch {
          return;
        }
        void outcomeOf(() => verifyVsa(verifyOptions(statement)));
      }),
      { numRuns: 10_000 },
    );
  });
});
