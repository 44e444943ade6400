/**
 * Flows: labelling applied to what goes through a workspace. The workspace label applies to every
 * file synced through it; a read is refused unless the reader is cleared for it (before the file is
 * fetched or decrypted); an export carries the file's label and records the workspace label it came
 * from; an import into a workspace is refused if its label exceeds the workspace label.
 *
 * These functions take the workspace by the small interface they use (a `Workspace` of
 * `sealsync/client` fits), a `LabelRegistry` fed with the organisation's label certificates, and the
 * acting user.
 * @module
 */
import { LabelError } from '../errors.js';
import type { DeviceId, RealmId, UserId } from '../codec/ids.js';
import { systemClock, type Clock } from '../codec/timestamps.js';
import type { SigningKey } from '../keys/index.js';
import type { BindingFormat, ImportedBinding, ImportOptions } from './gateway.js';
import { exportBinding, importBinding } from './gateway.js';
import type { RevisedLabel } from './label-certificates.js';
import type { LabelRegistry } from './label-registry.js';
import { assertFileLabelAllowed, assertReadAllowed, assertShareAllowed } from './label-rules.js';

/** What the flow functions need of a workspace. */
export interface FlowWorkspace {
  /** The workspace's realm id (its label is looked up by it). */
  readonly id: RealmId;
  /** Reads a file's whole content (`Workspace.readFile`). */
  readFile(path: string): Promise<Uint8Array>;
  /** Writes a file's whole content (`Workspace.writeFile`). */
  writeFile(path: string, data: Uint8Array): Promise<unknown>;
}

/** The acting user and device. */
export interface FlowActor {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly signingKey: SigningKey;
}

/** Options shared by the labelled-workspace flow functions: the label state, who acts, and the clock for the clearance checks. */
export interface FlowOptions {
  readonly registry: LabelRegistry;
  readonly actor: FlowActor;
  readonly clock?: Clock;
}

/**
 * Reads `path` if `actor` is cleared for the workspace label and for `fileLabel` (if any), checked
 * before the workspace is asked for anything.
 * @throws LabelError `label/clearance-insufficient`; whatever `readFile` throws.
 */
export async function readLabelledFile(ws: FlowWorkspace, path: string, options: FlowOptions & { fileLabel?: RevisedLabel | null }): Promise<Uint8Array> {
  const now = (options.clock ?? systemClock)();
  assertReadAllowed(options.registry, ws.id, options.actor.userId, now, options.fileLabel);
  return ws.readFile(path);
}

/**
 * Exports `path` as a binding data object: its label is `fileLabel` or, without one, the workspace
 * label; the workspace label is recorded as the flow label. The exporter must be cleared for both.
 * @example
 * const bdo = await exportWorkspaceFile(ws, '/orders.txt', { registry, actor, format: 'xml', contentType: 'text/plain' });
 * @throws LabelError `label/unlabelled` (nothing to bind), `label/clearance-insufficient`,
 *   `label/exceeds-workspace`; BindingError `binding/invalid-reference`.
 */
export async function exportWorkspaceFile(
  ws: FlowWorkspace,
  path: string,
  options: FlowOptions & { format: BindingFormat; contentType: string; dataUri?: string; fileLabel?: RevisedLabel },
): Promise<{ bdo: Uint8Array; data: Uint8Array }> {
  const now = (options.clock ?? systemClock)();
  const wsLabel = options.registry.realmLabelAt(ws.id, now);
  if (wsLabel === null) throw new LabelError('label/unlabelled', 'the workspace has no label to export under');
  const fileLabel = options.fileLabel ? assertFileLabelAllowed(options.registry, ws.id, options.fileLabel, now) : wsLabel;
  const data = await readLabelledFile(ws, path, { ...options, fileLabel });
  const policyUri = options.registry.policy(fileLabel.label.policyId, fileLabel.revision)?.policyUri;
  const wsPolicyUri = options.registry.policy(wsLabel.label.policyId, wsLabel.revision)?.policyUri;
  const bdo = await exportBinding(
    options.format,
    data,
    {
      label: { root: 'originatorConfidentialityLabel', label: fileLabel.label, creationTime: now, ...(policyUri ? { policyUri } : {}) },
      flow: { realmId: ws.id, label: { root: 'originatorConfidentialityLabel', label: wsLabel.label, creationTime: now, ...(wsPolicyUri ? { policyUri: wsPolicyUri } : {}) } },
      dataUri: options.dataUri ?? (path.split('/').pop() || 'data'),
      contentType: options.contentType,
    },
    { deviceId: options.actor.deviceId, signingKey: options.actor.signingKey },
  );
  return { bdo, data };
}

/**
 * Verifies a binding data object (see `importBinding`) and writes its data to `path` in a workspace
 * whose label bounds the imported label; nothing is written otherwise.
 * @throws everything `importBinding` throws; LabelError `label/exceeds-workspace`.
 */
export async function importToWorkspace(
  ws: FlowWorkspace,
  path: string,
  bdo: Uint8Array,
  data: Uint8Array,
  options: FlowOptions & { importOptions: Omit<ImportOptions, 'policy'> },
): Promise<ImportedBinding & { fileLabel: RevisedLabel }> {
  const now = (options.clock ?? systemClock)();
  const wsLabel = options.registry.realmLabelAt(ws.id, now);
  if (wsLabel === null) throw new LabelError('label/exceeds-workspace', 'an unlabelled workspace cannot receive labelled data');
  const policy = options.registry.policy(wsLabel.label.policyId, wsLabel.revision)!;
  const imported = await importBinding(bdo, data, { ...options.importOptions, policy });
  const fileLabel = assertFileLabelAllowed(options.registry, ws.id, { revision: wsLabel.revision, label: imported.localLabel }, now);
  assertReadAllowed(options.registry, ws.id, options.actor.userId, now, fileLabel);
  await ws.writeFile(path, data);
  return { ...imported, fileLabel };
}

/**
 * Shares a labelled workspace: refused before anything is signed or sent unless `userId` is cleared
 * for the workspace label (the certificate engine's sharing rule, applied by the client).
 * @throws LabelError `label/not-cleared`; whatever `share` throws.
 */
export async function shareLabelledWorkspace<R>(
  ws: { readonly id: RealmId; share(userId: UserId, role: R): Promise<void> },
  userId: UserId,
  role: R,
  options: { registry: LabelRegistry; clock?: Clock },
): Promise<void> {
  assertShareAllowed(options.registry, ws.id, userId, (options.clock ?? systemClock)());
  await ws.share(userId, role);
}
