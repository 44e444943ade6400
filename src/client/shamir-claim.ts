/**
 * Recovering a user who lost every device (Parsec RFC 1000 §3), on the new machine: one SAS
 * exchange per helping recipient (`addShare`), then `finish`: recombine the shares, trade the
 * reveal token for the ciphered recovery data, open the recovery device, verify everything
 * against the organisation's certificate chain (pinned on the link's root key), and only then
 * sign, as the recovery device, the certificate of a new device of the same user.
 *
 * Every refusal happens before the new device exists: not enough weight, shares of two setups, a
 * wrong share, a forged brief, a recipient revoked since it relayed, a recovery device that is
 * not the user's.
 * @module
 */
import { newId, type DeviceId, type InvitationToken, type UserId } from '../codec/ids.js';
import { systemClock, type Clock } from '../codec/timestamps.js';
import { CertificateStore } from '../certificates/store.js';
import { signCertificate } from '../certificates/sign.js';
import { COMMON_TOPIC } from '../certificates/types.js';
import { InvitationError } from '../errors.js';
import { SecretKey, SigningKey, type VerifyKey } from '../keys/index.js';
import { ClaimerMachine } from '../sas/claimer-machine.js';
import { drive, type SasUi } from '../sas/drive.js';
import { parseInvitationLink, type InvitationLink } from '../sas/invitation.js';
import { combineShamirShares, decodeRecoveryDevice, openRecoveryData, verifyShamirDocument, type ShamirRecoveryDevice } from '../shamir/index.js';
import { shamirError } from '../shamir/errors.js';
import type { LocalDevice } from '../storage/device-file.js';
import type { DeviceCredentials } from '../transport/auth.js';
import { claimerInviteTransport } from '../transport/invite-transport.js';
import { expectOk, isErrorReply, type AnonymousTransport, type Transport } from '../transport/transport.js';
import { syncCertificates } from './cert-sync.js';
import { strictlyIncreasing } from './clock.js';
import { cancelledError, type SasOptions } from './invite.js';
import { sendWithFreshTimestamp } from './send-certificate.js';
import { shamirClaimerBackend, type RelayedShare } from './shamir-sas.js';

const CLOCK_TOLERANCE = 10 * 60 * 1_000_000;

/** Options of `ShamirRecoveryClaimer.finish`. */
export interface ShamirFinishOptions {
  /** Label of the new device. */
  readonly deviceLabel: string;
  /** An authenticated transport for the recovery device (same server as the anonymous one). */
  readonly connect: (credentials: DeviceCredentials) => Transport;
  /** Saved in the new device (e.g. the HTTP URL of the server). */
  readonly serverUrl?: string;
  /** Clock of the new device certificate; default the system clock. */
  readonly clock?: Clock;
}

/**
 * The recovering side. Create it with the anonymous transport of the organisation, call
 * `addShare(link, { ui })` once per helping recipient (each runs `ShamirGreeterInvitation.greet`),
 * then `finish(...)` once `weight >= threshold`.
 * @example
 * const claimer = new ShamirRecoveryClaimer(anonymous);
 * await claimer.addShare(linkFromBob, { ui });
 * await claimer.addShare(linkFromCarol, { ui });
 * const device = await claimer.finish({ deviceLabel: 'new laptop', connect: (c) => new InProcessTransport(server, c) });
 */
export class ShamirRecoveryClaimer {
  #shares: RelayedShare[] = [];
  #tokens: InvitationToken[] = [];
  #link: InvitationLink | null = null;

  /**
   * A claimer with no share yet.
   * @param transport - anonymous transport of the organisation (the recovered user has no device yet).
   */
  constructor(private readonly transport: AnonymousTransport) {}

  /** Weight gathered so far. */
  get weight(): number {
    return this.#shares.reduce((n, s) => n + s.data.shares.length, 0);
  }

  /** Threshold of the setup the shares belong to (`null` before the first share). */
  get threshold(): number | null {
    return this.#shares[0]?.brief.threshold ?? null;
  }

