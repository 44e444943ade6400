/**
 * Restore from history: Alice's notes are overwritten by mistake and a folder is deleted; she
 * puts both back as they were before, as new versions on top of the history (which stays intact).
 *
 *     npx tsx examples/restore.ts
 */
import { pathToFileURL } from 'node:url';
import { bootstrapDevice, Client } from '../src/client/index.js';
import { SealsyncServer } from '../src/server/index.js';
import { InProcessAnonymousTransport, InProcessTransport } from '../src/transport/index.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Runs the example; `log` receives every printed line. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const server = await SealsyncServer.open();
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
    try {
      const ws = await alice.createWorkspace('Notes');
      await ws.mkdir('/2026/drafts', { parents: true });
      await ws.writeFile('/2026/plan.md', text('# Plan\n- ship restore'));
      await ws.writeFile('/2026/drafts/idea.md', text('an idea'));
      await ws.sync();
      const before = Date.now() * 1000; // µs, like every sealsync timestamp
      await new Promise((r) => setTimeout(r, 5));

      await ws.writeFile('/2026/plan.md', text('oops'));
      await ws.remove('/2026/drafts', { recursive: true });
      await ws.sync();
      log(`after the mistake: plan.md = ${JSON.stringify(str(await ws.readFile('/2026/plan.md')))}, drafts exists: ${await ws.exists('/2026/drafts')}`);

      const report = await ws.restore('/2026', before);
      await ws.sync();
      log(`restored ${report.files} files and ${report.folders} folder`);
      log(`plan.md = ${JSON.stringify(str(await ws.readFile('/2026/plan.md')))}, drafts/idea.md = ${JSON.stringify(str(await ws.readFile('/2026/drafts/idea.md')))}`);
      log(`plan.md history: versions ${(await ws.history('/2026/plan.md')).map((h) => h.version).join(', ')} (the mistake stays readable as version 2)`);
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
