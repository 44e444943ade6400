/**
 * The ignore rule (Parsec calls these entries "confined"): ignored names are a property of the
 * device, never of the shared data. Per folder, a device's working copy holds two kinds of
 * children, told apart by id, never by name alone:
 *
 * - **scratch**: a child with an ignored name whose id the shared data (base or remote version of
 *   the folder) does not list and that was never shared (`IsShared`: this device holds no
 *   verified version of it). Created here, never uploaded, never removed by a merge.
 * - **shared**: every other child, as this device sees the shared data.
 *
 * Remote children whose names this device ignores are **hidden**: left out of the working copy,
 * kept in every upload exactly as the base has them, so they follow the other devices' renames
 * and deletes and this device never touches them. A shared entry renamed here into an ignored
 * name is therefore a delete to the others (the client gives the scratch copy fresh ids, so its
 * content can never come back under a shared name). Pure functions.
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { EntryName } from '../manifests/entry-name.js';
import { conflictName } from './conflict-name.js';
import type { IgnoreMatcher } from './ignore.js';


/**
 * True when this device holds a verified version of vlob `id`: it is shared data whatever name it
 * has here. Scratch entries never are (they are created here and forked to fresh ids when a shared
 * entry moves into a scratch name). An ignored-name child that is shared is not scratch even when
 * its folder's shared versions do not list it: e.g. an entry edited while shown, hidden by a
 * pattern change, then deleted blindly by another device — put back, it must go out again.
 */
export type IsShared = (id: VlobId) => boolean;

const NEVER: IsShared = () => false;

