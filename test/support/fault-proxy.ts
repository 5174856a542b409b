// A fault-injecting HTTP proxy on 127.0.0.1 in front of a real registry, and the buffered forwarding it is built on.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the proxy received it, body read whole. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query, as sent (`/v2/app/manifests/v1`). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An upstream answer, body read whole. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * What the proxy does with a request a {@link Fault} picked:
 * - `respond`: answer this, never asking upstream (headers as given: no Content-Length means a chunked body);
 * - `truncate`: forward, announce the real Content-Length, send only the first `keepBytes`, then close the connection;
 * - `rewrite`: forward, then answer what `rewrite` makes of upstream's answer (Content-Length follows the new body).
 */
export type FaultAnswer =
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: Uint8Array;
    }
  | { readonly kind: 'truncate'; readonly keepBytes: number }
  | { readonly kind: 'rewrite'; readonly rewrite: (answer: UpstreamResponse) => UpstreamResponse };

/** Picks a fault for a request, or `undefined` to pass it through unchanged. */
export type Fault = (request: ProxiedRequest) => FaultAnswer | undefined;

export interface FaultProxy {
  /** `127.0.0.1:PORT`, as an image reference names the registry. */
  readonly host: string;
  readonly url: string;
  /** Every request seen, as `METHOD /path?query`, in order (faulted ones included). */
  readonly requests: string[];
  /** The fault consulted for each request; `undefined` passes everything through. */
  fault: Fault | undefined;
  close(): Promise<void>;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * Sends `proxied` to `upstream` (`http://127.0.0.1:PORT`) unchanged and reads the whole answer. The Host header is kept,
 * so URLs the registry builds (upload Locations, token realms it names) point back at the proxy.
 *
 * @example
 * const answer = await forwardRequest('http://127.0.0.1:5000', { method: 'GET', path: '/v2/', headers: {}, body: Buffer.alloc(0) });
 * answer.status; // 200
 */
export function forwardRequest(upstream: string, proxied: ProxiedRequest): Promise<UpstreamResponse> {
  const target = new URL(upstream);
  return new Promise((resolve, reject) => {
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: proxied.method,
        path: proxied.path,
        headers: proxied.headers,
      },
      (answer) => {
        readBody(answer).then(
          (body) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body }),
          reject,
        );
      },
    );
    out.on('error', reject);
    out.end(proxied.body);
  });
}

/** Writes upstream's status and headers, with a Content-Length for the buffered body (HEAD keeps upstream's). */
function writeHead(res: ServerResponse, method: string, answer: UpstreamResponse): void {
  const headers = { ...answer.headers };
  if (method !== 'HEAD') {
    delete headers['transfer-encoding'];
    headers['content-length'] = String(answer.body.byteLength);
  }
  res.writeHead(answer.status, headers);
}

async function handle(
  upstream: string,
  fault: Fault | undefined,
  proxied: ProxiedRequest,
  res: ServerResponse,
): Promise<void> {
  const picked = fault?.(proxied);
  if (picked?.kind === 'respond') {
    res.writeHead(picked.status, picked.headers ?? {});
    res.end(picked.body === undefined ? undefined : Buffer.from(picked.body));
    return;
  }
  const answer = await forwardRequest(upstream, proxied);
  if (picked?.kind !== 'truncate') {
    const final = picked === undefined ? answer : picked.rewrite(answer);
    writeHead(res, proxied.method, final);
    res.end(final.body);
    return;
  }
  writeHead(res, proxied.method, answer);
  // Closing right after the partial write reaches the socket: the client sees the body end early.
  res.write(answer.body.subarray(0, picked.keepBytes), () => res.socket?.destroy());
}

/**
 * Starts the proxy in front of `upstream` (a plain-HTTP registry). Set `fault` to make chosen requests fail.
 *
 * @example
 * const proxy = await startFaultProxy(registry.url);
 * let left = 2;
 * proxy.fault = (r) => (r.method === 'GET' && left-- > 0 ? { kind: 'respond', status: 503 } : undefined);
 * // use proxy.host as the registry; proxy.close() then registry.stop()
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const requests: string[] = [];
  const state: { fault: Fault | undefined } = { fault: undefined };
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    requests.push(`${method} ${path}`);
    readBody(req)
      .then((body) => handle(upstream, state.fault, { method, path, headers: req.headers, body }, res))
      .catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `http://${host}`,
    requests,
    get fault() {
      return state.fault;
    },
    set fault(value: Fault | undefined) {
      state.fault = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
