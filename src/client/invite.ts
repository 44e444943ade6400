/**
 * Enrolment from the client's point of view (the SAS protocol): a greeter invitation drives the SAS
 * greeter machine and submits the certificates it produced; `claimInvitation` drives the claimer
 * and returns a ready `LocalDevice`.
 * @module
 */
import type { DeviceId, InvitationToken, UserId } from '../codec/ids.js';
import type { HumanHandle, UserProfile } from '../certificates/types.js';
import { InvitationError } from '../errors.js';
import { SecretKey } from '../keys/index.js';
import type { InvitationKind, InvitationLink } from '../sas/invitation.js';
import { parseInvitationLink } from '../sas/invitation.js';
import { claim, greet } from '../sas/enroll.js';
import type { SasUi } from '../sas/drive.js';
import type { GreeterContext } from '../sas/enrollment.js';
import type { LocalDevice } from '../storage/device-file.js';
import { expectOk, type AnonymousTransport, type Transport } from '../transport/transport.js';
import { claimerInviteTransport, greeterInviteTransport } from '../transport/invite-transport.js';

/** Options of one SAS attempt. */
export interface SasOptions {
  readonly signal?: AbortSignal;
  /** Longest wait for the peer's part of one step, ms (default 5 min). */
  readonly stepTimeoutMs?: number;
  /** Longest wait for the human's pick, ms (default 10 min). */
  readonly pickTimeoutMs?: number;
}

/** What the greeter side needs from its client. */
export interface GreeterHost {
  readonly transport: Transport;
  /** Builds the machine context (author device, clock, user key for a device invitation). */
  greeterContext(kind: InvitationKind, email: string | null, profile: UserProfile | undefined): GreeterContext;
  /** Fetches the new certificates once they are on the server. */
  syncCertificates(): Promise<void>;
}

/** Who joined, once `greet` succeeded. */
export interface Greeted {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
}

export function cancelledError(r: { reason: string; by: string; detail: string }): InvitationError {
  return new InvitationError('invitation/attempt-cancelled', `SAS attempt cancelled by ${r.by}: ${r.reason}${r.detail ? ` (${r.detail})` : ''}`);
}

/**
 * An invitation created by this device. Give `link` to the claimer out of band, then call
 * `greet` (one SAS attempt per call; call again for a new attempt after a cancellation).
 */
export class GreeterInvitation {
  /** @internal Created by `Client.inviteUser` / `Client.inviteDevice`. */
  constructor(
    private readonly host: GreeterHost,
    readonly kind: InvitationKind,
    readonly token: InvitationToken,
    /** The `sealsync://` link to give to the claimer. */
    readonly link: string,
    private readonly email: string | null,
    private readonly profile: UserProfile | undefined,
  ) {}

  /**
   * Runs one greeter attempt: shows this side's code, lets the human pick the claimer's, and on
   * success uploads the new user/device certificates and closes the invitation.
   * @throws {@link InvitationError} `invitation/attempt-cancelled` (wrong pick, peer cancelled,
   *   timeout…): call `greet` again for a new attempt (5 at most).
   * @throws {@link TransportError} if the server refuses the certificates.
   * @example
   * ```ts
   * const ui = { showCode: (code) => show(code), pickCode: (candidates) => askUser(candidates) };
   * const { userId } = await invitation.greet(ui);
   * ```
   */
  async greet(ui: SasUi, options: SasOptions = {}): Promise<Greeted> {
    const { transport } = this.host;
    const result = await greet({
      token: this.token,
      transport: greeterInviteTransport(transport, this.token),
      ui,
      context: this.host.greeterContext(this.kind, this.email, this.profile),
      ...options,
    });
    if (result.status === 'cancelled') throw cancelledError(result);
    const outcome = result.outcome;
    if (outcome.kind === 'user') {
      expectOk(await transport.send({ cmd: 'user_create', userCertificate: outcome.certificates[0]!, deviceCertificate: outcome.certificates[1]! }));
    } else {
      expectOk(await transport.send({ cmd: 'device_create', certificate: outcome.certificates[0]! }));
    }
    expectOk(await transport.send({ cmd: 'invite_complete', token: this.token }));
    await this.host.syncCertificates();
    return { userId: outcome.deviceCertificate.userId, deviceId: outcome.deviceCertificate.deviceId };
  }

  /** Cancels the whole invitation on the server. */
  async cancel(): Promise<void> {
    expectOk(await this.host.transport.send({ cmd: 'invite_cancel', token: this.token }));
  }
}

/** Options of `claimInvitation`. */
export interface ClaimOptions extends SasOptions {
  readonly ui: SasUi;
  /** Label of the new device. */
  readonly deviceLabel: string;
  /** Name and email asked for (user invitations only; the email must be the invited one). */
  readonly humanHandle?: HumanHandle;
  /** Saved in the device (e.g. the HTTP URL of the server). */
  readonly serverUrl?: string;
}

/**
 * Claims an invitation: pins the root verify key from `link`, runs one claimer SAS attempt over
 * `transport` (an anonymous transport of the link's organisation) and returns the new device with
 * a fresh local storage key. The greeter uploads the certificates when its own `greet` resolves:
 * open a `Client` with the device only after that.
 * @throws {@link InvitationError} `invitation/malformed-link`, `invitation/bad-*`, `invitation/*-param`
 *   (a malformed link), `invitation/wrong-kind` (a Shamir link), `invitation/attempt-cancelled` (wrong pick, peer cancelled, timeout…).
 * @throws {@link TransportError} when the relay cannot be reached or refuses.
 * @example
 * ```ts
 * const device = await claimInvitation(link, new HttpAnonymousTransport({ url, organizationId }), {
 *   ui: { showCode: (code) => show(code), pickCode: (candidates) => askUser(candidates) },
 *   deviceLabel: 'phone',
 *   humanHandle: { email: 'bob@example.org', label: 'Bob' },
 *   serverUrl: url,
 * });
 * ```
 */
export async function claimInvitation(link: string | InvitationLink, transport: AnonymousTransport, options: ClaimOptions): Promise<LocalDevice> {
  const parsed = typeof link === 'string' ? parseInvitationLink(link) : link;
  if (parsed.kind === 'shamir') throw new InvitationError('invitation/wrong-kind', 'a Shamir recovery invitation is claimed with ShamirRecoveryClaimer');
  const { ui, deviceLabel, humanHandle, serverUrl, ...sas } = options;
  const result = await claim({
    link: parsed,
    transport: claimerInviteTransport(transport, parsed.token),
    ui,
    requestedDeviceLabel: deviceLabel,
    ...(humanHandle ? { requestedHumanHandle: humanHandle } : {}),
    ...sas,
  });
  if (result.status === 'cancelled') throw cancelledError(result);
  const d = result.device;
  return {
    organizationId: d.organizationId,
    userId: d.userId,
    deviceId: d.deviceId,
    deviceLabel: d.deviceLabel,
    humanHandle: d.humanHandle,
    signingKey: d.signingKey,
    userPrivateKey: d.userPrivateKey,
    rootVerifyKey: d.rootVerifyKey,
    localStorageKey: SecretKey.generate(),
    ...(serverUrl !== undefined ? { serverUrl } : {}),
  };
}
