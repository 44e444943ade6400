/**
 * Conflict copies in the convergence model, as the client's `applyRemote` makes them: where the
 * local side of a file conflict goes.
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FileManifest } from '../manifests/types.js';
import { addConflictCopy } from '../merge/conflict-copy.js';
import { placementName } from '../merge/conflict-name.js';
import type { ModelDevice } from './model-device.js';
import { ROOT } from './model-types.js';

/** The local side of a file conflict becomes a new file beside the original (device `dev`). */
export function saveConflictCopy(dev: ModelDevice, originalId: VlobId, localContent: FileManifest, remoteParent: VlobId, hiddenHere: ReadonlyMap<VlobId, boolean>): void {
  // As the client's `applyRemote`: beside the original in a folder that lists it (the remote's
  // parent, else the local one), unless this device hides that folder (a copy never shared
  // would stay there as scratch): then at the root, where it goes out.
  for (const fid of [remoteParent, localContent.parent]) {
    const f = dev.folder(fid);
    if (f === undefined || ![...f.children.values()].includes(originalId)) continue;
    if (hiddenHere.get(fid) === true) break;
    const copyId = dev.nextId<VlobId>();
    dev.local.set(copyId, { ...localContent, id: copyId, parent: fid, version: 0, prev: null, author: dev.id });
    dev.dirty.add(copyId);
    dev.local.set(fid, addConflictCopy(f, originalId, copyId, dev.ignore).manifest);
    dev.dirty.add(fid);
    dev.world.stats.syncConflicts++;
    return;
  }
  // Not listed by a folder shown here: hidden (in a hidden folder, or under a name this device
  // ignores: its verified folder lists it so), or removed by this device, i.e. it saw and
  // discarded that content.
  const inHidden = [remoteParent, localContent.parent].some((fid) => hiddenHere.get(fid) === true && [...(dev.folder(fid)?.children.values() ?? [])].includes(originalId));
  if (!inHidden && !listedHidden(dev, originalId)) return;
  // Hidden here: the copy goes to the root, shared, as the client does.
  const root = dev.folder(ROOT)!;
  const name = placementName('recovered', 'sync', (n) => root.children.has(n as EntryName), (n) => dev.ignore.matches(n));
  const copyId = dev.nextId<VlobId>();
  dev.local.set(copyId, { ...localContent, id: copyId, parent: ROOT, version: 0, prev: null, author: dev.id });
  dev.dirty.add(copyId);
  dev.setChildren(ROOT, new Map(root.children).set(name, copyId));
  dev.world.stats.syncConflicts++;
}

/** True when a folder device `dev` holds lists `id` in its verified version under a name it ignores. */
function listedHidden(dev: ModelDevice, id: VlobId): boolean {
  for (const [fid, b] of dev.base) {
    if (b.type !== 'folder' || !dev.local.has(fid)) continue;
    for (const [n, c] of b.children) if (c === id && dev.ignore.matches(n)) return true;
  }
  return false;
}
