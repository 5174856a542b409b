// Google Cloud Build provenance: every slsa-verifier GCB vector, synthetic v0.1/v1 provenance signed here, and property tests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Digest,
  encodeBase64,
  generateKeyPair,
  isVouchError,
  type PrivateKey,
  type PublicKey,
  pae,
  parseDigest,
  parsePublicKey,
  utf8,
} from '@vouch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../../test/support/errors.js';
import { mutatedJson } from '../../../test/support/json-mutation.js';
import { expectedCode } from '../../../test/support/slsa-sentinels.js';
import { caseFile, loadVectorSet, type VectorCase } from '../../../test/support/vectors.js';
import { GCB_BUILD_TYPE_V1, normalizeGcbProvenance, verifyGcbProvenance } from '../src/gcb.js';
import { type SlsaPolicy, SlsaVerificationError } from '../src/slsa-types.js';

const set = loadVectorSet('slsa-verifier');
const KEY_DIR = join(set.dir, 'gcb-keys');
const KEYS: Readonly<Record<string, PublicKey>> = Object.freeze(
  Object.fromEntries(
    readdirSync(KEY_DIR)
      .filter((f) => f.endsWith('.key'))
      .map((f) => [f.slice(0, -'.key'.length), parsePublicKey(set.text(join('gcb-keys', f)))]),
  ),
);

interface GcbCase extends VectorCase {
  readonly policy: { readonly sourceUri: string; readonly builderId: string | null };
  readonly image: { readonly reference: string; readonly digest: string | null };
  readonly expectedError?: string;
}

function policyOf(c: GcbCase): SlsaPolicy {
  return c.policy.builderId === null
    ? { sourceUri: c.policy.sourceUri }
    : { sourceUri: c.policy.sourceUri, builderId: c.policy.builderId };
}

function codeOrPass(run: () => unknown): string {
  try {
    run();
    return 'pass';
  } catch (e) {
    if (isVouchError(e)) return e.code;
    throw e;
  }
}

const cases = set.cases.filter((c): c is GcbCase => c.kind === 'slsa-gcb-image');

