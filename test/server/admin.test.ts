/**
 * Administration: its own token, organisations, settings enforced before any command runs (and
 * nothing applied when refused), freeze/unfreeze, statistics — over the real admin HTTP API, and
 * the `sealsync-server admin` argument parsing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlockId, OrganizationId, VlobId } from '../../src/codec/ids.js';
import { ArgumentError } from '../../src/errors.js';
import { parseAdminArgs, runAdminCall } from '../../src/server/admin/cli.js';
import { createHttpHandler, organizationIdFromName } from '../../src/server/index.js';
import { closeHttp, createRealm, createUser, expectError, expectOkReply, harness, userCerts, type Harness } from './helpers.js';

const TOKEN = 'admin-token-0123456789';
let h: Harness | undefined;
let http: Server | undefined;

afterEach(async () => {
  if (http) await closeHttp(http);
  await h?.close();
  h = undefined;
  http = undefined;
});

async function setup(): Promise<{ h: Harness; url: string; call: (method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; json: any }> }> {
  h = await harness('http');
  http = createServer(createHttpHandler(h.server, { adminToken: TOKEN }));
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  };
  return { h, url, call };
}

describe('administration API', () => {
  it('refuses a missing or wrong token, and is absent without a configured token', async () => {
    const { call, h } = await setup();
    expect((await call('GET', '/admin/organizations', undefined, 'wrong-token-0123456789')).status).toBe(401);
    expect((await call('GET', '/admin/organizations', undefined, '')).status).toBe(401);
    // The device API on the same port does not know the admin path.
    const plain = await fetch(`${h.url}/admin/organizations`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(plain.status).toBe(404);
    expect(() => createHttpHandler(h.server, { adminToken: 'short' })).toThrow(ArgumentError);
  });

  it('creates, lists and shows organisations', async () => {
    const { call, h } = await setup();
    const created = await call('POST', '/admin/organizations', { name: 'acme', settings: { outsidersAllowed: false } });
    expect(created.status).toBe(201);
    expect(created.json.organizationId).toBe(organizationIdFromName('acme'));
    expect(created.json.bootstrapToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await call('POST', '/admin/organizations', { name: 'acme' })).status).toBe(400);
    const list = await call('GET', '/admin/organizations');
    expect(list.json.organizations.map((o: { organizationId: string }) => o.organizationId).sort()).toEqual([h.orgId, organizationIdFromName('acme')].sort());
    const acme = await call('GET', `/admin/organizations/${organizationIdFromName('acme')}`);
    expect(acme.json).toMatchObject({ bootstrapped: false, settings: { outsidersAllowed: false, activeUserLimit: null, expiresOn: null } });
    expect((await call('GET', `/admin/organizations/${'f'.repeat(32)}`)).status).toBe(404);
    expect((await call('PATCH', `/admin/organizations/${h.orgId}`, { activeUserLimit: -1 })).status).toBe(400);
    expect((await call('PATCH', `/admin/organizations/${h.orgId}`, { color: 'red' })).status).toBe(400);
    expect((await call('GET', '/admin/nothing')).status).toBe(404);
  });

  it('outsiders: refused while denied, nothing stored', async () => {
    const { call, h } = await setup();
    expect((await call('PATCH', `/admin/organizations/${h.orgId}`, { outsidersAllowed: false })).json.settings.outsidersAllowed).toBe(false);
    const c = await userCerts(h, h.admin, 'OUTSIDER');
    expectError(await h.transport(h.admin).send({ cmd: 'user_create', userCertificate: c.user, deviceCertificate: c.device }), 'not_allowed');
    expect(h.server.organization(h.orgId)!.store!.getUser(c.dev.userId)).toBeUndefined();
    await call('PATCH', `/admin/organizations/${h.orgId}`, { outsidersAllowed: true });
    await createUser(h, 'OUTSIDER');
  });

  it('active-user limit: the user beyond it is refused, nothing stored', async () => {
    const { call, h } = await setup();
    await call('PATCH', `/admin/organizations/${h.orgId}`, { activeUserLimit: 2 });
    await createUser(h);
    const c = await userCerts(h, h.admin);
    expectError(await h.transport(h.admin).send({ cmd: 'user_create', userCertificate: c.user, deviceCertificate: c.device }), 'active_users_limit_reached');
    expect(h.server.organization(h.orgId)!.store!.listUsers()).toHaveLength(2);
    await call('PATCH', `/admin/organizations/${h.orgId}`, { activeUserLimit: null });
    await createUser(h);
  });

  it('expiry: every request refused after it, served again once lifted', async () => {
    const { call, h } = await setup();
    await call('PATCH', `/admin/organizations/${h.orgId}`, { expiresOn: h.clock.now + 1 });
    h.clock.tick();
    expectError(await h.transport(h.admin).send({ cmd: 'ping' }), 'organization_expired');
    expectError(await h.anonymous().send({ cmd: 'invited_info', token: h.id() }), 'organization_expired');
    await call('PATCH', `/admin/organizations/${h.orgId}`, { expiresOn: null });
    expectOkReply(await h.transport(h.admin).send({ cmd: 'ping' }));
  });

  it('freeze: every request of the user refused, reversible; unknown users are 404', async () => {
    const { call, h } = await setup();
    const bob = await createUser(h);
    const realm = await createRealm(h, bob);
    const frozen = await call('POST', `/admin/organizations/${h.orgId}/users/${bob.userId}/freeze`);
    expect(frozen.json).toEqual({ userId: bob.userId, frozen: true });
    expect((await call('GET', `/admin/organizations/${h.orgId}/frozen`)).json.users).toEqual([bob.userId]);
    expectError(await h.transport(bob).send({ cmd: 'ping' }), 'user_frozen');
    const v = h.id<VlobId>();
    expectError(await h.transport(bob).send({ cmd: 'vlob_create', realmId: realm, vlobId: v, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(10) }), 'user_frozen');
    expect(h.server.organization(h.orgId)!.vlobs.has(v)).toBe(false);
    expectOkReply(await h.transport(h.admin).send({ cmd: 'ping' }));
    await call('POST', `/admin/organizations/${h.orgId}/users/${bob.userId}/unfreeze`);
    expectOkReply(await h.transport(bob).send({ cmd: 'ping' }));
    expect((await call('POST', `/admin/organizations/${h.orgId}/users/${'a'.repeat(32)}/freeze`)).status).toBe(404);
  });

  it('statistics count users, realms, vlobs and blocks with their bytes', async () => {
    const { call, h } = await setup();
    const bob = await createUser(h);
    const realm = await createRealm(h, bob);
    const t = h.transport(bob);
    const v = h.id<VlobId>();
    expectOkReply(await t.send({ cmd: 'vlob_create', realmId: realm, vlobId: v, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(10) }));
    expectOkReply(await t.send({ cmd: 'vlob_update', realmId: realm, vlobId: v, version: 2, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(20) }));
    expectOkReply(await t.send({ cmd: 'block_create', realmId: realm, blockId: h.id<BlockId>(), keyIndex: 1, block: h.bytes(100) }));
    await call('POST', `/admin/organizations/${h.orgId}/users/${bob.userId}/freeze`);
    const stats = await call('GET', `/admin/organizations/${h.orgId}/stats`);
    expect(stats.json).toEqual({ users: 2, activeUsers: 2, frozenUsers: 1, devices: 2, realms: 1, vlobs: 1, vlobVersions: 2, vlobBytes: 30, blocks: 1, blockBytes: 100 });
  });

  it('the admin CLI: parses commands into requests and runs them against the API', async () => {
    const { url, h } = await setup();
    const id = (n: string) => organizationIdFromName(n);
    expect(parseAdminArgs(['org-list', '--url', url], id)).toMatchObject({ method: 'GET', path: '/admin/organizations' });
    const create = parseAdminArgs(['org-create', 'beta', '--outsiders', 'deny', '--user-limit', '10', '--expires', '2030-01-01T00:00:00Z', '--url', url], id);
    expect(create).toMatchObject({ method: 'POST', body: { organizationId: id('beta'), settings: { outsidersAllowed: false, activeUserLimit: 10, expiresOn: Date.parse('2030-01-01T00:00:00Z') * 1000 } } });
    for (const bad of [['org-list'], ['nope', '--url', url], ['org-show', '--url', url], ['org-settings', 'x', '--url', url], ['user-freeze', 'x', 'notanid', '--url', url], ['stats', 'x', '--user-limit', '3', '--url', url], ['org-list', '--expires', 'soon', '--url', url]]) {
      expect(() => parseAdminArgs(bad, id), bad.join(' ')).toThrow(ArgumentError);
    }
    const answer = (await runAdminCall(create, TOKEN)) as { organizationId: OrganizationId };
    expect(answer.organizationId).toBe(id('beta'));
    await expect(runAdminCall(parseAdminArgs(['org-show', h.orgId, '--url', url], id), 'wrong-token-0123456789')).rejects.toMatchObject({ code: 'transport/refused' });
    await expect(runAdminCall(parseAdminArgs(['org-list', '--url', 'http://127.0.0.1:1'], id), TOKEN)).rejects.toMatchObject({ code: 'transport/unreachable' });
  });

  it('purge: POST only, answers the purged realms (none here: test/client/archiving.test.ts covers what it removes)', async () => {
    const { url, call } = await setup();
    expect(parseAdminArgs(['purge', '--url', url], organizationIdFromName)).toMatchObject({ method: 'POST', path: '/admin/purge' });
    expect(() => parseAdminArgs(['purge', 'x', '--url', url], organizationIdFromName)).toThrow(ArgumentError);
    expect(await runAdminCall(parseAdminArgs(['purge', '--url', url], organizationIdFromName), TOKEN)).toEqual({ realms: [] });
    expect((await call('GET', '/admin/purge')).status).toBe(405);
    expect((await call('POST', '/admin/purge', undefined, 'wrong-token-0123456789')).status).toBe(401);
  });
});
