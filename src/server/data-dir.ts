/**
 * The disk layout of `sealsync-server --data DIR`: `DIR/store` is an `FsStorage` (temp file,
 * fsync, rename, write-ahead journal for batches: an acknowledged write survives `kill -9` and
 * power loss), `DIR/LOCK` holds the pid of the server using the directory, since two processes
 * writing one `FsStorage` would corrupt it. A lock left by a dead process (after `kill -9`) is
 * taken over.
 * @module
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StorageError } from '../errors.js';
import { FsStorage } from '../storage/fs.js';

/** An opened data directory. */
export interface DataDir {
  /** Absolute path. */
  readonly path: string;
  readonly storage: FsStorage;
  /** Closes the storage, then releases the lock. */
  close(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as { code?: string }).code === 'EPERM';
  }
}

async function lock(file: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(`${process.pid}\n`);
      await fh.sync();
      await fh.close();
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw new StorageError('storage/io', `cannot create ${file}`, { cause: err });
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new StorageError('storage/locked', `the data directory is in use by process ${pid} (${file})`);
    }
    await rm(file, { force: true });
  }
  throw new StorageError('storage/locked', `cannot lock ${file}`);
}

/**
 * Opens (creating it if needed) a server data directory.
 * @throws StorageError `storage/locked` when another live process uses it, `storage/io` when it
 * cannot be created or read.
 */
export async function openDataDir(dir: string): Promise<DataDir> {
  const path = resolve(dir);
  try {
    await mkdir(path, { recursive: true });
  } catch (err) {
    throw new StorageError('storage/io', `cannot create the data directory ${path}`, { cause: err });
  }
  const lockFile = join(path, 'LOCK');
  await lock(lockFile);
  let storage: FsStorage;
  try {
    storage = await FsStorage.open(join(path, 'store'));
  } catch (err) {
    await rm(lockFile, { force: true });
    throw err;
  }
  return {
    path,
    storage,
    async close() {
      await storage.close();
      await rm(lockFile, { force: true });
    },
  };
}
