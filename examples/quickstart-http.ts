/**
 * The quickstart over HTTP against the `sealsync-server` command: this program starts the
 * reference server as a child process (`sealsync-server --data <temp dir> --port 0 --org
 * quickstart`, any free port on 127.0.0.1), reads where it listens and the organisation's
 * bootstrap token from what it prints, runs the whole story with the `fetch` transport and signed
 * requests, stops the server, starts it again on the same data directory, reads everything back,
 * then stops it and removes the directory.
 *
 *     npx tsx examples/quickstart-http.ts
 *
 * Against a server you started yourself, the same story needs only the URL, the organisation id
 * and the bootstrap token it printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fromBase64Url } from '../src/bytes.js';
import { parseId, type OrganizationId } from '../src/codec/ids.js';
import { HttpAnonymousTransport, HttpTransport } from '../src/transport/index.js';
import { runQuickstart } from './_shared.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../src/bin/sealsync-server.ts', import.meta.url));

export interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly organizationId: OrganizationId;
  readonly bootstrapToken: Uint8Array;
}

/**
 * Starts `sealsync-server` from this checkout (through tsx) and waits for its two lines.
 * `extraArgs` are passed on (e.g. `--allow-origin` for the browser tests and the web demo).
 */
export function startServerProcess(dataDir: string, port = 0, extraArgs: readonly string[] = []): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, '--data', dataDir, '--port', String(port), '--host', '127.0.0.1', '--org', 'quickstart', ...extraArgs], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If this program dies abruptly (a closed pipe, Ctrl-C), the server must not outlive it.
  const killChild = (): void => void child.kill();
  process.once('exit', killChild);
  child.once('exit', () => process.off('exit', killChild));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`sealsync-server did not start in time:\n${out}${err}`)), 30_000);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      child.kill();
      reject(e);
    };
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => fail(new Error(`sealsync-server exited with ${code}:\n${out}${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const listen = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const org = /organization quickstart: id ([0-9a-f]{32}) (?:bootstrap token ([A-Za-z0-9_-]+)|already bootstrapped)/.exec(out);
      if (listen && org) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, url: listen[1]!, organizationId: parseId<OrganizationId>(org[1]!), bootstrapToken: fromBase64Url(org[2] ?? '') });
      }
    });
  });
}

/** Runs the example; `log` receives every printed line. Rejects if any step does not go as told. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sealsync-quickstart-'));
  const first = await startServerProcess(dataDir);
  const { url, organizationId, bootstrapToken } = first;
  let child = first.child;
  const port = Number(new URL(url).port);
  try {
    await runQuickstart(
      {
        where: `the reference server over HTTP at ${url} (the sealsync-server command, pid ${child.pid})`,
        organizationId,
        bootstrapToken,
        serverUrl: url,
        anonymous: () => new HttpAnonymousTransport({ url, organizationId }),
        device: (d) => new HttpTransport({ url, credentials: { organizationId, deviceId: d.deviceId, signingKey: d.signingKey } }),
        restart: async () => {
          await stop(child);
          child = (await startServerProcess(dataDir, port)).child;
        },
      },
      log,
    );
  } finally {
    await stop(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Stops the server with SIGTERM (it closes its storage) and waits for it to exit. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
