/** Shared test fixture: a small organisation and realm, plus a store-snapshot helper. */
import { expect } from 'vitest';
import { toHex } from '../../src/bytes.js';
import type { RealmId } from '../../src/codec/ids.js';
import { CertificateError } from '../../src/errors.js';
import { CertificateStore, type TopicCertificates } from '../../src/certificates/index.js';
import { Builder, type Dev } from './builder.js';

export interface Fixture {
  b: Builder;
  store: CertificateStore;
  /** bootstrap admin */
  A: Dev;
  /** second admin */
  A2: Dev;
  /** STANDARD users: S owns `realm`, M is its MANAGER, C its CONTRIBUTOR */
  S: Dev;
  M: Dev;
  C: Dev;
  /** OUTSIDER, READER of `realm` */
  O: Dev;
  realm: RealmId;
}

/** The builder of each fixture store, resynced after a rejected batch (its heads ran ahead). */
export const builders = new WeakMap<CertificateStore, Builder>();

export async function fixture(seed = 7): Promise<Fixture> {
  const b = new Builder(seed);
  const boot = await b.bootstrap();
  const A = boot.dev;
  const A2 = await b.user(A, { profile: 'ADMIN' });
  const S = await b.user(A);
  const M = await b.user(A2.dev);
  const C = await b.user(A);
  const O = await b.user(A, { profile: 'OUTSIDER' });
  const store = await CertificateStore.open({ rootVerifyKey: b.root.verifyKey });
  await store.ingest('common', [...boot.certs, ...A2.certs, ...S.certs, ...M.certs, ...C.certs, ...O.certs]);
  const realm = b.id<RealmId>();
  await store.ingest(realm, [
    await b.role(S.dev, realm, S.dev.userId, 'OWNER'),
    await b.rotate(S.dev, realm, 1),
    await b.role(S.dev, realm, M.dev.userId, 'MANAGER'),
    await b.role(S.dev, realm, C.dev.userId, 'CONTRIBUTOR'),
    await b.role(M.dev, realm, O.dev.userId, 'READER'),
  ]);
  builders.set(store, b);
  return { b, store, A, A2: A2.dev, S: S.dev, M: M.dev, C: C.dev, O: O.dev, realm };
}

/** Everything observable about a store, to check a rejected batch changed nothing. */
export function snapshot(store: CertificateStore): string {
  const topics = store.topics().map((t) => {
    const head = store.topicHead(t);
    return [t, store.lastTimestamp(t), head && [head.position, toHex(head.digest)], store.signedCertificates(t).map(toHex)];
  });
  const users = store.listUsers().map((u) => [u.userId, u.profile, u.revokedOn, store.listDevices(u.userId).map((d) => d.deviceId)]);
  const realms = store.listRealms().map((r) => [r, store.listRealmMembers(r), store.getKeyIndex(r), store.getArchiving(r), store.getRealmName(r)?.timestamp]);
  return JSON.stringify({ topics, users, realms });
}

/** Ingests `batch`, expects a `CertificateError` with `reason`, and the store unchanged. */
export async function expectRejected(store: CertificateStore, batch: TopicCertificates[], reason: string): Promise<CertificateError> {
  const before = snapshot(store);
  let caught: unknown;
  try {
    await store.ingestBatch(batch);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'batch should be rejected').toBeInstanceOf(CertificateError);
  expect((caught as CertificateError).reason).toBe(reason);
  expect((caught as CertificateError).code).toBe(`certificate/${reason}`);
  expect(snapshot(store)).toBe(before);
  builders.get(store)?.resync(store);
  return caught as CertificateError;
}
