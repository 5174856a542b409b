// Unit and property tests of the SLSA Provenance v0.2 predicate parser.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf, parseErrorOf } from '../../../test/support/errors.js';
import { mutatedJson } from '../../../test/support/json-mutation.js';
import { parseSlsaProvenanceV02 } from '../src/slsa-v02.js';

function valid(): Record<string, unknown> {
  return {
    builder: { id: 'https://github.com/o/b/.github/workflows/b.yml@refs/tags/v1.0.0' },
    buildType: 'https://github.com/slsa-framework/slsa-github-generator/generic@v1',
    invocation: {
      configSource: {
        uri: 'git+https://github.com/o/r@refs/heads/main',
        digest: { sha1: 'a'.repeat(40) },
        entryPoint: 'w.yml',
      },
      parameters: {},
      environment: { github_ref: 'refs/heads/main', github_ref_type: 'branch' },
    },
    buildConfig: null,
    metadata: {
      buildInvocationId: '1-1',
      buildStartedOn: '2024-02-29T23:59:59Z',
      buildFinishedOn: '2024-03-01T00:00:00.5+01:00',
      completeness: { parameters: true, environment: false, materials: false },
      reproducible: false,
    },
    materials: [{ uri: 'git+https://github.com/o/r@refs/heads/main', digest: { sha1: 'a'.repeat(40) } }],
  };
}

function paths(p: unknown): string[] {
  return parseErrorOf(() => parseSlsaProvenanceV02(p)).issues.map((i) => i.path);
}

describe('parseSlsaProvenanceV02', () => {
  it('reads a full predicate into a frozen typed value, keeping unknown fields', () => {
    const input = { ...valid(), extra: [1] };
    const p = parseSlsaProvenanceV02(input);
    expect(p.builder.id).toMatch(/b\.yml@refs\/tags\/v1\.0\.0$/);
    expect(p.materials?.[0]?.digest?.sha1).toBe('a'.repeat(40));
    expect(p.invocation?.configSource?.entryPoint).toBe('w.yml');
    expect(p.extra).toEqual([1]);
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.invocation?.environment)).toBe(true);
    expect(Object.isFrozen(input)).toBe(false);
  });

  it('requires builder.id and buildType', () => {
    expect(paths({})).toEqual(['builder', 'buildType']);
    expect(paths({ builder: { id: '' }, buildType: 1 })).toEqual(['builder.id', 'buildType']);
  });

  it('names every badly typed path at once', () => {
    const bad = {
      ...valid(),
      invocation: { configSource: { uri: 1, digest: { sha1: 2 }, entryPoint: [] } },
      metadata: {
        buildStartedOn: '2023-02-30T00:00:00Z',
        reproducible: 'no',
        completeness: { materials: 1 },
      },
      materials: [{ uri: 1 }, 'x'],
    };
    expect(paths(bad)).toEqual([
      'invocation.configSource.uri',
      'invocation.configSource.entryPoint',
      'invocation.configSource.digest.sha1',
      'metadata.reproducible',
      'metadata.buildStartedOn',
      'metadata.completeness.materials',
      'materials[0].uri',
      'materials[1]',
    ]);
    expect(parseErrorOf(() => parseSlsaProvenanceV02([])).code).toBe('ERR_MALFORMED_PREDICATE');
  });

  it('random JSON gives a value or a coded VouchError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => void outcomeOf(() => parseSlsaProvenanceV02(v))),
      { numRuns: 10_000 },
    );
  });

  it('mutated valid predicates give a frozen value with a builder id, or a coded VouchError', () => {
    const replacements = fc.option(
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', '2024-01-01T00:00:00Z', {}, [], null)),
      { nil: undefined },
    );
    fc.assert(
      fc.property(mutatedJson([valid()], replacements), (v) => {
        if (outcomeOf(() => parseSlsaProvenanceV02(v)) === 'value') {
          const p = parseSlsaProvenanceV02(v);
          expect(Object.isFrozen(p)).toBe(true);
          expect(p.builder.id).not.toBe('');
          expect(p.buildType).not.toBe('');
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
