// Sigstore signing configs (`signing_config.v0.2.json`): a strict parser, and the choice of Fulcio, Rekor and TSA services valid at a time.
import { ParseError, UsageError, type VouchErrorCode } from '../errors.js';
import { describe, IssueCollector, isObject, type JsonObject, joinPath, parseJson } from '../json.js';
import { readValidityWindow, selectValidAt } from './trusted-root.js';
import type { ValidityWindow } from './types.js';

/** The one signing-config media type vouch reads (protobuf-specs `SigningConfig`, v0.2). */
export const SIGNING_CONFIG_MEDIA_TYPE = 'application/vnd.dev.sigstore.signingconfig.v0.2+json';

// No code of its own: a signing config is trust configuration, refused like a malformed trusted root.
const CODE: VouchErrorCode = 'ERR_MALFORMED_TRUSTED_ROOT';

/** One service endpoint (protobuf `Service`). */
export interface SigningService {
  readonly url: string;
  /** 0 means not yet released. */
  readonly majorApiVersion: number;
  readonly validFor: ValidityWindow;
  /** Who runs it (a scheme-less URI such as `sigstore.dev`); at most one service per operator is selected. */
  readonly operator: string;
}

/** How many services to use (protobuf `ServiceConfiguration`); `count` only with `EXACT`. */
export type ServiceConfiguration =
  | { readonly selector: 'ALL' | 'ANY' }
  | { readonly selector: 'EXACT'; readonly count: number };

/** A parsed, frozen signing config. */
export interface SigningConfig {
  readonly mediaType: typeof SIGNING_CONFIG_MEDIA_TYPE;
  readonly caUrls: readonly SigningService[];
  readonly oidcUrls: readonly SigningService[];
  readonly rekorTlogUrls: readonly SigningService[];
  /** Present whenever `rekorTlogUrls` is not empty. */
  readonly rekorTlogConfig?: ServiceConfiguration;
  readonly tsaUrls: readonly SigningService[];
  /** Present whenever `tsaUrls` is not empty. */
  readonly tsaConfig?: ServiceConfiguration;
}

const SELECTORS: Readonly<Record<string, 'ALL' | 'ANY' | 'EXACT'>> = {
  ALL: 'ALL',
  ANY: 'ANY',
  EXACT: 'EXACT',
  1: 'ALL',
  2: 'ANY',
  3: 'EXACT',
};
const UINT32_MAX = 0xffff_ffff;

const present = (v: unknown): boolean => v !== undefined && v !== null;

/** A protobuf uint32 in JSON: a number or a decimal string; absent is 0 (proto3 omits zero values). */
function readUint32(c: IssueCollector, obj: JsonObject, key: string, path: string): number | undefined {
  const v = obj[key];
  if (!present(v)) return 0;
  const n = typeof v === 'string' && /^(?:0|[1-9]\d{0,9})$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= UINT32_MAX) return n;
  c.add(joinPath(path, key), `must be an unsigned 32-bit integer, found ${describe(v)}`);
  return undefined;
}

