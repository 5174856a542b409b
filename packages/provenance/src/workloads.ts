// The image references a deploy would run, read from Kubernetes YAML, a docker-compose file or a plain list.
import {
  describeJson as describeValue,
  type ImageReference,
  type Issue,
  isObject,
  type JsonObject,
  joinPath,
  ParseError,
  parseImageReference,
  UsageError,
} from '@vouch/core';
import type { Document, LineCounter } from 'yaml';
import { yamlLibrary } from './lazy-libraries.js';

/** Which kind of file {@link imagesFromManifest} found. */
export type ManifestFormat = 'kubernetes' | 'compose' | 'list';

/** One distinct image a manifest names, with every place that names it. */
export interface WorkloadImage {
  /** The normalized reference (`docker.io/library/nginx:1.25`): equal spellings collapse into one entry. */
  readonly reference: string;
  readonly parsed: ImageReference;
  /** The first place it appears, e.g. `deploy.yaml: Deployment/web spec.template.spec.initContainers[0]`. */
  readonly where: string;
  /** Every place it appears, in file order (`where` is the first). */
  readonly locations: readonly string[];
}

/** The result of {@link imagesFromManifest}: distinct images in order of first appearance. */
export interface WorkloadImages {
  readonly format: ManifestFormat;
  readonly images: readonly WorkloadImage[];
}

// Where each workload kind keeps its pod spec. A Map, so `kind: constructor` finds nothing.
const TEMPLATE_SPEC = ['spec', 'template', 'spec'] as const;
const POD_SPEC_PATHS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['Pod', ['spec']],
  ['PodTemplate', ['template', 'spec']],
  ['ReplicationController', TEMPLATE_SPEC],
  ['ReplicaSet', TEMPLATE_SPEC],
  ['Deployment', TEMPLATE_SPEC],
  ['StatefulSet', TEMPLATE_SPEC],
  ['DaemonSet', TEMPLATE_SPEC],
  ['Job', TEMPLATE_SPEC],
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
]);
const CONTAINER_FIELDS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
// Lists nest only by accident; aliases can even make them cyclic, so the walk stops here.
const MAX_LIST_DEPTH = 8;
const EXPECTED_FILE =
  'a Kubernetes manifest (documents with apiVersion and kind), a docker-compose file (a top-level services map) ' +
  'or a list of image references (one per line)';

type Path = readonly (string | number)[];

/** Own properties only: `kind: __proto__`-style keys must not reach Object.prototype. */
function field(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function pathString(path: Path): string {
  return path.reduce<string>((acc, key) => joinPath(acc, key), '');
}

/** Collects images and issues across one file; positions come from the YAML nodes when there are any. */
class Collector {
  readonly #byReference = new Map<string, { parsed: ImageReference; locations: string[] }>();
  readonly referenceIssues: Issue[] = [];
  readonly shapeIssues: Issue[] = [];

  add(value: unknown, where: string, location: string): void {
    let parsed: ImageReference;
    try {
      parsed = parseImageReference(value, location);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.referenceIssues.push(...e.issues);
      return;
    }
    const entry = this.#byReference.get(parsed.canonical);
    if (entry === undefined) this.#byReference.set(parsed.canonical, { parsed, locations: [where] });
    else entry.locations.push(where);
  }

  result(format: ManifestFormat, source: string): WorkloadImages {
    if (this.shapeIssues.length > 0) throw new ParseError('ERR_USAGE', this.shapeIssues);
    if (this.referenceIssues.length > 0)
      throw new ParseError('ERR_MALFORMED_REFERENCE', this.referenceIssues);
    if (this.#byReference.size === 0) {
      // A gate that checked nothing must not read as a pass.
      throw new UsageError(
        'ERR_USAGE',
        `${source}: no image references found in this ${describeFormat(format)}`,
      );
    }
    const images = [...this.#byReference].map(([reference, { parsed, locations }]) =>
      Object.freeze({
        reference,
        parsed,
        where: locations[0] ?? '',
        locations: Object.freeze([...locations]),
      }),
    );
    return Object.freeze({ format, images: Object.freeze(images) });
  }
}

function describeFormat(format: ManifestFormat): string {
  if (format === 'kubernetes') return 'Kubernetes manifest';
  if (format === 'compose') return 'docker-compose file';
  return 'list of references';
}

/** Positions in one YAML document: the deepest node on `path` that exists (merge keys and aliases hide some). */
class Locator {
  constructor(
    readonly source: string,
    readonly doc: Document.Parsed,
    readonly lines: LineCounter,
  ) {}

  at(path: Path): string {
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      const range = hasRange(node) ? node.range : undefined;
      if (range) {
        const { line, col } = this.lines.linePos(range[0]);
        return `${this.source}:${line}:${col}`;
      }
    }
    return this.source;
  }
}

