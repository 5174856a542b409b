// Tests of policy evaluation: signer requirements, attestation requirements, CEL conditions, modes and the default.
import { generateKeyPairSync } from 'node:crypto';
import {
  type CertificateIdentity,
  extractIdentity,
  type PublicKey,
  parseBundle,
  parseDigest,
  parsePublicKey,
  parseStatement,
  type Statement,
} from '@vouch/core';
import { describe, expect, it } from 'vitest';
import { caseFile, loadVectorSet } from '../../../test/support/vectors.js';
import { conditionSyntaxError, evaluatePolicy } from '../src/policy-evaluate.js';
import type {
  AttestationEvidence,
  AttestationRequirement,
  Decision,
  ImageEvidence,
  LoadedPolicy,
  Policy,
  PolicyRule,
  SignatureEvidence,
  VerifiedSigner,
} from '../src/policy-types.js';

const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const GHA_ISSUER = 'https://token.actions.githubusercontent.com';
const DIGEST = parseDigest(`sha256:${'a'.repeat(64)}`);
const OTHER_DIGEST = parseDigest(`sha256:${'b'.repeat(64)}`);
const NOW = new Date('2025-06-01T00:00:00Z');
const HOUR = 3_600_000;

function newKey(): PublicKey {
  const { publicKey } = generateKeyPairSync('ed25519');
  return parsePublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString());
}

const KEYS = { release: newKey(), ops: newKey(), audit: newKey(), stranger: newKey() };

const GHA_RELEASE: CertificateIdentity = {
  subjectAlternativeName: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0',
  extensions: {
    issuer: GHA_ISSUER,
    sourceRepositoryOwnerUri: 'https://github.com/acme',
    runnerEnvironment: 'github-hosted',
  },
};
const GHA_OTHER_ORG: CertificateIdentity = {
  subjectAlternativeName: 'https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.2.0',
  extensions: {
    issuer: GHA_ISSUER,
    sourceRepositoryOwnerUri: 'https://github.com/evil',
    runnerEnvironment: 'github-hosted',
  },
};

function policyWith(rules: readonly PolicyRule[], defaultDecision: Policy['default'] = 'deny'): Policy {
  return {
    apiVersion: 'vouch.dev/v1alpha1',
    kind: 'Policy',
    trustedRoots: { 'public-good': { builtin: 'sigstore-public-good' }, corp: { file: './corp.json' } },
    keys: {
      release: { file: './release.pub' },
      ops: { file: './ops.pub' },
      audit: { file: './audit.pub' },
      'release-alias': { file: './release.pub' },
    },
    identities: {
      'gha-release': {
        trustedRoot: 'public-good',
        identity: {
          issuer: { exact: GHA_ISSUER },
          subjectAlternativeName: {
            regexp: '^https://github\\.com/acme/[^/]+/\\.github/workflows/release\\.yml@refs/tags/v.*',
          },
          extensions: {
            sourceRepositoryOwnerUri: { exact: 'https://github.com/acme' },
            runnerEnvironment: { exact: 'github-hosted' },
          },
        },
      },
      'gha-any-acme': {
        trustedRoot: 'public-good',
        identity: { subjectAlternativeName: { regexp: 'https://github\\.com/acme/.*' } },
      },
      'corp-ci': {
        trustedRoot: 'corp',
        identity: {
          issuer: { exact: GHA_ISSUER },
          subjectAlternativeName: { regexp: 'https://github\\.com/acme/.*' },
        },
      },
    },
    rules,
    default: defaultDecision,
  };
}

function loadedOf(policy: Policy): LoadedPolicy {
  return {
    policy,
    policyDigest: `sha256:${'c'.repeat(64)}`,
    keys: { release: KEYS.release, ops: KEYS.ops, audit: KEYS.audit, 'release-alias': KEYS.release },
    trustedRoots: {},
    source: 'policy.yaml',
  };
}

function rule(overrides: Partial<PolicyRule> = {}): PolicyRule {
  return { name: 'acme', scope: ['ghcr.io/acme/**'], mode: 'enforce', attestations: [], ...overrides };
}

