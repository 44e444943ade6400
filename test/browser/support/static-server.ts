/** A loopback HTTP server for test pages: fixed routes, nothing read from disk at request time. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `routes` (path → [content type, body]) on 127.0.0.1, on a free port. */
export async function serveStatic(routes: Record<string, readonly [string, Uint8Array | string]>): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': route[0], 'cache-control': 'no-store' });
    res.end(route[1]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A page that loads `/app.js` as a module and says when it is ready. */
export function pageHtml(title: string, body = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}<script type="module" src="/app.js"></script></body></html>`;
}
