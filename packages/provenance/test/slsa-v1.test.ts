// Unit and property tests of the SLSA Provenance v1 predicate parser.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf, parseErrorOf } from '../../../test/support/errors.js';
import { mutatedJson } from '../../../test/support/json-mutation.js';
import { parseSlsaProvenanceV1 } from '../src/slsa-v1.js';

const HEX40 = 'a'.repeat(40);

function valid(): Record<string, unknown> {
  return {
    buildDefinition: {
      buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
      externalParameters: { workflow: { ref: 'refs/tags/v1.0.0', repository: 'https://github.com/o/r' } },
      internalParameters: { github: { event_name: 'push' } },
      resolvedDependencies: [
        { uri: 'git+https://github.com/o/r@refs/tags/v1.0.0', digest: { gitCommit: HEX40 } },
      ],
    },
    runDetails: {
      builder: { id: 'https://github.com/actions/runner/github-hosted', version: { runner: '2.0' } },
      metadata: {
        invocationId: 'https://github.com/o/r/actions/runs/1/attempts/1',
        startedOn: '2024-02-29T23:59:59.123Z',
        finishedOn: '2024-03-01T00:10:00+01:00',
      },
      byproducts: [{ name: 'log', content: 'aGVsbG8=' }],
    },
  };
}

function paths(p: unknown): string[] {
  return parseErrorOf(() => parseSlsaProvenanceV1(p)).issues.map((i) => i.path);
}

describe('parseSlsaProvenanceV1', () => {
  it('reads a full predicate into a frozen typed value', () => {
    const p = parseSlsaProvenanceV1(valid());
    expect(p.runDetails.builder.id).toBe('https://github.com/actions/runner/github-hosted');
    expect(p.buildDefinition.resolvedDependencies?.[0]?.digest?.gitCommit).toBe(HEX40);
    expect(p.runDetails.metadata?.startedOn).toBe('2024-02-29T23:59:59.123Z');
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.buildDefinition.externalParameters)).toBe(true);
    expect(Object.isFrozen(p.runDetails.builder)).toBe(true);
  });

  it('keeps unknown fields at every level and leaves the input unfrozen', () => {
    const input = valid();
    const withExtra = {
      ...input,
      extra: 1,
      buildDefinition: { ...(input.buildDefinition as object), future: ['x'] },
      runDetails: { ...(input.runDetails as object), builder: { id: 'b', note: 'n' } },
    };
    const p = parseSlsaProvenanceV1(withExtra);
    expect(p.extra).toBe(1);
    expect(p.buildDefinition.future).toEqual(['x']);
    expect(p.runDetails.builder.note).toBe('n');
    expect(Object.isFrozen(withExtra)).toBe(false);
  });

  it('treats empty messages as missing, as the reference does', () => {
    expect(paths({ buildDefinition: {}, runDetails: {} })).toEqual(['buildDefinition', 'runDetails']);
    expect(
      paths({ buildDefinition: { buildType: '', resolvedDependencies: [] }, runDetails: { byproducts: [] } }),
    ).toEqual(['buildDefinition', 'runDetails']);
    // A message field set to {} is set: the parent is not empty, the field's own checks apply.
    expect(paths({ ...valid(), buildDefinition: { externalParameters: {} } })).toEqual([
      'buildDefinition.buildType',
      'buildDefinition.externalParameters',
    ]);
    expect(paths({ ...valid(), runDetails: { builder: {} } })).toEqual(['runDetails.builder']);
    expect(
      paths({ ...valid(), runDetails: { builder: { id: '', version: {}, builderDependencies: [] } } }),
    ).toEqual(['runDetails.builder']);
    const bd = valid().buildDefinition as Record<string, unknown>;
    expect(paths({ ...valid(), buildDefinition: { ...bd, externalParameters: {} } })).toEqual([
      'buildDefinition.externalParameters',
    ]);
  });

  it('requires buildType, externalParameters and builder.id', () => {
    const err = parseErrorOf(() =>
      parseSlsaProvenanceV1({
        buildDefinition: { buildType: '', internalParameters: 3 },
        runDetails: { builder: { id: '', version: { a: 1 } } },
      }),
    );
    expect(err.code).toBe('ERR_MALFORMED_PREDICATE');
    expect(err.issues.map((i) => i.path)).toEqual([
      'buildDefinition.buildType',
      'buildDefinition.externalParameters',
      'buildDefinition.internalParameters',
      'runDetails.builder.id',
      'runDetails.builder.version.a',
    ]);
  });

  it('validates every ResourceDescriptor inside with paths under the predicate', () => {
    const input = valid();
    const bd = input.buildDefinition as Record<string, unknown>;
    const rd = input.runDetails as Record<string, unknown>;
    const err = parseErrorOf(() =>
      parseSlsaProvenanceV1({
        buildDefinition: { ...bd, resolvedDependencies: [{ digest: { sha256: 'XYZ' } }, {}] },
        runDetails: {
          ...rd,
          byproducts: 'no',
          builder: { id: 'b', builderDependencies: [{ name: 'n', digest: { sha1: 'ab' } }] },
        },
      }),
    );
    expect(err.code).toBe('ERR_MALFORMED_PREDICATE');
    expect(err.issues.map((i) => i.path)).toEqual([
      'buildDefinition.resolvedDependencies[0].digest.sha256',
      'buildDefinition.resolvedDependencies[1]',
      'runDetails.builder.builderDependencies[0].digest.sha1',
      'runDetails.byproducts',
    ]);
  });

  it('requires RFC 3339 timestamps', () => {
    const rd = valid().runDetails as Record<string, unknown>;
    for (const bad of [
      '2024-02-30T00:00:00Z',
      '2024-01-01 00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:00:00',
      '0000-01-01T00:00:00Z',
      5,
    ]) {
      expect(paths({ ...valid(), runDetails: { ...rd, metadata: { startedOn: bad } } })).toEqual([
        'runDetails.metadata.startedOn',
      ]);
    }
    const ok = parseSlsaProvenanceV1({
      ...valid(),
      runDetails: { ...rd, metadata: { finishedOn: '2023-12-31t23:59:59.5-05:30' } },
    });
    expect(ok.runDetails.metadata?.finishedOn).toBe('2023-12-31t23:59:59.5-05:30');
  });

  it('refuses non-objects', () => {
    for (const v of [null, [], 'x', 1])
      expect(parseErrorOf(() => parseSlsaProvenanceV1(v)).code).toBe('ERR_MALFORMED_PREDICATE');
  });
});

// --- property tests ---

describe('properties', () => {
  it('random JSON gives a value or a coded VouchError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => void outcomeOf(() => parseSlsaProvenanceV1(v))),
      { numRuns: 10_000 },
    );
  });

  it('mutated valid predicates give a frozen value with a builder id, or a coded VouchError', () => {
    const replacements = fc.option(
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', '2024-01-01T00:00:00Z', {}, [])),
      { nil: undefined },
    );
    fc.assert(
      fc.property(mutatedJson([valid()], replacements), (v) => {
        if (outcomeOf(() => parseSlsaProvenanceV1(v)) === 'value') {
          const p = parseSlsaProvenanceV1(v);
          expect(Object.isFrozen(p)).toBe(true);
          expect(p.runDetails.builder.id).not.toBe('');
          expect(p.buildDefinition.buildType).not.toBe('');
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
