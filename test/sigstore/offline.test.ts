// Verification opens no socket: the built CLIs run every conformance happy path (and some failures) in a child process
// whose network APIs all exit 99 (test/support/no-network.ts); a control proves the trap fires.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFORMANCE_BIN, VOUCH_BIN } from '../support/bins.js';
import { caseFile, loadVectorSet, type VectorCase } from '../support/vectors.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PRELOAD = resolve(HERE, '../support/no-network.ts');
const set = loadVectorSet('sigstore-conformance');
/** The exit code of test/support/no-network.ts (not imported: importing it would trap this process too). */
const NETWORK_EXIT_CODE = 99;

interface Outcome {
  readonly code: number;
  readonly stderr: string;
}

const run = promisify(execFile);

/** `node [--import no-network] ARGS` with a bare environment (no proxy variables, no inherited settings). */
async function node(args: readonly string[], options: { trapped: boolean }): Promise<Outcome> {
  const argv = [...(options.trapped ? ['--import', PRELOAD] : []), ...args];
  try {
    const done = await run(process.execPath, argv, { env: { PATH: process.env.PATH ?? '' } });
    return { code: 0, stderr: done.stderr };
  } catch (e) {
    if (typeof e !== 'object' || e === null || !('code' in e) || typeof e.code !== 'number') throw e;
    return { code: e.code, stderr: 'stderr' in e ? String(e.stderr) : '' };
  }
}

const trapped = (args: readonly string[]): Promise<Outcome> => node(args, { trapped: true });

function file(c: VectorCase, key: string): string | undefined {
  const f = c.files[key];
  const path = typeof f === 'string' ? f : f?.path;
  return typeof path === 'string' ? join(set.dir, path) : undefined;
}

/** How the case is trusted: its key, or its identity (cosign's flag names, shared by both bins). */
function trustArgs(c: VectorCase): string[] {
  const key = file(c, 'key');
  if (key !== undefined) return ['--key', key];
  return ['--certificate-identity', String(c.identity), '--certificate-oidc-issuer', String(c.issuer)];
}

/** The conformance protocol: `verify-bundle --bundle B (identity | --key K) --trusted-root R ARTIFACT`. */
function conformanceArgs(c: VectorCase): string[] {
  const root = file(c, 'trustedRoot');
  return [
    CONFORMANCE_BIN,
    'verify-bundle',
    '--bundle',
    join(set.dir, caseFile(c, 'bundle')),
    ...trustArgs(c),
    ...(root === undefined ? [] : ['--trusted-root', root]),
    join(set.dir, caseFile(c, 'artifact')),
  ];
}

/** `vouch verify-blob --offline`; a case made against the public-good root uses the shipped one (no --trusted-root). */
function verifyBlobArgs(c: VectorCase): string[] {
  const root = c.trustedRootDefaulted === true ? undefined : file(c, 'trustedRoot');
  return [
    VOUCH_BIN,
    'verify-blob',
    join(set.dir, caseFile(c, 'artifact')),
    '--bundle',
    join(set.dir, caseFile(c, 'bundle')),
    ...trustArgs(c),
    ...(root === undefined ? [] : ['--trusted-root', root]),
    '--offline',
  ];
}

