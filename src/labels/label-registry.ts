/**
 * `LabelRegistry`: the validation engine of label certificates and the point-in-time answers the
 * labelling rules need (which policy revision, whose clearance, which workspace label, at time t).
 *
 * Authority comes from the organisation's verified `CertificateStore`: a label certificate's author
 * must be a device that exists at the certificate's timestamp, of a user not revoked then, and the
 * signature must verify with that device's key. Ingestion of a batch is atomic (one bad certificate
 * rejects the batch, nothing applied) and timestamps strictly increase along the registry's log.
 * Each broken rule has its own `LabelError` code:
 * `label/corrupted`, `label/timestamp-order`, `label/unknown-author`, `label/bad-signature`,
 * `label/author-not-admin` (policies, clearances), `label/self-clearance`, `label/invalid-policy`,
 * `label/policy-revision`, `label/unknown-user`, `label/unknown-policy`, `label/no-change`,
 * `label/author-not-owner` (workspace labels), `label/members-not-cleared`, and the label/clearance
 * checks of `checkLabel` / `checkClearance`.
 * @module
 */
import { LabelError } from '../errors.js';
import type { RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { CertificateStore } from '../certificates/index.js';
import { clearanceVerdict } from './dominance.js';
import { checkClearance, checkLabel, labelsEqual, type Clearance } from './label.js';
import { readLabelCertificate, type LabelCertificate, type RevisedLabel } from './label-certificates.js';
import { checkPolicy, type LabelPolicy } from './policy.js';

/** What the registry asks of the organisation's verified certificates. */
export type AuthorityView = Pick<CertificateStore, 'getDevice' | 'getProfile' | 'isRevoked' | 'getUser' | 'getRealmRole' | 'listRealmMembers'>;

interface Dated<T> {
  readonly timestamp: Timestamp;
  readonly value: T;
}

interface State {
  last: Timestamp;
  signed: Uint8Array[];
  /** policy id → revisions (index = revision - 1). */
  policies: Map<string, Dated<LabelPolicy>[]>;
  /** `${userId}/${policyId}` → clearance history. */
  clearances: Map<string, Dated<Clearance | null>[]>;
  realmLabels: Map<RealmId, Dated<RevisedLabel | null>[]>;
}

function at<T>(history: readonly Dated<T>[] | undefined, t: Timestamp): T | undefined {
  if (!history) return undefined;
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.timestamp <= t) return history[i]!.value;
  return undefined;
}

function clone(s: State): State {
  const copy = <K, V>(m: Map<K, V[]>) => new Map([...m].map(([k, v]) => [k, [...v]]));
  return { last: s.last, signed: [...s.signed], policies: copy(s.policies), clearances: copy(s.clearances), realmLabels: copy(s.realmLabels) };
}

