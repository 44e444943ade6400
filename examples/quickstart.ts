/**
 * sealsync in one run (`npm run example`): an organisation on an in-process reference server;
 * Alice invites Bob by SAS, shares a workspace, both edit the same file offline and get a
 * conflict copy, then Alice revokes Bob, the key rotates and Bob can no longer read new data.
 *
 *     npx tsx examples/quickstart.ts
 */
import { pathToFileURL } from 'node:url';
import { SealsyncServer } from '../src/server/index.js';
import { InProcessAnonymousTransport, InProcessTransport } from '../src/transport/index.js';
import { runQuickstart } from './_shared.js';

/** Runs the example; `log` receives every printed line. Rejects if any step does not go as told. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  // The reference server with its default in-memory storage, in this process.
  const server = await SealsyncServer.open();
  try {
    const { organizationId, bootstrapToken } = await server.createOrganization();
    await runQuickstart(
      {
        where: 'an in-process reference server',
        organizationId,
        bootstrapToken,
        anonymous: () => new InProcessAnonymousTransport(server, organizationId),
        device: (d) => new InProcessTransport(server, { organizationId, deviceId: d.deviceId, signingKey: d.signingKey }),
      },
      log,
    );
  } finally {
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