const byName = (a: readonly [string, unknown], b: readonly [string, unknown]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function idsOf(children: ReadonlyMap<EntryName, VlobId> | null): Set<VlobId> {
  return new Set(children?.values() ?? []);
}

/**
 * This device's scratch children of a folder: ignored names (any name when the folder itself is
 * `hidden` here) whose ids neither `base` nor `remote` (when given) list and that `isShared`
 * does not know. Sorted by name.
 */
export function scratchChildren(local: ReadonlyMap<EntryName, VlobId>, base: ReadonlyMap<EntryName, VlobId> | null, ignore: IgnoreMatcher, remote: ReadonlyMap<EntryName, VlobId> | null = null, isShared: IsShared = NEVER, hidden = false): [EntryName, VlobId][] {
  const out: [EntryName, VlobId][] = [];
  let shared: Set<VlobId> | undefined;
  for (const [n, id] of local) {
    // In a folder this device hides, any name (see `sharedChildren`).
    if (!hidden && !ignore.matches(n)) continue;
    shared ??= new Set([...idsOf(base), ...idsOf(remote)]);
    if (!shared.has(id) && !isShared(id)) out.push([n, id]);
  }
  return out.sort(byName);
}

/**
 * What this device holds of the shared data of a folder (what an upload carries): its children
 * with names it does not ignore, plus the base's children it cannot see (hidden ones: ignored
 * names, as the base has them), plus the shared ids it lists under a name it ignores — renamed
 * here while shown and hidden since by a pattern change (the rename goes out, as any edit made
 * while shown), or put back over a remote delete that missed their changes. Such an id goes
 * under its name here, or under the base's name when another child holds that one. A base child
 * wins over none; a name this device uses for another child wins over a base child it cannot see
 * (that child was replaced here). Ids neither the base lists nor `isShared` knows are scratch:
 * left out, under any name when the folder itself is `hidden` (an ignored name at or above it
 * here: nothing never shared goes out from under a path this device ignores). Sorted by name.
 */
export function sharedChildren(local: ReadonlyMap<EntryName, VlobId>, base: ReadonlyMap<EntryName, VlobId> | null, ignore: IgnoreMatcher, isShared: IsShared = NEVER, hidden = false): Map<EntryName, VlobId> {
  const out = new Map<EntryName, VlobId>();
  const placed = new Set<VlobId>();
  const place = (n: EntryName, id: VlobId): void => {
    out.set(n, id);
    placed.add(id);
  };
  const baseName = new Map<VlobId, EntryName>();
  for (const [n, id] of base ?? []) if (!baseName.has(id)) baseName.set(id, n);
  const ignoredHere = new Map<VlobId, EntryName>();
  for (const [n, id] of local) {
    if (ignore.matches(n)) ignoredHere.set(id, n);
    // In a folder this device hides, a child never shared is scratch whatever its own name (a
    // scratch x.tmp in a folder a pattern change hid: *.txt now ignored, *.tmp no longer).
    else if (hidden && !baseName.has(id) && !isShared(id)) continue;
    else if (!placed.has(id)) place(n, id);
  }
  for (const [n, id] of base ?? []) if (!placed.has(id) && !out.has(n) && ignore.matches(n)) place(n, id);
  for (const [id, n] of ignoredHere) {
    if (placed.has(id) || (!baseName.has(id) && !isShared(id))) continue;
    const b = baseName.get(id);
    if (!out.has(n)) place(n, id);
    else if (b !== undefined && !out.has(b)) place(b, id);
  }
  return new Map([...out].sort(byName));
}

/** The children of shared data this device shows: those whose names it does not ignore. */
export function visibleChildren(children: ReadonlyMap<EntryName, VlobId>, ignore: IgnoreMatcher): [EntryName, VlobId][] {
  const out: [EntryName, VlobId][] = [];
  for (const [n, id] of children) if (!ignore.matches(n)) out.push([n, id]);
  return out;
}

/** The working copy of shared data `shared` plus this device's `scratch` children, sorted. */
export function workingChildren(shared: ReadonlyMap<EntryName, VlobId>, scratch: readonly [EntryName, VlobId][], ignore: IgnoreMatcher): Map<EntryName, VlobId> {
  const visible = visibleChildren(shared, ignore);
  if (scratch.length === 0 && visible.length === shared.size) return shared instanceof Map ? (shared as Map<EntryName, VlobId>) : new Map(shared);
  const out = new Map(visible);
  // Names differ (one side ignored, the other not), except for a scratch child of a hidden
  // folder, whose name may be shown: if a shared child took it, the scratch one is renamed.
  for (const [n, id] of scratch) out.set(out.has(n) ? conflictName(n, 'name', (x) => out.has(x as EntryName)) : n, id);
  return new Map([...out].sort(byName));
}

/**
 * The working children of one folder under patterns `next`, from its children computed under
 * `prev` (a pattern change in the client): hidden children that no longer match
 * are shown, shared children that now match are hidden, scratch children that no longer match
 * become shared (renamed `name (name conflict N)` if a shown child holds the name).
 */
export function repatternChildren(local: ReadonlyMap<EntryName, VlobId>, base: ReadonlyMap<EntryName, VlobId> | null, prev: IgnoreMatcher, next: IgnoreMatcher, isShared: IsShared = NEVER): Map<EntryName, VlobId> {
  const out = new Map<EntryName, VlobId>();
  for (const [n, id] of sharedChildren(local, base, prev, isShared)) {
    // Shared as the base has it and now matching: hidden (the upload keeps it from the base).
    if (next.matches(n) && base?.get(n) === id) continue;
    out.set(n, id);
  }
  for (const [n, id] of scratchChildren(local, base, prev, null, isShared)) {
    // Same ignore status if possible; a child becoming shared may otherwise take any free name
    // (one its patterns match just stays on this device: never a leak).
    const sameStatus = (x: string): boolean => out.has(x as EntryName) || next.matches(x) !== next.matches(n);
    const loose = (x: string): boolean => out.has(x as EntryName) || (next.matches(n) && !next.matches(x));
    let free = n;
    if (out.has(n)) {
      try {
        free = conflictName(n, 'name', sameStatus);
      } catch {
        free = conflictName(n, 'name', loose);
      }
    }
    out.set(free, id);
  }
  return new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

