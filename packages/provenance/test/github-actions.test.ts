// Unit tests of the GitHub Actions SLSA checks, and every slsa-verifier `verify-artifact` vector through them.
import {
  type CertificateIdentity,
  decodeBase64,
  extractIdentity,
  isObject,
  parseBundle,
  parseStatementJson,
  type Statement,
  type VouchErrorCode,
} from '@vouch/core';
import { describe, expect, it } from 'vitest';
import { expectedCode } from '../../../test/support/slsa-sentinels.js';
import { caseFile, loadVectorSet, type VectorCase } from '../../../test/support/vectors.js';
import { verifyGithubActionsProvenance, workflowIdentity } from '../src/github-actions.js';
import { GITHUB_BUILDER_IDS } from '../src/github-builders.js';
import { GITHUB_BUILD_TYPES } from '../src/normalize.js';
import type { SlsaPolicy, SlsaVerification } from '../src/slsa-types.js';
import { SlsaVerificationError } from '../src/slsa-types.js';

const REPO = 'slsa-framework/example-package';
const GO_TAG = `${GITHUB_BUILDER_IDS.go}@refs/tags/v1.4.0`;

/** A certificate identity as Fulcio writes one for a GitHub Actions run. */
function cert(
  overrides: { san?: string; ext?: Record<string, string | undefined> } = {},
): CertificateIdentity {
  const ext: Record<string, string | undefined> = {
    issuer: 'https://token.actions.githubusercontent.com',
    githubWorkflowTrigger: 'workflow_dispatch',
    githubWorkflowSha: 'a'.repeat(40),
    githubWorkflowRepository: REPO,
    githubWorkflowRef: 'refs/tags/v1.2.3',
    buildTrigger: 'workflow_dispatch',
    sourceRepositoryDigest: 'a'.repeat(40),
    sourceRepositoryUri: `https://github.com/${REPO}`,
    sourceRepositoryRef: 'refs/tags/v1.2.3',
    runnerEnvironment: 'github-hosted',
    ...overrides.ext,
  };
  for (const [k, v] of Object.entries(ext)) if (v === undefined) delete ext[k];
  return { subjectAlternativeName: overrides.san ?? GO_TAG, extensions: ext };
}

/** A Go builder v0.2 statement built on a tag, with workflow_dispatch inputs. */
function goStatement(
  over: { builderId?: string; buildType?: string; ref?: string; source?: string } = {},
): Statement {
  const ref = over.ref ?? 'refs/tags/v1.2.3';
  const source = over.source ?? `git+https://github.com/${REPO}@${ref}`;
  const predicate = {
    builder: { id: over.builderId ?? GO_TAG },
    buildType: over.buildType ?? GITHUB_BUILD_TYPES.goV1,
    invocation: {
      configSource: { uri: source, digest: { sha1: 'a'.repeat(40) }, entryPoint: '.github/workflows/go.yml' },
      environment: {
        github_event_name: 'workflow_dispatch',
        github_ref: ref,
        github_ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
        github_base_ref: '',
        github_event_payload: { inputs: { level: '3', flag: 'true' } },
      },
    },
    materials: [{ uri: source, digest: { sha1: 'a'.repeat(40) } }],
  };
  const raw = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: 'bin', digest: { sha256: 'b'.repeat(64) } }],
    predicate,
  };
  return parseStatementJson(new TextEncoder().encode(JSON.stringify(raw)));
}

function outcome(run: () => SlsaVerification): { code: VouchErrorCode | 'pass'; failed: VouchErrorCode[] } {
  try {
    run();
    return { code: 'pass', failed: [] };
  } catch (error) {
    if (!(error instanceof SlsaVerificationError)) throw error;
    const failed = error.checks.flatMap((c) => (c.status === 'fail' && c.code !== undefined ? [c.code] : []));
    return { code: error.code, failed };
  }
}

function verify(policy: Partial<SlsaPolicy>, statement = goStatement(), certificate = cert()) {
  return outcome(() =>
    verifyGithubActionsProvenance({
      statement,
      certificate,
      policy: { sourceUri: `github.com/${REPO}`, ...policy },
    }),
  );
}

