// `vouch policy test DIR`: reads a folder's test file, its policy and evidence bundles, and decides each case offline.
import { dirname, join, resolve } from 'node:path';
import { decodeUtf8, parseImageReference, parseJson, UsageError } from '@vouch/core';
import {
  type AttachedItem,
  checkPolicyTestCase,
  decideImage,
  normalizeReference,
  POLICY_TEST_FILE,
  type PolicyTestResult,
  parsePolicyTestFile,
} from '@vouch/provenance';
import { readDocument } from './files.js';
import { loadPolicy } from './policy.js';

/** What {@link runPolicyTests} reports for one folder. */
export interface PolicyTestReport {
  /** The test file read (`DIR/vouch-policy-test.yaml`). */
  readonly file: string;
  /** The policy file, resolved relative to the test file. */
  readonly policy: string;
  readonly policyDigest: string;
  /** The time cases were evaluated at (the file's `now`, else the current time). */
  readonly now: Date;
  readonly results: readonly PolicyTestResult[];
  readonly passed: number;
  readonly failed: number;
}

/**
 * Runs the policy test cases of a folder, offline (as `kyverno test`): reads `DIR/vouch-policy-test.yaml`, loads the
 * policy it names, and for each case verifies the given bundles against the policy's trust material for the image's
 * digest, selects the rule and evaluates it (at the file's `now`, else the current time), then compares the decision
 * with the expected one. Nothing is fetched.
 *
 * @throws VouchError `ERR_IO` when a file cannot be read; ParseError `ERR_MALFORMED_POLICY` for a bad test file or
 *   policy, `ERR_MALFORMED_JSON` for an evidence file that is not JSON
 * @example
 * ```ts
 * const report = await runPolicyTests('examples/policies/ghcr-keyless/test');
 * if (report.failed > 0) process.exitCode = 1;
 * ```
 */
export async function runPolicyTests(dir: string): Promise<PolicyTestReport> {
  const file = join(dir, POLICY_TEST_FILE);
  const spec = parsePolicyTestFile(decodeUtf8(await readDocument(file), file), file);
  const base = dirname(resolve(file));
  const policyPath = resolve(base, spec.policy);
  const loaded = await loadPolicy(policyPath);
  const now = spec.now ?? new Date();
  const results: PolicyTestResult[] = [];
  for (const testCase of spec.cases) {
    const items: AttachedItem[] = [];
    for (const path of testCase.evidence) {
      const full = resolve(base, path);
      items.push({ kind: 'bundle', bundle: parseJson(await readDocument(full), full) });
    }
    const digest = parseImageReference(testCase.image, 'image').digest;
    // The parser has already refused images without a digest; this keeps the types honest.
    if (digest === undefined) throw new UsageError('ERR_USAGE', `${testCase.image}: expected a digest`);
    const normalized = normalizeReference(testCase.image);
    const decision = await decideImage({ image: testCase.image, normalized, digest, items, loaded, now });
    results.push(checkPolicyTestCase(testCase, decision));
  }
  const passed = results.filter((r) => r.passed).length;
  return Object.freeze({
    file,
    policy: policyPath,
    policyDigest: loaded.policyDigest,
    now,
    results: Object.freeze(results),
    passed,
    failed: results.length - passed,
  });
}
