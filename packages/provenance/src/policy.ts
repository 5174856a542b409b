// The policy file (YAML or JSON) parsed into a validated, frozen `Policy`, with errors that name file, line, column and field.
import { createHash } from 'node:crypto';
import type { parse as parseCel } from '@bufbuild/cel';
import {
  deepFreeze,
  describeJson as describe,
  type FulcioExtensions,
  type IdentityPolicy,
  type Issue,
  isObject,
  type JsonObject,
  joinPath,
  ParseError,
  type StringMatcher,
} from '@vouch/core';
import type { Document, LineCounter } from 'yaml';
import { canonicalJson, celLibrary, yamlLibrary } from './lazy-libraries.js';
import {
  type AttestationRequirement,
  POLICY_API_VERSION,
  type Policy,
  type PolicyIdentity,
  type PolicyKeySource,
  type PolicyRule,
  type PolicyTrustedRootSource,
  type SignatureRequirement,
} from './policy-types.js';

/** The largest policy text accepted: a policy is configuration, and a bound keeps the YAML parser's work small. */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** A policy issue: the field path, plus where in the file it is (also written into `message`). */
export interface PolicyIssue extends Issue {
  readonly source: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/** What `parsePolicyText` returns. */
export interface ParsedPolicy {
  readonly policy: Policy;
  /** `sha256:<hex>` of the RFC 8785 canonical JSON of `policy`. */
  readonly policyDigest: string;
}

type Segment = string | number;

interface RawIssue {
  readonly segments: readonly Segment[];
  readonly message: string;
  /** Point at the key of the last segment (an unknown key) rather than its value. */
  readonly atKey: boolean;
}

/** Names of trusted roots, keys and identities: plain identifiers, so a signer list reads unambiguously. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DURATION = /^(?:([0-9]{1,9})h)?(?:([0-9]{1,9})m)?(?:([0-9]{1,9})s)?$/;
/** A scope glob: a host segment (letters, digits, `.`, `-`, `:port`, `[ipv6]`) then path segments; `*` anywhere. */
const SCOPE_HOST_SEGMENT = /^[a-z0-9.:[\]*-]+$/;
const SCOPE_PATH_SEGMENT = /^[a-z0-9._*-]+$/;

/**
 * The Fulcio extensions a policy identity may constrain, by the file's spelling (sigstore-js style, `URI`), mapped to
 * core's `FulcioExtensions` names (`Uri`). `issuer` is not here: the identity's own `issuer` field covers it.
 */
const EXTENSION_NAMES: Readonly<Record<string, Exclude<keyof FulcioExtensions, 'issuer'>>> = {
  githubWorkflowTrigger: 'githubWorkflowTrigger',
  githubWorkflowSha: 'githubWorkflowSha',
  githubWorkflowName: 'githubWorkflowName',
  githubWorkflowRepository: 'githubWorkflowRepository',
  githubWorkflowRef: 'githubWorkflowRef',
  buildSignerURI: 'buildSignerUri',
  buildSignerDigest: 'buildSignerDigest',
  runnerEnvironment: 'runnerEnvironment',
  sourceRepositoryURI: 'sourceRepositoryUri',
  sourceRepositoryDigest: 'sourceRepositoryDigest',
  sourceRepositoryRef: 'sourceRepositoryRef',
  sourceRepositoryIdentifier: 'sourceRepositoryIdentifier',
  sourceRepositoryOwnerURI: 'sourceRepositoryOwnerUri',
  sourceRepositoryOwnerIdentifier: 'sourceRepositoryOwnerIdentifier',
  buildConfigURI: 'buildConfigUri',
  buildConfigDigest: 'buildConfigDigest',
  buildTrigger: 'buildTrigger',
  runInvocationURI: 'runInvocationUri',
  sourceRepositoryVisibilityAtSigning: 'sourceRepositoryVisibilityAtSigning',
};

/** The variables a condition sees, and CEL's type names (which parse as identifiers). */
const CEL_VARIABLES = new Set(['statement', 'predicate', 'subject', 'image']);
const CEL_TYPE_NAMES = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
]);
let celEnvironment: ReturnType<ReturnType<typeof celLibrary>['celEnv']> | undefined;

