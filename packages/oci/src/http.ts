// One HTTP request over global fetch: per-attempt timeouts, retries with backoff on transient failures, bounded bodies.
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError } from '@vouch/core';
import {
  backoffDelay,
  DEFAULT_RETRIES,
  isRetryableStatus,
  parseRetryAfter,
  type RetryOptions,
} from './retry.js';

/** Transport options shared by every request a client makes. */
export interface HttpOptions extends RetryOptions {
  /** Time allowed for one attempt, response body included, in ms (default 30 000). */
  readonly timeoutMs?: number;
  /**
   * An undici `Dispatcher` handed to `fetch` as is (e.g. an `Agent` with `connect: { ca }` for a custom CA). Node's global
   * fetch takes no CA option of its own.
   */
  readonly dispatcher?: unknown;
  /** Aborts every request in flight and every wait between retries. */
  readonly signal?: AbortSignal;
  /** Sent as `User-Agent` (default `vouch`). */
  readonly userAgent?: string;
  /** Source of randomness for jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Told about each retry before its wait; `reason` holds no secret (method, URL without query, status or error code). */
  readonly onRetry?: (event: {
    readonly attempt: number;
    readonly delayMs: number;
    readonly reason: string;
  }) => void;
}

/** One request. `body` is bytes so a retry can send it again. */
export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** Largest successful (2xx) body accepted; a larger one is ERR_RESPONSE_TOO_LARGE. */
  readonly maxBytes: number;
}

/** A response with its whole (bounded) body read. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
  /** The final URL after redirects. */
  readonly url: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Error bodies are only read for the registry's error codes: a small bound is enough. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * A URL fit for an error message: scheme, host and path only. Userinfo is never echoed, and the query is dropped
 * because upload locations and storage redirects carry state and signatures there.
 *
 * @example
 * ```ts
 * safeUrl('https://user:pw@r.io/v2/a/blobs/uploads/x?_state=abc'); // 'https://r.io/v2/a/blobs/uploads/x'
 * ```
 */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function tooLarge(request: HttpRequest, found: string): RegistryError {
  return new RegistryError(
    'ERR_RESPONSE_TOO_LARGE',
    `${request.method} ${safeUrl(request.url)}: response must be at most ${request.maxBytes} bytes, found ${found}`,
  );
}

async function readBounded(response: Response, request: HttpRequest, limit: number, strict: boolean) {
  const length = response.headers.get('content-length');
  if (strict && length !== null && /^[0-9]+$/.test(length) && Number(length) > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(request, `Content-Length ${length}`);
  }
  if (response.body === null) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > limit) {
      await reader.cancel().catch(() => undefined);
      if (strict) throw tooLarge(request, `more than ${limit} bytes`);
      chunks.push(value.subarray(0, limit - total));
      total = limit;
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** A short, secret-free name for a network failure: the system error code when there is one. */
function describeFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
    e = e.cause;
  }
  return error instanceof TypeError && /terminated/i.test(error.message)
    ? 'connection closed early'
    : 'connection failed';
}

/**
 * Sends one request and reads its whole body within bounds, retrying transient failures (429, 500, 502, 503, 504,
 * connection errors, timeouts, truncated bodies) with full-jitter backoff, honouring `Retry-After` up to a cap. A
 * response that is still transient after the last retry is returned for the caller to report.
 *
 * @throws RegistryError `ERR_RESPONSE_TOO_LARGE` past `maxBytes`; `ERR_REGISTRY` when the host cannot be reached
 * after every retry or the request is aborted. Messages name the method and URL (no userinfo, no query), never a header.
 * @example
 * ```ts
 * const res = await httpRequest({ method: 'GET', url: 'http://localhost:5000/v2/', maxBytes: 1024 }, { retries: 2 });
 * res.status; // 200 or 401
 * ```
 */
export async function httpRequest(request: HttpRequest, options: HttpOptions = {}): Promise<HttpResponse> {
  const retries = Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRIES));
  const random = options.random ?? Math.random;
  const where = `${request.method} ${safeUrl(request.url)}`;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw new RegistryError('ERR_REGISTRY', `${where}: aborted`);
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    // `dispatcher` is undici's extension of RequestInit, which the DOM typing of fetch does not list.
    const init: RequestInit = {
      method: request.method,
      headers: { 'user-agent': options.userAgent ?? 'vouch', ...request.headers },
      redirect: 'follow',
      signal,
      ...(request.body === undefined ? {} : { body: new Uint8Array(request.body) }),
    };
    if (options.dispatcher !== undefined) Object.assign(init, { dispatcher: options.dispatcher });
    let reason: string;
    let retryAfter: string | null = null;
    try {
      const response = await fetch(request.url, init);
      const ok = response.status >= 200 && response.status < 300;
      if (!isRetryableStatus(response.status) || attempt >= retries) {
        const limit = ok ? request.maxBytes : Math.min(request.maxBytes, MAX_ERROR_BODY_BYTES);
        const body =
          request.method === 'HEAD' ? new Uint8Array() : await readBounded(response, request, limit, ok);
        return { status: response.status, headers: response.headers, body, url: response.url || request.url };
      }
      await response.body?.cancel().catch(() => undefined);
      reason = `HTTP ${response.status}`;
      retryAfter = response.headers.get('retry-after');
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (options.signal?.aborted) throw new RegistryError('ERR_REGISTRY', `${where}: aborted`);
      reason = describeFailure(error);
      if (attempt >= retries) {
        // The cause is kept out: fetch errors can carry the request, and with it its headers.
        throw new RegistryError('ERR_REGISTRY', `${where}: ${reason} after ${attempt + 1} attempt(s)`);
      }
    }
    const hinted = parseRetryAfter({
      value: retryAfter,
      now: Date.now(),
      ...(options.maxRetryAfterMs === undefined ? {} : { maxMs: options.maxRetryAfterMs }),
    });
    const delayMs =
      hinted ??
      backoffDelay({
        attempt,
        random,
        ...(options.baseDelayMs === undefined ? {} : { baseDelayMs: options.baseDelayMs }),
        ...(options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs }),
      });
    options.onRetry?.({ attempt: attempt + 1, delayMs, reason: `${where}: ${reason}` });
    try {
      await sleep(delayMs, undefined, options.signal === undefined ? {} : { signal: options.signal });
    } catch {
      throw new RegistryError('ERR_REGISTRY', `${where}: aborted`);
    }
  }
}
