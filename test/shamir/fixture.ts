/**
 * An organisation for the Shamir tests: an admin and a few users whose user private keys and
 * device signing keys are kept (seeded, deterministic), in a `CertificateStore`.
 */
import { toHex } from '../../src/bytes.js';
import { CertificateStore, COMMON_TOPIC, linkAfter, signCertificate } from '../../src/certificates/index.js';
import type { DeviceId, UserId } from '../../src/codec/ids.js';
import type { Timestamp } from '../../src/codec/timestamps.js';
import { PrivateKey, SigningKey } from '../../src/keys/index.js';
import { bytesFrom, prng } from '../support/prng.js';

export interface Person {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly signingKey: SigningKey;
  readonly privateKey: PrivateKey;
}

export class Org {
  readonly rand = prng(16);
  now: Timestamp = 1_700_000_000_000_000;
  readonly root = SigningKey.fromBytes(this.bytes(32));
  readonly people = new Map<string, Person>();
  store!: CertificateStore;

  bytes(n: number): Uint8Array {
    return bytesFrom(this.rand, n);
  }

  tick(): Timestamp {
    return (this.now += 1000);
  }

  static async create(names: readonly string[]): Promise<Org> {
    const org = new Org();
    org.store = await CertificateStore.open({ rootVerifyKey: org.root.verifyKey });
    let admin: Person | null = null;
    for (const name of ['admin', ...names]) {
      const p: Person = { userId: toHex(org.bytes(16)) as UserId, deviceId: toHex(org.bytes(16)) as DeviceId, signingKey: SigningKey.fromBytes(org.bytes(32)), privateKey: PrivateKey.fromBytes(org.bytes(32)) };
      const timestamp = org.tick();
      const key = admin?.signingKey ?? org.root;
      const author = admin?.deviceId ?? null;
      const link = org.store.nextLink(COMMON_TOPIC);
      const u = await signCertificate(key, { type: 'user', author, timestamp, userId: p.userId, humanHandle: { email: `${name}@example.org`, label: name }, publicKey: p.privateKey.publicKey, profile: admin ? 'STANDARD' : 'ADMIN' }, link);
      const d = await signCertificate(key, { type: 'device', author, timestamp, userId: p.userId, deviceId: p.deviceId, deviceLabel: `${name}'s laptop`, verifyKey: p.signingKey.verifyKey }, linkAfter(u, link));
      await org.store.ingest(COMMON_TOPIC, [u, d]);
      org.people.set(name, p);
      admin ??= p;
    }
    return org;
  }

  get(name: string): Person {
    return this.people.get(name)!;
  }

  async revoke(name: string): Promise<void> {
    const admin = this.get('admin');
    await this.store.ingest(COMMON_TOPIC, [await signCertificate(admin.signingKey, { type: 'revoked_user', author: admin.deviceId, timestamp: this.tick(), userId: this.get(name).userId }, this.store.nextLink(COMMON_TOPIC))]);
  }
}
