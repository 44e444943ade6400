/**
 * Test-only generator of random VALID certificate histories (seeded), with a naive model of what
 * every point-in-time query must answer. The model is deliberately simple (linear scans, no
 * shared code with src/certificates) so it is an independent oracle.
 */
import { expect } from 'vitest';
import type { RealmId, UserId } from '../../src/codec/ids.js';
import type { Timestamp } from '../../src/codec/timestamps.js';
import type {
  CertificateStore,
  RealmArchivingConfiguration,
  RealmRole,
  TopicCertificates,
  UserProfile,
} from '../../src/certificates/index.js';
import { prng } from '../support/prng.js';
import { Builder, type Dev } from './builder.js';

interface MUser {
  userId: UserId;
  created: Timestamp;
  profiles: [Timestamp, UserProfile][];
  revoked: Timestamp | null;
  devices: [Dev, Timestamp][];
}

interface MRealm {
  realmId: RealmId;
  created: Timestamp;
  roles: Map<UserId, [Timestamp, RealmRole | null][]>;
  rotations: Timestamp[];
  names: Timestamp[];
  archiving: [Timestamp, RealmArchivingConfiguration][];
}

export interface HistoryOptions {
  seed: number;
  admins: number;
  users: number;
  realms: number;
  /** Rounds after the first: profile changes, revocations, new devices, role changes, rotations. */
  rounds: number;
}

export interface History {
  b: Builder;
  /** One multi-topic batch per round (common first, then realms). */
  batches: TopicCertificates[][];
  users: Map<UserId, MUser>;
  realms: Map<RealmId, MRealm>;
  /** Every certificate timestamp, ascending. */
  timestamps: Timestamp[];
}

const last = <T>(xs: [Timestamp, T][], t: Timestamp): T | undefined => {
  let v: T | undefined;
  for (const [ts, x] of xs) if (ts <= t) v = x;
  return v;
};

function profileAt(u: MUser, t: Timestamp): UserProfile | undefined {
  return last(u.profiles, t);
}
function revokedAt(u: MUser, t: Timestamp): boolean {
  return u.revoked !== null && u.revoked <= t;
}
function roleAt(r: MRealm, user: UserId, t: Timestamp): RealmRole | null {
  return last(r.roles.get(user) ?? [], t) ?? null;
}

