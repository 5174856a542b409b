// Real HTTP Fulcio, Rekor (v1 and v2) and TSA servers on 127.0.0.1, built on @sigstore/mock, with their trusted root.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The mock's submodules, not its index: the index loads nock, which patches node:http for the whole process.
import { fulcioHandler, initializeCA, initializeCTLog } from '@sigstore/mock/dist/fulcio/index.js';
import { initializeTLog, rekorHandler, type TLog } from '@sigstore/mock/dist/rekor/index.js';
import type { Handler } from '@sigstore/mock/dist/shared.types.js';
import { initializeTSA, tsaHandler } from '@sigstore/mock/dist/timestamp/index.js';
import { generateKeyPair } from '@sigstore/mock/dist/util/key.js';

/** The `iss` of the tokens {@link SigstoreServices.identityToken} makes (Fulcio's mock copies it into the certificate). */
export const TEST_ISSUER = 'https://oidc.vouch.test';
/** The default `sub` (the certificate's URI SAN). */
export const TEST_SUBJECT = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main';
/** The request token the fake GitHub Actions OIDC endpoint expects as `Authorization: bearer …`. */
export const GITHUB_REQUEST_TOKEN = 'gha-request-token';

export type ServiceName = 'fulcio' | 'rekor' | 'tsa' | 'github';

export interface SigstoreServices {
  readonly fulcioUrl: string;
  readonly rekorUrl: string;
  /** The TSA's full endpoint URL, as a signing config names it. */
  readonly tsaUrl: string;
  /** A GitHub Actions style OIDC endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL`); audience must be `sigstore`. */
  readonly githubOidcUrl: string;
  /** `trusted_root.json` for exactly these services (CA, Rekor key, CT log, TSA chain). */
  readonly trustedRoot: Readonly<Record<string, unknown>>;
  /** A `signing_config.json` (v0.2) naming these services. */
  signingConfig(options?: { rekorV2?: boolean; tsa?: boolean }): Record<string, unknown>;
  /** `vouch sign` flags that sign keyless with these services (a fresh token; the TSA too unless `tsa: false`). */
  signFlags(options?: { tsa?: boolean }): string[];
  /** The API's keyless options for these services (a fresh token, no retries; the TSA only with `tsa: true`). */
  keylessOptions(options?: { tsa?: boolean }): {
    identityToken: string;
    fulcioUrl: string;
    rekorUrls: string[];
    tsaUrls?: string[];
    retries: number;
  };
  /** An HS256 JWT with `iss`, `sub`, `aud: sigstore` (Fulcio's mock decodes without verifying). */
  identityToken(claims?: Readonly<Record<string, unknown>>): string;
  /** Makes a service answer every request with this HTTP status until reset with `undefined`. */
  fail(service: ServiceName, status: number | undefined): void;
  /** Requests received, per service. */
  readonly requests: Readonly<Record<ServiceName, number>>;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, body: Buffer) => Promise<{ status: number; type: string; body: Buffer }>;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function fromHandler(handler: Handler): Route {
  return async (_req, body) => {
    const r = await handler.fn(body.toString('utf8'));
    const bytes =
      typeof r.response === 'string'
        ? Buffer.from(r.response)
        : Buffer.from(r.response.buffer, r.response.byteOffset, r.response.byteLength);
    return { status: r.statusCode, type: r.contentType ?? 'text/plain', body: bytes };
  };
}

