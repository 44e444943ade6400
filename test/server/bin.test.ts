/**
 * The `sealsync-server` command as a process: disk by default (its first line names the data
 * directory), `--help` documents every option, bad options and a storage that cannot be opened
 * give one clear line and a non-zero exit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_USAGE } from '../../src/server/admin/cli.js';
import { SERVER_USAGE } from '../../src/server/cli.js';

const BIN = fileURLToPath(new URL('../../src/bin/sealsync-server.ts', import.meta.url));
// The loader by URL: the tests run the bin from a scratch directory, where `tsx` does not resolve.
const TSX = ['--import', new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealsync-bin-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the bin in `cwd`, resolves with its first two lines (and the process, still running). */
function start(args: string[], cwd: string): Promise<{ lines: string[]; child: ReturnType<typeof spawn> }> {
  const child = spawn(process.execPath, [...TSX, BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SEALSYNC_ADMIN_TOKEN: '' } });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      if (lines.length >= 3) {
        child.removeAllListeners('exit');
        resolve({ lines, child });
      }
    });
  });
}

async function stop(child: ReturnType<typeof spawn>): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

function run(args: string[], cwd = dir): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...TSX, BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, SEALSYNC_ADMIN_TOKEN: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sealsync-server process', () => {
  it('--help documents every option of the server and of admin', () => {
    for (const opt of ['--data', '--memory', '--database', 'SEALSYNC_DATABASE_URL', '--port', '--host', '--org', '--allow-origin', '--admin-token-file', '--help', 'admin']) expect(SERVER_USAGE).toContain(opt);
    for (const opt of ['--url', '--admin-token-file', '--outsiders', '--user-limit', '--expires', 'org-create', 'org-list', 'org-show', 'org-settings', 'stats', 'frozen', 'user-freeze', 'user-unfreeze', 'purge']) expect(ADMIN_USAGE).toContain(opt);
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(SERVER_USAGE);
  });

  it('bad options: one line, exit 2', () => {
    for (const args of [['--bogus'], ['admin', 'org-list'], ['--database', 'mysql://x'], ['--database', 'postgres://h/db', '--memory']]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    }
  });

  it('an unreachable database: one line naming it (not the password), exit 1', () => {
    const r = run(['--port', '0', '--database', 'postgres://user:hunter2@127.0.0.1:1/sealsync']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toContain('cannot reach the database at 127.0.0.1:1/sealsync');
    expect(r.stderr).not.toContain('hunter2');
  });

  it('starts on ./sealsync-data by default, names it first, and refuses a second server on it', async () => {
    const { lines, child } = await start(['--port', '0'], dir);
    try {
      expect(lines[0]).toBe(`sealsync-server: data on disk in ${join(dir, 'sealsync-data')}`);
      expect(lines[1]).toMatch(/^sealsync-server listening on http:\/\/127\.0\.0\.1:\d+$/);
      // The directory is in use: a second server gives one line and exits 1.
      const second = run(['--port', '0'], dir);
      expect(second.status).toBe(1);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toContain('storage/locked');
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });
});
