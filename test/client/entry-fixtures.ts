/**
 * Fixtures of the client's pure-rule tests: fixed device and root ids, and plain (unsigned)
 * manifests and local entries built from them. A version above 1 carries a dummy 32-byte `prev`
 * so that the local-format round trip sees both shapes; the rules under test never read it.
 * @module
 */
import type { DeviceId, VlobId } from '../../src/codec/ids.js';
import { newId } from '../../src/codec/ids.js';
import type { LocalEntry } from '../../src/client/local-entry.js';
import type { EntryName, FileManifest, FolderManifest } from '../../src/manifests/index.js';

/** This device. */
export const ME = 'aa'.repeat(16) as DeviceId;
/** The author of every fixture manifest (another device). */
export const OTHER = 'bb'.repeat(16) as DeviceId;
/** The workspace root (its own parent). */
export const ROOT = 'cc'.repeat(16) as VlobId;

/** A string taken as a valid entry name (fixtures only use valid ones). */
export const n = (s: string): EntryName => s as EntryName;

/** Folder manifest `id` in `parent` with `children` as [name, id] pairs. */
export function folder(id: VlobId, parent: VlobId, children: [string, VlobId][] = [], version = 1): FolderManifest {
  return { type: 'folder', id, parent, version, created: 1, updated: 1, author: OTHER, timestamp: 1, prev: version > 1 ? new Uint8Array(32) : null, children: new Map(children.map(([k, v]) => [n(k), v])) };
}

/** File manifest `id` in `parent`: `size` bytes in one block (none when empty), digest derived from the size. */
export function file(id: VlobId, parent: VlobId, size: number, version = 1, blockId = newId()): FileManifest {
  const blocks = size === 0 ? [] : [{ id: blockId as never, offset: 0, size, digest: new Uint8Array(32).fill(size % 256) }];
  return { type: 'file', id, parent, version, created: 1, updated: 1, author: OTHER, timestamp: 1, prev: version > 1 ? new Uint8Array(32) : null, size, blocksize: 4096, blocks };
}

/** An entry whose local state is the synced version `m`. */
export function synced(m: FileManifest | FolderManifest): LocalEntry {
  return { local: m, needSync: false, base: { manifest: m, signed: new Uint8Array([m.version]), keyIndex: 1 } };
}
