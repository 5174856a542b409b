// `pnpm bench`: SLSA v1 provenance (slsa-verifier's Sigstore-bundle vectors) verified warm through vouch-slsa
// verify-artifact's code path, against @sigstore/verify's Verifier on the same bundles without the SLSA checks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity } from '@sigstore/verify';
import {
  type Digest,
  GITHUB_ACTIONS_ISSUER,
  parseDigest,
  parseTrustedRoot,
  verifySigstoreBundle,
} from '@vouch/core';
import { type SlsaPolicy, verifyGithubProvenance } from '@vouch/provenance';
import { caseFile, loadVectorSet, VECTORS_DIR, type VectorCase } from '../support/vectors.ts';
import { type Contender, measure, ROUNDS, sigstoreVerifier, TARGET_MS_PER_BATCH, table } from './measure.ts';

const SLSA_V1 = 'https://slsa.dev/provenance/v1';
/** The aim: vouch with the SLSA checks takes at most 10% longer than @sigstore/verify without them. */
const MAX_RATIO = 1.1;
const POLICY_FIELDS = ['builderId', 'sourceBranch', 'sourceTag', 'sourceVersionedTag'] as const;

/** One provenance bundle and what vouch-slsa verify-artifact would be given for it. */
interface BenchBundle {
  readonly id: string;
  readonly file: string;
  readonly bundle: unknown;
  readonly artifacts: readonly Digest[];
  readonly policy: SlsaPolicy;
  readonly signerSan: string;
}

/** The case's policy as the CLI flags would state it; a field this bench does not know stops it (nothing dropped silently). */
function policyOf(c: VectorCase): SlsaPolicy {
  const p = c.policy;
  if (typeof p !== 'object' || p === null) throw new Error(`case ${c.id}: no policy`);
  const fields = new Map(Object.entries(p));
  const sourceUri = fields.get('sourceUri');
  if (typeof sourceUri !== 'string') throw new Error(`case ${c.id}: policy.sourceUri is not a string`);
  fields.delete('sourceUri');
  const policy: Record<string, string> = { sourceUri };
  for (const name of POLICY_FIELDS) {
    const v = fields.get(name);
    fields.delete(name);
    if (typeof v === 'string') policy[name] = v;
    else if (v !== null && v !== undefined) throw new Error(`case ${c.id}: policy.${name} is not a string`);
  }
  if (fields.size > 0)
    throw new Error(`case ${c.id}: policy fields this bench ignores: ${[...fields.keys()]}`);
  return { ...policy, sourceUri };
}

function artifactsOf(c: VectorCase): Digest[] {
  if (!Array.isArray(c.artifacts) || c.artifacts.length === 0) throw new Error(`case ${c.id}: no artifacts`);
  return c.artifacts.map((a: unknown, i) => {
    const sha256 = typeof a === 'object' && a !== null && 'sha256' in a ? a.sha256 : undefined;
    return parseDigest(`sha256:${String(sha256)}`, `${c.id}.artifacts[${i}].sha256`);
  });
}

/** The offline, passing SLSA v1 artifact cases whose provenance is a Sigstore bundle, one per provenance file. */
function benchBundles(): BenchBundle[] {
  const set = loadVectorSet('slsa-verifier');
  const byFile = new Map<string, BenchBundle>();
  for (const c of set.cases) {
    if (c.kind !== 'slsa-artifact' || c.predicateType !== SLSA_V1 || c.offline !== true) continue;
    if (c.expect !== 'pass' || c.upstreamTestingMode !== undefined) continue;
    const file = caseFile(c, 'provenance');
    if (byFile.has(file)) continue;
    let bundle: unknown;
    try {
      bundle = set.json(file);
    } catch {
      continue; // not JSON: a .intoto.jsonl line set, not a bundle
    }
    if (typeof bundle !== 'object' || bundle === null || !('mediaType' in bundle)) continue;
    if (typeof c.signerSan !== 'string') throw new Error(`case ${c.id}: no signerSan`);
    byFile.set(file, {
      id: c.id,
      file,
      bundle,
      artifacts: artifactsOf(c),
      policy: policyOf(c),
      signerSan: c.signerSan,
    });
  }
  return [...byFile.values()];
}

// BENCH_PART=cold runs only cold parts; this bench is warm only.
const PART = process.env.BENCH_PART ?? 'all';

