// The benches' shared measurement: calibrated batches in interleaved rounds, medians, a printed table with ratios, and
// @sigstore/verify's Verifier prepared as the baseline the Sigstore and SLSA benches compare against.
import { createRequire } from 'node:module';
import { toTrustMaterial, Verifier } from '@sigstore/verify';

// protobuf-specs is @sigstore/verify's own dependency (not one of ours): resolve it from there.
type ProtoTrustedRoot = Parameters<typeof toTrustMaterial>[0];
const fromVerify = createRequire(createRequire(import.meta.url).resolve('@sigstore/verify'));
const specs = fromVerify('@sigstore/protobuf-specs') as {
  TrustedRoot: { fromJSON(o: unknown): ProtoTrustedRoot };
};

/** @sigstore/verify's Verifier over a trusted_root.json value: its trust material prepared once, before any timing. */
export function sigstoreVerifier(trustedRootJson: unknown): Verifier {
  return new Verifier(toTrustMaterial(specs.TrustedRoot.fromJSON(trustedRootJson)));
}

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
export const TARGET_MS_PER_BATCH = 40;

export interface Contender {
  readonly name: string;
  readonly run: (n: number) => Promise<void> | void;
}

/** The median of `values` (NaN when empty); sorts a copy. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Calibrates a batch size per contender, then alternates batches so drift hits every contender alike. */
export async function measure(contenders: readonly Contender[]): Promise<Map<string, number>> {
  const batch = new Map<string, number>();
  for (const c of contenders) {
    let n = 16;
    for (;;) {
      const t0 = performance.now();
      await c.run(n);
      const ms = performance.now() - t0;
      if (ms > TARGET_MS_PER_BATCH / 4 || n > 1 << 20) {
        batch.set(c.name, Math.max(1, Math.round((n * TARGET_MS_PER_BATCH) / Math.max(ms, 0.01))));
        break;
      }
      n *= 2;
    }
  }
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of r % 2 === 0 ? contenders : [...contenders].reverse()) {
      const n = batch.get(c.name) ?? 1;
      const t0 = performance.now();
      await c.run(n);
      samples.get(c.name)?.push((performance.now() - t0) / n);
    }
  }
  return new Map([...samples].map(([name, list]) => [name, median(list)]));
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

/**
 * Prints one table: per contender its rate, its time per op (ms per op in `results`) and its ratio to
 * `baseline` (below 1 is faster). `unit: 'ms'` prints milliseconds per op instead of µs (for process starts).
 */
export function table(
  title: string,
  baseline: string,
  results: Map<string, number>,
  notes: Map<string, string>,
  options: { readonly unit?: 'us' | 'ms'; readonly rate?: string } = {},
): void {
  const base = results.get(baseline) ?? Number.NaN;
  const ms = options.unit === 'ms';
  const widths = [50, 12, 12, 10, 22];
  console.log(`\n${title}`);
  console.log(
    row(['contender', options.rate ?? 'ops/s', ms ? 'ms/op' : 'µs/op', 'ratio', 'vs baseline'], widths),
  );
  for (const [name, msPerOp] of results) {
    const ratio = msPerOp / base;
    const rate = 1000 / msPerOp;
    console.log(
      row(
        [
          name,
          rate < 100 ? rate.toFixed(1) : Math.round(rate).toLocaleString('en-US'),
          ms ? msPerOp.toFixed(1) : (msPerOp * 1000).toFixed(2),
          `${ratio.toFixed(3)}×`,
          notes.get(name) ?? '',
        ],
        widths,
      ),
    );
  }
}
