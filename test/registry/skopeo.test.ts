// Interoperability with skopeo (containers/image) against the real registry: an image skopeo pushed is signed and
// verified by vouch, an image vouch's client pushed is pulled by skopeo with the same digest, and skopeo reads the
// fallback index vouch wrote. skopeo is installed by scripts/ensure-registry.sh: missing, the suite fails (no skip).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { digestBytes, utf8 } from '@vouch/core';
import { OCI_MANIFEST, RegistryClient } from '@vouch/oci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../cli/harness.js';
import { pushTestImage } from '../support/images.js';
import { type RunningRegistry, startRegistry } from '../support/registry.js';

const run = promisify(execFile);
const ENV = { VOUCH_PASSWORD: 'skopeo-test-password' };
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const REF_NAME = 'org.opencontainers.image.ref.name';
// Spelled out, not imported: this is what cosign v3 writes and looks for, whatever vouch's constants say.
const BUNDLE_ARTIFACT_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
}

const parse = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

/** Writes `bytes` as a blob of an OCI image layout and returns its descriptor. */
async function writeBlob(layout: string, mediaType: string, bytes: Uint8Array): Promise<Descriptor> {
  const digest = digestBytes('sha256', bytes);
  await writeFile(join(layout, 'blobs', 'sha256', digest.hex), bytes);
  return { mediaType, digest: digest.value, size: bytes.byteLength };
}

/** An OCI image layout on disk (layer, config, manifest, index.json naming `tag`), as skopeo's `oci:` transport reads it. */
async function writeOciLayout(layout: string, tag: string, content: string): Promise<Descriptor> {
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  // gzip, as registries' layers are: skopeo then pushes the layout unchanged (it compresses uncompressed layers).
  const layer = await writeBlob(
    layout,
    'application/vnd.oci.image.layer.v1.tar+gzip',
    gzipSync(utf8(content)),
  );
  const configJson = {
    architecture: 'arm64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  };
  const config = await writeBlob(
    layout,
    'application/vnd.oci.image.config.v1+json',
    utf8(JSON.stringify(configJson)),
  );
  const manifestJson = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] };
  const manifest = await writeBlob(layout, OCI_MANIFEST, utf8(JSON.stringify(manifestJson)));
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{ ...manifest, annotations: { [REF_NAME]: tag } }],
  };
  await writeFile(join(layout, 'index.json'), JSON.stringify(index));
  return manifest;
}

/** The manifest descriptor `index.json` of an OCI layout names for `tag`. */
async function layoutManifest(layout: string, tag: string): Promise<Descriptor | undefined> {
  const index = parse(await readFile(join(layout, 'index.json'), 'utf8'));
  const manifests = (index.manifests ?? []) as Descriptor[];
  return manifests.find((m) => m.annotations?.[REF_NAME] === tag);
}

