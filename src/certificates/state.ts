/**
 * The trust state built from accepted certificates, and the copy-on-write draft a batch is
 * validated against (so a rejected batch leaves the state exactly as it was).
 *
 * Every entity keeps its history sorted by timestamp (topics are ingested in timestamp order), so
 * point-in-time questions are binary searches, and nothing is quadratic in the number of users.
 * @module
 */
import type { DeviceId, RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { ChainEntry, ChainView } from './chain.js';
import type { Clearance } from './label.js';
import type { LabelPolicy } from './label-policy.js';
import type {
  ClearanceCertificate,
  DeviceCertificate,
  RealmArchivingCertificate,
  RealmKeyRotationCertificate,
  RealmLabelCertificate,
  RealmNameCertificate,
  RealmRole,
  RealmRoleCertificate,
  RevokedUserCertificate,
  Topic,
  UserCertificate,
  UserProfile,
  UserUpdateCertificate,
} from './types.js';

/** One profile of a user from `timestamp` on (the first comes from the user certificate). */
export interface ProfileEntry {
  readonly timestamp: Timestamp;
  readonly profile: UserProfile;
  readonly certificate: UserCertificate | UserUpdateCertificate;
}

export interface UserRecord {
  readonly certificate: UserCertificate;
  readonly profiles: ProfileEntry[];
  revoked: RevokedUserCertificate | null;
  /** In creation (= timestamp) order. */
  readonly devices: DeviceId[];
}

export interface DeviceRecord {
  readonly certificate: DeviceCertificate;
}

/** One role of a user in a realm from `timestamp` on (`null` = not a member). */
export interface RoleEntry {
  readonly timestamp: Timestamp;
  readonly role: RealmRole | null;
  readonly certificate: RealmRoleCertificate;
}

export interface RealmRecord {
  readonly realmId: RealmId;
  readonly created: Timestamp;
  last: Timestamp;
  /** Per user, sorted by timestamp. Arrays are replaced, never mutated, once shared. */
  readonly roles: Map<UserId, readonly RoleEntry[]>;
  /** `keyRotations[i]` has key index `i + 1`. */
  readonly keyRotations: RealmKeyRotationCertificate[];
  readonly names: RealmNameCertificate[];
  readonly archiving: RealmArchivingCertificate[];
  /** Workspace labels in timestamp order (each checked against its policy revision). */
  readonly labels: RealmLabelCertificate[];
}

/** One published revision of a label policy (checked, normalised). */
export interface PolicyEntry {
  readonly timestamp: Timestamp;
  readonly policy: LabelPolicy;
}

/** A user's clearance under one policy from `timestamp` on (`null`: none). */
export interface ClearanceEntry {
  readonly timestamp: Timestamp;
  readonly clearance: Clearance | null;
  readonly certificate: ClearanceCertificate;
}

/** Key of a user's clearance history under a policy. */
export function clearanceKey(userId: UserId, policyId: string): string {
  return `${userId}\u0000${policyId}`;
}

/** Committed state of a store. */
export class TrustState {
  readonly users = new Map<UserId, UserRecord>();
  readonly devices = new Map<DeviceId, DeviceRecord>();
  /** Normalised email → user, for non-revoked users only. */
  readonly activeEmails = new Map<string, UserId>();
  /** Users in creation order (= timestamp order). */
  readonly userOrder: UserId[] = [];
  readonly realms = new Map<RealmId, RealmRecord>();
  commonLast: Timestamp | null = null;
  /** Newest timestamp of any realm topic. */
  realmsLast: Timestamp | null = null;
  /** Per topic, the chain of accepted certificates: entry `i` has position `i + 1`. */
  readonly chains = new Map<Topic, ChainEntry[]>();
  /** Per policy id, its revisions: entry `i` is revision `i + 1`. */
  readonly labelPolicies = new Map<string, readonly PolicyEntry[]>();
  /** Per `clearanceKey`, the clearance history, in timestamp order. */
  readonly clearances = new Map<string, readonly ClearanceEntry[]>();
}

/** Read access shared by the committed state and a draft. */
export interface StateView {
  user(id: UserId): UserRecord | undefined;
  device(id: DeviceId): DeviceRecord | undefined;
  emailOwner(email: string): UserId | undefined;
  realm(id: RealmId): RealmRecord | undefined;
  policyRevisions(policyId: string): readonly PolicyEntry[];
  clearanceHistory(key: string): readonly ClearanceEntry[];
  readonly commonLast: Timestamp | null;
  readonly realmsLast: Timestamp | null;
  readonly isEmpty: boolean;
}

/**
 * A copy-on-write overlay over a `TrustState`: reads fall through to the base, the first write to
 * an entity clones it into the draft. `commit()` moves the draft's entities into the base; a
 * discarded draft leaves the base untouched.
 */
export class Draft implements StateView, ChainView {
  private readonly users = new Map<UserId, UserRecord>();
  private readonly devices = new Map<DeviceId, DeviceRecord>();
  private readonly emails = new Map<string, UserId | null>();
  private readonly newUsers: UserId[] = [];
  private readonly realms = new Map<RealmId, RealmRecord>();
  /** Chain entries appended by the batch, per topic (after the base's). */
  private readonly chains = new Map<Topic, ChainEntry[]>();
  private readonly labelPolicies = new Map<string, readonly PolicyEntry[]>();
  private readonly clearances = new Map<string, readonly ClearanceEntry[]>();
  commonLast: Timestamp | null;
  realmsLast: Timestamp | null;

  constructor(private readonly base: TrustState) {
    this.commonLast = base.commonLast;
    this.realmsLast = base.realmsLast;
  }

  get isEmpty(): boolean {
    return this.base.users.size === 0 && this.users.size === 0;
  }

  user(id: UserId): UserRecord | undefined {
    return this.users.get(id) ?? this.base.users.get(id);
  }

  device(id: DeviceId): DeviceRecord | undefined {
    return this.devices.get(id) ?? this.base.devices.get(id);
  }

  emailOwner(email: string): UserId | undefined {
    const d = this.emails.get(email);
    if (d !== undefined) return d ?? undefined;
    return this.base.activeEmails.get(email);
  }

  realm(id: RealmId): RealmRecord | undefined {
    return this.realms.get(id) ?? this.base.realms.get(id);
  }

  policyRevisions(policyId: string): readonly PolicyEntry[] {
    return this.labelPolicies.get(policyId) ?? this.base.labelPolicies.get(policyId) ?? [];
  }

  clearanceHistory(key: string): readonly ClearanceEntry[] {
    return this.clearances.get(key) ?? this.base.clearances.get(key) ?? [];
  }

  /** Appends a policy revision (arrays are replaced, never mutated, once shared). */
  addPolicyRevision(policyId: string, entry: PolicyEntry): void {
    this.labelPolicies.set(policyId, [...this.policyRevisions(policyId), entry]);
  }

  addClearance(key: string, entry: ClearanceEntry): void {
    this.clearances.set(key, [...this.clearanceHistory(key), entry]);
  }

  /** True when the realm was already known before this batch. */
  realmCommitted(id: RealmId): boolean {
    return this.base.realms.has(id);
  }

  /** The user's revocation as committed before this batch (what this device had verified). */
  committedRevocation(id: UserId): RevokedUserCertificate | null {
    return this.base.users.get(id)?.revoked ?? null;
  }

  chainLength(topic: Topic): number {
    return (this.base.chains.get(topic)?.length ?? 0) + (this.chains.get(topic)?.length ?? 0);
  }

  chainEntry(topic: Topic, position: number): ChainEntry | undefined {
    const committed = this.base.chains.get(topic) ?? [];
    if (position < 1) return undefined;
    if (position <= committed.length) return committed[position - 1];
    return this.chains.get(topic)?.[position - 1 - committed.length];
  }

  appendChain(topic: Topic, entry: ChainEntry): void {
    let list = this.chains.get(topic);
    if (!list) this.chains.set(topic, (list = []));
    list.push(entry);
  }

  addUser(rec: UserRecord, email: string): void {
    this.users.set(rec.certificate.userId, rec);
    this.newUsers.push(rec.certificate.userId);
    this.emails.set(email, rec.certificate.userId);
  }

  /** The draft's own (mutable) copy of a user record. */
  mutableUser(id: UserId): UserRecord | undefined {
    const own = this.users.get(id);
    if (own) return own;
    const b = this.base.users.get(id);
    if (!b) return undefined;
    const copy: UserRecord = { certificate: b.certificate, profiles: [...b.profiles], revoked: b.revoked, devices: [...b.devices] };
    this.users.set(id, copy);
    return copy;
  }

  releaseEmail(email: string): void {
    this.emails.set(email, null);
  }

  addDevice(rec: DeviceRecord): void {
    this.devices.set(rec.certificate.deviceId, rec);
  }

  addRealm(rec: RealmRecord): void {
    this.realms.set(rec.realmId, rec);
  }

  /** The draft's own (mutable) copy of a realm record; role history arrays stay shared. */
  mutableRealm(id: RealmId): RealmRecord | undefined {
    const own = this.realms.get(id);
    if (own) return own;
    const b = this.base.realms.get(id);
    if (!b) return undefined;
    const copy: RealmRecord = {
      realmId: b.realmId,
      created: b.created,
      last: b.last,
      roles: new Map(b.roles),
      keyRotations: [...b.keyRotations],
      names: [...b.names],
      archiving: [...b.archiving],
      labels: [...b.labels],
    };
    this.realms.set(id, copy);
    return copy;
  }

  /** Applies the draft to its base. Synchronous, so no reader ever sees half a batch. */
  commit(): void {
    const b = this.base;
    for (const [id, rec] of this.users) b.users.set(id, rec);
    for (const [id, rec] of this.devices) b.devices.set(id, rec);
    for (const [email, owner] of this.emails) {
      if (owner === null) b.activeEmails.delete(email);
      else b.activeEmails.set(email, owner);
    }
    b.userOrder.push(...this.newUsers);
    for (const [id, rec] of this.realms) b.realms.set(id, rec);
    for (const [topic, entries] of this.chains) {
      const list = b.chains.get(topic);
      if (list) list.push(...entries);
      else b.chains.set(topic, [...entries]);
    }
    for (const [id, list] of this.labelPolicies) b.labelPolicies.set(id, list);
    for (const [key, list] of this.clearances) b.clearances.set(key, list);
    b.commonLast = this.commonLast;
    b.realmsLast = this.realmsLast;
  }
}

/**
 * Index of the last item whose timestamp is ≤ `t` in an array sorted by timestamp, or -1.
 * Equal timestamps are allowed (a user and its first device).
 */
export function lastAtOrBefore<T>(items: readonly T[], t: Timestamp, ts: (item: T) => Timestamp): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts(items[mid]!) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Emails are compared case-insensitively (the domain part is, and users expect the rest to be). */
export function normaliseEmail(email: string): string {
  return email.normalize('NFC').toLowerCase();
}

/** The user's profile at `t`, or `undefined` if the user did not exist yet. */
export function profileAt(rec: UserRecord, t: Timestamp): UserProfile | undefined {
  const i = lastAtOrBefore(rec.profiles, t, (p) => p.timestamp);
  return i < 0 ? undefined : rec.profiles[i]!.profile;
}

export function revokedAt(rec: UserRecord, t: Timestamp): boolean {
  return rec.revoked !== null && rec.revoked.timestamp <= t;
}

/** A user's role at `t` from its role history in one realm. */
export function roleAt(history: readonly RoleEntry[] | undefined, t: Timestamp): RealmRole | null {
  if (!history) return null;
  const i = lastAtOrBefore(history, t, (e) => e.timestamp);
  return i < 0 ? null : history[i]!.role;
}
