/**
 * Archiving and deleting a workspace (Parsec RFC 1028): Alice archives a finished project (read
 * only for everyone), plans the deletion of another (this demo server's minimum delay is half a
 * second; the default is 30 days), cancels it, plans it again and lets the date pass; the server
 * purges the deleted workspace's data.
 *
 *     npx tsx examples/archive.ts
 */
import { pathToFileURL } from 'node:url';
import { bootstrapDevice, Client, type Workspace } from '../src/client/index.js';
import { SealsyncError } from '../src/errors.js';
import { SealsyncServer } from '../src/server/index.js';
import { InProcessAnonymousTransport, InProcessTransport } from '../src/transport/index.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const PERIOD = 500_000; // µs

/** Runs the example; `log` receives every printed line. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const server = await SealsyncServer.open({ minimumArchivingPeriod: PERIOD });
  try {
    const { organizationId, bootstrapToken } = await server.createOrganization();
    const device = await bootstrapDevice({
      transport: new InProcessAnonymousTransport(server, organizationId),
      organizationId,
      bootstrapToken,
      humanHandle: { email: 'alice@example.com', label: 'Alice' },
      deviceLabel: 'laptop',
    });
    const alice = await Client.open({ device, transport: new InProcessTransport(server, device) });
    const show = async (): Promise<void> => {
      for (const w of await alice.workspaces()) log(`   ${w.name}: ${w.archiving.status}`);
    };
    const attempt = async (ws: Workspace, what: string): Promise<void> => {
      try {
        await ws.writeFile('/late.txt', text(what));
        log(`   writing works`);
      } catch (err) {
        if (!(err instanceof SealsyncError)) throw err;
        log(`   writing refused: ${err.code}`);
      }
    };
    try {
      const done = await alice.createWorkspace('Project 2025');
      await done.writeFile('/report.md', text('final report'));
      await done.sync();
      const scratch = await alice.createWorkspace('Scratch');
      await scratch.writeFile('/tmp.md', text('throwaway'));
      await scratch.sync();

      log('Alice archives "Project 2025":');
      await done.setArchiving({ status: 'archived' });
      await attempt(done, 'too late');
      log(`   reading still works: ${new TextDecoder().decode(await done.readFile('/report.md'))}`);

      log('Alice plans the deletion of "Scratch" too soon, then properly, then cancels:');
      try {
        await scratch.setArchiving({ status: 'deletion_planned', deletionDate: Date.now() * 1000 + PERIOD / 2 });
      } catch (err) {
        if (!(err instanceof SealsyncError)) throw err;
        log(`   refused: ${err.code}`);
      }
      await scratch.setArchiving({ status: 'deletion_planned', deletionDate: Date.now() * 1000 + 2 * PERIOD });
      await show();
      await scratch.setArchiving({ status: 'available' });
      await attempt(scratch, 'back');

      log('She plans it again and the date passes:');
      await scratch.setArchiving({ status: 'deletion_planned', deletionDate: Date.now() * 1000 + PERIOD + 400_000 });
      await new Promise((r) => setTimeout(r, (PERIOD + 600_000) / 1000));
      await show();
      log(`   the server purges ${(await server.purgeDeletedRealms()).length} workspace`);
    } finally {
      await alice.close();
    }
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
