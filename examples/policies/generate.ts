// Makes the evidence of the example policies' `vouch policy test` folders: signatures and provenance for made-up image
// digests, signed with throwaway keys (only the public keys are kept) and, for the keyless example, by loopback
// stand-ins of Fulcio and Rekor whose trusted root is written beside the policy. Run from the repository root:
//   node examples/policies/generate.ts
// The committed output is what CI's `vouch policy test examples/policies/*/test` reads; rerun only to refresh it.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  generateKeyPair,
  type KeylessOptions,
  type PrivateKey,
  serializeBundle,
  serializeKeylessBundle,
  signImage,
} from 'vouch';
import { startSigstoreServices } from '../../test/support/sigstore-services.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const NOW = new Date();
const TEST_NOW = new Date(NOW.getTime() + 60 * 60 * 1000).toISOString();
const SLSA_V1 = 'https://slsa.dev/provenance/v1';

const digestOf = (name: string) => `sha256:${createHash('sha256').update(name).digest('hex')}`;

function provenance(ref: string) {
  return {
    buildDefinition: {
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: {
        workflow: { ref, repository: 'https://github.com/acme/app', path: '.github/workflows/release.yml' },
      },
    },
    runDetails: { builder: { id: 'https://github.com/actions/runner/github-hosted' } },
  };
}

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text.endsWith('\n') ? text : `${text}\n`);
}

async function keyFile(example: string, name: string): Promise<PrivateKey> {
  const key = generateKeyPair({ algorithm: 'ecdsa-p256' });
  await write(join(HERE, example, 'keys', `${name}.pub`), key.publicKey.toPem());
  return key;
}

async function signWithKey(
  example: string,
  file: string,
  image: string,
  key: PrivateKey,
  predicate?: object,
) {
  const r = await signImage({
    image,
    key,
    ...(predicate === undefined ? {} : { predicate: { type: SLSA_V1, value: predicate } }),
  });
  await write(join(HERE, example, 'test', file), serializeBundle(r.bundle));
}

async function testFile(example: string, cases: readonly Record<string, unknown>[]): Promise<void> {
  await write(
    join(HERE, example, 'test', 'vouch-policy-test.yaml'),
    `# Made by examples/policies/generate.ts (JSON is YAML).\n${JSON.stringify({ policy: '../policy.yaml', now: TEST_NOW, cases }, null, 2)}`,
  );
}

// 1. Internal registry, key-signed.
{
  const ex = 'internal-registry-key';
  const release = await keyFile(ex, 'release');
  const other = generateKeyPair({ algorithm: 'ecdsa-p256' });
  const good = `registry.corp.example/payments/api@${digestOf('payments-api')}`;
  const bad = `registry.corp.example/payments/worker@${digestOf('payments-worker')}`;
  await signWithKey(ex, 'api.sig.json', good, release);
  await signWithKey(ex, 'worker.sig.json', bad, other);
  await testFile(ex, [
    {
      name: 'signed by the release key',
      image: good,
      evidence: ['api.sig.json'],
      expect: 'allow',
      rule: 'internal',
    },
    {
      name: 'signed by another key',
      image: bad,
      evidence: ['worker.sig.json'],
      expect: 'deny',
      rule: 'internal',
    },
    { name: 'unsigned', image: bad, evidence: [], expect: 'deny', rule: 'internal' },
    {
      name: 'outside every rule: default deny',
      image: `quay.io/other/app@${digestOf('other')}`,
      evidence: [],
      expect: 'deny',
    },
  ]);
}