function readUrl(c: IssueCollector, obj: JsonObject, at: string): string | undefined {
  const url = c.string(obj, 'url', at);
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (
    parsed === undefined ||
    (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
    parsed.host === ''
  ) {
    c.add(
      joinPath(at, 'url'),
      `must be an http(s) URL with a host, found ${JSON.stringify(url.slice(0, 100))}`,
    );
    return undefined;
  }
  return url;
}

function readService(c: IssueCollector, value: unknown, at: string): SigningService | undefined {
  if (!isObject(value)) {
    c.add(at, `must be an object, found ${describe(value)}`);
    return undefined;
  }
  const url = readUrl(c, value, at);
  const majorApiVersion = readUint32(c, value, 'majorApiVersion', at);
  const validFor = readValidityWindow(value.validFor, joinPath(at, 'validFor'), c);
  const operator = c.string(value, 'operator', at);
  if (operator === '') c.add(joinPath(at, 'operator'), 'must not be empty');
  if (url === undefined || majorApiVersion === undefined || validFor === undefined || !operator)
    return undefined;
  return Object.freeze({ url, majorApiVersion, validFor, operator });
}

function readServices(c: IssueCollector, root: JsonObject, key: string): SigningService[] {
  const v = root[key];
  if (!present(v)) return [];
  if (!Array.isArray(v)) {
    c.add(key, `must be an array, found ${describe(v)}`);
    return [];
  }
  const out: SigningService[] = [];
  v.forEach((item: unknown, i) => {
    const s = readService(c, item, joinPath(key, i));
    if (s !== undefined) out.push(s);
  });
  return out;
}

function readConfiguration(
  c: IssueCollector,
  root: JsonObject,
  key: string,
  needed: boolean,
): ServiceConfiguration | undefined {
  const v = root[key];
  if (!present(v)) {
    if (needed) c.add(key, 'is required when services are listed (selector ALL, ANY or EXACT)');
    return undefined;
  }
  if (!isObject(v)) {
    c.add(key, `must be an object, found ${describe(v)}`);
    return undefined;
  }
  const raw = v.selector;
  const selector =
    (typeof raw === 'string' || typeof raw === 'number') && Object.hasOwn(SELECTORS, raw)
      ? SELECTORS[raw]
      : undefined;
  if (selector === undefined) {
    const found = typeof raw === 'string' ? JSON.stringify(raw.slice(0, 100)) : describe(raw);
    c.add(joinPath(key, 'selector'), `must be ALL, ANY or EXACT, found ${found}`);
    return undefined;
  }
  const count = readUint32(c, v, 'count', key);
  if (count === undefined) return undefined;
  if (selector !== 'EXACT') return Object.freeze({ selector });
  if (count === 0) {
    c.add(joinPath(key, 'count'), 'must be greater than 0 with selector EXACT');
    return undefined;
  }
  return Object.freeze({ selector, count });
}

/**
 * Parses a Sigstore signing config (protobuf-specs `SigningConfig`, media type
 * `application/vnd.dev.sigstore.signingconfig.v0.2+json`): service lists with `url`, `majorApiVersion`,
 * `validFor` (a start is required) and `operator`, and the Rekor and TSA selectors. Unknown fields are ignored.
 *
 * @throws ParseError `ERR_MALFORMED_TRUSTED_ROOT` listing every bad path (`rekorTlogUrls[0].validFor.start`)
 * @example
 * ```ts
 * const config = parseSigningConfig(JSON.parse(await readFile('signing_config.v0.2.json', 'utf8')));
 * const { fulcio, rekor } = selectServices(config, { now: new Date() });
 * ```
 */
export function parseSigningConfig(input: unknown): SigningConfig {
  const value = input;
  if (!isObject(value)) {
    throw new ParseError(CODE, [
      { path: '', message: `signing config must be a JSON object, found ${describe(value)}` },
    ]);
  }
  const c = new IssueCollector();
  const mediaType = c.string(value, 'mediaType', '');
  if (mediaType !== undefined && mediaType !== SIGNING_CONFIG_MEDIA_TYPE) {
    c.add(
      'mediaType',
      `expected ${SIGNING_CONFIG_MEDIA_TYPE}, found ${JSON.stringify(mediaType.slice(0, 100))}`,
    );
  }
  // Stop here: another version has another shape, and its field errors would only be noise.
  c.throwIfAny(CODE);
  const caUrls = readServices(c, value, 'caUrls');
  const oidcUrls = readServices(c, value, 'oidcUrls');
  const rekorTlogUrls = readServices(c, value, 'rekorTlogUrls');
  const tsaUrls = readServices(c, value, 'tsaUrls');
  const rekorTlogConfig = readConfiguration(
    c,
    value,
    'rekorTlogConfig',
    present(value.rekorTlogUrls) && rekorTlogUrls.length > 0,
  );
  const tsaConfig = readConfiguration(c, value, 'tsaConfig', present(value.tsaUrls) && tsaUrls.length > 0);
  c.throwIfAny(CODE);
  return Object.freeze({
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: Object.freeze(caUrls),
    oidcUrls: Object.freeze(oidcUrls),
    rekorTlogUrls: Object.freeze(rekorTlogUrls),
    ...(rekorTlogConfig === undefined ? {} : { rekorTlogConfig }),
    tsaUrls: Object.freeze(tsaUrls),
    ...(tsaConfig === undefined ? {} : { tsaConfig }),
  });
}

/**
 * Parses `signing_config.json` from its bytes or text (bad JSON is `ERR_MALFORMED_TRUSTED_ROOT` too).
 *
 * @example
 * ```ts
 * const config = parseSigningConfigJson(await readFile('signing_config.v0.2.json'));
 * ```
 */
export function parseSigningConfigJson(bytes: Uint8Array | string): SigningConfig {
  return parseSigningConfig(parseJson(bytes, 'signingConfig', CODE));
}

/** The API major versions the caller can speak, per service kind. */
export interface SupportedApiVersions {
  readonly ca?: readonly number[];
  readonly oidc?: readonly number[];
  readonly rekor?: readonly number[];
  readonly tsa?: readonly number[];
}

/** The services to use now. */
export interface SelectedServices {
  /** The Fulcio CA, absent when none is valid now. */
  readonly fulcio?: SigningService;
  /** The OIDC provider, absent when none is valid now. */
  readonly oidc?: SigningService;
  /** Rekor logs to write to, as the selector asks (one per operator, one API version). */
  readonly rekor: readonly SigningService[];
  /** Timestamp authorities to ask, as the selector asks (one per operator). */
  readonly tsa: readonly SigningService[];
}

const DEFAULT_VERSIONS = { ca: [1], oidc: [1], rekor: [1, 2], tsa: [1] } as const;

/** Services valid at `now` with a supported version, all of the highest such version. */
function candidates(
  services: readonly SigningService[],
  versions: readonly number[],
  now: Date,
): SigningService[] {
  const usable = services.filter(
    (s) => versions.includes(s.majorApiVersion) && selectValidAt(s.validFor, now),
  );
  const top = Math.max(...usable.map((s) => s.majorApiVersion));
  return usable.filter((s) => s.majorApiVersion === top);
}

/** The newest-starting of `list` (the first on a tie, as the lists are meant to be sorted newest first). */
function newest(list: readonly SigningService[]): SigningService | undefined {
  let best: SigningService | undefined;
  for (const s of list) if (best === undefined || s.validFor.start > best.validFor.start) best = s;
  return best;
}

function selectMany(
  services: readonly SigningService[],
  config: ServiceConfiguration | undefined,
  versions: readonly number[],
  now: Date,
  field: string,
): readonly SigningService[] {
  const pool = candidates(services, versions, now);
  const operators = [...new Set(pool.map((s) => s.operator))];
  const perOperator = operators.flatMap((op) => newest(pool.filter((s) => s.operator === op)) ?? []);
  if (config?.selector === 'EXACT' && perOperator.length < config.count) {
    throw new UsageError(
      'ERR_USAGE',
      `signing config ${field}: selector EXACT needs ${config.count} services from distinct operators valid at ${now.toISOString()} with API version ${versions.join(' or ')}, found ${perOperator.length}`,
    );
  }
  const take =
    config?.selector === 'ALL' ? perOperator.length : config?.selector === 'EXACT' ? config.count : 1;
  return Object.freeze(perOperator.slice(0, take));
}

/**
 * Chooses the services to sign with at `now`, as protobuf-specs says: among services valid at `now` (inclusive
 * window) with an API version the caller supports, the highest version, then the newest `validFor.start`
 * (first listed on a tie). Fulcio and OIDC: one service or none. Rekor and TSA: one per operator, then as many as
 * the selector says (`ALL`, `ANY` = one, `EXACT` = `count`); with `ALL` or `ANY` an empty list means none is usable
 * now, which the caller refuses if it needs that service. Default versions: Fulcio 1, OIDC 1, Rekor 1 and 2, TSA 1.
 *
 * @throws UsageError `ERR_USAGE` when an `EXACT` selector asks for more services than are usable at `now`
 * @example
 * ```ts
 * const { fulcio, rekor, tsa } = selectServices(config, { now: new Date(), apiVersions: { rekor: [1] } });
 * ```
 */
export function selectServices(
  config: SigningConfig,
  options: { readonly now: Date; readonly apiVersions?: SupportedApiVersions },
): SelectedServices {
  const { now } = options;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new UsageError('ERR_USAGE', `now must be a valid Date, found ${describe(now)}`);
  }
  const v = { ...DEFAULT_VERSIONS, ...options.apiVersions };
  const fulcio = newest(candidates(config.caUrls, v.ca, now));
  const oidc = newest(candidates(config.oidcUrls, v.oidc, now));
  return Object.freeze({
    ...(fulcio === undefined ? {} : { fulcio }),
    ...(oidc === undefined ? {} : { oidc }),
    rekor: selectMany(config.rekorTlogUrls, config.rekorTlogConfig, v.rekor, now, 'rekorTlogUrls'),
    tsa: selectMany(config.tsaUrls, config.tsaConfig, v.tsa, now, 'tsaUrls'),
  });
}
