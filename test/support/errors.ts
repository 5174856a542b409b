// Test helpers for asserting on vouch's error codes without swallowing foreign exceptions.
import { isVouchError, ParseError, type VouchErrorCode } from '@vouch/core';

/** The code of the VouchError `run` throws (or rejects with), `'no error'` when it succeeds; anything else is rethrown. */
export async function codeOf(run: () => unknown): Promise<VouchErrorCode | 'no error'> {
  try {
    await run();
    return 'no error';
  } catch (e) {
    if (isVouchError(e)) return e.code;
    throw e;
  }
}

/** The ParseError `fn` throws; anything else thrown is rethrown, and returning fails the test. */
export function parseErrorOf(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError, nothing was thrown');
}

/** Whether `fn` returned or threw a VouchError with an `ERR_*` code; anything else thrown is rethrown (for property tests). */
export function outcomeOf(fn: () => unknown): 'value' | 'error' {
  try {
    fn();
    return 'value';
  } catch (e) {
    if (isVouchError(e) && typeof e.code === 'string' && e.code.startsWith('ERR_')) return 'error';
    throw e;
  }
}
