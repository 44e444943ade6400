/**
 * Command line of `sealsync-server` (pure parsing and the `--help` text).
 * @module
 */
import { ArgumentError } from '../errors.js';
import { parseAllowedOrigin } from './cors.js';

/** Where the server keeps its data. */
export type StorageChoice =
  | { readonly kind: 'disk'; readonly dir: string; readonly defaulted: boolean }
  | { readonly kind: 'memory' };

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
export function parseServerArgs(argv: readonly string[]): ServerCliOptions {
  let port = 8080;
  let host = '127.0.0.1';
  let help = false;
  let data: string | null = null;
  let memory = false;
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
  if (memory && data !== null) throw new ArgumentError('argument/invalid', '--memory and --data exclude each other');
  const storage: StorageChoice = memory ? { kind: 'memory' } : { kind: 'disk', dir: data ?? DEFAULT_DATA_DIR, defaulted: data === null };
  return { port, host, orgs, allowOrigins, storage, adminTokenFile, help };
}