async function listen(
  name: ServiceName,
  routes: () => ReadonlyMap<string, Route>,
  state: { failures: Map<ServiceName, number>; requests: Record<ServiceName, number> },
): Promise<{ server: Server; origin: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests[name] += 1;
    const send = (status: number, type: string, body: Buffer | string): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    readBody(req)
      .then(async (body) => {
        const failure = state.failures.get(name);
        if (failure !== undefined) return send(failure, 'application/json', '{"message":"injected failure"}');
        const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
        const route = routes().get(`${req.method} ${path}`);
        if (!route) return send(404, 'text/plain', `no route ${req.method} ${path}`);
        const r = await route(req, body);
        return send(r.status, r.type, r.body);
      })
      .catch((e: unknown) => send(500, 'text/plain', String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

function sha256(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

function jsonBody(body: Buffer): Record<string, unknown> {
  const value: unknown = JSON.parse(body.toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('expected a JSON object');
  return value as Record<string, unknown>;
}

/** What the mock's `TLog.log` returns per entry (its declared type comes from a package the root does not have). */
interface LogEntryShape {
  body: string;
  logID: string;
  verification?: { inclusionProof?: { rootHash: string; treeSize: number; checkpoint: string } };
}

interface EnvelopeJsonShape {
  payload: string;
  payloadType: string;
  signatures: { sig: string; keyid?: string }[];
}

/**
 * Rekor stores a DSSE entry in its canonical form (hashes and signatures), not as proposed; @sigstore/mock logs the
 * proposal as is, which no verifier accepts, so the servers canonicalize first, as Rekor does.
 */
function canonicalDsseV1(proposed: Record<string, unknown>): Record<string, unknown> {
  const spec = proposed.spec as { proposedContent: { envelope: string; verifiers: string[] } };
  const envelope = JSON.parse(spec.proposedContent.envelope) as EnvelopeJsonShape;
  const [verifier] = spec.proposedContent.verifiers;
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(spec.proposedContent.envelope).toString('hex') },
      payloadHash: {
        algorithm: 'sha256',
        value: sha256(Buffer.from(envelope.payload, 'base64')).toString('hex'),
      },
      signatures: envelope.signatures.map((sg) => ({ signature: sg.sig, verifier })),
    },
  };
}

function rekorV1Route(tlog: TLog): Route {
  const passThrough = fromHandler(rekorHandler(tlog, { strict: true }));
  return async (req, body) => {
    const proposed = jsonBody(body);
    if (proposed.kind !== 'dsse') return passThrough(req, body);
    const entry = await tlog.log(canonicalDsseV1(proposed));
    return { status: 201, type: 'application/json', body: Buffer.from(JSON.stringify(entry)) };
  };
}

/** Rekor v2: the canonical `dsse` or `hashedrekord` 0.0.2 entry, index 0 of a one-leaf tree, no SET and no integrated time. */
function rekorV2Route(tlog: TLog): Route {
  return async (_req, body) => {
    const json = jsonBody(body);
    const dsse = json.dsseRequestV002 as
      | {
          envelope: EnvelopeJsonShape;
          verifiers: { x509Certificate?: { rawBytes: string }; keyDetails: string }[];
        }
      | undefined;
    const hashed = json.hashedRekordRequestV002 as
      | { digest: string; signature: { content: string; verifier: Record<string, unknown> } }
      | undefined;
    let kind: string;
    let spec: Record<string, unknown>;
    if (dsse) {
      const [verifier] = dsse.verifiers;
      kind = 'dsse';
      spec = {
        dsseV002: {
          payloadHash: {
            algorithm: 'SHA2_256',
            digest: sha256(Buffer.from(dsse.envelope.payload, 'base64')).toString('base64'),
          },
          signatures: dsse.envelope.signatures.map((sg) => ({ content: sg.sig, verifier })),
        },
      };
    } else if (hashed) {
      kind = 'hashedrekord';
      spec = {
        hashedRekordV002: {
          data: { algorithm: 'SHA2_256', digest: hashed.digest },
          signature: hashed.signature,
        },
      };
    } else {
      return {
        status: 400,
        type: 'text/plain',
        body: Buffer.from('only dsseRequestV002 and hashedRekordRequestV002 are served'),
      };
    }
    const canonical = { apiVersion: '0.0.2', kind, spec };
    const logged = Object.values((await tlog.log(canonical)) as Record<string, LogEntryShape>)[0];
    if (!logged?.verification?.inclusionProof) throw new Error('the mock log returned no inclusion proof');
    const proof = logged.verification.inclusionProof;
    const entry = {
      logIndex: '0',
      logId: { keyId: Buffer.from(logged.logID, 'hex').toString('base64') },
      kindVersion: { kind, version: '0.0.2' },
      inclusionProof: {
        logIndex: '0',
        rootHash: Buffer.from(proof.rootHash, 'hex').toString('base64'),
        treeSize: String(proof.treeSize),
        hashes: [],
        checkpoint: { envelope: proof.checkpoint },
      },
      canonicalizedBody: logged.body,
    };
    return { status: 201, type: 'application/json', body: Buffer.from(JSON.stringify(entry)) };
  };
}

function b64(bytes: ArrayBufferView): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Starts Fulcio (`POST /api/v2/signingCert`), Rekor (`POST /api/v1/log/entries`, `POST /api/v2/log/entries`), a TSA
 * (`POST /api/v1/timestamp`) and a GitHub Actions OIDC endpoint, each on its own random loopback port.
 *
 * @example
 * ```ts
 * const services = await startSigstoreServices();
 * afterAll(() => services.close());
 * ```
 */
export async function startSigstoreServices(): Promise<SigstoreServices> {
  const state = {
    failures: new Map<ServiceName, number>(),
    requests: { fulcio: 0, rekor: 0, tsa: 0, github: 0 } as Record<ServiceName, number>,
  };
  const hmacKey = randomBytes(32);
  const makeToken = (claims: Readonly<Record<string, unknown>> = {}): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({
        iss: TEST_ISSUER,
        sub: TEST_SUBJECT,
        aud: 'sigstore',
        iat: now,
        exp: now + 600,
        ...claims,
      }),
    ).toString('base64url');
    const sig = createHmac('sha256', hmacKey).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${sig}`;
  };
  // Routes are filled in once the ports are known: Rekor's checkpoint origin is its host.
  const table: Record<ServiceName, Map<string, Route>> = {
    fulcio: new Map(),
    rekor: new Map(),
    tsa: new Map(),
    github: new Map(),
  };
  const servers = await Promise.all(
    (['fulcio', 'rekor', 'tsa', 'github'] as const).map((n) => listen(n, () => table[n], state)),
  );
  const [fulcio, rekor, tsa, github] = servers;
  if (!fulcio || !rekor || !tsa || !github) throw new Error('servers did not start');
  const start = new Date(Date.now() - 60_000).toISOString();

  const ctKeys = generateKeyPair('prime256v1');
  const ctlog = await initializeCTLog(ctKeys);
  const ca = await initializeCA(generateKeyPair('prime256v1'), ctlog);
  const fulcioRoute = fromHandler(fulcioHandler(ca, { strict: true }));
  table.fulcio.set('POST /api/v2/signingCert', fulcioRoute);

  const tlogKeys = generateKeyPair('prime256v1');
  const tlog = await initializeTLog(rekor.origin, tlogKeys);
  table.rekor.set('POST /api/v1/log/entries', rekorV1Route(tlog));
  table.rekor.set('POST /api/v2/log/entries', rekorV2Route(tlog));

  // The mock writes genTime with the clock's milliseconds, trailing zeros dropped (".45Z"), which @sigstore/core
  // refuses at random: its clock is this Date, set to the whole second before each request.
  const tsaClock = new Date();
  const timestampAuthority = await initializeTSA(generateKeyPair('prime256v1'), tsaClock);
  const tsaRoute = fromHandler(tsaHandler(timestampAuthority, { strict: true }));
  table.tsa.set('POST /api/v1/timestamp', (req, body) => {
    tsaClock.setTime(Math.floor(Date.now() / 1000) * 1000);
    return tsaRoute(req, body);
  });

  table.github.set('GET /token', async (req) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ok =
      req.headers.authorization === `bearer ${GITHUB_REQUEST_TOKEN}` &&
      url.searchParams.get('audience') === 'sigstore';
    return ok
      ? {
          status: 200,
          type: 'application/json',
          body: Buffer.from(JSON.stringify({ value: makeToken({ sub: `${TEST_SUBJECT}#github` }) })),
        }
      : { status: 401, type: 'application/json', body: Buffer.from('{"message":"bad request token"}') };
  });

  const tlogKey = tlog.publicKey;
  const trustedRoot = Object.freeze({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: rekor.origin,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: b64(tlogKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: createHash('sha256').update(tlogKey).digest('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: fulcio.origin,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start },
      },
    ],
    ctlogs: [
      {
        baseUrl: `${fulcio.origin}/ct`,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(ctlog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: b64(ctlog.logID) },
      },
    ],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: `${tsa.origin}/api/v1/timestamp`,
        certChain: {
          certificates: [
            { rawBytes: b64(timestampAuthority.intCertificate) },
            { rawBytes: b64(timestampAuthority.rootCertificate) },
          ],
        },
        validFor: { start },
      },
    ],
  });

  const service = (url: string, majorApiVersion = 1) => ({
    url,
    majorApiVersion,
    validFor: { start },
    operator: 'vouch.test',
  });
  return {
    fulcioUrl: fulcio.origin,
    rekorUrl: rekor.origin,
    tsaUrl: `${tsa.origin}/api/v1/timestamp`,
    githubOidcUrl: `${github.origin}/token?api-version=2.0`,
    trustedRoot,
    signingConfig(options = {}) {
      return {
        mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
        caUrls: [service(fulcio.origin)],
        oidcUrls: [],
        rekorTlogUrls: [service(rekor.origin, options.rekorV2 ? 2 : 1)],
        rekorTlogConfig: { selector: 'ANY' },
        tsaUrls: options.tsa ? [service(`${tsa.origin}/api/v1/timestamp`)] : [],
        tsaConfig: { selector: 'ANY' },
      };
    },
    identityToken: makeToken,
    signFlags(options = {}) {
      const timestamps =
        options.tsa === false ? [] : ['--timestamp-server-url', `${tsa.origin}/api/v1/timestamp`];
      return [
        '--keyless',
        '--identity-token',
        makeToken(),
        '--fulcio-url',
        fulcio.origin,
        '--rekor-url',
        rekor.origin,
        ...timestamps,
      ];
    },
    keylessOptions(options = {}) {
      return {
        identityToken: makeToken(),
        fulcioUrl: fulcio.origin,
        rekorUrls: [rekor.origin],
        ...(options.tsa === true ? { tsaUrls: [`${tsa.origin}/api/v1/timestamp`] } : {}),
        retries: 0,
      };
    },
    fail(name, status) {
      if (status === undefined) state.failures.delete(name);
      else state.failures.set(name, status);
    },
    requests: state.requests,
    async close() {
      await Promise.all(
        servers.map(
          ({ server }) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
