// Container image references (`registry/repository:tag@sha256:…`), parsed and normalized as docker does.
import { type Digest, parseDigest } from './digest.js';
import { type Issue, ParseError } from './errors.js';
import { describe } from './json.js';

/**
 * A parsed, normalized image reference. Values are frozen.
 *
 * `registry` and `repository` are normalized the way docker's `ParseNormalizedNamed` does it: `alpine` is
 * `docker.io` / `library/alpine`, `index.docker.io/x/y` is `docker.io` / `x/y`.
 */
export interface ImageReference {
  /** Host with optional port: `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** The path inside the registry, lowercase: `library/alpine`, `org/team/app`. */
  readonly repository: string;
  /** `registry/repository`. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: Digest;
  /** docker's short form for display, e.g. `alpine:3` (keeps `docker.io/` where dropping it would be ambiguous). */
  readonly familiar: string;
  /** The full normalized string, e.g. `docker.io/library/alpine:3@sha256:…`; parsing it gives this value again. */
  readonly canonical: string;
}

/** The registry a reference with no registry part points to. */
export const DOCKER_HUB_REGISTRY = 'docker.io';

const LEGACY_DOCKER_HUB = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
/** distribution/reference's limit on the repository path (the registry is not counted). */
const MAX_REPOSITORY_LENGTH = 255;
const MAX_TAG_LENGTH = 128;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DOMAIN_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const IMAGE_ID = /^[a-f0-9]{64}$/;
const EXPECTED_FORM = 'registry/repository[:tag][@sha256:<hex>]';

function quoteFound(value: string, max = 80): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/** host[:port] where host is dot-separated DNS labels or a bracketed IPv6 address (no zone). */
function isValidRegistry(registry: string): boolean {
  let host = registry;
  let port: string | undefined;
  if (registry.startsWith('[')) {
    const end = registry.indexOf(']');
    if (end < 0) return false;
    host = registry.slice(0, end + 1);
    const rest = registry.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return false;
      port = rest.slice(1);
    }
    if (!IPV6_HOST.test(host)) return false;
  } else {
    const colon = registry.indexOf(':');
    if (colon >= 0) {
      host = registry.slice(0, colon);
      port = registry.slice(colon + 1);
    }
    if (!host.split('.').every((label) => DOMAIN_LABEL.test(label))) return false;
  }
  return port === undefined || PORT.test(port);
}

/**
 * Splits off the registry as distribution/reference's `splitDockerDomain` does: the first segment is a registry
 * when it is `localhost`, contains `.` or `:`, or has an uppercase letter; otherwise the image is on Docker Hub.
 */
