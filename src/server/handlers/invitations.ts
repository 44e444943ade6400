/**
 * Invitation commands (the SAS protocol): creation by a greeter (an ADMIN for a new user, the user itself
 * for a new device), and the relay of the SAS exchange between the greeter (authenticated) and the
 * claimer (anonymous, holding the token). The relay rules are in `invitation-rules`; this file
 * adds who may act on an invitation, persistence, events and long polls.
 * @module
 */
import type { InvitationToken, UserId } from '../../codec/ids.js';
import { newInvitationToken } from '../../sas/invitation.js';
import type { Role } from '../../sas/machine-types.js';
import type {
  InviteCancelReq,
  InviteCompleteReq,
  InviteGreeterCancelReq,
  InviteGreeterJoinReq,
  InviteGreeterStepReq,
  InviteJoinRep,
  InviteNewDeviceReq,
  InviteNewRep,
  InviteNewUserReq,
  InviteStepRep,
  InvitedCancelReq,
  InvitedInfoRep,
  InvitedInfoReq,
  InvitedJoinReq,
  InvitedStepReq,
  OkRep,
} from '../../transport/commands.js';
import { MAX_STEP_WAIT_MS } from '../../transport/limits.js';
import type { AnonymousContext, DeviceContext } from '../context.js';
import {
  cancelAttempt,
  cancelInvitation,
  checkOpen,
  completeInvitation,
  joinAttempt,
  peerPart,
  postPart,
  type Invitation,
} from '../invitation-rules.js';
import { refuse } from '../reply-error.js';

const OK: OkRep = { status: 'ok' };

function find(ctx: AnonymousContext, token: InvitationToken): Invitation {
  const inv = ctx.org.invitations.get(token);
  if (!inv) refuse({ code: 'invitation_not_found', message: 'no such invitation' });
  return inv;
}

/** The invitation, if the caller's user is its greeter (others are told it does not exist). */
function asGreeter(ctx: DeviceContext, token: InvitationToken): Invitation {
  const inv = find(ctx, token);
  if (inv.greeterUserId !== ctx.userId) refuse({ code: 'invitation_not_found', message: 'no such invitation' });
  return inv;
}

/** The invitation for its claimer: dead once its greeter is revoked (it could never complete it). */
export function asClaimer(ctx: AnonymousContext, token: InvitationToken): Invitation {
  const inv = find(ctx, token);
  if (ctx.org.store?.isRevoked(inv.greeterUserId)) {
    refuse({ code: 'invitation_cancelled', message: 'the greeter was revoked', by: 'server', reason: 'greeter-revoked' });
  }
  return inv;
}

/** Stores `next` (if it changed), notifies waiting pollers, publishes an event for the greeter. */
export async function save(ctx: AnonymousContext, before: Invitation | null, next: Invitation, status: 'ready' | 'step' | 'cancelled' | 'finished'): Promise<void> {
  if (next === before) return;
  await ctx.org.storage.batch([ctx.org.invitationOp(next)]);
  ctx.org.invitations.set(next.token, next);
  ctx.org.invitationNotifier(next.token).notify();
  ctx.org.events.publish({ event: 'invitation', token: next.token, status }, { scope: 'user', userId: next.greeterUserId });
}

/** Records a new invitation greeted by the requesting device (bounded per organisation). */
export async function create(ctx: DeviceContext, kind: Invitation['kind'], email: string | null, claimerUserId?: UserId): Promise<InviteNewRep> {
  return ctx.org.lock.run(async () => {
    let open = 0;
    for (const inv of ctx.org.invitations.values()) if (inv.status === 'ready' || inv.status === 'used') open++;
    if (open >= ctx.config.maxOpenInvitations) refuse({ code: 'not_allowed', message: 'too many open invitations in this organisation' });
    const inv: Invitation = {
      token: newInvitationToken(),
      kind,
      email,
      ...(claimerUserId !== undefined ? { claimerUserId } : {}),
      greeterUserId: ctx.userId,
      greeterDeviceId: ctx.deviceId,
      createdOn: ctx.now,
      status: 'ready',
      attempts: [],
    };
    await save(ctx, null, inv, 'ready');
    return { status: 'ok', token: inv.token };
  });
}

/** `invite_new_user`: by an ADMIN, for an email no active user has. */
export function inviteNewUser(ctx: DeviceContext, req: InviteNewUserReq): Promise<InviteNewRep> {
  if (ctx.store.getProfile(ctx.userId) !== 'ADMIN') refuse({ code: 'not_allowed', message: 'only an ADMIN invites users' });
  const taken = ctx.store.listUsers().some((u) => u.revokedOn === null && u.humanHandle.email === req.email);
  if (taken) refuse({ code: 'already_exists', message: 'an active user has this email' });
  return create(ctx, 'user', req.email);
}

