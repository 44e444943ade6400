import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors.js';
import { SecretKey } from '../../src/keys/index.js';
import { EncryptedStorage } from '../../src/storage/encrypted.js';
import { type FsCrashPoint, FsStorage, fileNameToKey, keyToFileName } from '../../src/storage/fs.js';
import { decodeJournal, encodeJournal } from '../../src/storage/fs-journal.js';
import type { Storage, StorageOp } from '../../src/storage/storage.js';
import { expectStorageError, storageContract } from './storage-contract.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sealsync-fs-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const opened = new WeakMap<Storage, string>();
storageContract('FsStorage', {
  async make() {
    const dir = await freshDir();
    const s = await FsStorage.open(dir);
    opened.set(s, dir);
    return s;
  },
  async reopen(s) {
    await s.close();
    const dir = opened.get(s)!;
    const again = await FsStorage.open(dir);
    opened.set(again, dir);
    return again;
  },
});

storageContract('EncryptedStorage(FsStorage)', {
  async make() {
    return new EncryptedStorage(await FsStorage.open(await freshDir()), SecretKey.fromBytes(new Uint8Array(32).fill(7)));
  },
});

const b = (...x: number[]): Uint8Array => Uint8Array.from(x);

describe('FsStorage layout', () => {
  it('stores each key as the lowercase hex of its UTF-8 bytes, inside its namespace directory', async () => {
    const dir = await freshDir();
    const s = await FsStorage.open(dir);
    await s.put('ns', '../A', b(1));
    expect(await readdir(join(dir, 'ns'))).toEqual(['2e2e2f41']);
    expect(keyToFileName('../A')).toBe('2e2e2f41');
    expect(fileNameToKey('2e2e2f41')).toBe('../A');
    await s.close();
  });

  it('ignores files it did not write when listing', async () => {
    const dir = await freshDir();
    const s = await FsStorage.open(dir);
    await s.put('ns', 'k', b(1));
    for (const name of ['README', '2E2E', 'abc', 'ff', '', '6b.bak']) {
      if (name !== '') await writeFile(join(dir, 'ns', name), 'x');
    }
    expect(fileNameToKey('ff')).toBeUndefined(); // not UTF-8
    expect(fileNameToKey('2E2E')).toBeUndefined(); // uppercase: not ours
    expect(fileNameToKey('78'.repeat(121))).toBeUndefined(); // longer than any valid key
    expect(await s.list('ns')).toEqual(['k']);
    await s.close();
  });

  it('deletes uncommitted temp files on open', async () => {
    const dir = await freshDir();
    let s = await FsStorage.open(dir);
    await s.close();
    await writeFile(join(dir, '.tmp', 'leftover'), 'half a value');
    s = await FsStorage.open(dir);
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
    await s.close();
  });

  it('a damaged committed journal is storage/corrupt on open (and nothing is applied)', async () => {
    const dir = await freshDir();
    const s = await FsStorage.open(dir);
    await s.put('ns', 'a', b(1));
    await s.close();
    const j = encodeJournal([
      { op: 'put', ns: 'ns', key: 'a', value: b(2) },
      { op: 'put', ns: 'ns', key: 'b', value: b(2) },
    ]);
    j[10] = j[10]! ^ 1;
    await writeFile(join(dir, '.journal'), j);
    await expectStorageError(FsStorage.open(dir), 'storage/corrupt');
  });

  it('a filesystem failure is storage/io', async () => {
    const dir = await freshDir();
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    await expectStorageError(FsStorage.open(file), 'storage/io');
    const s = await FsStorage.open(dir);
    await writeFile(join(dir, 'ns'), 'a file where the namespace directory should be');
    await expectStorageError(s.put('ns', 'k', b(1)), 'storage/io');
    await expectStorageError(s.list('ns'), 'storage/io');
    await s.put('ok', 'k', b(1)); // an I/O failure before any commit leaves the instance usable
    expect(await s.get('ok', 'k')).toEqual(b(1));
    await s.close();
  });
});