const keySigner = (key: PublicKey): VerifiedSigner => ({ type: 'key', keyId: key.keyId });
const certSigner = (identity: CertificateIdentity, trustedRoot = 'public-good'): VerifiedSigner => ({
  type: 'certificate',
  identity,
  trustedRoot,
});
const sig = (signer: VerifiedSigner): SignatureEvidence => ({ signer });

function provenance(
  overrides: { builderId?: string; repo?: string; ref?: string; refType?: string; digest?: string } = {},
): Statement {
  const ref = overrides.ref ?? 'refs/tags/v1.2.0';
  const repo = overrides.repo ?? 'https://github.com/acme/app';
  return parseStatement({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [
      { name: 'ghcr.io/acme/app', digest: { sha256: overrides.digest ?? DIGEST.hex } },
      { name: 'other', digest: { sha256: 'd'.repeat(64) } },
    ],
    predicateType: SLSA_V1,
    predicate: {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: {
          workflow: { ref, repository: repo, path: '.github/workflows/release.yml' },
        },
        internalParameters: {
          github: { event_name: 'push', runner_environment: 'github-hosted' },
          GITHUB_REF: ref,
          GITHUB_REF_TYPE: overrides.refType ?? 'tag',
        },
        resolvedDependencies: [{ uri: `git+${repo}@${ref}`, digest: { gitCommit: 'e'.repeat(40) } }],
      },
      runDetails: {
        builder: { id: overrides.builderId ?? 'https://github.com/actions/runner/github-hosted' },
        metadata: { invocationId: 'https://github.com/acme/app/actions/runs/1/attempts/1' },
      },
    },
  });
}

function attestation(
  statement: Statement,
  signer: VerifiedSigner = certSigner(GHA_RELEASE),
  signedAt: Date | undefined = new Date(NOW.getTime() - HOUR),
): AttestationEvidence {
  return signedAt === undefined ? { statement, signer } : { statement, signer, signedAt };
}

function evidence(
  signatures: readonly SignatureEvidence[],
  attestations: readonly AttestationEvidence[] = [],
): ImageEvidence {
  return {
    image: 'ghcr.io/acme/app:v1.2.0',
    normalized: 'ghcr.io/acme/app',
    digest: DIGEST,
    signatures,
    attestations,
  };
}

function decide(
  r: PolicyRule | undefined,
  ev: ImageEvidence,
  policy = policyWith(r === undefined ? [] : [r]),
): Decision {
  return evaluatePolicy({ loaded: loadedOf(policy), evidence: ev, rule: r, now: NOW, selection: 'test' });
}

