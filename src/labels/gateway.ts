/**
 * The export / import gateway: one call per direction over both binding forms, and the mapping of
 * an imported label into the importer's policy.
 *
 * An importer acts on a label only if its own policy can read it: the label's policy is the
 * importer's, or an equivalence mapping (ADatP-4774.1 §4.2: a consumer whose policy does not match
 * uses an equivalent label) translates every classification, category and value. Anything left
 * over is refused (`label/unmappable`): dropping a restrictive category would release the data to
 * people the originator excluded.
 * @module
 */
import { BindingError, LabelError } from '../errors.js';
import type { JsonBudget } from './json-strict.js';
import { checkLabel, type ConfidentialityLabel, type LabelCategory } from '../certificates/label.js';
import { policyCategory, type LabelPolicy } from '../certificates/label-policy.js';
import { exportBindingJson, verifyBindingJson } from './binding-json.js';
import { exportBindingXml } from './binding-xml-write.js';
import { verifyBindingXml } from './binding-xml-read.js';
import type { BindingContent, BindingSigner, SignerDirectory, VerifiedBinding } from './binding-common.js';
import type { XmlBudget } from './xml-parse.js';

/** The two forms of a binding data object. */
export type BindingFormat = 'xml' | 'json';

/** How a foreign policy's labels read under the importer's policy. */
export interface PolicyMapping {
  readonly fromPolicyId: string;
  /** Foreign classification → importer classification. */
  readonly classifications: Readonly<Record<string, string>>;
  /** Foreign tag name → importer tag name and value map. */
  readonly categories?: Readonly<Record<string, { readonly tagName: string; readonly values: Readonly<Record<string, string>> }>>;
}

/** What `importBinding` needs. */
export interface ImportOptions {
  /** The exporting organisation's signers (see `certificateStoreSigners`). */
  readonly signers: SignerDirectory;
  /** The importer's policy. */
  readonly policy: LabelPolicy;
  readonly mappings?: readonly PolicyMapping[];
  readonly xmlBudget?: Partial<XmlBudget>;
  readonly jsonBudget?: Partial<JsonBudget>;
}

/** A verified import whose label the importer's policy reads. */
export interface ImportedBinding extends VerifiedBinding {
  readonly format: BindingFormat;
  /** The originator label under the importer's policy (equal to `label.label` without a mapping). */
  readonly localLabel: ConfidentialityLabel;
}

function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function unmappable(message: string, cause?: unknown): never {
  throw new LabelError('label/unmappable', message, cause === undefined ? undefined : { cause });
}

/**
 * The label `label` under `policy`, directly or through one of `mappings`.
 * @throws LabelError `label/unmappable` (the cause says which part).
 */
export function mapLabel(label: ConfidentialityLabel, policy: LabelPolicy, mappings: readonly PolicyMapping[] = []): ConfidentialityLabel {
  let candidate = label;
  if (label.policyId !== policy.policyId) {
    const m = mappings.find((x) => x.fromPolicyId === label.policyId);
    if (!m) unmappable(`no mapping from policy ${label.policyId} to ${policy.policyId}`);
    const classification = own(m.classifications, label.classification) ?? unmappable(`classification ${label.classification} has no equivalent`);
    const categories = label.categories.map((c): LabelCategory => {
      const cm = own(m.categories, c.tagName) ?? unmappable(`category ${c.tagName} has no equivalent`);
      const target = policyCategory(policy, cm.tagName) ?? unmappable(`category ${cm.tagName} is not in ${policy.policyId}`);
      if (target.type !== c.type) unmappable(`category ${c.tagName} (${c.type}) maps to a ${target.type} category`);
      const values = c.values.map((v) => own(cm.values, v) ?? unmappable(`${c.tagName} value ${v} has no equivalent`));
      return { tagName: cm.tagName, type: c.type, values: [...new Set(values)] };
    });
    candidate = { policyId: policy.policyId, classification, categories };
  }
  try {
    return checkLabel(candidate, policy);
  } catch (err) {
    return unmappable(`the label does not fit policy ${policy.policyId}`, err);
  }
}

/** The form of `bytes` by its first significant character (`<` XML, `{` JSON). */
export function detectBindingFormat(bytes: Uint8Array): BindingFormat | undefined {
  for (const b of bytes.subarray(0, 64)) {
    if (b === 0x3c) return 'xml';
    if (b === 0x7b) return 'json';
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf) return undefined;
  }
  return undefined;
}

/**
 * Exports `data` as a binding data object of `format`, signed by `signer`.
 * @example
 * const bdo = await exportBinding('json', bytes, { label, dataUri: 'plan.pdf', contentType: 'application/pdf' }, signer);
 * @throws BindingError `binding/invalid-reference`.
 */
export function exportBinding(format: BindingFormat, data: Uint8Array, content: BindingContent, signer: BindingSigner): Promise<Uint8Array> {
  return format === 'xml' ? exportBindingXml(data, content, signer) : exportBindingJson(data, content, signer);
}

/**
 * Verifies a binding data object (either form) against `data`: structure, signer (a device of the
 * exporting organisation, not revoked), signature, metadata and data digests; then maps the label
 * into the importer's policy. Nothing is returned unless every check passed.
 * @example
 * const imported = await importBinding(bdo, bytes, { signers: certificateStoreSigners(partnerStore), policy });
 * imported.localLabel.classification; // 'SECRET'
 * @throws BindingError `binding/*` (`binding/unknown-format` for neither form), XmlError `xml/*`, LabelError `label/unmappable`,
 *   `label/invalid-label`, `label/invalid-time`.
 */
export async function importBinding(bytes: Uint8Array, data: Uint8Array, options: ImportOptions): Promise<ImportedBinding> {
  const format = detectBindingFormat(bytes);
  if (format === undefined) throw new BindingError('binding/unknown-format', 'neither an XML nor a JSON binding data object');
  const verified =
    format === 'xml'
      ? await verifyBindingXml(bytes, data, options.signers, options.xmlBudget)
      : await verifyBindingJson(bytes, data, options.signers, options.jsonBudget);
  return { ...verified, format, localLabel: mapLabel(verified.label.label, options.policy, options.mappings) };
}
