// parsePolicyTestFile (vouch-policy-test.yaml) and checkPolicyTestCase: shape errors with paths and places; comparison.

import { isVouchError } from '@vouch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPolicyTestCase, parsePolicyTestFile } from '../src/policy-test-file.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parsePolicyTestFile', () => {
  it('parses a test file', () => {
    const file = parsePolicyTestFile(
      `policy: ../policy.yaml
now: 2026-06-01T00:00:00Z
cases:
  - name: signed
    image: ghcr.io/acme/app@${DIGEST}
    evidence: [sig.json]
    expect: allow
    rule: acme
  - name: unsigned
    image: ghcr.io/acme/app@${DIGEST}
    expect: deny
`,
      't.yaml',
    );
    expect(file.policy).toBe('../policy.yaml');
    expect(file.now?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(file.cases).toEqual([
      {
        name: 'signed',
        image: `ghcr.io/acme/app@${DIGEST}`,
        evidence: ['sig.json'],
        expect: 'allow',
        rule: 'acme',
      },
      { name: 'unsigned', image: `ghcr.io/acme/app@${DIGEST}`, evidence: [], expect: 'deny' },
    ]);
    expect(Object.isFrozen(file.cases[0])).toBe(true);
  });

  it('lists every problem with its path and file:line:col', () => {
    let error: unknown;
    try {
      parsePolicyTestFile(
        `now: yesterday
extra: 1
cases:
  - name: a
    image: ghcr.io/acme/app:v1
    evidence: [1]
    expect: maybe
  - name: a
    image: ghcr.io/acme/app@${DIGEST}
    expect: deny
`,
        't.yaml',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ERR_MALFORMED_POLICY' });
    const issues = (error as { issues: { path: string; message: string }[] }).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'cases[0].evidence[0]',
        'cases[0].expect',
        'cases[0].image',
        'cases[1].name',
        'extra',
        'now',
        'policy',
      ].sort(),
    );
    expect(issues.find((i) => i.path === 'cases[0].image')?.message).toMatch(
      /with a digest.*\(t\.yaml:5:12\)$/,
    );
  });

  it('refuses what is not a mapping or not YAML', () => {
    for (const text of ['- a', '{', 'x: [', '']) {
      expect(() => parsePolicyTestFile(text, 't.yaml')).toThrow(
        expect.objectContaining({ code: 'ERR_MALFORMED_POLICY' }),
      );
    }
  });
});

describe('checkPolicyTestCase', () => {
  const decision = {
    image: 'i',
    digest: DIGEST,
    allowed: false,
    rule: 'acme',
    mode: 'enforce' as const,
    checks: [{ id: 'signatures', status: 'fail' as const, message: 'no signer' }],
    policyDigest: DIGEST,
  };
  const base = { name: 'c', image: 'i', evidence: [] };
  it('passes when the decision and rule are as expected', () => {
    expect(checkPolicyTestCase({ ...base, expect: 'deny', rule: 'acme' }, decision)).toMatchObject({
      passed: true,
      failures: [],
    });
  });
  it('fails naming what differs', () => {
    const r = checkPolicyTestCase({ ...base, expect: 'allow', rule: 'other' }, decision);
    expect(r.passed).toBe(false);
    expect(r.failures).toEqual([
      'expected allow, decided deny (signatures: no signer)',
      'expected rule "other", rule "acme" applied',
    ]);
  });
});

describe('parsePolicyTestFile on untrusted text', () => {
  const valid = `policy: p.yaml\nnow: 2026-06-01T00:00:00Z\ncases:\n  - name: a\n    image: ghcr.io/acme/app@${DIGEST}\n    evidence: [s.json]\n    expect: allow\n    rule: r\n`;
  const outcome = (text: string): void => {
    try {
      const file = parsePolicyTestFile(text, 't.yaml');
      expect(file.cases.length).toBeGreaterThan(0);
    } catch (error) {
      if (!isVouchError(error)) throw error;
      expect(error.code).toBe('ERR_MALFORMED_POLICY');
    }
  };
  it('random text ends in a valid file or ERR_MALFORMED_POLICY', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), outcome), { numRuns: 10_000 });
  });
  it('mutated valid text ends in a valid file or ERR_MALFORMED_POLICY', () => {
    fc.assert(
      fc.property(fc.nat(valid.length), fc.nat(valid.length), fc.string({ maxLength: 8 }), (a, b, ins) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        outcome(valid.slice(0, from) + ins + valid.slice(Math.min(to, from + 6)));
      }),
      { numRuns: 10_000 },
    );
  });
});
