// Every in-toto attestation vector (spec examples + reference Go validation cases) through the public parsers.
import { ParseError, parseResourceDescriptor, parseStatement, type VouchErrorCode } from '@vouch/core';
import { parseSlsaProvenanceV1 } from '@vouch/provenance';
import { describe, expect, it } from 'vitest';
import { caseFile, loadVectorSet, type VectorCase } from '../support/vectors.js';

const set = loadVectorSet('in-toto-attestation');

/** What each upstream Go error becomes in vouch: the code, the JSON path of an issue, and the message there. */
const EXPECTED: Readonly<Record<string, { code: VouchErrorCode; path: RegExp; message: RegExp }>> = {
  ErrInvalidStatementType: { code: 'ERR_MALFORMED_STATEMENT', path: /^_type$/, message: /Statement\/v1/ },
  ErrSubjectRequired: { code: 'ERR_MALFORMED_STATEMENT', path: /^subject$/, message: /at least one subject/ },
  ErrRDRequiredField: {
    code: 'ERR_MALFORMED_STATEMENT',
    path: /^(subject\[\d+\]|resourceDescriptor)$/,
    message: /name, uri or digest/,
  },
  ErrDigestRequired: { code: 'ERR_MALFORMED_STATEMENT', path: /^subject\[\d+\]\.digest$/, message: /digest/ },
  ErrPredicateTypeRequired: {
    code: 'ERR_MALFORMED_STATEMENT',
    path: /^predicateType$/,
    message: /non-empty/,
  },
  ErrPredicateRequired: { code: 'ERR_MALFORMED_STATEMENT', path: /^predicate$/, message: /required/ },
  ErrInvalidDigestEncoding: {
    code: 'ERR_MALFORMED_STATEMENT',
    path: /(^|\.)digest\.\w+$/,
    message: /must be lowercase hex, found "/,
  },
  ErrIncorrectDigestLength: {
    code: 'ERR_MALFORMED_STATEMENT',
    path: /(^|\.)digest\.\w+$/,
    message: /incorrect length/,
  },
  ErrBuildDefinitionRequired: {
    code: 'ERR_MALFORMED_PREDICATE',
    path: /^buildDefinition$/,
    message: /required/,
  },
  ErrBuildTypeRequired: {
    code: 'ERR_MALFORMED_PREDICATE',
    path: /^buildDefinition\.buildType$/,
    message: /required/,
  },
  ErrExternalParamsRequired: {
    code: 'ERR_MALFORMED_PREDICATE',
    path: /^buildDefinition\.externalParameters$/,
    message: /required/,
  },
  ErrRunDetailsRequired: { code: 'ERR_MALFORMED_PREDICATE', path: /^runDetails$/, message: /required/ },
  ErrBuilderRequired: { code: 'ERR_MALFORMED_PREDICATE', path: /^runDetails\.builder$/, message: /required/ },
  ErrBuilderIdRequired: {
    code: 'ERR_MALFORMED_PREDICATE',
    path: /^runDetails\.builder\.id$/,
    message: /required/,
  },
};

const PARSERS: Readonly<Record<string, (input: unknown) => unknown>> = {
  statement: parseStatement,
  resourceDescriptor: (input) => parseResourceDescriptor(input),
  slsaProvenanceV1Predicate: parseSlsaProvenanceV1,
};

function input(c: VectorCase): unknown {
  return set.json(caseFile(c, typeof c.files.statement === 'string' ? 'statement' : 'document'));
}

describe('in-toto attestation vectors', () => {
  it('has every case and every target covered', () => {
    expect(set.cases.length).toBe(35);
    for (const c of set.cases) expect(Object.keys(PARSERS)).toContain(c.target);
  });

  for (const c of set.cases) {
    it(`${c.id} (${String(c.target)}) → ${c.expect}`, () => {
      const parse = PARSERS[String(c.target)];
      if (parse === undefined) throw new Error(`unknown target ${String(c.target)}`);
      if (c.expect === 'pass') {
        const value = parse(input(c));
        expect(Object.isFrozen(value)).toBe(true);
        return;
      }
      const expected = EXPECTED[String(c.expectedError)];
      if (expected === undefined) throw new Error(`no mapping for upstream error ${String(c.expectedError)}`);
      let thrown: unknown;
      try {
        parse(input(c));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ParseError);
      if (!(thrown instanceof ParseError)) return;
      expect(thrown.code).toBe(expected.code);
      const issue = thrown.issues.find((i) => expected.path.test(i.path));
      expect(issue, `an issue at ${expected.path} in: ${thrown.message}`).toBeDefined();
      expect(issue?.message).toMatch(expected.message);
      expect(thrown.message).toContain(issue?.path ?? '');
    });
  }
});
