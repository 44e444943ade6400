/**
 * Shamir recovery from an enrolled device (Parsec RFC 1000): set up (or delete) the user's own
 * recovery, list the setups this user holds shares of, and help another user recover by greeting
 * it over SAS with this user's shares. `ShamirRecoveryClaimer` is the other side.
 * @module
 */
import { newId, type DeviceId, type InvitationToken, type UserId } from '../codec/ids.js';
import { signCertificate } from '../certificates/sign.js';
import { COMMON_TOPIC, type HumanHandle } from '../certificates/types.js';
import { SigningKey, sha256 } from '../keys/index.js';
import { drive, type SasUi } from '../sas/drive.js';
import { GreeterMachine } from '../sas/greeter-machine.js';
import { formatInvitationLink } from '../sas/invitation.js';
import {
  createShamirSetup,
  encodeRecoveryDevice,
  openShamirShare,
  signShamirDocument,
  verifyShamirDocument,
  type ShamirBrief,
  type ShamirRecipient,
} from '../shamir/index.js';
import { shamirError } from '../shamir/errors.js';
import { expectOk } from '../transport/transport.js';
import { greeterInviteTransport } from '../transport/invite-transport.js';
import type { ClientContext } from './context.js';
import { cancelledError, type SasOptions } from './invite.js';
import { sendWithFreshTimestamp } from './send-certificate.js';
import { shamirGreeterBackend, type RecipientPart } from './shamir-sas.js';

/** Label of the recovery device a setup creates (it never runs anywhere: its keys are split). */
export const RECOVERY_DEVICE_LABEL = 'shamir-recovery';

/** A setup as shown to its user or to a recipient (from a verified brief). */
export interface ShamirSetupInfo {
  readonly userId: UserId;
  readonly humanHandle: HumanHandle;
  readonly threshold: number;
  /** Recipient → weight. */
  readonly recipients: ReadonlyMap<UserId, number>;
  readonly createdOn: number;
}

function info(ctx: ClientContext, brief: ShamirBrief): ShamirSetupInfo {
  return { userId: brief.userId, humanHandle: ctx.certs.getUser(brief.userId)!.humanHandle, threshold: brief.threshold, recipients: brief.recipients, createdOn: brief.timestamp };
}

/** The user's current setup, verified (`null` when the server holds none). */
async function currentBrief(ctx: ClientContext): Promise<{ brief: ShamirBrief; briefDigest: Uint8Array } | null> {
  await ctx.syncCertificates();
  const rep = expectOk(await ctx.transport.send({ cmd: 'shamir_setup_get' }));
  if (rep.brief === null) return null;
  const brief = await verifyShamirDocument(ctx.certs, rep.brief, 'shamir_brief');
  if (brief.userId !== ctx.device.userId) throw shamirError('author-unknown', 'the server answered with the brief of another user');
  return { brief, briefDigest: await sha256(rep.brief) };
}

/**
 * Shamir recovery of this client's user, and help for others. Get it from `Client.shamir`.
 * @example
 * await alice.shamir.setup({ recipients: new Map([[bob.userId, 2], [carol.userId, 1]]), threshold: 2 });
 * // later, Alice lost every device: Bob helps
 * const invitation = await bob.shamir.inviteRecovery(alice.userId);
 * await invitation.greet(ui);   // while Alice's new machine runs ShamirRecoveryClaimer.addShare
 */
export class ShamirRecoveryApi {
  /** @internal */
  constructor(
    private readonly ctx: ClientContext,
    private readonly linkHost: () => string,
  ) {}

  /**
   * Sets up this user's recovery: `recipients` (user → weight ≥ 1, other users, not revoked),
   * `threshold` (2 ≤ threshold ≤ total weight ≤ 255). Creates a recovery device whose keys (and
   * the user key) only the recombined secret opens. One setup at a time: `delete()` first to
   * change it. Online.
   * @throws `ShamirError` (`bad-threshold`, `bad-weight`, `author-recipient`, `unknown-recipient`,
   *   `revoked-recipient`), `TransportError` (`invalid_shamir` with `setup-exists`, …).
   */
  async setup(options: { readonly recipients: ReadonlyMap<UserId, number>; readonly threshold: number }): Promise<void> {
    const ctx = this.ctx;
    await ctx.syncCertificates();
    const recipients = new Map<UserId, ShamirRecipient>();
    for (const [userId, weight] of options.recipients) {
      const user = ctx.certs.getUser(userId);
      if (user === undefined) throw shamirError('unknown-recipient', `user ${userId} is unknown`);
      if (user.revokedOn !== null) throw shamirError('revoked-recipient', `user ${userId} is revoked`);
      recipients.set(userId, { publicKey: user.publicKey, weight });
    }
    const recoveryKey = SigningKey.generate();
    const recoveryDeviceId = newId<DeviceId>();
    const me = ctx.device;
    await sendWithFreshTimestamp(ctx, async (timestamp) => {
      const recoveryDeviceCertificate = await signCertificate(
        me.signingKey,
        { type: 'device', author: me.deviceId, timestamp, userId: me.userId, deviceId: recoveryDeviceId, deviceLabel: RECOVERY_DEVICE_LABEL, verifyKey: recoveryKey.verifyKey },
        ctx.certs.nextLink(COMMON_TOPIC),
      );
      const recoveryData = encodeRecoveryDevice({ userId: me.userId, deviceId: recoveryDeviceId, signingKey: recoveryKey, userPrivateKey: me.userPrivateKey });
      const setup = await createShamirSetup({ author: me, recipients, threshold: options.threshold, timestamp, recoveryData });
      recoveryData.fill(0);
      return { cmd: 'shamir_setup_create', brief: setup.brief, shares: [...setup.shares.values()], cipheredData: setup.cipheredData, revealToken: setup.revealToken, recoveryDeviceCertificate };
    });
    recoveryKey.dispose();
    await ctx.syncCertificates();
  }

