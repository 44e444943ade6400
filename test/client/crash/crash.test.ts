/**
 * Crash safety (issue 18): a client on `FsStorage` over HTTP runs a scripted workload in a child
 * process that dies by SIGKILL at every upload boundary of the sync (right after the server
 * accepted the upload, before the client saw the answer) and at seeded random instants. The
 * parent then reopens the same directory, syncs, and checks that every acknowledged operation
 * holds — a delete, a rename over an edited file and a folder delete included — on this device
 * and on the server (a fresh client of the same device). Longer churn: `SEALSYNC_CRASH_CYCLES`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '../../../src/client/index.js';
import { prng } from '../../support/prng.js';
import { CrashWorld, type ChildRun } from './crash-harness.js';
import { applyToModel, churnCycle, EDIT_AND_SYNC, PREPARED, readTree, sortedEntries, type CrashOp } from './crash-script.js';

const worlds: CrashWorld[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
});

async function world(): Promise<CrashWorld> {
  const w = await CrashWorld.create();
  worlds.push(w);
  return w;
}

/** The trees the acknowledged operations allow: the one after them, or after the one in flight too. */
function allowed(start: ReadonlyMap<string, string>, ops: readonly CrashOp[], run: ChildRun): string[] {
  const tree = new Map(start);
  const acked = new Set(run.acked);
  let i = 0;
  for (; i < ops.length && acked.has(i); i++) applyToModel(tree, ops[i]!);
  const out = [JSON.stringify(sortedEntries(tree))];
  if (i < ops.length) {
    applyToModel(tree, ops[i]!);
    out.push(JSON.stringify(sortedEntries(tree)));
  }
  return out;
}

/** Milliseconds each reopen took (printed, never asserted: no timing assertions). */
const reopenMs: number[] = [];

/** Reopens the device's directory, syncs, and checks it and the server against `expected`. */
async function reopenAndCheck(w: CrashWorld, expected: readonly string[]): Promise<Map<string, string>> {
  const clients: Client[] = [];
  try {
    const t0 = performance.now();
    const c = await w.open();
    clients.push(c);
    reopenMs.push(Math.round(performance.now() - t0));
    const conflicts: unknown[] = [];
    c.on('conflict', (e) => conflicts.push(e));
    const ws = await c.workspace(w.realmId);
    await ws.sync();
    const mine = await readTree(ws);
    expect(expected).toContain(JSON.stringify(sortedEntries(mine)));
    expect(conflicts).toEqual([]);
    expect(await ws.hasPendingChanges()).toBe(false);
    const fresh = await w.open(true);
    clients.push(fresh);
    await fresh.syncCertificates();
    const theirWs = await fresh.workspace(w.realmId);
    await theirWs.sync();
    const theirs = await readTree(theirWs);
    expect(sortedEntries(theirs)).toEqual(sortedEntries(mine));
    return mine;
  } finally {
    for (const c of clients) await c.close();
  }
}

describe('crash safety: SIGKILL during a sync on FsStorage', () => {
  it('every upload boundary of the scripted sync: acknowledged deletes, renames over and folder deletes stay done', { timeout: 240_000 }, async () => {
    const dry = await world();
    const full = await dry.runChild('edit-and-sync');
    expect(full.done).toBe(true);
    // The workload crosses several boundaries (a block batch, then a manifest batch per upload
    // level: files, /sub, root); none is skipped below.
    expect(full.uploads).toBeGreaterThanOrEqual(4);
    await reopenAndCheck(dry, allowed(PREPARED, EDIT_AND_SYNC, full));
    const t0 = Date.now();
    for (let k = 1; k <= full.uploads; k++) {
      const w = await world();
      const run = await w.runChild('edit-and-sync', { crashAt: k });
      expect(run.done, `killed after upload ${k}`).toBe(false);
      expect(run.uploads).toBe(k);
      await reopenAndCheck(w, allowed(PREPARED, EDIT_AND_SYNC, run));
      await w.close();
      worlds.splice(worlds.indexOf(w), 1);
    }
    console.log(`crash boundaries: ${full.uploads} kill points in ${Date.now() - t0} ms`);
  });

  it('seeded random instants, then churn on one directory: every acknowledged operation holds, the store stays bounded', { timeout: 600_000 }, async () => {
    const rand = prng(18);
    const w = await world();
    // Tombstones forgotten by the sync after the one that settles them: the store holds the live
    // content and entries, and a 72-byte mark per collected entry (entry-gc.ts).
    w.tombstoneRetention = 0;
    let tree = new Map(PREPARED);
    const first = await w.runChild('edit-and-sync', { killAfterMs: Math.floor(rand() * 300) });
    tree = await reopenAndCheck(w, allowed(tree, EDIT_AND_SYNC, first));
    const cycles = Number(process.env.SEALSYNC_CRASH_CYCLES ?? 2);
    const sizes: number[] = [];
    for (let i = 0; i < cycles; i++) {
      const ops = churnCycle(i);
      const run = await w.runChild(`churn-${i}`, { killAfterMs: Math.floor(rand() * 400) });
      const after = await reopenAndCheck(w, allowed(tree, ops, run));
      tree = after;
      sizes.push(w.storeBytes());
    }
    console.log(`crash churn: ${cycles} killed cycles, local store bytes ${sizes.join(' ')}; reopen ms ${reopenMs.slice(-cycles).join(' ')}`);
    // Bounded: the live content (≤ 3 blocks of 4 KiB, small files, entries, tombstones) and no
    // more, however many cycles run (it grew by ~12 KiB a cycle before local collection).
    for (const b of sizes) expect(b).toBeLessThanOrEqual(48 * 1024);
  });
});
