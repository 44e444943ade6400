/**
 * Test-only helper: builds signed certificate histories with deterministic keys and ids (seeded
 * PRNG) and a global monotonic clock (the server orders every topic on one clock).
 */
import { toHex } from '../../src/bytes.js';
import type { DeviceId, RealmId, UserId } from '../../src/codec/ids.js';
import type { Timestamp } from '../../src/codec/timestamps.js';
import { PrivateKey, SigningKey } from '../../src/keys/index.js';
import { ChainTracker } from '../support/chain.js';
import {
  SUITE_V1,
  type CertificateContent,
  type CertificateStore,
  type ChainHead,
  type ChainLink,
  type RealmArchivingConfiguration,
  type RealmRole,
  type UserProfile,
} from '../../src/certificates/index.js';
import { bytesFrom, prng } from '../support/prng.js';

export interface Dev {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly key: SigningKey;
}

export const T0: Timestamp = 1_700_000_000_000_000;

export class Builder {
  private readonly rand: () => number;
  now: Timestamp = T0;
  readonly root: SigningKey;
  private counter = 0;

  constructor(seed = 1) {
    this.rand = prng(seed);
    this.root = SigningKey.fromBytes(this.bytes(32));
  }

  bytes(n: number): Uint8Array {
    return bytesFrom(this.rand, n);
  }

  id<T extends UserId | DeviceId | RealmId>(): T {
    return toHex(this.bytes(16)) as T;
  }

  /** Next timestamp (1 ms later). */
  tick(): Timestamp {
    this.now += 1000;
    return this.now;
  }

  /** Chain positions of everything built (see `ChainTracker`). */
  readonly chain = new ChainTracker();

  set pinnedCommonHead(head: ChainHead | null) {
    this.chain.pinnedCommonHead = head;
  }

  sign(key: SigningKey, cert: CertificateContent, link?: ChainLink): Promise<Uint8Array> {
    return this.chain.sign(key, cert, link);
  }

  resignAt(key: SigningKey, signed: Uint8Array, link: ChainLink): Promise<Uint8Array> {
    return this.chain.resignAt(key, signed, link);
  }

  resync(store: CertificateStore): void {
    this.chain.resync(store);
  }

  /** Bootstrap user + device signed by the root. */
  async bootstrap(email = 'admin@example.org'): Promise<{ dev: Dev; certs: Uint8Array[] }> {
    return this.user(null, { profile: 'ADMIN', email });
  }

  /** A new user and its first device, signed by `author` (null = root). */
  async user(
    author: Dev | null,
    o: { profile?: UserProfile; email?: string; timestamp?: Timestamp; deviceAuthor?: Dev | null; deviceTimestamp?: Timestamp } = {},
  ): Promise<{ dev: Dev; certs: Uint8Array[] }> {
    const timestamp = o.timestamp ?? this.tick();
    const userId = this.id<UserId>();
    const deviceId = this.id<DeviceId>();
    const key = SigningKey.fromBytes(this.bytes(32));
    const signer = author?.key ?? this.root;
    const n = ++this.counter;
    const u = await this.sign(signer, {
      type: 'user',
      author: author?.deviceId ?? null,
      timestamp,
      userId,
      humanHandle: { email: o.email ?? `user${n}@example.org`, label: `User ${n}` },
      publicKey: PrivateKey.fromBytes(this.bytes(32)).publicKey,
      profile: o.profile ?? 'STANDARD',
    });
    const deviceAuthor = o.deviceAuthor === undefined ? author : o.deviceAuthor;
    const d = await this.sign(deviceAuthor?.key ?? this.root, {
      type: 'device',
      author: deviceAuthor?.deviceId ?? null,
      timestamp: o.deviceTimestamp ?? timestamp,
      userId,
      deviceId,
      deviceLabel: `device ${n}`,
      verifyKey: key.verifyKey,
    });
    return { dev: { userId, deviceId, key }, certs: [u, d] };
  }

  /** A later device of `userId`, signed by `author`. */
  async device(author: Dev, userId: UserId = author.userId, timestamp = this.tick()): Promise<{ dev: Dev; cert: Uint8Array }> {
    const deviceId = this.id<DeviceId>();
    const key = SigningKey.fromBytes(this.bytes(32));
    const cert = await this.sign(author.key, {
      type: 'device',
      author: author.deviceId,
      timestamp,
      userId,
      deviceId,
      deviceLabel: 'another device',
      verifyKey: key.verifyKey,
    });
    return { dev: { userId, deviceId, key }, cert };
  }

  update(author: Dev, userId: UserId, newProfile: UserProfile, timestamp = this.tick()): Promise<Uint8Array> {
    return this.sign(author.key, { type: 'user_update', author: author.deviceId, timestamp, userId, newProfile });
  }

  revoke(author: Dev, userId: UserId, timestamp = this.tick()): Promise<Uint8Array> {
    return this.sign(author.key, { type: 'revoked_user', author: author.deviceId, timestamp, userId });
  }

  role(author: Dev, realmId: RealmId, userId: UserId, role: RealmRole | null, timestamp = this.tick()): Promise<Uint8Array> {
    return this.sign(author.key, { type: 'realm_role', author: author.deviceId, timestamp, realmId, userId, role });
  }

  rotate(author: Dev, realmId: RealmId, keyIndex: number, timestamp = this.tick()): Promise<Uint8Array> {
    return this.sign(author.key, {
      type: 'realm_key_rotation',
      author: author.deviceId,
      timestamp,
      realmId,
      keyIndex,
      suite: SUITE_V1,
      keyCanary: this.bytes(32),
    });
  }

  name(author: Dev, realmId: RealmId, keyIndex: number, timestamp = this.tick()): Promise<Uint8Array> {
    return this.sign(author.key, { type: 'realm_name', author: author.deviceId, timestamp, realmId, keyIndex, encryptedName: this.bytes(40) });
  }

  archive(author: Dev, realmId: RealmId, configuration: RealmArchivingConfiguration, timestamp = this.tick()): Promise<Uint8Array> {
    return this.sign(author.key, { type: 'realm_archiving', author: author.deviceId, timestamp, realmId, configuration });
  }
}