function pathOf(segments: readonly Segment[]): string {
  return segments.reduce<string>((path, s) => joinPath(path, s), '');
}

function quote(value: string, max = 80): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/** Collects issues with their segments, so each can be located in the YAML afterwards. */
class Checker {
  readonly issues: RawIssue[] = [];

  add(segments: readonly Segment[], message: string, atKey = false): void {
    this.issues.push({ segments, message, atKey });
  }

  object(value: unknown, at: readonly Segment[]): JsonObject | undefined {
    if (isObject(value)) return value;
    const what = at.length === 0 ? 'the policy must be' : 'must be';
    this.add(at, `${what} a mapping (object), found ${describe(value)}`);
    return undefined;
  }

  /** Records every key of `obj` outside `allowed`; `hints` suggests the right spelling. */
  keys(
    obj: JsonObject,
    at: readonly Segment[],
    allowed: readonly string[],
    hints: Record<string, string> = {},
  ): void {
    for (const key of Object.keys(obj)) {
      if (allowed.includes(key)) continue;
      const hint = Object.hasOwn(hints, key) ? `; did you mean ${quote(hints[key] ?? '')}?` : '';
      this.add([...at, key], `is not a known field (expected one of ${allowed.join(', ')})${hint}`, true);
    }
  }

  string(obj: JsonObject, key: string, at: readonly Segment[], required: boolean): string | undefined {
    const v = obj[key];
    if (v === undefined) {
      if (required) this.add([...at, key], 'is required');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') {
      this.add(
        [...at, key],
        `must be a non-empty string, found ${typeof v === 'string' ? 'an empty string' : describe(v)}`,
      );
      return undefined;
    }
    return v;
  }

  /** A non-empty list of distinct non-empty strings. */
  stringList(obj: JsonObject, key: string, at: readonly Segment[], required: boolean): string[] | undefined {
    const v = obj[key];
    const path = [...at, key];
    if (v === undefined) {
      if (required) this.add(path, 'is required');
      return undefined;
    }
    if (!Array.isArray(v) || v.length === 0) {
      this.add(
        path,
        `must be a non-empty list of strings, found ${Array.isArray(v) ? 'an empty list' : describe(v)}`,
      );
      return undefined;
    }
    const out: string[] = [];
    let ok = true;
    v.forEach((item: unknown, i) => {
      if (typeof item !== 'string' || item === '') {
        this.add(
          [...path, i],
          `must be a non-empty string, found ${typeof item === 'string' ? 'an empty string' : describe(item)}`,
        );
        ok = false;
      } else if (out.includes(item)) {
        this.add([...path, i], `repeats ${quote(item)}`);
        ok = false;
      } else out.push(item);
    });
    return ok ? out : undefined;
  }

  /** A map of named entries; names must be identifiers. */
  named(obj: JsonObject, key: string): Array<[string, unknown]> {
    const v = obj[key];
    if (v === undefined) return [];
    const map = this.object(v, [key]);
    if (map === undefined) return [];
    const entries: Array<[string, unknown]> = [];
    for (const [name, value] of Object.entries(map)) {
      if (!NAME.test(name)) {
        this.add(
          [key, name],
          `name must be letters, digits, ".", "_" or "-" (starting with a letter or digit), found ${quote(name)}`,
          true,
        );
      } else entries.push([name, value]);
    }
    return entries;
  }
}

function parseTrustedRootSource(
  c: Checker,
  value: unknown,
  at: readonly Segment[],
): PolicyTrustedRootSource | undefined {
  const obj = c.object(value, at);
  if (obj === undefined) return undefined;
  c.keys(obj, at, ['builtin', 'file']);
  if ((obj.builtin === undefined) === (obj.file === undefined)) {
    c.add(at, 'must have exactly one of builtin (sigstore-public-good) or file');
    return undefined;
  }
  if (obj.builtin !== undefined) {
    if (obj.builtin !== 'sigstore-public-good') {
      c.add(
        [...at, 'builtin'],
        `must be "sigstore-public-good", found ${typeof obj.builtin === 'string' ? quote(obj.builtin) : describe(obj.builtin)}`,
      );
      return undefined;
    }
    return { builtin: 'sigstore-public-good' };
  }
  const file = c.string(obj, 'file', at, true);
  return file === undefined ? undefined : { file };
}