/** Generates a valid history; every choice is drawn from `seed`. */
export async function generateHistory(o: HistoryOptions): Promise<History> {
  const b = new Builder(o.seed);
  const rand = prng(o.seed ^ 0x5eed);
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length === 0 ? undefined : xs[Math.floor(rand() * xs.length)]);
  const users = new Map<UserId, MUser>();
  const realms = new Map<RealmId, MRealm>();
  const timestamps: Timestamp[] = [];
  const batches: TopicCertificates[][] = [];
  let common: Uint8Array[] = [];
  let realmTopics = new Map<RealmId, Uint8Array[]>();
  const now = () => b.now;
  const live = () => [...users.values()].filter((u) => u.revoked === null);
  const dev = (u: MUser) => pick(u.devices.map(([d]) => d))!;
  const admins = () => live().filter((u) => profileAt(u, Infinity) === 'ADMIN');

  const addUser = async (author: Dev | null, profile: UserProfile) => {
    const { dev: d, certs } = await b.user(author, { profile });
    common.push(...certs);
    timestamps.push(now());
    users.set(d.userId, { userId: d.userId, created: now(), profiles: [[now(), profile]], revoked: null, devices: [[d, now()]] });
  };
  const addDevice = async (u: MUser) => {
    const { dev: d, cert } = await b.device(dev(u));
    common.push(cert);
    timestamps.push(now());
    u.devices.push([d, now()]);
  };
  const realmPush = (realm: RealmId, cert: Uint8Array) => {
    let l = realmTopics.get(realm);
    if (!l) realmTopics.set(realm, (l = []));
    l.push(cert);
    timestamps.push(now());
  };
  const flush = () => {
    const batch: TopicCertificates[] = [{ topic: 'common', certificates: common }];
    for (const [topic, certificates] of realmTopics) batch.push({ topic, certificates });
    batches.push(batch);
    common = [];
    realmTopics = new Map();
  };

  /** One random valid role change in `r`, if some author can make it. */
  const roleChange = async (r: MRealm) => {
    const t = now() + 1000;
    const target = pick(live());
    if (!target) return;
    const cur = roleAt(r, target.userId, t);
    const options: (RealmRole | null)[] = ['OWNER', 'MANAGER', 'CONTRIBUTOR', 'READER', null];
    const role = pick(options.filter((x) => x !== cur && !(profileAt(target, t) === 'OUTSIDER' && (x === 'OWNER' || x === 'MANAGER'))));
    if (role === undefined) return;
    const elevated = (x: RealmRole | null) => x === 'OWNER' || x === 'MANAGER';
    const needOwner = elevated(role) || elevated(cur);
    const authors = live().filter((u) => {
      if (u.userId === target.userId) return false;
      const ar = roleAt(r, u.userId, t);
      return needOwner ? ar === 'OWNER' : ar === 'OWNER' || ar === 'MANAGER';
    });
    const author = pick(authors);
    if (!author) return;
    realmPush(r.realmId, await b.role(dev(author), r.realmId, target.userId, role));
    let h = r.roles.get(target.userId);
    if (!h) r.roles.set(target.userId, (h = []));
    h.push([now(), role]);
  };
  const owners = (r: MRealm) => live().filter((u) => roleAt(r, u.userId, now() + 1000) === 'OWNER');
  const rotate = async (r: MRealm) => {
    const owner = pick(owners(r));
    if (!owner) return;
    realmPush(r.realmId, await b.rotate(dev(owner), r.realmId, r.rotations.length + 1));
    r.rotations.push(now());
  };
  const rename = async (r: MRealm) => {
    const owner = pick(owners(r));
    if (!owner || r.rotations.length === 0) return;
    realmPush(r.realmId, await b.name(dev(owner), r.realmId, 1 + Math.floor(rand() * r.rotations.length)));
    r.names.push(now());
  };
  const archive = async (r: MRealm) => {
    const owner = pick(owners(r));
    if (!owner) return;
    const t = now() + 1000;
    const configuration = pick<RealmArchivingConfiguration>([
      { status: 'available' },
      { status: 'archived' },
      { status: 'deletion_planned', deletionDate: t + 30 * 86_400_000_000 },
    ])!;
    realmPush(r.realmId, await b.archive(dev(owner), r.realmId, configuration));
    r.archiving.push([now(), configuration]);
  };

  // ---- round 0: the organisation and its realms
  await addUser(null, 'ADMIN');
  for (let i = 0; i < o.admins; i++) await addUser(dev(pick(admins())!), 'ADMIN');
  for (let i = 0; i < o.users; i++) await addUser(dev(pick(admins())!), rand() < 0.15 ? 'OUTSIDER' : 'STANDARD');
  for (const u of [...users.values()]) {
    const extra = 1 + Math.floor(rand() * 2);
    for (let i = 0; i < extra; i++) await addDevice(u);
  }
  for (let i = 0; i < o.realms; i++) {
    const creator = pick(live().filter((u) => profileAt(u, Infinity) !== 'OUTSIDER'))!;
    const realmId = b.id<RealmId>();
    realmPush(realmId, await b.role(dev(creator), realmId, creator.userId, 'OWNER'));
    const r: MRealm = { realmId, created: now(), roles: new Map([[creator.userId, [[now(), 'OWNER']]]]), rotations: [], names: [], archiving: [] };
    realms.set(realmId, r);
    await rotate(r);
    await rename(r);
    const members = 2 + Math.floor(rand() * 6);
    for (let k = 0; k < members; k++) await roleChange(r);
  }
  flush();

  // ---- later rounds: the organisation lives
  for (let round = 0; round < o.rounds; round++) {
    const nonAdmins = () => live().filter((u) => profileAt(u, Infinity) !== 'ADMIN');
    for (let k = 0; k < 3; k++) {
      const target = pick(nonAdmins());
      if (!target) break;
      const author = pick(admins().filter((a) => a.userId !== target.userId))!;
      const to = pick((['ADMIN', 'STANDARD', 'OUTSIDER'] as const).filter((p) => p !== profileAt(target, Infinity)))!;
      common.push(await b.update(dev(author), target.userId, to));
      timestamps.push(now());
      target.profiles.push([now(), to]);
    }
    for (let k = 0; k < 2; k++) {
      const target = pick(nonAdmins());
      if (!target) break;
      const author = pick(admins().filter((a) => a.userId !== target.userId))!;
      common.push(await b.revoke(dev(author), target.userId));
      timestamps.push(now());
      target.revoked = now();
    }
    await addUser(dev(pick(admins())!), 'STANDARD');
    const u = pick(live());
    if (u) await addDevice(u);
    for (const r of realms.values()) {
      const changes = Math.floor(rand() * 4);
      for (let k = 0; k < changes; k++) await roleChange(r);
      if (rand() < 0.6) await rotate(r);
      if (rand() < 0.3) await rename(r);
      if (rand() < 0.3) await archive(r);
    }
    flush();
  }
  return { b, batches, users, realms, timestamps };
}

