// `vouch-policy-test.yaml` (a folder of offline policy test cases, as `kyverno test`) parsed, and a decision checked.
import {
  deepFreeze,
  describeJson as describe,
  type Issue,
  isObject,
  ParseError,
  parseImageReference,
} from '@vouch/core';
import { yamlLibrary } from './lazy-libraries.js';
import { MAX_POLICY_BYTES, policyLocation } from './policy.js';
import type { Decision } from './policy-types.js';

/** The file name `vouch policy test DIR` reads in each folder. */
export const POLICY_TEST_FILE = 'vouch-policy-test.yaml';

/** One case: an image by digest, the bundles attached to it, and the decision expected. */
export interface PolicyTestCase {
  readonly name: string;
  /** A reference carrying a digest (`ghcr.io/acme/app@sha256:…`): offline, nothing is resolved. */
  readonly image: string;
  /** Sigstore bundle files attached to the image, relative to the test file. */
  readonly evidence: readonly string[];
  readonly expect: 'allow' | 'deny';
  /** The rule that must have applied, when given. */
  readonly rule?: string;
}

/** A parsed test file. */
export interface PolicyTestFile {
  /** The policy file, relative to the test file. */
  readonly policy: string;
  /** A fixed evaluation time, so cases verify reproducibly. */
  readonly now?: Date;
  readonly cases: readonly PolicyTestCase[];
}

/** One case's outcome. */
export interface PolicyTestResult {
  readonly name: string;
  readonly image: string;
  readonly passed: boolean;
  readonly expect: 'allow' | 'deny';
  readonly expectRule?: string;
  /** Why it failed (empty when it passed). */
  readonly failures: readonly string[];
  readonly decision: Decision;
}

const TOP_KEYS = ['policy', 'now', 'cases'];
const CASE_KEYS = ['name', 'image', 'evidence', 'expect', 'rule'];
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

type Segment = string | number;

function fail(issues: readonly Issue[]): never {
  throw new ParseError('ERR_MALFORMED_POLICY', issues);
}

function pathOf(segments: readonly Segment[]): string {
  return segments.reduce<string>(
    (acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc === '' ? s : `${acc}.${s}`),
    '',
  );
}

/**
 * Parses the text of a `vouch-policy-test.yaml`: `policy` (a path), an optional RFC 3339 `now`, and a non-empty
 * list of `cases`, each with a unique `name`, an `image` carrying a digest, `evidence` (bundle paths), `expect`
 * (`allow` or `deny`) and an optional `rule`. Unknown keys are errors.
 *
 * @throws ParseError `ERR_MALFORMED_POLICY` listing every problem, each with its field path and `file:line:col`
 * @example
 * ```ts
 * const file = parsePolicyTestFile(text, 'tests/vouch-policy-test.yaml');
 * file.cases.map((c) => c.name);
 * ```
 */