function parseKeySource(c: Checker, value: unknown, at: readonly Segment[]): PolicyKeySource | undefined {
  const obj = c.object(value, at);
  if (obj === undefined) return undefined;
  c.keys(obj, at, ['file']);
  const file = c.string(obj, 'file', at, true);
  return file === undefined ? undefined : { file };
}

/**
 * The file's regular expressions search (as cosign's `--certificate-identity-regexp`: write `^`/`$` to anchor);
 * core's matchers match the whole value, so the search is spelled as a whole-value match.
 */
function searchMatcher(c: Checker, source: string, at: readonly Segment[]): StringMatcher | undefined {
  try {
    new RegExp(source, 'u');
  } catch (error) {
    c.add(
      at,
      `is not a valid regular expression (${error instanceof Error ? error.message : String(error)})`,
    );
    return undefined;
  }
  return { regexp: `[\\s\\S]*(?:${source})[\\s\\S]*` };
}

function exactOrRegexp(
  c: Checker,
  obj: JsonObject,
  at: readonly Segment[],
  exactKey: string,
  regexpKey: string,
): StringMatcher | undefined {
  const exact = c.string(obj, exactKey, at, false);
  const regexp = c.string(obj, regexpKey, at, false);
  if (obj[exactKey] !== undefined && obj[regexpKey] !== undefined) {
    c.add(at, `must have one of ${exactKey} or ${regexpKey}, not both`);
    return undefined;
  }
  if (obj[exactKey] === undefined && obj[regexpKey] === undefined) {
    c.add([...at, exactKey], `is required (or ${regexpKey})`);
    return undefined;
  }
  if (exact !== undefined) return { exact };
  if (regexp !== undefined) return searchMatcher(c, regexp, [...at, regexpKey]);
  return undefined;
}

function parseIdentity(
  c: Checker,
  value: unknown,
  at: readonly Segment[],
  roots: ReadonlySet<string>,
): PolicyIdentity | undefined {
  const obj = c.object(value, at);
  if (obj === undefined) return undefined;
  c.keys(obj, at, ['trustedRoot', 'issuer', 'issuerRegExp', 'subject', 'subjectRegExp', 'extensions'], {
    issuerRegexp: 'issuerRegExp',
    subjectRegexp: 'subjectRegExp',
    identity: 'subject',
    subjectAlternativeName: 'subject',
  });
  const trustedRoot = c.string(obj, 'trustedRoot', at, true);
  if (trustedRoot !== undefined && !roots.has(trustedRoot)) {
    c.add([...at, 'trustedRoot'], `names no entry of trustedRoots, found ${quote(trustedRoot)}`);
  }
  const issuer = exactOrRegexp(c, obj, at, 'issuer', 'issuerRegExp');
  const subject = exactOrRegexp(c, obj, at, 'subject', 'subjectRegExp');
  const extensions: Partial<Record<keyof FulcioExtensions, StringMatcher>> = {};
  if (obj.extensions !== undefined) {
    const ext = c.object(obj.extensions, [...at, 'extensions']);
    if (ext !== undefined) {
      const hints: Record<string, string> = {};
      for (const fileName of Object.keys(EXTENSION_NAMES)) hints[EXTENSION_NAMES[fileName] ?? ''] = fileName;
      c.keys(ext, [...at, 'extensions'], Object.keys(EXTENSION_NAMES), hints);
      for (const [fileName, coreName] of Object.entries(EXTENSION_NAMES)) {
        const v = c.string(ext, fileName, [...at, 'extensions'], false);
        if (v !== undefined) extensions[coreName] = { exact: v };
      }
    }
  }
  if (trustedRoot === undefined || issuer === undefined || subject === undefined) return undefined;
  const identity: IdentityPolicy = {
    subjectAlternativeName: subject,
    issuer,
    ...(Object.keys(extensions).length === 0 ? {} : { extensions }),
  };
  return { trustedRoot, identity };
}

