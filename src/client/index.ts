/**
 * `sealsync/client`: devices, the `Client`, workspaces and the sync engine (enrollment, workspaces, sync).
 * @module
 */
export type { LocalDevice } from '../storage/device-file.js';
export { Client, type ClientOptions, type InviteOptions, type WorkspaceInfo } from './client.js';
export { Workspace, type DirEntry, type EntryStat, type HistoryEntry, type ReadOptions, type PrefetchOptions, type PrefetchReport } from './workspace.js';
export type { RestoreReport } from './restore.js';
export type { WorkspaceArchiving } from './archiving.js';
export { DEFAULT_PAST_TREE_LIMITS, type PastEntry, type PastTreeLimits } from './past.js';
export type { FileContent } from './tree.js';
export { WorkspaceError } from './errors.js';
export { bootstrapDevice, type BootstrapDeviceOptions } from './bootstrap.js';
export { claimInvitation, GreeterInvitation, type ClaimOptions, type Greeted, type SasOptions } from './invite.js';
export { BackgroundSync, type BackgroundSyncOptions } from './background.js';
export { PushListener, changeOf, type ChangeEvent, type PushOptions, type PushState } from './push.js';
export { MAX_QUEUED_CHANGES } from './change-iterator.js';
export { TypedEmitter, type Listener } from './emitter.js';
export type { ClientEvents, ConflictEvent, SyncProgress, SyncReport } from './events.js';
export { parsePath, formatPath } from './paths.js';
export { checkCheckpoint, checkCheckpointBacked, checkFullListing, checkVlobVersion, checkSameVersion, newCertificates, type PolledChange, type KnownCertificates, type ServedCertificate } from './rollback.js';
export { ShamirRecoveryApi, ShamirGreeterInvitation, RECOVERY_DEVICE_LABEL, type ShamirSetupInfo } from './shamir.js';
export { ShamirRecoveryClaimer, type ShamirFinishOptions } from './shamir-claim.js';
export { PkiAdminApi, PkiEnrollment, submitPkiEnrollment, type PkiPendingEnrollment, type PkiSubmitOptions } from './pki.js';
export type { ReencryptOptions, ReencryptProgress, ReencryptReport } from './reencrypt.js';
