/**
 * In-memory relay: the server side of the SAS exchange (the SAS protocol), plus a transport adapter so
 * two machines can talk through it in one process.
 *
 * The relay sees only public values and opaque ciphertexts. What it enforces, per invitation and
 * attempt, keeps the exchange lockstep and makes misbehaviour visible instead of silent:
 * - each side's part of a step is stored once; the same bytes again are accepted (a retry), other
 *   bytes are refused (`invitation/step-changed`): a side cannot change what it said;
 * - a step is accepted only when the previous one is complete on both sides
 *   (`invitation/step-too-early`). A side may read the peer's part of a step before posting its
 *   own (the greeter does so at step 8, its commit point); secrecy of the nonces does not rely on
 *   the relay but on the commitment;
 * - a cancellation is recorded and shown to the peer on its next post or poll;
 * - attempts per invitation are bounded (`invitation/too-many-attempts`): each attempt is one
 *   2⁻²⁰ chance for a man in the middle, so unbounded retries would let it win eventually;
 * - once step 8 is complete the invitation is used (`invitation/already-used`).
 * @module
 */
import type { InvitationToken } from '../codec/ids.js';
import { AbortError, InvitationError } from '../errors.js';
import type { InvitationKind } from './invitation.js';
import { MAX_SEALED_LENGTH } from './machine-common.js';
import { LAST_STEP, type CancelReason, type Role, type Step } from './machine-types.js';

/** Attempts per invitation the in-memory relay allows by default (each is one 2⁻²⁰ guess per code for a man in the middle). */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** Answer of the relay to a posted step part: accepted, or the attempt was cancelled (by whom, why). */
export type RelayPostResult = { readonly status: 'ok' } | { readonly status: 'cancelled'; readonly by: Role; readonly reason: string };
/** Answer of the relay to a poll for the peer's part: not there yet, the part, or the attempt was cancelled. */
export type RelayPollResult =
  | { readonly status: 'not-ready' }
  | { readonly status: 'ready'; readonly data: Uint8Array }
  | { readonly status: 'cancelled'; readonly by: Role; readonly reason: string };

interface AttemptRecord {
  readonly n: number;
  readonly joined: Set<Role>;
  readonly parts: Record<Role, (Uint8Array | undefined)[]>;
  cancelled: { by: Role; reason: string } | null;
}

interface InvitationRecord {
  readonly kind: InvitationKind;
  readonly attempts: AttemptRecord[];
  used: boolean;
  readonly waiters: Set<() => void>;
}

/** Options of {@link MemoryInviteRelay}. */
export interface MemoryInviteRelayOptions {
  /** Attempts per invitation; default 5. */
  readonly maxAttempts?: number;
}

function refuse(code: string, message: string): InvitationError {
  return new InvitationError(code, message);
}

function otherRole(role: Role): Role {
  return role === 'greeter' ? 'claimer' : 'greeter';
}

/** The server side of the exchange, in memory. Methods throw `InvitationError` with the codes in the module doc. */
export class MemoryInviteRelay {
  private readonly invitations = new Map<string, InvitationRecord>();
  readonly maxAttempts: number;

