// vouch-slsa verify-image against an image in the real registry: slsa-github-generator's container image and its cosign
// attestation (from the vectors' OCI layout) pushed with the project's client under cosign's `.att` tag.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../packages/oci/src/index.js';
import { runSlsaInProcess } from '../cli/harness.js';
import { pushOciLayout } from '../support/layout-push.js';
import { type RunningRegistry, startRegistry } from '../support/registry.js';
import { loadVectorSet } from '../support/vectors.js';

const set = loadVectorSet('slsa-verifier');
const LAYOUT = join(set.dir, 'testdata/gha_generic_container/v2.0.0/container_workflow_dispatch');
const INDEX = 'sha256:55aee984fd6b1d0e0a19a55265d10d40063a2212bdbabd75b202b1728236548d';
const ATTESTATION = 'sha256:a3e4bf251423a455ad90c3d706f95f133ed11a8e81e3f34e6fa6d056a1c15529';
const SOURCE = 'github.com/slsa-framework/example-package';
const BUILDER =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml';

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startRegistry();
  await pushOciLayout({
    client: new RegistryClient(),
    target: { registry: registry.host, repository: 'slsa/container' },
    dir: LAYOUT,
    tags: { [INDEX]: 'v1', [ATTESTATION]: `${INDEX.replace(':', '-')}.att` },
  });
});
afterAll(() => registry?.stop());

const slsa = (argv: readonly string[]) => runSlsaInProcess(argv);

describe('vouch-slsa verify-image against the registry', () => {
  it('finds the cosign attestation by the .att tag and verifies it, by digest and by tag', async () => {
    for (const image of [`${registry.host}/slsa/container@${INDEX}`, `${registry.host}/slsa/container:v1`]) {
      const ok = await slsa(['verify-image', image, '--source-uri', SOURCE, '--builder-id', BUILDER]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toContain('generator_container_slsa3.yml@refs/tags/v2.0.0');
    }
  });

  it('refuses another source, another builder, and an image with no attestation', async () => {
    const image = `${registry.host}/slsa/container@${INDEX}`;
    expect((await slsa(['verify-image', image, '--source-uri', `${SOURCE}A`])).failure).toBe(
      'ERR_SLSA_SOURCE_MISMATCH',
    );
    const builder = `${BUILDER.replace('generator_container', 'builder_go')}`;
    expect(
      (await slsa(['verify-image', image, '--source-uri', SOURCE, '--builder-id', builder])).failure,
    ).toBe('ERR_SLSA_UNTRUSTED_BUILDER');
    // A platform manifest the index lists has no attestation of its own.
    const client = new RegistryClient();
    const index = (
      await client.getManifest({ registry: registry.host, repository: 'slsa/container', tag: 'v1' })
    ).json as {
      manifests: { digest: string }[];
    };
    const platform = index.manifests[0]?.digest;
    expect(platform).toMatch(/^sha256:[0-9a-f]{64}$/);
    const none = await slsa([
      'verify-image',
      `${registry.host}/slsa/container@${platform ?? ''}`,
      '--source-uri',
      SOURCE,
    ]);
    expect(none.failure).toBe('ERR_SIGNATURE_INVALID');
  });
});
