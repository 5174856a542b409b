// Scope selection: normalization as docker does, `*` and `**`, the host, specificity order and the first-listed tie.
import { isVouchError } from '@vouch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { parsePolicyText } from '../src/policy.js';
import { matchScope, normalizeReference, scopeSpecificity, selectRule } from '../src/policy-scope.js';
import type { Policy } from '../src/policy-types.js';

/** A policy whose rules are just names and scopes. */
function policyOf(rules: Record<string, readonly string[]>, def: 'deny' | 'allow' = 'deny'): Policy {
  const text = JSON.stringify({
    apiVersion: 'vouch.dev/v1alpha1',
    kind: 'Policy',
    rules: Object.entries(rules).map(([name, scope]) => ({ name, scope })),
    default: def,
  });
  return parsePolicyText(text, 'scopes.json').policy;
}

describe('normalizeReference', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.27', 'docker.io/library/nginx'],
    ['library/nginx', 'docker.io/library/nginx'],
    ['docker.io/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/bitnami/redis:7', 'docker.io/bitnami/redis'],
    ['bitnami/redis', 'docker.io/bitnami/redis'],
    [`ghcr.io/acme/app@sha256:${'a'.repeat(64)}`, 'ghcr.io/acme/app'],
    [`ghcr.io/acme/team/app:v1@sha256:${'b'.repeat(64)}`, 'ghcr.io/acme/team/app'],
    ['localhost:5000/app', 'localhost:5000/app'],
    ['localhost/app', 'localhost/app'],
    ['GHCR.IO/acme/app', 'ghcr.io/acme/app'],
  ])('%s is %s', (ref, normalized) => {
    expect(normalizeReference(ref)).toBe(normalized);
  });

  it.each(['', 'docker.io/UPPER', 'a//b', 'ghcr.io/acme/app:', 'nginx@sha256:abc'])(
    '%j is ERR_MALFORMED_REFERENCE',
    async (ref) => {
      expect(await codeOf(() => normalizeReference(ref))).toBe('ERR_MALFORMED_REFERENCE');
    },
  );

  it('gives a value or a coded VouchError on any input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[a-z0-9.:/@_-]{0,40}$/)),
        (s) => {
          try {
            expect(normalizeReference(s)).toMatch(/^[^/]+\/.+$/);
            return true;
          } catch (e) {
            if (isVouchError(e) && e.code.startsWith('ERR_')) return true;
            throw e;
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });
});

