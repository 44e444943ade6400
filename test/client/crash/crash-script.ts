/**
 * The scripted workload of the crash test, shared by the parent and the child process: operations
 * as data, how a client runs them, and a tiny model of what the tree must be after the
 * acknowledged ones.
 */
import type { Workspace } from '../../../src/client/index.js';

export interface CrashConfig {
  readonly url: string;
  readonly organizationId: string;
  readonly realmId: string;
  readonly deviceFile: string;
  readonly password: string;
  readonly storageDir: string;
}

export type CrashOp =
  | { readonly op: 'write'; readonly path: string; readonly text: string }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'rename'; readonly from: string; readonly to: string }
  | { readonly op: 'mkdir'; readonly path: string }
  | { readonly op: 'sync' };

/** The tree before the crashing step: `path → text`, folders as `path/ → ''`. */
export const PREPARED: ReadonlyMap<string, string> = new Map([
  ['/x.bin', 'x1'],
  ['/y.bin', 'y1'],
  ['/z.bin', 'z1'],
  ['/dir/', ''],
  ['/dir/f.bin', 'f1'],
  ['/dir/g.txt', 'g1'],
  ['/keep.txt', 'k1'],
]);

/**
 * The three faults (edit then delete, edit then rename over, edit inside then delete the
 * folder) plus ordinary edits, then a sync: the crash lands somewhere in there.
 */
export const EDIT_AND_SYNC: readonly CrashOp[] = [
  { op: 'write', path: '/x.bin', text: 'x-edit' },
  { op: 'remove', path: '/x.bin' },
  { op: 'write', path: '/y.bin', text: 'y-edit' },
  { op: 'rename', from: '/z.bin', to: '/y.bin' },
  { op: 'write', path: '/dir/f.bin', text: 'f-edit' },
  { op: 'remove', path: '/dir' },
  { op: 'write', path: '/keep.txt', text: 'keep-edit, three 4 KiB blocks '.repeat(300) },
  { op: 'mkdir', path: '/sub' },
  { op: 'write', path: '/sub/n.txt', text: 'new' },
  { op: 'rename', from: '/keep.txt', to: '/sub/kept.txt' },
  { op: 'sync' },
];

/** One churn cycle (`i` varies the content): overwrite, create, delete, sync. */
export function churnCycle(i: number): CrashOp[] {
  return [
    { op: 'mkdir', path: '/sub' },
    { op: 'write', path: '/sub/n.txt', text: `n${i} `.repeat(2000) },
    { op: 'write', path: `/c${i % 3}.txt`, text: `c${i} `.repeat(30) },
    { op: 'remove', path: `/c${(i + 1) % 3}.txt` },
    { op: 'sync' },
  ];
}

/** Runs `ops` in order; `ack(i)` after each one the client acknowledged. */
export async function runOps(ws: Workspace, ops: readonly CrashOp[], ack: (i: number) => void): Promise<void> {
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    switch (o.op) {
      case 'write':
        await ws.writeFile(o.path, new TextEncoder().encode(o.text));
        break;
      case 'remove':
        if (!(await ws.exists(o.path))) break;
        await ws.remove(o.path, { recursive: true });
        break;
      case 'rename':
        await ws.rename(o.from, o.to, { overwrite: true });
        break;
      case 'mkdir':
        if (!(await ws.exists(o.path))) await ws.mkdir(o.path);
        break;
      case 'sync':
        await ws.sync();
        break;
    }
    ack(i);
  }
}

/** The tree after the acknowledged `ops` (applied to `tree`, in place). */
export function applyToModel(tree: Map<string, string>, o: CrashOp): void {
  const under = (p: string) => [...tree.keys()].filter((k) => k === p || k === `${p}/` || k.startsWith(`${p}/`));
  switch (o.op) {
    case 'write':
      tree.set(o.path, o.text);
      return;
    case 'remove':
      for (const k of under(o.path)) tree.delete(k);
      return;
    case 'rename': {
      for (const k of under(o.to)) tree.delete(k);
      for (const k of under(o.from)) {
        const v = tree.get(k)!;
        tree.delete(k);
        tree.set(o.to + k.slice(o.from.length), v);
      }
      return;
    }
    case 'mkdir':
      tree.set(`${o.path}/`, '');
      return;
    case 'sync':
      return;
  }
}

/** The workspace's tree as `path → text` (folders `path/ → ''`), scratch entries included. */
export async function readTree(ws: Workspace, dir = '/'): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await ws.list(dir)) {
    const p = `${dir === '/' ? '' : dir}/${e.name}`;
    if (e.type === 'folder') {
      out.set(`${p}/`, '');
      for (const [k, v] of await readTree(ws, p)) out.set(k, v);
    } else {
      out.set(p, new TextDecoder().decode(await ws.readFile(p)));
    }
  }
  return out;
}

export function sortedEntries(m: ReadonlyMap<string, string>): [string, string][] {
  return [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
