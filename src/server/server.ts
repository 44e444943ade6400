/**
 * `SealsyncServer`: the reference server (the sync model). One byte-level entry point, `handle`, used
 * by every transport: bounded body → organisation → authentication → strict decoding → command
 * handler → encoded reply. Every refusal is an encoded error reply; nothing a client sends can make
 * `handle` reject.
 * @module
 */
import { CertificateError, ArgumentError, CodecError, UnsupportedFormatError, StorageError } from '../errors.js';
import { newId, isId, type OrganizationId } from '../codec/ids.js';
import { systemClock, type Clock, type Timestamp } from '../codec/timestamps.js';
import { MemoryStorage, type Storage } from '../storage/index.js';
import { randomBytes } from '../keys/index.js';
import type { AnonymousRequest, AuthenticatedRequest, ErrorCode, ErrorReply, PlainErrorCode, Reply, ReplyMap, Request, RequestOf } from '../transport/commands.js';
import {
  REQUEST_TIMESTAMP_WINDOW,
  ReplayGuard,
  ballparkProblem,
  replayKey,
  verifyRequestSignature,
  type ReplayGuardOptions,
  type SignedRequestAuth,
} from '../transport/auth.js';
import { BOOTSTRAP_TOKEN_LENGTH, DEFAULT_MAX_REPLY_SIZE, DEFAULT_MAX_REQUEST_SIZE, MAX_ANONYMOUS_REQUEST_SIZE } from '../transport/limits.js';
import type { RequestHandler } from '../transport/transport.js';
import { ANONYMOUS_COMMANDS, AUTHENTICATED_COMMANDS, decodeRequest, encodeErrorReply, encodeReply, errorReply } from '../transport/wire.js';
import type { AnonymousContext, DeviceContext, ServerConfig } from './context.js';
import { DEFAULT_EVENT_CAPACITY } from './events.js';
import { DEFAULT_MINIMUM_ARCHIVING_PERIOD, purgeDeletedRealms } from './handlers/archiving.js';
import { AUTH_HANDLERS, ANON_HANDLERS, INVITATION_COMMANDS, type AuthCmd, type AnonCmd } from './dispatch.js';
import { DEFAULT_MAX_ATTEMPTS } from './invitation-rules.js';
import { isExpired, policyRefusal } from './admin/settings.js';
import { Org } from './org.js';
import { ORGS_NAMESPACE, orgIdFromKey } from './records.js';
import { ReplyError } from './reply-error.js';
import type { BlockStore } from './block-store.js';
import type { SharedDatabase } from './shared.js';

export { httpStatusOf } from './http-status.js';
import { ServerRateLimits, type RateDecision, type RateLimiter, type RateLimitOptions } from './rate-limit.js';

/** Options of `SealsyncServer.open`. */
export interface SealsyncServerOptions {
  /** Where everything is kept; default a fresh `MemoryStorage`. Reopening a storage restores the server. */
  readonly storage?: Storage;
  /** The server clock (µs); default the system clock. */
  readonly clock?: Clock;
  /** Largest request body; default 16 MiB. */
  readonly maxRequestSize?: number;
  /**
   * Largest anonymous request body (bootstrap, claimer steps), decoded before anything
   * authenticates it; default `MAX_ANONYMOUS_REQUEST_SIZE` (256 KiB), never above `maxRequestSize`.
   */
  readonly maxAnonymousRequestSize?: number;
  /**
   * Rate limits of anonymous and invitation commands (`too_many_requests` with a retry hint), or
   * `false` to turn them all off. Default: see `DEFAULT_RATE_LIMITS`.
   */
  readonly rateLimits?: RateLimitOptions | false;
  /** Largest reply the server builds (batch reads beyond are `too_large`); default 64 MiB. */
  readonly maxReplySize?: number;
  /** Accepted clock distance of client timestamps (µs); default 5 minutes. */
  readonly timestampWindow?: number;
  /** Attempts per invitation; default 5. */
  readonly maxAttempts?: number;
  /** Open invitations per organisation; default 1000. */
  readonly maxOpenInvitations?: number;
  /** Events kept per organisation for `events_listen`; default 10 000. */
  readonly eventCapacity?: number;
  /**
   * Shortest delay (µs) between planning a workspace's deletion and the deletion date, for every
   * organisation of this server; default 30 days (RFC 1028's `minimum_archiving_period`).
   */
  readonly minimumArchivingPeriod?: number;
  /** Replay protection settings, or `false` to disable it (not recommended). */
  readonly replay?: ReplayGuardOptions | false;
  /** Where blocks are kept; default the `storage` (namespace `<organisation>-blocks`). */
  readonly blocks?: BlockStore;
  /**
   * A database shared with other server nodes (the PostgreSQL backend's `database`, with its
   * `storage`): every command is coordinated through it, so any request may go to any node.
   */
  readonly database?: SharedDatabase;
  /** Called with every unexpected failure turned into an `internal` reply (default: ignored). */
  readonly onError?: (err: unknown) => void;
}

