/**
 * Node filesystem `Storage` (subpath export `sealsync/storage/fs`, kept out of the main entry so
 * browser bundles never see `node:fs`).
 *
 * Layout of the directory:
 * - `<ns>/<hex(utf8(key))>`: one file per value. Lowercase hex makes any key a safe, portable
 *   file name (no separators, no `.`/`..`, no case-folding collisions on macOS/Windows).
 * - `.tmp/`: temporary files, on the same filesystem so `rename` is atomic; anything left there
 *   is an uncommitted write and is deleted on open.
 * - `.journal`: the committed write-ahead journal of a batch being applied (the batch's ops followed by their SHA-256).
 *
 * Crash safety (POSIX rename is atomic, RFC-less but specified by POSIX `rename(2)`):
 * - a single write goes temp file → fsync → rename over the target → fsync of the directory,
 *   so after a crash the file holds the old or the new bytes, never a mix;
 * - a batch is first written as a journal (temp → fsync → rename to `.journal`, the commit
 *   point), then applied op by op with the same durable writes, then the journal is removed.
 *   Opening the directory replays a committed journal (replay is idempotent), so a batch is all
 *   or nothing.
 *
 * One process at a time may open a directory (no cross-process locking).
 * @module
 */
import { mkdir, open, readFile, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { toHex, utf8Decode, utf8Encode } from '../bytes.js';
import { SealsyncError, StorageError } from '../errors.js';
import { decodeJournal, encodeJournal } from './fs-journal.js';
import { MAX_KEY_BYTES, selectKeys, validateBatch, validateKey, validateNamespace, validatePrefix, validateValue } from './names.js';
import { RwLock } from './rw-lock.js';
import type { Storage, StorageOp } from './storage.js';

const TMP_DIR = '.tmp';
const JOURNAL = '.journal';
const HEX_NAME_RE = /^(?:[0-9a-f]{2})+$/;

/** The places where the fault hook is called: each is a point where a real crash could occur. */
export type FsCrashPoint =
  | 'write:after-temp-write'
  | 'write:after-temp-fsync'
  | 'write:after-rename'
  | 'delete:after-unlink'
  | 'journal:mid-write'
  | 'journal:after-fsync'
  | 'journal:after-commit'
  | 'apply:after-op'
  | 'apply:after-all';

/** Options of {@link FsStorage.open}. */
export interface FsStorageOptions {
  /**
   * Testing only: called at every crash point; throwing from it simulates a crash there. The
   * instance then refuses further calls (as a dead process would) and the directory must be
   * reopened, which is when recovery runs.
   */
  readonly faults?: (point: FsCrashPoint) => void;
}

/** Wraps a platform error as `storage/io`; sealsync errors pass through unchanged. */
function ioError(what: string, cause: unknown): SealsyncError {
  if (cause instanceof SealsyncError) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  return new StorageError('storage/io', `${what} failed${typeof code === 'string' ? ` (${code})` : ''}`, { cause });
}

function isErrno(e: unknown, code: string): boolean {
  return (e as { code?: unknown } | null)?.code === code;
}

function tempName(): string {
  const b = new Uint8Array(12);
  globalThis.crypto.getRandomValues(b);
  return toHex(b);
}

/** The file name of a (valid) key. */
export function keyToFileName(key: string): string {
  return toHex(utf8Encode(key));
}

/** The key of a file name, or `undefined` for a name this backend did not write. */
export function fileNameToKey(name: string): string | undefined {
  if (!HEX_NAME_RE.test(name) || name.length > 2 * MAX_KEY_BYTES) return undefined;
  const bytes = new Uint8Array(name.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(name.slice(2 * i, 2 * i + 2), 16);
  try {
    const key = utf8Decode(bytes);
    validateKey(key);
    return key;
  } catch {
    return undefined;
  }
}

/** A `Storage` in one directory of the local filesystem, crash-safe (see the module comment). */
export class FsStorage implements Storage {
  readonly #root: string;
  readonly #faults: ((point: FsCrashPoint) => void) | undefined;
  readonly #lock = new RwLock();
  readonly #knownDirs = new Set<string>();
  #closed = false;
  /** Set when a committed batch could not be applied in full: only reopening can finish it. */
  #broken: SealsyncError | undefined;

  private constructor(root: string, options: FsStorageOptions) {
    this.#root = root;
    this.#faults = options.faults;
  }

  /**
   * Opens (creating it if needed) the storage directory `dir`: deletes uncommitted temporary
   * files and finishes a committed batch left by a crash. Rejects with `storage/io` if the
   * directory cannot be used, `storage/corrupt` if a committed journal is damaged.
   * @param dir - the directory (created with its parents if missing); one process at a time.
   * @throws `StorageError` `storage/io`, `storage/corrupt` (see above).
   * @example
   * ```ts
   * import { FsStorage } from 'sealsync/storage/fs';
   * const storage = await FsStorage.open('./sealsync-state');
   * const client = await Client.open({ device, transport, storage }); // the client encrypts what it stores
   * ```
   */
  static async open(dir: string, options: FsStorageOptions = {}): Promise<FsStorage> {
    const s = new FsStorage(dir, options);
    await s.#recover();
    return s;
  }

  /** See `Storage.get`. Rejects `storage/io` on a read failure other than "absent". */
  get(ns: string, key: string): Promise<Uint8Array | undefined> {
    return this.#read(async () => {
      validateNamespace(ns);
      validateKey(key);
      try {
        return new Uint8Array(await readFile(this.#path(ns, key)));
      } catch (e) {
        if (isErrno(e, 'ENOENT')) return undefined;
        throw ioError('read', e);
      }
    });
  }

  /** See `Storage.put`. Durable (fsynced file and directory) when it resolves. */
  async put(ns: string, key: string, value: Uint8Array): Promise<void> {
    validateNamespace(ns);
    validateKey(key);
    validateValue(value);
    // Copied before the first await: the caller may reuse its buffer as soon as we return.
    const copy = value.slice();
    return this.#write(() => this.#writeFile(ns, key, copy));
  }

  /** See `Storage.delete`. */
  delete(ns: string, key: string): Promise<boolean> {
    return this.#write(async () => {
      validateNamespace(ns);
      validateKey(key);
      return this.#deleteFile(ns, key);
    });
  }

  /** See `Storage.list`. File names this backend did not write are ignored. */
  list(ns: string, prefix?: string): Promise<string[]> {
    return this.#read(async () => {
      validateNamespace(ns);
      validatePrefix(prefix);
      let names: string[];
      try {
        names = await readdir(join(this.#root, ns));
      } catch (e) {
        if (isErrno(e, 'ENOENT')) return [];
        throw ioError('list', e);
      }
      const keys: string[] = [];
      for (const n of names) {
        const k = fileNameToKey(n);
        if (k !== undefined) keys.push(k);
      }
      return selectKeys(keys, prefix);
    });
  }

  /**
   * See `Storage.batch`. Commits through the journal (a single op skips it: one rename is already
   * atomic). If applying fails after the commit point, the instance refuses further calls with
   * `storage/io` until the directory is reopened, which completes the batch.
   */
  async batch(ops: readonly StorageOp[]): Promise<void> {
    validateBatch(ops);
    // Copied before the first await (the caller may reuse its buffers), unless handed over.
    const copied = ops.map((op): StorageOp => (op.op === 'put' ? { ...op, value: op.handOver === true ? op.value : op.value.slice() } : { ...op }));
    return this.#write(async () => {
      if (copied.length === 0) return;
      if (copied.length === 1) {
        const op = copied[0]!;
        if (op.op === 'put') await this.#writeFile(op.ns, op.key, op.value);
        else await this.#deleteFile(op.ns, op.key);
        return;
      }
      await this.#commitJournal(encodeJournal(copied));
      try {
        // From here on the batch is committed: a reopen applies it even if we die now, so any
        // failure leaves this instance unusable rather than silently half applied.
        this.#fault('journal:after-commit');
        await this.#fsyncDir(this.#root);
        await this.#apply(copied);
        await this.#removeJournal();
      } catch (e) {
        this.#broken = ioError('batch apply', e);
        throw this.#broken;
      }
    });
  }

  /** See `Storage.close`. Waits for in-flight calls. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#lock.write(async () => {
      this.#closed = true;
    });
  }

  // ---- durable primitives ------------------------------------------------------------------

  #fault(point: FsCrashPoint): void {
    if (this.#faults === undefined) return;
    try {
      this.#faults(point);
    } catch (e) {
      // A simulated crash: the process is "dead", nothing after this point may run.
      this.#broken = new StorageError('storage/io', `simulated crash at ${point}`, { cause: e });
      throw this.#broken;
    }
  }

  #path(ns: string, key: string): string {
    return join(this.#root, ns, keyToFileName(key));
  }

  async #ensureDir(ns: string): Promise<void> {
    if (this.#knownDirs.has(ns)) return;
    try {
      await mkdir(join(this.#root, ns), { recursive: true });
    } catch (e) {
      throw ioError('mkdir', e);
    }
    // The new directory entry must itself be durable, or a file renamed into it could vanish.
    await this.#fsyncDir(this.#root);
    this.#knownDirs.add(ns);
  }

  async #fsyncDir(dir: string): Promise<void> {
    let fh;
    try {
      fh = await open(dir, 'r');
      await fh.sync();
    } catch (e) {
      // Some platforms (Windows) and filesystems cannot open or fsync a directory; rename is
      // then as durable as that platform makes it.
      if (!isErrno(e, 'EISDIR') && !isErrno(e, 'EINVAL') && !isErrno(e, 'EPERM') && !isErrno(e, 'EACCES')) {
        throw ioError('fsync directory', e);
      }
    } finally {
      await fh?.close().catch(() => undefined);
    }
  }

  /** Writes `data` to a fresh temp file and fsyncs it; returns its path. `mid` splits the write. */
  async #writeTemp(data: Uint8Array, mid?: FsCrashPoint): Promise<string> {
    const tmp = join(this.#root, TMP_DIR, tempName());
    let fh;
    try {
      fh = await open(tmp, 'wx');
      if (mid !== undefined) {
        const half = data.length >> 1;
        await fh.writeFile(data.subarray(0, half));
        this.#fault(mid);
        await fh.writeFile(data.subarray(half));
      } else {
        await fh.writeFile(data);
        this.#fault('write:after-temp-write');
      }
      await fh.sync();
      if (mid === undefined) this.#fault('write:after-temp-fsync');
    } catch (e) {
      await fh?.close().catch(() => undefined);
      if (this.#broken === undefined) await unlink(tmp).catch(() => undefined);
      throw ioError('write', e);
    }
    try {
      await fh.close();
    } catch (e) {
      throw ioError('close', e);
    }
    return tmp;
  }

  async #writeFile(ns: string, key: string, value: Uint8Array): Promise<void> {
    await this.#ensureDir(ns);
    const tmp = await this.#writeTemp(value);
    try {
      await rename(tmp, this.#path(ns, key));
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw ioError('rename', e);
    }
    this.#fault('write:after-rename');
    await this.#fsyncDir(join(this.#root, ns));
  }

  async #deleteFile(ns: string, key: string): Promise<boolean> {
    try {
      await unlink(this.#path(ns, key));
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return false;
      throw ioError('delete', e);
    }
    this.#fault('delete:after-unlink');
    await this.#fsyncDir(join(this.#root, ns));
    return true;
  }

  // ---- journal -------------------------------------------------------------------------------

  /** Writes the journal and renames it into place (the commit point); rejects only before it. */
  async #commitJournal(journal: Uint8Array): Promise<void> {
    const tmp = await this.#writeTemp(journal, 'journal:mid-write');
    this.#fault('journal:after-fsync');
    try {
      await rename(tmp, join(this.#root, JOURNAL));
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw ioError('journal commit', e);
    }
  }

  async #apply(ops: readonly StorageOp[]): Promise<void> {
    for (const op of ops) {
      if (op.op === 'put') await this.#writeFile(op.ns, op.key, op.value);
      else await this.#deleteFile(op.ns, op.key);
      this.#fault('apply:after-op');
    }
    this.#fault('apply:after-all');
  }

  async #removeJournal(): Promise<void> {
    try {
      await unlink(join(this.#root, JOURNAL));
    } catch (e) {
      throw ioError('journal removal', e);
    }
    await this.#fsyncDir(this.#root);
  }

  /** Clears uncommitted temp files, then replays a committed journal if there is one. */
  async #recover(): Promise<void> {
    try {
      await mkdir(this.#root, { recursive: true });
      await rm(join(this.#root, TMP_DIR), { recursive: true, force: true });
      await mkdir(join(this.#root, TMP_DIR));
    } catch (e) {
      throw ioError('open', e);
    }
    let journal: Uint8Array;
    try {
      journal = new Uint8Array(await readFile(join(this.#root, JOURNAL)));
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return;
      throw ioError('journal read', e);
    }
    await this.#apply(decodeJournal(journal));
    await this.#removeJournal();
  }

  // ---- call wrappers -------------------------------------------------------------------------

  #check(): void {
    if (this.#closed) throw new StorageError('storage/closed', 'storage is closed');
    if (this.#broken !== undefined) {
      throw new StorageError('storage/io', 'a committed batch could not be applied; reopen the storage', {
        cause: this.#broken,
      });
    }
  }

  #read<T>(fn: () => Promise<T>): Promise<T> {
    return this.#lock.read(async () => {
      this.#check();
      return fn();
    });
  }

  #write<T>(fn: () => Promise<T>): Promise<T> {
    return this.#lock.write(async () => {
      this.#check();
      return fn();
    });
  }
}