  /**
   * An empty relay.
   * @param options - `maxAttempts` per invitation (default {@link DEFAULT_MAX_ATTEMPTS}).
   */
  constructor(options: MemoryInviteRelayOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /** Registers an invitation (done by the greeter when it creates one). Throws `invitation/duplicate-token`. */
  createInvitation(token: InvitationToken, kind: InvitationKind): void {
    if (this.invitations.has(token)) throw refuse('invitation/duplicate-token', 'an invitation with this token exists');
    this.invitations.set(token, { kind, attempts: [], used: false, waiters: new Set() });
  }

  /** The kind of a registered invitation. Throws `invitation/unknown-token`. */
  kindOf(token: InvitationToken): InvitationKind {
    return this.invitation(token).kind;
  }

  /**
   * Joins the current attempt, or opens a new one if the current one is cancelled or this side
   * already joined it (a side restarting abandons, and cancels, its previous attempt). Returns
   * the attempt number (1, 2, …). Throws `invitation/already-used`, `invitation/too-many-attempts`.
   */
  join(token: InvitationToken, role: Role): number {
    const inv = this.invitation(token);
    if (inv.used) throw refuse('invitation/already-used', 'this invitation was already claimed');
    const current = inv.attempts.at(-1);
    if (current && current.cancelled === null && !current.joined.has(role)) {
      current.joined.add(role);
      this.notify(inv);
      return current.n;
    }
    if (inv.attempts.length >= this.maxAttempts) {
      throw refuse('invitation/too-many-attempts', `at most ${this.maxAttempts} attempts per invitation`);
    }
    if (current && current.cancelled === null) current.cancelled = { by: role, reason: 'manual' };
    const attempt: AttemptRecord = { n: inv.attempts.length + 1, joined: new Set([role]), parts: { greeter: [], claimer: [] }, cancelled: null };
    inv.attempts.push(attempt);
    this.notify(inv);
    return attempt.n;
  }

  /** Stores `role`'s part of `step`. Returns `cancelled` if the attempt was cancelled. */
  post(token: InvitationToken, attempt: number, role: Role, step: number, data: Uint8Array): RelayPostResult {
    const inv = this.invitation(token);
    const a = this.attempt(inv, attempt, role);
    checkStep(step);
    if (!(data instanceof Uint8Array) || data.length > MAX_SEALED_LENGTH) throw refuse('invitation/part-too-large', 'a step part is at most 64 KiB');
    if (a.cancelled) return { status: 'cancelled', ...a.cancelled };
    const previous = a.parts[role][step];
    if (previous !== undefined) {
      if (sameBytes(previous, data)) return { status: 'ok' };
      throw refuse('invitation/step-changed', `${role} already posted different content for step ${step}`);
    }
    if (step > 0 && (a.parts.greeter[step - 1] === undefined || a.parts.claimer[step - 1] === undefined)) {
      throw refuse('invitation/step-too-early', `step ${step - 1} is not complete`);
    }
    a.parts[role][step] = data.slice();
    if (step === LAST_STEP && a.parts.greeter[LAST_STEP] !== undefined && a.parts.claimer[LAST_STEP] !== undefined) inv.used = true;
    this.notify(inv);
    return { status: 'ok' };
  }

  /** The peer's part of `step` if posted. */
  poll(token: InvitationToken, attempt: number, role: Role, step: number): RelayPollResult {
    const inv = this.invitation(token);
    const a = this.attempt(inv, attempt, role);
    checkStep(step);
    if (a.cancelled) return { status: 'cancelled', ...a.cancelled };
    const peer = a.parts[otherRole(role)][step];
    return peer === undefined ? { status: 'not-ready' } : { status: 'ready', data: peer.slice() };
  }

  /** Cancels an attempt (idempotent; a completed invitation stays completed). */
  cancel(token: InvitationToken, attempt: number, role: Role, reason: CancelReason | string): void {
    const inv = this.invitation(token);
    const a = this.attempt(inv, attempt, role);
    if (a.cancelled || inv.used) return;
    a.cancelled = { by: role, reason };
    this.notify(inv);
  }

  /** Resolves at the next change of the invitation, or when `signal` aborts (never rejects). */
  changed(token: InvitationToken, signal?: AbortSignal): Promise<void> {
    const inv = this.invitation(token);
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        inv.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      inv.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Number of attempts opened so far. */
  attemptCount(token: InvitationToken): number {
    return this.invitation(token).attempts.length;
  }

  /** True once both sides completed step 8. */
  isUsed(token: InvitationToken): boolean {
    return this.invitation(token).used;
  }

  /** A transport for one side of `token` over this relay. */
  transport(token: InvitationToken, role: Role): InviteTransport {
    return new RelayTransport(this, token, role);
  }

  private invitation(token: InvitationToken): InvitationRecord {
    const inv = this.invitations.get(token);
    if (!inv) throw refuse('invitation/unknown-token', 'no such invitation');
    return inv;
  }

  private attempt(inv: InvitationRecord, n: number, role: Role): AttemptRecord {
    const a = Number.isSafeInteger(n) ? inv.attempts[n - 1] : undefined;
    if (!a) throw refuse('invitation/unknown-attempt', `no attempt ${n}`);
    if (!a.joined.has(role)) throw refuse('invitation/not-joined', `${role} did not join attempt ${n}`);
    return a;
  }

  private notify(inv: InvitationRecord): void {
    for (const w of [...inv.waiters]) w();
  }
}

function checkStep(step: number): asserts step is Step {
  if (!Number.isInteger(step) || step < 0 || step > LAST_STEP) throw refuse('invitation/bad-step', `no step ${step}`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What a side hears back after posting. */
export type SendResult = { readonly type: 'ok' } | { readonly type: 'cancelled'; readonly reason?: string };
/** What a side gets while waiting for the peer's part of a step. */
export type PeerAnswer = { readonly type: 'data'; readonly data: Uint8Array } | { readonly type: 'cancelled'; readonly reason?: string };

/**
 * One side's view of the invitation exchange, whatever carries it (in-process relay, HTTP).
 * Methods throw `InvitationError` when the relay refuses (codes of `MemoryInviteRelay`),
 * `AbortError` when `signal` aborts.
 */
export interface InviteTransport {
  /** Joins (or opens) an attempt; returns its number. */
  join(signal?: AbortSignal): Promise<number>;
  /** Posts this side's part of `step`. */
  send(step: Step, data: Uint8Array, signal?: AbortSignal): Promise<SendResult>;
  /** Waits until the peer's part of `step` exists (or the peer cancelled). */
  waitPeer(step: Step, signal: AbortSignal): Promise<PeerAnswer>;
  /** Cancels the current attempt; best effort. */
  cancel(reason: CancelReason): Promise<void>;
}

class RelayTransport implements InviteTransport {
  private attempt = 0;

  constructor(
    private readonly relay: MemoryInviteRelay,
    private readonly token: InvitationToken,
    private readonly role: Role,
  ) {}

  async join(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) throw new AbortError();
    this.attempt = this.relay.join(this.token, this.role);
    return this.attempt;
  }

  async send(step: Step, data: Uint8Array, signal?: AbortSignal): Promise<SendResult> {
    if (signal?.aborted) throw new AbortError();
    const r = this.relay.post(this.token, this.attempt, this.role, step, data);
    return r.status === 'ok' ? { type: 'ok' } : { type: 'cancelled', reason: r.reason };
  }

  async waitPeer(step: Step, signal: AbortSignal): Promise<PeerAnswer> {
    for (;;) {
      if (signal.aborted) throw new AbortError();
      // Subscribe before polling so a change between the two is not missed.
      const change = this.relay.changed(this.token, signal);
      const r = this.relay.poll(this.token, this.attempt, this.role, step);
      if (r.status === 'ready') return { type: 'data', data: r.data };
      if (r.status === 'cancelled') return { type: 'cancelled', reason: r.reason };
      await change;
    }
  }

  async cancel(reason: CancelReason): Promise<void> {
    if (this.attempt > 0) this.relay.cancel(this.token, this.attempt, this.role, reason);
  }
}
