// When to retry a registry request and how long to wait: exponential backoff with full jitter, and Retry-After.

/** Retry tuning; every field has a default. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  readonly retries?: number;
  /** First backoff ceiling in ms (default 200); doubles each attempt. */
  readonly baseDelayMs?: number;
  /** Largest backoff ceiling in ms (default 5 000). */
  readonly maxDelayMs?: number;
  /** Largest wait a `Retry-After` header can ask for, in ms (default 30 000); longer asks are cut to this. */
  readonly maxRetryAfterMs?: number;
}

export const DEFAULT_RETRIES = 3;
export const DEFAULT_BASE_DELAY_MS = 200;
export const DEFAULT_MAX_DELAY_MS = 5_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;

/** HTTP statuses worth another try: rate limited, or a gateway/server that may recover. */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * Whether a response status is transient (429, 500, 502, 503, 504).
 *
 * @example
 * ```ts
 * isRetryableStatus(503); // true
 * isRetryableStatus(404); // false
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * The wait before retry number `attempt` (0 for the first retry): full jitter, a uniform draw in
 * `[0, min(maxDelayMs, baseDelayMs * 2^attempt))`, so many clients backing off do not retry in step.
 *
 * @example
 * ```ts
 * backoffDelay({ attempt: 2, random: Math.random }); // somewhere in [0, 800)
 * ```
 */
export function backoffDelay(options: {
  readonly attempt: number;
  readonly random: () => number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}): number {
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const max = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const ceiling = Math.min(max, base * 2 ** Math.min(Math.max(0, options.attempt), 30));
  const r = options.random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0;
  return Math.floor(unit * ceiling);
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Returns the wait in ms, at least 0
 * and at most `maxMs`, or `undefined` when the header is absent or unreadable (then backoff applies).
 *
 * @example
 * ```ts
 * parseRetryAfter({ value: '2', now: Date.now() }); // 2000
 * parseRetryAfter({ value: 'Wed, 21 Oct 2015 07:28:00 GMT', now: Date.parse('2015-10-21T07:27:58Z') }); // 2000
 * ```
 */
export function parseRetryAfter(options: {
  readonly value: string | null | undefined;
  readonly now: number;
  readonly maxMs?: number;
}): number | undefined {
  const { value, now } = options;
  const max = options.maxMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^[0-9]+$/.test(text)) ms = Number(text) * 1000;
  else if (/^[A-Za-z]{3}, [0-9]{2} [A-Za-z]{3} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/.test(text)) {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  } else return undefined;
  if (!Number.isFinite(ms)) return max;
  return Math.min(Math.max(ms, 0), max);
}
