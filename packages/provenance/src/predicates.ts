// Predicate recognition: a Statement's predicate as a typed value, chosen by its predicateType.
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  copyJson,
  deepFreeze,
  describeJson as describe,
  IssueCollector,
  isObject,
  type JsonObject,
  ParseError,
  type Statement,
} from '@vouch/core';
import { PREDICATE_TYPE_NAMES } from './predicate-types.js';
import { parseSlsaProvenanceV1, type SlsaProvenanceV1 } from './slsa-v1.js';
import {
  INTOTO_PROVENANCE_V01_PREDICATE_TYPE,
  parseSlsaProvenanceV02,
  SLSA_PROVENANCE_V02_PREDICATE_TYPE,
  type SlsaProvenanceV02,
} from './slsa-v02.js';
import { parseVsa, type VerificationSummary, VSA_V1_PREDICATE_TYPE, VSA_V02_PREDICATE_TYPE } from './vsa.js';

/** The kinds of predicate vouch recognises; `unknown` for any other predicate type. */
export type PredicateKind = ParsedPredicate['kind'];

/** The kinds whose predicate is recognised by type only and kept as (frozen) JSON. */
export type JsonPredicateKind =
  | 'cosign-sign'
  | 'cosign-custom'
  | 'spdx'
  | 'cyclonedx'
  | 'vuln'
  | 'openvex'
  | 'link'
  | 'unknown';

/** A predicate kept as JSON: `undefined` only for a v0.1 Statement without one. */
export interface JsonPredicate {
  readonly kind: JsonPredicateKind;
  readonly predicateType: string;
  readonly value: JsonObject | undefined;
}

/** A Statement's predicate, discriminated by `kind`. */
export type ParsedPredicate =
  | { readonly kind: 'slsa-provenance-v1'; readonly predicateType: string; readonly value: SlsaProvenanceV1 }
  | {
      readonly kind: 'slsa-provenance-v0.2';
      readonly predicateType: string;
      readonly value: SlsaProvenanceV02;
    }
  | { readonly kind: 'vsa'; readonly predicateType: string; readonly value: VerificationSummary }
  | JsonPredicate;

const CODE = 'ERR_MALFORMED_PREDICATE';

function required(name: string): string {
  const uri = PREDICATE_TYPE_NAMES[name];
  // The table is a frozen constant of this package: a missing name is a programming error, caught by the tests.
  if (uri === undefined) throw new Error(`no predicate type named ${name}`);
  return uri;
}

/** The type itself, or the type followed by a version segment (`https://spdx.dev/Document/v2.3`). */
function versionedFamily(base: string): (type: string) => boolean {
  return (type) =>
    type === base || (type.startsWith(`${base}/v`) && /^\/v\d[\w.-]*$/.test(type.slice(base.length)));
}

/** `https://in-toto.io/Link/v1` → `https://in-toto.io/Link`: the family a versioned URI belongs to. */
function familyOf(uri: string): string {
  return uri.replace(/\/v\d[\w.-]*$/, '');
}

/** JSON kinds in the order they are tried; exact types (cosign's) before families. */
const JSON_KINDS: readonly (readonly [Exclude<JsonPredicateKind, 'unknown'>, (type: string) => boolean])[] = [
  ['cosign-sign', (t) => t === COSIGN_SIGN_PREDICATE_TYPE],
  ['cosign-custom', (t) => t === required('custom')],
  ['vuln', (t) => t === required('vuln')],
  ['spdx', versionedFamily(required('spdx'))],
  ['cyclonedx', versionedFamily(required('cyclonedx'))],
  ['openvex', versionedFamily(required('openvex'))],
  ['link', versionedFamily(familyOf(required('link')))],
];

/** A frozen copy of the predicate, checked to be JSON (the Statement may have been built by hand). */
function frozenJson(predicate: JsonObject | undefined): JsonObject | undefined {
  if (predicate === undefined) return undefined;
  const issues = new IssueCollector();
  const copy = copyJson(predicate, '', issues);
  issues.throwIfAny(CODE);
  if (!isObject(copy)) {
    throw new ParseError(CODE, [
      { path: '', message: `a predicate must be a JSON object, found ${describe(copy)}` },
    ]);
  }
  return deepFreeze(copy);
}

/**
 * Recognises a Statement's predicate by its predicateType and parses it: SLSA provenance v1 and v0.2 (and
 * `https://in-toto.io/Provenance/v0.1`, read as v0.2) and SLSA VSAs into their typed models; cosign's sign and
 * custom predicates, SPDX, CycloneDX, vulnerability scans, OpenVEX and in-toto links (each with its versioned
 * URIs where they have them) kept as frozen JSON; anything else is `unknown`, also kept as JSON.
 *
 * @throws ParseError `ERR_MALFORMED_PREDICATE` naming every bad JSON path of a SLSA or VSA predicate (or a
 *   predicate that is not JSON)
 * @example
 * ```ts
 * const parsed = parsePredicate(parseStatementJson(payload));
 * if (parsed.kind === 'slsa-provenance-v1') console.log(parsed.value.runDetails.builder.id);
 * else if (parsed.kind === 'spdx') console.log(parsed.value?.spdxVersion);
 * ```
 */
export function parsePredicate(statement: Statement): ParsedPredicate {
  const predicateType = statement.predicateType;
  if (predicateType === required('slsaprovenance1')) {
    return Object.freeze({
      kind: 'slsa-provenance-v1',
      predicateType,
      value: parseSlsaProvenanceV1(statement.predicate),
    });
  }
  if (
    predicateType === SLSA_PROVENANCE_V02_PREDICATE_TYPE ||
    predicateType === INTOTO_PROVENANCE_V01_PREDICATE_TYPE
  ) {
    return Object.freeze({
      kind: 'slsa-provenance-v0.2',
      predicateType,
      value: parseSlsaProvenanceV02(statement.predicate),
    });
  }
  if (predicateType === VSA_V1_PREDICATE_TYPE || predicateType === VSA_V02_PREDICATE_TYPE) {
    return Object.freeze({ kind: 'vsa', predicateType, value: parseVsa(statement) });
  }
  const kind = JSON_KINDS.find(([, matches]) => matches(predicateType))?.[0] ?? 'unknown';
  return Object.freeze({ kind, predicateType, value: frozenJson(statement.predicate) });
}