/** The result of one request: its encoded reply and its status (`'ok'` or the error code). */
export interface ProcessResult {
  readonly status: 'ok' | ErrorCode;
  readonly bytes: Uint8Array;
  /** For `too_many_requests`: when a retry may pass, ms (the HTTP binding's `Retry-After`). */
  readonly retryAfterMs?: number;
}

/** What the transport knows of the sender of a request (for per-address rate limits). */
export interface RequestPeer {
  /** The network address (the HTTP binding gives the socket's remote address by default). */
  readonly address?: string;
}

/** A new organisation, waiting for its bootstrap. */
export interface CreatedOrganization {
  readonly organizationId: OrganizationId;
  /** Secret to give the first admin: `organization_bootstrap` needs it. */
  readonly bootstrapToken: Uint8Array;
}

function fail(code: PlainErrorCode, message: string): ProcessResult {
  return { status: code, bytes: encodeErrorReply(errorReply({ status: 'error', code, message })) };
}

function tooMany(decision: Extract<RateDecision, { ok: false }>, what: string): ProcessResult {
  const reply = errorReply({ status: 'error', code: 'too_many_requests', message: `rate limit of ${what}; retry in ${decision.retryAfterMs} ms`, retryAfterMs: decision.retryAfterMs });
  return { status: 'too_many_requests', bytes: encodeErrorReply(reply), retryAfterMs: decision.retryAfterMs };
}

function fromReply(reply: ErrorReply): ProcessResult {
  return { status: reply.code, bytes: encodeErrorReply(errorReply(reply)) };
}

/**
 * The reference server: routes and stores ciphertext, checks signatures and rights, relays SAS
 * exchanges. It never sees a key. Create with {@link SealsyncServer.open}; serve it over HTTP with
 * `createHttpHandler`, or in process with `InProcessTransport` (tests, single-process apps).
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { SealsyncServer, createHttpHandler } from 'sealsync/server';
 * import { FsStorage } from 'sealsync/storage/fs';
 *
 * const server = await SealsyncServer.open({ storage: await FsStorage.open('./sealsync-data') });
 * const { organizationId, bootstrapToken } = await server.createOrganization();
 * createServer(createHttpHandler(server)).listen(8080, '127.0.0.1');
 * ```
 */
export class SealsyncServer implements RequestHandler {
  private readonly orgs = new Map<OrganizationId, Org>();
  private readonly shutdown = new AbortController();
  private readonly config: ServerConfig;
  private readonly replay: ReplayGuard | null;
  private readonly maxRequestSize: number;
  private readonly maxAnonymousRequestSize: number;
  private readonly limits: ServerRateLimits | null;
  private closed = false;

  private constructor(
    private readonly storage: Storage,
    private readonly options: SealsyncServerOptions,
  ) {
    const clock = options.clock ?? systemClock;
    const timestampWindow = options.timestampWindow ?? REQUEST_TIMESTAMP_WINDOW;
    this.maxRequestSize = options.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE;
    this.maxAnonymousRequestSize = Math.min(this.maxRequestSize, options.maxAnonymousRequestSize ?? MAX_ANONYMOUS_REQUEST_SIZE);
    this.limits = options.rateLimits === false ? null : new ServerRateLimits(options.rateLimits);
    this.config = {
      clock,
      timestampWindow,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      maxOpenInvitations: options.maxOpenInvitations ?? 1000,
      maxReplySize: options.maxReplySize ?? DEFAULT_MAX_REPLY_SIZE,
      minimumArchivingPeriod: options.minimumArchivingPeriod ?? DEFAULT_MINIMUM_ARCHIVING_PERIOD,
      shutdown: this.shutdown.signal,
    };
    this.replay = options.replay === false ? null : new ReplayGuard({ window: timestampWindow, ...(options.replay ?? {}) });
  }