function fail(reason: string, message: string, cause?: unknown): never {
  throw new LabelError(`label/${reason}`, message, cause === undefined ? undefined : { cause });
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** The labelling state of an organisation, fed with verified label certificates. */
export class LabelRegistry {
  #state: State = { last: -1, signed: [], policies: new Map(), clearances: new Map(), realmLabels: new Map() };

  /**
   * An empty registry (no policy, clearance or realm label yet).
   * @param authority - the organisation's verified certificates (a `CertificateStore`): who may
   *   sign policies and clearances, and realm roles, are read from it at each certificate's timestamp.
   */
  constructor(private readonly authority: AuthorityView) {}

  /**
   * Verifies and applies `batch` in order, atomically.
   * @throws LabelError with the code of the first broken rule (see the module comment).
   */
  async ingest(batch: readonly Uint8Array[]): Promise<LabelCertificate[]> {
    const next = clone(this.#state);
    const out: LabelCertificate[] = [];
    for (const signed of batch) {
      const { certificate: c, body, signature } = readLabelCertificate(signed);
      if (c.timestamp <= next.last) fail('timestamp-order', `label certificate at ${c.timestamp} is not after ${next.last}`);
      const device = this.authority.getDevice(c.author, c.timestamp);
      if (!device || this.authority.isRevoked(device.userId, c.timestamp)) fail('unknown-author', `device ${c.author} cannot sign at ${c.timestamp}`);
      if (!(await device.verifyKey.verify(body, signature))) fail('bad-signature', `the ${c.type} certificate signature does not verify`);
      this.#apply(next, c, device.userId);
      next.last = c.timestamp;
      next.signed.push(signed.slice());
      out.push(c);
    }
    this.#state = next;
    return out;
  }

  #apply(s: State, c: LabelCertificate, authorUser: UserId): void {
    if (c.type === 'realm_label') return this.#applyRealmLabel(s, c, authorUser);
    if (this.authority.getProfile(authorUser, c.timestamp) !== 'ADMIN') fail('author-not-admin', `${c.type} certificates are signed by an admin`);
    if (c.type === 'label_policy') {
      let policy: LabelPolicy;
      try {
        policy = checkPolicy(c.policy);
      } catch (err) {
        return fail('invalid-policy', (err as Error).message, err);
      }
      const revisions = s.policies.get(policy.policyId)?.length ?? 0;
      if (c.revision !== revisions + 1) fail('policy-revision', `policy ${policy.policyId}: revision ${c.revision}, expected ${revisions + 1}`);
      push(s.policies, policy.policyId, { timestamp: c.timestamp, value: policy });
      return;
    }
    if (c.userId === authorUser) fail('self-clearance', 'an admin does not set its own clearance');
    if (!this.authority.getUser(c.userId, c.timestamp) || this.authority.isRevoked(c.userId, c.timestamp)) {
      fail('unknown-user', `user ${c.userId} does not exist or is revoked at ${c.timestamp}`);
    }
    const revisions = s.policies.get(c.policyId);
    const policy = at(revisions, c.timestamp);
    if (!policy) fail('unknown-policy', `no policy ${c.policyId} at ${c.timestamp}`);
    const clearance = c.clearance === null ? null : checkClearance(c.clearance, policy);
    const key = `${c.userId}/${c.policyId}`;
    const before = at(s.clearances.get(key), c.timestamp) ?? null;
    if (sameClearance(before, clearance)) fail('no-change', 'the clearance certificate changes nothing');
    push(s.clearances, key, { timestamp: c.timestamp, value: clearance });
  }

  #applyRealmLabel(s: State, c: Extract<LabelCertificate, { type: 'realm_label' }>, authorUser: UserId): void {
    if (this.authority.getRealmRole(c.realmId, authorUser, c.timestamp) !== 'OWNER') fail('author-not-owner', 'a workspace label is set by an owner');
    let label: RevisedLabel | null = null;
    if (c.label !== null) {
      const policy = s.policies.get(c.label.label.policyId)?.[c.label.revision - 1];
      if (!policy || policy.timestamp > c.timestamp) fail('unknown-policy', `no policy ${c.label.label.policyId} revision ${c.label.revision} at ${c.timestamp}`);
      label = { revision: c.label.revision, label: checkLabel(c.label.label, policy.value) };
      // The certificate engine's sharing rule, applied to the members already there.
      for (const m of this.authority.listRealmMembers(c.realmId, c.timestamp)) {
        const verdict = this.#clearanceVerdict(s, m.userId, label, c.timestamp);
        if (verdict) fail('members-not-cleared', `member ${m.userId} is not cleared for the label: ${verdict}`);
      }
    }
    const before = at(s.realmLabels.get(c.realmId), c.timestamp) ?? null;
    if (before === null ? label === null : label !== null && before.revision === label.revision && labelsEqual(before.label, label.label)) {
      fail('no-change', 'the workspace label certificate changes nothing');
    }
    push(s.realmLabels, c.realmId, { timestamp: c.timestamp, value: label });
  }

  /** `null` if `userId` is cleared for `label` at `t`, else why not (a sentence). */
  #clearanceVerdict(s: State, userId: UserId, label: RevisedLabel, t: Timestamp): string | null {
    const policy = s.policies.get(label.label.policyId)?.[label.revision - 1]?.value;
    if (!policy) return `policy ${label.label.policyId} revision ${label.revision} is unknown`;
    const clearance = at(s.clearances.get(`${userId}/${label.label.policyId}`), t) ?? null;
    if (clearance === null) return `no clearance under ${label.label.policyId}`;
    return clearanceVerdict(clearance, label.label, policy)?.message ?? null;
  }

  /** The newest certificate timestamp ingested (-1 when empty). */
  lastTimestamp(): Timestamp {
    return this.#state.last;
  }

  /** The signed certificates ingested, in order (to persist or to send). */
  signedCertificates(): Uint8Array[] {
    return this.#state.signed.map((b) => b.slice());
  }

  /** Revision `revision` of policy `policyId`, whenever published. */
  policy(policyId: string, revision: number): LabelPolicy | undefined {
    return this.#state.policies.get(policyId)?.[revision - 1]?.value;
  }

  /** The newest revision of `policyId` published at or before `t`, with its number. */
  policyAt(policyId: string, t: Timestamp = Number.MAX_SAFE_INTEGER): { revision: number; policy: LabelPolicy } | undefined {
    const list = this.#state.policies.get(policyId) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.timestamp <= t) return { revision: i + 1, policy: list[i]!.value };
    return undefined;
  }

  /** The user's clearance under `policyId` at `t` (`null`: none). */
  clearanceAt(userId: UserId, policyId: string, t: Timestamp = Number.MAX_SAFE_INTEGER): Clearance | null {
    return at(this.#state.clearances.get(`${userId}/${policyId}`), t) ?? null;
  }

  /** The workspace label at `t` (`null`: unlabelled). */
  realmLabelAt(realmId: RealmId, t: Timestamp = Number.MAX_SAFE_INTEGER): RevisedLabel | null {
    return at(this.#state.realmLabels.get(realmId), t) ?? null;
  }

  /** `null` if `userId` is cleared for `label` at `t`, else why not. */
  clearanceProblem(userId: UserId, label: RevisedLabel, t: Timestamp = Number.MAX_SAFE_INTEGER): string | null {
    return this.#clearanceVerdict(this.#state, userId, label, t);
  }
}

function sameClearance(a: Clearance | null, b: Clearance | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.maxClassification === b.maxClassification &&
    a.categories.length === b.categories.length &&
    a.categories.every((c, i) => c.tagName === b.categories[i]!.tagName && c.values.join('\u0000') === b.categories[i]!.values.join('\u0000'))
  );
}
