import type { BlockId, DeviceId, VlobId } from '../../src/codec/ids.js';
import type { EntryName } from '../../src/manifests/entry-name.js';
import type { FileManifest, FolderManifest } from '../../src/manifests/types.js';

export const ME = 'd1000000000000000000000000000001' as DeviceId;
export const OTHER = 'd2000000000000000000000000000002' as DeviceId;
export const FOLDER = 'f0000000000000000000000000000000' as VlobId;
export const PARENT = 'e0000000000000000000000000000000' as VlobId;

/** Child ids by small number, so tables stay readable: id(7) = '000…07'. */
export function id(n: number): VlobId {
  return n.toString(16).padStart(32, '0') as VlobId;
}

export function folder(version: number, children: Record<string, number>, options: { author?: DeviceId; parent?: VlobId; order?: 'asc' | 'desc' } = {}): FolderManifest {
  const entries = Object.entries(children).map(([n, c]) => [n as EntryName, id(c)] as const);
  if (options.order === 'desc') entries.reverse();
  return {
    type: 'folder', id: FOLDER, parent: options.parent ?? PARENT, version, created: 1, updated: version, author: options.author ?? OTHER,
    timestamp: version, prev: null, children: new Map(entries),
  };
}

/** The children of a folder as a plain record of name → small id number. */
export function names(f: FolderManifest | null): Record<string, number> {
  if (f === null) return {};
  return Object.fromEntries([...f.children].map(([n, c]) => [n, parseInt(c, 16)]));
}

const FILE = 'fa000000000000000000000000000000' as VlobId;

/** A file whose content is the single block `tag` (same tag = same content). */
export function file(version: number, tag: string, options: { author?: DeviceId; parent?: VlobId } = {}): FileManifest {
  const digest = new Uint8Array(32).fill(tag.charCodeAt(0));
  return {
    type: 'file', id: FILE, parent: options.parent ?? PARENT, version, created: 1, updated: version, author: options.author ?? OTHER,
    timestamp: version, prev: null, size: tag.length, blocksize: 512 * 1024,
    blocks: tag === '' ? [] : [{ id: tag.padStart(32, '0').replace(/[^0-9a-f]/g, 'b') as BlockId, offset: 0, size: tag.length, digest }],
  };
}
