// Which policy rule applies to an image: references normalized as docker does, scope globs, the most specific wins.
import { parseImageReference } from '@vouch/core';
import type { Policy, PolicyRule } from './policy-types.js';

/**
 * Normalizes an image reference to the `registry/repository` form scopes match, as docker does: `nginx` is
 * `docker.io/library/nginx`, `index.docker.io/x/y` is `docker.io/x/y`; the tag and digest are dropped and the
 * registry host is lowercased (host names are case-insensitive, so `GHCR.IO/acme/app` cannot slip past a rule).
 *
 * @throws ParseError `ERR_MALFORMED_REFERENCE` when `ref` is not an image reference
 * @example
 * ```ts
 * normalizeReference('nginx:1.27'); // 'docker.io/library/nginx'
 * normalizeReference('ghcr.io/acme/app@sha256:…'); // 'ghcr.io/acme/app'
 * ```
 */
export function normalizeReference(ref: string): string {
  const parsed = parseImageReference(ref, 'image');
  return `${parsed.registry.toLowerCase()}/${parsed.repository}`;
}

function segmentRegExp(segment: string): RegExp {
  const body = segment
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}$`, 'u');
}

/**
 * Whether a scope glob matches a normalized reference. Segments are split at `/`; the registry host is the first
 * segment. `*` matches within one segment (`ghcr.io/acme/*`, `ghcr.io/acme/app-*`), `**` (a whole segment) matches
 * any number of segments, zero included (`ghcr.io/acme/**` matches `ghcr.io/acme/app`, `ghcr.io/acme/a/b` and
 * `ghcr.io/acme`).
 *
 * @example
 * ```ts
 * matchScope('ghcr.io/acme/**', 'ghcr.io/acme/team/app'); // true
 * matchScope('docker.io/library/*', 'docker.io/bitnami/redis'); // false
 * ```
 */
export function matchScope(glob: string, normalized: string): boolean {
  const pattern = glob.split('/');
  const target = normalized.split('/');
  // reachable[j]: the pattern so far can consume exactly the first j target segments.
  let reachable: boolean[] = new Array<boolean>(target.length + 1).fill(false);
  reachable[0] = true;
  for (const seg of pattern) {
    const next: boolean[] = new Array<boolean>(target.length + 1).fill(false);
    if (seg === '**') {
      let any = false;
      for (let j = 0; j <= target.length; j++) {
        any ||= reachable[j] === true;
        next[j] = any;
      }
    } else {
      const re = seg.includes('*') ? segmentRegExp(seg) : undefined;
      for (let j = 0; j < target.length; j++) {
        const t = target[j] ?? '';
        if (reachable[j] === true && (re === undefined ? t === seg : re.test(t))) next[j + 1] = true;
      }
    }
    reachable = next;
  }
  return reachable[target.length] === true;
}

/** How specific a scope glob is: fewer wildcards is more specific, then a longer literal prefix. */
export interface ScopeSpecificity {
  /** `*` and `**` each count once. */
  readonly wildcards: number;
  /** Characters before the first wildcard. */
  readonly literalPrefix: number;
}

/**
 * The specificity of a scope glob, as rule selection ranks it.
 *
 * @example
 * ```ts
 * scopeSpecificity('ghcr.io/acme/**'); // { wildcards: 1, literalPrefix: 13 }
 * ```
 */
export function scopeSpecificity(glob: string): ScopeSpecificity {
  const wildcards = glob.match(/\*\*|\*/g)?.length ?? 0;
  const first = glob.indexOf('*');
  return { wildcards, literalPrefix: first < 0 ? glob.length : first };
}

/** One scope of one rule that matched. */
export interface ScopeMatch extends ScopeSpecificity {
  readonly rule: PolicyRule;
  readonly ruleIndex: number;
  readonly scope: string;
  readonly scopeIndex: number;
}

/** Which rule applies to an image, and why (what `vouch policy explain` prints). */
export interface RuleSelection {
  readonly normalized: string;
  /** The rule that applies; absent when no scope matches and the policy's `default` decides. */
  readonly rule?: PolicyRule;
  /** The scope of `rule` that won. */
  readonly scope?: string;
  /** Every matching (rule, scope), most specific first: the first is the winner. */
  readonly matches: readonly ScopeMatch[];
  /** One sentence saying why (for `vouch policy explain` and the decision's `scope` check). */
  readonly why: string;
}

function compareMatches(a: ScopeMatch, b: ScopeMatch): number {
  return (
    a.wildcards - b.wildcards ||
    b.literalPrefix - a.literalPrefix ||
    a.ruleIndex - b.ruleIndex ||
    a.scopeIndex - b.scopeIndex
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeMatch(m: ScopeMatch): string {
  return `scope ${JSON.stringify(m.scope)} (${plural(m.wildcards, 'wildcard')}, literal prefix of ${plural(m.literalPrefix, 'character')})`;
}

function whyBetter(winner: ScopeMatch, other: ScopeMatch): string {
  if (winner.wildcards !== other.wildcards) return 'it has fewer wildcards than';
  if (winner.literalPrefix !== other.literalPrefix)
    return 'it has as many wildcards and a longer literal prefix than';
  return 'it is as specific as, and listed before,';
}

/**
 * Selects the rule for a normalized reference: among every rule's matching scopes the most specific wins (fewest
 * wildcards, then longest literal prefix, then the first listed); with no match the policy's `default` applies.
 *
 * @example
 * ```ts
 * const selection = selectRule(policy, normalizeReference('ghcr.io/acme/app:v1'));
 * console.log(selection.rule?.name ?? `default: ${policy.default}`, '-', selection.why);
 * ```
 */
export function selectRule(policy: Policy, normalized: string): RuleSelection {
  const matches: ScopeMatch[] = [];
  policy.rules.forEach((rule, ruleIndex) => {
    rule.scope.forEach((scope, scopeIndex) => {
      if (matchScope(scope, normalized)) {
        matches.push({ rule, ruleIndex, scope, scopeIndex, ...scopeSpecificity(scope) });
      }
    });
  });
  matches.sort(compareMatches);
  const [winner, runnerUp] = [matches[0], matches.find((m) => m.ruleIndex !== matches[0]?.ruleIndex)];
  if (winner === undefined) {
    return Object.freeze({
      normalized,
      matches: Object.freeze(matches),
      why: `none of the policy's ${plural(policy.rules.length, 'rule')} has a scope matching ${normalized}`,
    });
  }
  const applies = `rule ${JSON.stringify(winner.rule.name)} applies through its ${describeMatch(winner)}`;
  const why =
    runnerUp === undefined
      ? `${applies}; no other rule's scope matches`
      : `${applies}; ${whyBetter(winner, runnerUp)} the ${describeMatch(runnerUp)} of rule ${JSON.stringify(runnerUp.rule.name)}`;
  return Object.freeze({
    normalized,
    rule: winner.rule,
    scope: winner.scope,
    matches: Object.freeze(matches),
    why,
  });
}
