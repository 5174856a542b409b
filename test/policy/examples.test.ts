// Every example policy lints clean and passes its own offline `vouch policy test` folder, as CI runs them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../cli/harness.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/policies/', import.meta.url));
const examples = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

describe('examples/policies', () => {
  it('has the four examples the issue names', () => {
    expect(examples.sort()).toEqual([
      'docker-hub-audit',
      'github-actions-keyless',
      'internal-registry-key',
      'two-of-three',
    ]);
  });

  for (const name of examples) {
    it(`${name}: lints clean and its policy test cases pass`, async () => {
      const lint = await runInProcess(['policy', 'lint', join(EXAMPLES, name, 'policy.yaml')]);
      expect(lint.code, lint.stdout + lint.stderr).toBe(0);
      const test = await runInProcess(['policy', 'test', join(EXAMPLES, name, 'test'), '-o', 'json']);
      expect(test.code, test.stdout + test.stderr).toBe(0);
      expect(test.stdout).toContain('"failed": 0');
    });
  }
});