function checkOf(d: Decision, id: string) {
  const found = d.checks.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no check ${id} in ${JSON.stringify(d.checks)}`);
  return found;
}

const REQ: AttestationRequirement = {
  predicateType: SLSA_V1,
  signedBy: ['gha-release'],
  slsa: {
    builderId: ['https://github.com/actions/runner/github-hosted'],
    sourceURI: ['git+https://github.com/acme/*'],
    sourceRef: ['refs/tags/v*'],
  },
  maxAgeMs: 720 * HOUR,
  condition: 'predicate.buildDefinition.externalParameters.workflow.ref.startsWith("refs/tags/")',
};

function withReq(overrides: Partial<AttestationRequirement>): PolicyRule {
  return rule({ attestations: [{ ...REQ, ...overrides }] });
}

describe('evaluatePolicy: default and scope', () => {
  it('denies with the default when no rule matches, and the scope check says why', () => {
    const d = decide(undefined, evidence([sig(keySigner(KEYS.release))]));
    expect(d).toMatchObject({
      allowed: false,
      mode: 'default',
      digest: DIGEST.value,
      policyDigest: `sha256:${'c'.repeat(64)}`,
    });
    expect(d.rule).toBeUndefined();
    expect(checkOf(d, 'scope')).toMatchObject({ status: 'fail', code: 'ERR_POLICY_DENIED' });
    expect(checkOf(d, 'scope').message).toContain('default is deny');
    expect(checkOf(d, 'scope').message).toContain('test');
  });

  it('allows with default allow', () => {
    const d = decide(undefined, evidence([]), policyWith([], 'allow'));
    expect(d).toMatchObject({ allowed: true, mode: 'default' });
    expect(checkOf(d, 'scope').status).toBe('skip');
  });

  it('names the rule that applied', () => {
    const d = decide(rule(), evidence([]));
    expect(d).toMatchObject({ allowed: true, rule: 'acme', mode: 'enforce' });
    expect(checkOf(d, 'scope')).toMatchObject({ status: 'pass' });
    expect(checkOf(d, 'signatures').status).toBe('skip');
    expect(Object.isFrozen(d)).toBe(true);
  });

  it('refuses an invalid now', () => {
    expect(() =>
      evaluatePolicy({
        loaded: loadedOf(policyWith([])),
        evidence: evidence([]),
        rule: undefined,
        now: new Date(Number.NaN),
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
  });
});

describe('evaluatePolicy: signatures', () => {
  it('anyOf: one named signer suffices, the others are skipped', () => {
    const d = decide(
      rule({ signatures: { anyOf: ['release', 'gha-release'] } }),
      evidence([sig(keySigner(KEYS.release))]),
    );
    expect(d.allowed).toBe(true);
    expect(checkOf(d, 'signatures').status).toBe('pass');
    expect(checkOf(d, 'signer:release').status).toBe('pass');
    expect(checkOf(d, 'signer:gha-release').status).toBe('skip');
  });

  it('anyOf: none of the named signers denies, naming each missing one', () => {
    const d = decide(
      rule({ signatures: { anyOf: ['release', 'gha-release'] } }),
      evidence([sig(keySigner(KEYS.stranger))]),
    );
    expect(d.allowed).toBe(false);
    expect(checkOf(d, 'signatures')).toMatchObject({ status: 'fail', code: 'ERR_POLICY_DENIED' });
    expect(checkOf(d, 'signer:release')).toMatchObject({ status: 'fail', code: 'ERR_POLICY_DENIED' });
    expect(checkOf(d, 'signer:release').message).toContain(KEYS.stranger.keyId);
    expect(checkOf(d, 'signer:gha-release').message).toContain('expected a certificate');
  });

  it('no signatures at all denies', () => {
    const d = decide(rule({ signatures: { anyOf: ['release'] } }), evidence([]));
    expect(d.allowed).toBe(false);
    expect(checkOf(d, 'signer:release').message).toContain('no verified signatures');
  });

  it('allOf: every signer is needed', () => {
    const r = rule({ signatures: { allOf: ['release', 'gha-release'] } });
    const partial = decide(r, evidence([sig(keySigner(KEYS.release))]));
    expect(partial.allowed).toBe(false);
    expect(checkOf(partial, 'signer:release').status).toBe('pass');
    expect(checkOf(partial, 'signer:gha-release').status).toBe('fail');
    const full = decide(r, evidence([sig(keySigner(KEYS.release)), sig(certSigner(GHA_RELEASE))]));
    expect(full.allowed).toBe(true);
    expect(full.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('threshold: counts distinct named signers', () => {
    const r = rule({ signatures: { threshold: 2, of: ['release', 'ops', 'audit'] } });
    expect(decide(r, evidence([sig(keySigner(KEYS.release))])).allowed).toBe(false);
    expect(decide(r, evidence([sig(keySigner(KEYS.release)), sig(keySigner(KEYS.ops))])).allowed).toBe(true);
    // Two signatures by one key are one signer.
    const twice = decide(r, evidence([sig(keySigner(KEYS.release)), sig(keySigner(KEYS.release))]));
    expect(twice.allowed).toBe(false);
    expect(checkOf(twice, 'signatures').message).toContain('distinct');
  });

  it('threshold: two names for one key, or a name listed twice, count once', () => {
    const aliases = rule({ signatures: { threshold: 2, of: ['release', 'release-alias'] } });
    const d = decide(aliases, evidence([sig(keySigner(KEYS.release))]));
    expect(d.allowed).toBe(false);
    const repeated = rule({ signatures: { threshold: 2, of: ['release', 'release'] } });
    expect(decide(repeated, evidence([sig(keySigner(KEYS.release))])).allowed).toBe(false);
    // Two identities one certificate matches are still one signer.
    const identities = rule({ signatures: { threshold: 2, of: ['gha-release', 'gha-any-acme'] } });
    expect(decide(identities, evidence([sig(certSigner(GHA_RELEASE))])).allowed).toBe(false);
  });

  it('threshold: assigns signers so that as many names as possible are met', () => {
    // gha-any-acme matches both certificates, gha-release only the first: a greedy pick could count 1.
    const secondAcme: CertificateIdentity = {
      subjectAlternativeName: 'https://github.com/acme/tools/.github/workflows/ci.yml@refs/heads/main',
      extensions: { issuer: GHA_ISSUER },
    };
    const r = rule({ signatures: { threshold: 2, of: ['gha-any-acme', 'gha-release'] } });
    const d = decide(r, evidence([sig(certSigner(GHA_RELEASE)), sig(certSigner(secondAcme))]));
    expect(d.allowed).toBe(true);
  });

  it('identity signers: a matching certificate under another trusted root does not count', () => {
    const r = rule({ signatures: { anyOf: ['gha-release'] } });
    const d = decide(r, evidence([sig(certSigner(GHA_RELEASE, 'corp'))]));
    expect(d.allowed).toBe(false);
    expect(checkOf(d, 'signer:gha-release').message).toContain('expected trusted root "public-good"');
    const corp = decide(
      rule({ signatures: { anyOf: ['corp-ci'] } }),
      evidence([sig(certSigner(GHA_RELEASE, 'corp'))]),
    );
    expect(corp.allowed).toBe(true);
  });

  it('identity signers: another identity is named field by field', () => {
    const d = decide(
      rule({ signatures: { anyOf: ['gha-release'] } }),
      evidence([sig(certSigner(GHA_OTHER_ORG))]),
    );
    expect(d.allowed).toBe(false);
    const message = checkOf(d, 'signer:gha-release').message;
    expect(message).toContain('subjectAlternativeName');
    expect(message).toContain('extensions.sourceRepositoryOwnerUri');
  });

  it('identity signers: real Fulcio certificates of the conformance vectors match their own identity only', () => {
    const set = loadVectorSet('sigstore-conformance');
    const identities: CertificateIdentity[] = [];
    for (const c of set.cases) {
      if (c.expect !== 'pass' || !('bundle' in c.files)) continue;
      let material: ReturnType<typeof parseBundle>['verificationMaterial']['content'];
      try {
        material = parseBundle(set.bytes(caseFile(c, 'bundle'))).verificationMaterial.content;
      } catch {
        continue; // bundles this parser refuses are the bundle tests' business
      }
      if (material.type === 'certificate') identities.push(extractIdentity(material.rawBytes));
    }
    expect(identities.length).toBeGreaterThan(0);
    for (const identity of identities) {
      const issuer = identity.extensions.issuer;
      const base = policyWith([]);
      const policy: Policy = {
        ...base,
        identities: {
          ...base.identities,
          own: {
            trustedRoot: 'public-good',
            identity: {
              subjectAlternativeName: { exact: identity.subjectAlternativeName },
              ...(issuer === undefined ? {} : { issuer: { exact: issuer } }),
            },
          },
        },
      };
      const r = rule({ signatures: { anyOf: ['own'] } });
      expect(decide(r, evidence([sig(certSigner(identity))]), policy).allowed).toBe(true);
      expect(decide(r, evidence([sig(certSigner(identity, 'corp'))]), policy).allowed).toBe(false);
      const other = { ...identity, subjectAlternativeName: `${identity.subjectAlternativeName}x` };
      expect(decide(r, evidence([sig(certSigner(other))]), policy).allowed).toBe(false);
    }
  });

  it('key signers do not match certificates and the reverse', () => {
    expect(
      decide(rule({ signatures: { anyOf: ['release'] } }), evidence([sig(certSigner(GHA_RELEASE))])).allowed,
    ).toBe(false);
    expect(
      decide(rule({ signatures: { anyOf: ['gha-release'] } }), evidence([sig(keySigner(KEYS.release))]))
        .allowed,
    ).toBe(false);
  });

  it('a name the policy does not define never matches', () => {
    const d = decide(rule({ signatures: { anyOf: ['nobody'] } }), evidence([sig(keySigner(KEYS.release))]));
    expect(d.allowed).toBe(false);
    expect(checkOf(d, 'signer:nobody').message).toContain('not a key or identity');
  });
});

describe('evaluatePolicy: attestations', () => {
  const signed = [sig(keySigner(KEYS.release))];

  it('passes when one attestation meets everything, with a check per part', () => {
    const d = decide(withReq({}), evidence(signed, [attestation(provenance())]));
    expect(d.allowed).toBe(true);
    for (const id of [`attestation:${SLSA_V1}`, 'slsa', 'max-age', 'condition'])
      expect(checkOf(d, id).status).toBe('pass');
    expect(checkOf(d, `attestation:${SLSA_V1}`).message).toContain('#0');
  });

  it('a missing attestation denies and lists the types found', () => {
    const other = parseStatement({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: DIGEST.hex } }],
      predicateType: 'https://spdx.dev/Document',
      predicate: {},
    });
    const d = decide(withReq({}), evidence(signed, [attestation(other)]));
    expect(d.allowed).toBe(false);
    expect(checkOf(d, `attestation:${SLSA_V1}`)).toMatchObject({ status: 'fail', code: 'ERR_POLICY_DENIED' });
    expect(checkOf(d, `attestation:${SLSA_V1}`).message).toContain('https://spdx.dev/Document');
    expect(checkOf(d, 'slsa').status).toBe('skip');
  });

  it('an attestation about another digest does not count', () => {
    const d = decide(withReq({}), evidence(signed, [attestation(provenance({ digest: OTHER_DIGEST.hex }))]));
    expect(d.allowed).toBe(false);
    const message = checkOf(d, `attestation:${SLSA_V1}`).message;
    expect(message).toContain(`expected ${DIGEST.value}`);
    expect(message).toContain(OTHER_DIGEST.value);
  });

  it('an attestation by a signer not in signedBy does not count', () => {
    const d = decide(withReq({}), evidence(signed, [attestation(provenance(), certSigner(GHA_OTHER_ORG))]));
    expect(d.allowed).toBe(false);
    expect(checkOf(d, `attestation:${SLSA_V1}`).message).toContain('signer: expected one of ["gha-release"]');
    const byKey = decide(
      withReq({ signedBy: ['release'] }),
      evidence(signed, [attestation(provenance(), keySigner(KEYS.release))]),
    );
    expect(byKey.allowed).toBe(true);
  });

  it.each([
    ['builderId', { builderId: 'https://example.com/other-builder' }, 'ERR_SLSA_BUILDER_MISMATCH'],
    ['sourceURI', { repo: 'https://github.com/evil/app' }, 'ERR_SLSA_SOURCE_MISMATCH'],
    ['sourceRef', { ref: 'refs/heads/main', refType: 'branch' }, 'ERR_SLSA_BRANCH_MISMATCH'],
  ] as const)('a %s outside the allowed globs denies', (field, overrides, code) => {
    const d = decide(withReq({}), evidence(signed, [attestation(provenance(overrides))]));
    expect(d.allowed).toBe(false);
    expect(checkOf(d, 'slsa')).toMatchObject({ status: 'fail', code });
    expect(checkOf(d, 'slsa').message).toContain(`${field}: expected one of`);
    expect(checkOf(d, 'max-age').status).toBe('skip');
  });

  it('a builder id pattern without a version matches a versioned builder', () => {
    const builder =
      'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml';
    const st = provenance({ builderId: `${builder}@refs/tags/v2.0.0` });
    expect(
      decide(withReq({ slsa: { builderId: [builder] } }), evidence(signed, [attestation(st)])).allowed,
    ).toBe(true);
    expect(
      decide(
        withReq({ slsa: { builderId: [`${builder}@refs/tags/v1*`] } }),
        evidence(signed, [attestation(st)]),
      ).allowed,
    ).toBe(false);
  });

  it('SLSA checks on a predicate that is not provenance deny', () => {
    const st = parseStatement({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: DIGEST.hex } }],
      predicateType: 'https://example.com/custom',
      predicate: { a: 1 },
    });
    const d = decide(
      withReq({ predicateType: 'https://example.com/custom', condition: 'true' }),
      evidence(signed, [attestation(st)]),
    );
    expect(d.allowed).toBe(false);
    expect(checkOf(d, 'slsa')).toMatchObject({ status: 'fail', code: 'ERR_PREDICATE_TYPE' });
  });

  it('an attestation older than maxAge denies; one without a signing time cannot prove its age', () => {
    const old = decide(
      withReq({}),
      evidence(signed, [attestation(provenance(), undefined, new Date(NOW.getTime() - 721 * HOUR))]),
    );
    expect(old.allowed).toBe(false);
    expect(checkOf(old, 'max-age')).toMatchObject({ status: 'fail', code: 'ERR_POLICY_DENIED' });
    expect(checkOf(old, 'max-age').message).toContain('expected at most 720h old, found 721h');
    const edge = decide(
      withReq({}),
      evidence(signed, [attestation(provenance(), undefined, new Date(NOW.getTime() - 720 * HOUR))]),
    );
    expect(edge.allowed).toBe(true);
    const noTime: AttestationEvidence = { statement: provenance(), signer: certSigner(GHA_RELEASE) };
    const unknown = decide(withReq({}), evidence(signed, [noTime]));
    expect(unknown.allowed).toBe(false);
    expect(checkOf(unknown, 'max-age').message).toContain('cannot be proven');
    // Without maxAge, the signing time does not matter.
    expect(
      decide(
        rule({ attestations: [{ predicateType: SLSA_V1, signedBy: ['gha-release'] }] }),
        evidence(signed, [noTime]),
      ).allowed,
    ).toBe(true);
  });

  it('a false condition denies with ERR_POLICY_CONDITION', () => {
    const d = decide(
      withReq({
        condition: 'predicate.buildDefinition.externalParameters.workflow.ref.startsWith("refs/heads/")',
      }),
      evidence(signed, [attestation(provenance())]),
    );
    expect(d.allowed).toBe(false);
    expect(checkOf(d, 'condition')).toMatchObject({ status: 'fail', code: 'ERR_POLICY_CONDITION' });
    expect(checkOf(d, `attestation:${SLSA_V1}`).code).toBe('ERR_POLICY_CONDITION');
    expect(checkOf(d, 'condition').message).toContain('expected true, found false');
  });

  it('a condition that fails at run time denies with ERR_POLICY_CONDITION and says why', () => {
    for (const condition of [
      'predicate.no.such.field == "x"',
      'unknownFunction(1)',
      'predicate.runDetails + 1',
    ]) {
      const d = decide(withReq({ condition }), evidence(signed, [attestation(provenance())]));
      expect(d.allowed).toBe(false);
      expect(checkOf(d, 'condition')).toMatchObject({ status: 'fail', code: 'ERR_POLICY_CONDITION' });
      expect(checkOf(d, 'condition').message).toContain('failed at run time');
    }
    const notBool = decide(withReq({ condition: '"yes"' }), evidence(signed, [attestation(provenance())]));
    expect(checkOf(notBool, 'condition').message).toContain('expected a bool, found a string');
  });

  it('a condition sees the statement, the matching subject and the image', () => {
    const condition = [
      'statement._type == "https://in-toto.io/Statement/v1"',
      `subject.digest.sha256 == "${DIGEST.hex}"`,
      'subject.name == "ghcr.io/acme/app"',
      `image.digest == "${DIGEST.value}"`,
      'image.normalized == "ghcr.io/acme/app"',
      'image.reference.endsWith(":v1.2.0")',
      'predicate.runDetails.builder.id.contains("github-hosted")',
      'size(statement.subject) == 2',
    ].join(' && ');
    const d = decide(withReq({ condition }), evidence(signed, [attestation(provenance())]));
    expect(checkOf(d, 'condition')).toMatchObject({ status: 'pass' });
    expect(d.allowed).toBe(true);
  });

  it('the same requirement object evaluates consistently across images (the compiled program is reused)', () => {
    const r = withReq({});
    const policy = policyWith([r]);
    for (let i = 0; i < 50; i++) {
      const good = decide(r, evidence(signed, [attestation(provenance())]), policy);
      const bad = decide(
        r,
        evidence(signed, [attestation(provenance({ ref: 'refs/tags/x', refType: 'tag' }))]),
        policy,
      );
      expect(good.allowed).toBe(true);
      expect(bad.allowed).toBe(false);
    }
  });

  it('one good attestation among bad ones passes, and the check names the rejected ones', () => {
    const d = decide(
      withReq({}),
      evidence(signed, [
        attestation(provenance({ digest: OTHER_DIGEST.hex })),
        attestation(provenance(), certSigner(GHA_OTHER_ORG)),
        attestation(provenance()),
      ]),
    );
    expect(d.allowed).toBe(true);
    const message = checkOf(d, `attestation:${SLSA_V1}`).message;
    expect(message).toContain('attestation #2');
    expect(message).toContain('#0');
    expect(message).toContain('#1');
  });

  it('when all fail, the sub-checks explain the one that came closest', () => {
    const d = decide(
      withReq({}),
      evidence(signed, [
        attestation(provenance({ digest: OTHER_DIGEST.hex })),
        attestation(provenance(), undefined, new Date(NOW.getTime() - 800 * HOUR)),
      ]),
    );
    expect(d.allowed).toBe(false);
    expect(checkOf(d, 'slsa').status).toBe('pass');
    expect(checkOf(d, 'max-age').status).toBe('fail');
    expect(checkOf(d, 'condition').status).toBe('skip');
  });

  it('every requirement must be met', () => {
    const r = rule({
      attestations: [REQ, { predicateType: 'https://spdx.dev/Document', signedBy: ['release'] }],
    });
    const d = decide(r, evidence(signed, [attestation(provenance())]));
    expect(d.allowed).toBe(false);
    expect(checkOf(d, `attestation:${SLSA_V1}`).status).toBe('pass');
    expect(checkOf(d, 'attestation:https://spdx.dev/Document').status).toBe('fail');
  });
});

describe('evaluatePolicy: modes', () => {
  it('audit allows what enforce denies and says it would deny', () => {
    const ev = evidence([sig(keySigner(KEYS.stranger))]);
    const audit = decide(rule({ mode: 'audit', signatures: { anyOf: ['release'] } }), ev);
    expect(audit).toMatchObject({ allowed: true, mode: 'audit', wouldDeny: true });
    expect(checkOf(audit, 'signatures').status).toBe('fail');
    const enforce = decide(rule({ mode: 'enforce', signatures: { anyOf: ['release'] } }), ev);
    expect(enforce).toMatchObject({ allowed: false, mode: 'enforce' });
    expect(enforce.wouldDeny).toBeUndefined();
  });

  it('audit of a passing image would not deny', () => {
    const d = decide(
      rule({ mode: 'audit', signatures: { anyOf: ['release'] } }),
      evidence([sig(keySigner(KEYS.release))]),
    );
    expect(d).toMatchObject({ allowed: true, wouldDeny: false });
  });
});

describe('conditionSyntaxError', () => {
  it('accepts a valid expression and explains an invalid one', () => {
    expect(conditionSyntaxError(REQ.condition ?? '')).toBeUndefined();
    expect(conditionSyntaxError('predicate.')).toEqual(expect.any(String));
    expect(conditionSyntaxError('1 +')).toEqual(expect.any(String));
  });
});
