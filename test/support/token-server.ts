// A Docker registry token server (distribution's docs/spec/auth/token.md) on 127.0.0.1, for the real-registry tests.
import { execFile } from 'node:child_process';
import { createPrivateKey, type KeyObject, randomUUID, sign, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One access grant as the token's `access` claim carries it. */
export interface TokenAccess {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** What the server saw and answered for one successful `GET /token`. */
export interface IssuedToken {
  readonly account: string;
  readonly service: string;
  /** The `scope` parameters as sent (repeated parameters and space-separated lists both split). */
  readonly scopes: readonly string[];
  readonly access: readonly TokenAccess[];
}

export interface TokenServerOptions {
  readonly username: string;
  readonly password: string;
  /** The registry's `auth.token.service`; the token's `aud`. Default `vouch-test-registry`. */
  readonly service?: string;
  /** The token's `iss`, which the registry must list as `auth.token.issuer`. Default `vouch-test-token-issuer`. */
  readonly issuer?: string;
  /** Actions the server ever grants; requested actions outside this list are dropped. Default pull, push, delete. */
  readonly grantable?: readonly string[];
  /** `expires_in` and the `exp` claim, in seconds. Default 300. */
  readonly expiresIn?: number;
  /** Directory (created here, removed by close) for the signing key and certificate. Default: a new temp dir. */
  readonly dir?: string;
}

export interface TokenServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `http://127.0.0.1:PORT/token`, the registry's `auth.token.realm`. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The self-signed certificate whose key signs tokens: the registry's `auth.token.rootcertbundle`. */
  readonly certPem: string;
  readonly certFile: string;
  /** Every token issued so far, oldest first. */
  readonly issued: readonly IssuedToken[];
  /** Number of `/token` requests, including refused ones. */
  readonly requests: number;
  /** Makes every `/token` request answer this status until reset with `undefined`. */
  fail(status: number | undefined): void;
  close(): Promise<void>;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Splits `repository:NAME:a,b` at the first and last colon (names never hold one; a type may be `repository(plugin)`). */
function parseScope(scope: string, grantable: readonly string[]): TokenAccess | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last <= first) return undefined;
  const requested = scope.slice(last + 1).split(',');
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: [...new Set(requested.filter((a) => grantable.includes(a)))],
  };
}

function credentialsMatch(
  header: string | undefined,
  username: string,
  password: string,
): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = decoded.slice(0, colon);
  return user === username && decoded.slice(colon + 1) === password ? user : undefined;
}

/**
 * Starts a token server on a free loopback port. Tokens are ES256 JWTs whose header carries `x5c` with the signing
 * certificate: distribution 2.8 checks that chain against `rootcertbundle`, then the signature with the leaf's key.
 *
 * @example
 * const tokens = await startTokenServer({ username: 'alice', password: 's3cret' });
 * // registry config: auth.token { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer,
 * //                               rootcertbundle: tokens.certFile }
 * await tokens.close();
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const service = options.service ?? 'vouch-test-registry';
  const issuer = options.issuer ?? 'vouch-test-token-issuer';
  const grantable = options.grantable ?? ['pull', 'push', 'delete'];
  const expiresIn = options.expiresIn ?? 300;

  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'vouch-token-')));
  await mkdir(dir, { recursive: true });
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=vouch test token issuer',
  ]);
  const certPem = await readFile(certFile, 'utf8');
  const key: KeyObject = createPrivateKey(await readFile(keyFile, 'utf8'));
  const x5c = [new X509Certificate(certPem).raw.toString('base64')];

  const issued: IssuedToken[] = [];
  let requests = 0;
  let failure: number | undefined;

  const mint = (account: string, access: readonly TokenAccess[]): { token: string; issuedAt: Date } => {
    const issuedAt = new Date();
    const now = Math.floor(issuedAt.getTime() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', x5c };
    const claims = {
      iss: issuer,
      sub: account,
      aud: service,
      exp: now + expiresIn,
      nbf: now - 1,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    // JWS wants ECDSA signatures as raw r||s, not DER.
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return { token: `${input}.${base64url(signature)}`, issuedAt };
  };

  type Reply = { status: number; body: unknown; challenge?: string };
  const error = (status: number, code: string, message?: string): Reply => ({
    status,
    body: { errors: [{ code, ...(message === undefined ? {} : { message }) }] },
  });

  const answer = (req: IncomingMessage, url: URL): Reply => {
    if (failure !== undefined) return error(failure, 'INJECTED_FAILURE');
    if (req.method !== 'GET') return error(405, 'UNSUPPORTED');
    const account = credentialsMatch(req.headers.authorization, options.username, options.password);
    if (account === undefined) {
      return {
        ...error(401, 'UNAUTHORIZED', 'bad credentials'),
        challenge: 'Basic realm="vouch-test-token-server"',
      };
    }
    const requestedService = url.searchParams.get('service');
    if (requestedService !== service)
      return error(400, 'INVALID_SERVICE', `unknown service ${requestedService}`);
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ').filter((x) => x !== ''));
    const access: TokenAccess[] = [];
    for (const scope of scopes) {
      const parsed = parseScope(scope, grantable);
      if (parsed === undefined) return error(400, 'INVALID_SCOPE', scope);
      if (parsed.actions.length > 0) access.push(parsed);
    }
    const { token, issuedAt } = mint(account, access);
    issued.push({ account, service, scopes, access });
    const body = { token, access_token: token, expires_in: expiresIn, issued_at: issuedAt.toISOString() };
    return { status: 200, body };
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let reply: Reply;
    if (url.pathname === '/token') {
      requests += 1;
      reply = answer(req, url);
    } else {
      reply = error(404, 'NOT_FOUND');
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (reply.challenge !== undefined) headers['www-authenticate'] = reply.challenge;
    res.writeHead(reply.status, headers);
    res.end(JSON.stringify(reply.body));
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closed = false;

  return {
    url,
    realm: `${url}/token`,
    service,
    issuer,
    certPem,
    certFile,
    issued,
    get requests() {
      return requests;
    },
    fail(status) {
      failure = status;
    },
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