describe('skopeo interoperability (real registry, plain HTTP, fallback tag)', () => {
  let registry: RunningRegistry;
  let home: string;
  let skopeoEnv: Record<string, string>;
  let policy: string;
  let pub: string;
  let key: string;

  /** Runs skopeo with execFile (no shell), a permissive policy file and every config/cache dir inside `home`. */
  const skopeo = async (...args: string[]): Promise<string> => {
    try {
      return (await run('skopeo', ['--policy', policy, ...args], { env: skopeoEnv, encoding: 'utf8' }))
        .stdout;
    } catch (error) {
      const stderr =
        typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
      throw new Error(`skopeo ${args.join(' ')} failed: ${stderr}`, { cause: error });
    }
  };

  beforeAll(async () => {
    try {
      await run('skopeo', ['--version']);
    } catch (cause) {
      throw new Error('skopeo is missing: run bash scripts/ensure-registry.sh (the test setup installs it)', {
        cause,
      });
    }
    registry = await startRegistry();
    home = await mkdtemp(join(tmpdir(), 'vouch-skopeo-'));
    await Promise.all(['config', 'run', 'tmp', 'keys'].map((d) => mkdir(join(home, d), { mode: 0o700 })));
    policy = join(home, 'policy.json');
    await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    await writeFile(join(home, 'registries.conf'), '');
    skopeoEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_RUNTIME_DIR: join(home, 'run'),
      TMPDIR: join(home, 'tmp'),
      CONTAINERS_REGISTRIES_CONF: join(home, 'registries.conf'),
      REGISTRY_AUTH_FILE: join(home, 'auth.json'),
    };
    const prefix = join(home, 'keys', 'k');
    const made = await runInProcess(['keygen', '--output-key-prefix', prefix], ENV);
    expect(made.code, made.stderr).toBe(0);
    key = `${prefix}.key`;
    pub = `${prefix}.pub`;
  });
  afterAll(async () => {
    await registry?.stop();
    if (home !== undefined) await rm(home, { recursive: true, force: true });
  });

  it('signs and verifies by tag an image skopeo pushed from an OCI layout, with the digest of the layout', async () => {
    const layout = join(home, 'pushed');
    const manifest = await writeOciLayout(layout, 'v1', 'pushed by skopeo');
    const image = `${registry.host}/interop/skopeo:v1`;
    await skopeo('copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${image}`);

    const signed = await runInProcess(['sign', image, '--key', key, '-o', 'json'], ENV);
    expect(signed.code, signed.stderr).toBe(0);
    expect(parse(signed.stdout)).toMatchObject({
      ok: true,
      digest: manifest.digest,
      attached: { via: 'fallback-tag' },
    });
    const verified = await runInProcess(['verify', image, '--key', pub, '-o', 'json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(parse(verified.stdout)).toMatchObject({ ok: true, digest: manifest.digest });
    expect(verified.stderr).toContain(`resolved to ${manifest.digest}`);

    // skopeo reads the fallback index vouch wrote: an OCI index listing the cosign v3 bundle artifact.
    const attached = (parse(signed.stdout).attached ?? {}) as { digest?: string };
    const fallback = `docker://${registry.host}/interop/skopeo:sha256-${manifest.digest.slice('sha256:'.length)}`;
    const index = parse(await skopeo('inspect', '--raw', '--tls-verify=false', fallback));
    expect(index).toMatchObject({ schemaVersion: 2, mediaType: OCI_INDEX });
    expect(index.manifests).toEqual([
      expect.objectContaining({
        mediaType: OCI_MANIFEST,
        digest: attached.digest,
        artifactType: BUNDLE_ARTIFACT_TYPE,
        annotations: expect.objectContaining({
          'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1',
        }),
      }),
    ]);
    // And the artifact manifest itself names the signed image as its subject.
    const artifact = parse(
      await skopeo(
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${registry.host}/interop/skopeo@${attached.digest}`,
      ),
    );
    expect(artifact).toMatchObject({
      artifactType: BUNDLE_ARTIFACT_TYPE,
      subject: { digest: manifest.digest, size: manifest.size },
    });

    // A different image skopeo pushes under the same tag is refused: nothing is attached to its digest.
    const changed = await writeOciLayout(join(home, 'changed'), 'v1', 'changed by skopeo');
    await skopeo('copy', '--dest-tls-verify=false', `oci:${join(home, 'changed')}:v1`, `docker://${image}`);
    const refused = await runInProcess(['verify', image, '--key', pub, '-o', 'json']);
    expect(refused.code).toBe(1);
    expect(parse(refused.stdout).error).toMatchObject({ code: 'ERR_NO_SIGNATURES' });
    expect(refused.stderr).toContain(changed.digest);
  });

  it("skopeo pulls an image vouch's client pushed, byte for byte: the layout's manifest digest is the one vouch resolved", async () => {
    const client = new RegistryClient();
    const target = { registry: registry.host, repository: 'interop/vouch' };
    const pushed = await pushTestImage({ client, target, layer: 'pushed by vouch', reference: 'v2' });
    const image = `${registry.host}/interop/vouch:v2`;
    const signed = await runInProcess(['sign', image, '--key', key, '-o', 'json'], ENV);
    expect(signed.code, signed.stderr).toBe(0);
    const resolved = String(parse(signed.stdout).digest);
    expect(resolved).toBe(pushed.digest.value);

    const layout = join(home, 'pulled');
    // --preserve-digests: byte for byte (else skopeo gzips the uncompressed test layer, rewriting the manifest).
    await skopeo(
      'copy',
      '--preserve-digests',
      '--src-tls-verify=false',
      `docker://${image}`,
      `oci:${layout}:v2`,
    );
    const copied = await layoutManifest(layout, 'v2');
    expect(copied).toMatchObject({
      mediaType: OCI_MANIFEST,
      digest: resolved,
      size: pushed.manifest.byteLength,
    });
    const bytes = await readFile(join(layout, 'blobs', 'sha256', resolved.slice('sha256:'.length)));
    expect(digestBytes('sha256', bytes).value).toBe(resolved);
  });
});