if (PART !== 'cold') {
  const rootJson: unknown = JSON.parse(
    readFileSync(join(VECTORS_DIR, 'trusted-roots/public-good.json'), 'utf8'),
  );
  // Trust material prepared once on each side; every verification starts from the bundle as parsed JSON.
  const trustedRoot = parseTrustedRoot(rootJson);
  const verifier = sigstoreVerifier(rootJson);
  const githubSigner = { issuer: { exact: GITHUB_ACTIONS_ISSUER } };
  const sigstorePolicy = (b: BenchBundle) => ({
    subjectAlternativeName: b.signerSan,
    extensions: { issuer: GITHUB_ACTIONS_ISSUER },
  });

  // vouch-slsa verify-artifact, after reading its files: bundle, subjects, then builder and source rules.
  const vouchSlsa = (b: BenchBundle): void => {
    const result = verifyGithubProvenance({
      provenance: b.bundle,
      artifacts: b.artifacts,
      trustedRoot,
      policy: b.policy,
      now: new Date(),
    });
    if (result.builderId === '') throw new Error('vouch: no builder id');
  };
  // The bundle part of the above alone, with the options verifyGithubProvenance gives it (subject digest included).
  const vouchBundle = (b: BenchBundle): void => {
    const [digest] = b.artifacts;
    if (digest === undefined) throw new Error(`${b.id}: no artifact`);
    const result = verifySigstoreBundle({
      bundle: b.bundle,
      artifact: { digest },
      trustedRoot,
      identity: githubSigner,
      now: new Date(),
      tlogThreshold: 1,
      chainMayIncludeTrustedCertificates: true,
    });
    if (result.signer.type !== 'certificate') throw new Error('vouch: not a certificate signer');
  };
  // @sigstore/verify: signature, log entry, certificate chain and identity; no in-toto subject, no SLSA rules.
  const sigstore = (b: BenchBundle): void => {
    const signer = verifier.verify(toSignedEntity(bundleFromJSON(b.bundle)), sigstorePolicy(b));
    if (signer.identity?.subjectAlternativeName !== b.signerSan)
      throw new Error('@sigstore/verify: wrong identity');
  };

  // Every contender must accept a bundle before it is timed; a refusal leaves it out for all, said aloud.
  const bundles: BenchBundle[] = [];
  for (const b of benchBundles()) {
    const refusals: string[] = [];
    for (const [name, once] of [
      ['vouch', vouchSlsa],
      ['vouch bundle', vouchBundle],
      ['@sigstore/verify', sigstore],
    ] as const) {
      try {
        once(b);
      } catch (e) {
        refusals.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (refusals.length === 0) bundles.push(b);
    else console.log(`(slsa: leaving out ${b.file}: ${refusals.join('; ')})`);
  }
  if (bundles.length === 0) throw new Error('slsa bench: no bundle verifies on every side');

  const SIGSTORE = '@sigstore/verify Verifier.verify (no SLSA)';
  const BUNDLE = 'vouch verifySigstoreBundle (no SLSA)';
  const SLSA = 'vouch verifyGithubProvenance (SLSA)';
  // One op is one pass over every bundle, so each contender's batches hold the same mix.
  const pass =
    (once: (b: BenchBundle) => void) =>
    (n: number): void => {
      for (let i = 0; i < n; i++) for (const b of bundles) once(b);
    };
  const contenders: Contender[] = [
    { name: SIGSTORE, run: pass(sigstore) },
    { name: BUNDLE, run: pass(vouchBundle) },
    { name: SLSA, run: pass(vouchSlsa) },
  ];
  const perPass = await measure(contenders);
  const results = new Map([...perPass].map(([name, ms]) => [name, ms / bundles.length]));
  const ms = (name: string) => results.get(name) ?? Number.NaN;
  const overSigstore = ms(SLSA) / ms(SIGSTORE);
  const overBundle = ms(SLSA) / ms(BUNDLE);
  const met = overSigstore <= MAX_RATIO;
  table(
    `SLSA v1 provenance verify, warm: ${bundles.length} Sigstore bundles of slsa-verifier's vectors (per bundle)`,
    SIGSTORE,
    results,
    new Map([[SLSA, `SLSA checks <10%: ${met ? 'met' : 'MISSED'}`]]),
    { rate: 'bundles/s' },
  );
  const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
  console.log(
    `\nvouch with SLSA checks / @sigstore/verify without: ${overSigstore.toFixed(3)}× (${pct(overSigstore)}); SLSA checks add under 10%: ${met ? 'met' : 'MISSED'}`,
  );
  console.log(
    `vouch with SLSA checks / vouch bundle verification alone: ${overBundle.toFixed(3)}× (the SLSA checks themselves: ${pct(overBundle)})`,
  );
  console.log(
    `\nWarm: ${ROUNDS} interleaved rounds of ~${TARGET_MS_PER_BATCH} ms batches per contender (one op = one pass over the ${bundles.length} bundles), medians.`,
  );
}
