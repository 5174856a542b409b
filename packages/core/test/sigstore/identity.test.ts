// Tests of Fulcio identity extraction, identity policies (anchored matching) and the gh / cosign flag mappings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, outcomeOf } from '../../../../test/support/errors.js';
import { caseFile, loadVectorSet } from '../../../../test/support/vectors.js';
import { parseBundle } from '../../src/bundle.js';
import { VerificationError } from '../../src/errors.js';
import {
  assertIdentity,
  decodeCertificate,
  extractIdentity,
  GITHUB_ACTIONS_ISSUER,
  gitHubPolicy,
  gitHubWorkflowExtensions,
  matchIdentity,
} from '../../src/sigstore/identity.js';
import type { CertificateIdentity, IdentityPolicy } from '../../src/sigstore/types.js';
import { derMutation, ext, extension, mutateDer, testAuthority, tlv, utf8 } from './x509-builder.js';

const set = loadVectorSet('sigstore-conformance');
const beaconCase = set.cases.find((c) => c.id === 'happy-path-intoto-in-dsse-v3');
if (beaconCase === undefined) throw new Error('missing case');
const beaconMaterial = parseBundle(set.bytes(caseFile(beaconCase, 'bundle'))).verificationMaterial.content;
if (beaconMaterial.type !== 'certificate') throw new Error('expected a certificate');
const beaconLeaf = beaconMaterial.rawBytes;

const REPO = 'sigstore-conformance/extremely-dangerous-public-oidc-beacon';
const WORKFLOW = `https://github.com/${REPO}/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main`;
const SHA = '82a3bfe6dd50fe9c71d6315eae66da15307856cf';

const beaconIdentity: CertificateIdentity = {
  subjectAlternativeName: WORKFLOW,
  extensions: {
    issuer: GITHUB_ACTIONS_ISSUER,
    githubWorkflowTrigger: 'workflow_dispatch',
    githubWorkflowSha: SHA,
    githubWorkflowName: 'Extremely dangerous OIDC beacon',
    githubWorkflowRepository: REPO,
    githubWorkflowRef: 'refs/heads/main',
    buildSignerUri: WORKFLOW,
    buildSignerDigest: SHA,
    runnerEnvironment: 'github-hosted',
    sourceRepositoryUri: `https://github.com/${REPO}`,
    sourceRepositoryDigest: SHA,
    sourceRepositoryRef: 'refs/heads/main',
    sourceRepositoryIdentifier: '632596897',
    sourceRepositoryOwnerUri: 'https://github.com/sigstore-conformance',
    sourceRepositoryOwnerIdentifier: '131804563',
    buildConfigUri: WORKFLOW,
    buildConfigDigest: SHA,
    buildTrigger: 'workflow_dispatch',
    runInvocationUri: `https://github.com/${REPO}/actions/runs/12359147651/attempts/1`,
    sourceRepositoryVisibilityAtSigning: 'public',
  },
};

const ca = testAuthority({ start: new Date('2024-01-01T00:00:00Z'), end: new Date('2034-01-01T00:00:00Z') });
const window = { notBefore: new Date('2025-06-01T00:00:00Z'), notAfter: new Date('2025-06-01T00:10:00Z') };
const leafWith = (...extensions: Uint8Array[]) =>
  ca.leaf({ ...window, extensions: [ext.keyUsage(0x80), ext.codeSigning(), ...extensions] });

function errorOf(fn: () => unknown): VerificationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerificationError) return e;
    throw e;
  }
  throw new Error('expected a VerificationError, nothing was thrown');
}

