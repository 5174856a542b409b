// Tests of mapBounded: order kept, never more than `limit` in flight, errors after in-flight calls settle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/support/errors.js';
import { mapBounded } from '../src/concurrency.js';

/** A call that finishes after `ticks` macrotask turns, so completion order differs from start order. */
function after<T>(ticks: number, value: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const step = (left: number) => {
      if (left > 0) {
        setImmediate(() => step(left - 1));
        return;
      }
      try {
        resolve(value());
      } catch (e) {
        reject(e);
      }
    };
    step(ticks);
  });
}

/** Wraps `fn` to record the largest number of calls in flight and every index started. */
function tracked<T, R>(fn: (item: T, index: number) => Promise<R>) {
  const state = { inFlight: 0, peak: 0, started: [] as number[], settled: [] as number[] };
  const wrapped = async (item: T, index: number): Promise<R> => {
    state.started.push(index);
    state.inFlight++;
    state.peak = Math.max(state.peak, state.inFlight);
    try {
      return await fn(item, index);
    } finally {
      state.inFlight--;
      state.settled.push(index);
    }
  };
  return { state, wrapped };
}

describe('mapBounded', () => {
  it('keeps the order of the input, not of completion', async () => {
    const items = [5, 1, 4, 0, 3, 2];
    const result = await mapBounded(items, 3, (n, i) => after(n, () => `${i}:${n * 10}`));
    expect(result).toEqual(['0:50', '1:10', '2:40', '3:0', '4:30', '5:20']);
  });

  it('never has more than limit calls in flight, and uses the limit', async () => {
    const { state, wrapped } = tracked((n: number) => after(n % 4, () => n));
    const items = Array.from({ length: 40 }, (_, i) => i);
    expect(await mapBounded(items, 5, wrapped)).toEqual(items);
    expect(state.peak).toBe(5);
    expect(state.started.sort((a, b) => a - b)).toEqual(items);
  });

  it('holds the bound for any sizes and limits (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 3 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (ticks, limit) => {
          const { state, wrapped } = tracked((t: number, i: number) => after(t, () => i));
          const result = await mapBounded(ticks, limit, wrapped);
          expect(result).toEqual(ticks.map((_, i) => i));
          expect(state.peak).toBeLessThanOrEqual(limit);
          expect(state.peak).toBe(Math.min(limit, ticks.length));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns [] for no items without calling fn', async () => {
    expect(await mapBounded([], 4, () => Promise.reject(new Error('not called')))).toEqual([]);
  });

  it('rejects with the first error only after in-flight calls settle, and starts nothing new', async () => {
    const boom = new Error('boom');
    const { state, wrapped } = tracked((n: number) =>
      after(n === 2 ? 0 : 5, () => {
        if (n === 2) throw boom;
        return n;
      }),
    );
    const items = Array.from({ length: 20 }, (_, i) => i);
    await expect(mapBounded(items, 4, wrapped)).rejects.toBe(boom);
    // 0..3 started together; 2 failed first, so nothing after 3 started, and every started call settled.
    expect(state.started.sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    expect(state.settled).toHaveLength(4);
    expect(state.inFlight).toBe(0);
  });

  it('keeps the first error when several fail, and a synchronous throw stops new calls', async () => {
    const first = new Error('first');
    const second = new Error('second');
    await expect(
      mapBounded([0, 1], 2, (n) => after(n === 0 ? 0 : 3, () => Promise.reject(n === 0 ? first : second))),
    ).rejects.toBe(first);

    const calls: number[] = [];
    const syncThrow = (n: number): Promise<number> => {
      calls.push(n);
      throw second;
    };
    await expect(mapBounded([0, 1, 2], 3, syncThrow)).rejects.toBe(second);
    expect(calls).toEqual([0]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses limit %s with ERR_USAGE',
    async (limit) => {
      expect(await codeOf(() => mapBounded([1], limit, async (n) => n))).toBe('ERR_USAGE');
    },
  );
});