function signerList(
  c: Checker,
  obj: JsonObject,
  key: string,
  at: readonly Segment[],
  signers: ReadonlySet<string>,
): string[] | undefined {
  const list = c.stringList(obj, key, at, true);
  if (list === undefined) return undefined;
  let ok = true;
  list.forEach((name, i) => {
    if (!signers.has(name)) {
      c.add([...at, key, i], `names no key or identity of the policy, found ${quote(name)}`);
      ok = false;
    }
  });
  return ok ? list : undefined;
}

function parseSignatures(
  c: Checker,
  value: unknown,
  at: readonly Segment[],
  signers: ReadonlySet<string>,
): SignatureRequirement | undefined {
  const obj = c.object(value, at);
  if (obj === undefined) return undefined;
  c.keys(obj, at, ['anyOf', 'allOf', 'threshold', 'of']);
  const forms = [
    obj.anyOf !== undefined,
    obj.allOf !== undefined,
    obj.threshold !== undefined || obj.of !== undefined,
  ];
  if (forms.filter(Boolean).length !== 1) {
    c.add(at, 'must have exactly one of anyOf, allOf, or threshold with of');
    return undefined;
  }
  if (obj.anyOf !== undefined) {
    const anyOf = signerList(c, obj, 'anyOf', at, signers);
    return anyOf === undefined ? undefined : { anyOf };
  }
  if (obj.allOf !== undefined) {
    const allOf = signerList(c, obj, 'allOf', at, signers);
    return allOf === undefined ? undefined : { allOf };
  }
  const of = signerList(c, obj, 'of', at, signers);
  const threshold = obj.threshold;
  if (threshold === undefined) {
    c.add([...at, 'threshold'], 'is required with of');
    return undefined;
  }
  if (typeof threshold !== 'number' || !Number.isSafeInteger(threshold) || threshold < 1) {
    c.add(
      [...at, 'threshold'],
      `must be a positive integer, found ${typeof threshold === 'number' ? String(threshold) : describe(threshold)}`,
    );
    return undefined;
  }
  if (of === undefined) return undefined;
  if (threshold > of.length) {
    c.add([...at, 'threshold'], `must be at most the ${of.length} signers of "of", found ${threshold}`);
    return undefined;
  }
  return { threshold, of };
}

/**
 * Parses a duration as the policy file writes it: hours, minutes and seconds in that order (`720h`, `1h30m`, `90s`).
 *
 * @returns milliseconds, or `undefined` when `text` is not such a duration or is zero
 * @example
 * ```ts
 * parsePolicyDuration('720h'); // 2_592_000_000
 * ```
 */
export function parsePolicyDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (m === null || text === '') return undefined;
  const ms = (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
  return ms > 0 ? ms : undefined;
}

type CelExpr = ReturnType<typeof parseCel>['expr'];

/** Names used but never bound: a typo (`predicat.x`) is a load error rather than a deny on every image. */
function unknownIdentifiers(expr: CelExpr | undefined, bound: ReadonlySet<string>, out: Set<string>): void {
  if (expr === undefined) return;
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'identExpr':
      if (
        !bound.has(kind.value.name) &&
        !CEL_VARIABLES.has(kind.value.name) &&
        !CEL_TYPE_NAMES.has(kind.value.name)
      ) {
        out.add(kind.value.name);
      }
      return;
    case 'selectExpr':
      unknownIdentifiers(kind.value.operand, bound, out);
      return;
    case 'callExpr':
      unknownIdentifiers(kind.value.target, bound, out);
      for (const a of kind.value.args) unknownIdentifiers(a, bound, out);
      return;
    case 'listExpr':
      for (const e of kind.value.elements) unknownIdentifiers(e, bound, out);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') unknownIdentifiers(entry.keyKind.value, bound, out);
        unknownIdentifiers(entry.value, bound, out);
      }
      return;
    case 'comprehensionExpr': {
      const v = kind.value;
      unknownIdentifiers(v.iterRange, bound, out);
      unknownIdentifiers(v.accuInit, bound, out);
      const inner = new Set([...bound, v.iterVar, v.accuVar, ...(v.iterVar2 === '' ? [] : [v.iterVar2])]);
      unknownIdentifiers(v.loopCondition, inner, out);
      unknownIdentifiers(v.loopStep, inner, out);
      unknownIdentifiers(v.result, inner, out);
      return;
    }
    default:
      return;
  }
}

