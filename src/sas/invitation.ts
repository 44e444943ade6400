/**
 * Invitations and their links (the SAS protocol).
 *
 * A link carries everything a claimer needs before it trusts anything: where the server is, which
 * organisation, the one-time token, and the organisation's root verify key, so the claimer pins
 * the trust anchor from an out-of-band channel (the link) instead of asking the server for it.
 *
 * Link format (v1), parsed strictly so that two different strings never mean the same invitation:
 *
 *     sealsync://HOST/ORG?a=claim_user|claim_device|claim_shamir_recovery&t=TOKEN&r=ROOT_VERIFY_KEY
 *
 * - HOST: a DNS name or IPv4 address, optional `:port` (1–65535), lowercase only;
 * - ORG: the organisation id, 32 lowercase hex characters;
 * - TOKEN: the 16-byte invitation token, unpadded base64url (22 characters);
 * - ROOT_VERIFY_KEY: the 32-byte Ed25519 root verify key, unpadded base64url (43 characters).
 * Exactly these three parameters, each once, in any order; nothing else (no fragment, no user info).
 * @module
 */
import { fromBase64Url, toBase64Url } from '../bytes.js';
import { idFromBytes, idToBytes, isId, type InvitationToken, type OrganizationId } from '../codec/ids.js';
import { InvitationError } from '../errors.js';
import { randomBytes, VerifyKey } from '../keys/index.js';

/**
 * `user`: an ADMIN invites a new person (by email); `device`: a user adds one of its own devices;
 * `shamir`: a recipient of a Shamir recovery setup helps its user get a new device back.
 */
export type InvitationKind = 'user' | 'device' | 'shamir';

/** The link action of each kind. */
export const INVITATION_ACTIONS = { user: 'claim_user', device: 'claim_device', shamir: 'claim_shamir_recovery' } as const satisfies Record<InvitationKind, string>;

/** URL scheme of invitation links (`sealsync://…`). */
export const INVITATION_SCHEME = 'sealsync:';
/** Length in bytes of an invitation token (128 random bits). */
export const INVITATION_TOKEN_LENGTH = 16;

/** Stable codes of `InvitationError` raised by link parsing. */
export type InvitationLinkErrorCode =
  | 'invitation/bad-scheme'
  | 'invitation/bad-host'
  | 'invitation/bad-organization'
  | 'invitation/missing-param'
  | 'invitation/extra-param'
  | 'invitation/duplicate-param'
  | 'invitation/bad-action'
  | 'invitation/bad-token'
  | 'invitation/bad-root-key'
  | 'invitation/malformed-link';

/** Everything a link carries. */
export interface InvitationLink {
  readonly host: string;
  readonly organizationId: OrganizationId;
  readonly kind: InvitationKind;
  readonly token: InvitationToken;
  readonly rootVerifyKey: VerifyKey;
}

/** A fresh random 16-byte invitation token (CSPRNG). */
export function newInvitationToken(): InvitationToken {
  return idFromBytes<InvitationToken>(randomBytes(INVITATION_TOKEN_LENGTH));
}

function linkError(code: InvitationLinkErrorCode, message: string, cause?: unknown): InvitationError {
  return new InvitationError(code, message, cause === undefined ? undefined : { cause });
}

const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_RE = new RegExp(`^(${DNS_LABEL}(?:\\.${DNS_LABEL})*)(?::([0-9]{1,5}))?$`);

/** True for `name[:port]` as accepted in a link (lowercase DNS name or IPv4, port 1–65535 without leading zero). */
export function isValidInvitationHost(host: string): boolean {
  const m = HOST_RE.exec(host);
  if (m === null) return false;
  const name = m[1]!;
  if (name.length > 253) return false;
  const port = m[2];
  if (port !== undefined && (port.startsWith('0') || Number(port) > 65535)) return false;
  return true;
}

/**
 * Formats an invitation link. Throws `InvitationError` `invitation/bad-host` or
 * `invitation/bad-organization` for values the parser would refuse (a writer must never emit a
 * link no reader accepts).
 */
