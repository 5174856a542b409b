// vouch verify --policy: the deploy gate over images given, or found in Kubernetes YAML / compose files / lists.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Decision,
  imagesFromManifest,
  loadPolicy,
  type StatementSigner,
  type Undecided,
  UsageError,
  VouchError,
  verifyImages,
  vsaForDecision,
  writeSignedStatement,
} from 'vouch';
import { type ParsedArgs, parseCommandArgs, stringFlag, stringFlags } from '../args.js';
import { EXIT_OK, EXIT_UNDECIDED, EXIT_UNTRUSTED, type ExitCode } from '../exit.js';
import type { CliIo } from '../io.js';
import { createRenderer, type Renderer } from '../render.js';
import { VERSION } from '../version.js';
import { help } from './keygen.js';
import { privateKeyFromFile } from './keys.js';
import { REGISTRY_OPTIONS, REGISTRY_USAGE, registryOptionsFromArgs } from './registry-flags.js';
import { KEYLESS_OPTIONS, keylessFromArgs } from './sign.js';

export const GATE_USAGE = `vouch verify --policy POLICY [IMAGE]... [-f FILE]... [--concurrency N] [registry flags] [--output text|json]

  The deploy gate: each image is resolved to a digest once, its signatures and attestations fetched and verified
  against the policy's keys and trusted roots, and the most specific rule decides (docs/policy.md).
  -f FILE         images from Kubernetes YAML (Pods, Deployments, StatefulSets, DaemonSets, Jobs, CronJobs; init and
                  ephemeral containers; multi-document), a docker-compose file, or a list of references; - is stdin
  --concurrency   images fetched and verified at once (default 8)
  --vsa-dir DIR   write a signed SLSA VSA per allowed image (DIR/sha256-<hex>.vsa.sigstore.json), naming the policy by
                  digest: with --vsa-key KEY (password in VOUCH_PASSWORD) or --keyless [keyless flags of vouch sign]
${REGISTRY_USAGE}
Exit codes: 0 every image allowed (audit denials included, with a warning), 1 any denied, 2 a bad policy or usage,
3 a decision could not be made (a registry down): fail closed.`;

async function readInput(path: string, io: CliIo): Promise<string> {
  if (path === '-') {
    if (io.readStdin === undefined) throw new UsageError('ERR_USAGE', '-f -: no standard input here');
    return io.readStdin();
  }
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new VouchError('ERR_IO', `could not read ${path}`, { cause });
  }
}

function isUndecided(d: Decision | Undecided): d is Undecided {
  return 'undecided' in d;
}

function decisionLines(d: Decision | Undecided, checks: (c: Decision['checks']) => string[]): string[] {
  if (isUndecided(d)) return [`UNDECIDED ${d.image}: ${d.error.message} [${d.error.code}]`];
  const verdict = d.allowed
    ? d.wouldDeny === true
      ? 'ALLOWED (audit: enforce would deny)'
      : 'ALLOWED'
    : 'DENIED';
  const rule =
    d.rule === undefined
      ? `no rule matched: default ${d.allowed ? 'allow' : 'deny'}`
      : `rule ${d.rule} (${d.mode})`;
  return [`${verdict} ${d.image} ${d.digest} — ${rule}`, ...checks(d.checks).map((l) => `  ${l}`)];
}