describe('verifyGcbProvenance over the slsa-verifier vectors', () => {
  it('has all 40 GCB image cases, all offline', () => {
    expect(cases).toHaveLength(40);
    expect(cases.every((c) => c.offline === true && c.upstreamTestingMode === undefined)).toBe(true);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const expected = c.expect === 'pass' ? 'pass' : expectedCode(c.expectedError ?? '');
    const run = () =>
      verifyGcbProvenance({
        provenance: set.bytes(caseFile(c, 'provenance')),
        ...(c.image.digest === null ? {} : { imageDigest: parseDigest(c.image.digest) }),
        imageReference: c.image.reference,
        keys: KEYS,
        policy: policyOf(c),
      });
    expect(codeOrPass(run)).toBe(expected);
    if (expected !== 'pass') {
      const error = (() => {
        try {
          run();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(SlsaVerificationError);
      const checks = (error as SlsaVerificationError).checks;
      expect(checks.find((x) => x.status === 'fail')?.code).toBe(expected);
    }
  });
});

const VECTOR = 'testdata/gcb_container/v0.2/gcloud-container-github.json';
const VECTOR_DIGEST = parseDigest('sha256:1a033b002f89ed2b8ea733162497fb70f1a4049a7f8602d6a33682b4ad9921fd');
const POLICY: SlsaPolicy = { sourceUri: 'github.com/laurentsimon/gcb-tests' };

describe('verifyGcbProvenance on the real v0.2 provenance', () => {
  it('returns the verified statement, builder and every check in order', () => {
    const r = verifyGcbProvenance({
      provenance: set.bytes(VECTOR),
      imageDigest: VECTOR_DIGEST,
      keys: KEYS,
      policy: POLICY,
    });
    expect(r.builderId).toBe('https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.2');
    expect(r.statement.subject[0]?.digest?.sha256).toBe(VECTOR_DIGEST.hex);
    expect(r.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'subject:skip',
      'builder:skip',
      'envelope:pass',
      'builder:pass',
      'build-type:pass',
      'subject:pass',
      'source:pass',
      'envelope:pass',
      'subject:pass',
      'subject:pass',
      'envelope:pass',
      'branch:skip',
      'tag:skip',
      'versioned-tag:skip',
      'workflow-inputs:skip',
      'package:skip',
      'tlog:skip',
      'certificate:skip',
      'certificate-provenance:skip',
    ]);
    expect(r.provenance).toMatchObject({
      slsaVersion: '0.2',
      builderId: 'https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.2',
      buildType: 'https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.2',
      sourceUri: 'https://github.com/laurentsimon/gcb-tests/commit/fbbb98765e85ad464302dc5977968104d36e455e',
      buildTriggerPath: 'cloudbuild.yaml',
      invocationId: 'b6e052a7-5aa4-41bf-a56b-9bc4e4f3058b',
      workflowInputs: {},
    });
    expect(r.provenance.branch).toBeUndefined();
    expect(r.provenance.startedOn?.toISOString()).toBe('2022-08-15T22:43:18.700Z');
  });

  it('reports every failing policy check, coded as the first (branch unsupported, tag missing)', () => {
    const run = () =>
      verifyGcbProvenance({
        provenance: set.bytes(VECTOR),
        imageDigest: VECTOR_DIGEST,
        keys: KEYS,
        policy: {
          ...POLICY,
          sourceBranch: 'main',
          sourceTag: 'v1',
          sourceVersionedTag: 'v1',
          buildWorkflowInputs: { a: 'b' },
        },
      });
    expect(run).toThrow(SlsaVerificationError);
    try {
      run();
    } catch (e) {
      const err = e as SlsaVerificationError;
      expect(err.code).toBe('ERR_SLSA_NOT_SUPPORTED');
      expect(err.checks.filter((c) => c.status === 'fail').map((c) => c.code)).toEqual([
        'ERR_SLSA_NOT_SUPPORTED',
        'ERR_SLSA_TAG_MISMATCH',
        'ERR_SLSA_VERSIONED_TAG_MISMATCH',
        'ERR_SLSA_NOT_SUPPORTED',
      ]);
    }
  });

  it('accepts the git+https source form and refuses a wrong source', () => {
    const ok = { provenance: set.bytes(VECTOR), imageDigest: VECTOR_DIGEST, keys: KEYS };
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({
          ...ok,
          policy: { sourceUri: 'git+https://github.com/laurentsimon/gcb-tests' },
        }),
      ),
    ).toBe('pass');
    expect(
      codeOrPass(() => verifyGcbProvenance({ ...ok, policy: { sourceUri: 'github.com/laurentsimon/gcb' } })),
    ).toBe('ERR_SLSA_SOURCE_MISMATCH');
  });

  it('fails closed without the region key, and with a reference whose digest differs', () => {
    const { global: _dropped, ...others } = KEYS;
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({
          provenance: set.bytes(VECTOR),
          imageDigest: VECTOR_DIGEST,
          keys: others,
          policy: POLICY,
        }),
      ),
    ).toBe('ERR_SIGNATURE_INVALID');
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({
          provenance: set.bytes(VECTOR),
          imageDigest: VECTOR_DIGEST,
          imageReference: `img@sha256:${'0'.repeat(64)}`,
          keys: KEYS,
          policy: POLICY,
        }),
      ),
    ).toBe('ERR_DIGEST_MISMATCH');
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({
          provenance: set.bytes(VECTOR),
          imageReference: 'img:latest',
          keys: KEYS,
          policy: POLICY,
        }),
      ),
    ).toBe('ERR_MUTABLE_REFERENCE');
  });

  it('refuses unusable options before reading anything', () => {
    expect(
      codeOrPass(() => verifyGcbProvenance({ provenance: set.bytes(VECTOR), keys: KEYS, policy: POLICY })),
    ).toBe('ERR_USAGE');
    const ed = generateKeyPair({ algorithm: 'ed25519' }).publicKey;
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({
          provenance: set.bytes(VECTOR),
          imageDigest: VECTOR_DIGEST,
          keys: { global: ed },
          policy: POLICY,
        }),
      ),
    ).toBe('ERR_UNSUPPORTED_KEY');
  });
});

// Synthetic provenance signed here with generated keys, for the paths the vectors do not reach (SLSA v1, PAE, tags).
const V1_KEY_ID =
  'projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/google-hosted-worker/cryptoKeyVersions/1';
const REGION_KEY_ID = (region: string) =>
  `projects/verified-builder/locations/${region}/keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1`;
const HEX = 'ab'.repeat(32);
const DIGEST: Digest = parseDigest(`sha256:${HEX}`);

function v1Statement(tag = 'v1.2.3', ref = `refs/tags/${tag}`): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'us-docker.pkg.dev/p/r/img', digest: { sha256: HEX } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: GCB_BUILD_TYPE_V1,
        externalParameters: {
          buildConfigSource: { path: 'cloudbuild.yaml', ref, repository: 'git+https://github.com/org/repo' },
        },
        internalParameters: { systemSubstitutions: { TAG_NAME: tag, BRANCH_NAME: '' } },
        resolvedDependencies: [{ uri: 'git+https://github.com/org/repo', digest: { sha1: 'c'.repeat(40) } }],
      },
      runDetails: {
        builder: { id: 'https://cloudbuild.googleapis.com/GoogleHostedWorker' },
        metadata: {
          invocationId: 'https://cloudbuild.googleapis.com/projects/1/locations/global/builds/x',
          startedOn: '2024-01-01T00:00:00.123456Z',
          finishedOn: '2024-01-01T00:01:00Z',
        },
      },
    },
  };
}

