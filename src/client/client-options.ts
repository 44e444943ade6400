/**
 * The option and listing types of `Client` (the client module).
 * @module
 */
import type { RealmId } from '../codec/ids.js';
import type { Clock } from '../codec/timestamps.js';
import type { RealmRole } from '../certificates/types.js';
import type { LocalDevice } from '../storage/device-file.js';
import type { Storage } from '../storage/storage.js';
import type { Transport } from '../transport/transport.js';
import type { WorkspaceArchiving } from './archiving.js';

/** Options of `Client.open`. */
export interface ClientOptions {
  readonly device: LocalDevice;
  /** Authenticated transport of this device (`InProcessTransport`, `HttpTransport`). */
  readonly transport: Transport;
  /** Where local state is kept (encrypted with the device's local key); default in memory. */
  readonly storage?: Storage;
  /** Source of the timestamps this device signs; default the system clock. */
  readonly clock?: Clock;
  /** Block size of new files; default 512 KiB. */
  readonly blocksize?: number;
  /** Blocks in flight; default 4. */
  readonly concurrency?: number;
  /** How far in the future a served timestamp may be, µs; default 10 minutes (twice the server window). */
  readonly clockTolerance?: number;
  /**
   * Scratch-name patterns (`*` any run, `?` one character; whole entry name): matching files and
   * folders — and everything under such a folder — stay on this device: readable and listable
   * here, never uploaded, never deleted by a merge. Default `DEFAULT_IGNORE_PATTERNS`
   * (`*.tmp`, `~$*`, `.DS_Store`, `*~`); `[]` syncs everything.
   */
  readonly ignore?: readonly string[];
  /**
   * How long a delete tombstone is kept after the delete is seen on the server, µs; default one
   * day. Long enough for any sync that started before the delete to end (see the README on
   * tombstones); shorter keeps less local data.
   */
  readonly tombstoneRetention?: number;
}

/** A workspace as listed by `Client.workspaces()`. */
export interface WorkspaceInfo {
  readonly id: RealmId;
  readonly role: RealmRole;
  /** Decrypted name, or `null` when it has none or cannot be read yet. */
  readonly name: string | null;
  /** Archiving state (RFC 1028): available, archived, deletion planned (with its date) or deleted. */
  readonly archiving: WorkspaceArchiving;
}

/** Options of `inviteUser` / `inviteDevice`. */
export interface InviteOptions {
  /** Host written in the link (default: from the device's `serverUrl`, else `localhost`). */
  readonly host?: string;
}

