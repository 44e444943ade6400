/**
 * Shared fixtures of the manifests tests: deterministic keys and ids, a tiny in-memory fake of
 * `ManifestTrust`, manifest factories and a "malicious writer" that seals arbitrary signed
 * content at an arbitrary place (to reach the checks that AAD binding alone cannot reach).
 */
import type { BlockId, DeviceId, RealmId, UserId, VlobId } from '../../src/codec/ids.js';
import type { Timestamp } from '../../src/codec/timestamps.js';
import { PrivateKey, signDocument, SigningKey, type SecretKey } from '../../src/keys/index.js';
import type { EntryName } from '../../src/manifests/entry-name.js';
import { encodeManifest } from '../../src/manifests/manifest-format.js';
import type { RealmKeyring } from '../../src/manifests/realm-keyring.js';
import { rotateRealmKey } from '../../src/manifests/rotation.js';
import type { ManifestRealmRole, ManifestTrust, TrustedDevice } from '../../src/manifests/trust.js';
import type { FileManifest, FolderManifest, Manifest } from '../../src/manifests/types.js';
import { vlobAad, vlobKey } from '../../src/manifests/vlob-crypto.js';

/** A 16-byte id whose every byte is `n` (readable in failures, distinct per `n`). */
export function fixedId<T extends string>(n: number): T {
  return n.toString(16).padStart(2, '0').repeat(16) as T;
}