/** Ingests every batch of `h` in order. */
export async function ingestHistory(store: CertificateStore, h: History, upTo = h.batches.length): Promise<void> {
  for (const batch of h.batches.slice(0, upTo)) await store.ingestBatch(batch);
}

/** Compares cheaply (expect() per query is too slow for ~10^5 queries); collects mismatches. */
function check(errors: string[], label: string, got: unknown, want: unknown): void {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) errors.push(`${label}: got ${g}, want ${w}`);
}

/** Checks every point-in-time query of `store` against the model at time `t`. */
export function checkQueriesAt(store: CertificateStore, h: History, t: Timestamp): void {
  const e: string[] = [];
  const existing = [...h.users.values()].filter((u) => u.created <= t);
  check(e, 'listUsers', store.listUsers(t).map((u) => u.userId), existing.map((u) => u.userId));
  for (const u of h.users.values()) {
    const info = store.getUser(u.userId, t);
    const id = u.userId.slice(0, 8);
    if (u.created > t) {
      check(e, `getUser ${id}`, info, undefined);
      check(e, `getProfile ${id}`, store.getProfile(u.userId, t), undefined);
      check(e, `listDevices ${id}`, store.listDevices(u.userId, t), []);
      continue;
    }
    check(e, `getUser.profile ${id}`, info?.profile, profileAt(u, t));
    check(e, `getProfile ${id}`, store.getProfile(u.userId, t), profileAt(u, t));
    check(e, `isRevoked ${id}`, store.isRevoked(u.userId, t), revokedAt(u, t));
    check(e, `revokedOn ${id}`, info?.revokedOn, revokedAt(u, t) ? u.revoked : null);
    const devices = u.devices.filter(([, ct]) => ct <= t).map(([d]) => d.deviceId);
    check(e, `listDevices ${id}`, store.listDevices(u.userId, t).map((d) => d.deviceId), devices);
    for (const [d, ct] of u.devices) {
      const got = store.getDevice(d.deviceId, t);
      if (ct > t) check(e, `getDevice ${d.deviceId}`, got, undefined);
      else {
        check(e, `getDevice.userId ${d.deviceId}`, got?.userId, u.userId);
        check(e, `getVerifyKey ${d.deviceId}`, store.getVerifyKey(d.deviceId, t)?.equals(d.key.verifyKey), true);
      }
    }
  }
  for (const r of h.realms.values()) {
    const rid = r.realmId.slice(0, 8);
    check(e, `listRealms ${rid}`, store.listRealms(t).includes(r.realmId), r.created <= t);
    const members: [UserId, RealmRole][] = [];
    for (const u of h.users.values()) {
      const role = roleAt(r, u.userId, t);
      check(e, `getRealmRole ${rid} ${u.userId.slice(0, 8)}`, store.getRealmRole(r.realmId, u.userId, t), role);
      if (role !== null && !revokedAt(u, t)) members.push([u.userId, role]);
    }
    const got = store.listRealmMembers(r.realmId, t).map((m): [UserId, RealmRole] => [m.userId, m.role]);
    const sort = (xs: [UserId, RealmRole][]) => [...xs].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    check(e, `listRealmMembers ${rid}`, sort(got), sort(members));
    const keyIndex = r.rotations.filter((x) => x <= t).length;
    check(e, `getKeyIndex ${rid}`, store.getKeyIndex(r.realmId, t), keyIndex);
    const rot = store.getCurrentKeyRotation(r.realmId, t);
    check(e, `getCurrentKeyRotation ${rid}`, [rot?.keyIndex, rot?.timestamp], keyIndex === 0 ? [undefined, undefined] : [keyIndex, r.rotations[keyIndex - 1]]);
    const names = r.names.filter((x) => x <= t);
    check(e, `getRealmName ${rid}`, store.getRealmName(r.realmId, t)?.timestamp, names[names.length - 1]);
    check(e, `getArchiving ${rid}`, store.getArchiving(r.realmId, t), last(r.archiving, t) ?? { status: 'available' });
  }
  expect(e.slice(0, 10), `queries at ${t}`).toEqual([]);
}
