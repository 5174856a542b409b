// Tests of reading the images a deploy runs from Kubernetes YAML, docker-compose files and reference lists.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeOf, parseErrorOf } from '../../../test/support/errors.js';
import { applyTextEdits, textEdits } from '../../../test/support/text-mutation.js';
import { imagesFromManifest, type WorkloadImages } from '../src/workloads.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** `[reference, where]` pairs, flattened over every location, for compact expectations. */
function locations(result: WorkloadImages): [string, string][] {
  return result.images.flatMap((image) =>
    image.locations.map((where): [string, string] => [image.reference, where]),
  );
}

function podSpec(indent: string, containers: string): string {
  return containers
    .trim()
    .split('\n')
    .map((line) => indent + line)
    .join('\n');
}

const CONTAINERS = `
containers:
  - name: app
    image: ghcr.io/acme/app:1.0
initContainers:
  - name: init
    image: busybox:1.36
ephemeralContainers:
  - name: debug
    image: ghcr.io/acme/debug@${DIGEST}
`;

const WORKLOADS: readonly { kind: string; yaml: string; prefix: string }[] = [
  {
    kind: 'Pod',
    prefix: 'spec',
    yaml: `apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n${podSpec('  ', CONTAINERS)}\n`,
  },
  ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].map((kind) => ({
    kind,
    prefix: 'spec.template.spec',
    yaml: `apiVersion: apps/v1\nkind: ${kind}\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n${podSpec('      ', CONTAINERS)}\n`,
  })),
  {
    kind: 'Job',
    prefix: 'spec.template.spec',
    yaml: `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n${podSpec('      ', CONTAINERS)}\n`,
  },
  {
    kind: 'CronJob',
    prefix: 'spec.jobTemplate.spec.template.spec',
    yaml:
      'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: w\nspec:\n  schedule: "0 * * * *"\n  jobTemplate:\n' +
      `    spec:\n      template:\n        spec:\n${podSpec('          ', CONTAINERS)}\n`,
  },
];

