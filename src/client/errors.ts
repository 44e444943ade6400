/**
 * Errors of the workspace file-system API. A subclass of `SealsyncError` local to the client
 * module: paths that do not exist, names already taken and the like are expected outcomes an
 * application switches on (`workspace/not-found`, …), not hostile data nor programming errors.
 * @module
 */
import { SealsyncError } from '../errors.js';

/**
 * A workspace operation refused a path. Codes: `workspace/not-found`, `workspace/exists`,
 * `workspace/not-a-folder`, `workspace/is-a-folder`, `workspace/not-empty`,
 * `workspace/invalid-move` (into itself or onto the root), `workspace/root` (the root cannot be
 * removed or renamed), `workspace/no-keys` (no realm key on this device yet: sync first),
 * `workspace/read-only` (this user's role cannot write), `workspace/not-member`,
 * `workspace/not-owner` (rename, rotate: OWNER only), `workspace/sync-stalled` (the server kept
 * refusing uploads), `workspace/no-user-certificate` (device invitation before any certificate sync).
 */
export class WorkspaceError extends SealsyncError {}
