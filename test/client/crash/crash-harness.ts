/**
 * Parent side of the crash test: a reference server over HTTP on loopback (system clock, as the
 * child signs with it), one device whose workspace lives in an `FsStorage` directory, and the
 * child process runner (SIGKILL at an upload boundary or at a random instant).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RealmId } from '../../../src/codec/ids.js';
import { systemClock } from '../../../src/codec/timestamps.js';
import { bootstrapDevice, Client, type LocalDevice } from '../../../src/client/index.js';
import { createHttpHandler, SealsyncServer } from '../../../src/server/index.js';
import { FsStorage } from '../../../src/storage/fs.js';
import { MemoryStorage } from '../../../src/storage/index.js';
import { saveDeviceFile } from '../../../src/storage/device-file.js';
import { HttpAnonymousTransport, HttpTransport } from '../../../src/transport/index.js';
import { PREPARED, type CrashConfig } from './crash-script.js';

const CHILD_SOURCE = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let bundled: Promise<string> | undefined;

/**
 * The child program bundled once into one ES module (esbuild, already a build dependency): a
 * child then starts in a fraction of the time `--import tsx` takes, which is most of this test.
 */
function childProgram(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const out = join(mkdtempSync(join(tmpdir(), 'sealsync-crash-child-')), 'crash-child.mjs');
    await build({ entryPoints: [CHILD_SOURCE], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'silent' });
    return out;
  })();
  return bundled;
}
const WEAK_ARGON2 = { memoryKiB: 64, iterations: 1, parallelism: 1 };

export interface ChildRun {
  /** Indexes of the operations the child acknowledged. */
  readonly acked: number[];
  /** Uploads the server accepted from the child. */
  readonly uploads: number;
  /** True when the child ran to its end. */
  readonly done: boolean;
}

export class CrashWorld {
  private constructor(
    readonly dir: string,
    readonly server: SealsyncServer,
    private readonly http: Server,
    readonly device: LocalDevice,
    readonly config: CrashConfig,
    private readonly configPath: string,
  ) {}

  /** Server, device, workspace with the `PREPARED` tree synced, on a fresh `FsStorage` directory. */
  static async create(): Promise<CrashWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'sealsync-crash-'));
    const server = await SealsyncServer.open({ clock: systemClock, storage: new MemoryStorage() });
    const { organizationId, bootstrapToken } = await server.createOrganization();
    const http = createServer(createHttpHandler(server));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const device = await bootstrapDevice({
      transport: new HttpAnonymousTransport({ url, organizationId }),
      organizationId,
      bootstrapToken,
      humanHandle: { email: 'crash@example.org', label: 'Crash' },
      deviceLabel: 'crash test',
      clock: systemClock,
    });
    const deviceFile = join(dir, 'device');
    writeFileSync(deviceFile, await saveDeviceFile(device, 'pw', { argon2: WEAK_ARGON2, allowWeak: true }));
    const storageDir = join(dir, 'state');
    const partial = { url, organizationId, deviceFile, password: 'pw', storageDir, realmId: '' };
    const w = new CrashWorld(dir, server, http, device, partial, join(dir, 'config.json'));
    const client = await w.open();
    const ws = await client.createWorkspace('crash');
    for (const [path, text] of PREPARED) {
      if (path.endsWith('/')) await ws.mkdir(path.slice(0, -1));
      else await ws.writeFile(path, new TextEncoder().encode(text));
    }
    await ws.sync();
    await client.close();
    const config = { ...partial, realmId: ws.id };
    writeFileSync(w.configPath, JSON.stringify(config));
    return new CrashWorld(dir, server, http, device, config, w.configPath);
  }

  /** `ClientOptions.tombstoneRetention` of this world's clients (child and parent); default the client's. */
  tombstoneRetention: number | undefined;

  /** A client of the device on its `FsStorage` directory (or, `fresh`, on empty memory). */
  async open(fresh = false): Promise<Client> {
    const { url, organizationId } = this.config;
    const transport = new HttpTransport({ url, credentials: { organizationId: organizationId as never, deviceId: this.device.deviceId, signingKey: this.device.signingKey }, clock: systemClock });
    const storage = fresh ? new MemoryStorage() : await FsStorage.open(this.config.storageDir);
    const retention = this.tombstoneRetention === undefined ? {} : { tombstoneRetention: this.tombstoneRetention };
    return Client.open({ device: this.device, transport, storage, clock: systemClock, blocksize: 4096, ...retention });
  }

  get realmId(): RealmId {
    return this.config.realmId as RealmId;
  }

  /**
   * Runs the child on `step`; it kills itself after the `crashAt`-th accepted upload, or the
   * parent kills it `killAfterMs` after it started (SIGKILL both ways).
   */
  async runChild(step: string, options: { crashAt?: number; killAfterMs?: number } = {}): Promise<ChildRun> {
    const env = {
      ...process.env,
      ...(options.crashAt !== undefined ? { CRASH_AT: String(options.crashAt) } : {}),
      ...(this.tombstoneRetention !== undefined ? { TOMBSTONE_RETENTION: String(this.tombstoneRetention) } : {}),
    };
    const child = spawn(process.execPath, [await childProgram(), this.configPath, step], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let timer: NodeJS.Timeout | undefined;
    if (options.killAfterMs !== undefined) {
      // Counted from the first line the child prints: start-up time (tsx) varies a lot.
      child.stdout.once('data', () => (timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs)));
    }
    return new Promise((resolve, reject) => {
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code !== 0 && signal !== 'SIGKILL') return reject(new Error(`crash child exited with ${code}:\n${out}\n${err}`));
        const lines = out.split('\n');
        resolve({
          acked: lines.filter((l) => l.startsWith('ACK ')).map((l) => Number(l.slice(4))),
          uploads: lines.filter((l) => l.startsWith('UPLOAD ')).length,
          done: lines.includes('DONE'),
        });
      });
    });
  }

  /** Bytes in the local store directory. */
  storeBytes(): number {
    const walk = (d: string): number => readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? walk(join(d, e.name)) : statSync(join(d, e.name)).size), 0);
    return walk(this.config.storageDir);
  }

  async close(): Promise<void> {
    await this.server.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