  /**
   * Opens a server over `options.storage`, reloading every organisation it holds (certificates are
   * re-validated).
   * @throws `StorageError` `storage/corrupt`, `storage/io` when the storage fails or holds damaged data.
   * @throws `CertificateError` `certificate/<reason>` when a stored chain no longer validates.
   */
  static async open(options: SealsyncServerOptions = {}): Promise<SealsyncServer> {
    const storage = options.storage ?? new MemoryStorage();
    const server = new SealsyncServer(storage, options);
    const database = options.database;
    if (database !== undefined) {
      for (const id of await database.listOrganizations()) await server.discover(id);
      database.onChange((id) => {
        const org = server.orgs.get(id);
        // Catching up wakes this node's long polls (events, invitation steps).
        if (org !== undefined && !server.closed) database.refresh(org).catch((err: unknown) => options.onError?.(err));
      });
      return server;
    }
    for (const key of await storage.list(ORGS_NAMESPACE)) {
      const id = orgIdFromKey(key);
      const bytes = await storage.get(ORGS_NAMESPACE, key);
      if (bytes === undefined) continue;
      server.orgs.set(id, server.adopt(await Org.load(storage, id, bytes, options.eventCapacity ?? DEFAULT_EVENT_CAPACITY)));
    }
    return server;
  }

  private adopt(org: Org): Org {
    if (this.options.blocks !== undefined) org.blocks = this.options.blocks;
    if (this.options.database !== undefined) org.coordinator = this.options.database;
    return org;
  }

  private readonly discovering = new Map<OrganizationId, Promise<Org | undefined>>();

  /** An organisation created on another node sharing the database: absent here is not absent there. */
  private discover(id: OrganizationId): Promise<Org | undefined> {
    const database = this.options.database;
    if (database === undefined) return Promise.resolve(undefined);
    let p = this.discovering.get(id);
    if (p === undefined) {
      p = database
        .loadOrganization(id, this.options.eventCapacity ?? DEFAULT_EVENT_CAPACITY)
        .then((org) => {
          if (org === undefined) return undefined;
          const known = this.orgs.get(id);
          if (known !== undefined) return known;
          this.orgs.set(id, this.adopt(org));
          return org;
        })
        .finally(() => this.discovering.delete(id));
      this.discovering.set(id, p);
    }
    return p;
  }

  /** The largest request body accepted (the HTTP handler enforces it while reading). */
  get requestSizeLimit(): number {
    return this.maxRequestSize;
  }

  /**
   * Removes the vlobs, blocks and keys bundles of every realm whose deletion date has passed (RFC
   * 1028 §4.3; certificates stay, so clients can tell why the realm is gone). Run it periodically;
   * such realms are refused `realm_deleted` from their date on anyway. Returns the ids of the
   * realms it removed something from.
   */
  async purgeDeletedRealms(): Promise<string[]> {
    const out: string[] = [];
    for (const org of this.orgs.values()) out.push(...(await purgeDeletedRealms(org, this.config.clock())));
    return out;
  }

  /** The largest anonymous request body accepted (the HTTP handler enforces it while reading). */
  get anonymousRequestSizeLimit(): number {
    return this.maxAnonymousRequestSize;
  }

  /** Ids of the hosted organisations. */
  organizations(): OrganizationId[] {
    return [...this.orgs.keys()];
  }

