// vouch policy lint | explain | test: check a policy file, show which rule applies to an image, run offline test cases.
import {
  type AttestationRequirement,
  lintPolicy,
  loadPolicy,
  normalizeReference,
  ParseError,
  type PolicyRule,
  type PolicyTestReport,
  runPolicyTests,
  type SignatureRequirement,
  selectRule,
  UsageError,
} from 'vouch';
import { parseCommandArgs } from '../args.js';
import { EXIT_OK, EXIT_UNTRUSTED, EXIT_USAGE, type ExitCode } from '../exit.js';
import type { CliIo } from '../io.js';
import { createRenderer } from '../render.js';
import { help } from './keygen.js';
import type { Command } from './types.js';

const USAGE = `vouch policy lint POLICY [--output text|json]
vouch policy explain POLICY IMAGE [--output text|json]
vouch policy test DIR... [--output text|json]

  lint     load the policy (schema, unknown keys, keys and trusted roots that do not load: exit 2 with
           file:line:col for each), then warn about rules that can never apply, enforce rules that require
           nothing, and keys, identities and roots nothing uses (exit 1 if any warning, else 0)
  explain  the image's normalized reference, which rule applies and why, and what that rule requires (no network)
  test     run each DIR's vouch-policy-test.yaml offline: every case PASS or FAIL; exit 0 only if all pass`;

/** `message (file:1:2)` → `file:1:2: path: message`, the form editors and CI logs link. */
function located(issue: { readonly path: string; readonly message: string }): string {
  const m = /^([\s\S]*) \(([^()]*:\d+:\d+)\)$/.exec(issue.message);
  const path = issue.path === '' ? '' : `${issue.path}: `;
  return m === null ? `${path}${issue.message}` : `${m[2]}: ${path}${m[1]}`;
}

async function lint(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const args = parseCommandArgs(argv, {}, ['POLICY']);
  if (args.help) return help(io, USAGE);
  const out = createRenderer(io, args.format);
  const [path = ''] = args.positionals;
  let loaded: Awaited<ReturnType<typeof loadPolicy>>;
  try {
    loaded = await loadPolicy(path);
  } catch (error) {
    if (!(error instanceof ParseError) || error.code !== 'ERR_MALFORMED_POLICY') throw error;
    const errors = error.issues.map((i) => ({ path: i.path, message: located(i) }));
    out.result(
      {
        ok: false,
        command: 'policy lint',
        policy: path,
        error: { code: error.code },
        errors,
        exitCode: EXIT_USAGE,
      },
      [...errors.map((e) => `error: ${e.message}`), `${path}: ${errors.length} error(s) [${error.code}]`],
    );
    return EXIT_USAGE;
  }
  const warnings = lintPolicy(loaded.policy);
  out.result(
    {
      ok: warnings.length === 0,
      command: 'policy lint',
      policy: path,
      policyDigest: loaded.policyDigest,
      warnings,
    },
    [
      ...warnings.map(
        (w) =>
          `warning: ${w.rule}${w.scope === undefined ? '' : ` ${JSON.stringify(w.scope)}`}: ${w.message}`,
      ),
      warnings.length === 0
        ? `${path}: OK (${loaded.policyDigest})`
        : `${path}: ${warnings.length} warning(s) (${loaded.policyDigest})`,
    ],
  );
  return warnings.length === 0 ? EXIT_OK : EXIT_UNTRUSTED;
}

function signatureText(req: SignatureRequirement): string {
  if ('anyOf' in req) return `any of [${req.anyOf.join(', ')}]`;
  if ('allOf' in req) return `all of [${req.allOf.join(', ')}]`;
  return `${req.threshold} of [${req.of.join(', ')}] (distinct signers)`;
}

