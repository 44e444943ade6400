/**
 * The administration HTTP API (JSON), served under `/admin/` by `createHttpHandler` when an admin
 * token is configured:
 *
 * | method, path | what |
 * | --- | --- |
 * | `GET /admin/organizations` | every organisation |
 * | `POST /admin/organizations` `{organizationId?, name?, settings?}` | create one; returns its bootstrap token |
 * | `GET /admin/organizations/<id>` | one organisation |
 * | `PATCH /admin/organizations/<id>` `{outsidersAllowed?, activeUserLimit?, expiresOn?}` | settings |
 * | `GET /admin/organizations/<id>/stats` | statistics |
 * | `GET /admin/organizations/<id>/frozen` | frozen users |
 * | `POST /admin/organizations/<id>/users/<user>/freeze` or `/unfreeze` | freeze / unfreeze |
 * | `POST /admin/purge` | remove now the data of realms past their deletion date (RFC 1028) |
 *
 * Authentication: `Authorization: Bearer <admin token>`, compared in constant time through
 * SHA-256 digests (so neither content nor length leaks by timing). The token is the operator's,
 * never a device key. Errors are `{ error: { code, message } }` with a 4xx status.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constantTimeEqual, toBase64Url, utf8Decode, utf8Encode } from '../../bytes.js';
import type { OrganizationId, UserId } from '../../codec/ids.js';
import { ArgumentError, SealsyncError } from '../../errors.js';
import { sha256Sync } from '../../keys/index.js';
import type { ServerAdmin, SettingsChange } from './api.js';

/** Shortest accepted admin token (characters). */
export const MIN_ADMIN_TOKEN_LENGTH = 16;
/** Largest admin request body (bytes). */
export const MAX_ADMIN_BODY = 64 * 1024;

/** @throws ArgumentError `argument/invalid` for a token shorter than `MIN_ADMIN_TOKEN_LENGTH`. */
export function checkAdminToken(token: string): string {
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) throw new ArgumentError('argument/invalid', `the admin token must have at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  return token;
}

class AdminHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const bytes = utf8Encode(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length), 'cache-control': 'no-store' });
  res.end(bytes);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_ADMIN_BODY) throw new AdminHttpError(413, 'too_large', `body exceeds ${MAX_ADMIN_BODY} bytes`);
    chunks.push(chunk);
  }
  if (total === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(Buffer.concat(chunks)));
  } catch {
    throw new AdminHttpError(400, 'bad_request', 'the body must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AdminHttpError(400, 'bad_request', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

function settingsFrom(body: Record<string, unknown>): SettingsChange {
  const out: { -readonly [K in keyof SettingsChange]: SettingsChange[K] } = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'outsidersAllowed') out.outsidersAllowed = v as boolean;
    else if (k === 'activeUserLimit') out.activeUserLimit = v as number | null;
    else if (k === 'expiresOn') out.expiresOn = v as number | null;
    else throw new AdminHttpError(400, 'bad_request', `unknown setting ${JSON.stringify(k)}`);
  }
  return out;
}

/**
 * A request listener for the `/admin/` paths; returns `false` (and does nothing) for other paths.
 * @param token the admin token (see `checkAdminToken`).
 */
export function createAdminRoute(admin: ServerAdmin, token: string, organizationIdFromName: (name: string) => OrganizationId): (req: IncomingMessage, res: ServerResponse) => boolean {
  const expected = sha256Sync(utf8Encode(`Bearer ${checkAdminToken(token)}`));
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== '/admin' && !path.startsWith('/admin/')) return false;
    const given = req.headers.authorization ?? '';
    if (!constantTimeEqual(sha256Sync(utf8Encode(given)), expected)) {
      json(res, 401, { error: { code: 'authentication_failed', message: 'missing or wrong admin token' } });
      return true;
    }
    route(admin, organizationIdFromName, req, path.split('/').slice(2)).then(
      ([status, value]) => json(res, status, value),
      (err: unknown) => {
        if (err instanceof AdminHttpError) return json(res, err.status, { error: { code: err.code, message: err.message } });
        if (err instanceof ArgumentError) return json(res, err.code === 'argument/not-found' ? 404 : 400, { error: { code: err.code, message: err.message } });
        const code = err instanceof SealsyncError ? err.code : 'internal';
        if (!res.headersSent) json(res, 500, { error: { code, message: 'internal server error' } });
      },
    );
    return true;
  };
}

async function route(admin: ServerAdmin, idFromName: (name: string) => OrganizationId, req: IncomingMessage, parts: string[]): Promise<[number, unknown]> {
  const method = req.method ?? 'GET';
  const [collection, id, sub, userId, action] = parts;
  if (collection === 'purge' && parts.length === 1) {
    if (method !== 'POST') throw new AdminHttpError(405, 'bad_request', 'POST');
    return [200, { realms: await admin.purgeDeletedRealms() }];
  }
  if (collection !== 'organizations') throw new AdminHttpError(404, 'not_found', 'unknown admin path');
  if (id === undefined) {
    if (method === 'GET') return [200, { organizations: admin.listOrganizations() }];
    if (method === 'POST') {
      const body = await readJson(req);
      const orgId = typeof body.organizationId === 'string' ? (body.organizationId as OrganizationId) : typeof body.name === 'string' ? idFromName(body.name) : undefined;
      const settings = body.settings === undefined ? undefined : settingsFrom(body.settings as Record<string, unknown>);
      const created = await admin.createOrganization(orgId, settings);
      return [201, { organizationId: created.organizationId, bootstrapToken: toBase64Url(created.bootstrapToken) }];
    }
    throw new AdminHttpError(405, 'bad_request', 'GET or POST');
  }
  const org = id as OrganizationId;
  if (sub === undefined) {
    if (method === 'GET') return [200, admin.summary(org)];
    if (method === 'PATCH') return [200, { settings: await admin.updateSettings(org, settingsFrom(await readJson(req))) }];
    throw new AdminHttpError(405, 'bad_request', 'GET or PATCH');
  }
  if (sub === 'stats' && userId === undefined && method === 'GET') return [200, await admin.stats(org)];
  if (sub === 'frozen' && userId === undefined && method === 'GET') return [200, { users: admin.frozenUsers(org) }];
  if (sub === 'users' && userId !== undefined && (action === 'freeze' || action === 'unfreeze') && parts.length === 5 && method === 'POST') {
    await admin.setFrozen(org, userId as UserId, action === 'freeze');
    return [200, { userId, frozen: action === 'freeze' }];
  }
  throw new AdminHttpError(404, 'not_found', 'unknown admin path or method');
}