  /**
   * Creates an organisation (fresh random id unless given) and returns its bootstrap token.
   * Throws `ArgumentError` for an invalid or already used id, `StorageError` if it cannot be stored.
   */
  async createOrganization(organizationId: OrganizationId = newId<OrganizationId>()): Promise<CreatedOrganization> {
    if (!isId(organizationId)) throw new ArgumentError('argument/invalid', 'an organisation id is 32 lowercase hex characters');
    if (this.orgs.has(organizationId)) throw new ArgumentError('argument/invalid', 'this organisation already exists');
    const bootstrapToken = randomBytes(BOOTSTRAP_TOKEN_LENGTH);
    const org = this.adopt(new Org(this.storage, organizationId, bootstrapToken, this.config.clock(), null, this.options.eventCapacity));
    if (this.options.database !== undefined) {
      if (!(await this.options.database.createOrganization(organizationId, org.record()))) throw new ArgumentError('argument/invalid', 'this organisation already exists');
    } else {
      await this.storage.put(ORGS_NAMESPACE, organizationId, org.record());
    }
    this.orgs.set(organizationId, org);
    return { organizationId, bootstrapToken: bootstrapToken.slice() };
  }

  /** @internal The organisation `id`, also one another node created in a shared database. */
  findOrganization(id: OrganizationId): Promise<Org | undefined> {
    return Promise.resolve(this.orgs.get(id) ?? this.discover(id));
  }

  /** @internal The organisation `id` (administration). */
  organization(id: OrganizationId): Org | undefined {
    return this.orgs.get(id);
  }

  /** See `RequestHandler.handle`: the encoded reply to one encoded request. Never rejects. */
  async handle(organizationId: OrganizationId, auth: SignedRequestAuth | null, body: Uint8Array): Promise<Uint8Array> {
    return (await this.process(organizationId, auth, body)).bytes;
  }

  /**
   * Like `handle`, also telling the reply's status (for HTTP status codes and logs); `peer` feeds
   * the per-address rate limit. Never rejects.
   */
  async process(organizationId: OrganizationId, auth: SignedRequestAuth | null, body: Uint8Array, peer: RequestPeer = {}): Promise<ProcessResult> {
    try {
      return await this.processUnsafe(organizationId, auth, body, peer);
    } catch (err) {
      if (err instanceof ReplyError) return fromReply(err.reply);
      this.options.onError?.(err);
      return fail('internal', 'internal server error');
    }
  }

  /** Refuses further requests, ends long polls. Does not close the storage (the caller owns it). */
  async close(): Promise<void> {
    this.closed = true;
    this.shutdown.abort();
    for (const org of this.orgs.values()) {
      org.events.close();
      // Let in-flight writes finish before the caller closes the storage.
      await org.mutex.run(async () => undefined);
    }
  }

  /** Takes a token of `limiter` for `key`: the refusal to answer, or null. */
  private limit(limiter: RateLimiter | null | undefined, key: string | undefined, what: string): ProcessResult | null {
    if (limiter == null || key === undefined || this.limits === null) return null;
    const decision = limiter.take(key, this.limits.now());
    return decision.ok ? null : tooMany(decision, what);
  }

