// One vitest run over every package's unit tests and the root cross-package suites.
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the `source` export condition), so tests never see a stale build.
const conditions = ['source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    // The JSON report feeds the one-line summary ./run test prints last (read by CI).
    reporters: ['default', ['json', { outputFile: 'node_modules/.vitest/results.json' }]],
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