describe('extractIdentity', () => {
  it('reads the SAN and every Fulcio extension of the conformance beacon certificate (raw .1-.6, UTF8String .8+)', () => {
    expect(extractIdentity(beaconLeaf)).toEqual(beaconIdentity);
    expect(Object.isFrozen(extractIdentity(beaconLeaf).extensions)).toBe(true);
    expect(extractIdentity(decodeCertificate(beaconLeaf))).toEqual(beaconIdentity);
  });

  it.each([
    ['an email', ext.sanEmail('dev@example.com'), 'dev@example.com'],
    ['a URI', ext.sanUri('https://ci.example.com/job'), 'https://ci.example.com/job'],
    ['a Fulcio otherName', ext.sanOther('user!example.com'), 'user!example.com'],
  ])('the SAN may be %s', (_what, san, expected) => {
    expect(extractIdentity(leafWith(san)).subjectAlternativeName).toBe(expected);
  });

  it('takes the issuer from .8, else from .1; both present must agree', async () => {
    const san = ext.sanEmail('a@b.c');
    expect(extractIdentity(leafWith(san, ext.fulcioRaw(1, 'https://old'))).extensions.issuer).toBe(
      'https://old',
    );
    expect(extractIdentity(leafWith(san, ext.fulcio(8, 'https://new'))).extensions.issuer).toBe(
      'https://new',
    );
    expect(
      extractIdentity(leafWith(san, ext.fulcioRaw(1, 'https://same'), ext.fulcio(8, 'https://same')))
        .extensions.issuer,
    ).toBe('https://same');
    expect(
      await codeOf(() =>
        extractIdentity(leafWith(san, ext.fulcioRaw(1, 'https://a'), ext.fulcio(8, 'https://b'))),
      ),
    ).toBe('ERR_MALFORMED_CERTIFICATE');
  });

  it.each([
    ['no SAN', [ext.fulcio(8, 'https://x')]],
    [
      'two SAN names',
      [
        extension(
          '2.5.29.17',
          tlv(0x30, tlv(0x81, Buffer.from('a@b.c')), tlv(0x81, Buffer.from('d@e.f'))),
          true,
        ),
      ],
    ],
    ['a DNS SAN', [extension('2.5.29.17', tlv(0x30, tlv(0x82, Buffer.from('example.com'))), true)]],
    ['a .9 value that is not a UTF8String', [ext.sanEmail('a@b.c'), ext.fulcioRaw(9, 'https://raw')]],
    [
      'a .12 UTF8String with trailing bytes',
      [
        ext.sanEmail('a@b.c'),
        extension('1.3.6.1.4.1.57264.1.12', Buffer.concat([utf8('x'), Buffer.from([0])])),
      ],
    ],
    [
      'a .2 value that is not UTF-8',
      [ext.sanEmail('a@b.c'), extension('1.3.6.1.4.1.57264.1.2', Buffer.from([0xff, 0xfe]))],
    ],
    ['a non-ASCII email', [extension('2.5.29.17', tlv(0x30, tlv(0x81, Buffer.from('dév@b.c'))), true)]],
    [
      'the same extension twice',
      [ext.sanEmail('a@b.c'), ext.fulcio(8, 'https://x'), ext.fulcio(8, 'https://x')],
    ],
  ])('%s is ERR_MALFORMED_CERTIFICATE', async (_what, extensions) => {
    expect(await codeOf(() => extractIdentity(leafWith(...extensions)))).toBe('ERR_MALFORMED_CERTIFICATE');
  });

  it('property: mutated DER ends in a VouchError or an identity', () => {
    fc.assert(
      fc.property(derMutation, (m) => {
        outcomeOf(() => extractIdentity(mutateDer(beaconLeaf, m)));
      }),
      { numRuns: 10_000 },
    );
  });

  it('property: random bytes end in a VouchError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(outcomeOf(() => extractIdentity(bytes))).toBe('error');
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('matchIdentity / assertIdentity', () => {
  it('exact and anchored regular expressions', () => {
    const rows = matchIdentity(beaconIdentity, {
      subjectAlternativeName: { exact: WORKFLOW },
      issuer: { regexp: 'https://token\\.actions\\.githubusercontent\\.com' },
      extensions: { sourceRepositoryRef: { regexp: 'refs/(heads|tags)/.+' } },
    });
    expect(rows.map((r) => [r.field, r.ok])).toEqual([
      ['subjectAlternativeName', true],
      ['issuer', true],
      ['extensions.sourceRepositoryRef', true],
    ]);
    expect(rows[1]?.expected).toBe('/^(?:https://token\\.actions\\.githubusercontent\\.com)$/u');
  });

  it.each([
    ['a prefix', { subjectAlternativeName: { regexp: 'https://github\\.com/sigstore-conformance' } }],
    ['a middle', { issuer: { regexp: 'token\\.actions' } }],
    ['a suffix', { subjectAlternativeName: { regexp: '@refs/heads/main' } }],
    ['one side of an alternation', { issuer: { regexp: 'https://token|nothing' } }],
    ['a partial exact value', { issuer: { exact: 'https://token.actions.githubusercontent.com/' } }],
  ] as [string, IdentityPolicy][])('%s match does not pass', (_what, policy) => {
    expect(matchIdentity(beaconIdentity, policy).every((r) => !r.ok)).toBe(true);
    expect(errorOf(() => assertIdentity(beaconIdentity, policy)).code).toBe('ERR_IDENTITY_MISMATCH');
  });

  it('a full-value alternation passes', () => {
    expect(() =>
      assertIdentity(beaconIdentity, {
        issuer: { regexp: 'nothing|https://token\\.actions\\.githubusercontent\\.com' },
      }),
    ).not.toThrow();
  });

  it('the mismatch error names the field, what was expected and what was found', () => {
    const e = errorOf(() =>
      assertIdentity(beaconIdentity, {
        subjectAlternativeName: {
          exact: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
        },
        extensions: { buildTrigger: { exact: 'push' }, githubWorkflowRef: { exact: 'refs/heads/main' } },
      }),
    );
    expect(e.message).toContain('subjectAlternativeName: expected https://github.com/acme/app');
    expect(e.message).toContain(`found "${WORKFLOW}"`);
    expect(e.message).toContain('extensions.buildTrigger: expected push, found "workflow_dispatch"');
    expect(e.message).not.toContain('githubWorkflowRef');
  });

  it('an absent value never matches, not even .*', () => {
    const id: CertificateIdentity = { subjectAlternativeName: 'a@b.c', extensions: {} };
    const rows = matchIdentity(id, {
      issuer: { regexp: '.*' },
      extensions: { runnerEnvironment: { regexp: '.*' } },
    });
    expect(rows.map((r) => [r.ok, r.found])).toEqual([
      [false, '(absent)'],
      [false, '(absent)'],
    ]);
  });

  it('an invalid regular expression, a bad matcher or an unknown extension is ERR_USAGE', async () => {
    const bad: unknown[] = [
      { issuer: { regexp: '(' } },
      { issuer: { regexp: '[z-a]' } },
      { issuer: { exact: 'a', regexp: 'b' } },
      { issuer: {} },
      { issuer: { exact: '' } },
      { extensions: { notAnExtension: { exact: 'x' } } },
    ];
    for (const policy of bad) {
      expect(await codeOf(() => matchIdentity(beaconIdentity, policy as IdentityPolicy))).toBe('ERR_USAGE');
    }
  });

  it('property: any regular expression text gives rows or ERR_USAGE', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (source) => {
        outcomeOf(() => matchIdentity(beaconIdentity, { subjectAlternativeName: { regexp: source } }));
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('gitHubPolicy (gh attestation verify flags)', () => {
  const passes = (policy: IdentityPolicy, id: CertificateIdentity = beaconIdentity) =>
    matchIdentity(id, policy).every((r) => r.ok);

  it('--owner maps to sourceRepositoryOwnerUri, the signer to the owner, the issuer to GitHub Actions', () => {
    const policy = gitHubPolicy({ owner: 'sigstore-conformance' });
    expect(Object.keys(policy.extensions ?? {})).toEqual(['sourceRepositoryOwnerUri']);
    expect(policy.issuer).toEqual({ exact: GITHUB_ACTIONS_ISSUER });
    expect(passes(policy)).toBe(true);
    expect(passes(gitHubPolicy({ owner: 'Sigstore-Conformance' }))).toBe(true);
    expect(passes(gitHubPolicy({ owner: 'sigstore' }))).toBe(false);
    expect(passes(gitHubPolicy({ owner: 'sigstore-conformance-evil' }))).toBe(false);
  });

  it('--repo maps to sourceRepositoryUri (and its owner)', () => {
    const policy = gitHubPolicy({ repo: REPO });
    expect(Object.keys(policy.extensions ?? {}).sort()).toEqual([
      'sourceRepositoryOwnerUri',
      'sourceRepositoryUri',
    ]);
    expect(passes(policy)).toBe(true);
    expect(passes(gitHubPolicy({ repo: 'sigstore-conformance/other' }))).toBe(false);
    expect(passes(gitHubPolicy({ repo: `${REPO}-2` }))).toBe(false);
  });

  it('--signer-workflow matches the SAN, anchored, with or without a host and ref', () => {
    const path = `${REPO}/.github/workflows/extremely-dangerous-oidc-beacon.yml`;
    for (const signerWorkflow of [
      path,
      `github.com/${path}`,
      `${path}@refs/heads/main`,
      `${REPO}/.github/workflows/.*`,
    ]) {
      expect(passes(gitHubPolicy({ repo: REPO, signerWorkflow }))).toBe(true);
    }
    // gh's unanchored prefix would accept these; vouch does not.
    for (const signerWorkflow of [
      `${REPO}/.github/workflows/extremely-dangerous`,
      `${path}@refs/heads/mai`,
      `${REPO}/.github/workflows/other.yml`,
    ]) {
      expect(passes(gitHubPolicy({ repo: REPO, signerWorkflow }))).toBe(false);
    }
    expect(
      gitHubPolicy({ owner: 'acme', signerWorkflow: 'acme/app/.github/workflows/r.yml' })
        .subjectAlternativeName,
    ).toEqual({
      regexp: 'https://github\\.com/acme/app/.github/workflows/r.yml@.*',
    });
  });

  it('--signer-repo, --signer-digest, --source-ref, --source-digest, --deny-self-hosted-runners', () => {
    expect(passes(gitHubPolicy({ owner: 'sigstore-conformance', signerRepo: REPO }))).toBe(true);
    expect(
      passes(gitHubPolicy({ owner: 'sigstore-conformance', signerRepo: 'sigstore-conformance/x' })),
    ).toBe(false);
    const full = gitHubPolicy({
      repo: REPO,
      signerDigest: SHA,
      sourceRef: 'refs/heads/main',
      sourceDigest: SHA,
      denySelfHostedRunners: true,
    });
    expect(full.extensions).toMatchObject({
      buildSignerDigest: { exact: SHA },
      sourceRepositoryRef: { exact: 'refs/heads/main' },
      sourceRepositoryDigest: { exact: SHA },
      runnerEnvironment: { exact: 'github-hosted' },
    });
    expect(passes(full)).toBe(true);
    const selfHosted = {
      ...beaconIdentity,
      extensions: { ...beaconIdentity.extensions, runnerEnvironment: 'self-hosted' },
    };
    expect(passes(full, selfHosted)).toBe(false);
    expect(passes(gitHubPolicy({ repo: REPO }), selfHosted)).toBe(true);
    expect(passes(gitHubPolicy({ repo: REPO, sourceRef: 'refs/heads/mai' }))).toBe(false);
  });

  it('flag errors are ERR_USAGE', async () => {
    for (const options of [
      {},
      { repo: 'no-slash' },
      { repo: 'a/b/c' },
      { owner: 'other', repo: REPO },
      { repo: REPO, signerRepo: REPO, signerWorkflow: 'x' },
      { owner: ' padded' },
    ]) {
      expect(await codeOf(() => gitHubPolicy(options))).toBe('ERR_USAGE');
    }
  });
});

describe('gitHubWorkflowExtensions (cosign --certificate-github-workflow-*)', () => {
  it('maps each flag onto .5/.6/.3/.2/.4, exactly', () => {
    const extensions = gitHubWorkflowExtensions({
      repository: REPO,
      ref: 'refs/heads/main',
      sha: SHA,
      trigger: 'workflow_dispatch',
      name: 'Extremely dangerous OIDC beacon',
    });
    expect(extensions).toEqual({
      githubWorkflowRepository: { exact: REPO },
      githubWorkflowRef: { exact: 'refs/heads/main' },
      githubWorkflowSha: { exact: SHA },
      githubWorkflowTrigger: { exact: 'workflow_dispatch' },
      githubWorkflowName: { exact: 'Extremely dangerous OIDC beacon' },
    });
    expect(() => assertIdentity(beaconIdentity, { extensions })).not.toThrow();
    const e = errorOf(() =>
      assertIdentity(beaconIdentity, { extensions: gitHubWorkflowExtensions({ trigger: 'push' }) }),
    );
    expect(e.message).toContain('extensions.githubWorkflowTrigger');
  });
});
