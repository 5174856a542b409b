// Unit and property tests of predicate recognition: each kind by its predicateType, parse errors with paths.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COSIGN_SIGN_PREDICATE_TYPE, isVouchError, parseStatement, type Statement } from '@vouch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf, parseErrorOf } from '../../../test/support/errors.js';
import { mutatedJson } from '../../../test/support/json-mutation.js';
import { loadVectorSet } from '../../../test/support/vectors.js';
import { PREDICATE_TYPE_NAMES } from '../src/predicate-types.js';
import { type ParsedPredicate, parsePredicate } from '../src/predicates.js';
import { INTOTO_PROVENANCE_V01_PREDICATE_TYPE } from '../src/slsa-v02.js';
import { VSA_V02_PREDICATE_TYPE } from '../src/vsa.js';

const HEX = 'ab'.repeat(32);

const SLSA_V1: unknown = JSON.parse(
  readFileSync(
    join(loadVectorSet('in-toto-attestation').dir, 'go-validation/slsa-v1-predicate-valid.json'),
    'utf8',
  ),
);

const SLSA_V02 = {
  builder: { id: 'https://github.com/o/b/.github/workflows/b.yml@refs/tags/v1.0.0' },
  buildType: 'https://github.com/slsa-framework/slsa-github-generator/generic@v1',
  invocation: { configSource: { uri: 'git+https://github.com/o/r@refs/heads/main', entryPoint: 'w.yml' } },
  materials: [{ uri: 'git+https://github.com/o/r@refs/heads/main', digest: { sha1: 'a'.repeat(40) } }],
};

const VSA_V1 = {
  verifier: { id: 'https://example.com/verifier/v1' },
  timeVerified: '2024-06-12T07:24:34Z',
  resourceUri: 'pkg:oci/app',
  policy: { uri: 'https://example.com/policy.yaml' },
  verificationResult: 'PASSED',
  verifiedLevels: ['SLSA_BUILD_LEVEL_3'],
};

function statement(predicateType: string, predicate: unknown): Statement {
  return parseStatement({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app', digest: { sha256: HEX } }],
    predicateType,
    predicate,
  });
}

function kindOf(predicateType: string, predicate: unknown = { a: 1 }): ParsedPredicate['kind'] {
  return parsePredicate(statement(predicateType, predicate)).kind;
}

describe('parsePredicate: typed kinds', () => {
  it('parses SLSA provenance v1 into its model', () => {
    const parsed = parsePredicate(statement(PREDICATE_TYPE_NAMES.slsaprovenance1 ?? '', SLSA_V1));
    expect(parsed.kind).toBe('slsa-provenance-v1');
    if (parsed.kind !== 'slsa-provenance-v1') return;
    expect(parsed.value.runDetails.builder.id).toBe('theId');
    expect(parsed.value.buildDefinition.buildType).toBe('theBuildType');
    expect(Object.isFrozen(parsed)).toBe(true);
  });

  it.each([['https://slsa.dev/provenance/v0.2'], [INTOTO_PROVENANCE_V01_PREDICATE_TYPE]])(
    'parses %s as SLSA provenance v0.2',
    (type) => {
      const parsed = parsePredicate(statement(type, SLSA_V02));
      expect(parsed).toMatchObject({ kind: 'slsa-provenance-v0.2', predicateType: type });
      if (parsed.kind !== 'slsa-provenance-v0.2') return;
      expect(parsed.value.builder.id).toBe(SLSA_V02.builder.id);
      expect(parsed.value.invocation?.configSource?.entryPoint).toBe('w.yml');
    },
  );

  it('parses a VSA v1 (and routes v0.2 to the VSA parser)', () => {
    const parsed = parsePredicate(statement(PREDICATE_TYPE_NAMES.vsa ?? '', VSA_V1));
    expect(parsed.kind).toBe('vsa');
    if (parsed.kind !== 'vsa') return;
    expect(parsed.value.verificationResult).toBe('PASSED');
    expect(parsed.value.verifier.id).toBe('https://example.com/verifier/v1');
    // v0.2's shape differs: the v1 predicate is refused by the v0.2 parser, which proves the routing.
    expect(parseErrorOf(() => parsePredicate(statement(VSA_V02_PREDICATE_TYPE, VSA_V1))).code).toBe(
      'ERR_MALFORMED_PREDICATE',
    );
  });

  it('keeps the parsers’ errors and their JSON paths', () => {
    const v1 = parseErrorOf(() =>
      parsePredicate(statement('https://slsa.dev/provenance/v1', { buildDefinition: { buildType: 7 } })),
    );
    expect(v1.code).toBe('ERR_MALFORMED_PREDICATE');
    expect(v1.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['buildDefinition.buildType', 'runDetails']),
    );
    const v02 = parseErrorOf(() =>
      parsePredicate(statement('https://slsa.dev/provenance/v0.2', { ...SLSA_V02, materials: [{ uri: 3 }] })),
    );
    expect(v02.code).toBe('ERR_MALFORMED_PREDICATE');
    expect(v02.issues.map((i) => i.path)).toContain('materials[0].uri');
    const vsa = parseErrorOf(() =>
      parsePredicate(
        statement('https://slsa.dev/verification_summary/v1', { ...VSA_V1, verificationResult: 1 }),
      ),
    );
    expect(vsa.issues.map((i) => i.path)).toContain('verificationResult');
  });

  it('refuses a v0.1 statement without a predicate for SLSA, and keeps `undefined` for JSON kinds', () => {
    const bare = (predicateType: string) =>
      parseStatement({
        _type: 'https://in-toto.io/Statement/v0.1',
        subject: [{ digest: { sha256: HEX } }],
        predicateType,
      });
    expect(parseErrorOf(() => parsePredicate(bare('https://slsa.dev/provenance/v0.2'))).code).toBe(
      'ERR_MALFORMED_PREDICATE',
    );
    expect(parsePredicate(bare('https://spdx.dev/Document'))).toEqual({
      kind: 'spdx',
      predicateType: 'https://spdx.dev/Document',
      value: undefined,
    });
  });
});

