// Test support: a minimal TUF repository (root, timestamp, snapshot, targets; one Ed25519 key per role) served over
// HTTP on 127.0.0.1, publishing Sigstore's `trusted_root.json` target, for clients such as @sigstore/tuf.
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Role = 'root' | 'timestamp' | 'snapshot' | 'targets';
const ROLES: readonly Role[] = ['root', 'timestamp', 'snapshot', 'targets'];

/** TUF's canonical JSON (OLPC): sorted keys, no whitespace. Enough for the ASCII strings and integers written here. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

interface RoleKey {
  readonly id: string;
  readonly json: Record<string, unknown>;
  readonly privateKey: KeyObject;
}

function roleKey(): RoleKey {
  const pair = generateKeyPairSync('ed25519');
  // The raw 32-byte key is the SPKI DER's tail.
  const raw = pair.publicKey.export({ type: 'spki', format: 'der' }).subarray(12);
  const json = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw.toString('hex') } };
  return {
    id: createHash('sha256').update(canonical(json)).digest('hex'),
    json,
    privateKey: pair.privateKey,
  };
}

function signed(body: Record<string, unknown>, key: RoleKey): string {
  const sig = sign(null, Buffer.from(canonical(body)), key.privateKey).toString('hex');
  return JSON.stringify({ signed: body, signatures: [{ keyid: key.id, sig }] });
}

export interface TufRepository {
  /** The mirror URL a client is given. */
  readonly url: string;
  /** `1.root.json`: the root a client starts trusting from (`rootPath`). */
  readonly initialRoot: string;
  /** Publishes `trusted_root.json` as a new version of targets, snapshot and timestamp. */
  publish(trustedRoot: string | Uint8Array): void;
  /** Serves `body` for `path` (e.g. `/timestamp.json`) instead of what is published, until `publish` is called. */
  override(path: string, body: string | Uint8Array): void;
  /** Signs a document for `role` with a key the root does not list (for tests of refused metadata). */
  signWithUntrustedKey(body: Record<string, unknown>): string;
  /** The current metadata of `role`, as published (the `signed` part). */
  metadata(role: Exclude<Role, 'root'>): Record<string, unknown>;
  /** The bytes served now for `path`. */
  served(path: string): Buffer;
  /** Paths requested so far. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts a TUF repository (spec 1.0, no consistent snapshots) on a random loopback port; its metadata expires in a day.
 *
 * @example
 * ```ts
 * const repo = await startTufRepository();
 * repo.publish(readFileSync('trusted_root.json'));
 * ```
 */
export async function startTufRepository(): Promise<TufRepository> {
  const keys = Object.fromEntries(ROLES.map((r) => [r, roleKey()])) as Record<Role, RoleKey>;
  const expires = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const header = (type: Role, version: number) => ({ _type: type, spec_version: '1.0.31', version, expires });
  const files = new Map<string, Buffer>();
  const overrides = new Map<string, Buffer>();
  const requests: string[] = [];
  const published: Partial<Record<Role, Record<string, unknown>>> = {};
  let version = 0;

  const initialRoot = signed(
    {
      ...header('root', 1),
      consistent_snapshot: false,
      keys: Object.fromEntries(ROLES.map((r) => [keys[r].id, keys[r].json])),
      roles: Object.fromEntries(ROLES.map((r) => [r, { keyids: [keys[r].id], threshold: 1 }])),
    },
    keys.root,
  );
  files.set('/1.root.json', Buffer.from(initialRoot));

  const put = (role: Exclude<Role, 'root'>, body: Record<string, unknown>): void => {
    published[role] = body;
    files.set(`/${role}.json`, Buffer.from(signed(body, keys[role])));
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    const body = overrides.get(path) ?? files.get(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    initialRoot,
    publish(trustedRoot) {
      version += 1;
      overrides.clear();
      const target = Buffer.from(trustedRoot);
      files.set('/targets/trusted_root.json', target);
      const hash = createHash('sha256').update(target).digest('hex');
      put('targets', {
        ...header('targets', version),
        targets: { 'trusted_root.json': { length: target.length, hashes: { sha256: hash } } },
      });
      put('snapshot', { ...header('snapshot', version), meta: { 'targets.json': { version } } });
      put('timestamp', { ...header('timestamp', version), meta: { 'snapshot.json': { version } } });
    },
    override(path, body) {
      overrides.set(path, Buffer.from(body));
    },
    signWithUntrustedKey(body) {
      return signed(body, roleKey());
    },
    metadata(role) {
      const body = published[role];
      if (body === undefined) throw new Error(`nothing published for ${role} yet`);
      return body;
    },
    served(path) {
      const body = overrides.get(path) ?? files.get(path);
      if (body === undefined) throw new Error(`nothing served at ${path}`);
      return body;
    },
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