/** Compiles a condition; returns why it does not compile, or `undefined`. */
function conditionProblem(expression: string): string | undefined {
  try {
    const { celEnv, parse, plan } = celLibrary();
    celEnvironment ??= celEnv();
    const parsed = parse(expression);
    plan(celEnvironment, parsed);
    const unknown = new Set<string>();
    unknownIdentifiers(parsed.expr, new Set(), unknown);
    if (unknown.size > 0) {
      return `uses ${[...unknown].map((n) => quote(n)).join(', ')}: a condition sees only statement, predicate, subject and image`;
    }
    return undefined;
  } catch (error) {
    return `does not compile as CEL (${error instanceof Error ? error.message : String(error)})`;
  }
}

function parseAttestation(
  c: Checker,
  value: unknown,
  at: readonly Segment[],
  signers: ReadonlySet<string>,
  ruleName: string,
): AttestationRequirement | undefined {
  const obj = c.object(value, at);
  if (obj === undefined) return undefined;
  c.keys(obj, at, ['predicateType', 'signedBy', 'slsa', 'maxAge', 'condition']);
  const predicateType = c.string(obj, 'predicateType', at, true);
  const signedBy = signerList(c, obj, 'signedBy', at, signers);
  let slsa: NonNullable<AttestationRequirement['slsa']> | undefined;
  let ok = true;
  if (obj.slsa !== undefined) {
    const s = c.object(obj.slsa, [...at, 'slsa']);
    if (s === undefined) ok = false;
    else {
      c.keys(s, [...at, 'slsa'], ['builderId', 'sourceURI', 'sourceRef'], {
        sourceUri: 'sourceURI',
        builderID: 'builderId',
      });
      const builderId = c.stringList(s, 'builderId', [...at, 'slsa'], false);
      const sourceURI = c.stringList(s, 'sourceURI', [...at, 'slsa'], false);
      const sourceRef = c.stringList(s, 'sourceRef', [...at, 'slsa'], false);
      slsa = {
        ...(builderId === undefined ? {} : { builderId }),
        ...(sourceURI === undefined ? {} : { sourceURI }),
        ...(sourceRef === undefined ? {} : { sourceRef }),
      };
    }
  }
  let maxAgeMs: number | undefined;
  if (obj.maxAge !== undefined) {
    const text = obj.maxAge;
    maxAgeMs = typeof text === 'string' ? parsePolicyDuration(text) : undefined;
    if (maxAgeMs === undefined) {
      c.add(
        [...at, 'maxAge'],
        `must be a positive duration in hours, minutes and seconds (720h, 1h30m, 90s), found ${typeof text === 'string' ? quote(text) : describe(text)}`,
      );
      ok = false;
    }
  }
  const condition = c.string(obj, 'condition', at, false);
  if (condition !== undefined) {
    const problem = conditionProblem(condition);
    if (problem !== undefined) {
      c.add([...at, 'condition'], `of rule ${quote(ruleName)} ${problem}`);
      ok = false;
    }
  } else if (obj.condition !== undefined) ok = false;
  if (!ok || predicateType === undefined || signedBy === undefined) return undefined;
  return {
    predicateType,
    signedBy,
    ...(slsa === undefined ? {} : { slsa }),
    ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
    ...(condition === undefined ? {} : { condition }),
  };
}

