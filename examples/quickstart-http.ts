/**
 * The quickstart over HTTP: the reference server is started here on 127.0.0.1 with an ephemeral
 * port — what `sealsync-server --port 0` does — and the devices talk to it with the `fetch`
 * transport and signed requests. The server is closed at the end.
 *
 *     npx tsx examples/quickstart-http.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createHttpHandler, SealsyncServer } from '../src/server/index.js';
import { HttpAnonymousTransport, HttpTransport } from '../src/transport/index.js';
import { runQuickstart } from './_shared.js';

/** Runs the example; `log` receives every printed line. Rejects if any step does not go as told. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const server = await SealsyncServer.open();
  const http = createServer(createHttpHandler(server));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  try {
    const { organizationId, bootstrapToken } = await server.createOrganization();
    await runQuickstart(
      {
        where: `the reference server over HTTP at ${url}`,
        organizationId,
        bootstrapToken,
        serverUrl: url,
        anonymous: () => new HttpAnonymousTransport({ url, organizationId }),
        device: (d) => new HttpTransport({ url, credentials: { organizationId, deviceId: d.deviceId, signingKey: d.signingKey } }),
      },
      log,
    );
  } finally {
    await server.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
