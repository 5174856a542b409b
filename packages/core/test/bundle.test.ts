// Unit and property tests of the Sigstore bundle parser and the v0.3 key-based encoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { mutatedJson } from '../../../test/support/json-mutation.js';
import { loadVectorSet } from '../../../test/support/vectors.js';
import {
  BUNDLE_V03_MEDIA_TYPE,
  type Bundle,
  encodeBundle,
  parseBundle,
  serializeBundle,
} from '../src/bundle.js';
import { signEnvelope } from '../src/dsse.js';
import { utf8 } from '../src/encoding.js';
import { isVouchError, ParseError } from '../src/errors.js';
import { generateKeyPair } from '../src/keys/index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests edit untyped bundle JSON in place, field by field
type LooseJson = any;

const key = generateKeyPair({ algorithm: 'ed25519' });
const envelope = signEnvelope({
  payloadType: 'application/vnd.in-toto+json',
  payload: utf8('{}'),
  keys: [key],
});
const ours = encodeBundle({ envelope, publicKeyHint: key.keyId });
const conformance = loadVectorSet('sigstore-conformance');

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ParseError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

/** A deep copy of our bundle with `edit` applied. */
function edited(edit: (b: LooseJson) => void): unknown {
  const copy = JSON.parse(serializeBundle(ours));
  edit(copy);
  return copy;
}

describe('encodeBundle', () => {
  it('writes the JSON sigstore-js writes for a key-based DSSE bundle, byte for byte', () => {
    const sig = envelope.signatures[0]?.sig;
    expect(serializeBundle(ours)).toBe(
      `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"${key.keyId}"},` +
        `"tlogEntries":[],"timestampVerificationData":{"rfc3161Timestamps":[]}},"dsseEnvelope":{"payload":"e30=",` +
        `"payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"${sig}","keyid":"${key.keyId}"}]}}`,
    );
  });

  it('sets an empty keyid to the hint and refuses a different keyid or signature count', async () => {
    const blank = { ...envelope, signatures: envelope.signatures.map((s) => ({ ...s, keyid: '' })) };
    expect(encodeBundle({ envelope: blank, publicKeyHint: 'h' }).dsseEnvelope.signatures[0]?.keyid).toBe('h');
    expect(await codeOf(() => encodeBundle({ envelope, publicKeyHint: 'other' }))).toBe('ERR_USAGE');
    const two = signEnvelope({ payloadType: 't', payload: utf8('x'), keys: [key, key] });
    expect(await codeOf(() => encodeBundle({ envelope: two, publicKeyHint: key.keyId }))).toBe('ERR_USAGE');
  });
});