export function seed(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

export const T0: Timestamp = 1_700_000_000_000_000;
export const SECOND = 1_000_000;

export const REALM = fixedId<RealmId>(0xa0);
export const OTHER_REALM = fixedId<RealmId>(0xa1);

/** A user with one device, all keys derived from fixed seeds. */
export interface Person {
  readonly name: string;
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly signingKey: SigningKey;
  readonly privateKey: PrivateKey;
}

export function person(name: string, n: number): Person {
  return {
    name,
    userId: fixedId<UserId>(0x10 + n),
    deviceId: fixedId<DeviceId>(0x20 + n),
    signingKey: SigningKey.fromBytes(seed(0x30 + n)),
    privateKey: PrivateKey.fromBytes(seed(0x40 + n)),
  };
}

export const alice = person('alice', 1);
export const bob = person('bob', 2);
export const carol = person('carol', 3);
export const mallory = person('mallory', 4);

/** In-memory point-in-time trust: devices, revocations and role histories with timestamps. */
export class FakeTrust implements ManifestTrust {
  private readonly devices = new Map<DeviceId, { since: Timestamp; device: TrustedDevice }>();
  private readonly revoked = new Map<UserId, Timestamp>();
  private readonly roles = new Map<string, { t: Timestamp; role: ManifestRealmRole | null }[]>();

  addDevice(p: Person, since: Timestamp = T0): this {
    this.devices.set(p.deviceId, { since, device: { userId: p.userId, verifyKey: p.signingKey.verifyKey } });
    return this;
  }

  revoke(userId: UserId, t: Timestamp): this {
    this.revoked.set(userId, t);
    return this;
  }

  setRole(realm: RealmId, userId: UserId, t: Timestamp, role: ManifestRealmRole | null): this {
    const key = `${realm}:${userId}`;
    const list = this.roles.get(key) ?? [];
    list.push({ t, role });
    list.sort((a, b) => a.t - b.t);
    this.roles.set(key, list);
    return this;
  }

  deviceAt(deviceId: DeviceId, t: Timestamp): TrustedDevice | undefined {
    const d = this.devices.get(deviceId);
    return d !== undefined && d.since <= t ? d.device : undefined;
  }

  isUserRevokedAt(userId: UserId, t: Timestamp): boolean {
    const r = this.revoked.get(userId);
    return r !== undefined && r <= t;
  }

  realmRoleAt(realm: RealmId, userId: UserId, t: Timestamp): ManifestRealmRole | null {
    let role: ManifestRealmRole | null = null;
    for (const e of this.roles.get(`${realm}:${userId}`) ?? []) if (e.t <= t) role = e.role;
    return role;
  }
}

/** Alice OWNER, Bob CONTRIBUTOR, Carol READER of REALM from T0; all devices from T0. */
export function standardTrust(): FakeTrust {
  return new FakeTrust()
    .addDevice(alice)
    .addDevice(bob)
    .addDevice(carol)
    .addDevice(mallory)
    .setRole(REALM, alice.userId, T0, 'OWNER')
    .setRole(REALM, bob.userId, T0, 'CONTRIBUTOR')
    .setRole(REALM, carol.userId, T0, 'READER')
    .setRole(OTHER_REALM, alice.userId, T0, 'OWNER');
}

/**
 * A chain link for rotation certificates these tests never ingest into a certificate store (the
 * manifest read checks take a `ManifestTrust`, not the chain).
 */
export const TEST_LINK = { position: 2, prev: new Uint8Array(32).fill(0xab), commonHead: { position: 2, digest: new Uint8Array(32).fill(0xcd) } };

/** A realm created by `owner` at `t`: key index 1. */
export async function createRealm(realm: RealmId = REALM, owner: Person = alice, t: Timestamp = T0): Promise<RealmKeyring> {
  const r = await rotateRealmKey({
    realmId: realm,
    currentKeys: null,
    members: [{ userId: owner.userId, publicKey: owner.privateKey.publicKey }],
    author: owner.deviceId,
    signingKey: owner.signingKey,
    timestamp: t,
    link: TEST_LINK,
  });
  return r.keyring;
}

/** Certificate heads bound by the test manifests (the manifest read checks here do not look at them). */
export const TEST_HEADS = { common: { position: 7, digest: new Uint8Array(32).fill(0xc7) }, realm: { position: 3, digest: new Uint8Array(32).fill(0xa3) } };

export const FILE_ID = fixedId<VlobId>(0xf1);
export const FOLDER_ID = fixedId<VlobId>(0xf2);

export function fileManifest(over: Partial<FileManifest> = {}): FileManifest {
  return {
    type: 'file',
    id: FILE_ID,
    parent: REALM as string as VlobId,
    version: 1,
    created: T0,
    updated: T0 + SECOND,
    author: alice.deviceId,
    timestamp: T0 + SECOND,
    prev: null,
    heads: TEST_HEADS,
    size: 1500,
    blocksize: 1024,
    blocks: [
      { id: fixedId<BlockId>(0xb1), offset: 0, size: 1024, digest: new Uint8Array(32).fill(1) },
      { id: fixedId<BlockId>(0xb2), offset: 1024, size: 476, digest: new Uint8Array(32).fill(2) },
    ],
    ...over,
  };
}

export function folderManifest(over: Partial<FolderManifest> = {}): FolderManifest {
  return {
    type: 'folder',
    id: FOLDER_ID,
    parent: REALM as string as VlobId,
    version: 1,
    created: T0,
    updated: T0 + SECOND,
    author: alice.deviceId,
    timestamp: T0 + SECOND,
    prev: null,
    heads: TEST_HEADS,
    children: new Map([
      ['report.pdf' as EntryName, fixedId<VlobId>(0xc1)],
      ['Ünïcödé' as EntryName, fixedId<VlobId>(0xc2)],
    ]),
    ...over,
  };
}

/**
 * A realm member with the key (or a compromised client) can seal any signed content at any
 * place. Used to show the read checks on signed content do their own work.
 */
export async function sealAt(args: {
  manifest: Manifest;
  signer: SigningKey;
  key: SecretKey;
  realmId: RealmId;
  id: VlobId;
  version: number;
  keyIndex: number;
}): Promise<{ blob: Uint8Array; signed: Uint8Array }> {
  const signed = await signDocument(args.signer, encodeManifest(args.manifest));
  const vk = await vlobKey(args.key, args.id);
  return { blob: await vk.encrypt(signed, vlobAad(args.realmId, args.id, args.keyIndex, args.version)), signed };
}

/** The server claims that match `m` as written with key index `keyIndex`. */
export function claimsOf(m: Manifest, keyIndex = 1) {
  return { id: m.id, version: m.version, author: m.author, timestamp: m.timestamp, keyIndex };
}
