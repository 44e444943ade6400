/**
 * The pieces of the `sealsync-server` command: starting a reference server over HTTP on the
 * chosen storage (disk by default, or memory), creating the organisations asked for.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toBase64Url } from '../bytes.js';
import type { OrganizationId } from '../codec/ids.js';
import { ArgumentError } from '../errors.js';
import { checkAdminToken } from './admin/http.js';
import type { ServerCliOptions, StorageChoice } from './cli-args.js';
import { openDataDir } from './data-dir.js';
import { createHttpHandler } from './http.js';
import { organizationIdFromName } from './org-name.js';
import { SealsyncServer, type SealsyncServerOptions } from './server.js';

export { parseServerArgs, SERVER_USAGE, DEFAULT_DATA_DIR, type ServerCliOptions, type StorageChoice } from './cli-args.js';
export { organizationIdFromName } from './org-name.js';

/** A running server. */
export interface RunningServer {
  readonly server: SealsyncServer;
  readonly http: Server;
  readonly url: string;
  /** Where the data is kept, for the first line of the command's output. */
  readonly storageDescription: string;
  /** Organisations of `--org`: id, and the bootstrap token (base64url) while not bootstrapped. */
  readonly organizations: readonly { name: string; organizationId: OrganizationId; bootstrapToken: string | null; created: boolean }[];
  /** Stops listening, ends long polls, closes the storage. */
  close(): Promise<void>;
}

/** What `startServer` needs (the parsed command line, or less for tests: memory by default). */
export type StartOptions = Pick<ServerCliOptions, 'port' | 'host' | 'orgs'> &
  Partial<Pick<ServerCliOptions, 'allowOrigins' | 'storage'>> & {
    /** The admin token (else none: no admin API). */
    readonly adminToken?: string;
    /**
     * How often realms past their deletion date are purged (RFC 1028 §4.3), in ms; default
     * `DEFAULT_PURGE_INTERVAL_MS`, 0: never (the admin `purge` command still does it).
     */
    readonly purgeIntervalMs?: number;
  };

/** One hour: deleted realms are refused from their date on anyway, the purge only frees space. */
export const DEFAULT_PURGE_INTERVAL_MS = 3_600_000;

/**
 * Reads the admin token: `--admin-token-file`, else `SEALSYNC_ADMIN_TOKEN`, else none.
 * @throws ArgumentError `argument/invalid` for an unreadable file or a short token.
 */
export async function resolveAdminToken(file: string | null, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  let token: string | undefined;
  if (file !== null) {
    try {
      token = (await readFile(file, 'utf8')).trim();
    } catch (cause) {
      throw new ArgumentError('argument/invalid', `cannot read the admin token file ${file}`, { cause });
    }
  } else if (env.SEALSYNC_ADMIN_TOKEN !== undefined && env.SEALSYNC_ADMIN_TOKEN !== '') {
    token = env.SEALSYNC_ADMIN_TOKEN;
  }
  return token === undefined ? undefined : checkAdminToken(token);
}

type Opened = Pick<SealsyncServerOptions, 'storage' | 'blocks' | 'database'> & { description: string; close: () => Promise<void> };

async function openStorage(choice: StorageChoice, onError?: (err: unknown) => void): Promise<Opened> {
  if (choice.kind === 'memory') return { description: 'in memory (nothing survives a restart)', close: async () => undefined };
  if (choice.kind === 'postgres') {
    // Loaded only here: the optional `pg` package is needed by this backend alone.
    const { openPostgres } = await import('./postgres.js');
    const pg = await openPostgres(choice.url, onError === undefined ? {} : { onError });
    const host = new URL(choice.url);
    return {
      storage: pg.storage,
      blocks: pg.blocks,
      database: pg.database,
      description: `in PostgreSQL at ${host.hostname}${host.port ? `:${host.port}` : ''}${host.pathname} (schema v${pg.schemaVersion})`,
      close: () => pg.close(),
    };
  }
  const dir = await openDataDir(choice.dir);
  return { storage: dir.storage, description: `on disk in ${dir.path}`, close: () => dir.close() };
}

/**
 * Starts a server on `host:port` (port 0: any free port). Rejects if the storage cannot be
 * opened or the port cannot be listened on (and then leaves nothing open).
 */
export async function startServer(options: StartOptions, serverOptions: SealsyncServerOptions = {}): Promise<RunningServer> {
  const opened = await openStorage(options.storage ?? { kind: 'memory' }, serverOptions.onError);
  let server: SealsyncServer | undefined;
  try {
    const { description: _d, close: _c, ...backend } = opened;
    server = await SealsyncServer.open({ ...serverOptions, ...backend });
    const organizations = [];
    for (const name of options.orgs) {
      const organizationId = organizationIdFromName(name);
      let existing = await server.findOrganization(organizationId);
      if (existing === undefined) {
        try {
          const created = await server.createOrganization(organizationId);
          organizations.push({ name, organizationId, bootstrapToken: toBase64Url(created.bootstrapToken), created: true });
          continue;
        } catch (err) {
          // Another node sharing the database created it first.
          existing = await server.findOrganization(organizationId);
          if (existing === undefined) throw err;
        }
      }
      {
        const token = existing.rootVerifyKey === null ? toBase64Url(existing.bootstrapToken) : null;
        organizations.push({ name, organizationId, bootstrapToken: token, created: false });
      }
    }
    const http = createServer(createHttpHandler(server, { allowOrigins: options.allowOrigins ?? [], ...(options.adminToken !== undefined ? { adminToken: options.adminToken } : {}) }));
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port, options.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const address = http.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const running = server;
    const purgeEvery = options.purgeIntervalMs ?? DEFAULT_PURGE_INTERVAL_MS;
    // A failed purge is retried at the next tick: the realm stays refused meanwhile.
    const purge = purgeEvery > 0 ? setInterval(() => void running.purgeDeletedRealms().catch(() => undefined), purgeEvery) : undefined;
    purge?.unref();
    return {
      server: running,
      http,
      url: `http://${host}:${address.port}`,
      storageDescription: opened.description,
      organizations,
      async close() {
        clearInterval(purge);
        await running.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await opened.close();
      },
    };
  } catch (err) {
    await server?.close().catch(() => undefined);
    await opened.close().catch(() => undefined);
    throw err;
  }
}
