// Google Cloud Build's provenance document read the way slsa-verifier's Go structs read it: typed fields, zero values, deep equality.
import { copyJson, describeJson, type IssueCollector, isObject, joinPath } from '@vouch/core';

/**
 * A JSON value projected onto a Go struct: absent and `null` become the Go zero value (`''`, `false`, `undefined`
 * for nil slices, maps and pointers), so two projections are equal exactly when Go's `reflect.DeepEqual` would say so.
 */
export type GoValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly GoValue[]
  | { readonly [key: string]: GoValue };

/** Reads one JSON value as a Go type, recording a type error as an issue (Go's `UnmarshalTypeError`). */
type Shape = (value: unknown, path: string, issues: IssueCollector) => GoValue;

const goString: Shape = (v, path, issues) => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  issues.add(path, `must be a string, found ${describeJson(v)}`);
  return '';
};

const goBool: Shape = (v, path, issues) => {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  issues.add(path, `must be a boolean, found ${describeJson(v)}`);
  return false;
};

/** `interface{}`: any JSON value, copied. */
const goAny: Shape = (v, path, issues) => (v === undefined ? null : (copyJson(v, path, issues) as GoValue));

/** `map[string]string` (a DigestSet, a builder version). */
const goStringMap: Shape = (v, path, issues) => {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    issues.add(path, `must be an object of strings, found ${describeJson(v)}`);
    return undefined;
  }
  return Object.fromEntries(Object.keys(v).map((k) => [k, goString(v[k], joinPath(path, k), issues)]));
};

/** `map[string]interface{}`. */
const goAnyMap: Shape = (v, path, issues) => {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    issues.add(path, `must be an object, found ${describeJson(v)}`);
    return undefined;
  }
  return copyJson(v, path, issues) as GoValue;
};

/** `[]byte`: standard base64 in JSON; kept as its text, canonical enough for equality of GCB's own output. */
const goBytes: Shape = (v, path, issues) => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0) return v;
  issues.add(
    path,
    `must be standard base64, found ${typeof v === 'string' ? 'other text' : describeJson(v)}`,
  );
  return undefined;
};

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * `*time.Time`: RFC 3339. Projected to `<nanoseconds since epoch>|<zone>` since Go compares the instant and the
 * location (`Z` is UTC, a numeric offset a fixed zone), not the text.
 */
const goTime: Shape = (v, path, issues) => {
  if (v === undefined || v === null) return undefined;
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  if (m === null) {
    issues.add(
      path,
      `must be an RFC 3339 time, found ${typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : describeJson(v)}`,
    );
    return undefined;
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  if (
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    back.getUTCFullYear() !== year
  ) {
    issues.add(path, `must be a valid calendar time, found ${JSON.stringify(v)}`);
    return undefined;
  }
  const offsetMinutes = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const nanos = BigInt(ms / 1000 - offsetMinutes * 60) * 1_000_000_000n + BigInt((m[7] ?? '').padEnd(9, '0'));
  return `${nanos}|${m[8] === 'Z' ? 'UTC' : `${offsetMinutes}`}`;
};

function goArray(item: Shape): Shape {
  return (v, path, issues) => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      issues.add(path, `must be an array, found ${describeJson(v)}`);
      return undefined;
    }
    return v.map((e: unknown, i) => item(e, joinPath(path, i), issues));
  };
}

/** A struct (zero struct when absent or null); `pointer` makes absent/null nil instead. */
function goStruct(fields: Readonly<Record<string, Shape>>, pointer = false): Shape {
  return (v, path, issues) => {
    if ((v === undefined || v === null) && pointer) return undefined;
    const obj = isObject(v) ? v : {};
    if (v !== undefined && v !== null && !isObject(v))
      issues.add(path, `must be an object, found ${describeJson(v)}`);
    return Object.fromEntries(
      Object.keys(fields).map((k) => {
        const shape = fields[k] as Shape;
        return [k, shape(Object.hasOwn(obj, k) ? obj[k] : undefined, joinPath(path, k), issues)];
      }),
    );
  };
}

const subject = goStruct({ name: goString, digest: goStringMap });
const header = { _type: goString, predicateType: goString, subject: goArray(subject) };

/** slsa-verifier's GCB copy of the in-toto v0.1 predicate (`definedInMaterial` deliberately left out, as upstream). */
const predicateV01 = goStruct({
  builder: goStruct({ id: goString }),
  recipe: goStruct({ type: goString, entryPoint: goString, arguments: goAny, environment: goAny }),
  metadata: goStruct(
    {
      buildStartedOn: goTime,
      buildFinishedOn: goTime,
      completeness: goStruct({ arguments: goBool, environment: goBool, materials: goBool }),
      reproducible: goBool,
    },
    true,
  ),
  materials: goArray(goStruct({ uri: goString, digest: goStringMap })),
});

const resourceDescriptor = goStruct({
  uri: goString,
  digest: goStringMap,
  name: goString,
  downloadLocation: goString,
  mediaType: goString,
  content: goBytes,
  annotations: goAnyMap,
});

/** in-toto-golang's SLSA v1 predicate. */
const predicateV1 = goStruct({
  buildDefinition: goStruct({
    buildType: goString,
    externalParameters: goAny,
    internalParameters: goAny,
    resolvedDependencies: goArray(resourceDescriptor),
  }),
  runDetails: goStruct({
    builder: goStruct({
      id: goString,
      version: goStringMap,
      builderDependencies: goArray(resourceDescriptor),
    }),
    metadata: goStruct({ invocationId: goString, startedOn: goTime, finishedOn: goTime }),
    byproducts: goArray(resourceDescriptor),
  }),
});

