/**
 * Command line of `sealsync-server` (pure parsing and the `--help` text).
 * @module
 */
import { ArgumentError } from '../errors.js';
import { parseAllowedOrigin } from './cors.js';

/** Where the server keeps its data. */
export type StorageChoice =
  | { readonly kind: 'disk'; readonly dir: string; readonly defaulted: boolean }
  | { readonly kind: 'memory' }
  /** A PostgreSQL database, shared by any number of server processes. */
  | { readonly kind: 'postgres'; readonly url: string };

export interface ServerCliOptions {
  readonly port: number;
  readonly host: string;
  /** Organisations to create at start (names or ids). */
  readonly orgs: readonly string[];
  /** Origins whose web pages may call the server (CORS); `*` for any. */
  readonly allowOrigins: readonly string[];
  readonly storage: StorageChoice;
  /** File holding the admin token (else `SEALSYNC_ADMIN_TOKEN`; neither: no admin API). */
  readonly adminTokenFile: string | null;
  readonly help: boolean;
}

/** The data directory used when neither `--data` nor `--memory` is given. */
export const DEFAULT_DATA_DIR = './sealsync-data';

export const SERVER_USAGE = `usage: sealsync-server [options]
       sealsync-server admin <command> [options]     (see: sealsync-server admin --help)

Starts the sealsync reference server over HTTP. Its first line names where the data is kept.
  --data DIR    keep everything in DIR, crash-safe (fsync before every acknowledgement);
                default ${DEFAULT_DATA_DIR}; one server process per directory
  --memory      keep everything in memory (nothing survives a restart; tests, demos)
  --database URL
                keep everything in PostgreSQL (postgres://user:password@host:port/db; needs
                the optional package "pg"); any number of server processes may share one
                database, behind a load balancer sending any request to any of them; the
                schema is created or migrated at start; the environment variable
                SEALSYNC_DATABASE_URL does the same
  --port N      TCP port (0: any free port); default 8080
  --host H      listen address; default 127.0.0.1
  --org NAME    create an organisation (if new) and print its id and bootstrap token; NAME is
                an id (32 lowercase hex) or a name (the id is derived from it); repeatable
  --allow-origin ORIGIN
                let web pages of ORIGIN (scheme://host[:port], or * for any) call this
                server from a browser (CORS, preflight answered); repeatable; default none
  --admin-token-file FILE
                serve the administration API under /admin/ to requests bearing the token in
                FILE (at least 16 characters); the environment variable SEALSYNC_ADMIN_TOKEN
                does the same; neither: no administration API
  -h, --help    this text

Exit status: 0 after SIGINT/SIGTERM, 2 for bad options, 1 when it cannot start.
`;

/** Parses the command line. Throws `ArgumentError` (`argument/invalid`) with a usable message. */
export function parseServerArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ServerCliOptions {
  let port = 8080;
  let host = '127.0.0.1';
  let help = false;
  let data: string | null = null;
  let memory = false;
  let database: string | null = null;
  const fromEnv = env.SEALSYNC_DATABASE_URL;
  let adminTokenFile: string | null = null;
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
      case '--data':
        data = value();
        break;
      case '--memory':
        memory = true;
        break;
      case '--database': {
        database = value();
        if (!/^postgres(ql)?:\/\//.test(database)) throw new ArgumentError('argument/invalid', '--database needs a postgres:// URL');
        break;
      }
      case '--admin-token-file':
        adminTokenFile = value();
        break;
      case '-h':
      case '--help':
        help = true;
        break;
      default:
        throw new ArgumentError('argument/invalid', `unknown argument ${arg}`);
    }
  }
  if (database === null && !memory && data === null && fromEnv !== undefined && fromEnv !== '') {
    if (!/^postgres(ql)?:\/\//.test(fromEnv)) throw new ArgumentError('argument/invalid', 'SEALSYNC_DATABASE_URL needs a postgres:// URL');
    database = fromEnv;
  }
  if ([memory, data !== null, database !== null].filter(Boolean).length > 1) throw new ArgumentError('argument/invalid', '--memory, --data and --database exclude each other');
  const storage: StorageChoice =
    database !== null ? { kind: 'postgres', url: database } : memory ? { kind: 'memory' } : { kind: 'disk', dir: data ?? DEFAULT_DATA_DIR, defaulted: data === null };
  return { port, host, orgs, allowOrigins, storage, adminTokenFile, help };
}