/** `invite_new_device`: a user invites a new device of its own. */
export function inviteNewDevice(ctx: DeviceContext, _req: InviteNewDeviceReq): Promise<InviteNewRep> {
  return create(ctx, 'device', null);
}

/** `invite_cancel`: the greeter deletes the invitation. */
export function inviteCancel(ctx: DeviceContext, req: InviteCancelReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const inv = asGreeter(ctx, req.token);
    await save(ctx, inv, cancelInvitation(inv), 'cancelled');
    return OK;
  });
}

/** `invite_complete`: the greeter closes a used invitation (after uploading the certificates). */
export function inviteComplete(ctx: DeviceContext, req: InviteCompleteReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const inv = asGreeter(ctx, req.token);
    await save(ctx, inv, completeInvitation(inv), 'finished');
    return OK;
  });
}

function join(ctx: AnonymousContext, inv: () => Invitation, role: Role): Promise<InviteJoinRep> {
  return ctx.org.lock.run(async () => {
    const before = inv();
    const { invitation, attempt } = joinAttempt(before, role, ctx.config.maxAttempts);
    await save(ctx, before, invitation, 'step');
    return { status: 'ok', attempt };
  });
}

async function step(
  ctx: AnonymousContext,
  inv: () => Invitation,
  role: Role,
  req: { attempt: number; step: number; payload: Uint8Array | null; waitMs?: number | undefined },
): Promise<InviteStepRep> {
  let peer = await ctx.org.lock.run(async () => {
    const before = inv();
    const next = req.payload === null ? before : postPart(before, role, req.attempt, req.step, req.payload);
    await save(ctx, before, next, 'step');
    return peerPart(next, role, req.attempt, req.step);
  });
  // Long poll, outside the lock: re-read after every change of this invitation.
  const deadline = Date.now() + Math.min(req.waitMs ?? 0, MAX_STEP_WAIT_MS);
  while (peer === null) {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || ctx.config.shutdown.aborted) break;
    await ctx.org.invitationNotifier(inv().token).wait(remaining, ctx.config.shutdown);
    peer = peerPart(inv(), role, req.attempt, req.step);
  }
  return { status: 'ok', peerPayload: peer };
}

function cancel(ctx: AnonymousContext, inv: () => Invitation, role: Role, attempt: number, reason: string): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const before = inv();
    await save(ctx, before, cancelAttempt(before, role, attempt, reason), 'step');
    return OK;
  });
}

/** `invite_greeter_join`. */
export function inviteGreeterJoin(ctx: DeviceContext, req: InviteGreeterJoinReq): Promise<InviteJoinRep> {
  return join(ctx, () => asGreeter(ctx, req.token), 'greeter');
}

/** `invite_greeter_step`. */
export function inviteGreeterStep(ctx: DeviceContext, req: InviteGreeterStepReq): Promise<InviteStepRep> {
  return step(ctx, () => asGreeter(ctx, req.token), 'greeter', req);
}

/** `invite_greeter_cancel`. */
export function inviteGreeterCancel(ctx: DeviceContext, req: InviteGreeterCancelReq): Promise<OkRep> {
  return cancel(ctx, () => asGreeter(ctx, req.token), 'greeter', req.attempt, req.reason);
}

/** `invited_info`: what the claimer needs to know before it starts. */
export async function invitedInfo(ctx: AnonymousContext, req: InvitedInfoReq): Promise<InvitedInfoRep> {
  const inv = asClaimer(ctx, req.token);
  checkOpen(inv);
  return {
    status: 'ok',
    kind: inv.kind,
    email: inv.email,
    ...(inv.claimerUserId !== undefined ? { userId: inv.claimerUserId } : {}),
    greeterUserId: inv.greeterUserId,
    greeterDeviceId: inv.greeterDeviceId,
  };
}

/** `invited_join`. */
export function invitedJoin(ctx: AnonymousContext, req: InvitedJoinReq): Promise<InviteJoinRep> {
  return join(ctx, () => asClaimer(ctx, req.token), 'claimer');
}

/** `invited_step`. */
export function invitedStep(ctx: AnonymousContext, req: InvitedStepReq): Promise<InviteStepRep> {
  return step(ctx, () => asClaimer(ctx, req.token), 'claimer', req);
}

/** `invited_cancel`. */
export function invitedCancel(ctx: AnonymousContext, req: InvitedCancelReq): Promise<OkRep> {
  return cancel(ctx, () => asClaimer(ctx, req.token), 'claimer', req.attempt, req.reason);
}