function splitRegistry(input: string): { registry: string; remainder: string } {
  const slash = input.indexOf('/');
  if (slash < 0) return { registry: DOCKER_HUB_REGISTRY, remainder: OFFICIAL_PREFIX + input };
  const first = input.slice(0, slash);
  const rest = input.slice(slash + 1);
  let registry = first;
  let remainder = rest;
  if (first === LEGACY_DOCKER_HUB) registry = DOCKER_HUB_REGISTRY;
  else if (first !== 'localhost' && !/[.:]/.test(first) && first.toLowerCase() === first) {
    registry = DOCKER_HUB_REGISTRY;
    remainder = input;
  }
  if (registry === DOCKER_HUB_REGISTRY && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return { registry, remainder };
}

function repositoryIssues(repository: string, field: string): Issue[] {
  if (repository === '')
    return [{ path: field, message: `repository must not be empty: expected ${EXPECTED_FORM}` }];
  const issues: Issue[] = [];
  if (repository.length > MAX_REPOSITORY_LENGTH) {
    issues.push({
      path: field,
      message: `repository must be at most ${MAX_REPOSITORY_LENGTH} characters, found ${repository.length}`,
    });
  }
  for (const component of repository.split('/')) {
    if (PATH_COMPONENT.test(component)) continue;
    let message: string;
    if (component === '')
      message = `repository must not have an empty path component, found ${quoteFound(repository)}`;
    else if (component.toLowerCase() !== component) {
      message = `repository must be lowercase, found ${quoteFound(component)}`;
    } else {
      message =
        `repository component must be lowercase letters and digits joined by ".", "_", "__" or "-" ` +
        `(no leading, trailing or doubled separators), found ${quoteFound(component)}`;
    }
    // The first bad component says enough; listing a long hostile path would flood the message.
    issues.push({ path: field, message });
    break;
  }
  return issues;
}

function tagIssues(tag: string, field: string): Issue[] {
  if (TAG.test(tag)) return [];
  if (tag.length > MAX_TAG_LENGTH) {
    return [
      { path: field, message: `tag must be at most ${MAX_TAG_LENGTH} characters, found ${tag.length}` },
    ];
  }
  return [
    {
      path: field,
      message:
        'tag must start with a letter, digit or "_" and contain only letters, digits, "_", "." and "-", ' +
        `found ${quoteFound(tag)}`,
    },
  ];
}

function familiarName(registry: string, repository: string): string {
  if (registry !== DOCKER_HUB_REGISTRY) return `${registry}/${repository}`;
  let path = repository;
  const official = path.startsWith(OFFICIAL_PREFIX) ? path.slice(OFFICIAL_PREFIX.length) : undefined;
  // A bare 64-hex name would read back as an image id, so it keeps its `library/`.
  if (official !== undefined && !official.includes('/') && !IMAGE_ID.test(official)) path = official;
  // docker would print `docker.io/a.b/c` as `a.b/c`, which reads back as registry `a.b`: keep the registry there.
  const first = path.split('/')[0] ?? '';
  if (path.includes('/') && (first === 'localhost' || /[.:]/.test(first))) return `${registry}/${repository}`;
  return path;
}

function buildReference(
  registry: string,
  repository: string,
  tag: string | undefined,
  digest: Digest | undefined,
) {
  const name = `${registry}/${repository}`;
  const suffix = (tag === undefined ? '' : `:${tag}`) + (digest === undefined ? '' : `@${digest.value}`);
  const ref: ImageReference = {
    registry,
    repository,
    name,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
    familiar: familiarName(registry, repository) + suffix,
    canonical: name + suffix,
  };
  return Object.freeze(ref);
}

/** The reference, or every issue found in `input`. */
function checkReference(input: unknown, field: string): ImageReference | Issue[] {
  if (input === undefined) return [{ path: field, message: `is required: expected ${EXPECTED_FORM}` }];
  if (typeof input !== 'string') {
    return [{ path: field, message: `must be a string ${EXPECTED_FORM}, found ${describe(input)}` }];
  }
  if (input === '') return [{ path: field, message: `must not be empty: expected ${EXPECTED_FORM}` }];
  if (IMAGE_ID.test(input)) {
    return [
      {
        path: field,
        message:
          'must not be a bare 64-character hex string (it reads as a local image id); ' +
          `expected ${EXPECTED_FORM}`,
      },
    ];
  }
  const { registry, remainder } = splitRegistry(input);
  // Path components hold neither "@" nor ":", a tag holds neither, and a digest starts at the first "@".
  const at = remainder.indexOf('@');
  const beforeDigest = at < 0 ? remainder : remainder.slice(0, at);
  const colon = beforeDigest.indexOf(':');
  const repository = colon < 0 ? beforeDigest : beforeDigest.slice(0, colon);
  const tag = colon < 0 ? undefined : beforeDigest.slice(colon + 1);

  const issues: Issue[] = [];
  if (!isValidRegistry(registry)) {
    issues.push({
      path: field,
      message: `registry must be a host name or [IPv6] address with an optional :port, found ${quoteFound(registry)}`,
    });
  }
  issues.push(...repositoryIssues(repository, field));
  if (tag !== undefined) issues.push(...tagIssues(tag, field));
  let digest: Digest | undefined;
  if (at >= 0) {
    try {
      digest = parseDigest(remainder.slice(at + 1), field);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      issues.push(...e.issues.map((i) => ({ path: field, message: `digest ${i.message}` })));
    }
  }
  if (issues.length > 0) return issues;
  return buildReference(registry, repository, tag, digest);
}

/**
 * Parses and normalizes an image reference by the distribution/reference grammar, as docker and cosign read it
 * (`ParseNormalizedNamed`): Docker Hub by default, `library/` for single-name Hub images, host[:port] or
 * `[IPv6]:port` registries, lowercase repository components, tags of up to 128 characters, and a digest that
 * {@link parseDigest} accepts (sha256, sha384 or sha512 only, lowercase, exact length). `name:tag@digest` keeps both.
 *
 * Every problem, the digest part included, is reported with the code `ERR_MALFORMED_REFERENCE` (so callers
 * handle one code per input); the digest's own explanation is part of the message and its path is `field`.
 *
 * Two deliberate differences from distribution/reference: a first segment that is picked as the registry but is
 * not a valid host (`foo_bar.com/x`) is refused rather than turned into a reference with no registry, and
 * `familiar` keeps `docker.io/` when dropping it would make the first path segment read as a registry.
 *
 * @throws ParseError `ERR_MALFORMED_REFERENCE` naming `field`, listing what was expected and what was found.
 * @example
 * ```ts
 * const ref = parseImageReference('alpine:3.20');
 * ref.name; // 'docker.io/library/alpine'
 * ref.familiar; // 'alpine:3.20'
 * ```
 */
export function parseImageReference(input: unknown, field = 'image'): ImageReference {
  const result = checkReference(input, field);
  if (Array.isArray(result)) throw new ParseError('ERR_MALFORMED_REFERENCE', result);
  return result;
}

/**
 * Whether `input` is a string {@link parseImageReference} accepts.
 *
 * @example
 * ```ts
 * isImageReference('ghcr.io/org/app@sha256:' + '0'.repeat(64)); // true
 * isImageReference('docker/Docker'); // false
 * ```
 */
export function isImageReference(input: unknown): input is string {
  return !Array.isArray(checkReference(input, 'image'));
}

/** What {@link formatImageReference} includes. */
export interface FormatImageReferenceOptions {
  /** Include the tag when the reference has one (default `true`). */
  readonly tag?: boolean;
  /** Include the digest when the reference has one (default `true`). */
  readonly digest?: boolean;
  /** Use docker's short form (`alpine`) instead of the full name (default `false`). */
  readonly familiar?: boolean;
}

/**
 * Formats a reference, choosing which parts to keep.
 *
 * @example
 * ```ts
 * const ref = parseImageReference('alpine:3@sha256:' + 'a'.repeat(64));
 * formatImageReference(ref, { tag: false }); // 'docker.io/library/alpine@sha256:aaa…'
 * formatImageReference(ref, { digest: false, familiar: true }); // 'alpine:3'
 * ```
 */
export function formatImageReference(ref: ImageReference, options: FormatImageReferenceOptions = {}): string {
  const base = options.familiar === true ? familiarName(ref.registry, ref.repository) : ref.name;
  const tag = options.tag !== false && ref.tag !== undefined ? `:${ref.tag}` : '';
  const digest = options.digest !== false && ref.digest !== undefined ? `@${ref.digest.value}` : '';
  return base + tag + digest;
}

/**
 * The same reference pinned to `digest` (the tag, if any, is kept for display).
 *
 * @throws ParseError `ERR_MALFORMED_DIGEST` when `digest` is a string {@link parseDigest} refuses.
 * @example
 * ```ts
 * const pinned = withDigest(parseImageReference('alpine:3'), resolvedDigest);
 * pinned.canonical; // 'docker.io/library/alpine:3@sha256:…'
 * ```
 */
export function withDigest(ref: ImageReference, digest: Digest | string): ImageReference {
  const parsed = typeof digest === 'string' ? parseDigest(digest) : parseDigest(digest.value);
  return buildReference(ref.registry, ref.repository, ref.tag, parsed);
}

/**
 * The digest of a reference; verification takes digests, never tags.
 *
 * @throws ParseError `ERR_MALFORMED_REFERENCE` when the reference has no digest.
 * @example
 * ```ts
 * const digest = requireDigest(parseImageReference(argv.image), 'image');
 * ```
 */
export function requireDigest(ref: ImageReference, field = 'image'): Digest {
  if (ref.digest !== undefined) return ref.digest;
  throw new ParseError('ERR_MALFORMED_REFERENCE', [
    {
      path: field,
      message: `a digest is required (IMAGE@sha256:…); tags are resolved by the registry commands, found ${quoteFound(ref.familiar)}`,
    },
  ]);
}
