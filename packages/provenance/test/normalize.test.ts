// Tests of provenance normalization: real GitHub builder provenance from the vectors, each build type's rules, and properties.
import {
  decodeBase64,
  isObject,
  parseBundle,
  parseStatement,
  parseStatementJson,
  type Statement,
} from '@vouch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../../test/support/errors.js';
import { mutatedJson } from '../../../test/support/json-mutation.js';
import { loadVectorSet } from '../../../test/support/vectors.js';
import {
  GITHUB_BUILD_TYPES,
  gitRefName,
  normalizeGitUri,
  normalizeProvenance,
  parseGitRef,
  parseGitUriAndRef,
  provenanceView,
} from '../src/normalize.js';

const set = loadVectorSet('slsa-verifier');

function statementOf(file: string): Statement {
  const json: unknown = JSON.parse(set.text(file));
  if (isObject(json) && json.mediaType !== undefined) {
    const bundle = parseBundle(json);
    if (bundle.content.type !== 'dsseEnvelope') throw new Error('not a DSSE bundle');
    return parseStatementJson(bundle.content.envelope.payload);
  }
  if (!isObject(json) || typeof json.payload !== 'string') throw new Error('not an envelope');
  return parseStatementJson(decodeBase64(json.payload));
}

function statement(predicateType: string, predicate: unknown): Statement {
  return parseStatement({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'a', digest: { sha256: 'c'.repeat(64) } }],
    predicateType,
    predicate,
  });
}

const BYOB_V1 = {
  buildDefinition: {
    buildType: GITHUB_BUILD_TYPES.byobV0,
    externalParameters: { inputs: { x: 1 } },
    internalParameters: {
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_REF: 'refs/tags/v1.0.0',
      GITHUB_REF_TYPE: 'tag',
      GITHUB_BASE_REF: '',
      GITHUB_EVENT_PAYLOAD: { inputs: { a: 'b' }, release: { target_commitish: 'main' } },
      GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/w.yml@refs/tags/v1.0.0',
    },
    resolvedDependencies: [
      { uri: 'git+https://github.com/o/r@refs/tags/v1.0.0', digest: { gitCommit: 'a'.repeat(40) } },
    ],
  },
  runDetails: {
    builder: { id: 'https://github.com/o/trw/.github/workflows/b.yml@refs/tags/v1.2.3' },
    metadata: {
      invocationId: 'https://github.com/o/r/actions/runs/1/attempts/1',
      startedOn: '2024-01-01T00:00:00Z',
    },
  },
};