describe('parsePredicate: kinds kept as JSON', () => {
  it.each([
    [COSIGN_SIGN_PREDICATE_TYPE, 'cosign-sign'],
    ['https://cosign.sigstore.dev/attestation/v1', 'cosign-custom'],
    ['https://spdx.dev/Document', 'spdx'],
    ['https://spdx.dev/Document/v2.3', 'spdx'],
    ['https://cyclonedx.org/bom', 'cyclonedx'],
    ['https://cyclonedx.org/bom/v1.5', 'cyclonedx'],
    ['https://cosign.sigstore.dev/attestation/vuln/v1', 'vuln'],
    ['https://openvex.dev/ns', 'openvex'],
    ['https://openvex.dev/ns/v0.2.0', 'openvex'],
    ['https://in-toto.io/Link/v1', 'link'],
    ['https://in-toto.io/Link/v0.3', 'link'],
    ['https://example.com/predicate/v1', 'unknown'],
    ['https://spdx.dev/DocumentX', 'unknown'],
    ['https://cyclonedx.org/bom/latest', 'unknown'],
    ['https://cosign.sigstore.dev/attestation/v2', 'unknown'],
    ['https://slsa.dev/provenance/v0.1', 'unknown'],
  ] as const)('%s is %s', (type, kind) => {
    const predicate = { spdxVersion: 'SPDX-2.3', nested: { list: [1, 'two', null] } };
    const parsed = parsePredicate(statement(type, predicate));
    expect(parsed).toEqual({ kind, predicateType: type, value: predicate });
    expect(Object.isFrozen(parsed.value)).toBe(true);
  });

  it('recognises every cosign --type short name', () => {
    for (const [name, uri] of Object.entries(PREDICATE_TYPE_NAMES)) {
      const predicate =
        name.startsWith('slsaprovenance') && name !== 'slsaprovenance1'
          ? SLSA_V02
          : name === 'slsaprovenance1'
            ? SLSA_V1
            : name === 'vsa'
              ? VSA_V1
              : {};
      expect(kindOf(uri, predicate), name).not.toBe('unknown');
    }
  });

  it('freezes a copy: a hand-built Statement’s predicate is left as it was', () => {
    const predicate = { bomFormat: 'CycloneDX', components: [{ name: 'x' }] };
    const hand: Statement = {
      type: 'https://in-toto.io/Statement/v1',
      version: 'v1',
      subject: [{ digest: { sha256: HEX } }],
      predicateType: 'https://cyclonedx.org/bom',
      predicate,
      raw: {},
    };
    const parsed = parsePredicate(hand);
    expect(parsed).toMatchObject({ kind: 'cyclonedx', value: predicate });
    expect(Object.isFrozen(parsed.value)).toBe(true);
    expect(Object.isFrozen(predicate)).toBe(false);
  });

  it('refuses a hand-built predicate that is not JSON with ERR_MALFORMED_PREDICATE', () => {
    const hand: Statement = {
      type: 'https://in-toto.io/Statement/v1',
      version: 'v1',
      subject: [{ digest: { sha256: HEX } }],
      predicateType: 'https://example.com/p',
      predicate: { when: new Date(0), n: Number.NaN },
      raw: {},
    };
    const error = parseErrorOf(() => parsePredicate(hand));
    expect(error.code).toBe('ERR_MALFORMED_PREDICATE');
    expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['when', 'n']));
  });
});

describe('parsePredicate: properties', () => {
  const knownTypes = [
    ...Object.values(PREDICATE_TYPE_NAMES),
    COSIGN_SIGN_PREDICATE_TYPE,
    INTOTO_PROVENANCE_V01_PREDICATE_TYPE,
    VSA_V02_PREDICATE_TYPE,
    'https://spdx.dev/Document/v2.3',
  ];
  const predicateType = fc.oneof(fc.constantFrom(...knownTypes), fc.string(), fc.webUrl());
  const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double());

  it('random predicateType and predicate: a value or a VouchError, never another exception', () => {
    const replacements = fc.oneof(scalar, fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
    const outcomes = { value: 0, error: 0, statement: 0 };
    fc.assert(
      fc.property(
        predicateType,
        fc.oneof(fc.jsonValue({ maxDepth: 4 }), mutatedJson([SLSA_V1, SLSA_V02, VSA_V1], replacements)),
        (type, predicate) => {
          let parsed: Statement;
          try {
            parsed = statement(type, predicate);
          } catch (e) {
            if (!isVouchError(e)) throw e;
            // An invalid Statement never reaches parsePredicate; counted so the property is known to exercise it.
            outcomes.statement++;
            return;
          }
          outcomes[outcomeOf(() => parsePredicate(parsed))]++;
        },
      ),
      { numRuns: 10_000 },
    );
    expect(outcomes.value).toBeGreaterThan(1000);
    expect(outcomes.error).toBeGreaterThan(100);
  });
});