// 2. Two of three signers.
{
  const ex = 'two-of-three';
  const [alice, bob, carol] = [
    await keyFile(ex, 'alice'),
    await keyFile(ex, 'bob'),
    await keyFile(ex, 'carol'),
  ];
  const image = `ghcr.io/acme/vault@${digestOf('vault')}`;
  await signWithKey(ex, 'alice.sig.json', image, alice);
  await signWithKey(ex, 'bob.sig.json', image, bob);
  await signWithKey(ex, 'carol.sig.json', image, carol);
  await signWithKey(ex, 'alice-again.sig.json', image, alice);
  await testFile(ex, [
    {
      name: 'alice and bob',
      image,
      evidence: ['alice.sig.json', 'bob.sig.json'],
      expect: 'allow',
      rule: 'two-of-three',
    },
    {
      name: 'all three',
      image,
      evidence: ['alice.sig.json', 'bob.sig.json', 'carol.sig.json'],
      expect: 'allow',
      rule: 'two-of-three',
    },
    {
      name: 'alice twice is one signer',
      image,
      evidence: ['alice.sig.json', 'alice-again.sig.json'],
      expect: 'deny',
      rule: 'two-of-three',
    },
    { name: 'carol alone', image, evidence: ['carol.sig.json'], expect: 'deny', rule: 'two-of-three' },
  ]);
}

// 3. Docker Hub official images in audit: denials are reported, never enforced.
{
  const ex = 'docker-hub-audit';
  const mirror = await keyFile(ex, 'mirror');
  const nginx = `docker.io/library/nginx@${digestOf('nginx')}`;
  const redis = `docker.io/library/redis@${digestOf('redis')}`;
  await signWithKey(ex, 'nginx.sig.json', nginx, mirror);
  await testFile(ex, [
    {
      name: 'official image signed by the mirror key',
      image: nginx,
      evidence: ['nginx.sig.json'],
      expect: 'allow',
      rule: 'docker-official',
    },
    {
      name: 'unsigned official image: audit allows',
      image: redis,
      evidence: [],
      expect: 'allow',
      rule: 'docker-official',
    },
    {
      name: 'a user image on Docker Hub is in no rule',
      image: `docker.io/someone/tool@${digestOf('tool')}`,
      evidence: [],
      expect: 'deny',
    },
  ]);
}

// 4. GitHub Actions keyless on GHCR with SLSA provenance (loopback Fulcio/Rekor stand-ins; their root is written here).
{
  const ex = 'github-actions-keyless';
  const services = await startSigstoreServices();
  try {
    await write(join(HERE, ex, 'trusted-root.json'), JSON.stringify(services.trustedRoot, null, 2));
    const keyless = (sub: string): KeylessOptions => ({
      identityToken: services.identityToken({ iss: 'https://token.actions.githubusercontent.com', sub }),
      fulcioUrl: services.fulcioUrl,
      rekorUrls: [services.rekorUrl],
      retries: 0,
    });
    const release = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
    const fork = 'https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.2.3';
    const image = `ghcr.io/acme/app@${digestOf('acme-app')}`;
    const sign = async (file: string, sub: string, predicate?: object) => {
      const r = await signImage({
        image,
        keyless: keyless(sub),
        ...(predicate === undefined ? {} : { predicate: { type: SLSA_V1, value: predicate } }),
      });
      await write(join(HERE, ex, 'test', file), serializeKeylessBundle(r.bundle));
    };
    await sign('release.sig.json', release);
    await sign('release.provenance.json', release, provenance('refs/tags/v1.2.3'));
    await sign('branch.provenance.json', release, provenance('refs/heads/main'));
    await sign('fork.sig.json', fork);
    await testFile(ex, [
      {
        name: 'release workflow, tagged provenance',
        image,
        evidence: ['release.sig.json', 'release.provenance.json'],
        expect: 'allow',
        rule: 'acme-production',
      },
      {
        name: 'no provenance',
        image,
        evidence: ['release.sig.json'],
        expect: 'deny',
        rule: 'acme-production',
      },
      {
        name: 'provenance of a branch build',
        image,
        evidence: ['release.sig.json', 'branch.provenance.json'],
        expect: 'deny',
        rule: 'acme-production',
      },
      {
        name: 'signed by a fork',
        image,
        evidence: ['fork.sig.json', 'release.provenance.json'],
        expect: 'deny',
        rule: 'acme-production',
      },
    ]);
  } finally {
    await services.close();
  }
}
console.log(`wrote the example evidence (test time ${TEST_NOW})`);
