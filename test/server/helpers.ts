/**
 * Test harness: a reference server on a fake clock, reachable in process or over HTTP loopback,
 * plus builders of real signed certificates (bootstrapOrganization + signCertificate). Blobs,
 * blocks and keys bundles are opaque to the server, so tests send seeded random bytes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import {
  bootstrapOrganization,
  linkAfter,
  signCertificate,
  SUITE_V1,
  type CertificateStore,
  type ChainLink,
  type RealmRole,
  type Topic,
  type UserProfile,
} from '../../src/certificates/index.js';
import type { DeviceId, OrganizationId, RealmId, UserId } from '../../src/codec/ids.js';
import { toHex } from '../../src/bytes.js';
import type { Clock, Timestamp } from '../../src/codec/timestamps.js';
import { PrivateKey, SigningKey, type VerifyKey } from '../../src/keys/index.js';
import { MemoryStorage, type Storage } from '../../src/storage/index.js';
import { createHttpHandler, SealsyncServer, type SealsyncServerOptions } from '../../src/server/index.js';
import {
  HttpAnonymousTransport,
  HttpTransport,
  InProcessAnonymousTransport,
  InProcessTransport,
  monotonicClock,
  type AnonymousTransport,
  type ErrorReply,
  type Transport,
} from '../../src/transport/index.js';
import { bytesFrom, prng } from '../support/prng.js';

export const T0: Timestamp = 1_700_000_000_000_000;

/** A settable clock shared by the server and the clients. */
export class FakeClock {
  now: Timestamp = T0;
  readonly clock: Clock = () => this.now;
  /** Advances 1 ms and returns the new time (certificates need strictly increasing timestamps). */
  tick(us = 1000): Timestamp {
    this.now += us;
    return this.now;
  }
}

export interface Dev {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly key: SigningKey;
  readonly privateKey: PrivateKey;
}

export type Mode = 'in-process' | 'http';
export const MODES: readonly Mode[] = ['in-process', 'http'];

export interface Harness {
  readonly mode: Mode;
  readonly server: SealsyncServer;
  readonly storage: Storage;
  readonly clock: FakeClock;
  readonly orgId: OrganizationId;
  readonly rootVerifyKey: VerifyKey;
  /** The bootstrap admin. */
  readonly admin: Dev;
  readonly url: string | null;
  rand: () => number;
  bytes(n: number): Uint8Array;
  id<T extends string>(): T;
  transport(dev: Dev): Transport;
  anonymous(): AnonymousTransport;
  /** The link of the next certificate of `topic`, from the server's own (verified) store. */
  link(topic: Topic): ChainLink;
  close(): Promise<void>;
}

/** Starts an HTTP loopback server for `server` on a random port. */
export async function listen(server: SealsyncServer): Promise<{ http: Server; url: string }> {
  const http = createServer(createHttpHandler(server));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return { http, url: `http://127.0.0.1:${port}` };
}