describe('matchScope', () => {
  it('`*` is exactly one path segment', () => {
    expect(matchScope('docker.io/library/*', 'docker.io/library/nginx')).toBe(true);
    expect(matchScope('docker.io/library/*', 'docker.io/library/a/b')).toBe(false);
    expect(matchScope('docker.io/library/*', 'docker.io/library')).toBe(false);
    expect(matchScope('docker.io/library/*', 'docker.io/bitnami/redis')).toBe(false);
    expect(matchScope('ghcr.io/*/app', 'ghcr.io/acme/app')).toBe(true);
    expect(matchScope('ghcr.io/*/app', 'ghcr.io/acme/team/app')).toBe(false);
  });

  it('`*` inside a segment stays inside it', () => {
    expect(matchScope('ghcr.io/acme/app-*', 'ghcr.io/acme/app-web')).toBe(true);
    expect(matchScope('ghcr.io/acme/app-*', 'ghcr.io/acme/app-web/x')).toBe(false);
    expect(matchScope('ghcr.io/acme/app-*', 'ghcr.io/acme/api')).toBe(false);
  });

  it('`**` is any number of segments, zero included', () => {
    expect(matchScope('ghcr.io/acme/**', 'ghcr.io/acme/app')).toBe(true);
    expect(matchScope('ghcr.io/acme/**', 'ghcr.io/acme/team/sub/app')).toBe(true);
    expect(matchScope('ghcr.io/acme/**', 'ghcr.io/acme')).toBe(true);
    expect(matchScope('ghcr.io/acme/**', 'ghcr.io/acmecorp/app')).toBe(false);
    expect(matchScope('ghcr.io/acme/**', 'ghcr.io/other/acme/app')).toBe(false);
    expect(matchScope('ghcr.io/**/app', 'ghcr.io/app')).toBe(true);
    expect(matchScope('ghcr.io/**/app', 'ghcr.io/a/b/c/app')).toBe(true);
    expect(matchScope('ghcr.io/**/app', 'ghcr.io/a/app2')).toBe(false);
    expect(matchScope('ghcr.io/**/x/**', 'ghcr.io/a/x/b/c')).toBe(true);
  });

  it('the registry host is part of the match', () => {
    expect(matchScope('ghcr.io/acme/*', 'evil.io/acme/app')).toBe(false);
    expect(matchScope('ghcr.io/acme/*', 'ghcr.io.evil.com/acme/app')).toBe(false);
    expect(matchScope('*/acme/app', 'ghcr.io/acme/app')).toBe(true);
    expect(matchScope('*/acme/app', 'docker.io/acme/app')).toBe(true);
    expect(matchScope('*.gcr.io/proj/*', 'eu.gcr.io/proj/app')).toBe(true);
    expect(matchScope('*.gcr.io/proj/*', 'gcr.io/proj/app')).toBe(false);
    expect(matchScope('localhost:5000/*', 'localhost:5000/app')).toBe(true);
    expect(matchScope('localhost:5000/*', 'localhost:5001/app')).toBe(false);
    expect(matchScope('**/acme/app', 'registry.example/acme/app')).toBe(true);
  });

  it('matches after normalization: `nginx` is under docker.io/library', () => {
    expect(matchScope('docker.io/library/*', normalizeReference('nginx:latest'))).toBe(true);
    expect(matchScope('docker.io/library/*', normalizeReference('bitnami/redis'))).toBe(false);
  });

  it('regexp characters in a scope are literal', () => {
    expect(matchScope('a.io/x.y/*', 'a.io/xzy/app')).toBe(false);
    expect(matchScope('a.io/x.y/*', 'a.io/x.y/app')).toBe(true);
  });

  it('agrees with itself: a literal glob matches only its own reference, `**` alone after a host matches all of it (property)', () => {
    const segment = fc.stringMatching(/^[a-z0-9]{1,4}$/);
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 2, maxLength: 5 }),
        fc.array(segment, { minLength: 2, maxLength: 5 }),
        (a, b) => {
          const ra = a.join('/');
          const rb = b.join('/');
          expect(matchScope(ra, rb)).toBe(ra === rb);
          expect(matchScope(`${a[0]}/**`, ra)).toBe(true);
          expect(matchScope(`${a.slice(0, -1).join('/')}/*`, ra)).toBe(true);
          return true;
        },
      ),
      { numRuns: 10_000 },
    );
  });
});

describe('scopeSpecificity', () => {
  it('counts `*` and `**` once each and measures the literal prefix', () => {
    expect(scopeSpecificity('ghcr.io/acme/**')).toEqual({ wildcards: 1, literalPrefix: 13 });
    expect(scopeSpecificity('ghcr.io/*/app-*')).toEqual({ wildcards: 2, literalPrefix: 8 });
    expect(scopeSpecificity('ghcr.io/acme/app')).toEqual({ wildcards: 0, literalPrefix: 16 });
  });
});