describe('journal encoding', () => {
  const ops: StorageOp[] = [
    { op: 'put', ns: 'n1', key: '\u{1F600}/x', value: b(1, 2, 3) },
    { op: 'delete', ns: 'n2', key: 'gone' },
    { op: 'put', ns: 'n1', key: 'e', value: new Uint8Array(0) },
  ];
  it('round trips', () => {
    expect(decodeJournal(encodeJournal(ops))).toEqual(ops);
    expect(decodeJournal(encodeJournal([]))).toEqual([]);
  });
  it('every truncation and every single-bit flip is storage/corrupt', () => {
    const j = encodeJournal(ops);
    for (let n = 0; n < j.length; n++) {
      expect(() => decodeJournal(j.subarray(0, n))).toThrow(StorageError);
    }
    for (let i = 0; i < j.length; i++) {
      const c = j.slice();
      c[i] = c[i]! ^ 0x10;
      try {
        decodeJournal(c);
        expect.unreachable(`flip at ${i} accepted`);
      } catch (e) {
        expect((e as StorageError).code).toBe('storage/corrupt');
      }
    }
  });
});

/**
 * Crash matrix: run an operation once to record every crash point it passes, then, for each of
 * them, rerun it from the same initial state with a simulated crash exactly there, reopen the
 * directory (recovery), and check that the state is exactly the old one (crash before the commit
 * point) or exactly the new one (at or after it) — never a mix, never a torn value.
 */
type State = Record<string, string>; // `${ns}|${key}` -> hex of the value
const NS = ['n1', 'n2'];

async function snapshot(s: Storage): Promise<State> {
  const out: State = {};
  for (const ns of NS) {
    for (const k of await s.list(ns)) out[`${ns}|${k}`] = Buffer.from((await s.get(ns, k))!).toString('hex');
  }
  return out;
}

interface Scenario {
  name: string;
  setup: (s: Storage) => Promise<void>;
  action: (s: Storage) => Promise<unknown>;
  commitPoint: FsCrashPoint;
}

const big = (fill: number): Uint8Array => new Uint8Array(70_000).fill(fill);
const scenarios: Scenario[] = [
  {
    name: 'put over an existing value',
    setup: (s) => s.put('n1', 'k', big(1)),
    action: (s) => s.put('n1', 'k', big(2)),
    commitPoint: 'write:after-rename',
  },
  {
    name: 'put of a new key in a new namespace',
    setup: (s) => s.put('n1', 'other', b(1)),
    action: (s) => s.put('n2', 'k', b(2)),
    commitPoint: 'write:after-rename',
  },
  {
    name: 'delete',
    setup: (s) => s.put('n1', 'k', b(1)),
    action: (s) => s.delete('n1', 'k'),
    commitPoint: 'delete:after-unlink',
  },
  {
    name: 'multi-key batch across namespaces',
    setup: (s) =>
      s.batch([
        { op: 'put', ns: 'n1', key: 'a', value: big(1) },
        { op: 'put', ns: 'n1', key: 'c', value: b(3) },
      ]),
    action: (s) =>
      s.batch([
        { op: 'put', ns: 'n1', key: 'a', value: big(2) },
        { op: 'put', ns: 'n2', key: 'b', value: b(2) },
        { op: 'delete', ns: 'n1', key: 'c' },
        { op: 'put', ns: 'n1', key: 'd', value: b(4) },
      ]),
    commitPoint: 'journal:after-commit',
  },
];

async function runWithCrash(
  sc: Scenario,
  crashAt: number | undefined,
): Promise<{ dir: string; points: FsCrashPoint[]; crashed: boolean }> {
  const dir = await freshDir();
  const points: FsCrashPoint[] = [];
  let armed = false;
  const s = await FsStorage.open(dir, {
    faults: (p) => {
      if (!armed) return;
      if (points.length === crashAt) throw new Error(`crash at ${p}`);
      points.push(p);
    },
  });
  await sc.setup(s);
  armed = true;
  let crashed = false;
  try {
    await sc.action(s);
  } catch (e) {
    crashed = true;
    expect(e).toBeInstanceOf(StorageError);
    // A crashed instance is dead, like the process it simulates.
    await expectStorageError(s.get('n1', 'k'), 'storage/io');
  }
  return { dir, points, crashed };
}

