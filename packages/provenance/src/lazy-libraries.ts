// Libraries only the policy file and the gate need (yaml, CEL, RFC 8785), loaded on first use: every command shares one
// bundle chunk, and a verify gate's cold start must not pay for parsing them.
import { createRequire } from 'node:module';
import type * as CelModule from '@bufbuild/cel';
import type * as CelExtModule from '@bufbuild/cel/ext';
import type * as YamlModule from 'yaml';

const load = createRequire(import.meta.url);

let yaml: typeof YamlModule | undefined;
let cel: typeof CelModule | undefined;
let celExt: typeof CelExtModule | undefined;
let canonical: ((value: unknown) => string | undefined) | undefined;

/**
 * The `yaml` package.
 *
 * @example
 * ```ts
 * const { parseDocument, LineCounter } = yamlLibrary();
 * ```
 */
export function yamlLibrary(): typeof YamlModule {
  yaml ??= load('yaml') as typeof YamlModule;
  return yaml;
}

/**
 * The `@bufbuild/cel` package.
 *
 * @example
 * ```ts
 * const { celEnv, parse, plan } = celLibrary();
 * ```
 */
export function celLibrary(): typeof CelModule {
  cel ??= load('@bufbuild/cel') as typeof CelModule;
  return cel;
}

/**
 * `@bufbuild/cel/ext` (the strings extension).
 *
 * @example
 * ```ts
 * const { strings } = celExtensions();
 * ```
 */
export function celExtensions(): typeof CelExtModule {
  celExt ??= load('@bufbuild/cel/ext') as typeof CelExtModule;
  return celExt;
}

/**
 * RFC 8785 canonical JSON (the `canonicalize` package).
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: 2 }); // '{"a":2,"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string | undefined {
  canonical ??= (load('canonicalize') as { default: (v: unknown) => string | undefined }).default;
  return canonical(value);
}
