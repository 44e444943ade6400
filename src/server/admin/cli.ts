/**
 * `sealsync-server admin <command>`: the administration API from a shell. Each command is one
 * HTTP request to a running server; the answer is printed as JSON.
 * @module
 */
import { ArgumentError, TransportError } from '../../errors.js';

export const ADMIN_USAGE = `usage: sealsync-server admin <command> [arguments] --url URL [--admin-token-file FILE]

The token comes from --admin-token-file FILE or the environment variable SEALSYNC_ADMIN_TOKEN.
Commands (output: JSON):
  org-create [NAME] [settings]   create an organisation (NAME: name or id; default a random id);
                                 prints its id and bootstrap token
  org-list                       every organisation with its settings
  org-show ORG                   one organisation (ORG: id or name)
  org-settings ORG [settings]    change settings; prints them
  stats ORG                      users, devices, realms, vlobs, blocks, bytes
  frozen ORG                     frozen users
  purge                          remove now the data of realms past their deletion date
  user-freeze ORG USER_ID        refuse every request of the user's devices (reversible)
  user-unfreeze ORG USER_ID      undo user-freeze
Settings:
  --outsiders allow|deny         whether OUTSIDER users may be created
  --user-limit N|none            most active (non-revoked) users
  --expires ISO-8601|never       after this instant the organisation refuses every request
Other options:
  --url URL                      the server, e.g. http://127.0.0.1:8080 (required)
  --admin-token-file FILE        file holding the admin token
  -h, --help                     this text
`;

/** A parsed admin command: the HTTP request to send. */
export interface AdminCall {
  readonly url: string;
  readonly tokenFile: string | null;
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly body: Record<string, unknown> | null;
  readonly help: boolean;
}

function parseExpires(v: string): number | null {
  if (v === 'never') return null;
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(ms)) throw new ArgumentError('argument/invalid', `invalid --expires ${v} (ISO-8601 date or never)`);
  return ms * 1000;
}

/**
 * Parses `argv` (after `admin`). `orgId` turns an organisation name into its id.
 * @throws ArgumentError `argument/invalid` with a usable message.
 */
export function parseAdminArgs(argv: readonly string[], orgId: (name: string) => string): AdminCall {
  let url: string | null = null;
  let tokenFile: string | null = null;
  let help = false;
  const settings: Record<string, unknown> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ArgumentError('argument/invalid', `${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--url':
        url = value();
        break;
      case '--admin-token-file':
        tokenFile = value();
        break;
      case '--outsiders': {
        const v = value();
        if (v !== 'allow' && v !== 'deny') throw new ArgumentError('argument/invalid', `invalid --outsiders ${v} (allow or deny)`);
        settings.outsidersAllowed = v === 'allow';
        break;
      }
      case '--user-limit': {
        const v = value();
        if (v !== 'none' && !/^[0-9]{1,10}$/.test(v)) throw new ArgumentError('argument/invalid', `invalid --user-limit ${v} (a number or none)`);
        settings.activeUserLimit = v === 'none' ? null : Number(v);
        break;
      }
      case '--expires':
        settings.expiresOn = parseExpires(value());
        break;
      case '-h':
      case '--help':
        help = true;
        break;
      default:
        if (arg.startsWith('-')) throw new ArgumentError('argument/invalid', `unknown argument ${arg}`);
        positional.push(arg);
    }
  }
  if (help) return { url: url ?? '', tokenFile, method: 'GET', path: '', body: null, help };
  if (url === null) throw new ArgumentError('argument/invalid', '--url is required');
  const [cmd, a, b, ...rest] = positional;
  const hasSettings = Object.keys(settings).length > 0;
  const arity = (n: number, allowSettings = false): void => {
    const given = [a, b].filter((x) => x !== undefined).length;
    if (given !== n || rest.length > 0) throw new ArgumentError('argument/invalid', `${cmd} takes ${n} argument${n === 1 ? '' : 's'}`);
    if (hasSettings && !allowSettings) throw new ArgumentError('argument/invalid', `${cmd} takes no settings`);
  };
  const call = (method: AdminCall['method'], path: string, body: Record<string, unknown> | null = null): AdminCall => ({ url, tokenFile, method, path, body, help });
  switch (cmd) {
    case 'org-create':
      if (b !== undefined || rest.length > 0) throw new ArgumentError('argument/invalid', 'org-create takes at most one NAME');
      return call('POST', '/admin/organizations', { ...(a !== undefined ? { organizationId: orgId(a) } : {}), ...(hasSettings ? { settings } : {}) });
    case 'org-list':
      arity(0);
      return call('GET', '/admin/organizations');
    case 'org-show':
      arity(1);
      return call('GET', `/admin/organizations/${orgId(a!)}`);
    case 'org-settings':
      arity(1, true);
      if (!hasSettings) throw new ArgumentError('argument/invalid', 'org-settings needs --outsiders, --user-limit or --expires');
      return call('PATCH', `/admin/organizations/${orgId(a!)}`, settings);
    case 'stats':
      arity(1);
      return call('GET', `/admin/organizations/${orgId(a!)}/stats`);
    case 'frozen':
      arity(1);
      return call('GET', `/admin/organizations/${orgId(a!)}/frozen`);
    case 'user-freeze':
    case 'user-unfreeze':
      arity(2);
      if (!/^[0-9a-f]{32}$/.test(b!)) throw new ArgumentError('argument/invalid', `invalid user id ${b}`);
      return call('POST', `/admin/organizations/${orgId(a!)}/users/${b}/${cmd === 'user-freeze' ? 'freeze' : 'unfreeze'}`);
    case 'purge':
      arity(0);
      return call('POST', '/admin/purge');
    case undefined:
      throw new ArgumentError('argument/invalid', 'an admin command is required');
    default:
      throw new ArgumentError('argument/invalid', `unknown admin command ${cmd}`);
  }
}

/**
 * Sends one admin call; resolves with the JSON answer.
 * @throws TransportError `transport/unreachable` when the server cannot be reached,
 * `transport/refused` (message from the server) for an error answer.
 */
export async function runAdminCall(call: AdminCall, token: string, fetchFn: typeof fetch = fetch): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchFn(new URL(call.path, call.url), {
      method: call.method,
      headers: { authorization: `Bearer ${token}`, ...(call.body !== null ? { 'content-type': 'application/json' } : {}) },
      ...(call.body !== null ? { body: JSON.stringify(call.body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (cause) {
    throw new TransportError('transport/unreachable', `cannot reach ${call.url}`, { cause });
  }
  const text = await res.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TransportError('transport/malformed-reply', `HTTP ${res.status}: not a JSON answer`);
  }
  if (!res.ok) {
    const e = (value as { error?: { code?: string; message?: string } }).error;
    throw new TransportError('transport/refused', `HTTP ${res.status} ${e?.code ?? ''}: ${e?.message ?? text}`);
  }
  return value;
}