describe('verifyGithubActionsProvenance rules', () => {
  it('passes a trusted builder at a release tag and reports every check', () => {
    const r = verifyGithubActionsProvenance({
      statement: goStatement(),
      certificate: cert(),
      policy: { sourceUri: `github.com/${REPO}`, sourceTag: 'v1.2.3', sourceVersionedTag: 'v1.2' },
    });
    expect(r.builderId).toBe(GO_TAG);
    expect(r.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'certificate:pass',
      'builder:pass',
      'source:pass',
      'build-type:pass',
      'certificate-provenance:pass',
      'source:pass',
      'branch:skip',
      'tag:pass',
      'versioned-tag:pass',
      'workflow-inputs:skip',
    ]);
    expect(r.provenance.tag).toBe('refs/tags/v1.2.3');
  });

  it('accepts both --source-uri forms and refuses others', () => {
    expect(verify({ sourceUri: `git+https://github.com/${REPO}` }).code).toBe('pass');
    expect(verify({ sourceUri: 'github.com/other/repo' }).code).toBe('ERR_SLSA_SOURCE_MISMATCH');
    expect(verify({ sourceUri: `https://github.com/${REPO}` }).code).toBe('ERR_SLSA_SOURCE_MISMATCH');
  });

  it('matches --builder-id by name, by exact tag, and refuses another version or name', () => {
    expect(verify({ builderId: GITHUB_BUILDER_IDS.go }).code).toBe('pass');
    expect(verify({ builderId: GO_TAG }).code).toBe('pass');
    expect(verify({ builderId: `${GITHUB_BUILDER_IDS.go}@v1.4.0` }).code).toBe('pass');
    expect(verify({ builderId: `${GITHUB_BUILDER_IDS.go}@v1.5.0` }).code).toBe('ERR_SLSA_UNTRUSTED_BUILDER');
    expect(verify({ builderId: GITHUB_BUILDER_IDS.genericGenerator }).code).toBe(
      'ERR_SLSA_UNTRUSTED_BUILDER',
    );
  });

  it('refuses an untrusted workflow without --builder-id, and one whose provenance names another builder', () => {
    const other = 'https://github.com/evil/repo/.github/workflows/b.yml@refs/tags/v1.0.0';
    expect(verify({}, goStatement(), cert({ san: other })).code).toBe('ERR_SLSA_UNTRUSTED_BUILDER');
    expect(verify({}, goStatement({ builderId: other })).code).toBe('ERR_SLSA_BUILDER_MISMATCH');
  });

  it('refuses a builder at a branch unless the testing switch is set', () => {
    const main = `${GITHUB_BUILDER_IDS.go}@refs/heads/main`;
    const st = goStatement({ builderId: main });
    expect(verify({}, st, cert({ san: main })).code).toBe('ERR_SLSA_INVALID_REF');
    expect(verify({ allowBuilderAtBranch: true }, st, cert({ san: main })).code).toBe('pass');
    const rc = `${GITHUB_BUILDER_IDS.go}@refs/tags/v1.2.3-rc.1`;
    expect(verify({}, goStatement({ builderId: rc }), cert({ san: rc })).code).toBe('ERR_SLSA_INVALID_REF');
  });

  it('refuses a build type the builder does not produce', () => {
    expect(verify({}, goStatement({ buildType: GITHUB_BUILD_TYPES.genericV1 })).code).toBe(
      'ERR_SLSA_BUILD_TYPE',
    );
  });

  it('checks branch, tag and versioned tag with the reference rules', () => {
    expect(verify({ sourceTag: 'v1.2.4' }).code).toBe('ERR_SLSA_TAG_MISMATCH');
    expect(verify({ sourceBranch: 'main' }).code).toBe('ERR_SLSA_INVALID_REF');
    const onMain = goStatement({ ref: 'refs/heads/main' });
    expect(verify({ sourceBranch: 'main' }, onMain).code).toBe('pass');
    expect(verify({ sourceBranch: 'dev' }, onMain).code).toBe('ERR_SLSA_BRANCH_MISMATCH');
    expect(verify({ sourceTag: 'v1.2.3' }, onMain).code).toBe('ERR_SLSA_INVALID_REF');
    for (const ok of ['v1', 'v1.2', 'v1.2.3', 'v1.2.3+build'])
      expect(verify({ sourceVersionedTag: ok }).code).toBe('pass');
    for (const bad of ['v2', 'v1.3', 'v1.2.4', '1.2.3', 'v1.2.3-rc.1']) {
      expect(verify({ sourceVersionedTag: bad }).code).toBe('ERR_SLSA_VERSIONED_TAG_MISMATCH');
    }
  });

  it('checks workflow inputs', () => {
    expect(verify({ buildWorkflowInputs: { level: '3' } }).code).toBe('pass');
    expect(verify({ buildWorkflowInputs: { level: '2' } }).code).toBe('ERR_SLSA_WORKFLOW_INPUTS_MISMATCH');
    expect(verify({ buildWorkflowInputs: { missing: '1' } }).code).toBe('ERR_SLSA_WORKFLOW_INPUTS_MISMATCH');
  });

  it('refuses a certificate whose deprecated and current claims disagree, and evaluates every later check', () => {
    const r = verify(
      { sourceTag: 'nope' },
      goStatement(),
      cert({ ext: { githubWorkflowRepository: 'a/b' } }),
    );
    expect(r.code).toBe('ERR_SLSA_CERTIFICATE_MISMATCH');
    expect(r.failed).toContain('ERR_SLSA_TAG_MISMATCH');
    expect(() => workflowIdentity(cert({ ext: { buildTrigger: 'push' } }))).toThrow(/build trigger/);
    expect(() => workflowIdentity(cert({ san: 'someone@example.com' }))).toThrow(/workflow URI/);
  });

  it('reports the first failure in slsa-verifier order and every other failure', () => {
    const r = verify({ sourceUri: 'github.com/o/r', sourceTag: 'x', builderId: GITHUB_BUILDER_IDS.go });
    expect(r.code).toBe('ERR_SLSA_SOURCE_MISMATCH');
    expect(r.failed).toEqual([
      'ERR_SLSA_SOURCE_MISMATCH',
      'ERR_SLSA_SOURCE_MISMATCH',
      'ERR_SLSA_TAG_MISMATCH',
    ]);
  });
});

