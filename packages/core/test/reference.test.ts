// Tests for image reference parsing and normalization, written from the distribution/reference grammar.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyTextEdits, textEdits } from '../../../test/support/text-mutation.js';
import { DIGEST_ALGORITHMS, type DigestAlgorithm, parseDigest } from '../src/digest.js';
import { ParseError, VouchError } from '../src/errors.js';
import {
  formatImageReference,
  isImageReference,
  parseImageReference,
  requireDigest,
  withDigest,
} from '../src/reference.js';

const H64 = 'f'.repeat(64);
const D256 = `sha256:${H64}`;
const D384 = `sha384:${'0123456789abcdef'.repeat(6)}`;
const D512 = `sha512:${'a1'.repeat(64)}`;

interface Expected {
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  readonly familiar: string;
}

const valid: ReadonlyArray<readonly [string, Expected]> = [
  // Docker Hub normalization
  ['ubuntu', { registry: 'docker.io', repository: 'library/ubuntu', familiar: 'ubuntu' }],
  [
    'ubuntu:22.04',
    { registry: 'docker.io', repository: 'library/ubuntu', tag: '22.04', familiar: 'ubuntu:22.04' },
  ],
  ['library/ubuntu', { registry: 'docker.io', repository: 'library/ubuntu', familiar: 'ubuntu' }],
  ['docker.io/ubuntu', { registry: 'docker.io', repository: 'library/ubuntu', familiar: 'ubuntu' }],
  ['docker.io/library/ubuntu', { registry: 'docker.io', repository: 'library/ubuntu', familiar: 'ubuntu' }],
  ['index.docker.io/ubuntu', { registry: 'docker.io', repository: 'library/ubuntu', familiar: 'ubuntu' }],
  [
    'index.docker.io/docker/docker',
    { registry: 'docker.io', repository: 'docker/docker', familiar: 'docker/docker' },
  ],
  ['fooo/bar', { registry: 'docker.io', repository: 'fooo/bar', familiar: 'fooo/bar' }],
  ['other/library', { registry: 'docker.io', repository: 'other/library', familiar: 'other/library' }],
  ['library/a/b', { registry: 'docker.io', repository: 'library/a/b', familiar: 'library/a/b' }],
  [
    'ubuntu-12.04-base',
    { registry: 'docker.io', repository: 'library/ubuntu-12.04-base', familiar: 'ubuntu-12.04-base' },
  ],
  // a lone segment is never a registry: IPs and host:port become a Hub name and a tag
  ['192.168.0.1', { registry: 'docker.io', repository: 'library/192.168.0.1', familiar: '192.168.0.1' }],
  [
    '192.168.0.1:80',
    { registry: 'docker.io', repository: 'library/192.168.0.1', tag: '80', familiar: '192.168.0.1:80' },
  ],
  [
    'test.com:5000',
    { registry: 'docker.io', repository: 'library/test.com', tag: '5000', familiar: 'test.com:5000' },
  ],
  [
    'foo_bar.com:8080',
    { registry: 'docker.io', repository: 'library/foo_bar.com', tag: '8080', familiar: 'foo_bar.com:8080' },
  ],
  [
    'foo/foo_bar.com:8080',
    { registry: 'docker.io', repository: 'foo/foo_bar.com', tag: '8080', familiar: 'foo/foo_bar.com:8080' },
  ],
  // registries: localhost, dots, ports, IPv6, uppercase first segment (docker treats it as a host)
  ['localhost/foo', { registry: 'localhost', repository: 'foo', familiar: 'localhost/foo' }],
  [
    'localhost/library/debian',
    { registry: 'localhost', repository: 'library/debian', familiar: 'localhost/library/debian' },
  ],
  ['localhost:5000/x', { registry: 'localhost:5000', repository: 'x', familiar: 'localhost:5000/x' }],
  [
    'localhost:5000/x:1.0',
    { registry: 'localhost:5000', repository: 'x', tag: '1.0', familiar: 'localhost:5000/x:1.0' },
  ],
  [
    '127.0.0.1:5000/docker/docker',
    { registry: '127.0.0.1:5000', repository: 'docker/docker', familiar: '127.0.0.1:5000/docker/docker' },
  ],
  ['192.168.1.1/repo', { registry: '192.168.1.1', repository: 'repo', familiar: '192.168.1.1/repo' }],
  ['test:5000/repo', { registry: 'test:5000', repository: 'repo', familiar: 'test:5000/repo' }],
  [
    'example.com:8000/private/moonbase',
    {
      registry: 'example.com:8000',
      repository: 'private/moonbase',
      familiar: 'example.com:8000/private/moonbase',
    },
  ],
  [
    'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
    {
      registry: 'sub-dom1.foo.com',
      repository: 'bar/baz/quux',
      tag: 'some-long-tag',
      familiar: 'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
    },
  ],
  [
    'b.gcr.io/test.example.com/my-app:test.example.com',
    {
      registry: 'b.gcr.io',
      repository: 'test.example.com/my-app',
      tag: 'test.example.com',
      familiar: 'b.gcr.io/test.example.com/my-app:test.example.com',
    },
  ],
  [
    'xn--n3h.com/myimage:xn--n3h.com',
    {
      registry: 'xn--n3h.com',
      repository: 'myimage',
      tag: 'xn--n3h.com',
      familiar: 'xn--n3h.com/myimage:xn--n3h.com',
    },
  ],
  ['Example.COM/app', { registry: 'Example.COM', repository: 'app', familiar: 'Example.COM/app' }],
  ['LOCALDOMAIN/debian', { registry: 'LOCALDOMAIN', repository: 'debian', familiar: 'LOCALDOMAIN/debian' }],
  ['Foo/bar', { registry: 'Foo', repository: 'bar', familiar: 'Foo/bar' }],
  ['[::1]:5000/repo', { registry: '[::1]:5000', repository: 'repo', familiar: '[::1]:5000/repo' }],
  ['[2001:db8::1]/repo', { registry: '[2001:db8::1]', repository: 'repo', familiar: '[2001:db8::1]/repo' }],
  [
    '[2001:db8::]:5000/repo',
    { registry: '[2001:db8::]:5000', repository: 'repo', familiar: '[2001:db8::]:5000/repo' },
  ],
  [
    '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    {
      registry: '[fc00:1:2:3:4:5:6:7]:5000',
      repository: 'library/debian',
      familiar: '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    },
  ],
  // path components
  [
    'docker---rules/docker',
    { registry: 'docker.io', repository: 'docker---rules/docker', familiar: 'docker---rules/docker' },
  ],
  ['dock__er/docker', { registry: 'docker.io', repository: 'dock__er/docker', familiar: 'dock__er/docker' }],
  ['d/docker', { registry: 'docker.io', repository: 'd/docker', familiar: 'd/docker' }],
  ['a_b/c-d.e_f__g', { registry: 'docker.io', repository: 'a_b/c-d.e_f__g', familiar: 'a_b/c-d.e_f__g' }],
  [
    `docker.io/${'1a3f5e7d'.repeat(8)}`,
    {
      registry: 'docker.io',
      repository: `library/${'1a3f5e7d'.repeat(8)}`,
      familiar: `library/${'1a3f5e7d'.repeat(8)}`,
    },
  ],
  // a Hub path whose first segment looks like a host keeps docker.io in its familiar form
  [
    'docker.io/foo.bar/baz',
    { registry: 'docker.io', repository: 'foo.bar/baz', familiar: 'docker.io/foo.bar/baz' },
  ],
  [
    'docker.io/localhost/baz',
    { registry: 'docker.io', repository: 'localhost/baz', familiar: 'docker.io/localhost/baz' },
  ],
  // tags
  [
    'lowercase:Uppercase',
    {
      registry: 'docker.io',
      repository: 'library/lowercase',
      tag: 'Uppercase',
      familiar: 'lowercase:Uppercase',
    },
  ],
  ['x:_', { registry: 'docker.io', repository: 'library/x', tag: '_', familiar: 'x:_' }],
  ['x:1', { registry: 'docker.io', repository: 'library/x', tag: '1', familiar: 'x:1' }],
  [
    'x:v1.2.3-rc.1__b',
    { registry: 'docker.io', repository: 'library/x', tag: 'v1.2.3-rc.1__b', familiar: 'x:v1.2.3-rc.1__b' },
  ],
  [
    `x:${'t'.repeat(128)}`,
    {
      registry: 'docker.io',
      repository: 'library/x',
      tag: 't'.repeat(128),
      familiar: `x:${'t'.repeat(128)}`,
    },
  ],
  // digests, alone and with a tag
  [
    `ghcr.io/org/app@${D256}`,
    { registry: 'ghcr.io', repository: 'org/app', digest: D256, familiar: `ghcr.io/org/app@${D256}` },
  ],
  [
    `ghcr.io/org/app:v1@${D256}`,
    {
      registry: 'ghcr.io',
      repository: 'org/app',
      tag: 'v1',
      digest: D256,
      familiar: `ghcr.io/org/app:v1@${D256}`,
    },
  ],
  [
    `alpine:3@${D384}`,
    {
      registry: 'docker.io',
      repository: 'library/alpine',
      tag: '3',
      digest: D384,
      familiar: `alpine:3@${D384}`,
    },
  ],
  [
    `alpine@${D512}`,
    { registry: 'docker.io', repository: 'library/alpine', digest: D512, familiar: `alpine@${D512}` },
  ],
  [
    `[2001:db8::1]:5000/repo:tag@${D256}`,
    {
      registry: '[2001:db8::1]:5000',
      repository: 'repo',
      tag: 'tag',
      digest: D256,
      familiar: `[2001:db8::1]:5000/repo:tag@${D256}`,
    },
  ],
  // the 255-character limit is on the repository path, not the registry
  [
    `example.com/${'a'.repeat(255)}:tag`,
    {
      registry: 'example.com',
      repository: 'a'.repeat(255),
      tag: 'tag',
      familiar: `example.com/${'a'.repeat(255)}:tag`,
    },
  ],
  [
    `${'a/'.repeat(127)}a:t`,
    {
      registry: 'docker.io',
      repository: `${'a/'.repeat(127)}a`,
      tag: 't',
      familiar: `${'a/'.repeat(127)}a:t`,
    },
  ],
  [
    'a'.repeat(247),
    { registry: 'docker.io', repository: `library/${'a'.repeat(247)}`, familiar: 'a'.repeat(247) },
  ],
  [
    `${'r'.repeat(300)}.com/app`,
    { registry: `${'r'.repeat(300)}.com`, repository: 'app', familiar: `${'r'.repeat(300)}.com/app` },
  ],
];