export function formatInvitationLink(link: InvitationLink): string {
  if (!isValidInvitationHost(link.host)) throw linkError('invitation/bad-host', `not a valid host: ${JSON.stringify(link.host)}`);
  if (!isId(link.organizationId)) throw linkError('invitation/bad-organization', 'organization id is 32 lowercase hex characters');
  const action = INVITATION_ACTIONS[link.kind];
  if (action === undefined) throw linkError('invitation/bad-action', `unknown invitation kind ${String(link.kind)}`);
  const token = toBase64Url(idToBytes(link.token));
  const root = toBase64Url(link.rootVerifyKey.toBytes());
  return `sealsync://${link.host}/${link.organizationId}?a=${action}&t=${token}&r=${root}`;
}

const PARAMS = ['a', 't', 'r'] as const;

/**
 * Parses a link strictly (format in the module doc). Throws `InvitationError` with a code from
 * `InvitationLinkErrorCode`; never anything else, whatever the input.
 */
export function parseInvitationLink(link: string): InvitationLink {
  if (typeof link !== 'string') throw linkError('invitation/malformed-link', 'a link is a string');
  const prefix = 'sealsync://';
  if (!link.startsWith(prefix)) throw linkError('invitation/bad-scheme', 'a link starts with sealsync://');
  const rest = link.slice(prefix.length);
  if (rest.includes('#')) throw linkError('invitation/malformed-link', 'a link has no fragment');
  const q = rest.indexOf('?');
  const authorityAndPath = q === -1 ? rest : rest.slice(0, q);
  const query = q === -1 ? '' : rest.slice(q + 1);
  const slash = authorityAndPath.indexOf('/');
  if (slash === -1) throw linkError('invitation/bad-organization', 'missing /ORGANIZATION after the host');
  const host = authorityAndPath.slice(0, slash);
  const org = authorityAndPath.slice(slash + 1);
  // Checked before the organisation: `user@host` or `host:badport` must not pass as a host.
  if (!isValidInvitationHost(host)) throw linkError('invitation/bad-host', `not a valid host: ${JSON.stringify(host)}`);
  if (!isId(org)) throw linkError('invitation/bad-organization', 'organization id is 32 lowercase hex characters');

  const values = new Map<string, string>();
  for (const part of query === '' ? [] : query.split('&')) {
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    if (!(PARAMS as readonly string[]).includes(name)) {
      throw linkError('invitation/extra-param', `unexpected parameter ${JSON.stringify(name)}`);
    }
    if (values.has(name)) throw linkError('invitation/duplicate-param', `parameter ${name} appears twice`);
    if (eq === -1) throw linkError('invitation/missing-param', `parameter ${name} has no value`);
    values.set(name, part.slice(eq + 1));
  }
  for (const name of PARAMS) {
    if (!values.has(name)) throw linkError('invitation/missing-param', `missing parameter ${name}`);
  }

  const action = values.get('a')!;
  const kind = (Object.keys(INVITATION_ACTIONS) as InvitationKind[]).find((k) => INVITATION_ACTIONS[k] === action);
  if (kind === undefined) throw linkError('invitation/bad-action', `unknown action ${JSON.stringify(action)}`);

  let tokenBytes: Uint8Array;
  try {
    tokenBytes = fromBase64Url(values.get('t')!);
  } catch (cause) {
    throw linkError('invitation/bad-token', 'token is not canonical base64url', cause);
  }
  if (tokenBytes.length !== INVITATION_TOKEN_LENGTH) {
    throw linkError('invitation/bad-token', `token is ${INVITATION_TOKEN_LENGTH} bytes, got ${tokenBytes.length}`);
  }

  let rootVerifyKey: VerifyKey;
  try {
    // Strict: canonical encoding, on the curve, not small order (a small-order "root key" would
    // accept forged signatures).
    rootVerifyKey = VerifyKey.fromBytes(fromBase64Url(values.get('r')!));
  } catch (cause) {
    throw linkError('invitation/bad-root-key', 'root verify key is not a valid Ed25519 public key', cause);
  }

  return {
    host,
    organizationId: org as OrganizationId,
    kind,
    token: idFromBytes<InvitationToken>(tokenBytes),
    rootVerifyKey,
  };
}