describe('imagesFromManifest: Kubernetes', () => {
  it.each(WORKLOADS)(
    'reads containers, init and ephemeral containers of a $kind',
    ({ kind, yaml, prefix }) => {
      const result = imagesFromManifest(yaml, 'w.yaml');
      expect(result.format).toBe('kubernetes');
      expect(locations(result)).toEqual([
        ['ghcr.io/acme/app:1.0', `w.yaml: ${kind}/w ${prefix}.containers[0]`],
        ['docker.io/library/busybox:1.36', `w.yaml: ${kind}/w ${prefix}.initContainers[0]`],
        [`ghcr.io/acme/debug@${DIGEST}`, `w.yaml: ${kind}/w ${prefix}.ephemeralContainers[0]`],
      ]);
      expect(result.images[1]?.parsed.familiar).toBe('busybox:1.36');
      expect(Object.isFrozen(result.images)).toBe(true);
    },
  );

  it('reads every document of a multi-document file, ignores other kinds, and dedupes keeping every place', () => {
    const yaml = [
      '# leading comment',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n' +
        '        - {name: a, image: nginx:1.27}\n        - {name: b, image: ghcr.io/acme/side:2}',
      '',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: docker.io/library/nginx:1.27}]',
    ].join('\n---\n');
    const result = imagesFromManifest(yaml, 'all.yaml');
    expect(result.images.map((i) => i.reference)).toEqual([
      'docker.io/library/nginx:1.27',
      'ghcr.io/acme/side:2',
    ]);
    expect(result.images[0]?.where).toBe('all.yaml: Deployment/web spec.template.spec.containers[0]');
    expect(result.images[0]?.locations).toEqual([
      'all.yaml: Deployment/web spec.template.spec.containers[0]',
      'all.yaml: Pod/p spec.containers[0]',
    ]);
  });

  it('reads List and typed <Kind>List items (typed items may omit kind)', () => {
    const yaml = `apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec:
      jobTemplate:
        spec:
          template:
            spec:
              containers: [{name: c, image: ghcr.io/acme/batch:3}]
  - apiVersion: v1
    kind: PodList
    items:
      - metadata: {name: p1}
        spec:
          containers: [{name: c, image: alpine:3.20}]
`;
    expect(locations(imagesFromManifest(yaml, 'list.yaml'))).toEqual([
      [
        'ghcr.io/acme/batch:3',
        'list.yaml: CronJob/nightly spec.jobTemplate.spec.template.spec.containers[0]',
      ],
      ['docker.io/library/alpine:3.20', 'list.yaml: Pod/p1 spec.containers[0]'],
    ]);
  });

  it('finds images behind anchors and aliases', () => {
    const yaml = `apiVersion: v1
kind: List
items:
  - &pod {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: redis:7}]}}
  - *pod
`;
    expect(imagesFromManifest(yaml, 'k.yaml').images[0]?.locations).toHaveLength(2);
  });

  it('names file, line, column and path of a bad reference, listing every one', () => {
    const yaml = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      initContainers:
        - name: a
          image: Bad/Name
      containers:
        - name: b
          image: ok:1
        - name: c
          image: "ghcr.io/acme/app:\${TAG}"
`;
    const error = parseErrorOf(() => imagesFromManifest(yaml, 'deploy.yaml'));
    expect(error.code).toBe('ERR_MALFORMED_REFERENCE');
    // Containers come first, then init and ephemeral containers, each in file order.
    expect(error.issues.map((i) => i.path)).toEqual([
      'deploy.yaml:14:18 Deployment/web spec.template.spec.containers[1].image',
      'deploy.yaml:9:18 Deployment/web spec.template.spec.initContainers[0].image',
    ]);
    expect(error.message).toContain('repository must be lowercase');
    expect(error.message).toContain('tag must start with');
  });

  it('refuses a container without an image and a workload without a pod spec (fail closed)', () => {
    const noImage = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n';
    const e1 = parseErrorOf(() => imagesFromManifest(noImage, 'p.yaml'));
    expect(e1.code).toBe('ERR_MALFORMED_REFERENCE');
    expect(e1.issues[0]?.path).toBe('p.yaml:6:7 Pod/p spec.containers[0].image');
    expect(e1.message).toContain('is required');

    const noSpec = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template: 3\n';
    const e2 = parseErrorOf(() => imagesFromManifest(noSpec, 'd.yaml'));
    expect(e2.code).toBe('ERR_USAGE');
    expect(e2.issues[0]).toEqual({
      path: 'd.yaml:5:13 Deployment/d spec.template',
      message: 'expected a pod spec (a map) at spec.template.spec, found a number',
    });

    const badList = 'apiVersion: v1\nkind: Pod\nspec:\n  containers: {a: 1}\n';
    expect(parseErrorOf(() => imagesFromManifest(badList, 'b.yaml')).issues[0]).toEqual({
      path: 'b.yaml:4:15 Pod spec.containers',
      message: 'must be a list of containers, found an object',
    });
  });

  it('refuses a document without kind next to Kubernetes objects', () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nspec: {containers: [{image: a}]}\n---\nfoo: bar\n';
    const error = parseErrorOf(() => imagesFromManifest(yaml, 'm.yaml'));
    expect(error.code).toBe('ERR_USAGE');
    expect(error.issues[0]?.path).toBe('m.yaml:5:1 kind');
  });

  it('refuses malformed YAML with file, line and column', () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n    {image: a}\n  bad: x\n';
    const error = parseErrorOf(() => imagesFromManifest(yaml, 'broken.yaml'));
    expect(error.code).toBe('ERR_USAGE');
    expect(error.issues[0]?.path).toMatch(/^broken\.yaml:\d+:\d+$/);
    expect(error.issues[0]?.message).toMatch(/^is not valid YAML: /);
  });

  it('refuses duplicate keys (which image would run is ambiguous)', () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: a\n      image: b\n';
    expect(parseErrorOf(() => imagesFromManifest(yaml, 'dup.yaml')).issues[0]?.path).toBe('dup.yaml:6:7');
  });

  it('refuses a manifest with no workload at all, so a gate over nothing cannot pass', () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n';
    expect(outcomeOf(() => imagesFromManifest(yaml, 'c.yaml'))).toBe('error');
    expect(() => imagesFromManifest(yaml, 'c.yaml')).toThrow(/c\.yaml: no image references found/);
  });

  it('stops at alias expansion bombs with a coded error', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const yaml = `apiVersion: v1\nkind: Pod\n${levels.join('\n')}\n`;
    expect(parseErrorOf(() => imagesFromManifest(yaml, 'bomb.yaml')).code).toBe('ERR_USAGE');
  });
});

describe('imagesFromManifest: docker-compose', () => {
  it('reads services.<name>.image, skips build-only services, follows merge keys', () => {
    const yaml = `x-base: &base
  image: ghcr.io/acme/base:1
  restart: always
services:
  web:
    image: nginx:1.27
  worker:
    <<: *base
  built:
    build: .
  db:
    image: "postgres:16@${DIGEST}"
`;
    const result = imagesFromManifest(yaml, 'compose.yaml');
    expect(result.format).toBe('compose');
    expect(locations(result)).toEqual([
      ['docker.io/library/nginx:1.27', 'compose.yaml: services.web'],
      ['ghcr.io/acme/base:1', 'compose.yaml: services.worker'],
      [`docker.io/library/postgres:16@${DIGEST}`, 'compose.yaml: services.db'],
    ]);
  });

  it('refuses a service with neither image nor build, and bad references, naming the line', () => {
    const yaml = 'services:\n  a: {ports: ["80:80"]}\n  b:\n    image: UPPER\n';
    const error = parseErrorOf(() => imagesFromManifest(yaml, 'c.yml'));
    expect(error.code).toBe('ERR_MALFORMED_REFERENCE');
    expect(error.issues.map((i) => i.path)).toEqual([
      'c.yml:2:6 services.a.image',
      'c.yml:4:12 services.b.image',
    ]);
  });

  it('refuses services that is not a map', () => {
    const error = parseErrorOf(() => imagesFromManifest('services: [a, b]\n', 'c.yml'));
    expect(error.code).toBe('ERR_USAGE');
    expect(error.issues[0]?.path).toBe('c.yml:1:11 services');
  });
});

describe('imagesFromManifest: reference lists', () => {
  it('reads one reference per line with comments and blank lines', () => {
    const text = `# images for release 1.2
nginx:1.27

ghcr.io/acme/app@${DIGEST}   # pinned
  localhost:5000/team/tool:dev
[::1]:5000/app:1
docker.io/library/nginx:1.27\r
`;
    const result = imagesFromManifest(text, 'images.txt');
    expect(result.format).toBe('list');
    expect(locations(result)).toEqual([
      ['docker.io/library/nginx:1.27', 'images.txt: line 2'],
      ['docker.io/library/nginx:1.27', 'images.txt: line 7'],
      [`ghcr.io/acme/app@${DIGEST}`, 'images.txt: line 4'],
      ['localhost:5000/team/tool:dev', 'images.txt: line 5'],
      ['[::1]:5000/app:1', 'images.txt: line 6'],
    ]);
  });

  it('names file, line and column of every bad line', () => {
    const error = parseErrorOf(() => imagesFromManifest('alpine\n  Nope\nbad ref\n@x\n', 'l.txt'));
    expect(error.code).toBe('ERR_MALFORMED_REFERENCE');
    expect([...new Set(error.issues.map((i) => i.path))]).toEqual(['l.txt:2:3', 'l.txt:3:1', 'l.txt:4:1']);
  });

  it('refuses an empty list and a file that is none of the three', () => {
    expect(() => imagesFromManifest('# nothing\n\n', 'e.txt')).toThrow(/no image references found/);
    const error = parseErrorOf(() => imagesFromManifest('foo: bar\nbaz: [1]\n', 'x.yaml'));
    expect(error.code).toBe('ERR_USAGE');
    expect(error.issues[0]?.message).toMatch(/^expected a Kubernetes manifest/);
  });
});

describe('imagesFromManifest: properties', () => {
  const VALID = [
    WORKLOADS[1]?.yaml ?? '',
    'services:\n  web:\n    image: nginx:1.27\n',
    'nginx\n# c\nghcr.io/a/b:1\n',
  ];

  it('random text gives a value or a coded VouchError', () => {
    const chars = fc.constantFrom(
      ...'ab:-# \n[]{}&*!|>\'"%@`,?~\t.'.split(''),
      'kind',
      'image',
      'services',
      '---',
    );
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 40 }), (parts) => {
        outcomeOf(() => imagesFromManifest(parts.join(''), 'r.yaml'));
      }),
      { numRuns: 10_000 },
    );
  });

  it('mutated valid files give a value or a coded VouchError', () => {
    const texts = fc.constantFrom(
      '\n',
      ': ',
      '- ',
      '---\n',
      '*a',
      '&a ',
      '{',
      ']',
      '#',
      ' ',
      'kind: List\n',
      'items:',
    );
    fc.assert(
      fc.property(fc.constantFrom(...VALID), textEdits(texts), (valid, edits) => {
        outcomeOf(() => imagesFromManifest(applyTextEdits(valid, edits), 'm.yaml'));
      }),
      { numRuns: 10_000 },
    );
  });
});
