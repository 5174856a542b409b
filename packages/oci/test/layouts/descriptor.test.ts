// Parsers of registry JSON (descriptors, image manifests, indexes): examples, every bad path named, and properties.

import { parseDigest } from '@vouch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf, parseErrorOf } from '../../../../test/support/errors.js';
import { mutatedJson } from '../../../../test/support/json-mutation.js';
import {
  descriptorJson,
  fallbackTag,
  parseDescriptor,
  parseImageIndex,
  parseImageManifest,
} from '../../src/descriptor.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: D('4'), size: 2 };
const MANIFEST = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  config: EMPTY,
  layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', digest: D('a'), size: 1234 }],
  subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('b'), size: 528 },
  annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' },
};
const INDEX = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { ...MANIFEST.subject, artifactType: 'application/spdx+json', annotations: { a: 'b' } },
    { ...MANIFEST.subject, digest: D('c') },
  ],
};

describe('parseDescriptor, parseImageManifest, parseImageIndex', () => {
  it('parses valid values into frozen typed values, and serializes descriptors back', () => {
    const m = parseImageManifest(MANIFEST);
    expect(m.subject?.digest.value).toBe(D('b'));
    expect(m.layers[0]?.size).toBe(1234);
    expect(Object.isFrozen(m) && Object.isFrozen(m.layers) && Object.isFrozen(m.annotations)).toBe(true);
    const i = parseImageIndex(INDEX);
    expect(i.manifests.map((d) => d.artifactType)).toEqual(['application/spdx+json', undefined]);
    expect(descriptorJson(parseDescriptor(INDEX.manifests[0]))).toEqual(INDEX.manifests[0]);
    expect(parseImageIndex({ schemaVersion: 2, manifests: [] }).manifests).toEqual([]);
  });

  it('names every bad path', () => {
    const e = parseErrorOf(() =>
      parseImageManifest({
        schemaVersion: 1,
        config: { mediaType: 1, digest: 'sha256:XYZ', size: -1 },
        layers: [{ mediaType: 'x', digest: D('a'), size: 1.5 }, 'no'],
        subject: null,
        annotations: { k: 3 },
      }),
    );
    expect(e.code).toBe('ERR_MALFORMED_JSON');
    expect(e.issues.map((x) => x.path)).toEqual([
      'schemaVersion',
      'config.mediaType',
      'config.digest',
      'config.size',
      'layers[0].size',
      'layers[1]',
      'subject',
      'annotations.k',
    ]);
    expect(parseErrorOf(() => parseImageIndex({ schemaVersion: 2 })).issues.map((x) => x.path)).toEqual([
      'manifests',
    ]);
    expect(parseErrorOf(() => parseImageIndex([])).code).toBe('ERR_MALFORMED_JSON');
  });

  it('builds the fallback tag from the digest (hex cut to 64 characters)', () => {
    expect(fallbackTag(parseDigest(D('a')))).toBe(`sha256-${'a'.repeat(64)}`);
    expect(fallbackTag(parseDigest(`sha512:${'b'.repeat(128)}`))).toBe(`sha512-${'b'.repeat(64)}`);
  });

  const replacements = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer({ min: -3, max: 3 }),
    fc.double(),
    fc.string({ maxLength: 8 }),
    fc.constantFrom(D('f'), 'sha256:', 2, '', [], {}),
    fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 2 }),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.anything({ maxDepth: 1 }), { maxKeys: 2 }),
  );

  it('ends in a value or a VouchError for random input', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3 }), (input) => {
        outcomeOf(() => parseImageManifest(input));
        outcomeOf(() => parseImageIndex(input));
        outcomeOf(() => parseDescriptor(input));
      }),
      { numRuns: 10_000 },
    );
  });

  it('ends in a value or a VouchError for mutated valid manifests and indexes', () => {
    fc.assert(
      fc.property(mutatedJson([MANIFEST, INDEX], replacements), (input) => {
        outcomeOf(() => parseImageManifest(input));
        outcomeOf(() => parseImageIndex(input));
      }),
      { numRuns: 10_000 },
    );
  });
});
