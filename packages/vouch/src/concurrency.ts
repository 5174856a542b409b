// Bounded concurrency for the gate: many images verified at once, but never more than a limit in flight.
import { UsageError } from '@vouch/core';

/**
 * Maps `items` through the async `fn` with at most `limit` calls in flight, and resolves to the results in the
 * order of `items` (not of completion).
 *
 * On the first failure no new call starts; the calls already in flight are allowed to settle (so nothing keeps
 * running unobserved after this returns), then the promise rejects with that first error, unchanged.
 *
 * @throws UsageError `ERR_USAGE` when `limit` is not a positive integer.
 * @example
 * ```ts
 * const decisions = await mapBounded(images, 8, (image) => verifyOne(image));
 * ```
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new UsageError('ERR_USAGE', `limit must be a positive integer, found ${String(limit)}`);
  }
  const snapshot = [...items];
  const results = new Array<R>(snapshot.length);
  let failure: { error: unknown } | undefined;
  // One iterator shared by every worker hands out each index exactly once.
  const entries = snapshot.entries();

  const worker = async (): Promise<void> => {
    for (const [index, item] of entries) {
      if (failure !== undefined) return;
      try {
        results[index] = await fn(item, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  // Workers never reject (they record the failure), so this waits for every in-flight call.
  await Promise.all(Array.from({ length: Math.min(limit, snapshot.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
