// `pnpm bench`: sign (key, attach) and verify 200 images in a real local registry at concurrency 8, through the API;
// images/s and HTTP requests per verified image, with the fallback tag (registry directly) and the referrers API.
import { createRequire, registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import { generateKeyPair, signImage, verifyImage } from 'vouch';

// The test support files import each other as `.js` (for tsc); plain Node finds the `.ts` beside them.
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (!specifier.startsWith('.') || !specifier.endsWith('.js')) throw error;
      return next(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});

const IMAGES = Number(process.env.BENCH_IMAGES ?? 200);
const CONCURRENCY = 8;
const AIM = { 'referrers-api': 4, 'fallback-tag': 5 } as const;

const { REGISTRY_BINARY, startRegistry } = await import('../support/registry.ts');
const { startReferrersProxy } = await import('../support/referrers-proxy.ts');
const { startCountingProxy } = await import('../support/counting-proxy.ts');
const { pushTestImage } = await import('../support/images.ts');
// @vouch/oci is vouch's dependency (the image pusher): resolve it from there.
const ociPath = createRequire(createRequire(import.meta.url).resolve('vouch')).resolve('@vouch/oci');
const oci = (await import(pathToFileURL(ociPath).href)) as typeof import('../../packages/oci/src/index.ts');

const _utf8 = (text: string) => new TextEncoder().encode(text);

/** Runs `task(i)` for i in [0, n) with at most `limit` at a time. */
async function pool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Pushes one small distinct OCI image (its own layer) tagged `v1`. */
async function pushImage(client: InstanceType<typeof oci.RegistryClient>, host: string, i: number) {
  const target = { registry: host, repository: `bench/img-${i}` };
  await pushTestImage({ client, target, layer: `bench layer ${i} ${Date.now()}`, reference: 'v1' });
}

let registry: Awaited<ReturnType<typeof startRegistry>>;
try {
  registry = await startRegistry();
} catch (error) {
  console.log(`\nRegistry bench skipped: ${error instanceof Error ? error.message : String(error)}`);
  console.log(
    `(${REGISTRY_BINARY} comes with Debian's docker-registry package: bash scripts/ensure-registry.sh)`,
  );
  process.exit(0);
}

let missed = 0;
try {
  const key = generateKeyPair();
  const keys = [key.publicKey];
  const layouts = [
    { via: 'fallback-tag', label: 'registry directly (fallback tag)' },
    { via: 'referrers-api', label: 'through the referrers proxy (referrers API, test stand-in)' },
  ] as const;
  for (const { via, label } of layouts) {
    const referrers = via === 'referrers-api' ? await startReferrersProxy(registry.url) : undefined;
    const counter = await startCountingProxy(referrers?.url ?? registry.url);
    try {
      const host = counter.host;
      const pusher = new oci.RegistryClient();
      await pool(IMAGES, CONCURRENCY, (i) => pushImage(pusher, host, i));
      // One options object per phase: the API shares its client (tokens, what it learnt of the registry) across calls.
      const signOptions = {};
      const t0 = performance.now();
      await pool(IMAGES, CONCURRENCY, async (i) => {
        const signed = await signImage({ image: `${host}/bench/img-${i}:v1`, key, registry: signOptions });
        if (signed.attached?.via !== via) throw new Error(`image ${i}: attached via ${signed.attached?.via}`);
      });
      const signMs = performance.now() - t0;
      const verifyOptions = {};
      counter.reset();
      const t1 = performance.now();
      await pool(IMAGES, CONCURRENCY, async (i) => {
        const result = await verifyImage({
          image: `${host}/bench/img-${i}:v1`,
          keys,
          registry: verifyOptions,
        });
        if (!result.signerKeyIds.includes(key.keyId)) throw new Error(`image ${i}: not verified`);
      });
      const verifyMs = performance.now() - t1;
      const perImage = counter.count / IMAGES;
      const met = perImage <= AIM[via];
      if (!met) missed++;
      console.log(`\nRegistry sign + verify, ${IMAGES} images, concurrency ${CONCURRENCY}: ${label}`);
      console.log(`  sign (key, attach)    ${((IMAGES * 1000) / signMs).toFixed(1).padStart(8)} images/s`);
      console.log(`  verify (attached)     ${((IMAGES * 1000) / verifyMs).toFixed(1).padStart(8)} images/s`);
      console.log(
        `  HTTP requests per verified image: ${perImage.toFixed(3)} (${counter.count} in all; aim ≤ ${AIM[via]} with the ${via === 'referrers-api' ? 'referrers API' : 'fallback tag'}: ${met ? 'met' : 'MISSED'})`,
      );
    } finally {
      await counter.close();
      await referrers?.close();
    }
  }
} finally {
  await registry.stop();
}
if (missed > 0) console.log(`${missed} request aim(s) missed (a benchmark, not a test).`);