// The vectors: every verify-artifact case whose provenance carries its certificate.
const set = loadVectorSet('slsa-verifier');

interface Evidence {
  readonly statement: Statement;
  readonly certificate: CertificateIdentity;
}

const evidenceCache = new Map<string, Evidence>();

function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return decodeBase64(body, 'cert');
}

function evidenceOf(file: string): Evidence {
  const hit = evidenceCache.get(file);
  if (hit !== undefined) return hit;
  const line =
    set
      .text(file)
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  const json: unknown = JSON.parse(line);
  let evidence: Evidence;
  // slsa-verifier tells a Sigstore bundle from a bare DSSE envelope by content, whatever the file is named.
  if (!isObject(json) || json.mediaType === undefined) {
    if (!isObject(json) || typeof json.payload !== 'string' || !Array.isArray(json.signatures)) {
      throw new Error(`${file}: not a DSSE envelope`);
    }
    const sig: unknown = json.signatures[0];
    const pem = isObject(sig) && typeof sig.cert === 'string' ? sig.cert : '';
    evidence = {
      statement: parseStatementJson(decodeBase64(json.payload)),
      certificate: extractIdentity(pemToDer(pem)),
    };
  } else {
    const bundle = parseBundle(json);
    if (bundle.content.type !== 'dsseEnvelope') throw new Error(`${file}: not a DSSE bundle`);
    const material = bundle.verificationMaterial.content;
    const der =
      material.type === 'certificate'
        ? material.rawBytes
        : material.type === 'x509CertificateChain'
          ? material.certificates[0]?.rawBytes
          : undefined;
    if (der === undefined) throw new Error(`${file}: no certificate`);
    evidence = {
      statement: parseStatementJson(bundle.content.envelope.payload),
      certificate: extractIdentity(der),
    };
  }
  evidenceCache.set(file, evidence);
  return evidence;
}

function hasCertificate(c: VectorCase): boolean {
  const text = set.text(caseFile(c, 'provenance'));
  return text.includes('"mediaType"') || /"cert"\s*:\s*"-----BEGIN/.test(text);
}

function policyOf(c: VectorCase, allowBuilderAtBranch: boolean): SlsaPolicy {
  const p = isObject(c.policy) ? c.policy : {};
  const out: Record<string, unknown> = { sourceUri: p.sourceUri };
  for (const k of ['builderId', 'sourceBranch', 'sourceTag', 'sourceVersionedTag', 'buildWorkflowInputs']) {
    if (p[k] !== null && p[k] !== undefined) out[k] = p[k];
  }
  if (allowBuilderAtBranch) out.allowBuilderAtBranch = true;
  return out as unknown as SlsaPolicy;
}

const cases = set.cases.filter((c) => c.kind === 'slsa-artifact');

// Upstream ran Test_runVerifyGHAArtifactPath with SLSA_VERIFIER_TESTING=1 throughout; a case depended on it when
// flagged, or when its signer is a trusted builder referenced at a branch (the multiple-subject cases lack the flag).
function dependsOnTestingSwitch(c: VectorCase): boolean {
  return (
    c.upstreamTestingMode === true ||
    (typeof c.signerSan === 'string' && c.signerSan.includes('@refs/heads/'))
  );
}

describe('slsa-verifier verify-artifact vectors', () => {
  const tally = new Map<string, { pass: number; total: number }>();

  it('every verify-artifact case carries its signing certificate', () => {
    expect(cases.length).toBe(2432);
    expect(cases.filter((c) => !hasCertificate(c))).toEqual([]);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const { statement, certificate } = evidenceOf(caseFile(c, 'provenance'));
    const upstream = c.expect === 'pass' ? 'pass' : expectedCode(String(c.expectedError));
    const run = (allow: boolean) =>
      outcome(() => verifyGithubActionsProvenance({ statement, certificate, policy: policyOf(c, allow) }));
    const family = String(c.builder);
    const entry = tally.get(family) ?? { pass: 0, total: 0 };
    entry.total++;
    tally.set(family, entry);
    if (dependsOnTestingSwitch(c)) {
      expect(run(true).code).toBe(upstream);
      // Without the switch the builder's branch ref is refused first; the upstream failure is still reported.
      const strict = run(false);
      expect(strict.code).toBe('ERR_SLSA_INVALID_REF');
      if (upstream !== 'pass') expect(strict.failed).toContain(upstream);
    } else {
      expect(run(false).code).toBe(upstream);
    }
    entry.pass++;
  });

  it('prints the pass count per builder family', () => {
    const lines = [...tally].map(([k, v]) => `${k}: ${v.pass}/${v.total}`);
    console.log(lines.join('\n'));
    expect(lines.length).toBeGreaterThan(0);
  });
});
