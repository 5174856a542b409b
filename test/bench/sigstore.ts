// `pnpm bench`: Sigstore bundle verification, vouch against @sigstore/verify's Verifier, warm (bundles/s in one
// process) and cold (process start to the first verified bundle), on the conformance happy-path bundles.
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity } from '@sigstore/verify';
import { parseTrustedRoot, verifySigstoreBundle } from '@vouch/core';
import { caseFile, loadVectorSet, type VectorCase } from '../support/vectors.ts';
import {
  type Contender,
  measure,
  median,
  ROUNDS,
  sigstoreVerifier,
  TARGET_MS_PER_BATCH,
  table,
} from './measure.ts';

const CASES = ['happy-path-v0.3', 'happy-path-intoto-in-dsse-v3', 'rekor2-happy-path'];
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 21);
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const set = loadVectorSet('sigstore-conformance');

function field(c: VectorCase, name: string): string {
  const v = c[name];
  if (typeof v !== 'string') throw new Error(`case ${c.id} has no ${name}`);
  return v;
}

function vectorCase(id: string): VectorCase {
  const c = set.cases.find((x) => x.id === id);
  if (c === undefined || c.expect !== 'pass') throw new Error(`no passing case ${id}`);
  return c;
}

// BENCH_PART=warm or cold runs only that part.
const PART = process.env.BENCH_PART ?? 'all';
let failures = 0;

// Warm: trust material prepared once on each side; every iteration starts from the bundle as parsed JSON, so each
// side parses the untrusted bundle itself, then verifies signature, log entry, certificate chain and identity.
for (const id of PART === 'cold' ? [] : CASES) {
  const c = vectorCase(id);
  const rootJson = set.json(caseFile(c, 'trustedRoot'));
  const bundleText = set.text(caseFile(c, 'bundle'));
  const artifact = set.bytes(caseFile(c, 'artifact'));
  const identity = field(c, 'identity');
  const issuer = field(c, 'issuer');

  const trustedRoot = parseTrustedRoot(rootJson);
  const vouchBundle: unknown = JSON.parse(bundleText);
  const vouchArtifact = { bytes: new Uint8Array(artifact) };
  const policy = { subjectAlternativeName: { exact: identity }, issuer: { exact: issuer } };

  const verifier = sigstoreVerifier(rootJson);
  const sigstoreBundle: unknown = JSON.parse(bundleText);
  const sigstorePolicy = { subjectAlternativeName: identity, extensions: { issuer } };

  const vouchOnce = (): void => {
    const result = verifySigstoreBundle({
      bundle: vouchBundle,
      artifact: vouchArtifact,
      trustedRoot,
      identity: policy,
      now: new Date(),
    });
    if (result.signer.type !== 'certificate') throw new Error('vouch: not a certificate signer');
  };
  const sigstoreOnce = (): void => {
    const signer = verifier.verify(toSignedEntity(bundleFromJSON(sigstoreBundle), artifact), sigstorePolicy);
    if (signer.identity?.subjectAlternativeName !== identity)
      throw new Error('@sigstore/verify: wrong identity');
  };
  // Both must accept before anything is timed.
  vouchOnce();
  sigstoreOnce();

  const SIGSTORE = '@sigstore/verify Verifier.verify';
  const VOUCH = 'vouch verifySigstoreBundle';
  const contenders: Contender[] = [
    {
      name: SIGSTORE,
      run: (n) => {
        for (let i = 0; i < n; i++) sigstoreOnce();
      },
    },
    {
      name: VOUCH,
      run: (n) => {
        for (let i = 0; i < n; i++) vouchOnce();
      },
    },
  ];
  const results = await measure(contenders);
  const ratio = (results.get(VOUCH) ?? Number.NaN) / (results.get(SIGSTORE) ?? Number.NaN);
  const ok = ratio <= 1;
  if (!ok) failures++;
  table(
    `Sigstore bundle verify, warm: ${id}`,
    SIGSTORE,
    results,
    new Map([[VOUCH, ok ? 'not slower: met' : 'not slower: MISSED']]),
    {
      rate: 'bundles/s',
    },
  );
}

// Cold: process start to the first verified bundle, each command run alternately (no shell), median wall time.
if (PART !== 'warm') {
  const c = vectorCase(process.env.BENCH_COLD_CASE ?? 'happy-path-v0.3');
  const bundle = join(set.dir, caseFile(c, 'bundle'));
  const artifact = join(set.dir, caseFile(c, 'artifact'));
  const root = join(set.dir, caseFile(c, 'trustedRoot'));
  const identity = field(c, 'identity');
  const issuer = field(c, 'issuer');
  const flags = ['--bundle', bundle, '--certificate-identity', identity, '--certificate-oidc-issuer', issuer];
  const run = promisify(execFile);
  const SCRIPT = 'node cold-sigstore-verify.mjs (@sigstore/verify)';
  const commands: { name: string; args: string[] }[] = [
    {
      name: SCRIPT,
      args: [join(HERE, 'cold-sigstore-verify.mjs'), ...flags, '--trusted-root', root, artifact],
    },
    {
      name: 'vouch-conformance verify-bundle',
      args: [
        join(REPO, 'packages/cli/dist/bundle/conformance-bin.js'),
        'verify-bundle',
        ...flags,
        '--trusted-root',
        root,
        artifact,
      ],
    },
    {
      name: 'vouch verify-blob --offline',
      args: [
        join(REPO, 'packages/cli/dist/bundle/bin.js'),
        'verify-blob',
        artifact,
        ...flags,
        '--trusted-root',
        root,
        '--offline',
      ],
    },
  ];
  const timeOne = async (args: string[]): Promise<number> => {
    const t0 = performance.now();
    await run(process.execPath, args, { cwd: REPO });
    return performance.now() - t0;
  };
  const live: typeof commands = [];
  for (const cmd of commands) {
    try {
      await timeOne(cmd.args); // warms the file cache, and proves the command verifies
      live.push(cmd);
    } catch (e) {
      const err = e as { code?: unknown; stderr?: unknown };
      console.log(
        `\n(cold: skipping "${cmd.name}": exit ${String(err.code)}: ${String(err.stderr).trim().split('\n')[0]})`,
      );
    }
  }
  const samples = new Map<string, number[]>(live.map((cmd) => [cmd.name, []]));
  for (let r = 0; r < COLD_RUNS; r++) {
    for (const cmd of r % 2 === 0 ? live : [...live].reverse())
      samples.get(cmd.name)?.push(await timeOne(cmd.args));
  }
  const results = new Map([...samples].map(([name, list]) => [name, median(list)]));
  const notes = new Map<string, string>();
  const base = results.get(SCRIPT) ?? Number.NaN;
  for (const [name, ms] of results) {
    if (name === SCRIPT) continue;
    const ok = ms <= base;
    if (!ok) failures++;
    notes.set(name, ok ? 'not slower: met' : 'not slower: MISSED');
  }
  table(
    `Sigstore cold start to first verified bundle (${c.id}, ${COLD_RUNS} runs each, alternating)`,
    SCRIPT,
    results,
    notes,
    {
      unit: 'ms',
      rate: 'runs/s',
    },
  );
}

console.log(
  `\nWarm: ${ROUNDS} interleaved rounds of ~${TARGET_MS_PER_BATCH} ms batches per contender, medians. Cold: median wall time of ${COLD_RUNS} process runs each.`,
);
if (failures > 0)
  console.log(`${failures} vouch figure(s) slower than @sigstore/verify (a benchmark, not a test).`);
