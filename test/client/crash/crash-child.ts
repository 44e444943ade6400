/**
 * Child process of the crash test (`crash.test.ts`): opens a device on `FsStorage` against the
 * parent's server over HTTP, runs one step, and kills itself with SIGKILL right after the server
 * accepted its `CRASH_AT`-th upload (a block or a manifest), before the answer reaches the client
 * code: the exact instant the crash hit. Without `CRASH_AT` it runs to the end (the
 * parent may still kill it at a random instant). Prints `ACK <op>` for every operation the client
 * acknowledged, so the parent knows what must hold after the crash.
 *
 *     node --import tsx crash-child.ts <config.json> <step>   (the test runs it bundled)
 */
import { readFileSync } from 'node:fs';
import { parseId, type OrganizationId, type RealmId } from '../../../src/codec/ids.js';
import { systemClock } from '../../../src/codec/timestamps.js';
import { Client } from '../../../src/client/index.js';
import { FsStorage } from '../../../src/storage/fs.js';
import { loadDeviceFile } from '../../../src/storage/device-file.js';
import { HttpTransport, type Transport } from '../../../src/transport/index.js';
import { churnCycle, EDIT_AND_SYNC, runOps, type CrashConfig } from './crash-script.js';

async function main(): Promise<void> {
  const [configPath, step] = process.argv.slice(2) as [string, string];
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as CrashConfig;
  const device = await loadDeviceFile(new Uint8Array(readFileSync(config.deviceFile)), config.password, { allowWeak: true });
  const crashAt = process.env.CRASH_AT === undefined ? Infinity : Number(process.env.CRASH_AT);
  let accepted = 0;
  const http = new HttpTransport({
    url: config.url,
    credentials: { organizationId: parseId<OrganizationId>(config.organizationId), deviceId: device.deviceId, signingKey: device.signingKey },
    clock: systemClock,
  });
  const transport: Transport = {
    async send(req) {
      const rep = await http.send(req);
      // Any block or manifest write (batched variants included) is an upload boundary.
      const upload = /^(block_create|vlob_create|vlob_update|vlob_write)/.test(req.cmd);
      if (upload && (rep as { status?: string }).status === 'ok') {
        process.stdout.write(`UPLOAD ${++accepted}\n`);
        if (accepted >= crashAt) process.kill(process.pid, 'SIGKILL');
      }
      return rep;
    },
  } as Transport;
  const retention = process.env.TOMBSTONE_RETENTION === undefined ? {} : { tombstoneRetention: Number(process.env.TOMBSTONE_RETENTION) };
  const client = await Client.open({ device, transport, storage: await FsStorage.open(config.storageDir), clock: systemClock, blocksize: 4096, ...retention });
  const ws = await client.workspace(parseId<RealmId>(config.realmId));
  const ops = step === 'edit-and-sync' ? EDIT_AND_SYNC : churnCycle(Number(step.slice('churn-'.length)));
  await runOps(ws, ops, (i) => process.stdout.write(`ACK ${i}\n`));
  await client.close();
  process.stdout.write('DONE\n');
  // Idle keep-alive sockets of fetch would hold the process for seconds.
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
