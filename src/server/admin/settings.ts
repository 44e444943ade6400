/**
 * Organisation settings and frozen users (Parsec's administration, issue 13): what an operator
 * decides about an organisation, outside its chain of trust. The rules are small pure functions;
 * the server applies them before dispatching a command.
 *
 * Freezing is reversible and server-side only (unlike revocation, which is a signed certificate
 * every client verifies): a frozen user's devices are refused by this server until unfrozen. It
 * protects nothing against a malicious server, and need not: the server can always refuse service.
 * @module
 */
import { defineDocument } from '../../codec/document.js';
import type { UserId } from '../../codec/ids.js';
import { s } from '../../codec/schema.js';
import type { Timestamp } from '../../codec/timestamps.js';
import { readCertificate, type CertificateStore } from '../../certificates/index.js';
import type { ErrorCode, Request } from '../../transport/commands.js';

/** What an operator sets per organisation. */
export interface OrganizationSettings {
  /** Whether users with the `OUTSIDER` profile may be created (or given that profile). */
  readonly outsidersAllowed: boolean;
  /** Most non-revoked users at once; `null`: no limit. */
  readonly activeUserLimit: number | null;
  /** After this instant (µs) every request of the organisation is refused; `null`: never. */
  readonly expiresOn: Timestamp | null;
}

/** Settings of a new organisation: outsiders allowed, no active-user limit, no expiry. */
export const DEFAULT_SETTINGS: OrganizationSettings = { outsidersAllowed: true, activeUserLimit: null, expiresOn: null };

/** Largest accepted active-user limit (keeps the value a safe integer everywhere). */
export const MAX_ACTIVE_USER_LIMIT = 1_000_000_000;

export const settingsRecord = defineDocument({
  type: 'server_org_settings',
  version: 1,
  fields: {
    outsidersAllowed: s.bool(),
    activeUserLimit: s.nullable(s.uint({ max: MAX_ACTIVE_USER_LIMIT })),
    expiresOn: s.nullable(s.timestamp()),
  },
});

/** Storage key of the settings record in the organisation's admin namespace. */
export const SETTINGS_KEY = 'settings';
/** Storage key prefix of a frozen user in the organisation's admin namespace. */
export const FROZEN_PREFIX = 'frozen-';

/** A refusal decided by the administration rules. */
export interface PolicyRefusal {
  readonly code: Extract<ErrorCode, 'organization_expired' | 'user_frozen' | 'not_allowed' | 'active_users_limit_reached'>;
  readonly message: string;
}

/** Whether the organisation has expired at `now`. */
export function isExpired(settings: OrganizationSettings, now: Timestamp): boolean {
  return settings.expiresOn !== null && now >= settings.expiresOn;
}

/**
 * The refusal of `req` by `userId` under `settings`, or `null`. Checked before the command
 * handler runs, so a refused command changes nothing. Certificates that do not parse are left to
 * the handler (it refuses them with the precise reason).
 */
export function policyRefusal(settings: OrganizationSettings, frozen: ReadonlySet<UserId>, store: CertificateStore, userId: UserId, req: Request): PolicyRefusal | null {
  if (frozen.has(userId)) return { code: 'user_frozen', message: 'this user is frozen by the server administrator' };
  if (req.cmd === 'user_create') {
    const profile = profileOf(req.userCertificate);
    if (profile === 'OUTSIDER' && !settings.outsidersAllowed) return { code: 'not_allowed', message: 'outsiders are not allowed in this organisation' };
    if (settings.activeUserLimit !== null && activeUsers(store) >= settings.activeUserLimit) {
      return { code: 'active_users_limit_reached', message: `the organisation has reached its limit of ${settings.activeUserLimit} active users` };
    }
  }
  if (req.cmd === 'user_update' && !settings.outsidersAllowed && profileOf(req.certificate) === 'OUTSIDER') {
    return { code: 'not_allowed', message: 'outsiders are not allowed in this organisation' };
  }
  return null;
}

/** Users not revoked. */
export function activeUsers(store: CertificateStore): number {
  let n = 0;
  for (const u of store.listUsers()) if (!store.isRevoked(u.userId)) n++;
  return n;
}

function profileOf(signed: Uint8Array): string | null {
  try {
    const c = readCertificate(signed).certificate;
    if (c.type === 'user') return c.profile;
    return c.type === 'user_update' ? c.newProfile : null;
  } catch {
    return null;
  }
}