describe('parseImageReference: valid references', () => {
  it.each(valid)('%s', (input, want) => {
    const ref = parseImageReference(input);
    const suffix =
      (want.tag === undefined ? '' : `:${want.tag}`) + (want.digest === undefined ? '' : `@${want.digest}`);
    expect(ref.registry).toBe(want.registry);
    expect(ref.repository).toBe(want.repository);
    expect(ref.name).toBe(`${want.registry}/${want.repository}`);
    expect(ref.tag).toBe(want.tag);
    expect(ref.digest?.value).toBe(want.digest);
    expect(ref.familiar).toBe(want.familiar);
    expect(ref.canonical).toBe(`${want.registry}/${want.repository}${suffix}`);
    expect(Object.isFrozen(ref)).toBe(true);
    if (ref.digest) expect(Object.isFrozen(ref.digest)).toBe(true);
    // exactOptionalPropertyTypes: absent parts are absent, not undefined
    expect('tag' in ref).toBe(want.tag !== undefined);
    expect('digest' in ref).toBe(want.digest !== undefined);
    expect(parseImageReference(ref.canonical)).toEqual(ref);
    expect(parseImageReference(ref.familiar)).toEqual(ref);
    expect(isImageReference(input)).toBe(true);
  });
});

const invalid: ReadonlyArray<readonly [string, unknown, RegExp]> = [
  ['a number', 42, /must be a string registry\/repository\[:tag\]\[@sha256:<hex>\], found a number/],
  ['null', null, /found null/],
  ['undefined', undefined, /is required/],
  ['empty', '', /must not be empty/],
  ['a bare image id', '1a3f5e7d'.repeat(8), /bare 64-character hex string/],
  ['a URL', 'https://github.com/docker/docker', /registry must be a host name .* found "https:"/],
  ['uppercase repository', 'docker/Docker', /repository must be lowercase, found "Docker"/],
  ['uppercase repository', 'foo/Bar', /repository must be lowercase, found "Bar"/],
  ['uppercase Hub name', 'UPPER', /repository must be lowercase, found "UPPER"/],
  ['uppercase name with tag', 'Uppercase:tag', /repository must be lowercase/],
  ['uppercase on a registry', 'docker.io/docker/Docker', /repository must be lowercase/],
  [
    'uppercase after a port',
    'test:5000/Uppercase/lowercase:tag',
    /repository must be lowercase, found "Uppercase"/,
  ],
  ['leading hyphen', '-docker', /repository component must be lowercase letters .* found "-docker"/],
  ['leading hyphen namespace', '-docker/docker', /found "-docker"/],
  ['leading hyphen registry', '-docker.io/docker/docker', /registry must be a host name/],
  ['trailing hyphen', 'docker-/docker', /found "docker-"/],
  ['only underscores', '____/____', /found "____"/],
  ['leading underscores', '_docker/_docker', /found "_docker"/],
  ['double period', 'dock..er/docker', /found "dock..er"/],
  ['underscore then period', 'dock_.er/docker', /found "dock_.er"/],
  ['hyphen then period', 'dock-.er/docker', /found "dock-.er"/],
  ['triple underscore', 'a___b', /found "a___b"/],
  ['no repository', 'docker/', /empty path component/],
  ['registry only', 'localhost/', /repository must not be empty/],
  ['registry and tag only', 'ghcr.io/:tag', /repository must not be empty/],
  ['empty components', 'docker///docker', /empty path component/],
  ['empty components on a registry', 'docker.io/docker///docker', /empty path component/],
  ['IPv6 with no repository', '[fc00::1]', /found "\[fc00"/],
  ['IPv6 and port with no repository', '[fc00::1]:5000', /repository component|tag must/],
  ['unbracketed IPv6', 'fc00::1:5000/debian', /registry must be a host name .* found "fc00::1:5000"/],
  ['IPv6 zone', '[fe80::1%eth0]:5000/debian', /registry must be a host name/],
  ['IPv4-in-IPv6', '[2001:db8:3:4::192.0.2.33]:5000/debian', /registry must be a host name/],
  ['IPv6 with junk after', '[::1]x/repo', /registry must be a host name/],
  ['non-numeric port', 'localhost:http/x', /registry must be a host name .* found "localhost:http"/],
  ['empty port', 'localhost:/x', /registry must be a host name/],
  ['empty domain label', 'a..b.com/x', /registry must be a host name/],
  ['underscore in a host', 'foo_bar.com/x', /registry must be a host name .* found "foo_bar.com"/],
  ['only a tag', ':justtag', /repository component|empty/],
  ['only a digest', `@${D256}`, /repository/],
  ['punctuation', 'aa/asdf$$^/aa', /found "asdf\$\$\^"/],
  ['space', ' alpine', /found " alpine"/],
  ['trailing space', 'alpine ', /found "alpine "/],
  ['a tag of 129 characters', `x:${'t'.repeat(129)}`, /tag must be at most 128 characters, found 129/],
  ['a tag starting with a hyphen', 'x:-t', /tag must start with a letter, digit or "_" .* found "-t"/],
  ['a tag starting with a period', 'x:.t', /found "\.t"/],
  ['an empty tag', 'x:', /tag must start/],
  ['a second colon', 'ubuntu:latest:extra', /found "latest:extra"/],
  ['a non-ASCII tag', 'x:é', /tag must start/],
  ['an empty digest', 'x@', /digest must be "algorithm:hex"/],
  ['an empty digest after a tag', 'x:tag@', /digest must be "algorithm:hex"/],
  [
    'a short digest',
    `repo@sha256:${'f'.repeat(34)}`,
    /digest sha256 hex must be 64 characters long, found 34/,
  ],
  [
    'an unknown digest algorithm',
    `validname@invaliddigest:${H64}`,
    /digest algorithm must be sha256, sha384 or sha512, found "invaliddigest"/,
  ],
  ['md5', `x@md5:${'a'.repeat(32)}`, /found "md5"/],
  ['sha512 of sha256 length', `validname@sha512:${H64}`, /sha512 hex must be 128 characters long, found 64/],
  ['uppercase digest hex', `x@sha256:${'F'.repeat(64)}`, /digest sha256 hex must be lowercase/],
  ['uppercase digest algorithm', `x@SHA256:${H64}`, /lowercase/],
  ['two digests', `x@${D256}@${D256}`, /digest sha256 hex must contain only 0-9 and a-f, found "@"/],
  [
    'repository over 255',
    `domain/${'a'.repeat(256)}:tag`,
    /repository must be at most 255 characters, found 263/,
  ],
  ['registry repository over 255', `example.com/${'a'.repeat(256)}`, /at most 255 characters, found 256/],
  ['Hub name over 255 once library/ is added', 'a'.repeat(248), /at most 255 characters, found 256/],
  ['namespace over 255', `${'this_is_long_'.repeat(20)}x/docker`, /at most 255 characters/],
];