function gcbDocument(options: {
  readonly statement: Record<string, unknown>;
  readonly key: PrivateKey;
  readonly keyid: string;
  readonly paeSigned: boolean;
  readonly text?: Record<string, unknown>;
}): Uint8Array {
  const payload = utf8(JSON.stringify(options.statement));
  const signed = options.paeSigned ? pae('application/vnd.in-toto+json', payload) : payload;
  const v1 = options.statement.predicateType === 'https://slsa.dev/provenance/v1';
  const { predicate, ...header } = options.statement;
  const text = options.text ?? (v1 ? options.statement : { ...header, slsaProvenance: predicate });
  return utf8(
    JSON.stringify({
      image_summary: {
        digest: `sha256:${HEX}`,
        fully_qualified_digest: `us-docker.pkg.dev/p/r/img@sha256:${HEX}`,
      },
      provenance_summary: {
        provenance: [
          {
            build: v1 ? { inTotoSlsaProvenanceV1: text } : { intotoStatement: text },
            kind: 'BUILD',
            resourceUri: `https://us-docker.pkg.dev/p/r/img@sha256:${HEX}`,
            envelope: {
              payloadType: 'application/vnd.in-toto+json',
              payload: encodeBase64(payload),
              signatures: [{ keyid: options.keyid, sig: encodeBase64(options.key.sign(signed)) }],
            },
          },
        ],
      },
    }),
  );
}

const signer = generateKeyPair({ algorithm: 'ecdsa-p256' });
const V1_KEYS = { 'global-pae-google-hosted-worker_1': signer.publicKey };
const V1_POLICY: SlsaPolicy = {
  sourceUri: 'github.com/org/repo',
  builderId: 'https://cloudbuild.googleapis.com/GoogleHostedWorker',
};

describe('verifyGcbProvenance on SLSA v1 GCB provenance (global PAE key)', () => {
  const good = gcbDocument({ statement: v1Statement(), key: signer, keyid: V1_KEY_ID, paeSigned: true });

  it('verifies, normalizes, and checks tag and versioned tag', () => {
    const r = verifyGcbProvenance({
      provenance: good,
      imageDigest: DIGEST,
      keys: V1_KEYS,
      policy: { ...V1_POLICY, sourceTag: 'v1.2.3', sourceVersionedTag: 'v1.2' },
    });
    expect(r.builderId).toBe('https://cloudbuild.googleapis.com/GoogleHostedWorker');
    expect(r.provenance).toMatchObject({
      slsaVersion: '1',
      sourceUri: 'git+https://github.com/org/repo@refs/tags/v1.2.3',
      tag: 'refs/tags/v1.2.3',
      buildTriggerPath: 'cloudbuild.yaml',
      sourceDigest: { sha1: 'c'.repeat(40) },
    });
    expect(r.checks.filter((c) => c.id === 'tag' || c.id === 'versioned-tag').map((c) => c.status)).toEqual([
      'pass',
      'pass',
    ]);
  });

  it.each([
    [{ sourceTag: 'v1.2.4' }, 'ERR_SLSA_TAG_MISMATCH'],
    [{ sourceVersionedTag: 'v2' }, 'ERR_SLSA_VERSIONED_TAG_MISMATCH'],
    [{ sourceVersionedTag: 'v1.3' }, 'ERR_SLSA_VERSIONED_TAG_MISMATCH'],
    [{ sourceVersionedTag: 'not-semver' }, 'ERR_SLSA_VERSIONED_TAG_MISMATCH'],
    [{ builderId: 'https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.3' }, 'ERR_SLSA_BUILDER_MISMATCH'],
    [{ builderId: 'https://github.com/x/y@v1' }, 'ERR_SLSA_NOT_SUPPORTED'],
    [{ sourceUri: 'github.com/org/other' }, 'ERR_SLSA_SOURCE_MISMATCH'],
  ] as const)('policy %j → %s', (extra, code) => {
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({
          provenance: good,
          imageDigest: DIGEST,
          keys: V1_KEYS,
          policy: { ...V1_POLICY, ...extra },
        }),
      ),
    ).toBe(code);
  });

  it('refuses a tag that disagrees with the source ref', () => {
    const doc = gcbDocument({
      statement: v1Statement('v1.2.3', 'refs/heads/main'),
      key: signer,
      keyid: V1_KEY_ID,
      paeSigned: true,
    });
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({
          provenance: doc,
          imageDigest: DIGEST,
          keys: V1_KEYS,
          policy: { ...V1_POLICY, sourceTag: 'v1.2.3' },
        }),
      ),
    ).toBe('ERR_SLSA_TAG_MISMATCH');
  });

  it('refuses a payload-only signature under the PAE key, and a wrong build type', () => {
    const raw = gcbDocument({ statement: v1Statement(), key: signer, keyid: V1_KEY_ID, paeSigned: false });
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({ provenance: raw, imageDigest: DIGEST, keys: V1_KEYS, policy: V1_POLICY }),
      ),
    ).toBe('ERR_SIGNATURE_INVALID');
    const s = v1Statement();
    (s.predicate as { buildDefinition: { buildType: string } }).buildDefinition.buildType =
      'https://example.com/other';
    const doc = gcbDocument({ statement: s, key: signer, keyid: V1_KEY_ID, paeSigned: true });
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({ provenance: doc, imageDigest: DIGEST, keys: V1_KEYS, policy: V1_POLICY }),
      ),
    ).toBe('ERR_SLSA_BUILD_TYPE');
  });

  it('refuses a readable copy that differs from the signed statement, even only in time zone', () => {
    const text = v1Statement();
    (text.predicate as { runDetails: { metadata: { finishedOn: string } } }).runDetails.metadata.finishedOn =
      '2024-01-01T00:01:00+00:00';
    const doc = gcbDocument({
      statement: v1Statement(),
      key: signer,
      keyid: V1_KEY_ID,
      paeSigned: true,
      text,
    });
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({ provenance: doc, imageDigest: DIGEST, keys: V1_KEYS, policy: V1_POLICY }),
      ),
    ).toBe('ERR_PAYLOAD_MISMATCH');
  });
});

