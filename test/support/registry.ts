// Real OCI registries for tests: distribution's `docker-registry` on 127.0.0.1, plain or TLS, open, basic or token auth.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTokenServer, type TokenServer } from './token-server.js';

const run = promisify(execFile);

/** Where Debian's `docker-registry` package puts distribution 2.8 (`scripts/ensure-registry.sh` installs it). */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 5;

export interface RegistryOptions {
  /** Serve HTTPS with a fresh CA and a server certificate for IP 127.0.0.1. Default false. */
  readonly tls?: boolean;
  /** `basic`: htpasswd (bcrypt); `token`: Bearer tokens from a {@link TokenServer} started alongside. Default none. */
  readonly auth?: 'none' | 'basic' | 'token';
}

export interface RunningRegistry {
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT`, as an image reference names the registry. */
  readonly host: string;
  /** The CA that issued the server certificate (TLS only). */
  readonly caPem?: string;
  readonly caFile?: string;
  /** Credentials for basic auth, or for the token server (token auth). */
  readonly username?: string;
  readonly password?: string;
  /** The token server the registry trusts (token auth only). */
  readonly tokenServer?: TokenServer;
  /** The registry's temp dir (config, certs, storage under `data/`). */
  readonly dir: string;
  /** Kills the registry (and its token server) and removes its temp dir; safe to call twice. */
  stop(): Promise<void>;
}

// The registry runs under a small Node watchdog whose stdin is a pipe from this process: when this process ends in any
// way (vitest terminates worker threads without an 'exit' event), the pipe closes and the watchdog kills the registry
// and removes its temp dir, so no registry outlives a run even when a test forgets stop().
const WATCHDOG = `
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');
const [dir, bin, ...args] = process.argv.slice(1);
const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
const kill = (signal) => { if (child.exitCode === null && child.signalCode === null) child.kill(signal); };
let orphaned = false;
process.stdin.on('data', () => {});
process.stdin.on('end', () => { orphaned = true; kill('SIGKILL'); });
process.stdin.on('error', () => { orphaned = true; kill('SIGKILL'); });
process.on('SIGTERM', () => kill('SIGTERM'));
child.on('error', (e) => { process.stderr.write(String(e)); process.exit(127); });
child.on('exit', (code) => {
  if (orphaned) rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? 1);
});
`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** JSON strings are YAML double-quoted scalars, so every path and secret is quoted safely. */
const q = (s: string): string => JSON.stringify(s);

async function makeTlsFiles(
  dir: string,
): Promise<{ caPem: string; caFile: string; cert: string; key: string }> {
  const caFile = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.pem');
  const ext = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKey,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=vouch test registry CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', '-new', ...ec, '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  await writeFile(
    ext,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '2',
    '-extfile',
    ext,
    '-out',
    cert,
  ]);
  return { caPem: await readFile(caFile, 'utf8'), caFile, cert, key };
}

function configYaml(options: {
  dir: string;
  port: number;
  tls: { cert: string; key: string } | undefined;
  auth: string[];
}): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(join(options.dir, 'data'))}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${q(`127.0.0.1:${options.port}`)}`,
    `  secret: ${q(randomBytes(24).toString('hex'))}`,
  ];
  if (options.tls) {
    lines.push('  tls:', `    certificate: ${q(options.tls.cert)}`, `    key: ${q(options.tls.key)}`);
  }
  lines.push(...options.auth);
  return `${lines.join('\n')}\n`;
}

/** A registry's answer to `GET /v2/` (200 or 401) means it is serving; connection errors mean not yet. */
function probe(url: string, ca: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const target = new URL('/v2/', url);
    const req =
      target.protocol === 'https:'
        ? httpsRequest(target, { method: 'GET', ...(ca === undefined ? {} : { ca }), timeout: 1000 })
        : httpRequest(target, { method: 'GET', timeout: 1000 });
    req.on('response', (res) => {
      res.resume();
      // Only a registry sends this header: anything else on the port (it was free a moment ago) is not ours.
      resolve(res.headers['docker-distribution-api-version'] === 'registry/2.0');
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
    child.kill('SIGKILL');
    await waitForExit(child, STOP_TIMEOUT_MS);
  }
}

/** Spawns the registry and polls `/v2/` until it answers; `retry` when the port was taken in the meantime. */
async function launch(
  dir: string,
  configFile: string,
  url: string,
  ca: string | undefined,
): Promise<{ child: ChildProcess } | { retry: true } | { error: string }> {
  // A clean environment: REGISTRY_* variables would override the config file.
  const child = spawn(process.execPath, ['-e', WATCHDOG, dir, REGISTRY_BINARY, 'serve', configFile], {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 64_000) stderr += chunk.toString('utf8');
  });
  let exited = false;
  let spawnError: Error | undefined;
  child.once('exit', () => {
    exited = true;
  });
  child.once('error', (e) => {
    spawnError = e;
    exited = true;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      if (/address already in use/i.test(stderr)) return { retry: true };
      return {
        error: `docker-registry exited before serving: ${spawnError?.message ?? ''}${stderr.trim()}`,
      };
    }
    if (await probe(url, ca)) return { child };
    await new Promise((r) => setTimeout(r, 25));
  }
  await stopChild(child);
  return { error: `docker-registry did not answer GET /v2/ within ${READY_TIMEOUT_MS} ms: ${stderr.trim()}` };
}

