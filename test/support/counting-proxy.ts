// A counting HTTP proxy on 127.0.0.1 in front of a registry: passes every request through unchanged and counts it.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** `127.0.0.1:PORT`, as an image reference names the registry. */
  readonly host: string;
  readonly url: string;
  /** Requests passed through since start or the last {@link CountingProxy.reset}. */
  readonly count: number;
  /** The same requests as `METHOD /path?query`, in order. */
  readonly requests: readonly string[];
  /** Starts counting afresh. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy to `upstream` (`http://127.0.0.1:PORT`, plain HTTP) that counts the requests it forwards, so a test
 * or bench can measure how many HTTP requests an operation costs.
 *
 * @example
 * const proxy = await startCountingProxy(registry.url);
 * proxy.reset();
 * await verifyImage({ image: `${proxy.host}/app:v1`, keys, registry: {} });
 * proxy.count; // e.g. 5
 * await proxy.close();
 */
export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  let requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    // The Host header stays the proxy's, so URLs the registry builds (upload Locations) come back through the proxy.
    const out = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  // Sockets are kept alive by clients: close them with the server.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `http://${host}`,
    get count() {
      return requests.length;
    },
    get requests() {
      return requests;
    },
    reset() {
      requests = [];
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