function vectorCase(id: string): VectorCase {
  const c = set.cases.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no case ${id}`);
  return c;
}

const happy = set.cases.filter((c) => c.expect === 'pass');
/** `verify-blob` checks blob signatures: message signatures (a DSSE statement must be cosign's, not provenance). */
const happyBlobSignatures = happy.filter((c) => {
  const bundle = set.json(caseFile(c, 'bundle'));
  return typeof bundle === 'object' && bundle !== null && 'messageSignature' in bundle;
});
/** Failures at different stages, some of which an online verifier would resolve by fetching something. */
const FAILING = [
  'bundle-malformed-json_fail', // the bundle parser
  'bundle-from-wrong-instance_fail', // staging material: a client might fetch the staging root
  'checkpoint-wrong-roothash_fail', // the log entry
  'invalid-ct-key_fail', // the SCT
  'rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail', // a TSA certificate that chains nowhere
  'intoto-expired-certificate_fail', // the certificate's validity
  'managed-key-wrong-key_fail', // the key file
].map(vectorCase);

function expectNoNetwork(o: Outcome): void {
  expect(o.code, o.stderr).not.toBe(NETWORK_EXIT_CODE);
  expect(o.stderr).not.toContain('no-network:');
}

describe('the no-network preload (control)', () => {
  let server: Server;
  let url: string;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests += 1;
      res.end('reached');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const script = (body: string): string[] => ['--input-type=module', '-e', body];

  it('without the preload, a child reaches the loopback server', async () => {
    const o = await node(
      script(`const r = await fetch(${JSON.stringify(url)}); console.log(await r.text());`),
      {
        trapped: false,
      },
    );
    expect(o.code, o.stderr).toBe(0);
    expect(requests).toBe(1);
  });

  const port = 9; // discard: nothing listens, and nothing may even try
  it.each([
    ['fetch', () => `await fetch(${JSON.stringify(url)});`],
    ['http.get', () => `const http = await import('node:http'); http.get(${JSON.stringify(url)});`],
    ['net.connect', () => `const net = await import('node:net'); net.connect(${port}, '127.0.0.1');`],
    [
      'named import',
      () => `const { createConnection } = await import('node:net'); createConnection(${port});`,
    ],
    ['net.Socket#connect', () => `const net = await import('node:net'); new net.Socket().connect(${port});`],
    ['tls.connect', () => `const tls = await import('node:tls'); tls.connect(${port}, '127.0.0.1');`],
    ['dgram.createSocket', () => `const dgram = await import('node:dgram'); dgram.createSocket('udp4');`],
    ['dns.lookup', () => `const dns = await import('node:dns'); dns.lookup('localhost', () => {});`],
    [
      'dns.promises.lookup',
      () => `const dns = await import('node:dns'); await dns.promises.lookup('localhost');`,
    ],
    [
      'dns.Resolver#resolve4',
      () => `const dns = await import('node:dns'); new dns.Resolver().resolve4('localhost', () => {});`,
    ],
    [
      'a caught error does not hide it',
      () => `try { await fetch(${JSON.stringify(url)}); } catch {} process.exit(0);`,
    ],
  ])('with the preload, %s exits 99', async (_name, body) => {
    const before = requests;
    const o = await trapped(script(`${body()} await new Promise((r) => setTimeout(r, 200));`));
    expect(o.code, o.stderr).toBe(NETWORK_EXIT_CODE);
    expect(o.stderr).toContain('no-network:');
    expect(requests).toBe(before);
  });
});

describe('the built VOUCH_BIN under the preload (control)', () => {
  it('keyless signing, which needs the network, exits 99', async () => {
    if (!existsSync(VOUCH_BIN)) throw new Error(`${VOUCH_BIN} is missing: build first (pnpm run build)`);
    const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = {
      iss: 'https://oidc.test',
      sub: 'me',
      aud: 'sigstore',
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    const token = `${part({ alg: 'none' })}.${part(claims)}.c2ln`;
    const nowhere = 'http://127.0.0.1:9';
    const o = await trapped([
      VOUCH_BIN,
      'sign-blob',
      join(set.dir, 'bundle-verify/a.txt'),
      '--keyless',
      '--fulcio-url',
      nowhere,
      '--rekor-url',
      nowhere,
      '--identity-token',
      token,
      '--bundle',
      join(tmpdir(), `vouch-offline-${process.pid}.json`),
    ]);
    expect(o.code, o.stderr).toBe(NETWORK_EXIT_CODE);
    expect(o.stderr).toContain('no-network:');
  });
});

// Concurrent: each test is its own child process.
describe.concurrent('verification opens no socket', () => {
  beforeAll(() => {
    for (const bin of [VOUCH_BIN, CONFORMANCE_BIN])
      if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (pnpm run build)`);
  });

  it('covers every happy path of the suite', () => {
    expect(happy.length).toBeGreaterThanOrEqual(20);
    expect(happyBlobSignatures.length).toBeGreaterThanOrEqual(15);
  });

  /** [command, case, argv]: every happy path through the conformance bin and `verify-blob`, and one image verify. */
  const image = vectorCase('happy-path-v0.3');
  const runs: [string, string, string[]][] = [
    ...happy.map((c): [string, string, string[]] => [
      'vouch-conformance verify-bundle',
      c.id,
      conformanceArgs(c),
    ]),
    ...happyBlobSignatures.map((c): [string, string, string[]] => [
      'vouch verify-blob --offline',
      c.id,
      verifyBlobArgs(c),
    ]),
    [
      'vouch verify IMAGE@DIGEST --offline (no registry: the bundle is given)',
      image.id,
      [
        VOUCH_BIN,
        'verify',
        `registry.example.com/app@sha256:${String(image.artifactSha256)}`,
        '--bundle',
        join(set.dir, caseFile(image, 'bundle')),
        ...trustArgs(image),
        '--offline',
      ],
    ],
  ];

  it.each(runs)('%s %s: verified', async (_command, _id, args) => {
    const o = await trapped(args);
    expectNoNetwork(o);
    expect(o.code, o.stderr).toBe(0);
  });

  it.each(FAILING.map((c) => [c.id, c] as const))(
    '%s: refused without touching the network',
    async (_id, c) => {
      for (const args of [conformanceArgs(c), verifyBlobArgs(c)]) {
        const o = await trapped(args);
        expectNoNetwork(o);
        expect(o.code, o.stderr).not.toBe(0);
      }
    },
  );
});
