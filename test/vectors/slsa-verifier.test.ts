// Every case of slsa-verifier's regression corpus through `vouch-slsa`'s code path in process (the same argument
// parsing and verification as the bin), and a stratified sample through the built bin. Each case's command line is
// built from its fields (the upstream `cli` text is for people: it is not shell-quoted).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSlsaInProcess as runInProcess } from '../cli/harness.js';
import { SLSA_BIN } from '../support/bins.js';
import { expectedCodes } from '../support/slsa-sentinels.js';
import { loadVectorSet, VECTORS_DIR, type VectorCase } from '../support/vectors.js';

const set = loadVectorSet('slsa-verifier');

/** A trusted builder referenced at a branch, refused without the testing switch: slsa-verifier's own error for it. */
const BUILDER_AT_BRANCH = 'ERR_SLSA_INVALID_REF';

interface Policy {
  readonly sourceUri: string;
  readonly builderId?: string | null;
  readonly sourceBranch?: string;
  readonly sourceTag?: string;
  readonly sourceVersionedTag?: string;
  readonly buildWorkflowInputs?: Readonly<Record<string, string>>;
  readonly packageName?: string;
  readonly packageVersion?: string;
}

interface Artifact {
  readonly sha256: string;
  readonly path: string | null;
}

const at = (relative: string) => join(set.dir, relative);

function policyArgs(p: Policy): string[] {
  const args = ['--source-uri', p.sourceUri];
  if (typeof p.builderId === 'string') args.push('--builder-id', p.builderId);
  if (p.sourceBranch !== undefined) args.push('--source-branch', p.sourceBranch);
  if (p.sourceTag !== undefined) args.push('--source-tag', p.sourceTag);
  if (p.sourceVersionedTag !== undefined) args.push('--source-versioned-tag', p.sourceVersionedTag);
  for (const [k, v] of Object.entries(p.buildWorkflowInputs ?? {}))
    args.push('--build-workflow-input', `${k}=${v}`);
  if (p.packageName !== undefined) args.push('--package-name', p.packageName);
  if (p.packageVersion !== undefined) args.push('--package-version', p.packageVersion);
  return args;
}

function fileOf(c: VectorCase, key: string): string {
  const f = c.files[key];
  if (typeof f !== 'string') throw new Error(`case ${c.id} has no file ${key}`);
  return at(f);
}

/** The image operand of an upstream `verify-image` line: `<local image NAME>@sha256:…` names a local image. */
function imageOperand(c: VectorCase): string {
  const operand = /verify-image (<[^>]+>\S*|\S+)/.exec(c.cli as string)?.[1] ?? '';
  return operand.replace(/^<local image ([^>]+)>/, '$1');
}

/** The `vouch-slsa` command line of a case. */
function argvOf(c: VectorCase): string[] {
  const policy = policyArgs(c.policy as Policy);
  if (c.kind === 'slsa-artifact') {
    const artifacts = (c.artifacts as Artifact[]).flatMap((a) =>
      a.path === null ? ['--artifact-digest', `sha256:${a.sha256}`] : [at(a.path)],
    );
    return ['verify-artifact', '--provenance-path', fileOf(c, 'provenance'), ...policy, ...artifacts];
  }
  if (c.kind === 'slsa-image-oci-layout') {
    const image = c.image as { ociLayout: string; digest: string };
    return ['verify-image', `oci-layout:${at(image.ociLayout)}@${image.digest}`, ...policy];
  }
  if (c.kind === 'slsa-gcb-image') {
    return [
      'verify-image',
      imageOperand(c),
      '--provenance-path',
      fileOf(c, 'provenance'),
      '--gcb-keys',
      at('gcb-keys'),
      ...policy,
    ];
  }
  if (c.kind === 'slsa-npm') {
    return [
      'verify-npm-package',
      fileOf(c, 'tarball'),
      '--attestations-path',
      fileOf(c, 'attestations'),
      '--npm-registry-keys',
      join(VECTORS_DIR, 'trusted-roots/npm-registry-keys.json'),
      ...policy,
    ];
  }
  throw new Error(`case ${c.id}: unknown kind ${c.kind}`);
}