describe('parseBundle', () => {
  it('reads our bundle into a frozen typed model, from a value, a string or bytes', () => {
    for (const input of [ours, serializeBundle(ours), utf8(serializeBundle(ours))]) {
      const bundle: Bundle = parseBundle(input);
      expect(bundle.version).toBe('0.3');
      expect(bundle.mediaType).toBe(BUNDLE_V03_MEDIA_TYPE);
      expect(bundle.verificationMaterial.content).toEqual({ type: 'publicKey', hint: key.keyId });
      expect(bundle.verificationMaterial.tlogEntries).toEqual([]);
      expect(bundle.content.type).toBe('dsseEnvelope');
      if (bundle.content.type === 'dsseEnvelope') expect(bundle.content.envelope.payload).toEqual(utf8('{}'));
      expect(Object.isFrozen(bundle)).toBe(true);
      expect(Object.isFrozen(bundle.verificationMaterial)).toBe(true);
    }
  });

  it('accepts the four media types and refuses unknown versions with ERR_UNSUPPORTED_MEDIA_TYPE', async () => {
    const accepted = {
      'application/vnd.dev.sigstore.bundle+json;version=0.3': '0.3',
      'application/vnd.dev.sigstore.bundle.v0.3+json': '0.3',
    };
    for (const [mediaType, version] of Object.entries(accepted)) {
      expect(parseBundle(edited((b) => (b.mediaType = mediaType))).version).toBe(version);
    }
    for (const mediaType of [
      'application/vnd.dev.sigstore.bundle.v0.4+json',
      'application/vnd.dev.sigstore.bundle.v1.0+json',
      'application/vnd.dev.sigstore.bundle+json;version=0.9',
      'application/vnd.dev.sigstore.bundle+json;version=1.0',
      'application/json',
      '',
    ]) {
      expect(await codeOf(() => parseBundle(edited((b) => (b.mediaType = mediaType))))).toBe(
        'ERR_UNSUPPORTED_MEDIA_TYPE',
      );
    }
    expect(await codeOf(() => parseBundle(edited((b) => delete b.mediaType)))).toBe('ERR_MALFORMED_BUNDLE');
  });

  it('enforces the shape rules of the bundle spec', async () => {
    const cases: [string, (b: LooseJson) => void, RegExp][] = [
      [
        'two DSSE signatures',
        (b) => b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0]),
        /exactly one signature/,
      ],
      ['no DSSE signature', (b) => (b.dsseEnvelope.signatures = []), /exactly one signature/],
      [
        'hint and keyid differ',
        (b) => (b.verificationMaterial.publicKey.hint = 'x'),
        /signatures\[0\]\.keyid: must equal/,
      ],
      [
        'both contents',
        (b) => (b.messageSignature = { signature: 'YQ==' }),
        /exactly one of dsseEnvelope or messageSignature/,
      ],
      ['no content', (b) => delete b.dsseEnvelope, /found neither/],
      ['no key material', (b) => delete b.verificationMaterial.publicKey, /exactly one of publicKey/],
      [
        'a chain in v0.3',
        (b) => {
          delete b.verificationMaterial.publicKey;
          b.verificationMaterial.x509CertificateChain = { certificates: [{ rawBytes: 'YQ==' }] };
        },
        /not allowed in a v0.3 bundle/,
      ],
      [
        'an empty chain',
        (b) => {
          b.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
          delete b.verificationMaterial.publicKey;
          b.verificationMaterial.x509CertificateChain = { certificates: [] };
        },
        /at least one certificate/,
      ],
      [
        'a v0.2 log entry without inclusion proof',
        (b) => {
          b.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
          b.verificationMaterial.tlogEntries = [
            { logIndex: '1', logId: { keyId: 'YQ==' }, kindVersion: { kind: 'dsse', version: '0.0.1' } },
          ];
        },
        /tlogEntries\[0\]\.inclusionProof: is required in a v0\.2 bundle/,
      ],
      [
        'a v0.1 log entry without inclusion promise',
        (b) => {
          b.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
          b.verificationMaterial.tlogEntries = [
            { logIndex: '1', logId: { keyId: 'YQ==' }, kindVersion: { kind: 'dsse', version: '0.0.1' } },
          ];
        },
        /inclusionPromise: is required in a v0\.1 bundle/,
      ],
      [
        'a negative log index',
        (b) => {
          b.verificationMaterial.tlogEntries = [
            {
              logIndex: '-1',
              logId: { keyId: 'YQ==' },
              kindVersion: { kind: 'dsse', version: '0.0.1' },
              inclusionProof: { rootHash: 'YQ==', treeSize: '2', hashes: [], checkpoint: { envelope: 'c' } },
            },
          ];
        },
        /logIndex: must be a non-negative integer/,
      ],
      [
        'bad base64 in the payload',
        (b) => (b.dsseEnvelope.payload = '!!'),
        /dsseEnvelope\.payload: is not base64/,
      ],
    ];
    for (const [what, edit, message] of cases) {
      const issues = issuesOf(() => parseBundle(edited(edit)));
      expect(issues.join('\n'), what).toMatch(message);
      expect(await codeOf(() => parseBundle(edited(edit))), what).toBe('ERR_MALFORMED_BUNDLE');
    }
  });

  it('decodes log entries and timestamps (line-wrapped base64 too, as protojson) without verifying them', () => {
    const bundle = parseBundle(
      edited((b) => {
        b.verificationMaterial.tlogEntries = [
          {
            logIndex: 7,
            logId: { keyId: 'YQ==' },
            kindVersion: { kind: 'dsse', version: '0.0.1' },
            integratedTime: '1700000000',
            inclusionPromise: { signedEntryTimestamp: 'Yg==' },
            inclusionProof: {
              logIndex: '3',
              rootHash: 'Yw==',
              treeSize: '4',
              hashes: ['ZA=='],
              checkpoint: { envelope: 'cp' },
            },
            canonicalizedBody: 'ZQ==',
          },
        ];
        b.verificationMaterial.timestampVerificationData.rfc3161Timestamps = [{ signedTimestamp: 'Z\ng==' }];
      }),
    );
    const [entry] = bundle.verificationMaterial.tlogEntries;
    expect(entry?.logIndex).toBe('7');
    expect(entry?.inclusionProof?.hashes).toEqual([utf8('d')]);
    expect(entry?.inclusionProof?.checkpoint).toEqual({ envelope: 'cp' });
    expect(entry?.canonicalizedBody).toEqual(utf8('e'));
    expect(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps).toEqual([
      { signedTimestamp: utf8('f') },
    ]);
  });

  it('parses every sigstore-conformance bundle whose case expects pass, and ends every other in a value or a bundle error', async () => {
    let parsed = 0;
    for (const c of conformance.cases) {
      const file = c.files.bundle;
      if (typeof file !== 'string') continue;
      const bytes = conformance.bytes(file);
      if (c.expect === 'pass') {
        expect(() => parseBundle(bytes), c.id).not.toThrow();
        parsed++;
      } else {
        expect(['no error', 'ERR_MALFORMED_BUNDLE', 'ERR_UNSUPPORTED_MEDIA_TYPE'], c.id).toContain(
          await codeOf(() => parseBundle(bytes)),
        );
      }
    }
    expect(parsed).toBeGreaterThan(10);
  });
});

describe('properties', () => {
  function outcome(run: () => unknown): void {
    try {
      run();
    } catch (e) {
      if (!isVouchError(e)) throw e;
      expect(['ERR_MALFORMED_BUNDLE', 'ERR_UNSUPPORTED_MEDIA_TYPE']).toContain(e.code);
    }
  }

  it('parseBundle on arbitrary JSON: a bundle or a bundle error', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => outcome(() => parseBundle(v))),
      { numRuns: 10_000 },
    );
  });

  it('parseBundle on mutations of valid bundles (ours and conformance ones): a bundle or a bundle error', () => {
    const bases: unknown[] = [
      JSON.parse(serializeBundle(ours)),
      ...conformance.cases
        .filter((c) => c.expect === 'pass' && typeof c.files.bundle === 'string')
        .slice(0, 6)
        .map((c) => conformance.json(c.files.bundle as string)),
    ];
    // Removal (undefined) weighs three in seven: most bundle fields are required.
    const replacements = fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 3 },
      { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 2 },
      { arbitrary: fc.constantFrom('', 'YQ==', '-1', '0', 'SHA2_256', [], {}, null, 1.5, -1), weight: 2 },
    );
    fc.assert(
      fc.property(mutatedJson(bases, replacements), (value) => outcome(() => parseBundle(value))),
      { numRuns: 10_000 },
    );
  });
});