export async function closeHttp(http: Server): Promise<void> {
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

/** A server with one bootstrapped organisation. */
export async function harness(mode: Mode, options: SealsyncServerOptions & { seed?: number } = {}): Promise<Harness> {
  const clock = new FakeClock();
  const storage = options.storage ?? new MemoryStorage();
  const server = await SealsyncServer.open({ clock: clock.clock, ...options, storage });
  const { organizationId, bootstrapToken } = await server.createOrganization();
  let http: Server | null = null;
  let url: string | null = null;
  if (mode === 'http') ({ http, url } = await listen(server));
  const rand = prng(options.seed ?? 1);
  const h: Harness = {
    mode,
    server,
    storage,
    clock,
    orgId: organizationId,
    rootVerifyKey: undefined as unknown as VerifyKey,
    admin: undefined as unknown as Dev,
    url,
    rand,
    bytes(n) {
      return bytesFrom(rand, n);
    },
    id<T extends string>() {
      return toHex(h.bytes(16)) as T;
    },
    transport(dev) {
      const credentials = { organizationId, deviceId: dev.deviceId, signingKey: dev.key };
      const c = monotonicClock(clock.clock);
      return url === null ? new InProcessTransport(server, credentials, { clock: c }) : new HttpTransport({ url, credentials, clock: c });
    },
    link(topic) {
      const store = (server as unknown as { orgs: Map<OrganizationId, { store: CertificateStore }> }).orgs.get(organizationId)!.store;
      return store.nextLink(topic);
    },
    anonymous() {
      return url === null ? new InProcessAnonymousTransport(server, organizationId) : new HttpAnonymousTransport({ url, organizationId });
    },
    async close() {
      await server.close();
      if (http) await closeHttp(http);
    },
  };
  const boot = await bootstrapOrganization({ humanHandle: { email: 'admin@example.org', label: 'Admin' }, deviceLabel: 'laptop', clock: () => clock.tick() });
  const reply = await h.anonymous().send({
    cmd: 'organization_bootstrap',
    bootstrapToken,
    rootVerifyKey: boot.rootVerifyKey.toBytes(),
    userCertificate: boot.certificates[0]!,
    deviceCertificate: boot.certificates[1]!,
  });
  expect(reply).toEqual({ status: 'ok' });
  Object.assign(h, {
    rootVerifyKey: boot.rootVerifyKey,
    admin: { userId: boot.user.userId, deviceId: boot.device.deviceId, key: boot.device.signingKey, privateKey: boot.user.privateKey },
  });
  return h;
}

let counter = 0;

/** Signed user + first device certificates for a new user, authored by `author`. */
export async function userCerts(h: Harness, author: Dev, profile: UserProfile = 'STANDARD', timestamp = h.clock.tick()): Promise<{ dev: Dev; user: Uint8Array; device: Uint8Array }> {
  const n = ++counter;
  const dev: Dev = { userId: h.id<UserId>(), deviceId: h.id<DeviceId>(), key: SigningKey.fromBytes(h.bytes(32)), privateKey: PrivateKey.fromBytes(h.bytes(32)) };
  const link = h.link('common');
  const user = await signCertificate(author.key, {
    type: 'user',
    author: author.deviceId,
    timestamp,
    userId: dev.userId,
    humanHandle: { email: `user${n}@example.org`, label: `User ${n}` },
    publicKey: dev.privateKey.publicKey,
    profile,
  }, link);
  const device = await signCertificate(author.key, {
    type: 'device',
    author: author.deviceId,
    timestamp,
    userId: dev.userId,
    deviceId: dev.deviceId,
    deviceLabel: `device ${n}`,
    verifyKey: dev.key.verifyKey,
  }, linkAfter(user, link));
  return { dev, user, device };
}

/** Creates a user through `user_create` by `author` (an ADMIN). */
export async function createUser(h: Harness, profile: UserProfile = 'STANDARD', author: Dev = h.admin): Promise<Dev> {
  const c = await userCerts(h, author, profile);
  expectOkReply(await h.transport(author).send({ cmd: 'user_create', userCertificate: c.user, deviceCertificate: c.device }));
  return c.dev;
}

export function roleCert(h: Harness, author: Dev, realmId: RealmId, userId: UserId, role: RealmRole | null, timestamp = h.clock.tick(), link = h.link(realmId)): Promise<Uint8Array> {
  return signCertificate(author.key, { type: 'realm_role', author: author.deviceId, timestamp, realmId, userId, role }, link);
}

export function rotationCert(h: Harness, author: Dev, realmId: RealmId, keyIndex: number, timestamp = h.clock.tick(), link = h.link(realmId)): Promise<Uint8Array> {
  return signCertificate(author.key, { type: 'realm_key_rotation', author: author.deviceId, timestamp, realmId, keyIndex, suite: SUITE_V1, keyCanary: h.bytes(32) }, link);
}

/** Creates a realm owned by `owner` (key index 1). */
export async function createRealm(h: Harness, owner: Dev): Promise<RealmId> {
  const realmId = h.id<RealmId>();
  const link = h.link(realmId);
  const role = await roleCert(h, owner, realmId, owner.userId, 'OWNER', h.clock.tick(), link);
  expectOkReply(
    await h.transport(owner).send({
      cmd: 'realm_create',
      roleCertificate: role,
      keyRotationCertificate: await rotationCert(h, owner, realmId, 1, h.clock.tick(), linkAfter(role, link)),
      keysBundle: h.bytes(100),
      keysBundleAccess: h.bytes(80),
    }),
  );
  return realmId;
}

/** Shares `realmId` with `user` by `author`. */
export async function share(h: Harness, author: Dev, realmId: RealmId, user: Dev, role: RealmRole): Promise<void> {
  expectOkReply(
    await h.transport(author).send({ cmd: 'realm_share', roleCertificate: await roleCert(h, author, realmId, user.userId, role), keysBundleAccess: h.bytes(80) }),
  );
}

export function expectOkReply(reply: { status: string }): void {
  if (reply.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(reply)}`);
}

/** Asserts an error reply with `code` and returns it. */
export function expectError<C extends ErrorReply['code']>(reply: { status: string }, code: C): Extract<ErrorReply, { code: C }> {
  expect(reply.status, JSON.stringify(reply)).toBe('error');
  expect((reply as ErrorReply).code, (reply as ErrorReply).message).toBe(code);
  return reply as Extract<ErrorReply, { code: C }>;
}
