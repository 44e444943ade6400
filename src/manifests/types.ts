/**
 * Plain data shapes of manifests (the manifest format). No crypto here: these are what the merge functions
 * work on and what the write/read paths sign, encrypt and verify.
 * @module
 */
import type { BlockId, DeviceId, RealmId, VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { EntryName } from './entry-name.js';
import type { RevisedLabel } from '../certificates/types.js';

/** One encrypted block of a file: `[offset, offset + size)` of the plaintext, SHA-256 `digest`. */
export interface BlockRef {
  readonly id: BlockId;
  readonly offset: number;
  readonly size: number;
  /** SHA-256 of the block's plaintext (32 bytes). */
  readonly digest: Uint8Array;
}

/** A certificate topic's head as a manifest's author had verified it: position and SHA-256 of that certificate. */
export interface ManifestChainHead {
  readonly position: number;
  readonly digest: Uint8Array;
}

/**
 * The certificate heads a version's author had verified when it signed (manifest format v2): the
 * common topic's and the realm topic's. Readers judge "role at that time" against a history they
 * can check, and see a server that showed two devices different histories (fork consistency).
 */
export interface ManifestHeads {
  readonly common: ManifestChainHead;
  readonly realm: ManifestChainHead;
}

interface ManifestCommon {
  readonly id: VlobId;
  /** Parent folder's id; the workspace root has `id === parent === realm id`. */
  readonly parent: VlobId;
  /** 1, 2, 3… per vlob. */
  readonly version: number;
  readonly created: Timestamp;
  readonly updated: Timestamp;
  /** Device that signed this version. */
  readonly author: DeviceId;
  /** When it was signed (the point in time at which the author's rights are checked). */
  readonly timestamp: Timestamp;
  /** SHA-256 of the previous version's signed bytes; `null` for version 1 (the manifest format, the sync model). */
  readonly prev: Uint8Array | null;
  /**
   * The certificate heads the author had verified (format v2). Always present on a decoded
   * version; absent on working copies, and set by the writer when it signs (encoding without it
   * is `CodecError` `codec/missing-heads`).
   */
  readonly heads?: ManifestHeads;
}

/** One version of a file: its size and the encrypted blocks that hold its content. */
export interface FileManifest extends ManifestCommon {
  /** Discriminant. */
  readonly type: 'file';
  /** Size of the plaintext content, in bytes. */
  readonly size: number;
  /** Nominal block size, in bytes, used to cut the content (the last block may be shorter). */
  readonly blocksize: number;
  /** Sorted by offset, non-overlapping, all inside `[0, size)`. */
  readonly blocks: readonly BlockRef[];
  /**
   * The file's confidentiality label (STANAG 4774), absent when the file has none (the workspace
   * label then applies alone). Inside the signed, encrypted manifest: bound to this version's data
   * and carried along its history.
   */
  readonly label?: RevisedLabel;
}

/** One version of a folder: its children by name. */
export interface FolderManifest extends ManifestCommon {
  /** Discriminant. */
  readonly type: 'folder';
  /** Entry name → child vlob id. A `Map` so that hostile names such as `__proto__` are plain keys. */
  readonly children: ReadonlyMap<EntryName, VlobId>;
}

/** A file or folder manifest, discriminated by `type`. */
export type Manifest = FileManifest | FolderManifest;

/** The vlob id of a workspace's root folder is its realm id. */
export function rootFolderId(realm: RealmId): VlobId {
  return realm as string as VlobId;
}