describe('normalizeProvenance', () => {
  it('reads Go builder v0.2 provenance from the vectors', () => {
    const p = normalizeProvenance(
      statementOf('testdata/gha_go/v1.4.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl'),
    );
    expect(p.slsaVersion).toBe('0.2');
    expect(p.buildType).toBe(GITHUB_BUILD_TYPES.goV1);
    expect(p.builderId).toMatch(/builder_go_slsa3\.yml@refs\/tags\/v1\.4\.0$/);
    expect(p.sourceUri).toMatch(/^git\+https:\/\/github\.com\/slsa-framework\/example-package@refs\//);
    expect(p.triggerUri).toBe(p.sourceUri);
    expect(p.branch).toBe('refs/heads/main');
    expect(p.tag).toBeUndefined();
    expect(p.resolvedDependencies.length).toBeGreaterThan(0);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('reads BYOB v1 provenance from the vectors', () => {
    const p = normalizeProvenance(
      statementOf('testdata/gha_delegator/v1.9.0/binary-linux-amd64-workflow_dispatch.build.slsa'),
    );
    expect(p.slsaVersion).toBe('1');
    expect(p.buildType).toBe(GITHUB_BUILD_TYPES.byobV0);
    expect(p.triggerUri).toMatch(/^git\+https:\/\/github\.com\/slsa-framework\/example-package@/);
    expect(p.systemParameters.GITHUB_EVENT_NAME).toBe('workflow_dispatch');
  });

  it('takes a BYOB tag from the source URI and its branch from the release event', () => {
    const p = normalizeProvenance(statement('https://slsa.dev/provenance/v1', BYOB_V1));
    expect(p.tag).toBe('refs/tags/v1.0.0');
    // A workflow_dispatch on a tag names no branch; a release event does.
    expect(p.branch).toBeUndefined();
    const internal = { ...BYOB_V1.buildDefinition.internalParameters, GITHUB_EVENT_NAME: 'release' };
    const release = {
      ...BYOB_V1,
      buildDefinition: { ...BYOB_V1.buildDefinition, internalParameters: internal },
    };
    expect(normalizeProvenance(statement('https://slsa.dev/provenance/v1', release)).branch).toBe(
      'refs/heads/main',
    );
    expect(p.triggerUri).toBe('git+https://github.com/o/r@refs/tags/v1.0.0');
    expect(p.workflowInputs).toEqual({ a: 'b' });
    expect(p.invocationId).toBe('https://github.com/o/r/actions/runs/1/attempts/1');
    expect(p.startedOn?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it('reads the trigger of npm CLI and GitHub attest build types from externalParameters.workflow', () => {
    for (const buildType of [GITHUB_BUILD_TYPES.npmCliGithubActionsV1, GITHUB_BUILD_TYPES.githubActionsV1]) {
      const pred = {
        ...BYOB_V1,
        buildDefinition: {
          ...BYOB_V1.buildDefinition,
          buildType,
          externalParameters: {
            workflow: { repository: 'https://github.com/o/r', ref: 'refs/heads/x', path: 'w.yml' },
          },
        },
      };
      const p = normalizeProvenance(statement('https://slsa.dev/provenance/v1', pred));
      expect(p.triggerUri).toBe('git+https://github.com/o/r@refs/heads/x');
      expect(p.buildTriggerPath).toBe('w.yml');
      expect(p.tag).toBe('refs/tags/v1.0.0');
    }
  });

  it('reads in-toto Provenance v0.1 as v0.2 and refuses other predicate types', () => {
    const p = normalizeProvenance(
      statement('https://in-toto.io/Provenance/v0.1', {
        builder: { id: 'b' },
        buildType: 't',
        materials: [{ uri: 'git+x' }],
      }),
    );
    expect(p.slsaVersion).toBe('0.2');
    expect(p.sourceUri).toBe('git+x');
    expect(p.branch).toBeUndefined();
    expect(() => normalizeProvenance(statement('https://example.com/p', {}))).toThrow(
      expect.objectContaining({ code: 'ERR_PREDICATE_TYPE' }),
    );
  });

  it('reports accessor failures with codes naming the rule', () => {
    const view = provenanceView(
      statement('https://slsa.dev/provenance/v0.2', { builder: { id: 'b' }, buildType: 't' }),
    );
    expect(() => view.sourceUri()).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED_PREDICATE' }));
    expect(() => view.triggerUri()).toThrow(expect.objectContaining({ code: 'ERR_SLSA_SOURCE_MISMATCH' }));
    expect(() => view.branch()).toThrow(/invocation\.environment/);
  });
});

describe('git helpers', () => {
  it('normalize, split and name refs as slsa-verifier does', () => {
    expect(normalizeGitUri('github.com/o/r')).toBe('git+https://github.com/o/r');
    expect(normalizeGitUri('https://github.com/o/r')).toBe('git+https://github.com/o/r');
    expect(parseGitUriAndRef('git+https://x/o/r@refs/heads/a@b')).toEqual([
      'git+https://x/o/r',
      'refs/heads/a@b',
    ]);
    expect(() => parseGitUriAndRef('https://x')).toThrow(
      expect.objectContaining({ code: 'ERR_SLSA_SOURCE_MISMATCH' }),
    );
    expect(parseGitRef('refs/tags/v1/x')).toEqual(['tags', 'v1/x']);
    expect(parseGitRef('main')).toEqual(['', 'main']);
    expect(gitRefName({ ref: 'refs/heads/main', kind: 'heads' })).toBe('main');
    expect(() => gitRefName({ ref: 'refs/heads/', kind: 'heads' })).toThrow(
      expect.objectContaining({ code: 'ERR_SLSA_INVALID_REF' }),
    );
    expect(() => gitRefName({ ref: '', kind: 'tags' })).toThrow(
      expect.objectContaining({ code: 'ERR_SLSA_INVALID_REF' }),
    );
  });
});

function everyAccessor(s: Statement): void {
  const v = provenanceView(s);
  for (const read of [
    v.sourceUri,
    v.triggerUri,
    v.branch,
    v.tag,
    v.workflowInputs,
    v.buildTriggerPath,
    v.systemParameters,
  ]) {
    outcomeOf(read);
  }
  normalizeProvenance(s);
}

describe('normalize properties', () => {
  it('mutated v1 and v0.2 predicates normalize or fail with a VouchError code', () => {
    const v02 = {
      builder: { id: 'b@refs/tags/v1.0.0' },
      buildType: GITHUB_BUILD_TYPES.byobV0,
      invocation: {
        configSource: { uri: 'git+https://github.com/o/r@refs/tags/v1' },
        environment: BYOB_V1.buildDefinition.internalParameters,
      },
      materials: [{ uri: 'git+https://github.com/o/r@refs/tags/v1' }],
    };
    const replacements = fc.option(
      fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom('', 'refs/heads/', 'tag', 'branch', 'release', 'push', {}, [], null),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(fc.boolean(), mutatedJson([BYOB_V1, v02], replacements), (one, pred) => {
        const type = one ? 'https://slsa.dev/provenance/v1' : 'https://slsa.dev/provenance/v0.2';
        outcomeOf(() => everyAccessor(statement(type, pred)));
      }),
      { numRuns: 10_000 },
    );
  });

  it('random predicates normalize or fail with a VouchError code', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('https://slsa.dev/provenance/v1', 'https://slsa.dev/provenance/v0.2'),
        fc.jsonValue(),
        (t, p) => {
          outcomeOf(() => everyAccessor(statement(t, p)));
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