  /** This user's current setup (verified), or `null`. Online. @throws `ShamirError` for a brief that does not verify. */
  async current(): Promise<ShamirSetupInfo | null> {
    const cur = await currentBrief(this.ctx);
    return cur === null ? null : info(this.ctx, cur.brief);
  }

  /** Deletes this user's current setup. Online. @throws `ShamirError` `no-setup`, `TransportError`. */
  async delete(): Promise<void> {
    const ctx = this.ctx;
    const cur = await currentBrief(ctx);
    if (cur === null) throw shamirError('no-setup', 'there is no setup to delete');
    await sendWithFreshTimestamp(ctx, async (timestamp) => ({
      cmd: 'shamir_setup_delete',
      deletion: await signShamirDocument(ctx.device.signingKey, { type: 'shamir_deletion', author: ctx.device.deviceId, timestamp, userId: ctx.device.userId, briefDigest: cur.briefDigest }),
    }));
  }

  /** The part this user holds of `userId`'s current setup, verified and opened. */
  async #part(userId: UserId): Promise<RecipientPart & { setup: ShamirSetupInfo }> {
    const ctx = this.ctx;
    await ctx.syncCertificates();
    const rep = expectOk(await ctx.transport.send({ cmd: 'shamir_recipient_list' }));
    for (const item of rep.items) {
      const brief = await verifyShamirDocument(ctx.certs, item.brief, 'shamir_brief');
      if (brief.userId !== userId) continue;
      const setup = { brief, briefDigest: await sha256(item.brief) };
      const data = await openShamirShare({ trust: ctx.certs, brief: setup, signedShare: item.share, recipient: ctx.device.userId, privateKey: ctx.device.userPrivateKey });
      return { userId, brief: item.brief, shareCertificate: item.share, data, setup: info(ctx, brief) };
    }
    throw shamirError('not-recipient', `this user holds no share of ${userId}'s current setup`);
  }

  /** The setups of other users this user holds shares of (each verified). Online. */
  async toHelp(): Promise<ShamirSetupInfo[]> {
    const ctx = this.ctx;
    await ctx.syncCertificates();
    const rep = expectOk(await ctx.transport.send({ cmd: 'shamir_recipient_list' }));
    const out: ShamirSetupInfo[] = [];
    for (const item of rep.items) out.push(info(ctx, await verifyShamirDocument(ctx.certs, item.brief, 'shamir_brief')));
    return out;
  }

  /**
   * Opens a recovery invitation for `userId` (this user must hold shares of its current setup).
   * Give `link` to the person recovering (out of band), then `greet(ui)`.
   * @throws `ShamirError` (`not-recipient`, verification codes), `TransportError` (`not_found`, `revoked`).
   */
  async inviteRecovery(userId: UserId, options: { readonly host?: string } = {}): Promise<ShamirGreeterInvitation> {
    const ctx = this.ctx;
    await this.#part(userId); // refuse early, before the server records an invitation
    const rep = expectOk(await ctx.transport.send({ cmd: 'invite_new_shamir_recovery', userId }));
    const link = formatInvitationLink({ host: options.host ?? this.linkHost(), organizationId: ctx.device.organizationId, kind: 'shamir', token: rep.token, rootVerifyKey: ctx.device.rootVerifyKey });
    return new ShamirGreeterInvitation(ctx, () => this.#part(userId), rep.token, link);
  }
}

/** A recovery invitation this user greets: one SAS exchange hands over this user's shares. */
export class ShamirGreeterInvitation {
  /** @internal */
  constructor(
    private readonly ctx: ClientContext,
    private readonly part: () => Promise<RecipientPart>,
    readonly token: InvitationToken,
    /** The `sealsync://` link to give to the person recovering. */
    readonly link: string,
  ) {}

  /**
   * Runs one greeter attempt: the shares are re-read and re-verified first (a setup deleted or
   * replaced since the invitation gives nothing), then sent inside the SAS channel once both
   * humans picked the right codes.
   * @throws `InvitationError` `invitation/attempt-cancelled`, `ShamirError`, `TransportError`.
   */
  async greet(ui: SasUi, options: SasOptions = {}): Promise<void> {
    const part = await this.part();
    const end = await drive({
      ...options,
      ui,
      machine: GreeterMachine,
      kind: 'shamir',
      token: this.token,
      transport: greeterInviteTransport(this.ctx.transport, this.token),
      backend: shamirGreeterBackend(part),
    });
    if (end.status === 'cancelled') throw cancelledError(end);
  }

  /** Cancels the invitation on the server. */
  async cancel(): Promise<void> {
    expectOk(await this.ctx.transport.send({ cmd: 'invite_cancel', token: this.token }));
  }
}