/** What vouch must do with a case: pass, or fail with one of these codes. */
function expectation(c: VectorCase): { outcome: 'pass' | 'fail'; codes?: readonly string[] } {
  // A bare DSSE envelope needs a Rekor search upstream; offline it is refused with its own code.
  if (c.offline === false) return { outcome: 'fail', codes: ['ERR_NO_TLOG_PROOF'] };
  const sentinel = typeof c.expectedError === 'string' ? c.expectedError : undefined;
  const upstream = sentinel === undefined ? undefined : expectedCodes(sentinel);
  if (c.upstreamTestingMode === true) {
    if (c.expectWithoutTestingMode === 'fail') return { outcome: 'fail', codes: [BUILDER_AT_BRANCH] };
    // Upstream failed even with the switch: without it the builder's branch ref may be refused first.
    if (c.expect === 'fail') return { outcome: 'fail', codes: [...(upstream ?? []), BUILDER_AT_BRANCH] };
  }
  return c.expect === 'pass' ? { outcome: 'pass' } : { outcome: 'fail', codes: upstream ?? [] };
}

/** The code a failed run printed last (`FAILED: … [ERR_…]`). */
function codeOf(stderr: string): string | undefined {
  return /FAILED: .*\[(ERR_[A-Z0-9_]+)\]\s*$/s.exec(stderr)?.[1];
}

/** Why a run does not meet the case's expectation; undefined when it does. */
function mismatch(c: VectorCase, run: { code: number; stderr: string }): string | undefined {
  const want = expectation(c);
  const last = run.stderr.trim().split('\n').at(-1) ?? '';
  if (want.outcome === 'pass')
    return run.code === 0 ? undefined : `${c.id}: expected pass, got exit ${run.code}: ${last}`;
  if (run.code !== 1) return `${c.id}: expected exit 1, got ${run.code}: ${last}`;
  const got = codeOf(run.stderr);
  if (want.codes !== undefined && want.codes.length > 0 && !want.codes.includes(got ?? '')) {
    return `${c.id}: expected ${want.codes.join(' or ')}, got ${got ?? 'no code'}: ${last}`;
  }
  return got === undefined ? `${c.id}: a failure without a code: ${last}` : undefined;
}

describe('slsa-verifier regression corpus, in process through vouch-slsa', () => {
  const byKind = new Map<string, VectorCase[]>();
  for (const c of set.cases) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);
  for (const [kind, cases] of byKind) {
    it(`${kind}: ${cases.length} cases meet their expected outcome`, async () => {
      const wrong: string[] = [];
      for (const c of cases) {
        const why = mismatch(c, await runInProcess(argvOf(c)));
        if (why !== undefined) wrong.push(why);
      }
      expect(wrong.slice(0, 20), `${wrong.length} of ${cases.length} cases wrong`).toEqual([]);
    }, 300_000);
  }

  it('counts: 2626 cases; 286 verify, 1364 bare envelopes are refused for want of a log proof', () => {
    expect(set.cases.length).toBe(2626);
    expect(set.cases.filter((c) => expectation(c).outcome === 'pass')).toHaveLength(286);
    expect(set.cases.filter((c) => expectation(c).codes?.[0] === 'ERR_NO_TLOG_PROOF')).toHaveLength(1364);
  });
});

describe('a stratified sample through the built vouch-slsa bin', () => {
  // One case per (kind, builder, expected outcome, offline): every code path the bin's process contract covers.
  const strata = new Map<string, VectorCase>();
  for (const c of set.cases) {
    const key = [c.kind, c.builder, expectation(c).outcome, c.offline].join('|');
    if (!strata.has(key)) strata.set(key, c);
  }
  it(`${strata.size} cases exit 0 or 1 as in process`, async () => {
    if (!existsSync(SLSA_BIN)) throw new Error(`${SLSA_BIN} is missing: build first (pnpm run build)`);
    const wrong: string[] = [];
    for (const c of strata.values()) {
      const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [SLSA_BIN, ...argvOf(c)],
          { env: { PATH: process.env.PATH ?? '' } },
          (error, _o, stderr) => {
            resolve({
              code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
              stderr: String(stderr),
            });
          },
        );
      });
      const why = mismatch(c, run);
      if (why !== undefined) wrong.push(why);
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});
