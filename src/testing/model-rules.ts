/**
 * The rules of the convergence model that go beyond one merge (`model-device.ts`): the client's
 * tree rules after a pull (one place per entry, no folder cycle: `one-place.ts`), a change of a
 * device's ignore patterns (`repatternChildren`), a shared file renamed into a scratch name (a
 * delete plus a fresh copy), and the pruning of tombstones once every other device has pulled
 * after the delete reached the server.
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import { breakCycles, keepInOnePlace, keepListed } from '../client/one-place.js';
import { overlay, type Changes } from '../client/tree.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FileManifest, Manifest } from '../manifests/types.js';
import type { IgnoreMatcher } from '../merge/ignore.js';
import { repatternChildren, sharedChildren } from '../merge/shared-view.js';
import type { ModelDevice, ModelWorld } from './model-device.js';
import { contentKey, ROOT, type Located } from './model-types.js';

function sameMap(a: ReadonlyMap<EntryName, VlobId>, b: ReadonlyMap<EntryName, VlobId>): boolean {
  if (a.size !== b.size) return false;
  for (const [n, id] of a) if (b.get(n) !== id) return false;
  return true;
}

/** After a pull's merges (`before`: the working copies before it): the client's one-place and no-cycle rules. */
export function applyTreeRules(dev: ModelDevice, before: ReadonlyMap<VlobId, Manifest>): void {
  const changes: Changes = new Map();
  for (const [id, m] of dev.local) if (before.get(id) !== m) changes.set(id, dev.entry(id)!);
  if (changes.size === 0) return;
  const view = overlay({ get: (id) => dev.entry(id) }, changes);
  const beforeView = {
    get: (id: VlobId) => {
      const m = before.get(id);
      const e = dev.entry(id);
      return m === undefined ? undefined : { local: m, needSync: e?.needSync ?? false, base: e?.base ?? null };
    },
  };
  const now = dev.world.tick();
  const moved = [
    ...keepInOnePlace(view, beforeView, changes, now),
    ...keepListed(view, beforeView, changes, dev.ignore, now, (id) => dev.tombstones.has(id)),
    ...breakCycles(view, ROOT, changes, dev.ignore, now),
  ];
  dev.world.stats.movedAway += moved.length;
  for (const [id, e] of changes) {
    dev.local.set(id, e.local);
    if (e.needSync) dev.dirty.add(id);
    else dev.dirty.delete(id);
  }
}

/** Scratch content published by the user's choice (renamed out of, or no longer matching, the patterns): it must now reach the server. */
export function declassify(w: ModelWorld, m: Manifest | undefined): void {
  if (m?.type !== 'file') return;
  const key = contentKey(m);
  if (!w.scratch.delete(key)) return;
  w.written.add(key);
}

/** The device reopens with `next` patterns: the client's `repattern` on every folder, then the scratch bookkeeping. */
export function changePatterns(dev: ModelDevice, next: IgnoreMatcher): void {
  const prev = dev.ignore;
  if (prev.patterns.length === next.patterns.length && prev.patterns.every((p, i) => p === next.patterns[i])) return;
  const w = dev.world;
  // What this device shows, never shared (its vlob never reached the server: what did is shared,
  // or will be once a pull gives this device its version), and `next` ignores becomes scratch:
  // the user chose not to share it. (Shared entries it hides keep going out: their pending edits
  // are uploaded.)
  // Also a shared file under a folder never shared that `next` hides: under a hidden path only
  // shared data goes out, so nothing below a never-shared hidden folder does (`sharedChildren`).
  const located = new Map(dev.walk().map((x) => [x.id, x] as const));
  for (const e of located.values()) {
    const m = dev.local.get(e.id);
    if (m?.type !== 'file') continue;
    const chain: { id: VlobId; name: string }[] = [];
    for (let x: typeof e | undefined = e; x !== undefined && chain.length <= located.size; x = located.get(x.parent)) chain.unshift({ id: x.id, name: x.name });
    const top = chain.findIndex((c) => next.matches(c.name));
    if (top >= 0 && chain.slice(top).some((c) => !w.server.vlobs.has(c.id))) w.superseded.add(contentKey(m));
  }
  for (const [id, m] of [...dev.local]) {
    if (m.type !== 'folder') continue;
    const b = dev.base.get(id);
    const base = b?.type === 'folder' ? b.children : null;
    const children = repatternChildren(m.children, base, prev, next, dev.isShared);
    if (!sameMap(children, m.children)) dev.local.set(id, { ...m, children });
    // The shared view may change with the children unchanged (a scratch child now shared).
    if (base === null || !sameMap(sharedChildren(children, base, next, dev.isShared), base)) dev.dirty.add(id);
  }
  dev.ignore = next;
  w.stats.repatterned++;
  for (const e of dev.walk()) {
    const m = dev.local.get(e.id);
    if (m?.type !== 'file') continue;
    if (dev.ignoredPath(e.path)) {
      // Scratch from now on if it never reached the server (a lost answer may have put it there unknown to this device: then it is shared, and hidden here once pulled).
      if (!w.server.vlobs.has(e.id)) dev.ignoredFiles.set(e.id, e.parent);
    } else {
      declassify(w, m);
      dev.ignoredFiles.delete(e.id);
    }
  }
}

/** A shared file renamed into scratch name `name`: removed (with a tombstone), and a fresh copy under `name`. */
export function forkIntoScratch(dev: ModelDevice, e: Located, name: EntryName): void {
  const w = dev.world;
  const f = dev.local.get(e.id) as FileManifest;
  const children = new Map(dev.folder(e.parent)!.children);
  children.delete(e.name);
  w.superseded.add(contentKey(f));
  dev.tombstones.set(e.id, { parent: e.parent, name: e.name, seen: new Map([[e.id, f.version]]) });
  const copyId = dev.nextId<VlobId>();
  dev.local.set(copyId, { ...f, id: copyId, version: 0, prev: null, author: dev.id, parent: e.parent });
  dev.dirty.add(copyId);
  dev.setChildren(e.parent, children.set(name, copyId));
  dev.ignoredFiles.set(copyId, e.parent);
}

/**
 * Tombstones settled once the delete is on the server (the parent's base no longer lists the
 * entry), forgotten once every other device has pulled since: any edit they upload later follows a
 * pull that showed them the delete, and they restore the entry themselves if they still hold it.
 */
export function pruneTombstones(dev: ModelDevice): void {
  const w = dev.world;
  for (const [id, t] of [...dev.tombstones]) {
    const b = dev.base.get(t.parent);
    if (b?.type === 'folder' && [...b.children.values()].includes(id)) continue;
    if (t.settledAt === undefined) dev.tombstones.set(id, { ...t, settledAt: [...w.pulls] });
    else if (w.pulls.every((n, j) => j === dev.index || n > t.settledAt![j]!)) {
      dev.tombstones.delete(id);
      w.stats.pruned++;
    }
  }
}