export async function runGate(argv: readonly string[], io: CliIo, usage: string): Promise<ExitCode> {
  const args: ParsedArgs = parseCommandArgs(
    argv,
    {
      policy: { type: 'string' },
      file: { type: 'string', short: 'f', multiple: true },
      concurrency: { type: 'string' },
      'vsa-dir': { type: 'string' },
      'vsa-key': { type: 'string' },
      ...KEYLESS_OPTIONS,
      ...REGISTRY_OPTIONS,
    },
    ['IMAGE...'],
  );
  if (args.help) return help(io, usage);
  const out = createRenderer(io, args.format);
  const policyPath = stringFlag(args, 'policy');
  if (policyPath === undefined) throw new UsageError('ERR_USAGE', '--policy is required');
  const concurrencyText = stringFlag(args, 'concurrency');
  const concurrency = concurrencyText === undefined ? 8 : Number(concurrencyText);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(
      'ERR_USAGE',
      `--concurrency: expected an integer from 1 to 64, found ${concurrencyText}`,
    );
  }
  const loaded = await loadPolicy(policyPath);
  const images = [...args.positionals];
  for (const file of stringFlags(args, 'file')) {
    const found = imagesFromManifest(await readInput(file, io), file === '-' ? '<stdin>' : file);
    for (const i of found.images) if (!images.includes(i.reference)) images.push(i.reference);
  }
  if (images.length === 0)
    throw new UsageError('ERR_USAGE', 'no image to verify: give IMAGE arguments or -f FILE');
  const registry = registryOptionsFromArgs(args, io, images[0] ?? '', out);
  let done = 0;
  const decisions = await verifyImages(loaded, images, {
    registry,
    concurrency,
    onDecision: () => {
      done++;
      if (io.interactive && args.format === 'text') io.stderr(`\r${done}/${images.length} decided`);
    },
  });
  if (io.interactive && args.format === 'text') io.stderr('\n');
  const denied = decisions.filter((d) => !d.allowed && !isUndecided(d)).length;
  const undecided = decisions.filter(isUndecided).length;
  const audited = decisions.filter((d) => !isUndecided(d) && d.wouldDeny === true).length;
  const code: ExitCode = undecided > 0 ? EXIT_UNDECIDED : denied > 0 ? EXIT_UNTRUSTED : EXIT_OK;
  const vsaDir = stringFlag(args, 'vsa-dir');
  if (vsaDir !== undefined) {
    const signer = await vsaSigner(args, io, out);
    await mkdir(vsaDir, { recursive: true });
    for (const d of decisions) {
      if (isUndecided(d) || !d.allowed) continue;
      const statement = vsaForDecision({
        decision: d,
        verifierId: VERIFIER_ID,
        policy: loaded.source,
        timeVerified: new Date(),
      });
      await writeSignedStatement({
        statement,
        signer,
        path: join(vsaDir, `${d.digest.replace(':', '-')}.vsa.sigstore.json`),
      });
    }
  } else if (stringFlag(args, 'vsa-key') !== undefined || args.values.keyless === true) {
    throw new UsageError('ERR_USAGE', '--vsa-key and --keyless sign VSAs: give --vsa-dir DIR');
  }
  if (audited > 0) out.info(`warning: ${audited} image(s) allowed only because their rule is in audit mode`);
  out.result(
    {
      ok: code === EXIT_OK,
      command: 'verify',
      policy: loaded.source,
      policyDigest: loaded.policyDigest,
      decisions,
    },
    [
      ...decisions.flatMap((d) => decisionLines(d, (c) => out.checks(c))),
      `${decisions.length - denied - undecided} allowed, ${denied} denied, ${undecided} undecided (policy ${loaded.policyDigest})`,
    ],
  );
  return code;
}

const VERIFIER_ID = `https://github.com/vouch-dev/vouch@v${VERSION}`;

/** The VSA signer the flags name: exactly one of --vsa-key or --keyless. */
async function vsaSigner(args: ParsedArgs, io: CliIo, out: Renderer): Promise<StatementSigner> {
  const keyPath = stringFlag(args, 'vsa-key');
  const keyless = args.values.keyless === true;
  if ((keyPath === undefined) === !keyless) {
    throw new UsageError('ERR_USAGE', '--vsa-dir needs exactly one signer: --vsa-key KEY or --keyless');
  }
  return keyPath !== undefined
    ? { key: await privateKeyFromFile(keyPath, io) }
    : { keyless: await keylessFromArgs(args, io, out) };
}