/** Why a scope glob is not one, or `undefined`. */
function scopeProblem(glob: string): string | undefined {
  if (glob !== glob.toLowerCase())
    return 'must be lowercase (references are matched in their normalized, lowercase form)';
  const segments = glob.split('/');
  const host = segments[0] ?? '';
  if (segments.length < 2) return 'must be registry/repository (docker.io/library/nginx, not nginx)';
  if (!SCOPE_HOST_SEGMENT.test(host) || (!/[.:*[]/.test(host) && host !== 'localhost')) {
    return 'must start with a registry host such as ghcr.io, localhost:5000 or * (docker.io/library/nginx, not library/nginx)';
  }
  for (const s of segments.slice(1)) {
    if (!SCOPE_PATH_SEGMENT.test(s))
      return `has a bad path segment ${quote(s)} (lowercase letters, digits, ".", "_", "-", and * or **; no tag or digest)`;
  }
  for (const s of segments) {
    if (s.includes('**') && s !== '**') return '** must be a whole path segment';
  }
  return undefined;
}

function parseRule(
  c: Checker,
  value: unknown,
  at: readonly Segment[],
  signers: ReadonlySet<string>,
): PolicyRule | undefined {
  const obj = c.object(value, at);
  if (obj === undefined) return undefined;
  c.keys(obj, at, ['name', 'scope', 'mode', 'signatures', 'attestations']);
  const name = c.string(obj, 'name', at, true);
  const scope = c.stringList(obj, 'scope', at, true);
  let ok = scope !== undefined;
  scope?.forEach((glob, i) => {
    const problem = scopeProblem(glob);
    if (problem !== undefined) {
      c.add([...at, 'scope', i], `${problem}, found ${quote(glob)}`);
      ok = false;
    }
  });
  let mode: PolicyRule['mode'] = 'enforce';
  if (obj.mode !== undefined) {
    if (obj.mode === 'enforce' || obj.mode === 'audit') mode = obj.mode;
    else {
      c.add(
        [...at, 'mode'],
        `must be "enforce" or "audit", found ${typeof obj.mode === 'string' ? quote(obj.mode) : describe(obj.mode)}`,
      );
      ok = false;
    }
  }
  let signatures: SignatureRequirement | undefined;
  if (obj.signatures !== undefined) {
    signatures = parseSignatures(c, obj.signatures, [...at, 'signatures'], signers);
    if (signatures === undefined) ok = false;
  }
  const attestations: AttestationRequirement[] = [];
  if (obj.attestations !== undefined) {
    const list = obj.attestations;
    if (!Array.isArray(list)) {
      c.add([...at, 'attestations'], `must be a list, found ${describe(list)}`);
      ok = false;
    } else {
      list.forEach((item: unknown, i) => {
        const a = parseAttestation(c, item, [...at, 'attestations', i], signers, name ?? `#${String(at[1])}`);
        if (a === undefined) ok = false;
        else attestations.push(a);
      });
    }
  }
  if (!ok || name === undefined || scope === undefined) return undefined;
  return { name, scope, mode, ...(signatures === undefined ? {} : { signatures }), attestations };
}

function validate(c: Checker, root: unknown): Policy | undefined {
  const obj = c.object(root, []);
  if (obj === undefined) return undefined;
  c.keys(obj, [], ['apiVersion', 'kind', 'trustedRoots', 'keys', 'identities', 'rules', 'default']);
  if (obj.apiVersion !== POLICY_API_VERSION) {
    c.add(
      ['apiVersion'],
      obj.apiVersion === undefined
        ? `is required (${POLICY_API_VERSION})`
        : `must be ${quote(POLICY_API_VERSION)}, found ${typeof obj.apiVersion === 'string' ? quote(obj.apiVersion) : describe(obj.apiVersion)}`,
    );
  }
  if (obj.kind !== 'Policy') {
    c.add(
      ['kind'],
      obj.kind === undefined
        ? 'is required (Policy)'
        : `must be "Policy", found ${typeof obj.kind === 'string' ? quote(obj.kind) : describe(obj.kind)}`,
    );
  }
  const trustedRoots: Record<string, PolicyTrustedRootSource> = {};
  const rootEntries = c.named(obj, 'trustedRoots');
  for (const [name, v] of rootEntries) {
    const r = parseTrustedRootSource(c, v, ['trustedRoots', name]);
    if (r !== undefined) trustedRoots[name] = r;
  }
  const rootNames = new Set(rootEntries.map(([n]) => n));
  const keys: Record<string, PolicyKeySource> = {};
  const keyEntries = c.named(obj, 'keys');
  for (const [name, v] of keyEntries) {
    const k = parseKeySource(c, v, ['keys', name]);
    if (k !== undefined) keys[name] = k;
  }
  const identities: Record<string, PolicyIdentity> = {};
  const identityEntries = c.named(obj, 'identities');
  for (const [name, v] of identityEntries) {
    if (keyEntries.some(([k]) => k === name)) {
      c.add(
        ['identities', name],
        `is also the name of a key: signer names must be unique across keys and identities`,
        true,
      );
      continue;
    }
    const i = parseIdentity(c, v, ['identities', name], rootNames);
    if (i !== undefined) identities[name] = i;
  }
  const signers = new Set([...keyEntries.map(([n]) => n), ...identityEntries.map(([n]) => n)]);
  const rules: PolicyRule[] = [];
  const list = obj.rules;
  if (list === undefined) c.add(['rules'], 'is required (a list of rules, possibly empty)');
  else if (!Array.isArray(list)) c.add(['rules'], `must be a list, found ${describe(list)}`);
  else {
    const seen = new Map<string, number>();
    list.forEach((item: unknown, i) => {
      const r = parseRule(c, item, ['rules', i], signers);
      const name = isObject(item) && typeof item.name === 'string' ? item.name : undefined;
      if (name !== undefined) {
        const first = seen.get(name);
        if (first !== undefined)
          c.add(['rules', i, 'name'], `repeats the name of rules[${first}], ${quote(name)}`);
        else seen.set(name, i);
      }
      if (r !== undefined) rules.push(r);
    });
  }
  let def: Policy['default'] = 'deny';
  if (obj.default !== undefined) {
    if (obj.default === 'deny' || obj.default === 'allow') def = obj.default;
    else
      c.add(
        ['default'],
        `must be "deny" or "allow", found ${typeof obj.default === 'string' ? quote(obj.default) : describe(obj.default)}`,
      );
  }
  if (c.issues.length > 0) return undefined;
  return {
    apiVersion: POLICY_API_VERSION,
    kind: 'Policy',
    trustedRoots,
    keys,
    identities,
    rules,
    default: def,
  };
}

function dedupe(issues: readonly RawIssue[]): RawIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${pathOf(i.segments)}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function start(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range: unknown = node.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

function keyText(key: unknown): string | undefined {
  if (yamlLibrary().isScalar(key)) return String(key.value);
  return undefined;
}

/** The offset of the node at `segments` (or of the deepest existing node on the way: a missing field's parent). */
function locate(doc: Document, segments: readonly Segment[], atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = start(node) ?? 0;
  for (let i = 0; i < segments.length; i++) {
    const { isAlias, isMap, isSeq } = yamlLibrary();
    if (isAlias(node)) node = node.resolve(doc);
    const seg = segments[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (pair === undefined) break;
      if (atKey && i === segments.length - 1) return start(pair.key) ?? offset;
      node = pair.value;
      offset = start(node) ?? start(pair.key) ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (item === undefined) break;
      node = item;
      offset = start(item) ?? offset;
    } else break;
  }
  return offset;
}

function issueAt(
  source: string,
  lines: LineCounter,
  offset: number,
  path: string,
  message: string,
): PolicyIssue {
  const { line, col } = lines.linePos(offset);
  // linePos gives line 0 before the first newline is known; a one-line file is line 1.
  const l = Math.max(line, 1);
  const column = Math.max(col, 1);
  return { path, message: `${message} (${source}:${l}:${column})`, source, line: l, column };
}

/**
 * Where a field of a policy text is (`policy.yaml:12:7`), for messages about an entry that parsed but did not load
 * (a key file that is missing). Returns the location of the nearest existing parent when the field is absent.
 *
 * @example
 * ```ts
 * policyLocation(text, 'policy.yaml', ['keys', 'release', 'file']); // 'policy.yaml:8:18'
 * ```
 */
export function policyLocation(text: string, source: string, segments: readonly (string | number)[]): string {
  const { LineCounter: Lines, parseDocument } = yamlLibrary();
  const lines = new Lines();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, logLevel: 'error' });
  const { line, col } = lines.linePos(locate(doc, segments, false));
  return `${source}:${Math.max(line, 1)}:${Math.max(col, 1)}`;
}