export function parsePolicyTestFile(text: string, source: string): PolicyTestFile {
  if (typeof text !== 'string')
    fail([{ path: '', message: `${source}: expected text, found ${describe(text)}` }]);
  if (text.length > MAX_POLICY_BYTES) {
    fail([{ path: '', message: `${source} is larger than ${MAX_POLICY_BYTES} characters` }]);
  }
  let value: unknown;
  try {
    const doc = yamlLibrary().parseDocument(text, {
      uniqueKeys: true,
      prettyErrors: false,
      logLevel: 'error',
    });
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) {
      fail(
        problems.map((e) => ({
          path: '',
          message: `${source} is not valid YAML: ${e.message.split('\n')[0] ?? e.code}`,
        })),
      );
    }
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof ParseError) throw error;
    fail([
      {
        path: '',
        message: `${source} could not be read as YAML (${error instanceof Error ? error.message : String(error)})`,
      },
    ]);
  }

  const issues: Issue[] = [];
  const add = (segments: readonly Segment[], message: string): void => {
    let where: string;
    try {
      where = policyLocation(text, source, segments);
    } catch {
      where = source;
    }
    issues.push({ path: pathOf(segments), message: `${message} (${where})` });
  };
  const unknownKeys = (obj: Record<string, unknown>, allowed: readonly string[], at: Segment[]): void => {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) add([...at, k], `unknown key: expected one of ${allowed.join(', ')}`);
    }
  };
  const str = (obj: Record<string, unknown>, key: string, at: Segment[]): string | undefined => {
    const v = obj[key];
    if (typeof v === 'string' && v !== '') return v;
    add([...at, key], `expected a non-empty string, found ${describe(v)}`);
    return undefined;
  };

  if (!isObject(value)) {
    fail([{ path: '', message: `${source}: expected a mapping, found ${describe(value)}` }]);
  }
  unknownKeys(value, TOP_KEYS, []);
  const policy = str(value, 'policy', []);
  let now: Date | undefined;
  if (value.now !== undefined) {
    const raw = value.now;
    const ms = typeof raw === 'string' && RFC3339.test(raw) ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(ms))
      add(['now'], `expected an RFC 3339 time (2026-06-01T00:00:00Z), found ${JSON.stringify(raw)}`);
    else now = new Date(ms);
  }
  const cases: PolicyTestCase[] = [];
  const rawCases = value.cases;
  if (!Array.isArray(rawCases) || rawCases.length === 0) {
    add(['cases'], `expected a non-empty list of cases, found ${describe(rawCases)}`);
  } else {
    const names = new Set<string>();
    rawCases.forEach((raw: unknown, i) => {
      const at: Segment[] = ['cases', i];
      if (!isObject(raw)) {
        add(at, `expected a mapping, found ${describe(raw)}`);
        return;
      }
      unknownKeys(raw, CASE_KEYS, at);
      const name = str(raw, 'name', at);
      if (name !== undefined) {
        if (names.has(name)) add([...at, 'name'], `duplicate case name ${JSON.stringify(name)}`);
        names.add(name);
      }
      const image = str(raw, 'image', at);
      if (image !== undefined) {
        try {
          if (parseImageReference(image, 'image').digest === undefined) {
            add(
              [...at, 'image'],
              `expected a reference with a digest (@sha256:…), found ${JSON.stringify(image)}`,
            );
          }
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          add(
            [...at, 'image'],
            `expected an image reference, found ${JSON.stringify(image)}: ${error.message}`,
          );
        }
      }
      const evidence: string[] = [];
      const rawEvidence = raw.evidence ?? [];
      if (!Array.isArray(rawEvidence)) {
        add([...at, 'evidence'], `expected a list of bundle files, found ${describe(rawEvidence)}`);
      } else {
        rawEvidence.forEach((e: unknown, j) => {
          if (typeof e === 'string' && e !== '') evidence.push(e);
          else add([...at, 'evidence', j], `expected a file path, found ${describe(e)}`);
        });
      }
      const expect = raw.expect;
      if (expect !== 'allow' && expect !== 'deny') {
        add([...at, 'expect'], `expected allow or deny, found ${JSON.stringify(expect) ?? 'nothing'}`);
      }
      const rule = raw.rule === undefined ? undefined : str(raw, 'rule', at);
      if (name !== undefined && image !== undefined && (expect === 'allow' || expect === 'deny')) {
        cases.push({ name, image, evidence, expect, ...(rule === undefined ? {} : { rule }) });
      }
    });
  }
  if (issues.length > 0 || policy === undefined) fail(issues);
  return deepFreeze({ policy: policy ?? '', ...(now === undefined ? {} : { now }), cases });
}

/**
 * Checks a decision against a case's expectation: allowed as expected (an audit-mode allow is an allow) and, when the
 * case names one, decided by that rule.
 *
 * @example
 * ```ts
 * const result = checkPolicyTestCase(testCase, decision);
 * console.log(result.passed ? 'PASS' : `FAIL ${result.failures.join('; ')}`);
 * ```
 */
export function checkPolicyTestCase(testCase: PolicyTestCase, decision: Decision): PolicyTestResult {
  const failures: string[] = [];
  const got = decision.allowed ? 'allow' : 'deny';
  if (got !== testCase.expect) {
    const failed = decision.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.message}`);
    failures.push(
      `expected ${testCase.expect}, decided ${got}${failed.length > 0 ? ` (${failed.join('; ')})` : ''}`,
    );
  }
  if (testCase.rule !== undefined && decision.rule !== testCase.rule) {
    failures.push(
      `expected rule ${JSON.stringify(testCase.rule)}, ${decision.rule === undefined ? 'no rule matched (the default decided)' : `rule ${JSON.stringify(decision.rule)} applied`}`,
    );
  }
  return Object.freeze({
    name: testCase.name,
    image: testCase.image,
    passed: failures.length === 0,
    expect: testCase.expect,
    ...(testCase.rule === undefined ? {} : { expectRule: testCase.rule }),
    failures: Object.freeze(failures),
    decision,
  });
}
