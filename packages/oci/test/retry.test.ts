// Backoff bounds and Retry-After parsing (seconds, HTTP dates, caps, garbage).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from '../src/retry.js';

describe('backoffDelay', () => {
  it('stays in [0, min(max, base * 2^attempt)) for any attempt and random draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 1000 }), fc.double(), (attempt, r) => {
        const d = backoffDelay({ attempt, random: () => r, baseDelayMs: 100, maxDelayMs: 3000 });
        const ceiling = Math.min(3000, 100 * 2 ** Math.max(0, Math.min(attempt, 30)));
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.max(ceiling, 1));
      }),
      { numRuns: 10_000 },
    );
  });

  it('grows exponentially until the cap, with full jitter', () => {
    const top = (attempt: number) =>
      backoffDelay({ attempt, random: () => 0.999999, baseDelayMs: 100, maxDelayMs: 1000 });
    expect([0, 1, 2, 3, 4].map(top)).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay({ attempt: 3, random: () => 0 })).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delay-seconds and HTTP dates, caps and floors them', () => {
    expect(parseRetryAfter({ value: '1', now })).toBe(1000);
    expect(parseRetryAfter({ value: ' 0 ', now })).toBe(0);
    expect(parseRetryAfter({ value: '3600', now, maxMs: 5000 })).toBe(5000);
    expect(parseRetryAfter({ value: 'Wed, 01 Jan 2025 00:00:03 GMT', now })).toBe(3000);
    expect(parseRetryAfter({ value: 'Tue, 31 Dec 2024 23:00:00 GMT', now })).toBe(0);
    expect(parseRetryAfter({ value: '9'.repeat(400), now, maxMs: 7 })).toBe(7);
  });
  it('ignores what it cannot read', () => {
    for (const value of [
      null,
      undefined,
      '',
      '-1',
      '1.5',
      'soon',
      '2025-01-01T00:00:05Z',
      'Wed, 99 Jan 2025 00:00:03 GMT',
    ]) {
      expect(parseRetryAfter({ value, now })).toBeUndefined();
    }
  });
  it('never throws and never leaves [0, max]', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const ms = parseRetryAfter({ value, now, maxMs: 10_000 });
        if (ms !== undefined) expect(ms >= 0 && ms <= 10_000).toBe(true);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('isRetryableStatus', () => {
  it('retries rate limits and gateway failures only', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 201, 400, 401, 403, 404, 501].some(isRetryableStatus)).toBe(false);
  });
});
