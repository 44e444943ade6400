/**
 * The relay rules of the SAS exchange (the SAS protocol) as pure functions over an invitation record:
 * the same rules as `MemoryInviteRelay` (`sealsync/sas`), on a value the server can persist.
 *
 * - each side's part of a step is stored once; the same bytes again are a retry (accepted),
 *   different bytes are refused (`invitation_step_conflict`): a side cannot change what it said;
 * - a part is accepted only once the previous step is complete on both sides
 *   (`invitation_out_of_order`), and only in the public format of that step (`bad_request`);
 * - a cancelled attempt is reported to both sides on their next post or poll
 *   (`invitation_cancelled` with who cancelled and why);
 * - attempts are bounded (`too_many_attempts`): each attempt gives a man in the middle one 2⁻²⁰
 *   chance, so unbounded retries would let it win eventually;
 * - once both sides posted step 8 the invitation is used: no new attempt can start.
 * @module
 */
import type { DeviceId, InvitationToken, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { equalBytes } from '../bytes.js';
import { stepPartProblem } from '../sas/machine-common.js';
import { LAST_STEP, type Role } from '../sas/machine-types.js';
import { refuse } from './reply-error.js';

/** Default bound on attempts per invitation (as the in-memory relay). */
export const DEFAULT_MAX_ATTEMPTS = 5;

export type InvitationStatus = 'ready' | 'used' | 'finished' | 'cancelled';
export type CancelledBy = Role | 'server';

export interface Attempt {
  readonly n: number;
  readonly joined: readonly Role[];
  readonly greeter: readonly (Uint8Array | null)[];
  readonly claimer: readonly (Uint8Array | null)[];
  readonly cancelled: { readonly by: CancelledBy; readonly reason: string } | null;
}

export interface Invitation {
  readonly token: InvitationToken;
  readonly kind: 'user' | 'device' | 'shamir';
  readonly email: string | null;
  /** The user a Shamir recovery invitation recovers. */
  readonly claimerUserId?: UserId;
  readonly greeterUserId: UserId;
  readonly greeterDeviceId: DeviceId;
  readonly createdOn: Timestamp;
  readonly status: InvitationStatus;
  readonly attempts: readonly Attempt[];
}

/** Refuses anything on a cancelled or finished invitation. */
export function checkOpen(inv: Invitation): void {
  if (inv.status === 'cancelled') refuse({ code: 'invitation_cancelled', message: 'the invitation was cancelled', by: 'server', reason: 'invitation-cancelled' });
  if (inv.status === 'finished') refuse({ code: 'invitation_already_used', message: 'the invitation was already claimed' });
}

function withAttempt(inv: Invitation, a: Attempt): Invitation {
  return { ...inv, attempts: inv.attempts.map((x) => (x.n === a.n ? a : x)) };
}

/**
 * Joins the current attempt, or opens the next one when the current is cancelled or `role`
 * already joined it (restarting abandons, and cancels, the previous attempt). Returns the new
 * record and the attempt number. Refuses `invitation_already_used`, `too_many_attempts`.
 */
export function joinAttempt(inv: Invitation, role: Role, maxAttempts = DEFAULT_MAX_ATTEMPTS): { invitation: Invitation; attempt: number } {
  checkOpen(inv);
  if (inv.status === 'used') refuse({ code: 'invitation_already_used', message: 'the invitation was already claimed' });
  const current = inv.attempts.at(-1);
  if (current && current.cancelled === null && !current.joined.includes(role)) {
    return { invitation: withAttempt(inv, { ...current, joined: [...current.joined, role] }), attempt: current.n };
  }
  if (inv.attempts.length >= maxAttempts) refuse({ code: 'too_many_attempts', message: `at most ${maxAttempts} attempts per invitation` });
  // Older attempts keep only their cancellation: their parts can never be read again.
  const older = inv.attempts.map((a): Attempt => ({
    ...a,
    greeter: [],
    claimer: [],
    cancelled: a.cancelled ?? { by: role, reason: 'manual' },
  }));
  const n = inv.attempts.length + 1;
  return { invitation: { ...inv, attempts: [...older, { n, joined: [role], greeter: [], claimer: [], cancelled: null }] }, attempt: n };
}

/** The attempt `n` that `role` joined, refusing unknown/not joined (`invitation_out_of_order`). */
function existingAttempt(inv: Invitation, n: number): Attempt {
  const a = inv.attempts[n - 1];
  if (a === undefined) refuse({ code: 'invitation_out_of_order', message: `no attempt ${n}` });
  return a;
}

function joinedAttempt(inv: Invitation, role: Role, n: number): Attempt {
  const a = inv.attempts[n - 1];
  if (a === undefined) refuse({ code: 'invitation_out_of_order', message: `no attempt ${n}: join first` });
  if (!a.joined.includes(role)) refuse({ code: 'invitation_out_of_order', message: `${role} did not join attempt ${n}` });
  return a;
}

function checkNotCancelled(a: Attempt): void {
  if (a.cancelled) refuse({ code: 'invitation_cancelled', message: `attempt ${a.n} was cancelled by the ${a.cancelled.by}`, by: a.cancelled.by, reason: a.cancelled.reason });
}

function checkStep(step: number): void {
  if (!Number.isInteger(step) || step < 0 || step > LAST_STEP) refuse({ code: 'bad_request', message: `no step ${step}` });
}

/**
 * Records `role`'s part of `step` in `attempt`. Returns the new record (the same object for a
 * retry with identical bytes). Refuses as described in the module doc.
 */
export function postPart(inv: Invitation, role: Role, attempt: number, step: number, payload: Uint8Array): Invitation {
  checkOpen(inv);
  checkStep(step);
  const a = joinedAttempt(inv, role, attempt);
  checkNotCancelled(a);
  const problem = stepPartProblem(role, step, payload);
  if (problem !== null) refuse({ code: 'bad_request', message: problem });
  const mine = a[role];
  const previous = mine[step];
  if (previous !== undefined && previous !== null) {
    if (equalBytes(previous, payload)) return inv;
    refuse({ code: 'invitation_step_conflict', message: `the ${role} already posted different content for step ${step}` });
  }
  if (step > 0 && (a.greeter[step - 1] == null || a.claimer[step - 1] == null)) {
    refuse({ code: 'invitation_out_of_order', message: `step ${step - 1} is not complete on both sides` });
  }
  const updated = [...mine];
  while (updated.length < step) updated.push(null);
  updated[step] = payload.slice();
  const next: Attempt = { ...a, [role]: updated };
  const done = step === LAST_STEP && next.greeter[LAST_STEP] != null && next.claimer[LAST_STEP] != null;
  return { ...withAttempt(inv, next), status: done ? 'used' : inv.status };
}

/** The peer's part of `step` in `attempt`, or `null` while it has not been posted. */
export function peerPart(inv: Invitation, role: Role, attempt: number, step: number): Uint8Array | null {
  checkOpen(inv);
  checkStep(step);
  const a = joinedAttempt(inv, role, attempt);
  checkNotCancelled(a);
  return a[role === 'greeter' ? 'claimer' : 'greeter'][step] ?? null;
}

/** Cancels `attempt` on behalf of `role` (idempotent; a used invitation stays used). */
export function cancelAttempt(inv: Invitation, role: Role, attempt: number, reason: string): Invitation {
  checkOpen(inv);
  // The greeter owns the invitation: it may cancel an attempt it never joined (one opened by
  // whoever holds the link, burning the invitation's attempts); the claimer only its own.
  const a = role === 'greeter' ? existingAttempt(inv, attempt) : joinedAttempt(inv, role, attempt);
  if (a.cancelled || inv.status === 'used') return inv;
  return withAttempt(inv, { ...a, cancelled: { by: role, reason } });
}

/** The greeter deletes the invitation: every later call is refused `invitation_cancelled`. */
export function cancelInvitation(inv: Invitation): Invitation {
  checkOpen(inv);
  return { ...inv, status: 'cancelled' };
}

/** The greeter marks a used invitation finished (after uploading the new certificates). */
export function completeInvitation(inv: Invitation): Invitation {
  checkOpen(inv);
  if (inv.status !== 'used') refuse({ code: 'invitation_out_of_order', message: 'the exchange is not complete (step 8)' });
  return { ...inv, status: 'finished' };
}
