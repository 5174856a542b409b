// Bundles each executable of @vouch/cli into one ES module: a verify gate starts in one file read, not ~80 module
// loads. Workspace packages are compiled in from their sources; every npm dependency stays an import.

import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'cli');
const workspace = /^(vouch|@vouch\/[a-z-]+)(\/|$)/;

// Chunk names carry content hashes: without a clean folder, stale chunks pile up beside the live ones.
await rm(join(cli, 'dist/bundle'), { recursive: true, force: true });

await build({
  entryPoints: [join(cli, 'src/bin.ts'), join(cli, 'src/conformance-bin.ts'), join(cli, 'src/slsa-bin.ts')],
  outdir: join(cli, 'dist/bundle'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Commands load lazily: each is a chunk, so a verify gate parses only what verifying needs.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: 'node22',
  conditions: ['source'],
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'external-npm-dependencies',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          workspace.test(args.path) ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
