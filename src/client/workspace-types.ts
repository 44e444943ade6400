/**
 * The data shapes of the `Workspace` API: entry stats, list rows, history entries, read options.
 * @module
 */
import type { Timestamp } from '../codec/timestamps.js';
import type { VlobId } from '../codec/ids.js';
import type { Manifest } from '../manifests/types.js';

/** What `stat` and `list` tell about an entry. */
export interface EntryStat {
  readonly id: VlobId;
  readonly type: 'file' | 'folder';
  /** File size in bytes (0 for a folder). */
  readonly size: number;
  readonly created: Timestamp;
  readonly updated: Timestamp;
  /** The remote version the working copy is based on (0: never uploaded). */
  readonly version: number;
  /** The working copy has changes the next sync will upload (never for a `localOnly` entry). */
  readonly needSync: boolean;
  /** A scratch entry (its name, or a folder's above it, matches the client's ignore patterns): it stays on this device. */
  readonly localOnly: boolean;
  /** Number of children (folders). */
  readonly children: number;
}

/** One `list` row. */
export interface DirEntry extends EntryStat {
  readonly name: string;
}

/** One version of an entry, verified as part of the vlob's hash chain. */
export interface HistoryEntry {
  readonly version: number;
  readonly type: 'file' | 'folder';
  /** Signing device and time. */
  readonly author: string;
  readonly timestamp: Timestamp;
  readonly updated: Timestamp;
  readonly size: number;
  readonly parent: VlobId;
}

/** Options of the read functions. */
export interface ReadOptions {
  /** First byte (default 0). */
  readonly offset?: number;
  /** Bytes to read (default: to the end; clamped at the end). */
  readonly length?: number;
  /** Read the path as it was at this time (µs): online, resolved through the verified history. */
  readonly at?: Timestamp;
  readonly signal?: AbortSignal;
}

/** The `EntryStat` of a manifest. */
export function statOf(m: Manifest, needSync: boolean, localOnly: boolean): EntryStat {
  return {
    id: m.id,
    type: m.type,
    size: m.type === 'file' ? m.size : 0,
    created: m.created,
    updated: m.updated,
    version: m.version,
    needSync: needSync && !localOnly,
    localOnly,
    children: m.type === 'folder' ? m.children.size : 0,
  };
}

