/**
 * Server nodes as child processes (the `sealsync-server` command through tsx), and HTTP clients
 * that fail over to another node (or wait for the only one to come back) when a node is down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { OrganizationId } from '../../src/codec/ids.js';
import { TransportError } from '../../src/errors.js';
import type { SigningKey } from '../../src/keys/index.js';
import { HttpAnonymousTransport, HttpTransport, type Reply, type Request } from '../../src/transport/index.js';

const BIN = fileURLToPath(new URL('../../src/bin/sealsync-server.ts', import.meta.url));
const TSX = ['--import', new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href];

export interface Node {
  child: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** Everything it printed on stderr (internal errors). */
  readonly stderr: string[];
}

/** Starts `sealsync-server <args> --port <port>` and waits for its "listening on" line. */
export function startNode(args: readonly string[], port = 0): Promise<Node> {
  const child = spawn(process.execPath, [...TSX, BIN, ...args, '--port', String(port), '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SEALSYNC_ADMIN_TOKEN: '' } });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node did not start: ${out}${stderr.join('')}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited ${code}: ${out}${stderr.join('')}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, url: m[1]!, port: Number(m[2]), stderr });
      }
    });
  });
}

/** SIGKILL (no cleanup at all), resolved once the process is gone. */
export async function killNode(node: Node): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => node.child.once('exit', () => resolve()));
  node.child.kill('SIGKILL');
  await gone;
}

/** SIGTERM and wait: a clean stop. */
export async function stopNode(node: Node): Promise<number | null> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return node.child.exitCode;
  const gone = new Promise<number | null>((resolve) => node.child.once('exit', (code) => resolve(code)));
  node.child.kill('SIGTERM');
  return gone;
}

export interface Credentials {
  readonly organizationId: OrganizationId;
  readonly deviceId: import('../../src/codec/ids.js').DeviceId;
  readonly signingKey: SigningKey;
}

/**
 * A device's client over several nodes: starts on `first`, and when a node cannot be reached
 * moves to the next one and sends again (signed anew). `uncertain` is set when a request may have
 * been applied although no reply came back (the node died after receiving it).
 */
export class FailoverClient {
  private index: number;
  private readonly transports: { send(req: never): Promise<unknown> }[];
  /** Transport-level failures seen (each followed by a retry). */
  failovers = 0;

  constructor(
    urls: readonly string[],
    /** A device's credentials, or the organisation alone for anonymous (claimer) requests. */
    credentials: Credentials | { readonly organizationId: OrganizationId },
    first: number,
    private readonly maxWaitMs = 60_000,
  ) {
    this.index = first % urls.length;
    this.transports = urls.map((url) =>
      'deviceId' in credentials ? new HttpTransport({ url, credentials, timeoutMs: 20_000 }) : new HttpAnonymousTransport({ url, organizationId: credentials.organizationId, timeoutMs: 20_000 }),
    );
  }

  /** Sends `req`; `retried` tells whether an earlier attempt got no reply (so may have been applied). */
  async send<C extends Request['cmd']>(req: Extract<Request, { cmd: C }>): Promise<{ reply: Reply<C>; retried: boolean }> {
    const deadline = Date.now() + this.maxWaitMs;
    let retried = false;
    for (;;) {
      try {
        const reply = (await this.transports[this.index]!.send(req as never)) as Reply<C>;
        // A node restarting answers `unavailable` while it shuts down: try elsewhere too.
        if (reply.status === 'error' && (reply as { code: string }).code === 'unavailable') throw new TransportError('transport/network', 'unavailable');
        return { reply, retried };
      } catch (err) {
        if (!(err instanceof TransportError) || Date.now() > deadline) throw err;
        this.failovers++;
        retried = true;
        this.index = (this.index + 1) % this.transports.length;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}