/** The signed statement of each predicate type, and GCB's human-readable copy of it (v0.1 names it `slsaProvenance`). */
export const STATEMENT_V01 = goStruct({ ...header, predicate: predicateV01 });
export const STATEMENT_V1 = goStruct({ ...header, predicate: predicateV1 });
const textV01 = goStruct({ ...header, slsaProvenance: predicateV01 });

const envelope = goStruct({
  payloadType: goString,
  payload: goString,
  signatures: goArray(goStruct({ keyid: goString, sig: goString })),
});

const document = goStruct({
  image_summary: goStruct({
    digest: goString,
    fully_qualified_digest: goString,
    registry: goString,
    repository: goString,
  }),
  provenance_summary: goStruct({
    provenance: goArray(
      goStruct({
        build: goStruct({ intotoStatement: textV01, inTotoSlsaProvenanceV1: STATEMENT_V1 }),
        kind: goString,
        resourceUri: goString,
        envelope,
      }),
    ),
  }),
});

/** One `provenance_summary.provenance[]` entry. */
export interface GcbProvenanceEntry {
  readonly kind: string;
  readonly resourceUri: string;
  /** The human-readable v0.1 statement, as a v0.1 statement (`slsaProvenance` read as `predicate`). */
  readonly textV01: GoValue;
  readonly textV1: GoValue;
  readonly envelope: {
    readonly payloadType: string;
    readonly payload: string;
    readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
  };
}

/** The document `gcloud artifacts docker images describe --show-provenance --format json` prints. */
export interface GcbDocument {
  readonly imageSummary: { readonly digest: string; readonly fullyQualifiedDigest: string };
  readonly provenance: readonly GcbProvenanceEntry[];
}

/**
 * Reads a field of a projected struct (`undefined` past anything that is not a struct).
 *
 * @example
 * ```ts
 * field(statement, 'predicate', 'builder', 'id');
 * ```
 */
export function field(value: GoValue, ...path: readonly string[]): GoValue {
  let v: GoValue = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as { readonly [k: string]: GoValue })[key];
  }
  return v;
}

/**
 * A projected string field (`''` when it is anything else).
 *
 * @example
 * ```ts
 * stringField(statement, '_type'); // 'https://in-toto.io/Statement/v0.1'
 * ```
 */
export function stringField(value: GoValue, ...path: readonly string[]): string {
  const v = field(value, ...path);
  return typeof v === 'string' ? v : '';
}

/**
 * Projects a signed statement onto slsa-verifier's struct for its version; the issues list every field of the wrong type.
 *
 * @example
 * ```ts
 * const go = project('v0.1', JSON.parse(payloadText), issues, 'payload');
 * ```
 */
export function project(shape: 'v0.1' | 'v1', value: unknown, issues: IssueCollector, path = ''): GoValue {
  return (shape === 'v1' ? STATEMENT_V1 : STATEMENT_V01)(value, path, issues);
}

/**
 * Reads the document as slsa-verifier's `json.Unmarshal` into its structs would: every field it declares must have
 * its Go type (absent and `null` are zero values), other fields are ignored. The top level must be an object.
 *
 * @example
 * ```ts
 * const issues = new IssueCollector();
 * const doc = readGcbDocument(JSON.parse(text), issues);
 * issues.throwIfAny('ERR_MALFORMED_ENVELOPE');
 * ```
 */
export function readGcbDocument(input: unknown, issues: IssueCollector): GcbDocument {
  if (!isObject(input) && input !== null)
    issues.add('', `must be a JSON object, found ${describeJson(input)}`);
  const doc = document(input, '', issues);
  const entries = field(doc, 'provenance_summary', 'provenance');
  const provenance = (Array.isArray(entries) ? entries : []).map((e: GoValue) => {
    const text = field(e, 'build', 'intotoStatement');
    const sigs = field(e, 'envelope', 'signatures');
    return Object.freeze({
      kind: stringField(e, 'kind'),
      resourceUri: stringField(e, 'resourceUri'),
      textV01: Object.freeze({
        _type: field(text, '_type'),
        predicateType: field(text, 'predicateType'),
        subject: field(text, 'subject'),
        predicate: field(text, 'slsaProvenance'),
      }),
      textV1: field(e, 'build', 'inTotoSlsaProvenanceV1'),
      envelope: Object.freeze({
        payloadType: stringField(e, 'envelope', 'payloadType'),
        payload: stringField(e, 'envelope', 'payload'),
        signatures: Object.freeze(
          (Array.isArray(sigs) ? sigs : []).map((s: GoValue) =>
            Object.freeze({ keyid: stringField(s, 'keyid'), sig: stringField(s, 'sig') }),
          ),
        ),
      }),
    });
  });
  return Object.freeze({
    imageSummary: Object.freeze({
      digest: stringField(doc, 'image_summary', 'digest'),
      fullyQualifiedDigest: stringField(doc, 'image_summary', 'fully_qualified_digest'),
    }),
    provenance: Object.freeze(provenance),
  });
}

/**
 * Go's `reflect.DeepEqual` over projections: nil and empty differ, object key sets must match, numbers by value.
 *
 * @example
 * ```ts
 * goDeepEqual(textStatement, signedStatement); // false when GCB's readable copy was edited
 * ```
 */
export function goDeepEqual(a: GoValue, b: GoValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v: GoValue, i) => goDeepEqual(v, b[i] as GoValue));
  }
  const ra = a as { readonly [k: string]: GoValue };
  const rb = b as { readonly [k: string]: GoValue };
  const ka = Object.keys(ra);
  if (ka.length !== Object.keys(rb).length) return false;
  return ka.every((k) => Object.hasOwn(rb, k) && goDeepEqual(ra[k], rb[k]));
}
