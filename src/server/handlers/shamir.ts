/**
 * Shamir recovery commands (Parsec RFC 1000 on sealsync's documents): a user stores its setup
 * (brief, sealed shares, ciphered recovery data, reveal token) together with the certificate of
 * its recovery device; deletes it; a recipient lists the setups it holds shares of and opens a
 * recovery invitation for one of them; the claimer, once a SAS exchange with a recipient is done,
 * trades the reveal token it recombined for the ciphered recovery data.
 *
 * The server verifies every document against the organisation's certificates as any client would
 * (a forged or foreign brief never gets stored), keeps one setup per user, and gives the ciphered
 * data only for the exact reveal token, once per invitation: a wrong token closes the invitation.
 * @module
 */
import { constantTimeEqual } from '../../bytes.js';
import type { UserId } from '../../codec/ids.js';
import {
  applyShamirDeletion,
  applyShamirSetup,
  NO_SHAMIR_SETUP,
  ShamirError,
  verifyShamirDocument,
  verifyShamirSetup,
  type ShamirState,
} from '../../shamir/index.js';
import type { InviteNewRep,
  OkRep,
} from '../../transport/commands.js';
import type {
  InviteNewShamirRecoveryReq,
  ShamirRecipientListRep,
  ShamirSetupCreateReq,
  ShamirSetupDeleteReq,
  ShamirSetupGetRep,
  InvitedShamirRevealRep,
  InvitedShamirRevealReq,
} from '../../transport/commands-shamir.js';
import { checkBallpark } from '../checks.js';
import type { AnonymousContext, DeviceContext } from '../context.js';
import { cancelInvitation, checkOpen } from '../invitation-rules.js';
import { sharesByRecipient, type ShamirEntry } from '../org.js';
import { refuse } from '../reply-error.js';
import { accept, one } from './certificates.js';
import { asClaimer, create, save } from './invitations.js';

const OK: OkRep = { status: 'ok' };

/** Runs `f`; a `ShamirError` becomes an `invalid_shamir` reply with its reason. */
async function checked<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof ShamirError) refuse({ code: 'invalid_shamir', message: err.message, reason: err.code.slice('shamir/'.length) });
    throw err;
  }
}

function stateOf(entry: ShamirEntry | undefined): ShamirState {
  return entry === undefined ? NO_SHAMIR_SETUP : { kind: 'active', setup: entry.setup };
}

/**
 * `shamir_setup_create`: the requesting device's own setup, with its recovery device's certificate
 * (stored in one batch, or neither). Refuses `invalid_shamir` (every verification reason, and
 * `setup-exists`: delete the current setup first), `invalid_certificate`, `not_allowed`.
 */
export function shamirSetupCreate(ctx: DeviceContext, req: ShamirSetupCreateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const setup = await checked(() => verifyShamirSetup(ctx.store, req.brief, req.shares));
    if (setup.brief.author !== ctx.deviceId) refuse({ code: 'not_allowed', message: 'a setup is sent by the device that signed it' });
    checkBallpark(setup.brief.timestamp, ctx.now, ctx.config.timestampWindow);
    await checked(() => applyShamirSetup(stateOf(ctx.org.shamir.get(ctx.userId)), setup));
    const device = one(req.recoveryDeviceCertificate, 'device');
    if (device.cert.userId !== ctx.userId) refuse({ code: 'invalid_shamir', message: 'the recovery device is not a device of the user', reason: 'recovery-device-mismatch' });
    const entry: ShamirEntry = { brief: req.brief, shares: sharesByRecipient(req.shares), cipheredData: req.cipheredData, revealToken: req.revealToken, setup };
    await accept(ctx, ctx.store, [device], { author: ctx.deviceId, extra: () => [ctx.org.shamirOp(ctx.userId, entry)] });
    ctx.org.shamir.set(ctx.userId, entry);
    return OK;
  });
}

