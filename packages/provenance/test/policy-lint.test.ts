// lintPolicy: shadowed rules and scopes, allow-all enforce rules, unused keys, identities and trusted roots.
import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../src/policy.js';
import { lintPolicy } from '../src/policy-lint.js';

function lint(yaml: string) {
  return lintPolicy(parsePolicyText(yaml, 'policy.yaml').policy);
}

const HEAD = `apiVersion: vouch.dev/v1alpha1
kind: Policy
trustedRoots:
  pg: { builtin: sigstore-public-good }
keys:
  release: { file: ./release.pub }
identities:
  ci: { trustedRoot: pg, issuer: https://issuer.example, subject: ci@example.com }
`;

describe('lintPolicy', () => {
  it('is silent on a policy whose every rule can apply and every signer is used', () => {
    expect(
      lint(`${HEAD}rules:
  - name: a
    scope: [ghcr.io/acme/**]
    signatures: { anyOf: [release] }
  - name: b
    scope: [ghcr.io/acme/app, docker.io/library/*]
    signatures: { allOf: [ci] }
`),
    ).toEqual([]);
  });

  it("warns about a rule whose every scope is an earlier rule's scope (identical globs and literals)", () => {
    const warnings = lint(`${HEAD}rules:
  - name: a
    scope: [ghcr.io/acme/**, ghcr.io/acme/app]
    signatures: { anyOf: [release, ci] }
  - name: b
    scope: [ghcr.io/acme/app, ghcr.io/acme/**]
    signatures: { anyOf: [release] }
`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.rule).toBe('b');
    expect(warnings[0]?.scope).toBeUndefined();
    expect(warnings[0]?.message).toMatch(
      /can never apply.*"ghcr\.io\/acme\/app" \(rule "a"\).*"ghcr\.io\/acme\/\*\*" \(rule "a"\)/,
    );
  });

  it('warns about one dead scope of a rule that can still apply through another', () => {
    const warnings = lint(`${HEAD}rules:
  - name: a
    scope: [docker.io/library/*]
    signatures: { anyOf: [release, ci] }
  - name: b
    scope: [docker.io/library/*, ghcr.io/acme/**]
    signatures: { anyOf: [release] }
`);
    expect(warnings).toEqual([
      {
        rule: 'b',
        scope: 'docker.io/library/*',
        message: expect.stringMatching(/earlier rule "a" has the same scope/),
      },
    ]);
  });

  it('does not call a more specific later rule shadowed (it wins, whatever the order)', () => {
    expect(
      lint(`${HEAD}rules:
  - name: broad
    scope: [ghcr.io/**]
    signatures: { anyOf: [release] }
  - name: narrow
    scope: [ghcr.io/acme/app]
    signatures: { anyOf: [ci] }
`),
    ).toEqual([]);
  });

  it('warns about an enforce rule that requires nothing, not an audit one', () => {
    const warnings = lint(`${HEAD}rules:
  - name: open
    scope: [ghcr.io/open/**]
  - name: watched
    scope: [ghcr.io/watched/**]
    mode: audit
  - name: signed
    scope: [ghcr.io/acme/**]
    signatures: { anyOf: [release, ci] }
`);
    expect(warnings).toEqual([
      {
        rule: 'open',
        message: expect.stringMatching(/enforce mode but requires no signature and no attestation/),
      },
    ]);
  });

  it('counts attestation signers as used', () => {
    expect(
      lint(`${HEAD}rules:
  - name: a
    scope: [ghcr.io/acme/**]
    signatures: { anyOf: [release] }
    attestations:
      - predicateType: https://slsa.dev/provenance/v1
        signedBy: [ci]
`),
    ).toEqual([]);
  });

  it('warns about keys, identities and trusted roots nothing uses', () => {
    const warnings = lint(`apiVersion: vouch.dev/v1alpha1
kind: Policy
trustedRoots:
  pg: { builtin: sigstore-public-good }
  spare: { file: ./spare.json }
keys:
  release: { file: ./release.pub }
  old: { file: ./old.pub }
identities:
  ci: { trustedRoot: pg, issuer: https://issuer.example, subject: ci@example.com }
rules:
  - name: a
    scope: [ghcr.io/acme/**]
    signatures: { anyOf: [release] }
`);
    expect(warnings.map((w) => w.rule)).toEqual(['keys.old', 'identities.ci', 'trustedRoots.spare']);
    expect(warnings[0]?.message).toBe('key "old" is defined but no rule names it');
    expect(warnings[1]?.message).toBe('identity "ci" is defined but no rule names it');
    expect(warnings[2]?.message).toBe('trusted root "spare" is defined but no identity uses it');
  });
});
