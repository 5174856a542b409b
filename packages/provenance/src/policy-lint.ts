// Warnings about a policy that loads but probably does not say what its author meant (`vouch policy lint`).
import type { Policy, PolicyRule, SignatureRequirement } from './policy-types.js';

/** One lint warning: the rule (or `trustedRoots.x`, `keys.x`, `identities.x` entry) it is about, and why. */
export interface PolicyLintWarning {
  /** A rule's name, or the entry's path (`keys.release`) for unused trust material. */
  readonly rule: string;
  /** The scope glob the warning is about, when it is about one. */
  readonly scope?: string;
  readonly message: string;
}

function signersOf(req: SignatureRequirement | undefined): readonly string[] {
  if (req === undefined) return [];
  if ('anyOf' in req) return req.anyOf;
  if ('allOf' in req) return req.allOf;
  return req.of;
}

/**
 * The earlier rule with exactly this glob, if any. Only identical globs are decided: with the same glob the same
 * specificity ties and the rule listed first wins, so the later one can never be chosen through it. (A literal glob
 * can only tie with the identical literal, so literals are covered too; general glob inclusion is not attempted.)
 */
function shadowingRule(rules: readonly PolicyRule[], index: number, glob: string): PolicyRule | undefined {
  return rules.slice(0, index).find((r) => r.scope.includes(glob));
}

/**
 * Lints a parsed policy: rules that can never apply (every scope glob shadowed by an identical glob of an earlier
 * rule, which wins the tie), individual scopes so shadowed, enforce rules that require nothing (allow-all), and keys,
 * identities and trusted roots that nothing uses. Pure; the policy has already passed `parsePolicyText`, so these are
 * warnings about meaning, never errors of form.
 *
 * @example
 * ```ts
 * const { policy } = parsePolicyText(text, 'policy.yaml');
 * for (const w of lintPolicy(policy)) console.log(`${w.rule}: ${w.message}`);
 * ```
 */
export function lintPolicy(policy: Policy): readonly PolicyLintWarning[] {
  const warnings: PolicyLintWarning[] = [];
  const push = (w: PolicyLintWarning): void => {
    warnings.push(Object.freeze(w));
  };

  policy.rules.forEach((rule, index) => {
    const shadowed = rule.scope.map((scope) => ({ scope, by: shadowingRule(policy.rules, index, scope) }));
    const all = shadowed.length > 0 && shadowed.every((s) => s.by !== undefined);
    if (all) {
      const detail = shadowed.map((s) => `${JSON.stringify(s.scope)} (rule ${JSON.stringify(s.by?.name)})`);
      push({
        rule: rule.name,
        message: `rule ${JSON.stringify(rule.name)} can never apply: every scope is also a scope of an earlier rule, which wins the tie: ${detail.join(', ')}`,
      });
    } else {
      for (const { scope, by } of shadowed) {
        if (by === undefined) continue;
        push({
          rule: rule.name,
          scope,
          message: `scope ${JSON.stringify(scope)} of rule ${JSON.stringify(rule.name)} never applies: the earlier rule ${JSON.stringify(by.name)} has the same scope and wins the tie`,
        });
      }
    }
    if (rule.mode === 'enforce' && rule.signatures === undefined && rule.attestations.length === 0) {
      push({
        rule: rule.name,
        message: `rule ${JSON.stringify(rule.name)} is in enforce mode but requires no signature and no attestation: it allows every image in its scope`,
      });
    }
  });

  const usedSigners = new Set<string>();
  for (const rule of policy.rules) {
    for (const s of signersOf(rule.signatures)) usedSigners.add(s);
    for (const a of rule.attestations) for (const s of a.signedBy) usedSigners.add(s);
  }
  for (const name of Object.keys(policy.keys)) {
    if (!usedSigners.has(name)) {
      push({ rule: `keys.${name}`, message: `key ${JSON.stringify(name)} is defined but no rule names it` });
    }
  }
  const usedRoots = new Set<string>();
  for (const [name, identity] of Object.entries(policy.identities)) {
    usedRoots.add(identity.trustedRoot);
    if (!usedSigners.has(name)) {
      push({
        rule: `identities.${name}`,
        message: `identity ${JSON.stringify(name)} is defined but no rule names it`,
      });
    }
  }
  for (const name of Object.keys(policy.trustedRoots)) {
    if (!usedRoots.has(name)) {
      push({
        rule: `trustedRoots.${name}`,
        message: `trusted root ${JSON.stringify(name)} is defined but no identity uses it`,
      });
    }
  }
  return Object.freeze(warnings);
}
