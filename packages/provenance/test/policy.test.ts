// The policy file: the issue's example loads and means what it says, digests, every error kind located, the schema.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CertificateIdentity, isVouchError, matchIdentity, ParseError } from '@vouch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { outcomeOf, parseErrorOf } from '../../../test/support/errors.js';
import { type PolicyIssue, parsePolicyDuration, parsePolicyText, policyLocation } from '../src/policy.js';

const here = dirname(fileURLToPath(import.meta.url));

// The example of issue 6, verbatim.
const EXAMPLE = `apiVersion: vouch.dev/v1alpha1
kind: Policy
trustedRoots:
  public-good: { builtin: sigstore-public-good }
  corp: { file: ./trust/corp-trusted-root.json }
keys:
  release: { file: ./keys/release.pub }
identities:
  gha-release:
    trustedRoot: public-good
    issuer: https://token.actions.githubusercontent.com
    subjectRegExp: '^https://github\\.com/acme/[^/]+/\\.github/workflows/release\\.yml@refs/tags/v'
    extensions: { sourceRepositoryOwnerURI: https://github.com/acme, runnerEnvironment: github-hosted }
rules:
  - name: acme-production
    scope: [ghcr.io/acme/**]
    mode: enforce
    signatures: { anyOf: [release, gha-release] }
    attestations:
      - predicateType: https://slsa.dev/provenance/v1
        signedBy: [gha-release]
        slsa:
          builderId: ['https://github.com/actions/runner/github-hosted']
          sourceURI: ['git+https://github.com/acme/*']
          sourceRef: ['refs/tags/v*']
        maxAge: 720h
        condition: 'predicate.buildDefinition.externalParameters.workflow.ref.startsWith("refs/tags/")'
  - name: base-images
    scope: [docker.io/library/*, cgr.dev/chainguard/*]
    mode: audit
    signatures: { threshold: 1, of: [gha-release, release] }
default: deny
`;

const GHA = 'https://token.actions.githubusercontent.com';

/** The 1-based line and column of the `nth` occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string, nth = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${needle} not in text`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: (before.at(-1) ?? '').length + 1 };
}

function issuesOf(text: string, source = 'policy.yaml'): readonly PolicyIssue[] {
  const e = parseErrorOf(() => parsePolicyText(text, source));
  expect(e.code).toBe('ERR_MALFORMED_POLICY');
  // Every issue carries its location, written into the message too.
  for (const i of e.issues) {
    const pi = i as PolicyIssue;
    expect(pi.source).toBe(source);
    expect(pi.message).toContain(`(${source}:${pi.line}:${pi.column})`);
  }
  return e.issues as readonly PolicyIssue[];
}

/** The one issue at `path`, at the position of `needle` in `text`. */
function expectIssue(text: string, path: string, needle: string, message: RegExp, nth = 1): void {
  const issues = issuesOf(text);
  const hit = issues.find((i) => i.path === path);
  expect(hit, `issues: ${issues.map((i) => `${i.path}: ${i.message}`).join(' | ')}`).toBeDefined();
  expect(hit?.message).toMatch(message);
  const { line, column } = positionOf(text, needle, nth);
  expect({ line: hit?.line, column: hit?.column }).toEqual({ line, column });
}

function replaced(from: string, to: string): string {
  expect(EXAMPLE).toContain(from);
  return EXAMPLE.replace(from, to);
}