/**
 * Starts distribution's registry (2.8, `/usr/bin/docker-registry`) on a free 127.0.0.1 port, waits until `/v2/`
 * answers and returns how to reach it. Each call gets its own temp dir, storage, CA, credentials and token server.
 *
 * @example
 * const registry = await startRegistry({ tls: true, auth: 'basic' });
 * try {
 *   // https.request(`${registry.url}/v2/`, { ca: registry.caPem, auth: `${registry.username}:${registry.password}` })
 * } finally {
 *   await registry.stop();
 * }
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const auth = options.auth ?? 'none';
  try {
    await access(REGISTRY_BINARY, constants.X_OK);
  } catch (cause) {
    throw new Error(`${REGISTRY_BINARY} is missing: run bash scripts/ensure-registry.sh`, { cause });
  }
  const dir = await mkdtemp(join(tmpdir(), 'vouch-registry-'));
  let tokenServer: TokenServer | undefined;
  try {
    const tlsFiles = options.tls ? await makeTlsFiles(dir) : undefined;
    const credentials =
      auth === 'none' ? undefined : { username: 'vouch-tester', password: randomBytes(16).toString('hex') };
    const authLines: string[] = [];
    if (auth === 'basic' && credentials) {
      const { stdout } = await run('htpasswd', ['-Bbn', credentials.username, credentials.password]);
      const htpasswdFile = join(dir, 'htpasswd');
      await writeFile(htpasswdFile, `${stdout.trim()}\n`);
      authLines.push(
        'auth:',
        '  htpasswd:',
        `    realm: ${q('vouch-test-registry')}`,
        `    path: ${q(htpasswdFile)}`,
      );
    }
    if (auth === 'token' && credentials) {
      tokenServer = await startTokenServer({ ...credentials, dir: join(dir, 'token') });
      authLines.push(
        'auth:',
        '  token:',
        `    realm: ${q(tokenServer.realm)}`,
        `    service: ${q(tokenServer.service)}`,
        `    issuer: ${q(tokenServer.issuer)}`,
        `    rootcertbundle: ${q(tokenServer.certFile)}`,
      );
    }
    const configFile = join(dir, 'config.yml');
    for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      const port = await freePort();
      const host = `127.0.0.1:${port}`;
      const url = `${options.tls ? 'https' : 'http'}://${host}`;
      const tls = tlsFiles ? { cert: tlsFiles.cert, key: tlsFiles.key } : undefined;
      await writeFile(configFile, configYaml({ dir, port, tls, auth: authLines }));
      const launched = await launch(dir, configFile, url, tlsFiles?.caPem);
      if ('retry' in launched) continue;
      if ('error' in launched) throw new Error(launched.error);
      const { child } = launched;
      let stopped = false;
      const ts = tokenServer;
      return {
        url,
        host,
        dir,
        ...(tlsFiles ? { caPem: tlsFiles.caPem, caFile: tlsFiles.caFile } : {}),
        ...(credentials ?? {}),
        ...(ts ? { tokenServer: ts } : {}),
        async stop() {
          if (stopped) return;
          stopped = true;
          await stopChild(child);
          await ts?.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    throw new Error(`docker-registry: no free port after ${PORT_ATTEMPTS} attempts`);
  } catch (error) {
    await tokenServer?.close();
    await rm(dir, { recursive: true, force: true });
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new Error(`${error.message} (run: bash scripts/ensure-registry.sh)`, { cause: error });
    }
    throw error;
  }
}
