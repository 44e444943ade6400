/**
 * `npm run example:web`: the web demo. Starts a `sealsync-server` process (data in a temporary
 * directory, CORS open to the page's origin only), bundles `app.ts` for the browser with esbuild
 * and serves the page on another origin. Open the printed address in two browser profiles (for
 * example a normal and a private window): one creates the organisation, invites the other, both
 * compare the codes on screen, share a workspace, drop files, edit the same file and see a
 * conflict copy appear; then the admin revokes the other, whose next sync is refused.
 *
 *     npm run example:web            # http://127.0.0.1:8710
 *     PORT=9000 npm run example:web
 *
 * Demo only: the page hands the organisation's bootstrap token to whoever opens it first.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { toBase64Url } from '../../src/bytes.js';
import { startServerProcess, stop } from '../quickstart-http.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export interface WebDemo {
  /** The page's address. */
  readonly url: string;
  /** The sealsync-server's address (another origin). */
  readonly serverUrl: string;
  close(): Promise<void>;
}

/** Starts the demo; `fastKdf` makes device files cheap to unlock (tests only). */
export async function startWebDemo(options: { port?: number; fastKdf?: boolean } = {}): Promise<WebDemo> {
  const [bundle, html] = await Promise.all([
    build({ entryPoints: [here('./app.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, minify: true, keepNames: true, logLevel: 'error' }),
    readFile(here('./index.html')),
  ]);
  let config = '';
  const page = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route: Record<string, [string, Uint8Array | string]> = {
      '/': ['text/html; charset=utf-8', html],
      '/app.js': ['text/javascript', bundle.outputFiles[0]!.contents],
      '/config.json': ['application/json', config],
    };
    const r = route[path];
    if (r === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': r[0], 'cache-control': 'no-store' }).end(r[1]);
  });
  await new Promise<void>((r) => page.listen(options.port ?? 0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'sealsync-web-demo-'));
  let server;
  try {
    server = await startServerProcess(dataDir, 0, ['--allow-origin', url]);
  } catch (e) {
    page.close();
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  config = JSON.stringify({
    serverUrl: server.url,
    organizationId: server.organizationId,
    bootstrapToken: toBase64Url(server.bootstrapToken),
    fastKdf: options.fastKdf ?? false,
  });
  const child = server.child;
  return {
    url,
    serverUrl: server.url,
    async close() {
      page.closeAllConnections();
      await new Promise<void>((r) => page.close(() => r()));
      await stop(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const demo = await startWebDemo({ port: Number(process.env.PORT ?? 8710) });
  console.log(`sealsync-server (untrusted, stores ciphertext): ${demo.serverUrl}`);
  console.log(`web demo: open ${demo.url} in two browser profiles (e.g. a normal and a private window)`);
  console.log('Ctrl-C stops both.');
  const quit = (): void => void demo.close().then(() => process.exit(0));
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
}