describe('the example policy of issue 6', () => {
  const { policy, policyDigest } = parsePolicyText(EXAMPLE, 'policy.yaml');

  it('loads, frozen, with every section as written', () => {
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.rules[0]?.attestations[0])).toBe(true);
    expect(policy.apiVersion).toBe('vouch.dev/v1alpha1');
    expect(policy.kind).toBe('Policy');
    expect(policy.trustedRoots).toEqual({
      'public-good': { builtin: 'sigstore-public-good' },
      corp: { file: './trust/corp-trusted-root.json' },
    });
    expect(policy.keys).toEqual({ release: { file: './keys/release.pub' } });
    expect(policy.default).toBe('deny');
    expect(policyDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('maps the identity onto core names (issuer, SAN, Fulcio extensions)', () => {
    const id = policy.identities['gha-release'];
    expect(id?.trustedRoot).toBe('public-good');
    expect(id?.identity.issuer).toEqual({ exact: GHA });
    expect(id?.identity.extensions).toEqual({
      sourceRepositoryOwnerUri: { exact: 'https://github.com/acme' },
      runnerEnvironment: { exact: 'github-hosted' },
    });
  });

  it('means what it says: the subject regexp searches (anchored by its own ^), as cosign', () => {
    const identity = policy.identities['gha-release']?.identity;
    if (identity === undefined) throw new Error('no identity');
    const cert = (
      san: string,
      owner = 'https://github.com/acme',
      runner = 'github-hosted',
    ): CertificateIdentity => ({
      subjectAlternativeName: san,
      extensions: { issuer: GHA, sourceRepositoryOwnerUri: owner, runnerEnvironment: runner },
    });
    const ok = (c: CertificateIdentity) => matchIdentity(c, identity).every((r) => r.ok);
    const wf = 'https://github.com/acme/app/.github/workflows/release.yml';
    expect(ok(cert(`${wf}@refs/tags/v1.2.3`))).toBe(true);
    expect(ok(cert(`${wf}@refs/heads/main`))).toBe(false);
    expect(ok(cert('https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1'))).toBe(false);
    expect(ok(cert(`https://evil.example/?${wf}@refs/tags/v1`))).toBe(false);
    expect(ok(cert(`${wf}@refs/tags/v1`, 'https://github.com/evil'))).toBe(false);
    expect(ok(cert(`${wf}@refs/tags/v1`, undefined, 'self-hosted'))).toBe(false);
  });

  it('has both rules, with their modes, signer requirements and attestation requirement', () => {
    const [prod, base] = policy.rules;
    expect(prod).toEqual({
      name: 'acme-production',
      scope: ['ghcr.io/acme/**'],
      mode: 'enforce',
      signatures: { anyOf: ['release', 'gha-release'] },
      attestations: [
        {
          predicateType: 'https://slsa.dev/provenance/v1',
          signedBy: ['gha-release'],
          slsa: {
            builderId: ['https://github.com/actions/runner/github-hosted'],
            sourceURI: ['git+https://github.com/acme/*'],
            sourceRef: ['refs/tags/v*'],
          },
          maxAgeMs: 720 * 3600 * 1000,
          condition: 'predicate.buildDefinition.externalParameters.workflow.ref.startsWith("refs/tags/")',
        },
      ],
    });
    expect(base).toEqual({
      name: 'base-images',
      scope: ['docker.io/library/*', 'cgr.dev/chainguard/*'],
      mode: 'audit',
      signatures: { threshold: 1, of: ['gha-release', 'release'] },
      attestations: [],
    });
  });

  it('has the same digest spelled as JSON (any key order, any indentation)', () => {
    const json = parseYaml(EXAMPLE) as Record<string, unknown>;
    expect(parsePolicyText(JSON.stringify(json), 'policy.json').policyDigest).toBe(policyDigest);
    expect(parsePolicyText(JSON.stringify(json, null, 2), 'policy.json').policyDigest).toBe(policyDigest);
    const reordered = Object.fromEntries(Object.entries(json).reverse());
    expect(parsePolicyText(JSON.stringify(reordered, null, 4), 'policy.json').policyDigest).toBe(
      policyDigest,
    );
  });

  it('gives defaults (mode enforce, default deny, no attestations) the same digest as their explicit spelling', () => {
    const minimal =
      'apiVersion: vouch.dev/v1alpha1\nkind: Policy\nrules:\n  - { name: r, scope: [a.io/x/*] }\n';
    const explicit =
      'apiVersion: vouch.dev/v1alpha1\nkind: Policy\ntrustedRoots: {}\nkeys: {}\nidentities: {}\n' +
      'rules:\n  - { name: r, scope: [a.io/x/*], mode: enforce, attestations: [] }\ndefault: deny\n';
    expect(parsePolicyText(minimal, 'a').policyDigest).toBe(parsePolicyText(explicit, 'b').policyDigest);
  });

  it('gives a different digest to a different policy', () => {
    expect(parsePolicyText(replaced('default: deny', 'default: allow'), 'p').policyDigest).not.toBe(
      policyDigest,
    );
    expect(parsePolicyText(replaced('maxAge: 720h', 'maxAge: 721h'), 'p').policyDigest).not.toBe(
      policyDigest,
    );
  });

  it('says where a field is (policyLocation), for loaders that report entries that do not load', () => {
    const { line, column } = positionOf(EXAMPLE, './keys/release.pub');
    expect(policyLocation(EXAMPLE, 'p.yaml', ['keys', 'release', 'file'])).toBe(`p.yaml:${line}:${column}`);
  });
});

describe('errors name file, line, column and the field path', () => {
  it('YAML syntax errors', () => {
    const text = 'apiVersion: vouch.dev/v1alpha1\nkind: [Policy\n';
    const issues = issuesOf(text);
    expect(issues[0]?.message).toMatch(/not valid YAML or JSON/);
    expect(issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('JSON syntax errors', () => {
    const issues = issuesOf('{\n  "apiVersion": "vouch.dev/v1alpha1",\n  "kind": "Policy",,\n}');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]?.line).toBe(3);
  });

  it('duplicate keys', () => {
    expect(issuesOf(replaced('default: deny', 'default: deny\ndefault: allow'))[0]?.line).toBe(
      positionOf(EXAMPLE, 'default: deny').line + 1,
    );
  });

  it('several documents, an empty file, a document that is not a mapping', () => {
    expect(issuesOf(`${EXAMPLE}---\n${EXAMPLE}`)[0]?.message).toMatch(/one YAML document/);
    expect(issuesOf('')[0]?.message).toMatch(/the policy must be a mapping/);
    expect(issuesOf('- a\n- b\n')[0]?.message).toMatch(/found an array/);
  });

  it('unknown keys, at the key, with a hint for a near spelling', () => {
    expectIssue(replaced('default: deny', 'default: deny\nextra: 1'), 'extra', 'extra:', /not a known field/);
    expectIssue(
      replaced('mode: audit', 'mode: audit\n    when: never'),
      'rules[1].when',
      'when:',
      /not a known field/,
    );
    expectIssue(
      replaced('maxAge: 720h', 'maxAge: 720h\n        maxage: 1h'),
      'rules[0].attestations[0].maxage',
      'maxage',
      /not a known field/,
    );
    expectIssue(
      replaced('sourceRepositoryOwnerURI', 'sourceRepositoryOwnerUri'),
      'identities.gha-release.extensions.sourceRepositoryOwnerUri',
      'sourceRepositoryOwnerUri',
      /did you mean "sourceRepositoryOwnerURI"/,
    );
    expectIssue(
      replaced('subjectRegExp', 'subjectRegexp'),
      'identities.gha-release.subjectRegexp',
      'subjectRegexp',
      /did you mean "subjectRegExp"/,
    );
  });

  it('apiVersion and kind', () => {
    expectIssue(
      replaced('vouch.dev/v1alpha1', 'vouch.dev/v2'),
      'apiVersion',
      'vouch.dev/v2',
      /must be "vouch.dev\/v1alpha1"/,
    );
    expectIssue(replaced('kind: Policy', 'kind: ClusterPolicy'), 'kind', 'ClusterPolicy', /must be "Policy"/);
    expectIssue(replaced('kind: Policy\n', ''), 'kind', 'apiVersion', /is required/);
  });

  it('a signer a rule names that is neither a key nor an identity', () => {
    expectIssue(
      replaced('anyOf: [release, gha-release]', 'anyOf: [release, gha-relaese]'),
      'rules[0].signatures.anyOf[1]',
      'gha-relaese',
      /names no key or identity.*"gha-relaese"/,
    );
    expectIssue(
      replaced('signedBy: [gha-release]', 'signedBy: [nobody]'),
      'rules[0].attestations[0].signedBy[0]',
      'nobody',
      /names no key or identity/,
    );
    expectIssue(
      replaced('of: [gha-release, release]', 'of: [gha-release, ghost]'),
      'rules[1].signatures.of[1]',
      'ghost',
      /names no key or identity/,
    );
  });

  it('signature requirement shapes: one form, distinct signers, a threshold within the list', () => {
    expectIssue(
      replaced('{ anyOf: [release, gha-release] }', '{ anyOf: [release], allOf: [release] }'),
      'rules[0].signatures',
      '{ anyOf: [release], allOf',
      /exactly one of/,
    );
    expectIssue(
      replaced('threshold: 1', 'threshold: 3'),
      'rules[1].signatures.threshold',
      '3, of',
      /at most the 2 signers/,
    );
    expectIssue(
      replaced('threshold: 1', 'threshold: 0'),
      'rules[1].signatures.threshold',
      '0, of',
      /positive integer/,
    );
    expectIssue(
      replaced('threshold: 1', 'threshold: 1.5'),
      'rules[1].signatures.threshold',
      '1.5',
      /positive integer/,
    );
    expectIssue(
      replaced('anyOf: [release, gha-release]', 'anyOf: [release, release]'),
      'rules[0].signatures.anyOf[1]',
      'release]',
      /repeats "release"/,
    );
    expectIssue(
      replaced('anyOf: [release, gha-release]', 'anyOf: []'),
      'rules[0].signatures.anyOf',
      '[]',
      /non-empty list/,
    );
  });

  it('identities: a trusted root that does not exist, issuer and subject required once, regexps compile', () => {
    expectIssue(
      replaced('trustedRoot: public-good', 'trustedRoot: private'),
      'identities.gha-release.trustedRoot',
      'private',
      /names no entry of trustedRoots/,
    );
    expectIssue(
      replaced('    issuer: https://token', '    issuerRegExp: x\n    issuer: https://token'),
      'identities.gha-release',
      'trustedRoot: public-good',
      /one of issuer or issuerRegExp, not both/,
    );
    expectIssue(
      replaced(`    issuer: ${GHA}\n`, ''),
      'identities.gha-release.issuer',
      'trustedRoot: public-good',
      /is required \(or issuerRegExp\)/,
    );
    expectIssue(
      replaced("'^https://github", "'^(https://github"),
      'identities.gha-release.subjectRegExp',
      "'^(https",
      /not a valid regular expression/,
    );
    expectIssue(
      replaced('keys:\n  release:', 'keys:\n  gha-release: { file: a }\n  release:'),
      'identities.gha-release',
      'gha-release:',
      /also the name of a key/,
      2,
    );
  });

  it('names, trusted roots and keys', () => {
    expectIssue(
      replaced('  corp: {', '  "bad name": {'),
      'trustedRoots.bad name',
      '"bad name"',
      /name must be/,
    );
    expectIssue(
      replaced('{ builtin: sigstore-public-good }', '{ builtin: sigstore-staging }'),
      'trustedRoots.public-good.builtin',
      'sigstore-staging',
      /must be "sigstore-public-good"/,
    );
    expectIssue(
      replaced('{ builtin: sigstore-public-good }', '{ builtin: sigstore-public-good, file: x }'),
      'trustedRoots.public-good',
      '{ builtin: sigstore-public-good, file',
      /exactly one of/,
    );
    expectIssue(
      replaced('{ file: ./keys/release.pub }', '{ file: "" }'),
      'keys.release.file',
      '""',
      /non-empty string/,
    );
  });

  it('durations', () => {
    expectIssue(
      replaced('maxAge: 720h', 'maxAge: 30d'),
      'rules[0].attestations[0].maxAge',
      '30d',
      /positive duration/,
    );
    expectIssue(
      replaced('maxAge: 720h', 'maxAge: 3600'),
      'rules[0].attestations[0].maxAge',
      '3600',
      /found a number/,
    );
    expectIssue(
      replaced('maxAge: 720h', 'maxAge: 0s'),
      'rules[0].attestations[0].maxAge',
      '0s',
      /positive duration/,
    );
  });

  it('CEL conditions are compiled at load: a failure names the rule', () => {
    expectIssue(
      replaced('.startsWith("refs/tags/")', '.startsWith("refs/tags/"'),
      'rules[0].attestations[0].condition',
      `'predicate.build`,
      /of rule "acme-production" does not compile as CEL/,
    );
    expectIssue(
      replaced(`'predicate.buildDefinition`, `'predicat.buildDefinition`),
      'rules[0].attestations[0].condition',
      `'predicat.build`,
      /of rule "acme-production" uses "predicat"/,
    );
  });

  it('CEL conditions may bind their own variables in macros and name types', () => {
    const ok = replaced(
      `'predicate.buildDefinition.externalParameters.workflow.ref.startsWith("refs/tags/")'`,
      `'statement.subject.exists(s, s.digest.sha256 == subject.digest.sha256) && type(image) == string && [1].all(x, x > 0)'`,
    );
    expect(parsePolicyText(ok, 'p').policy.rules[0]?.attestations[0]?.condition).toMatch(/^statement/);
  });

  it('scopes, modes, default, rule names', () => {
    expectIssue(
      replaced('scope: [ghcr.io/acme/**]', 'scope: [nginx]'),
      'rules[0].scope[0]',
      'nginx]',
      /registry\/repository/,
    );
    expectIssue(
      replaced('scope: [ghcr.io/acme/**]', 'scope: [library/nginx]'),
      'rules[0].scope[0]',
      'library/nginx',
      /must start with a registry host/,
    );
    expectIssue(
      replaced('scope: [ghcr.io/acme/**]', 'scope: [ghcr.io/Acme/*]'),
      'rules[0].scope[0]',
      'ghcr.io/Acme',
      /lowercase/,
    );
    expectIssue(
      replaced('scope: [ghcr.io/acme/**]', 'scope: [ghcr.io/acme/app:v1]'),
      'rules[0].scope[0]',
      'ghcr.io/acme/app:v1',
      /no tag or digest/,
    );
    expectIssue(
      replaced('scope: [ghcr.io/acme/**]', 'scope: [ghcr.io/acme/app**]'),
      'rules[0].scope[0]',
      'ghcr.io/acme/app**',
      /whole path segment/,
    );
    expectIssue(replaced('mode: audit', 'mode: warn'), 'rules[1].mode', 'warn', /"enforce" or "audit"/);
    expectIssue(replaced('default: deny', 'default: maybe'), 'default', 'maybe', /"deny" or "allow"/);
    expectIssue(
      replaced('name: base-images', 'name: acme-production'),
      'rules[1].name',
      'acme-production',
      /repeats the name of rules\[0\]/,
      2,
    );
  });

  it('lists every issue at once', () => {
    const text = replaced('default: deny', 'default: maybe')
      .replace('maxAge: 720h', 'maxAge: soon')
      .replace('mode: audit', 'mode: x');
    expect(issuesOf(text).map((i) => i.path)).toEqual([
      'rules[0].attestations[0].maxAge',
      'rules[1].mode',
      'default',
    ]);
  });

  it('a value of the wrong type is named with what was found', () => {
    expectIssue(replaced('rules:\n', 'rules: 7\nx:\n'), 'rules', '7', /must be a list, found a number/);
  });
});

describe('parsePolicyDuration', () => {
  it.each([
    ['720h', 720 * 3_600_000],
    ['30m', 1_800_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['1h0m5s', 3_605_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parsePolicyDuration(text)).toBe(ms);
  });
  it.each(['', '0h', '1d', '30', 'h', '1m1h', '-1h', '1.5h', ' 1h'])('%j is not a duration', (text) => {
    expect(parsePolicyDuration(text)).toBeUndefined();
  });
});

// A structural check of the schema over a document: types, required, properties, additionalProperties, items, $ref,
// const, enum, oneOf. Not a JSON Schema validator (the loader validates); enough to keep the schema honest.
type Schema = Record<string, unknown>;
function structural(schema: Schema, root: Schema, value: unknown, path: string, out: string[]): void {
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    const target = ref.replace('#/$defs/', '');
    const defs = root.$defs as Record<string, Schema>;
    structural(defs[target] ?? {}, root, value, path, out);
    return;
  }
  if ('const' in schema && schema.const !== value) out.push(`${path}: const`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${path}: enum`);
  if (Array.isArray(schema.oneOf)) {
    const passing = (schema.oneOf as Schema[]).filter((s) => {
      const sub: string[] = [];
      structural(s, root, value, path, sub);
      return sub.length === 0;
    });
    if (passing.length !== 1) out.push(`${path}: oneOf matched ${passing.length}`);
  }
  if (Array.isArray(schema.allOf))
    for (const s of schema.allOf as Schema[]) structural(s, root, value, path, out);
  const type = schema.type;
  if (type === 'object' || schema.required !== undefined) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      out.push(`${path}: object`);
      return;
    }
    const obj = value as Record<string, unknown>;
    for (const k of (schema.required as string[] | undefined) ?? [])
      if (!(k in obj)) out.push(`${path}.${k}: required`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (props[k] !== undefined) structural(props[k], root, v, `${path}.${k}`, out);
      else if (schema.additionalProperties === false) out.push(`${path}.${k}: additional`);
      else if (typeof schema.additionalProperties === 'object') {
        structural(schema.additionalProperties as Schema, root, v, `${path}.${k}`, out);
      }
    }
  }
  if (type === 'array') {
    if (!Array.isArray(value)) out.push(`${path}: array`);
    else if (typeof schema.items === 'object')
      value.forEach((v, i) => {
        structural(schema.items as Schema, root, v, `${path}[${i}]`, out);
      });
  }
  if (type === 'string' && typeof value !== 'string') out.push(`${path}: string`);
  if (type === 'string' && typeof value === 'string' && typeof schema.pattern === 'string') {
    if (!new RegExp(schema.pattern, 'u').test(value)) out.push(`${path}: pattern`);
  }
  if (type === 'integer' && !Number.isInteger(value)) out.push(`${path}: integer`);
}

describe('the JSON Schema (docs/policy.schema.json, shipped in the package)', () => {
  const docsCopy = readFileSync(join(here, '../../../docs/policy.schema.json'), 'utf8');
  const packageCopy = readFileSync(join(here, '../policy.schema.json'), 'utf8');
  const schema = JSON.parse(docsCopy) as Schema;

  it('is the same file in docs/ and in the package, and the package ships it', () => {
    expect(packageCopy).toBe(docsCopy);
    const pkg = JSON.parse(readFileSync(join(here, '../package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('policy.schema.json');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('accepts the example structurally', () => {
    const out: string[] = [];
    structural(schema, schema, parseYaml(EXAMPLE), '$', out);
    expect(out).toEqual([]);
  });

  it('refuses what the loader refuses structurally (unknown keys, missing fields, two signature forms)', () => {
    const doc = parseYaml(EXAMPLE) as Record<string, unknown>;
    for (const [bad, expected] of [
      [{ ...doc, extra: 1 }, '$.extra: additional'],
      [{ ...doc, kind: 'Other' }, '$.kind: const'],
      [{ ...doc, rules: [{ name: 'r' }] }, '$.rules[0].scope: required'],
      [
        { ...doc, rules: [{ name: 'r', scope: ['a.io/b'], signatures: { anyOf: ['x'], allOf: ['x'] } }] },
        '$.rules[0].signatures: oneOf matched 0',
      ],
    ] as const) {
      const out: string[] = [];
      structural(schema, schema, bad, '$', out);
      expect(out).toContain(expected);
      expect(isVouchError(parseErrorOf(() => parsePolicyText(JSON.stringify(bad), 'p')))).toBe(true);
    }
  });
});

describe('parsePolicyText on random and mutated input (property)', () => {
  const exampleJson = parseYaml(EXAMPLE) as unknown;

  /** Returns a copy of `value` with the node at a random path replaced (or removed). */
  function mutate(value: unknown, picks: readonly number[], replacement: unknown): unknown {
    const [pick, ...rest] = picks;
    if (pick === undefined || typeof value !== 'object' || value === null) return replacement;
    if (Array.isArray(value)) {
      if (value.length === 0) return replacement;
      const i = pick % value.length;
      return value.map((v, j) => (j === i ? mutate(v, rest, replacement) : v));
    }
    const keys = Object.keys(value);
    if (keys.length === 0) return replacement;
    const k = keys[pick % keys.length] ?? '';
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const next = mutate(copy[k], rest, replacement);
    if (next === undefined) delete copy[k];
    else copy[k] = next;
    return copy;
  }

  const ok = (text: string) => {
    try {
      parsePolicyText(text, 'p.yaml');
      return true;
    } catch (e) {
      if (e instanceof ParseError && e.code === 'ERR_MALFORMED_POLICY') return true;
      throw e;
    }
  };

  it('random text gives a policy or ERR_MALFORMED_POLICY', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => ok(s)),
      { numRuns: 10_000 },
    );
  });

  it('the example with its text mutated gives a policy or ERR_MALFORMED_POLICY', () => {
    fc.assert(
      fc.property(fc.nat(EXAMPLE.length), fc.nat(20), fc.string({ maxLength: 8 }), (at, drop, insert) =>
        ok(EXAMPLE.slice(0, at) + insert + EXAMPLE.slice(at + drop)),
      ),
      { numRuns: 10_000 },
    );
  });

  it('the example with a value replaced (as JSON) gives a policy or ERR_MALFORMED_POLICY', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)),
        (picks, replacement) => {
          const text = JSON.stringify(mutate(exampleJson, picks, replacement)) ?? 'null';
          return outcomeOf(() => parsePolicyText(text, 'p.json')) !== undefined;
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
