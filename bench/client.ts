/**
 * Client sync throughput (issue 8): many small files (1–8 KiB) and large files synced from one
 * device to another through the in-process reference server, next to a node:crypto baseline
 * (SHA-256 + AES-256-GCM of the same bytes) measured in the same run.
 *
 * Defaults keep the run short on a 2-core machine; the issue's full sizes (10,000 files, 1 GiB)
 * with `SEALSYNC_BENCH_FILES=10000 SEALSYNC_BENCH_MB=1024` (needs several GiB of RAM: the
 * in-memory server and both devices' local stores each hold the data).
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { bootstrapDevice, claimInvitation, Client, type LocalDevice } from '../src/client/index.js';
import type { SasCode, SasUi } from '../src/sas/index.js';
import { SealsyncServer } from '../src/server/index.js';
import { InProcessAnonymousTransport, InProcessTransport } from '../src/transport/index.js';
import { report, section } from './util.js';

const FILES = Number(process.env.SEALSYNC_BENCH_FILES ?? 2000);
const MB = Number(process.env.SEALSYNC_BENCH_MB ?? 64);
const LARGE_FILE = 16 * 1024 * 1024;

function humans(): { greeter: SasUi; claimer: SasUi } {
  const shown = new Map<string, SasCode>();
  const waiting = new Map<string, (c: SasCode) => void>();
  const ui = (me: string, other: string): SasUi => ({
    showCode(code) {
      shown.set(me, code);
      waiting.get(other)?.(code);
    },
    async pickCode(candidates) {
      const heard = shown.get(other) ?? (await new Promise<SasCode>((r) => waiting.set(me, r)));
      return candidates.includes(heard) ? heard : null;
    },
  });
  return { greeter: ui('g', 'c'), claimer: ui('c', 'g') };
}

async function twoDevices(): Promise<{ a: Client; b: Client; server: SealsyncServer }> {
  const server = await SealsyncServer.open();
  const { organizationId, bootstrapToken } = await server.createOrganization();
  const anonymous = new InProcessAnonymousTransport(server, organizationId);
  const open = (device: LocalDevice) =>
    Client.open({ device, transport: new InProcessTransport(server, { organizationId, deviceId: device.deviceId, signingKey: device.signingKey }) });
  const a = await open(await bootstrapDevice({ transport: anonymous, organizationId, bootstrapToken, humanHandle: { email: 'a@example.org', label: 'A' }, deviceLabel: 'a' }));
  await a.syncCertificates();
  const inv = await a.inviteDevice();
  const ui = humans();
  const [, device] = await Promise.all([inv.greet(ui.greeter), claimInvitation(inv.link, anonymous, { ui: ui.claimer, deviceLabel: 'b' })]);
  return { a, b: await open(device), server };
}

function baseline(files: readonly Uint8Array[]): number {
  const key = randomBytes(32);
  const t0 = performance.now();
  for (const f of files) {
    createHash('sha256').update(f).digest();
    const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
    c.update(f);
    c.final();
    c.getAuthTag();
  }
  return (performance.now() - t0) / 1000;
}

export async function run(): Promise<void> {
  section(`client sync (in-process server): ${FILES} small files, ${MB} MiB of large files`);
  {
    const { a, b, server } = await twoDevices();
    const ws = await a.createWorkspace('bench');
    const files = Array.from({ length: FILES }, (_, i) => new Uint8Array(randomBytes(1024 + ((i * 7919) % (7 * 1024)))));
    // 100 files per folder: a folder's manifest is rewritten by every entry added to it, so one
    // flat folder of 10,000 files would measure that quadratic cost rather than sync.
    const folders = Math.ceil(FILES / 100);
    for (let d = 0; d < folders; d++) await ws.mkdir(`/d${d}`);
    const t0 = performance.now();
    for (let i = 0; i < files.length; i++) await ws.writeFile(`/d${i % folders}/f${i}`, files[i]!);
    await ws.sync();
    await b.sync();
    const seconds = (performance.now() - t0) / 1000;
    const wsB = await b.workspace(ws.id);
    let seen = 0;
    for (let d = 0; d < folders; d++) seen += (await wsB.list(`/d${d}`)).length;
    if (seen !== FILES) throw new Error('bench: files missing on device B');
    report(`sync ${FILES} small files A→B (files/s)`, FILES / seconds, FILES / baseline(files), 'files/s');
    await a.close();
    await b.close();
    await server.close();
  }
  {
    const { a, b, server } = await twoDevices();
    const ws = await a.createWorkspace('bench');
    const count = Math.max(1, Math.round((MB * 1024 * 1024) / LARGE_FILE));
    const content = new Uint8Array(randomBytes(LARGE_FILE));
    const total = count * LARGE_FILE;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await ws.writeFile(`/large${i}.bin`, content);
    await ws.sync();
    await b.sync();
    const wsB = await b.workspace(ws.id);
    for (let i = 0; i < count; i++) {
      const got = await wsB.readFile(`/large${i}.bin`);
      if (got.length !== LARGE_FILE) throw new Error('bench: short read');
    }
    const seconds = (performance.now() - t0) / 1000;
    const pieces = Array.from({ length: total / (512 * 1024) }, (_, i) => content.subarray((i * 512 * 1024) % LARGE_FILE, ((i * 512 * 1024) % LARGE_FILE) + 512 * 1024));
    // Baseline: encrypt + hash once, decrypt-equivalent once (the data crosses both devices).
    const base = 2 * baseline(pieces);
    report(`write+sync+read ${count}×16 MiB A→B (MB/s)`, total / seconds, total / base, 'MB/s');
    await a.close();
    await b.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