/** `5400000` → `1h30m`: the file's own spelling of a duration. */
function durationText(ms: number): string {
  const total = Math.floor(ms / 1000);
  const [h, m, sec] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${sec > 0 || total === 0 ? `${sec}s` : ''}`;
}

function attestationText(a: AttestationRequirement): string[] {
  const lines = [`${a.predicateType}, signed by one of [${a.signedBy.join(', ')}]`];
  for (const field of ['builderId', 'sourceURI', 'sourceRef'] as const) {
    const values = a.slsa?.[field];
    if (values !== undefined) lines.push(`  slsa ${field}: one of [${values.join(', ')}]`);
  }
  if (a.maxAgeMs !== undefined) lines.push(`  maxAge: signed at most ${durationText(a.maxAgeMs)} ago`);
  if (a.condition !== undefined) lines.push(`  condition: ${a.condition}`);
  return lines;
}

function requirementLines(rule: PolicyRule): string[] {
  const lines = [
    `mode        ${rule.mode}`,
    `signatures  ${rule.signatures === undefined ? 'none required' : signatureText(rule.signatures)}`,
    `attestations${rule.attestations.length === 0 ? ' none required' : ''}`,
  ];
  for (const a of rule.attestations) lines.push(...attestationText(a).map((l) => `  ${l}`));
  return lines;
}

async function explain(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const args = parseCommandArgs(argv, {}, ['POLICY', 'IMAGE']);
  if (args.help) return help(io, USAGE);
  const out = createRenderer(io, args.format);
  const [path = '', image = ''] = args.positionals;
  const loaded = await loadPolicy(path);
  const normalized = normalizeReference(image);
  const selection = selectRule(loaded.policy, normalized);
  const { rule } = selection;
  out.result(
    {
      ok: true,
      command: 'policy explain',
      policy: path,
      policyDigest: loaded.policyDigest,
      image,
      normalized,
      rule: rule ?? null,
      scope: selection.scope ?? null,
      why: selection.why,
      matches: selection.matches.map((m) => ({
        rule: m.rule.name,
        scope: m.scope,
        wildcards: m.wildcards,
        literalPrefix: m.literalPrefix,
      })),
      default: loaded.policy.default,
    },
    [
      `image       ${image}`,
      `normalized  ${normalized}`,
      rule === undefined
        ? `rule        none: the policy default (${loaded.policy.default}) decides`
        : `rule        ${rule.name} (scope ${JSON.stringify(selection.scope)})`,
      `why         ${selection.why}`,
      ...(rule === undefined ? [] : requirementLines(rule)),
    ],
  );
  return EXIT_OK;
}

function reportLines(report: PolicyTestReport): string[] {
  const width = Math.max(0, ...report.results.map((r) => r.name.length));
  return [
    `${report.file} (policy ${report.policy}, ${report.policyDigest}, at ${report.now.toISOString()})`,
    ...report.results.flatMap((r) => {
      const d = r.decision;
      const decided = `${d.allowed ? 'allow' : 'deny'} by ${d.rule === undefined ? 'the default' : `rule ${d.rule} (${d.mode})`}`;
      return [
        `${r.passed ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  ${decided}`,
        ...r.failures.map((f) => `      ${f}`),
      ];
    }),
  ];
}

async function test(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const args = parseCommandArgs(argv, {}, ['DIR...']);
  if (args.help) return help(io, USAGE);
  const out = createRenderer(io, args.format);
  if (args.positionals.length === 0) throw new UsageError('ERR_USAGE', 'missing argument DIR');
  const reports: PolicyTestReport[] = [];
  for (const dir of args.positionals) reports.push(await runPolicyTests(dir));
  const passed = reports.reduce((n, r) => n + r.passed, 0);
  const failed = reports.reduce((n, r) => n + r.failed, 0);
  out.result({ ok: failed === 0, command: 'policy test', passed, failed, reports }, [
    ...reports.flatMap(reportLines),
    `${passed} passed, ${failed} failed`,
  ]);
  return failed === 0 ? EXIT_OK : EXIT_UNTRUSTED;
}

const SUBCOMMANDS: Readonly<Record<string, (argv: readonly string[], io: CliIo) => Promise<ExitCode>>> = {
  lint,
  explain,
  test,
};

export const policyCommand: Command = {
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.stdout(`${USAGE}\n`);
      return sub === undefined ? EXIT_USAGE : EXIT_OK;
    }
    const run = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
    if (run === undefined) {
      throw new UsageError(
        'ERR_USAGE',
        `unknown policy subcommand ${JSON.stringify(sub)}: expected lint, explain or test`,
      );
    }
    return run(rest, io);
  },
};
