// Test helpers for asserting on vouch's error codes without swallowing foreign exceptions.
import { isVouchError, type VouchErrorCode } from '@vouch/core';

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
