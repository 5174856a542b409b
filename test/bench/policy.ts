// `pnpm bench`: the policy engine alone: 1,000 images decided against a 20-rule policy from pre-verified evidence, and
// the same through the in-process decision cache keyed by (digest, policyDigest), warm.
import { createHash } from 'node:crypto';
import { buildStatement, generateKeyPair, parseDigest, parseStatement } from '@vouch/core';
import {
  type Decision,
  evaluatePolicy,
  type ImageEvidence,
  type LoadedPolicy,
  parsePolicyText,
  selectRule,
} from '@vouch/provenance';
import { DecisionCache } from 'vouch';
import { type Contender, measure, table } from './measure.ts';

const IMAGES = 1000;
const RULES = 20;
const SLSA_V1 = 'https://slsa.dev/provenance/v1';

// A 20-rule policy: one rule per team registry path, signatures by a key, SLSA provenance with a CEL condition.
const rules = Array.from(
  { length: RULES },
  (_, i) => `  - name: team-${i}
    scope: ['registry.example.com/team-${i}/**']
    mode: ${i % 5 === 0 ? 'audit' : 'enforce'}
    signatures: { anyOf: [release] }
    attestations:
      - predicateType: ${SLSA_V1}
        signedBy: [release]
        condition: 'predicate.buildDefinition.externalParameters.ref.startsWith("refs/tags/")'`,
).join('\n');
const text = `apiVersion: vouch.dev/v1alpha1
kind: Policy
keys:
  release: { file: ./release.pub }
rules:
${rules}
default: deny
`;
const { policy, policyDigest } = parsePolicyText(text, 'bench-policy.yaml');
const key = generateKeyPair({ algorithm: 'ecdsa-p256' });
const loaded: LoadedPolicy = Object.freeze({
  policy,
  policyDigest,
  keys: { release: key.publicKey },
  trustedRoots: {},
  source: 'bench-policy.yaml',
});

// Pre-verified evidence: each image signed by the key, with a provenance statement about its digest.
const evidence: ImageEvidence[] = Array.from({ length: IMAGES }, (_, i) => {
  const hex = createHash('sha256').update(`image ${i}`).digest('hex');
  const statement = parseStatement(
    buildStatement({
      subject: [{ digest: { sha256: hex } }],
      predicateType: SLSA_V1,
      predicate: {
        buildDefinition: {
          buildType: 'https://example.com/build/v1',
          externalParameters: { ref: 'refs/tags/v1.0.0' },
        },
        runDetails: { builder: { id: 'https://example.com/builder' } },
      },
    }),
  );
  const normalized = `registry.example.com/team-${i % RULES}/app-${i}`;
  const signer = { type: 'key', keyId: key.publicKey.keyId } as const;
  return Object.freeze({
    image: `${normalized}:v1`,
    normalized,
    digest: parseDigest(`sha256:${hex}`),
    signatures: [{ signer }],
    attestations: [{ statement, signer }],
  });
});

const now = new Date();
function decide(e: ImageEvidence): Decision {
  const selection = selectRule(loaded.policy, e.normalized);
  return evaluatePolicy({ loaded, evidence: e, rule: selection.rule, now, selection: selection.why });
}

// Every image must be allowed (a bench of denials would measure the wrong path).
const first = evidence.map(decide);
const denied = first.filter((d) => !d.allowed).length;
if (denied > 0)
  throw new Error(
    `bench policy denies ${denied} image(s): ${JSON.stringify(first.find((d) => !d.allowed)?.checks)}`,
  );

const cache = new DecisionCache();
for (const d of first) cache.set(d);

const ENGINE = `evaluatePolicy, ${IMAGES} images × ${RULES}-rule policy`;
const CACHED = 'same, decision cache warm (digest, policyDigest)';
const contenders: Contender[] = [
  {
    name: ENGINE,
    run: (n) => {
      for (let k = 0; k < n; k++) for (const e of evidence) decide(e);
    },
  },
  {
    name: CACHED,
    run: (n) => {
      for (let k = 0; k < n; k++) {
        for (const e of evidence) {
          if (cache.get(e.digest.value, policyDigest) === undefined) cache.set(decide(e));
        }
      }
    },
  },
];
const results = await measure(contenders);
table(
  `Policy decisions from pre-verified evidence (one op = ${IMAGES} decisions)`,
  ENGINE,
  results,
  new Map(),
  {
    rate: 'batches/s',
  },
);
for (const [name, msPerOp] of results) {
  console.log(`  ${name}: ${Math.round((IMAGES * 1000) / msPerOp).toLocaleString('en-US')} decisions/s`);
}
