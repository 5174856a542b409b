// Evaluating one rule of a loaded policy against one image's verified evidence: a Decision with every check explained.
import type { CelResult } from '@bufbuild/cel';
import {
  isVouchError,
  matchIdentity,
  type ResourceDescriptor,
  statementHasSubjectDigest,
  UsageError,
  type VouchErrorCode,
} from '@vouch/core';
import { celExtensions, celLibrary } from './lazy-libraries.js';
import { normalizeProvenance, parseGitUriAndRef } from './normalize.js';
import type {
  AttestationEvidence,
  AttestationRequirement,
  Decision,
  DecisionCheck,
  ImageEvidence,
  LoadedPolicy,
  PolicyIdentity,
  PolicyRule,
  SignatureRequirement,
  VerifiedSigner,
} from './policy-types.js';
import type { NormalizedProvenance } from './slsa-types.js';

/** Options of {@link evaluatePolicy}. */
export interface EvaluatePolicyOptions {
  readonly loaded: LoadedPolicy;
  /** The image's verified evidence (signatures and attestations that verified cryptographically). */
  readonly evidence: ImageEvidence;
  /** The rule whose scope selected the image; `undefined` when none did and the policy's `default` decides. */
  readonly rule: PolicyRule | undefined;
  /** The time attestation ages are measured at. */
  readonly now: Date;
  /** Why this rule (or no rule) was selected, for the `scope` check's message. */
  readonly selection?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// CEL conditions

// Every variable is dynamic: the statement is JSON, so its shape is only known at run time.
function makeEnvironment() {
  const { celEnv, CelScalar } = celLibrary();
  return celEnv({
    variables: {
      statement: CelScalar.DYN,
      predicate: CelScalar.DYN,
      subject: CelScalar.DYN,
      image: CelScalar.DYN,
    },
    funcs: celExtensions().strings,
  });
}
let celEnvironment: ReturnType<typeof makeEnvironment> | undefined;

function makeProgram(expression: string) {
  const { parse, plan } = celLibrary();
  celEnvironment ??= makeEnvironment();
  return plan(celEnvironment, parse(expression));
}
type Program = ReturnType<typeof makeProgram>;
type Bindings = Parameters<Program>[0];
type Compiled = { readonly program: Program } | { readonly error: string };

// One program per requirement object (so per loaded policy and expression): parsing and planning cost far more
// than running, and a gate evaluates the same few requirements for every image.
const programs = new WeakMap<AttestationRequirement, Compiled>();

function compile(expression: string): Compiled {
  try {
    return { program: makeProgram(expression) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function programFor(requirement: AttestationRequirement, expression: string): Compiled {
  let compiled = programs.get(requirement);
  if (compiled === undefined) {
    compiled = compile(expression);
    programs.set(requirement, compiled);
  }
  return compiled;
}

/**
 * Why a CEL `condition` does not compile in the environment {@link evaluatePolicy} runs it in (variables
 * `statement`, `predicate`, `subject`, `image`; the standard library and the strings extension), or `undefined`
 * when it does. The policy loader reports a non-`undefined` answer as a load error.
 *
 * @example
 * ```ts
 * conditionSyntaxError('predicate.buildType == "x"'); // undefined
 * conditionSyntaxError('predicate.'); // '<input>:1:11: …'
 * ```
 */
export function conditionSyntaxError(expression: string): string | undefined {
  const compiled = compile(expression);
  return 'error' in compiled ? compiled.error : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const DENIED: VouchErrorCode = 'ERR_POLICY_DENIED';

function check(
  id: string,
  status: DecisionCheck['status'],
  message: string,
  code?: VouchErrorCode,
): DecisionCheck {
  return Object.freeze(code === undefined ? { id, status, message } : { id, status, code, message });
}

function q(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 197)}...` : value);
}

function list(values: readonly string[]): string {
  return `[${values.map(q).join(', ')}]`;
}

function duration(ms: number): string {
  const units: readonly (readonly [string, number])[] = [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function describeSigner(signer: VerifiedSigner): string {
  if (signer.type === 'key') return `key ${signer.keyId}`;
  const issuer = signer.identity.extensions.issuer;
  return `certificate for ${q(signer.identity.subjectAlternativeName)}${issuer === undefined ? '' : ` (issuer ${q(issuer)})`} under trusted root ${q(signer.trustedRoot)}`;
}

// Globs in `slsa` values: `*` is any run of characters, everything else literal, the whole value must match.
const globs = new Map<string, RegExp>();

function globMatches(pattern: string, value: string): boolean {
  let re = globs.get(pattern);
  if (re === undefined) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
      .join('[\\s\\S]*');
    re = new RegExp(`^${source}$`, 'u');
    if (globs.size >= 1024) globs.clear();
    globs.set(pattern, re);
  }
  return re.test(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Signers

/** A name of the policy resolved to what it means: a key id, an identity, both (if the file names it twice) or neither. */
interface Signer {
  readonly name: string;
  readonly keyId?: string;
  readonly identity?: PolicyIdentity;
}

function resolveSigner(loaded: LoadedPolicy, name: string): Signer {
  const key = Object.hasOwn(loaded.keys, name) ? loaded.keys[name] : undefined;
  const identity = Object.hasOwn(loaded.policy.identities, name) ? loaded.policy.identities[name] : undefined;
  return {
    name,
    ...(key === undefined ? {} : { keyId: key.keyId }),
    ...(identity === undefined ? {} : { identity }),
  };
}

/** Whether `signer` is the policy signer `s`; when not, why (expected vs found, without repeating who `signer` is). */
function signerMatch(s: Signer, signer: VerifiedSigner): { readonly ok: boolean; readonly why: string } {
  if (s.keyId === undefined && s.identity === undefined) {
    return { ok: false, why: `${q(s.name)} is not a key or identity of the policy` };
  }
  const reasons: string[] = [];
  if (s.keyId !== undefined) {
    if (signer.type === 'key' && signer.keyId === s.keyId) return { ok: true, why: '' };
    reasons.push(`expected key ${s.keyId}`);
  }
  if (s.identity !== undefined) {
    if (signer.type !== 'certificate') {
      reasons.push(`expected a certificate under trusted root ${q(s.identity.trustedRoot)}`);
    } else if (signer.trustedRoot !== s.identity.trustedRoot) {
      reasons.push(`expected trusted root ${q(s.identity.trustedRoot)}, found ${q(signer.trustedRoot)}`);
    } else {
      try {
        const failed = matchIdentity(signer.identity, s.identity.identity).filter((row) => !row.ok);
        if (failed.length === 0) return { ok: true, why: '' };
        reasons.push(
          failed
            .map(
              (r) =>
                `${r.field}: expected ${r.expected}, found ${r.found === '(absent)' ? r.found : q(r.found)}`,
            )
            .join('; '),
        );
      } catch (error) {
        if (!isVouchError(error)) throw error;
        reasons.push(`the identity of ${q(s.name)} cannot be checked: ${error.message}`);
      }
    }
  }
  return { ok: false, why: reasons.join('; or ') };
}

// Two signatures by one key, or two certificates of one workflow identity, are one signer when counting a threshold.
function signerKey(signer: VerifiedSigner): string {
  if (signer.type === 'key') return `key\n${signer.keyId}`;
  return `cert\n${signer.trustedRoot}\n${signer.identity.extensions.issuer ?? ''}\n${signer.identity.subjectAlternativeName}`;
}

/** The largest number of names that can each be given a different signer they match (bipartite matching). */
function distinctMatching(matches: ReadonlyMap<string, ReadonlySet<string>>): Map<string, string> {
  const owner = new Map<string, string>(); // signer key → name
  const assign = (name: string, seen: Set<string>): boolean => {
    for (const key of matches.get(name) ?? []) {
      if (seen.has(key)) continue;
      seen.add(key);
      const current = owner.get(key);
      if (current === undefined || assign(current, seen)) {
        owner.set(key, name);
        return true;
      }
    }
    return false;
  };
  for (const name of matches.keys()) assign(name, new Set());
  const byName = new Map<string, string>();
  for (const [key, name] of owner) byName.set(name, key);
  return byName;
}

function requirementNames(req: SignatureRequirement): {
  readonly kind: string;
  readonly names: readonly string[];
  readonly needed: number;
} {
  if ('anyOf' in req) return { kind: 'anyOf', names: [...new Set(req.anyOf)], needed: 1 };
  if ('allOf' in req) {
    const names = [...new Set(req.allOf)];
    return { kind: 'allOf', names, needed: names.length };
  }
  return { kind: `threshold ${req.threshold} of`, names: [...new Set(req.of)], needed: req.threshold };
}

function signatureChecks(loaded: LoadedPolicy, evidence: ImageEvidence, rule: PolicyRule): DecisionCheck[] {
  const req = rule.signatures;
  if (req === undefined) return [check('signatures', 'skip', `rule ${q(rule.name)} requires no signatures`)];
  const { kind, names, needed } = requirementNames(req);
  const found = new Map<string, string>(); // name → description of the first signature that matched
  const missing = new Map<string, string>(); // name → why none matched
  const matches = new Map<string, Set<string>>();
  for (const name of names) {
    const s = resolveSigner(loaded, name);
    const keys = new Set<string>();
    const why: string[] = [];
    for (const sig of evidence.signatures) {
      const m = signerMatch(s, sig.signer);
      if (m.ok) {
        keys.add(signerKey(sig.signer));
        if (!found.has(name)) found.set(name, describeSigner(sig.signer));
      } else {
        why.push(`${describeSigner(sig.signer)}: ${m.why}`);
      }
    }
    matches.set(name, keys);
    if (!found.has(name)) {
      missing.set(
        name,
        evidence.signatures.length === 0
          ? 'the image has no verified signatures'
          : s.keyId === undefined && s.identity === undefined
            ? `${q(name)} is not a key or identity of the policy`
            : `no signature matches: ${[...new Set(why)].join(' | ')}`,
      );
    }
  }
  // A threshold counts distinct signers; anyOf and allOf count names (two names for one key are the author's choice).
  const counted = kind.startsWith('threshold') ? distinctMatching(matches) : undefined;
  const count = counted === undefined ? found.size : counted.size;
  const ok = count >= needed;
  const countedNames = names.filter((n) => (counted === undefined ? found.has(n) : counted.has(n)));
  const checks: DecisionCheck[] = [
    ok
      ? check(
          'signatures',
          'pass',
          `${kind} ${list(names)}: expected at least ${needed} signer(s), found ${count}: ${list(countedNames)}`,
        )
      : check(
          'signatures',
          'fail',
          `${kind} ${list(names)}: expected at least ${needed} ${counted === undefined ? '' : 'distinct '}signer(s), found ${count}${countedNames.length === 0 ? '' : `: ${list(countedNames)}`} among ${evidence.signatures.length} verified signature(s)`,
          DENIED,
        ),
  ];
  for (const name of names) {
    const id = `signer:${name}`;
    const by = found.get(name);
    if (by !== undefined) {
      const shared = counted !== undefined && !counted.has(name);
      checks.push(
        check(
          id,
          'pass',
          `found: signed by ${by}${shared ? ' (a signer already counted for another name: counts once toward the threshold)' : ''}`,
        ),
      );
    } else if (ok) {
      checks.push(check(id, 'skip', `not found (${kind} is met without it): ${missing.get(name) ?? ''}`));
    } else {
      checks.push(check(id, 'fail', `missing: ${missing.get(name) ?? ''}`, DENIED));
    }
  }
  return checks;
}

// ---------------------------------------------------------------------------------------------------------------
// Attestations

// Normalizing provenance parses the predicate; statements are frozen and shared across rules and images.
const normalized = new WeakMap<
  object,
  NormalizedProvenance | { readonly error: string; readonly code: VouchErrorCode }
>();

function normalizedOf(
  attestation: AttestationEvidence,
): NormalizedProvenance | { readonly error: string; readonly code: VouchErrorCode } {
  let hit = normalized.get(attestation.statement);
  if (hit === undefined) {
    try {
      hit = normalizeProvenance(attestation.statement);
    } catch (error) {
      if (!isVouchError(error)) throw error;
      hit = { error: error.message, code: error.code };
    }
    normalized.set(attestation.statement, hit);
  }
  return hit;
}

type Stage = 'subject' | 'signer' | 'slsa' | 'max-age' | 'condition';
const STAGES: readonly Stage[] = ['subject', 'signer', 'slsa', 'max-age', 'condition'];

interface Attempt {
  readonly index: number;
  readonly label: string;
  /** Messages of the stages passed, by stage. */
  readonly passed: Map<Stage, string>;
  failure?: { readonly stage: Stage; readonly message: string; readonly code: VouchErrorCode };
}

interface Context {
  readonly loaded: LoadedPolicy;
  readonly evidence: ImageEvidence;
  readonly now: Date;
}

function sourceRefOf(p: NormalizedProvenance): string | undefined {
  if (p.tag !== undefined) return p.tag;
  if (p.branch !== undefined) return p.branch;
  if (p.sourceUri === undefined) return undefined;
  try {
    const [, ref] = parseGitUriAndRef(p.sourceUri);
    return ref === '' ? undefined : ref;
  } catch {
    return undefined;
  }
}

function uriWithoutRef(uri: string): string {
  try {
    return parseGitUriAndRef(uri)[0];
  } catch {
    return uri;
  }
}

/** `slsa` checks: each named field's value must match one of its globs. */
function slsaStage(
  req: NonNullable<AttestationRequirement['slsa']>,
  attestation: AttestationEvidence,
):
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string; readonly code: VouchErrorCode } {
  const p = normalizedOf(attestation);
  if ('error' in p) {
    return { ok: false, message: `not SLSA provenance that can be read: ${p.error}`, code: p.code };
  }
  const passed: string[] = [];
  const fields: readonly (readonly [
    string,
    readonly string[] | undefined,
    string | undefined,
    (pattern: string, value: string) => boolean,
    VouchErrorCode,
  ])[] = [
    [
      'builderId',
      req.builderId,
      p.builderId,
      // A pattern without a version matches the builder's name, as slsa-verifier's `--builder-id` does.
      (pattern, value) =>
        globMatches(pattern, value) ||
        (!pattern.includes('@') && globMatches(pattern, value.split('@')[0] ?? '')),
      'ERR_SLSA_BUILDER_MISMATCH',
    ],
    [
      'sourceURI',
      req.sourceURI,
      p.sourceUri,
      // The ref is `sourceRef`'s business; a pattern with `@` matches the URI with its ref.
      (pattern, value) => globMatches(pattern, pattern.includes('@') ? value : uriWithoutRef(value)),
      'ERR_SLSA_SOURCE_MISMATCH',
    ],
    [
      'sourceRef',
      req.sourceRef,
      sourceRefOf(p),
      globMatches,
      p.tag !== undefined ? 'ERR_SLSA_TAG_MISMATCH' : 'ERR_SLSA_BRANCH_MISMATCH',
    ],
  ];
  for (const [field, allowed, value, matches, code] of fields) {
    if (allowed === undefined) continue;
    if (value === undefined) {
      return {
        ok: false,
        message: `${field}: expected one of ${list(allowed)}, found none in the provenance`,
        code,
      };
    }
    if (!allowed.some((pattern) => matches(pattern, value))) {
      return { ok: false, message: `${field}: expected one of ${list(allowed)}, found ${q(value)}`, code };
    }
    passed.push(`${field} ${q(value)}`);
  }
  return { ok: true, message: passed.length === 0 ? 'no SLSA fields required' : passed.join(', ') };
}

function conditionStage(
  req: AttestationRequirement,
  expression: string,
  attestation: AttestationEvidence,
  subject: ResourceDescriptor,
  evidence: ImageEvidence,
): { readonly ok: boolean; readonly message: string } {
  const compiled = programFor(req, expression);
  if ('error' in compiled) return { ok: false, message: `condition does not compile: ${compiled.error}` };
  const statement = attestation.statement;
  let result: CelResult | Error;
  try {
    result = compiled.program(
      celBindings({
        statement: statement.raw,
        predicate: statement.predicate ?? null,
        subject,
        image: { reference: evidence.image, normalized: evidence.normalized, digest: evidence.digest.value },
      }),
    );
  } catch (error) {
    result = error instanceof Error ? error : new Error(String(error));
  }
  if (result === true) return { ok: true, message: `${q(expression)} is true` };
  if (result === false) return { ok: false, message: `${q(expression)}: expected true, found false` };
  if (celLibrary().isCelError(result) || result instanceof Error) {
    return { ok: false, message: `${q(expression)} failed at run time: ${result.message}` };
  }
  return { ok: false, message: `${q(expression)}: expected a bool, found a ${typeof result}` };
}

// The statement was parsed and frozen by core: plain JSON, which CEL reads as maps, lists and scalars.
function celBindings(values: Readonly<Record<keyof Bindings, unknown>>): Bindings {
  return values as Bindings;
}

function attempt(
  ctx: Context,
  req: AttestationRequirement,
  attestation: AttestationEvidence,
  index: number,
): Attempt {
  const { evidence } = ctx;
  const signedAt = attestation.signedAt;
  const a: Attempt = {
    index,
    label: `#${index} (${describeSigner(attestation.signer)}${signedAt === undefined ? '' : `, signed at ${signedAt.toISOString()}`})`,
    passed: new Map(),
  };
  const fail = (stage: Stage, message: string, code: VouchErrorCode = DENIED): Attempt => {
    a.failure = { stage, message, code };
    return a;
  };
  const statement = attestation.statement;
  const digest = evidence.digest;
  if (!statementHasSubjectDigest(statement, digest)) {
    const found = statement.subject.map((s) => {
      const v = s.digest?.[digest.algorithm];
      return v === undefined ? (s.name ?? '(no name)') : `${digest.algorithm}:${v}`;
    });
    return fail('subject', `subject: expected ${digest.value}, found ${list(found)}`);
  }
  const subject =
    statement.subject.find((s) => s.digest !== undefined && s.digest[digest.algorithm] === digest.hex) ?? {};
  a.passed.set('subject', `about ${digest.value}`);

  const why: string[] = [];
  let signerName: string | undefined;
  for (const name of req.signedBy) {
    const m = signerMatch(resolveSigner(ctx.loaded, name), attestation.signer);
    if (m.ok) {
      signerName = name;
      break;
    }
    why.push(`${q(name)}: ${m.why}`);
  }
  if (signerName === undefined) {
    return fail(
      'signer',
      `signer: expected one of ${list(req.signedBy)}, found ${describeSigner(attestation.signer)} (${why.join(' | ')})`,
    );
  }
  a.passed.set('signer', `signed by ${q(signerName)}`);

  if (req.slsa !== undefined) {
    const s = slsaStage(req.slsa, attestation);
    if (!s.ok) return fail('slsa', s.message, s.code);
    a.passed.set('slsa', s.message);
  }

  if (req.maxAgeMs !== undefined) {
    const max = duration(req.maxAgeMs);
    if (signedAt === undefined) {
      return fail(
        'max-age',
        `max-age: expected a verified signing time at most ${max} old, found none (its age cannot be proven)`,
      );
    }
    const age = ctx.now.getTime() - signedAt.getTime();
    if (!(age <= req.maxAgeMs)) {
      return fail(
        'max-age',
        `max-age: expected at most ${max} old, found ${duration(Math.max(0, age))} (signed at ${signedAt.toISOString()}, now ${ctx.now.toISOString()})`,
      );
    }
    a.passed.set('max-age', `signed ${duration(Math.max(0, age))} ago (at most ${max})`);
  }

  if (req.condition !== undefined) {
    const c = conditionStage(req, req.condition, attestation, subject, evidence);
    if (!c.ok) return fail('condition', c.message, 'ERR_POLICY_CONDITION');
    a.passed.set('condition', c.message);
  }
  return a;
}

function reach(a: Attempt): number {
  return a.failure === undefined ? STAGES.length : STAGES.indexOf(a.failure.stage);
}

function attestationChecks(ctx: Context, req: AttestationRequirement): DecisionCheck[] {
  const id = `attestation:${req.predicateType}`;
  const { evidence } = ctx;
  const what = `an attestation of type ${q(req.predicateType)} about ${evidence.digest.value} signed by one of ${list(req.signedBy)}`;
  const attempts: Attempt[] = [];
  let winner: Attempt | undefined;
  for (const [index, attestation] of evidence.attestations.entries()) {
    if (attestation.statement.predicateType !== req.predicateType) continue;
    const a = attempt(ctx, req, attestation, index);
    if (a.failure === undefined) {
      winner = a;
      break;
    }
    attempts.push(a);
  }
  const rejected = attempts.map((a) => `${a.label}: ${a.failure?.message ?? ''}`).join('; ');
  const checks: DecisionCheck[] = [];
  // The sub-checks explain the attestation that met the requirement, or else the one that came closest.
  let subject: Attempt | undefined = winner;
  if (winner !== undefined) {
    checks.push(
      check(
        id,
        'pass',
        `attestation ${winner.label} meets the requirement (${[...winner.passed.values()].join(', ')})${rejected === '' ? '' : `; rejected: ${rejected}`}`,
      ),
    );
  } else if (attempts.length === 0) {
    const types = [...new Set(evidence.attestations.map((a) => a.statement.predicateType))];
    checks.push(
      check(
        id,
        'fail',
        `expected ${what}, found none${types.length === 0 ? ' (the image has no verified attestations)' : ` (verified attestation types: ${list(types)})`}`,
        DENIED,
      ),
    );
  } else {
    for (const a of attempts) if (subject === undefined || reach(a) > reach(subject)) subject = a;
    const code = subject?.failure?.code === 'ERR_POLICY_CONDITION' ? 'ERR_POLICY_CONDITION' : DENIED;
    checks.push(
      check(
        id,
        'fail',
        `expected ${what} meeting every requirement, found ${attempts.length}, none does: ${rejected}`,
        code,
      ),
    );
  }
  const subs: readonly (readonly [Stage, boolean])[] = [
    ['slsa', req.slsa !== undefined],
    ['max-age', req.maxAgeMs !== undefined],
    ['condition', req.condition !== undefined],
  ];
  for (const [stage, required] of subs) {
    if (!required) continue;
    const passed = subject?.passed.get(stage);
    if (subject === undefined) {
      checks.push(check(stage, 'skip', `${req.predicateType}: no attestation to check`));
    } else if (passed !== undefined) {
      checks.push(check(stage, 'pass', `${req.predicateType} ${subject.label}: ${passed}`));
    } else if (subject.failure?.stage === stage) {
      checks.push(
        check(
          stage,
          'fail',
          `${req.predicateType} ${subject.label}: ${subject.failure.message}`,
          subject.failure.code,
        ),
      );
    } else {
      checks.push(
        check(
          stage,
          'skip',
          `${req.predicateType} ${subject.label}: not reached (it failed at ${subject.failure?.stage ?? ''})`,
        ),
      );
    }
  }
  return checks;
}

// ---------------------------------------------------------------------------------------------------------------
// The decision

/**
 * Decides whether one image is allowed by the rule its scope selected, from evidence that already verified
 * cryptographically. Pure: time comes in as `now`, scope selection happens before (pass `rule: undefined` when no
 * rule matched, and the policy's `default` decides with mode `default`).
 *
 * - `signatures`: a key signer is a verified key signature whose key id is the policy key's; an identity signer a
 *   certificate under the identity's trusted root (by policy name) whose identity matches (`matchIdentity`).
 *   `anyOf` needs one named signer, `allOf` every one, `threshold` N distinct signers (one key or one certificate
 *   identity counts once, whatever the names).
 * - each attestation requirement needs one attestation of its predicate type about the image digest, signed by one
 *   of `signedBy`, whose SLSA fields match the `slsa` globs (`*` = any characters; a `builderId` pattern without `@`
 *   also matches the builder's name; a `sourceURI` pattern without `@` matches the URI without its ref), whose verified
 *   signing time is at most `maxAgeMs` before `now` (no signing time fails) and whose CEL `condition` is true
 *   (false or a run-time error deny with `ERR_POLICY_CONDITION`).
 * - `enforce` allows only when no check failed; `audit` allows and sets `wouldDeny`.
 *
 * @throws UsageError `ERR_USAGE` when `now` is not a valid Date
 * @example
 * ```ts
 * const { rule, why } = selectRule(loaded.policy, evidence.normalized);
 * const decision = evaluatePolicy({ loaded, evidence, rule, selection: why, now: new Date() });
 * if (!decision.allowed) console.error(decision.checks.filter((c) => c.status === 'fail'));
 * ```
 */
export function evaluatePolicy(options: EvaluatePolicyOptions): Decision {
  const { loaded, evidence, rule, now } = options;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new UsageError('ERR_USAGE', 'now: expected a valid Date');
  }
  const base = { image: evidence.image, digest: evidence.digest.value, policyDigest: loaded.policyDigest };
  const why = options.selection === undefined ? '' : ` (${options.selection})`;
  if (rule === undefined) {
    const allowed = loaded.policy.default === 'allow';
    const message = `no rule's scope matches ${q(evidence.normalized)}${why}: the policy default is ${loaded.policy.default}`;
    return Object.freeze({
      ...base,
      allowed,
      mode: 'default',
      checks: Object.freeze([
        allowed ? check('scope', 'skip', message) : check('scope', 'fail', message, DENIED),
      ]),
    });
  }
  const ctx: Context = { loaded, evidence, now };
  const checks: DecisionCheck[] = [
    // The selection already says which rule applies and why; without it, say which rule was given.
    check(
      'scope',
      'pass',
      options.selection === undefined
        ? `rule ${q(rule.name)} applies to ${q(evidence.normalized)}`
        : options.selection,
    ),
    ...signatureChecks(loaded, evidence, rule),
  ];
  for (const req of rule.attestations) checks.push(...attestationChecks(ctx, req));
  const denied = checks.some((c) => c.status === 'fail');
  return Object.freeze({
    ...base,
    allowed: rule.mode === 'audit' || !denied,
    rule: rule.name,
    mode: rule.mode,
    ...(rule.mode === 'audit' ? { wouldDeny: denied } : {}),
    checks: Object.freeze(checks),
  });
}