  /**
   * One SAS exchange with a recipient (invitation `link`): adds its shares. Nothing is kept when
   * it fails. Throws `InvitationError` (bad link, `invitation/wrong-kind`, `attempt-cancelled`),
   * `ShamirError` `stale-share` (a share of another setup than the ones gathered) or
   * `duplicate-share` (the same recipient twice).
   */
  async addShare(link: string | InvitationLink, options: SasOptions & { readonly ui: SasUi }): Promise<{ readonly recipient: UserId; readonly weight: number }> {
    const parsed = typeof link === 'string' ? parseInvitationLink(link) : link;
    if (parsed.kind !== 'shamir') throw new InvitationError('invitation/wrong-kind', 'not a Shamir recovery invitation');
    if (this.#link !== null && (parsed.organizationId !== this.#link.organizationId || !parsed.rootVerifyKey.equals(this.#link.rootVerifyKey))) {
      throw new InvitationError('invitation/wrong-kind', 'this invitation is for another organisation');
    }
    const info = expectOk(await this.transport.send({ cmd: 'invited_info', token: parsed.token }));
    if (info.kind !== 'shamir' || info.userId === undefined) throw new InvitationError('invitation/wrong-kind', 'not a Shamir recovery invitation');
    const { ui, ...sas } = options;
    const end = await drive({
      ...sas,
      ui,
      machine: ClaimerMachine,
      kind: 'shamir',
      token: parsed.token,
      transport: claimerInviteTransport(this.transport, parsed.token),
      backend: shamirClaimerBackend(this.#shares[0]?.brief.userId ?? info.userId),
    });
    if (end.status === 'cancelled') throw cancelledError(end);
    const share = end.outcome as RelayedShare;
    const first = this.#shares[0];
    if (first !== undefined && share.signedBrief.length !== first.signedBrief.length) throw shamirError('stale-share', 'this share belongs to another setup');
    if (first !== undefined && !share.briefDigest.every((b, i) => b === first.briefDigest[i])) throw shamirError('stale-share', 'this share belongs to another setup');
    if (this.#shares.some((s) => s.data.recipient === share.data.recipient)) throw shamirError('duplicate-share', `recipient ${share.data.recipient} relayed twice`);
    this.#shares.push(share);
    this.#tokens.push(parsed.token);
    this.#link = parsed;
    return { recipient: share.data.recipient, weight: share.data.shares.length };
  }

  /**
   * Recombines, fetches and opens the recovery device, verifies the brief, every relayed share and
   * the recovery device against the certificate chain, then creates and returns a new device of
   * the user (save it in a device file, open a `Client` with it).
   * @throws `ShamirError` (`not-enough-shares`, `bad-secret`, `recovery-data`, `author-unknown`,
   *   `bad-signature`, `author-revoked`, `revoked-recipient`, `share-mismatch`), `TransportError`
   *   (`invalid_shamir` `bad-reveal-token`, `not_found`: the setup is gone), `CertificateError`.
   */
  async finish(options: ShamirFinishOptions): Promise<LocalDevice> {
    const first = this.#shares[0];
    const link = this.#link;
    if (first === undefined || link === null) throw shamirError('not-enough-shares', 'no share gathered yet');
    const secret = await combineShamirShares(first, this.#shares.map((s) => s.data));
    let recovery: ShamirRecoveryDevice;
    try {
      const cipheredData = await this.#reveal(secret.revealToken);
      recovery = decodeRecoveryDevice(await openRecoveryData(secret, first.brief.userId, cipheredData));
    } finally {
      secret.dataKey.dispose();
      secret.revealToken.fill(0);
    }
    if (recovery.userId !== first.brief.userId) throw shamirError('recovery-data', 'the recovery device is of another user');
    const transport = options.connect({ organizationId: link.organizationId, deviceId: recovery.deviceId, signingKey: recovery.signingKey });
    const store = await CertificateStore.open({ rootVerifyKey: link.rootVerifyKey });
    const clock = options.clock ?? systemClock;
    const sync = async (): Promise<void> => void (await syncCertificates({ store, transport, now: clock(), tolerance: CLOCK_TOLERANCE }));
    await sync();
    await this.#verify(store, recovery.deviceId, recovery.signingKey.verifyKey);
    return this.#createDevice(store, transport, sync, recovery, link, options);
  }

  /** Tries each invitation until one gives the data; the others are closed by the same call. */
  async #reveal(revealToken: Uint8Array): Promise<Uint8Array> {
    let data: Uint8Array | undefined;
    let firstError: unknown;
    for (const token of this.#tokens) {
      const rep = await this.transport.send({ cmd: 'invited_shamir_reveal', token, revealToken });
      if (isErrorReply(rep)) {
        firstError ??= rep;
        continue;
      }
      data ??= rep.cipheredData;
    }
    if (data === undefined) expectOk(firstError as never);
    return data!;
  }

  /** The chain checks deferred until certificates could be read (module doc). */
  async #verify(store: CertificateStore, recoveryDeviceId: DeviceId, recoveryKey: VerifyKey): Promise<void> {
    const first = this.#shares[0]!;
    const brief = await verifyShamirDocument(store, first.signedBrief, 'shamir_brief');
    if (store.isRevoked(brief.userId)) throw shamirError('author-revoked', `user ${brief.userId} is revoked`);
    for (const relayed of this.#shares) {
      const share = await verifyShamirDocument(store, relayed.shareCertificate, 'shamir_share');
      if (share.author !== brief.author || share.timestamp !== brief.timestamp) throw shamirError('share-mismatch', 'a share is not signed with its brief');
      // A recipient revoked since the setup (or since it relayed) no longer vouches for anything.
      if (store.isRevoked(share.recipient)) throw shamirError('revoked-recipient', `recipient ${share.recipient} is revoked`);
    }
    const device = store.getDevice(recoveryDeviceId);
    if (device === undefined || device.userId !== brief.userId || !device.verifyKey.equals(recoveryKey)) {
      throw shamirError('recovery-data', 'the recovery device is not a device of the user in the certificate chain');
    }
  }

  async #createDevice(
    store: CertificateStore,
    transport: Transport,
    sync: () => Promise<void>,
    recovery: ShamirRecoveryDevice,
    link: InvitationLink,
    options: ShamirFinishOptions,
  ): Promise<LocalDevice> {
    const signingKey = SigningKey.generate();
    const deviceId = newId<DeviceId>();
    const user = recovery.userId;
    await sendWithFreshTimestamp({ transport, clock: strictlyIncreasing(options.clock ?? systemClock, CLOCK_TOLERANCE), syncCertificates: sync }, async (timestamp) => ({
      cmd: 'device_create',
      certificate: await signCertificate(
        recovery.signingKey,
        { type: 'device', author: recovery.deviceId, timestamp, userId: user, deviceId, deviceLabel: options.deviceLabel, verifyKey: signingKey.verifyKey },
        store.nextLink(COMMON_TOPIC),
      ),
    }));
    recovery.signingKey.dispose();
    return {
      organizationId: link.organizationId,
      userId: user,
      deviceId,
      deviceLabel: options.deviceLabel,
      humanHandle: store.getUser(user)!.humanHandle,
      signingKey,
      userPrivateKey: recovery.userPrivateKey,
      rootVerifyKey: link.rootVerifyKey,
      localStorageKey: SecretKey.generate(),
      ...(options.serverUrl !== undefined ? { serverUrl: options.serverUrl } : {}),
    };
  }
}