describe('verifyGcbProvenance on v0.1 provenance signed by a regional key', () => {
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    subject: [{ name: 'img', digest: { sha256: HEX } }],
    predicateType: 'https://slsa.dev/provenance/v0.1',
    predicate: {
      builder: { id: 'https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.3' },
      recipe: {
        type: 'https://cloudbuild.googleapis.com/CloudBuildYaml@v0.1',
        entryPoint: 'cloudbuild.yaml',
        arguments: {
          '@type': 'type.googleapis.com/google.devtools.cloudbuild.v1.Build',
          substitutions: { TAG_NAME: 'v2.0.0' },
        },
      },
      materials: [{ uri: 'git+https://github.com/org/repo', digest: { sha1: 'd'.repeat(40) } }],
    },
  };
  const keys = { 'europe-west1': signer.publicKey };

  it('verifies with the key the region names, v0.3 source and recipe rules', () => {
    const doc = gcbDocument({
      statement,
      key: signer,
      keyid: REGION_KEY_ID('europe-west1'),
      paeSigned: false,
    });
    const r = verifyGcbProvenance({
      provenance: doc,
      imageDigest: DIGEST,
      keys,
      policy: { sourceUri: 'github.com/org/repo', sourceTag: 'v2.0.0', sourceVersionedTag: 'v2' },
    });
    expect(r.builderId).toBe('https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.3');
    expect(normalizeGcbProvenance(r.statement).tag).toBe('refs/tags/v2.0.0');
  });

  it('does not use a key of another region, nor a prototype key name', () => {
    const doc = gcbDocument({ statement, key: signer, keyid: REGION_KEY_ID('us-east1'), paeSigned: false });
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({
          provenance: doc,
          imageDigest: DIGEST,
          keys,
          policy: { sourceUri: 'github.com/org/repo' },
        }),
      ),
    ).toBe('ERR_SIGNATURE_INVALID');
    const proto = gcbDocument({
      statement,
      key: signer,
      keyid: REGION_KEY_ID('constructor'),
      paeSigned: false,
    });
    expect(
      codeOrPass(() =>
        verifyGcbProvenance({
          provenance: proto,
          imageDigest: DIGEST,
          keys,
          policy: { sourceUri: 'github.com/org/repo' },
        }),
      ),
    ).toBe('ERR_SIGNATURE_INVALID');
  });
});

describe('verifyGcbProvenance properties', () => {
  const base = set.json(VECTOR);

  function outcome(bytes: Uint8Array): 'value' | 'error' {
    return outcomeOf(() =>
      verifyGcbProvenance({ provenance: bytes, imageDigest: VECTOR_DIGEST, keys: KEYS, policy: POLICY }),
    );
  }

  it('ends in a coded VouchError or a value for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (b) => void outcome(b)),
      { numRuns: 10_000 },
    );
  });

  it('ends in a coded VouchError or a value for mutated valid documents', () => {
    fc.assert(
      fc.property(
        mutatedJson([base], fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }), fc.string())),
        (doc) => void outcome(utf8(JSON.stringify(doc) ?? 'null')),
      ),
      { numRuns: 10_000 },
    );
  });
});
