// TEST STAND-IN, not a registry: an HTTP server on 127.0.0.1 in front of the real registry (distribution 2.8) that adds
// the OCI 1.1 referrers API distribution 2.8 lacks, so the referrers path is tested against real storage. It answers
// `GET /v2/<name>/referrers/<digest>` from the manifests with a `subject` it saw pushed through it (as an OCI image
// index, with the `artifactType` filter and `OCI-Filters-Applied`), sets `OCI-Subject` on the PUT of such a manifest,
// and passes every other request through unchanged.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReferrersProxy {
  /** `127.0.0.1:PORT`, as an image reference names the registry. */
  readonly host: string;
  readonly url: string;
  /** Every request seen, as `METHOD /path?query`, in order. */
  readonly requests: readonly string[];
  /** Whether the `artifactType` filter is applied (default true); false acts as a registry that ignores it. */
  applyFilters: boolean;
  /** When false the proxy adds nothing: the registry's own answers (404 on referrers, no OCI-Subject) pass through. */
  referrersApi: boolean;
  close(): Promise<void>;
}

interface Referrer {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The referrer descriptor of a pushed manifest with a subject, as the distribution spec builds it; else undefined. */
function referrerOf(body: Buffer, contentType: string): { subject: string; entry: Referrer } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(json) || !isRecord(json.subject) || typeof json.subject.digest !== 'string') return undefined;
  const configType =
    isRecord(json.config) && typeof json.config.mediaType === 'string' ? json.config.mediaType : undefined;
  const artifactType = typeof json.artifactType === 'string' ? json.artifactType : configType;
  const annotations = isRecord(json.annotations) ? (json.annotations as Record<string, string>) : undefined;
  return {
    subject: json.subject.digest,
    entry: {
      mediaType: typeof json.mediaType === 'string' ? json.mediaType : contentType,
      digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
      size: body.byteLength,
      ...(artifactType === undefined ? {} : { artifactType }),
      ...(annotations === undefined ? {} : { annotations }),
    },
  };
}

/**
 * Starts the stand-in in front of `upstream` (`http://127.0.0.1:PORT` of a plain-HTTP registry).
 *
 * @example
 * const registry = await startRegistry();
 * const proxy = await startReferrersProxy(registry.url);
 * // use proxy.host as the registry; proxy.close() then registry.stop()
 */
export async function startReferrersProxy(upstream: string): Promise<ReferrersProxy> {
  const up = new URL(upstream);
  const referrers = new Map<string, Referrer[]>();
  const requests: string[] = [];
  const state = { applyFilters: true, referrersApi: true };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const listing = /^\/v2\/(.+)\/referrers\/([a-z0-9]+:[a-f0-9]+)$/.exec(url.pathname);
    if (req.method === 'GET' && listing && state.referrersApi) {
      const all = referrers.get(`${listing[1]}@${listing[2]}`) ?? [];
      const artifactType = state.applyFilters ? url.searchParams.get('artifactType') : null;
      const manifests = artifactType === null ? all : all.filter((r) => r.artifactType === artifactType);
      const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
      res.writeHead(200, {
        'content-type': OCI_INDEX,
        'content-length': Buffer.byteLength(body),
        ...(artifactType === null ? {} : { 'oci-filters-applied': 'artifactType' }),
      });
      res.end(body);
      return;
    }
    const body = await readBody(req);
    const pushed = req.method === 'PUT' ? /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(url.pathname) : null;
    const forward = request({
      host: up.hostname,
      port: up.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    forward.on('response', (answer) => {
      const headers = { ...answer.headers };
      const ok = (answer.statusCode ?? 500) === 201;
      const ref = pushed && ok ? referrerOf(body, String(req.headers['content-type'] ?? '')) : undefined;
      if (pushed && ref && state.referrersApi) {
        const key = `${pushed[1]}@${ref.subject}`;
        const list = referrers.get(key) ?? [];
        if (!list.some((r) => r.digest === ref.entry.digest)) list.push(ref.entry);
        referrers.set(key, list);
        headers['oci-subject'] = ref.subject;
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    forward.end(body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    get applyFilters() {
      return state.applyFilters;
    },
    set applyFilters(value: boolean) {
      state.applyFilters = value;
    },
    get referrersApi() {
      return state.referrersApi;
    },
    set referrersApi(value: boolean) {
      state.referrersApi = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
