/**
 * The pieces of the `sealsync-server` command: argument parsing (pure) and starting a reference
 * server over HTTP on an in-memory store.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toBase64Url, toHex, utf8Encode } from '../bytes.js';
import { isId, type OrganizationId } from '../codec/ids.js';
import { ArgumentError } from '../errors.js';
import { sha256Sync } from '../keys/index.js';
import { parseAllowedOrigin } from './cors.js';
import { createHttpHandler } from './http.js';
import { SealsyncServer, type SealsyncServerOptions } from './server.js';

export interface ServerCliOptions {
  readonly port: number;
  readonly host: string;
  /** Organisations to create at start (names or ids). */
  readonly orgs: readonly string[];
  /** Origins whose web pages may call the server (CORS); `*` for any. */
  readonly allowOrigins: readonly string[];
  readonly help: boolean;
}

export const SERVER_USAGE = `usage: sealsync-server [--port 8080] [--host 127.0.0.1] [--org NAME]... [--allow-origin ORIGIN]...

Starts the sealsync reference server over HTTP, in memory (nothing survives a restart).
  --port N      TCP port (0: any free port); default 8080
  --host H      listen address; default 127.0.0.1
  --org NAME    create an organisation and print its id and bootstrap token; NAME is an id
                (32 lowercase hex) or a name (the id is derived from it); repeatable
  --allow-origin ORIGIN
                let web pages of ORIGIN (scheme://host[:port], or * for any) call this
                server from a browser (CORS, preflight answered); repeatable; default none
`;

/** Parses the command line. Throws `ArgumentError` (`argument/invalid`) with a usable message. */
export function parseServerArgs(argv: readonly string[]): ServerCliOptions {
  let port = 8080;
  let host = '127.0.0.1';
  let help = false;
  const orgs: string[] = [];
  const allowOrigins: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ArgumentError('argument/invalid', `${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--port': {
        const v = value();
        if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 65535) throw new ArgumentError('argument/invalid', `invalid port ${v}`);
        port = Number(v);
        break;
      }
      case '--host':
        host = value();
        break;
      case '--org':
        orgs.push(value());
        break;
      case '--allow-origin':
        allowOrigins.push(parseAllowedOrigin(value()));
        break;
      case '-h':
      case '--help':
        help = true;
        break;
      default:
        throw new ArgumentError('argument/invalid', `unknown argument ${arg}`);
    }
  }
  return { port, host, orgs, allowOrigins, help };
}

/** The organisation id for `--org NAME`: NAME itself if it is an id, else derived from it. */
export function organizationIdFromName(name: string): OrganizationId {
  if (isId(name)) return name as OrganizationId;
  if (name.length === 0) throw new ArgumentError('argument/invalid', 'an organisation name is not empty');
  return toHex(sha256Sync(utf8Encode(`sealsync/1/organization-name\0${name}`)).subarray(0, 16)) as OrganizationId;
}

/** A running server. */
export interface RunningServer {
  readonly server: SealsyncServer;
  readonly http: Server;
  readonly url: string;
  /** Created organisations with their bootstrap token (base64url). */
  readonly organizations: readonly { name: string; organizationId: OrganizationId; bootstrapToken: string }[];
  close(): Promise<void>;
}

/** Starts a server on `host:port` (port 0: any free port). Rejects if it cannot listen. */
export async function startServer(options: Pick<ServerCliOptions, 'port' | 'host' | 'orgs'> & Partial<Pick<ServerCliOptions, 'allowOrigins'>>, serverOptions: SealsyncServerOptions = {}): Promise<RunningServer> {
  const server = await SealsyncServer.open(serverOptions);
  const organizations = [];
  for (const name of options.orgs) {
    const created = await server.createOrganization(organizationIdFromName(name));
    organizations.push({ name, organizationId: created.organizationId, bootstrapToken: toBase64Url(created.bootstrapToken) });
  }
  const http = createServer(createHttpHandler(server, { allowOrigins: options.allowOrigins ?? [] }));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    http,
    url: `http://${host}:${address.port}`,
    organizations,
    async close() {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