  private async processUnsafe(organizationId: OrganizationId, auth: SignedRequestAuth | null, body: Uint8Array, peer: RequestPeer): Promise<ProcessResult> {
    if (this.closed) return fail('unavailable', 'the server is shutting down');
    if (!(body instanceof Uint8Array)) return fail('bad_request', 'the body must be bytes');
    if (body.length > this.maxRequestSize) return fail('too_large', `request body exceeds ${this.maxRequestSize} bytes`);
    const org = isId(organizationId) ? (this.orgs.get(organizationId) ?? (await this.discover(organizationId))) : undefined;
    if (org === undefined) return fail('organization_not_found', 'no such organisation');
    // Nodes sharing a database: answer from state at least as new as every acknowledged write.
    if (this.options.database !== undefined) await this.options.database.refresh(org);
    const now = this.config.clock();
    if (isExpired(org.settings, now)) return fail('organization_expired', 'this organisation has expired');
    if (auth === null) {
      // Anonymous bytes are decoded before anything authenticates them: the smallest size bound,
      // and the rate limits are taken before any decoding work.
      if (body.length > this.maxAnonymousRequestSize) return fail('too_large', `anonymous request body exceeds ${this.maxAnonymousRequestSize} bytes`);
      const refused =
        this.limit(this.limits?.anonymousPerAddress, peer.address, 'anonymous requests from this address') ??
        this.limit(this.limits?.anonymousPerOrganization, org.id, 'anonymous requests to this organisation');
      if (refused !== null) return refused;
    }

    let device: DeviceContext | null = null;
    if (auth !== null) {
      const checked = await this.authenticate(org, auth, body, now);
      if ('bytes' in checked) return checked;
      device = checked;
    }

    let req: Request;
    try {
      // The body is handed over (`RequestHandler.handle`): a block in it is not copied again.
      req = decodeRequest(body, { maxSize: this.maxRequestSize, borrow: true });
    } catch (err) {
      if (err instanceof CodecError && err.code === 'codec/unknown-command') return fail('unknown_command', err.message);
      if (err instanceof CodecError || err instanceof UnsupportedFormatError) return fail('bad_request', err.message);
      throw err;
    }

    let reply: Reply<Request['cmd']>;
    try {
      if (device !== null) {
        if (!AUTHENTICATED_COMMANDS.has(req.cmd as AuthCmd)) return fail('unknown_command', `${req.cmd} is not an authenticated command`);
        const refusal = policyRefusal(org.settings, org.frozen, device.store, device.userId, req);
        if (refusal !== null) return fail(refusal.code, refusal.message);
        if (INVITATION_COMMANDS.has(req.cmd)) {
          const refused = this.limit(this.limits?.invitationsPerOrganization, org.id, 'invitation commands of this organisation');
          if (refused !== null) return refused;
        }
        const handler = AUTH_HANDLERS[req.cmd as AuthCmd] as (ctx: DeviceContext, req: Request) => Promise<Reply<Request['cmd']>>;
        reply = await handler(device, req);
      } else {
        if (!ANONYMOUS_COMMANDS.has(req.cmd as AnonCmd)) return fail('unknown_command', `${req.cmd} needs an authenticated device`);
        const handler = ANON_HANDLERS[req.cmd as AnonCmd] as (ctx: AnonymousContext, req: Request) => Promise<Reply<Request['cmd']>>;
        reply = await handler({ config: this.config, org, now }, req);
      }
    } catch (err) {
      if (err instanceof ReplyError) return fromReply(err.reply);
      if (err instanceof CertificateError) return fromReply({ status: 'error', code: 'invalid_certificate', message: err.message, reason: err.reason });
      if (err instanceof StorageError) {
        this.options.onError?.(err);
        return fail('internal', `storage failure: ${err.code}`);
      }
      throw err;
    }
    return { status: 'ok', bytes: encodeReply(req.cmd, reply) };
  }

  /**
   * Checks an authenticated request, cheapest and least revealing first: known device, then the
   * signature (nothing about the user is told before it verifies), then revocation, clock and
   * replay.
   */
  private async authenticate(org: Org, auth: SignedRequestAuth, body: Uint8Array, now: Timestamp): Promise<DeviceContext | ProcessResult> {
    if (auth.organizationId !== org.id) return fail('authentication_failed', 'signed for another organisation');
    const store = org.store;
    const device = store?.getDevice(auth.deviceId);
    if (store === null || device === undefined) return fail('unknown_device', 'unknown device');
    if (!(await verifyRequestSignature(auth, body, device.verifyKey))) return fail('authentication_failed', 'bad request signature');
    if (store.isRevoked(device.userId)) return fail('revoked', 'the user of this device is revoked');
    const skew = ballparkProblem(auth.timestamp, now, this.config.timestampWindow);
    if (skew) return fromReply({ status: 'error', code: 'timestamp_out_of_ballpark', message: 'request timestamp too far from the server clock', ...skew });
    if (this.options.database !== undefined && this.options.replay !== false) {
      // Shared: a request replayed to another node is refused too.
      const window = this.options.replay?.window ?? this.config.timestampWindow;
      if (!(await this.options.database.firstSeen(replayKey(auth), auth.timestamp + window, now - window))) return fail('authentication_failed', 'replayed request');
    } else if (this.replay) {
      const seen = this.replay.check(replayKey(auth), auth.timestamp, now);
      if (seen === 'replay') return fail('authentication_failed', 'replayed request');
      if (seen === 'full') return fail('unavailable', 'too many requests in the replay window');
    }
    // `store` is read at each use: a shared-database write may reload the organisation first.
    return {
      config: this.config,
      org,
      now,
      get store() {
        return org.store ?? store;
      },
      deviceId: device.deviceId,
      userId: device.userId,
    };
  }
}