describe('selectRule', () => {
  it('no match: the default applies, and says so', () => {
    const policy = policyOf({ acme: ['ghcr.io/acme/**'] }, 'allow');
    const s = selectRule(policy, 'docker.io/library/nginx');
    expect(s.rule).toBeUndefined();
    expect(s.matches).toEqual([]);
    expect(s.why).toMatch(/none of the policy's 1 rule has a scope matching docker.io\/library\/nginx/);
  });

  it('a single match says no other rule matches', () => {
    const s = selectRule(policyOf({ acme: ['ghcr.io/acme/**'], hub: ['docker.io/**'] }), 'ghcr.io/acme/app');
    expect(s.rule?.name).toBe('acme');
    expect(s.scope).toBe('ghcr.io/acme/**');
    expect(s.why).toMatch(
      /rule "acme" applies through its scope "ghcr.io\/acme\/\*\*".*no other rule's scope matches/,
    );
  });

  it('fewest wildcards wins, even over a longer literal prefix', () => {
    // broad: 2 wildcards, literal prefix 13; exact: 1 wildcard, literal prefix 0.
    const s = selectRule(
      policyOf({ broad: ['ghcr.io/acme/**/*'], exact: ['*/acme/app'] }),
      'ghcr.io/acme/app',
    );
    expect(s.rule?.name).toBe('exact');
    const t = selectRule(policyOf({ broad: ['ghcr.io/**/*/*'], exact: ['*/acme/app'] }), 'ghcr.io/acme/app');
    expect(t.rule?.name).toBe('exact');
    expect(t.why).toMatch(/fewer wildcards than the scope "ghcr.io\/\*\*\/\*\/\*" .* of rule "broad"/);
  });

  it('a literal scope beats any glob', () => {
    const s = selectRule(policyOf({ all: ['ghcr.io/**'], app: ['ghcr.io/acme/app'] }), 'ghcr.io/acme/app');
    expect(s.rule?.name).toBe('app');
    expect(s.matches.map((m) => m.rule.name)).toEqual(['app', 'all']);
  });

  it('with as many wildcards, the longest literal prefix wins', () => {
    const s = selectRule(policyOf({ org: ['ghcr.io/**'], team: ['ghcr.io/acme/**'] }), 'ghcr.io/acme/app');
    expect(s.rule?.name).toBe('team');
    expect(s.why).toMatch(/as many wildcards and a longer literal prefix than the scope "ghcr.io\/\*\*"/);
  });

  it('a full tie goes to the first listed rule', () => {
    const first = selectRule(
      policyOf({ one: ['ghcr.io/acme/*'], two: ['ghcr.io/acme/**'] }),
      'ghcr.io/acme/app',
    );
    expect(first.rule?.name).toBe('one');
    expect(first.why).toMatch(/as specific as, and listed before, the scope "ghcr.io\/acme\/\*\*"/);
    const swapped = selectRule(
      policyOf({ two: ['ghcr.io/acme/**'], one: ['ghcr.io/acme/*'] }),
      'ghcr.io/acme/app',
    );
    expect(swapped.rule?.name).toBe('two');
  });

  it('a rule competes with its most specific matching scope', () => {
    const policy = policyOf({ wide: ['ghcr.io/**', 'ghcr.io/acme/app'], team: ['ghcr.io/acme/*'] });
    const s = selectRule(policy, 'ghcr.io/acme/app');
    expect(s.rule?.name).toBe('wide');
    expect(s.scope).toBe('ghcr.io/acme/app');
  });

  it('selects the rules of the issue example as they read', () => {
    const policy = policyOf({
      'acme-production': ['ghcr.io/acme/**'],
      'base-images': ['docker.io/library/*', 'cgr.dev/chainguard/*'],
    });
    expect(selectRule(policy, normalizeReference('ghcr.io/acme/api:v1')).rule?.name).toBe('acme-production');
    expect(selectRule(policy, normalizeReference('nginx')).rule?.name).toBe('base-images');
    expect(selectRule(policy, normalizeReference('cgr.dev/chainguard/static')).rule?.name).toBe(
      'base-images',
    );
    expect(selectRule(policy, normalizeReference('bitnami/redis')).rule).toBeUndefined();
  });

  it('returns frozen results', () => {
    const s = selectRule(policyOf({ a: ['ghcr.io/**'] }), 'ghcr.io/x');
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.matches)).toBe(true);
  });
});