/** `shamir_setup_delete`: the user's own current setup. Refuses `invalid_shamir` (`no-setup`, `not-current`, verification reasons). */
export function shamirSetupDelete(ctx: DeviceContext, req: ShamirSetupDeleteReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const deletion = await checked(() => verifyShamirDocument(ctx.store, req.deletion, 'shamir_deletion'));
    if (deletion.author !== ctx.deviceId) refuse({ code: 'not_allowed', message: 'a deletion is sent by the device that signed it' });
    checkBallpark(deletion.timestamp, ctx.now, ctx.config.timestampWindow);
    await checked(() => applyShamirDeletion(stateOf(ctx.org.shamir.get(ctx.userId)), deletion));
    await ctx.org.storage.batch([{ op: 'delete', ns: ctx.org.ns.shamir, key: ctx.userId }]);
    ctx.org.shamir.delete(ctx.userId);
    return OK;
  });
}

/** `shamir_setup_get`: the requesting user's current signed brief, or `null`. */
export async function shamirSetupGet(ctx: DeviceContext): Promise<ShamirSetupGetRep> {
  return { status: 'ok', brief: ctx.org.shamir.get(ctx.userId)?.brief ?? null };
}

/** `shamir_recipient_list`: the current setups of non-revoked users that hold a share for the requester. */
export async function shamirRecipientList(ctx: DeviceContext): Promise<ShamirRecipientListRep> {
  const items: { brief: Uint8Array; share: Uint8Array }[] = [];
  for (const [userId, entry] of ctx.org.shamir) {
    if (ctx.store.isRevoked(userId)) continue;
    const share = entry.shares.get(ctx.userId);
    if (share !== undefined) items.push({ brief: entry.brief, share });
  }
  return { status: 'ok', items };
}

/**
 * `invite_new_shamir_recovery`: a recipient of `userId`'s current setup opens a recovery
 * invitation and greets the claimer (Parsec RFC 1000 §3: every recipient runs its own SAS
 * exchange). Refuses `not_found` (no setup, or the requester holds no share of it) and `revoked`
 * (the user to recover is revoked).
 */
export function inviteNewShamirRecovery(ctx: DeviceContext, req: InviteNewShamirRecoveryReq): Promise<InviteNewRep> {
  const entry = ctx.org.shamir.get(req.userId);
  if (entry === undefined || !entry.shares.has(ctx.userId)) refuse({ code: 'not_found', message: 'no setup of this user holds a share of yours' });
  if (ctx.store.isRevoked(req.userId)) refuse({ code: 'revoked', message: 'the user to recover is revoked' });
  return create(ctx, 'shamir', null, req.userId);
}

/**
 * `invited_shamir_reveal` (claimer, anonymous): once the SAS exchange of this invitation is done,
 * the reveal token recombined from the shares buys the ciphered recovery data, once; the
 * invitation is then finished. A wrong token cancels the invitation (no second guess on it).
 * Refuses `not_allowed` (not a recovery invitation), `invitation_out_of_order` (exchange not
 * complete), `not_found` (the setup was deleted or replaced), `revoked`, `invalid_shamir`
 * `bad-reveal-token`.
 */
export function invitedShamirReveal(ctx: AnonymousContext, req: InvitedShamirRevealReq): Promise<InvitedShamirRevealRep> {
  return ctx.org.lock.run(async () => {
    const inv = asClaimer(ctx, req.token);
    checkOpen(inv);
    if (inv.kind !== 'shamir' || inv.claimerUserId === undefined) refuse({ code: 'not_allowed', message: 'not a Shamir recovery invitation' });
    if (inv.status !== 'used') refuse({ code: 'invitation_out_of_order', message: 'the SAS exchange of this invitation is not complete' });
    const entry = ctx.org.shamir.get(inv.claimerUserId);
    if (entry === undefined) refuse({ code: 'not_found', message: 'the user has no recovery setup any more' });
    if (ctx.org.store?.isRevoked(inv.claimerUserId)) refuse({ code: 'revoked', message: 'the user to recover is revoked' });
    if (!constantTimeEqual(entry.revealToken, req.revealToken)) {
      await save(ctx, inv, cancelInvitation(inv), 'cancelled');
      refuse({ code: 'invalid_shamir', message: 'wrong reveal token: the invitation is closed', reason: 'bad-reveal-token' });
    }
    await save(ctx, inv, { ...inv, status: 'finished' }, 'finished');
    return { status: 'ok', cipheredData: entry.cipheredData };
  });
}
