// slsa-verifier's policy flags, read into a SlsaPolicy: shared by vouch-slsa and vouch verify-attestation.
import { type SlsaPolicy, UsageError } from 'vouch';

/** `--source-uri`, `--builder-id`, `--source-branch`, `--source-tag`, `--source-versioned-tag`, `--build-workflow-input`. */
export const SLSA_POLICY_OPTIONS = {
  'source-uri': { type: 'string' },
  'builder-id': { type: 'string' },
  'source-branch': { type: 'string' },
  'source-tag': { type: 'string' },
  'source-versioned-tag': { type: 'string' },
  'build-workflow-input': { type: 'string', multiple: true },
} as const;

type Values = Readonly<Record<string, unknown>>;

function text(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** `--build-workflow-input k=v` (repeatable) as slsa-verifier reads it: split at the first `=`. */
function workflowInputs(values: Values): Record<string, string> | undefined {
  const given = values['build-workflow-input'];
  const list = Array.isArray(given) ? given.filter((x): x is string => typeof x === 'string') : [];
  if (list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of list) {
    const at = v.indexOf('=');
    if (at <= 0)
      throw new UsageError(
        'ERR_USAGE',
        `--build-workflow-input: expected key=value, found ${JSON.stringify(v)}`,
      );
    out[v.slice(0, at)] = v.slice(at + 1);
  }
  return out;
}

/**
 * The SLSA policy the flags state, or undefined when no `--source-uri` was given (then no other SLSA flag may be).
 *
 * @throws UsageError `ERR_USAGE` for an SLSA flag without `--source-uri`, or a malformed workflow input
 * @example
 * ```ts
 * const policy = slsaPolicyFromFlags(args.values); // { sourceUri: 'github.com/acme/app', sourceVersionedTag: 'v1' }
 * ```
 */
export function slsaPolicyFromFlags(values: Values): SlsaPolicy | undefined {
  const sourceUri = text(values, 'source-uri');
  if (sourceUri === undefined || sourceUri === '') {
    const other = Object.keys(SLSA_POLICY_OPTIONS).find((f) => f !== 'source-uri' && values[f] !== undefined);
    if (other !== undefined)
      throw new UsageError('ERR_USAGE', `--${other} needs --source-uri (the SLSA checks)`);
    return undefined;
  }
  const optional = (key: keyof SlsaPolicy, name: string) => {
    const v = text(values, name);
    return v === undefined ? {} : { [key]: v };
  };
  const inputs = workflowInputs(values);
  return {
    sourceUri,
    ...optional('builderId', 'builder-id'),
    ...optional('sourceBranch', 'source-branch'),
    ...optional('sourceTag', 'source-tag'),
    ...optional('sourceVersionedTag', 'source-versioned-tag'),
    ...(inputs === undefined ? {} : { buildWorkflowInputs: inputs }),
  };
}
