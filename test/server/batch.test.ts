/**
 * The batched data commands over the in-process and HTTP transports (memory storage), and over
 * `FsStorage` read back by a server reopened on the same directory (durable when acknowledged).
 * PostgreSQL runs the same suite in postgres.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SealsyncServer } from '../../src/server/index.js';
import { FsStorage } from '../../src/storage/fs.js';
import { batchSuite } from './batch-suite.js';
import { MODES, harness } from './helpers.js';

for (const mode of MODES) batchSuite(`memory, ${mode}`, { harness: () => harness(mode) });

const dirs: string[] = [];
const reopened: SealsyncServer[] = [];
afterAll(async () => {
  for (const s of reopened) await s.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

batchSuite('FsStorage, read back by a reopened server', {
  harness: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealsync-batch-'));
    dirs.push(dir);
    return harness('in-process', { storage: await FsStorage.open(dir) });
  },
  // A second server over a second handle on the same directory: it sees only what is on disk.
  readBack: async (h) => {
    const dir = dirs.at(-1)!;
    const server = await SealsyncServer.open({ storage: await FsStorage.open(dir), clock: h.clock.clock });
    reopened.push(server);
    return server;
  },
});