describe('FsStorage crash safety', () => {
  for (const sc of scenarios) {
    it(`${sc.name}: a crash at any point leaves the old or the new state`, async () => {
      const reference = await runWithCrash(sc, undefined);
      expect(reference.crashed).toBe(false);
      const newState = await snapshot(await FsStorage.open(reference.dir));
      const oldDir = await freshDir();
      const o = await FsStorage.open(oldDir);
      await sc.setup(o);
      const oldState = await snapshot(o);
      expect(newState).not.toEqual(oldState);

      const commitIdx = reference.points.indexOf(sc.commitPoint);
      expect(commitIdx).toBeGreaterThanOrEqual(0);
      expect(reference.points.length).toBeGreaterThan(0);
      for (let i = 0; i < reference.points.length; i++) {
        const run = await runWithCrash(sc, i);
        expect(run.crashed, `crash at #${i} ${reference.points[i]}`).toBe(true);
        const s = await FsStorage.open(run.dir);
        const state = await snapshot(s);
        expect(state, `crash at #${i} ${reference.points[i]}`).toEqual(i >= commitIdx ? newState : oldState);
        expect(await readdir(join(run.dir, '.tmp'))).toEqual([]);
        expect((await readdir(run.dir)).includes('.journal')).toBe(false);
        await s.close();
      }
    });
  }

  it('a crash during recovery itself is recovered by the next open', async () => {
    const sc = scenarios[3]!;
    const reference = await runWithCrash(sc, undefined);
    const newState = await snapshot(await FsStorage.open(reference.dir));
    // Crash right after the commit: the journal is on disk, nothing applied yet.
    const commitIdx = reference.points.indexOf('journal:after-commit');
    let recoveryPoints = 0;
    {
      const run = await runWithCrash(sc, commitIdx);
      await FsStorage.open(run.dir, { faults: () => void recoveryPoints++ }).then((s) => s.close());
    }
    expect(recoveryPoints).toBeGreaterThan(3);
    for (let j = 0; j < recoveryPoints; j++) {
      const run = await runWithCrash(sc, commitIdx);
      let seen = 0;
      await expectStorageError(
        FsStorage.open(run.dir, {
          faults: () => {
            if (seen++ === j) throw new Error('crash during recovery');
          },
        }),
        'storage/io',
      );
      const s = await FsStorage.open(run.dir);
      expect(await snapshot(s), `recovery crash #${j}`).toEqual(newState);
      await s.close();
    }
  });
});

describe('EncryptedStorage over FsStorage', () => {
  it('round trips through a reopen, and the files hold no plaintext', async () => {
    const key = SecretKey.fromBytes(new Uint8Array(32).fill(3));
    const dir = await freshDir();
    let s = new EncryptedStorage(await FsStorage.open(dir), key);
    await s.put('blocks', 'secret-name', new TextEncoder().encode('plaintext payload'));
    await s.close();
    s = new EncryptedStorage(await FsStorage.open(dir), key);
    expect(new TextDecoder().decode(await s.get('blocks', 'secret-name'))).toBe('plaintext payload');
    expect(await s.list('blocks')).toEqual(['secret-name']);
    await s.close();
    for (const nsDir of (await readdir(dir)).filter((n) => !n.startsWith('.'))) {
      expect(nsDir).not.toContain('blocks');
      for (const f of await readdir(join(dir, nsDir))) {
        const content = Buffer.from(await readFile(join(dir, nsDir, f)));
        expect(content.includes('plaintext')).toBe(false);
        expect(content.includes('secret-name')).toBe(false);
        expect(Buffer.from(f, 'hex').includes('secret')).toBe(false);
      }
    }
  });
});
