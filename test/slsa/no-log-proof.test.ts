// A bare DSSE `.intoto.jsonl` proves nothing about when its short-lived certificate signed: offline it is refused with
// its own code, after every other check ran, so a user sees all that is wrong at once.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSlsaInProcess } from '../cli/harness.js';
import { loadVectorSet } from '../support/vectors.js';

const set = loadVectorSet('slsa-verifier');
const PROVENANCE = join(set.dir, 'testdata/gha_go/v1.4.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl');
const DIGEST = 'sha256:e3168521e1b1a6e6a899121a76381d64e645409333cafd8f9d392780d9d5d26a';
const BUILDER =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml';

describe('bare envelopes without a log proof', () => {
  const base = [
    'verify-artifact',
    '--provenance-path',
    PROVENANCE,
    '--artifact-digest',
    DIGEST,
    '--builder-id',
    BUILDER,
  ];

  it('refuses with ERR_NO_TLOG_PROOF, listing the missing time source and no other failure when the rest holds', async () => {
    const r = await runSlsaInProcess([...base, '--source-uri', 'github.com/slsa-framework/example-package']);
    expect(r.code).toBe(1);
    expect(r.failure).toBe('ERR_NO_TLOG_PROOF');
    const fails = r.stderr.split('\n').filter((l) => l.startsWith('FAIL '));
    expect(fails).toHaveLength(1);
    expect(fails[0]).toContain('[ERR_TIME_SOURCE_MISSING]');
  });

  it('also reports the policy failures it found: the wrong source, branch and versioned tag', async () => {
    const r = await runSlsaInProcess([
      ...base,
      '--source-uri',
      'github.com/acme/other',
      '--source-branch',
      'release',
      '--source-versioned-tag',
      'v2',
    ]);
    expect(r.failure).toBe('ERR_NO_TLOG_PROOF');
    for (const code of ['ERR_TIME_SOURCE_MISSING', 'ERR_SLSA_SOURCE_MISMATCH', 'ERR_SLSA_BRANCH_MISMATCH']) {
      expect(r.stderr).toContain(`[${code}]`);
    }
    // A digest the provenance does not name is reported too.
    const other = await runSlsaInProcess([
      ...base.slice(0, 3),
      '--artifact-digest',
      `sha256:${'0'.repeat(64)}`,
      '--source-uri',
      'github.com/slsa-framework/example-package',
    ]);
    expect(other.failure).toBe('ERR_NO_TLOG_PROOF');
    expect(other.stderr).toContain('[ERR_DIGEST_MISMATCH]');
  });
});
