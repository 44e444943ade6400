/**
 * Flows: the export/import gateway on a workspace. The workspace label applies to everything
 * synced through it; an export carries the file's label (or, without one, the workspace label) and
 * records the workspace label it came from (the flow); an import maps the binding's label into the
 * importing workspace's policy (refused when it cannot: `label/unmappable`) and writes the data
 * with that label, which the client refuses above the workspace label.
 *
 * These functions take the workspace by the small interface they use: a `Workspace` of
 * `sealsync/client` fits (its reads refuse an uncleared reader before any plaintext, its writes
 * check the file label). This module never imports the client.
 * @module
 */
import { LabelError } from '../errors.js';
import type { CertificateStore, RevisedLabel } from '../certificates/index.js';
import type { DeviceId, RealmId } from '../codec/ids.js';
import { systemClock, type Clock } from '../codec/timestamps.js';
import type { ConfidentialityLabel } from '../certificates/label.js';
import type { SigningKey } from '../keys/index.js';
import type { BindingFormat, ImportedBinding, ImportOptions } from './gateway.js';
import { exportBinding, importBinding } from './gateway.js';

/** What the flow functions need of a workspace (a client `Workspace` fits). */
export interface FlowWorkspace {
  /** The workspace's realm id. */
  readonly id: RealmId;
  /** The verified workspace label, `null` when unlabelled. */
  readonly label: RevisedLabel | null;
  /** The verified label of the file at `path` (from its signed manifest), `null` when it has none. */
  fileLabel(path: string): Promise<RevisedLabel | null>;
  /** Reads a file's whole content (`Workspace.readFile`, which applies the clearance rules). */
  readFile(path: string): Promise<Uint8Array>;
  /** Writes a file's whole content under file label `options.label` (`Workspace.writeFile`). */
  writeFile(path: string, data: Uint8Array, options: { label: ConfidentialityLabel }): Promise<unknown>;
}

/** The exporting device (a client's `device` fits). */
export interface FlowSigner {
  readonly deviceId: DeviceId;
  readonly signingKey: SigningKey;
}

/** What the flow functions read of the organisation's verified certificates. */
export type FlowCertificates = Pick<CertificateStore, 'getLabelPolicy' | 'getNewestLabelPolicy'>;

/**
 * Exports `path` as a binding data object: its label is the file label or, without one, the
 * workspace label; the workspace label is recorded as the flow label. The read goes through the
 * workspace, so an exporter not cleared for the labels is refused before any plaintext.
 * @example
 * const { bdo, data } = await exportWorkspaceFile(ws, '/orders.txt', { certificates: client.certificates, signer: client.device, format: 'xml', contentType: 'text/plain' });
 * @throws LabelError `label/unlabelled` (nothing to bind), `label/clearance-insufficient`; BindingError `binding/invalid-reference`.
 */
export async function exportWorkspaceFile(
  ws: FlowWorkspace,
  path: string,
  options: { certificates: FlowCertificates; signer: FlowSigner; format: BindingFormat; contentType: string; dataUri?: string; clock?: Clock },
): Promise<{ bdo: Uint8Array; data: Uint8Array }> {
  const now = (options.clock ?? systemClock)();
  const wsLabel = ws.label;
  if (wsLabel === null) throw new LabelError('label/unlabelled', 'the workspace has no label to export under');
  const fileLabel = (await ws.fileLabel(path)) ?? wsLabel;
  const data = await ws.readFile(path);
  const uri = (l: RevisedLabel) => options.certificates.getLabelPolicy(l.label.policyId, l.revision)?.policyUri;
  const xmlLabel = (l: RevisedLabel) => ({ root: 'originatorConfidentialityLabel' as const, label: l.label, creationTime: now, ...(uri(l) ? { policyUri: uri(l)! } : {}) });
  const bdo = await exportBinding(
    options.format,
    data,
    {
      label: xmlLabel(fileLabel),
      flow: { realmId: ws.id, label: xmlLabel(wsLabel) },
      dataUri: options.dataUri ?? (path.split('/').pop() || 'data'),
      contentType: options.contentType,
    },
    options.signer,
  );
  return { bdo, data };
}

/**
 * Verifies a binding data object (see `importBinding`: structure, signer, signature, digests), maps
 * its label into the policy of the workspace label (newest revision), and writes the data to `path`
 * with that file label. Nothing is written unless every check passed.
 * @throws everything `importBinding` throws (`label/unmappable` for a label the importer's policy
 *   cannot map); LabelError `label/unlabelled` (an unlabelled workspace receives no labelled data),
 *   `label/exceeds-workspace` (from the write).
 */
export async function importToWorkspace(
  ws: FlowWorkspace,
  path: string,
  bdo: Uint8Array,
  data: Uint8Array,
  options: { certificates: FlowCertificates; importOptions: Omit<ImportOptions, 'policy'> },
): Promise<ImportedBinding> {
  const wsLabel = ws.label;
  if (wsLabel === null) throw new LabelError('label/unlabelled', 'an unlabelled workspace cannot receive labelled data');
  const policy = options.certificates.getNewestLabelPolicy(wsLabel.label.policyId)!.policy;
  const imported = await importBinding(bdo, data, { ...options.importOptions, policy });
  await ws.writeFile(path, data, { label: imported.localLabel });
  return imported;
}