/**
 * Computes the `policyDigest` of a parsed policy: `sha256:` + hex SHA-256 of its RFC 8785 canonical JSON, so YAML
 * and JSON spellings of one policy have one digest.
 *
 * @example
 * ```ts
 * const digest = policyDigestOf(policy); // 'sha256:3a…'
 * ```
 */
export function policyDigestOf(policy: Policy): string {
  const text = canonicalJson(policy);
  if (text === undefined)
    throw new ParseError('ERR_MALFORMED_POLICY', 'the policy has no canonical JSON form');
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/**
 * Parses a policy file's text (YAML, or JSON, which is YAML) into a validated, frozen `Policy` and its digest.
 * Every problem is listed, each naming the field path (`rules[0].signatures.anyOf[1]`) and where it is in the file
 * (`policy.yaml:23:30`). Unknown keys are errors; signers named in rules must be keys or identities; identities'
 * trusted roots must exist; `maxAge` becomes `maxAgeMs`; every CEL `condition` is compiled here.
 *
 * @param text the file's contents
 * @param source the name used in messages (usually the file's path)
 * @throws ParseError `ERR_MALFORMED_POLICY` listing every issue (each a {@link PolicyIssue})
 * @example
 * ```ts
 * const { policy, policyDigest } = parsePolicyText(readFileSync('policy.yaml', 'utf8'), 'policy.yaml');
 * ```
 */
export function parsePolicyText(text: string, source: string): ParsedPolicy {
  if (typeof text !== 'string') {
    throw new ParseError('ERR_MALFORMED_POLICY', [
      { path: '', message: `${source}: expected the policy text, found ${describe(text)}` },
    ]);
  }
  if (text.length > MAX_POLICY_BYTES) {
    throw new ParseError('ERR_MALFORMED_POLICY', [
      {
        path: '',
        message: `${source} is ${text.length} characters, more than the ${MAX_POLICY_BYTES} a policy may have`,
      },
    ]);
  }
  const { LineCounter: Lines2, parseDocument: parseDoc } = yamlLibrary();
  const lines = new Lines2();
  let doc: Document;
  let value: unknown;
  try {
    doc = parseDoc(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
      stringKeys: true,
      // Warnings are not printed but collected in doc.warnings, where they become issues like errors.
      logLevel: 'error',
    });
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) {
      throw new ParseError(
        'ERR_MALFORMED_POLICY',
        problems.map((e) =>
          issueAt(
            source,
            lines,
            e.pos[0],
            '',
            e.code === 'MULTIPLE_DOCS'
              ? 'must hold one YAML document, found several'
              : `is not valid YAML or JSON: ${e.message.split('\n')[0] ?? e.code}`,
          ),
        ),
      );
    }
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof ParseError) throw error;
    // The YAML library throws on resource exhaustion (aliases, nesting); any such failure is a bad policy.
    throw new ParseError(
      'ERR_MALFORMED_POLICY',
      [
        {
          path: '',
          message: `${source} could not be read as YAML (${error instanceof Error ? error.message : String(error)})`,
        },
      ],
      { cause: error },
    );
  }
  const c = new Checker();
  const policy = validate(c, value);
  if (policy === undefined) {
    throw new ParseError(
      'ERR_MALFORMED_POLICY',
      dedupe(c.issues).map((i) =>
        issueAt(source, lines, locate(doc, i.segments, i.atKey), pathOf(i.segments), i.message),
      ),
    );
  }
  const frozen = deepFreeze(policy);
  return Object.freeze({ policy: frozen, policyDigest: policyDigestOf(frozen) });
}
