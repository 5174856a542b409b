// Passwords come from the environment or a TTY prompt, never from a flag (flags leak into process lists and shell history).
import { KeyError } from 'vouch';
import type { CliIo } from './io.js';

export interface PasswordRequest {
  /** The key file is cosign's format: COSIGN_PASSWORD is also honoured. */
  readonly cosign: boolean;
  /** Ask twice (for a new key). */
  readonly confirm: boolean;
  readonly purpose: string;
}

/** VOUCH_PASSWORD, then COSIGN_PASSWORD for cosign files, then a prompt on a TTY; otherwise ERR_PASSWORD_REQUIRED. */
export async function obtainPassword(io: CliIo, request: PasswordRequest): Promise<string> {
  const fromEnv = io.env.VOUCH_PASSWORD ?? (request.cosign ? io.env.COSIGN_PASSWORD : undefined);
  if (fromEnv !== undefined) return fromEnv;
  if (!io.interactive) {
    throw new KeyError(
      'ERR_PASSWORD_REQUIRED',
      `a password is needed to ${request.purpose}: set VOUCH_PASSWORD${request.cosign ? ' (or COSIGN_PASSWORD)' : ''}, or run on a terminal to be asked`,
    );
  }
  const first = await io.promptSecret(`Enter password to ${request.purpose}: `);
  if (request.confirm) {
    const second = await io.promptSecret('Enter the password again: ');
    if (first !== second) throw new KeyError('ERR_PASSWORD_REQUIRED', 'the two passwords differ');
  }
  return first;
}
