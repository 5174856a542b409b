// `pnpm bench`: vouch's DSSE verify against raw node:crypto.verify over the same PAE bytes, and the
// portable backends against node:crypto, measured side by side (interleaved rounds) in one run.
import { createPublicKey, verify as rawVerify } from 'node:crypto';
import {
  buildStatement,
  generateKeyPair,
  pae,
  parseEnvelope,
  serializeStatement,
  signEnvelope,
  verifyEnvelope,
  verifyEnvelopeSync,
} from '@vouch/core';
import { type Contender, measure, ROUNDS, TARGET_MS_PER_BATCH, table } from './measure.ts';

const SUBJECT = [{ digest: { sha256: '7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c' } }];
// An image signature (cosign's predicate {}) and a provenance-sized statement (~64 KiB of resolved dependencies).
const statement = serializeStatement(
  buildStatement({ subject: SUBJECT, predicateType: 'https://sigstore.dev/cosign/sign/v1', predicate: {} }),
);
const provenance = serializeStatement(
  buildStatement({
    subject: SUBJECT,
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://example.com/build/v1',
        externalParameters: { repository: 'https://github.com/acme/app' },
        resolvedDependencies: Array.from({ length: 420 }, (_, i) => ({
          uri: `pkg:npm/dependency-number-${i}@1.0.${i}`,
          digest: { sha256: i.toString(16).padStart(64, '0') },
        })),
      },
      runDetails: { builder: { id: 'https://example.com/builder' } },
    },
  }),
);

let failures = 0;
for (const [algorithm, payload] of [
  ['ed25519', statement],
  ['ecdsa-p256', statement],
  ['ed25519', provenance],
  ['ecdsa-p256', provenance],
] as const) {
  const key = generateKeyPair({ algorithm });
  const json = signEnvelope({ payloadType: 'application/vnd.in-toto+json', payload, keys: [key] });
  const envelope = parseEnvelope(json);
  const sig = envelope.signatures[0]?.sig;
  if (!sig) throw new Error('no signature');
  const paeBytes = pae(envelope.payloadType, envelope.payload);
  const keyObject = createPublicKey({ key: Buffer.from(key.publicKey.spki), format: 'der', type: 'spki' });
  const hash = algorithm === 'ed25519' ? null : 'sha256';
  const keys = [key.publicKey];

  const contenders: Contender[] = [
    {
      name: 'raw node:crypto.verify(PAE)',
      run: (n) => {
        for (let i = 0; i < n; i++)
          if (!rawVerify(hash, paeBytes, keyObject, sig)) throw new Error('raw verify failed');
      },
    },
    {
      name: 'vouch verifyEnvelopeSync',
      run: (n) => {
        for (let i = 0; i < n; i++) verifyEnvelopeSync(envelope, { keys });
      },
    },
    {
      name: 'vouch verifyEnvelope (async)',
      run: async (n) => {
        for (let i = 0; i < n; i++) await verifyEnvelope(envelope, { keys });
      },
    },
    {
      name: 'vouch parseEnvelope + verifyEnvelopeSync',
      run: (n) => {
        for (let i = 0; i < n; i++) verifyEnvelopeSync(parseEnvelope(json), { keys });
      },
    },
  ];
  const results = await measure(contenders);
  const raw = results.get('raw node:crypto.verify(PAE)') ?? Number.NaN;
  const notes = new Map<string, string>();
  for (const name of ['vouch verifyEnvelopeSync', 'vouch verifyEnvelope (async)']) {
    const ratio = (results.get(name) ?? Number.NaN) / raw;
    const ok = ratio <= 1.25;
    if (!ok) failures++;
    notes.set(name, ok ? 'target ≤ 1.25×: met' : 'target ≤ 1.25×: MISSED');
  }
  table(
    `DSSE verify, ${algorithm} (${payload.length}-byte in-toto statement)`,
    'raw node:crypto.verify(PAE)',
    results,
    notes,
  );
}

// Backends on the same Ed25519 signature: the node:crypto fast path against WebCrypto and noble (strict RFC 8032).
{
  const key = generateKeyPair({ algorithm: 'ed25519' });
  const data = pae('application/vnd.in-toto+json', statement);
  const sig = key.sign(data);
  const pub = key.publicKey;
  const contenders: Contender[] = (['node', 'webcrypto', 'noble'] as const).map((backend) => ({
    name: `PublicKey.verify backend=${backend}`,
    run: async (n: number) => {
      for (let i = 0; i < n; i++)
        if (!(await pub.verify(data, sig, { backend }))) throw new Error(`${backend} failed`);
    },
  }));
  const results = await measure(contenders);
  table('Ed25519 verify by backend', 'PublicKey.verify backend=node', results, new Map());
}

console.log(
  `\n${ROUNDS} interleaved rounds of ~${TARGET_MS_PER_BATCH} ms batches per contender; medians of µs/op.`,
);
if (failures > 0)
  console.log(`${failures} contender(s) missed the 1.25× target (figures above; a benchmark, not a test).`);