function hasRange(node: unknown): node is { range?: readonly [number, number, number] | null } {
  return typeof node === 'object' && node !== null && 'range' in node;
}

/** Lines that are single whitespace-free tokens and not YAML mapping or sequence syntax. */
function looksLikeList(text: string): boolean {
  return listLines(text).every(
    ({ value }) => !/\s/.test(value) && !value.startsWith('-') && !/:$/.test(value),
  );
}

/** Non-blank lines with `#` comments (at the start or after whitespace) removed; references never hold `#`. */
function listLines(text: string): { value: string; line: number; col: number }[] {
  const out: { value: string; line: number; col: number }[] = [];
  text.split('\n').forEach((raw, i) => {
    const uncommented = raw.replace(/(^|\s)#.*$/, '');
    const value = uncommented.trim();
    if (value === '') return;
    out.push({ value, line: i + 1, col: uncommented.length - uncommented.trimStart().length + 1 });
  });
  return out;
}

function fromList(text: string, source: string): WorkloadImages {
  const collector = new Collector();
  for (const { value, line, col } of listLines(text.replace(/^\uFEFF/, ''))) {
    collector.add(value, `${source}: line ${line}`, `${source}:${line}:${col}`);
  }
  return collector.result('list', source);
}

interface ParsedYaml {
  readonly docs: readonly Document.Parsed[];
  readonly lines: LineCounter;
}

function parseYaml(text: string, source: string): ParsedYaml {
  const { LineCounter: Lines, parseAllDocuments } = yamlLibrary();
  const lines = new Lines();
  try {
    const docs = parseAllDocuments(text, { lineCounter: lines, merge: true, prettyErrors: false });
    return { docs: [...docs], lines };
  } catch (e) {
    // The parser's own failure on hostile input (e.g. stack depth) is still a bad file, not a crash.
    throw new ParseError('ERR_USAGE', `${source}: could not be read as YAML: ${String(e)}`, { cause: e });
  }
}

function toValue(locator: Locator): unknown {
  try {
    // The default alias limit stops billion-laughs expansion.
    return locator.doc.toJS();
  } catch (e) {
    throw new ParseError(
      'ERR_USAGE',
      [{ path: locator.at([]), message: `could not be expanded: ${String(e)}` }],
      {
        cause: e,
      },
    );
  }
}

function isStructured(value: unknown): boolean {
  return (
    isObject(value) &&
    (Object.hasOwn(value, 'kind') || Object.hasOwn(value, 'apiVersion') || Object.hasOwn(value, 'services'))
  );
}

/**
 * Every image reference a deploy of `text` would run, for the gate (`vouch verify --policy P -f FILE`).
 *
 * The kind of file is detected: a top-level `services` map is docker-compose (`services.<name>.image`; a service
 * with only `build` is skipped); documents with `apiVersion`/`kind` are Kubernetes (multi-document with `---`,
 * `List` and `<Kind>List` with `items`), where every container, init container and ephemeral container of a
 * Pod, PodTemplate, ReplicationController, ReplicaSet, Deployment, StatefulSet, DaemonSet, Job or CronJob
 * counts and other kinds are ignored; anything else is a list of references, one per line, with `#` comments and
 * blank lines. References are normalized and deduplicated, keeping every place each one appears. Pure: `source`
 * is only the name used in messages and locations.
 *
 * @throws ParseError `ERR_MALFORMED_REFERENCE` listing every bad reference with file, line, column and path;
 *   `ERR_USAGE` for YAML that does not parse or a workload that does not have the expected shape (with file,
 *   line and column).
 * @throws UsageError `ERR_USAGE` when the file names no image at all (a gate over nothing must not pass).
 * @example
 * ```ts
 * const { images } = imagesFromManifest(await readFile('deploy.yaml', 'utf8'), 'deploy.yaml');
 * images[0]; // { reference: 'ghcr.io/acme/web:1.2', where: 'deploy.yaml: Deployment/web spec.template.spec.containers[0]', … }
 * ```
 */
export function imagesFromManifest(text: string, source: string): WorkloadImages {
  const { docs, lines } = parseYaml(text, source);
  const errors = docs.flatMap((d) => d.errors);
  const locators = docs.map((doc) => new Locator(source, doc, lines));
  const values = errors.length === 0 ? locators.map((locator) => toValue(locator)) : [];
  const structured = values.some(isStructured);
  if (!structured) {
    const onlyScalars = errors.length === 0 && values.every((v) => v === null || typeof v !== 'object');
    if (onlyScalars || looksLikeList(text)) return fromList(text, source);
    if (errors.length > 0) {
      throw new ParseError(
        'ERR_USAGE',
        errors.map((e) => {
          const { line, col } = lines.linePos(e.pos[0]);
          return { path: `${source}:${line}:${col}`, message: `is not valid YAML: ${e.message}` };
        }),
      );
    }
    throw new ParseError('ERR_USAGE', [
      { path: locators[0]?.at([]) ?? source, message: `expected ${EXPECTED_FILE}` },
    ]);
  }

  const collector = new Collector();
  const first = values.findIndex((v) => v !== null);
  const firstValue = values[first];
  if (
    values.filter((v) => v !== null).length === 1 &&
    isObject(firstValue) &&
    Object.hasOwn(firstValue, 'services') &&
    !Object.hasOwn(firstValue, 'kind')
  ) {
    const locator = locators[first];
    if (locator !== undefined) readCompose(firstValue, locator, collector);
    return collector.result('compose', source);
  }
  values.forEach((value, i) => {
    const locator = locators[i];
    if (value === null || locator === undefined) return;
    if (!isObject(value)) {
      collector.shapeIssues.push({
        path: locator.at([]),
        message: `expected a Kubernetes object (apiVersion, kind), found ${describeValue(value)}`,
      });
      return;
    }
    readObject(value, [], undefined, locator, collector, 0);
  });
  return collector.result('kubernetes', source);
}

function readCompose(file: JsonObject, locator: Locator, collector: Collector): void {
  const services = field(file, 'services');
  if (!isObject(services)) {
    collector.shapeIssues.push({
      path: `${locator.at(['services'])} services`,
      message: `must be a map of services, found ${describeValue(services)}`,
    });
    return;
  }
  for (const name of Object.keys(services)) {
    const service = field(services, name);
    const path = ['services', name];
    const where = `${locator.source}: ${pathString(path)}`;
    if (!isObject(service)) {
      collector.shapeIssues.push({
        path: `${locator.at(path)} ${pathString(path)}`,
        message: `must be a service (a map with image or build), found ${describeValue(service)}`,
      });
      continue;
    }
    const image = field(service, 'image');
    // A service built locally has no registry image to verify.
    if (image === undefined && field(service, 'build') !== undefined) continue;
    const imagePath = [...path, 'image'];
    collector.add(image, where, `${locator.at(imagePath)} ${pathString(imagePath)}`);
  }
}

function readObject(
  obj: JsonObject,
  path: Path,
  defaultKind: string | undefined,
  locator: Locator,
  collector: Collector,
  depth: number,
): void {
  const kindValue = field(obj, 'kind') ?? defaultKind;
  if (typeof kindValue !== 'string' || kindValue === '') {
    collector.shapeIssues.push({
      path: `${locator.at([...path, 'kind'])} ${pathString([...path, 'kind'])}`,
      message: `must be a non-empty string naming the Kubernetes kind, found ${describeValue(kindValue)}`,
    });
    return;
  }
  if (kindValue === 'List' || kindValue.endsWith('List')) {
    readList(obj, path, kindValue, locator, collector, depth);
    return;
  }
  const specPath = POD_SPEC_PATHS.get(kindValue);
  if (specPath === undefined) return;
  const metadata = field(obj, 'metadata');
  const name = isObject(metadata) ? field(metadata, 'name') : undefined;
  const label = typeof name === 'string' && name !== '' ? `${kindValue}/${name}` : kindValue;
  // Paths in messages are relative to the object, as `kubectl explain` spells them.
  const at = (rel: Path) => `${locator.at([...path, ...rel])} ${label} ${pathString(rel)}`;

  let spec: unknown = obj;
  const rel: (string | number)[] = [];
  for (const key of specPath) {
    if (!isObject(spec)) break;
    spec = field(spec, key);
    rel.push(key);
  }
  if (!isObject(spec)) {
    collector.shapeIssues.push({
      path: at(rel),
      message: `expected a pod spec (a map) at ${pathString(specPath)}, found ${describeValue(spec)}`,
    });
    return;
  }
  for (const containerField of CONTAINER_FIELDS) {
    const list = field(spec, containerField);
    const listPath = [...specPath, containerField];
    if (list === undefined || (list === null && containerField !== 'containers')) continue;
    if (!Array.isArray(list)) {
      collector.shapeIssues.push({
        path: at(listPath),
        message: `must be a list of containers, found ${describeValue(list)}`,
      });
      continue;
    }
    list.forEach((container: unknown, i) => {
      const containerPath = [...listPath, i];
      const where = `${locator.source}: ${label} ${pathString(containerPath)}`;
      if (!isObject(container)) {
        collector.shapeIssues.push({
          path: at(containerPath),
          message: `must be a container (a map with image), found ${describeValue(container)}`,
        });
        return;
      }
      collector.add(field(container, 'image'), where, at([...containerPath, 'image']));
    });
  }
}

function readList(
  obj: JsonObject,
  path: Path,
  kind: string,
  locator: Locator,
  collector: Collector,
  depth: number,
): void {
  const itemsPath = [...path, 'items'];
  const items = field(obj, 'items');
  if (depth >= MAX_LIST_DEPTH) {
    collector.shapeIssues.push({
      path: `${locator.at(itemsPath)} ${pathString(itemsPath)}`,
      message: `lists nest deeper than ${MAX_LIST_DEPTH} levels`,
    });
    return;
  }
  if (items === undefined || items === null) return;
  if (!Array.isArray(items)) {
    collector.shapeIssues.push({
      path: `${locator.at(itemsPath)} ${pathString(itemsPath)}`,
      message: `must be a list of Kubernetes objects, found ${describeValue(items)}`,
    });
    return;
  }
  // Typed lists (`PodList`) from the API may leave `kind` off their items.
  const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
  items.forEach((item: unknown, i) => {
    const itemPath = [...itemsPath, i];
    if (!isObject(item)) {
      collector.shapeIssues.push({
        path: `${locator.at(itemPath)} ${pathString(itemPath)}`,
        message: `must be a Kubernetes object (apiVersion, kind), found ${describeValue(item)}`,
      });
      return;
    }
    readObject(item, itemPath, itemKind, locator, collector, depth + 1);
  });
}
