/**
 * Full re-encryption after a key compromise: Alice's workspace key leaked (say, from a stolen
 * laptop's memory). A rotation alone protects only what is written next; `reencrypt()` rotates and
 * re-wraps every manifest version and block already on the server, so the leaked key opens nothing
 * there any more. The run is stopped half-way (a crash) and resumed.
 *
 *     npx tsx examples/reencrypt.ts
 */
import { pathToFileURL } from 'node:url';
import { bootstrapDevice, Client } from '../src/client/index.js';
import { SealsyncServer } from '../src/server/index.js';
import { InProcessAnonymousTransport, InProcessTransport } from '../src/transport/index.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Runs the example; `log` receives every printed line. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const server = await SealsyncServer.open();
  try {
    const { organizationId, bootstrapToken } = await server.createOrganization();
    const device = await bootstrapDevice({ transport: new InProcessAnonymousTransport(server, organizationId), organizationId, bootstrapToken, humanHandle: { email: 'alice@example.com', label: 'Alice' }, deviceLabel: 'laptop' });
    const alice = await Client.open({ device, transport: new InProcessTransport(server, device) });
    try {
      const ws = await alice.createWorkspace('Finance');
      for (const name of ['q1', 'q2', 'q3']) {
        await ws.writeFile(`/${name}.csv`, text(`${name},revenue,42`));
        await ws.sync();
      }
      await ws.writeFile('/q1.csv', text('q1,revenue,43'));
      await ws.sync();

      const crash = new AbortController();
      const stopped = await ws
        .reencrypt({ signal: crash.signal, onProgress: (p) => void (p.phase === 'manifests' && p.done === 2 && crash.abort(new Error('power cut'))) })
        .then(() => 'finished', (e: unknown) => (e as Error).message);
      log(`First run: ${stopped}`);
      const report = await ws.reencrypt({ rotate: false, onProgress: (p) => void (p.done === p.total && log(`   ${p.phase}: ${p.done}/${p.total}`)) });
      log(`Resumed: everything is under key ${report.keyIndex}; ${report.alreadyDone} items were already done`);
      log(`Still readable: ${new TextDecoder().decode(await ws.readFile('/q1.csv'))} (${(await ws.history('/q1.csv')).length} versions)`);
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