describe('parseImageReference: invalid references', () => {
  it.each(invalid)('refuses %s', (_name, input, message) => {
    let error: unknown;
    try {
      parseImageReference(input, 'spec.image');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParseError);
    if (!(error instanceof ParseError)) return;
    expect(error.code).toBe('ERR_MALFORMED_REFERENCE');
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) expect(issue.path).toBe('spec.image');
    expect(error.message).toMatch(message);
    expect(error.message.length).toBeLessThan(600);
    expect(isImageReference(input)).toBe(false);
  });

  it('reports a bad tag and a bad digest together', () => {
    const err = (() => {
      try {
        parseImageReference(`x:-t@sha256:${'f'.repeat(10)}`);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ParseError);
    if (err instanceof ParseError) {
      expect(err.issues.map((i) => i.message)).toEqual([
        'tag must start with a letter, digit or "_" and contain only letters, digits, "_", "." and "-", found "-t"',
        'digest sha256 hex must be 64 characters long, found 10',
      ]);
    }
  });
});

describe('formatImageReference, withDigest, requireDigest', () => {
  const tagged = parseImageReference('alpine:3');
  const both = parseImageReference(`alpine:3@${D256}`);

  it('formats with or without each part', () => {
    expect(formatImageReference(both)).toBe(both.canonical);
    expect(formatImageReference(both, { tag: false })).toBe(`docker.io/library/alpine@${D256}`);
    expect(formatImageReference(both, { digest: false })).toBe('docker.io/library/alpine:3');
    expect(formatImageReference(both, { tag: false, digest: false })).toBe('docker.io/library/alpine');
    expect(formatImageReference(both, { familiar: true })).toBe(both.familiar);
    expect(formatImageReference(both, { familiar: true, digest: false })).toBe('alpine:3');
    expect(formatImageReference(tagged, { tag: false })).toBe('docker.io/library/alpine');
  });

  it('pins a reference to a digest, keeping the tag', () => {
    const pinned = withDigest(tagged, parseDigest(D384));
    expect(pinned).toEqual(parseImageReference(`alpine:3@${D384}`));
    expect(Object.isFrozen(pinned)).toBe(true);
    expect(withDigest(both, D512).digest?.value).toBe(D512);
    expect(() => withDigest(tagged, 'sha256:nope')).toThrow(
      expect.objectContaining({ code: 'ERR_MALFORMED_DIGEST' }),
    );
  });

  it('requires a digest for verification', () => {
    expect(requireDigest(both)).toEqual(parseDigest(D256));
    try {
      requireDigest(tagged, 'IMAGE');
      expect.unreachable('requireDigest accepted a tag');
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      if (!(e instanceof ParseError)) return;
      expect(e.code).toBe('ERR_MALFORMED_REFERENCE');
      expect(e.issues[0]?.path).toBe('IMAGE');
      expect(e.message).toContain(
        'a digest is required (IMAGE@sha256:…); tags are resolved by the registry commands, found "alpine:3"',
      );
    }
  });
});

// ---- properties --------------------------------------------------------------------------------------------

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HOST_CHARS = `${LOWER_ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;
const WORD = `${HOST_CHARS}_`;
const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };

const chars = (set: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...set), minLength, maxLength });

const alnumArb = chars(LOWER_ALNUM, 1, 6);
const separatorArb = fc.oneof(fc.constantFrom('.', '_', '__'), chars('-', 1, 3));
function componentArb(separators: fc.Arbitrary<string>) {
  return fc
    .tuple(alnumArb, fc.array(fc.tuple(separators, alnumArb), { maxLength: 3 }))
    .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''));
}
const labelArb = fc.oneof(
  chars(HOST_CHARS, 1, 1),
  fc
    .tuple(chars(HOST_CHARS, 1, 1), chars(`${HOST_CHARS}-`, 0, 6), chars(HOST_CHARS, 1, 1))
    .map((p) => p.join('')),
);
const portArb = fc.option(
  fc.nat(65535).map((n) => `:${n}`),
  { nil: '' },
);
/** [written registry or undefined, normalized registry] */
const registryArb: fc.Arbitrary<readonly [string | undefined, string]> = fc.oneof(
  fc.constant([undefined, 'docker.io'] as const),
  fc.constantFrom(['docker.io', 'docker.io'] as const, ['index.docker.io', 'docker.io'] as const),
  portArb.map((p) => [`localhost${p}`, `localhost${p}`] as const),
  fc.tuple(labelArb, fc.array(labelArb, { minLength: 1, maxLength: 3 }), portArb).map(([a, rest, p]) => {
    const host = [a, ...rest].join('.') + p;
    return [host, host] as const;
  }),
  fc.tuple(chars('0123456789abcdefABCDEF:', 1, 12), portArb).map(([h, p]) => {
    // A bracketed host is only read as a registry when it holds a ":" (or an uppercase letter).
    const host = `[${h.includes(':') ? h : `${h}:`}]${p}`;
    return [host, host] as const;
  }),
);
const tagArb = fc.tuple(chars(WORD, 1, 1), chars(`${WORD}.-`, 0, 127)).map(([a, b]) => a + b);
const digestArb = fc
  .constantFrom<DigestAlgorithm>(...DIGEST_ALGORITHMS)
  .chain((algorithm) =>
    chars('0123456789abcdef', HEX_LENGTH[algorithm], HEX_LENGTH[algorithm]).map(
      (hex) => `${algorithm}:${hex}`,
    ),
  );

interface Generated {
  readonly input: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

const validReferenceArb: fc.Arbitrary<Generated> = fc
  .tuple(
    registryArb,
    componentArb(separatorArb),
    fc.array(componentArb(separatorArb), { maxLength: 3 }),
    fc.option(tagArb, { nil: undefined }),
    fc.option(digestArb, { nil: undefined }),
  )
  .map(([[written, registry], first, rest, tag, digest]) => {
    const components = [first, ...rest];
    let path = components.join('/');
    if (registry === 'docker.io' && components.length === 1) path = `library/${path}`;
    const suffix = (tag === undefined ? '' : `:${tag}`) + (digest === undefined ? '' : `@${digest}`);
    const input = (written === undefined ? '' : `${written}/`) + components.join('/') + suffix;
    return { input, registry, repository: path, tag, digest, written, first, many: components.length > 1 };
  })
  // With no registry written, a first segment that looks like a host would be read as one, and a bare
  // 64-hex string is an image id: both are other references, not this generator's.
  .filter(
    (g) =>
      !(g.written === undefined && g.many && (g.first.includes('.') || g.first === 'localhost')) &&
      !/^[a-f0-9]{64}$/.test(g.input),
  );

function tryParse(input: unknown) {
  try {
    return parseImageReference(input);
  } catch (e) {
    if (!(e instanceof VouchError)) throw e;
    expect(e.code).toBe('ERR_MALFORMED_REFERENCE');
    return undefined;
  }
}

/** Text for the edits: reference punctuation, or one or two arbitrary code points. */
const editTexts = fc.oneof(
  fc.constantFrom('/', ':', '@', '.', '-', '_', '[', ']', 'A', 'sha256:'),
  fc.string({ minLength: 1, maxLength: 2, unit: 'binary' }),
);

function expectRoundTrip(input: unknown): void {
  const ref = tryParse(input);
  expect(isImageReference(input)).toBe(ref !== undefined);
  if (ref === undefined) return;
  expect(parseImageReference(ref.canonical)).toEqual(ref);
  expect(parseImageReference(ref.familiar)).toEqual(ref);
  expect(ref.repository.length).toBeLessThanOrEqual(255);
}

describe('parseImageReference properties', () => {
  it('ends arbitrary input in a reference or ERR_MALFORMED_REFERENCE', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()), expectRoundTrip),
      { numRuns: 10_000 },
    );
  });

  it('ends mutated valid references in a reference or ERR_MALFORMED_REFERENCE, and round-trips survivors', () => {
    fc.assert(
      fc.property(validReferenceArb, textEdits(editTexts), (g, edits) =>
        expectRoundTrip(applyTextEdits(g.input, edits)),
      ),
      { numRuns: 10_000 },
    );
  });

  it('parses every generated valid reference to the expected parts and round-trips it', () => {
    fc.assert(
      fc.property(validReferenceArb, (g) => {
        const ref = parseImageReference(g.input);
        expect(ref.registry).toBe(g.registry);
        expect(ref.repository).toBe(g.repository);
        expect(ref.tag).toBe(g.tag);
        expect(ref.digest?.value).toBe(g.digest);
        expect(parseImageReference(ref.canonical)).toEqual(ref);
        expect(parseImageReference(ref.familiar)).toEqual(ref);
      }),
      { numRuns: 10_000 },
    );
  });
});
