/**
 * Label certificates: signed statements about labelling, in the format of every sealsync
 * certificate (`signature(64) ‖ deterministic CBOR body`, strictly decoded), with their own wire types
 * so that no other signed document can be taken for one.
 *
 * - `label_policy`: an admin publishes revision N of a label policy (revision 1, 2, 3… per policy
 *   identifier; a change is a new revision, and a label names the revision it was written under, so
 *   old labels stay interpretable);
 * - `clearance`: an admin gives a user a clearance under a policy, or withdraws it (`null`); the
 *   newest at a time is the user's clearance then, like realm roles;
 * - `realm_label`: a realm owner sets the workspace label (its ceiling), or removes it (`null`).
 * @module
 */
import { LabelError, UnsupportedFormatError } from '../errors.js';
import { decodeCbor, defineDocument, s, type CborValue, type Schema } from '../codec/index.js';
import type { DeviceId, RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { signDocument, splitSignedDocument, type SigningKey } from '../keys/index.js';
import type { Clearance, ConfidentialityLabel } from './label.js';
import { CATEGORY_TYPES, POLICY_LIMITS, type LabelPolicy } from './policy.js';

/** A label together with the policy revision it is read under. */
export interface RevisedLabel {
  readonly revision: number;
  readonly label: ConfidentialityLabel;
}

interface Base {
  readonly author: DeviceId;
  readonly timestamp: Timestamp;
}

/** An admin publishes revision `revision` of a label policy. */
export interface LabelPolicyCertificate extends Base {
  readonly type: 'label_policy';
  readonly revision: number;
  readonly policy: LabelPolicy;
}

/** An admin sets (or withdraws) a user's clearance under policy `policyId`. */
export interface ClearanceCertificate extends Base {
  readonly type: 'clearance';
  readonly userId: UserId;
  readonly policyId: string;
  /** `null`: the user holds no clearance under this policy from `timestamp` on. */
  readonly clearance: Clearance | null;
}

/** A realm owner sets (or removes) the workspace label, the ceiling of what the realm may hold. */
export interface RealmLabelCertificate extends Base {
  readonly type: 'realm_label';
  readonly realmId: RealmId;
  /** `null`: the realm is unlabelled from `timestamp` on. */
  readonly label: RevisedLabel | null;
}

/** Any label certificate, discriminated by `type`. */
export type LabelCertificate = LabelPolicyCertificate | ClearanceCertificate | RealmLabelCertificate;

/** Largest accepted signed label certificate (a policy with every limit reached fits). */
export const MAX_LABEL_CERTIFICATE_SIZE = 256 * 1024;

const token = s.text({ minBytes: 1, maxBytes: POLICY_LIMITS.maxNameBytes });
const values = s.array(token, { max: POLICY_LIMITS.maxValuesPerCategory });
const categoryType = s.oneOf(CATEGORY_TYPES);
const base = { author: s.id<DeviceId>(), timestamp: s.timestamp() } as const;

const policySchema = s.struct({
  policy_id: token,
  policy_uri: s.optional(s.text({ minBytes: 1, maxBytes: 256 })),
  classifications: s.array(s.struct({ name: token, lacv: s.uint() }), { max: POLICY_LIMITS.maxClassifications }),
  categories: s.array(s.struct({ tag_name: token, type: categoryType, values }), { max: POLICY_LIMITS.maxCategories }),
});

const labelSchema = s.struct({
  policy_id: token,
  revision: s.uint({ min: 1 }),
  classification: token,
  categories: s.array(s.struct({ tag_name: token, type: categoryType, values }), { max: POLICY_LIMITS.maxCategories }),
});

const clearanceSchema = s.struct({
  max_classification: token,
  categories: s.array(s.struct({ tag_name: token, values }), { max: POLICY_LIMITS.maxCategories }),
});

/** CBOR schema of a revised label, shared with manifests that carry one. */
export const revisedLabelSchema: Schema<RevisedLabel> = s.transform(labelSchema, {
  description: 'confidentiality label',
  decode: (l) => ({
    revision: l.revision,
    label: { policyId: l.policy_id, classification: l.classification, categories: l.categories.map((c) => ({ tagName: c.tag_name, type: c.type, values: c.values })) },
  }),
  encode: (r) => ({
    policy_id: r.label.policyId,
    revision: r.revision,
    classification: r.label.classification,
    categories: r.label.categories.map((c) => ({ tag_name: c.tagName, type: c.type, values: [...c.values] })),
  }),
});

const codecs = {
  label_policy: defineDocument({
    type: 'label_policy_certificate',
    version: 1,
    fields: { ...base, revision: s.uint({ min: 1 }), policy: policySchema },
  }),
  clearance: defineDocument({
    type: 'clearance_certificate',
    version: 1,
    fields: { ...base, user_id: s.id<UserId>(), policy_id: token, clearance: s.nullable(clearanceSchema) },
  }),
  realm_label: defineDocument({
    type: 'realm_label_certificate',
    version: 1,
    fields: { ...base, realm_id: s.id<RealmId>(), label: s.nullable(revisedLabelSchema) },
  }),
};

/** Encodes the CBOR body of `c`. @throws CodecError if a field does not fit the format. */
export function encodeLabelCertificate(c: LabelCertificate): Uint8Array {
  const b = { author: c.author, timestamp: c.timestamp };
  switch (c.type) {
    case 'label_policy': {
      const p = c.policy;
      return codecs.label_policy.encode({
        ...b,
        revision: c.revision,
        policy: {
          policy_id: p.policyId,
          ...(p.policyUri === undefined ? {} : { policy_uri: p.policyUri }),
          classifications: p.classifications.map((x) => ({ name: x.name, lacv: x.lacv })),
          categories: p.categories.map((x) => ({ tag_name: x.tagName, type: x.type, values: [...x.values] })),
        },
      });
    }
    case 'clearance':
      return codecs.clearance.encode({
        ...b,
        user_id: c.userId,
        policy_id: c.policyId,
        clearance:
          c.clearance === null
            ? null
            : { max_classification: c.clearance.maxClassification, categories: c.clearance.categories.map((x) => ({ tag_name: x.tagName, values: [...x.values] })) },
      });
    case 'realm_label':
      return codecs.realm_label.encode({ ...b, realm_id: c.realmId, label: c.label });
  }
}

const WIRE_TYPES = new Map<string, LabelCertificate['type']>([
  ['label_policy_certificate', 'label_policy'],
  ['clearance_certificate', 'clearance'],
  ['realm_label_certificate', 'realm_label'],
]);

function fromCbor(type: LabelCertificate['type'], value: CborValue): LabelCertificate {
  if (type === 'label_policy') {
    const d = codecs.label_policy.fromCbor(value);
    const p = d.policy;
    return {
      type,
      author: d.author,
      timestamp: d.timestamp,
      revision: d.revision,
      policy: {
        policyId: p.policy_id,
        ...(p.policy_uri === undefined ? {} : { policyUri: p.policy_uri }),
        classifications: p.classifications,
        categories: p.categories.map((x) => ({ tagName: x.tag_name, type: x.type, values: x.values })),
      },
    };
  }
  if (type === 'clearance') {
    const d = codecs.clearance.fromCbor(value);
    const c = d.clearance;
    return {
      type,
      author: d.author,
      timestamp: d.timestamp,
      userId: d.user_id,
      policyId: d.policy_id,
      clearance: c === null ? null : { policyId: d.policy_id, maxClassification: c.max_classification, categories: c.categories.map((x) => ({ tagName: x.tag_name, values: x.values })) },
    };
  }
  const d = codecs.realm_label.fromCbor(value);
  return { type, author: d.author, timestamp: d.timestamp, realmId: d.realm_id, label: d.label };
}

/**
 * Decodes a label certificate body (any of the three types, told apart by the wire `type`).
 * @throws LabelError `label/corrupted` (wraps the codec error), `label/unsupported-format`.
 */
export function decodeLabelCertificate(body: Uint8Array): LabelCertificate {
  try {
    const value = decodeCbor(body, { maxSize: MAX_LABEL_CERTIFICATE_SIZE });
    const wire = value instanceof Map ? value.get('type') : undefined;
    const type = typeof wire === 'string' ? WIRE_TYPES.get(wire) : undefined;
    if (type === undefined) throw new LabelError('label/corrupted', 'not a label certificate');
    return fromCbor(type, value);
  } catch (err) {
    if (err instanceof LabelError) throw err;
    const code = err instanceof UnsupportedFormatError ? 'label/unsupported-format' : 'label/corrupted';
    throw new LabelError(code, 'malformed label certificate', { cause: err });
  }
}

/** Signs `c` with its author device's key: `signature ‖ body`. */
export async function signLabelCertificate(key: SigningKey, c: LabelCertificate): Promise<Uint8Array> {
  return signDocument(key, encodeLabelCertificate(c));
}

/** Splits and decodes a signed label certificate WITHOUT verifying it. @throws LabelError `label/corrupted`. */
export function readLabelCertificate(signed: Uint8Array): { certificate: LabelCertificate; body: Uint8Array; signature: Uint8Array } {
  if (!(signed instanceof Uint8Array) || signed.length <= 64 || signed.length > MAX_LABEL_CERTIFICATE_SIZE) {
    throw new LabelError('label/corrupted', 'a signed label certificate is a signature and a bounded body');
  }
  const { signature, body } = splitSignedDocument(signed);
  return { certificate: decodeLabelCertificate(body), body, signature };
}
