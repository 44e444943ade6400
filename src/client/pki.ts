/**
 * PKI enrollment from the client (Parsec RFC 1020/1023 on sealsync's formats). A newcomer holding
 * an X.509 certificate and its key submits a request (`submitPkiEnrollment`) and polls; an ADMIN
 * (`Client.pki`) verifies each pending request on its own device, against the roots it trusts
 * (never the server's word), and accepts it, or lets a policy naming the accepted subjects do so,
 * with no SAS step.
 * @module
 */
import { newId, type DeviceId, type OrganizationId, type UserId } from '../codec/ids.js';
import { systemClock, type Clock } from '../codec/timestamps.js';
import { linkAfter } from '../certificates/chain.js';
import { readCertificate, signCertificate } from '../certificates/sign.js';
import { COMMON_TOPIC, type UserProfile } from '../certificates/types.js';
import { PrivateKey, SecretKey, SigningKey, type VerifyKey } from '../keys/index.js';
import { pkiError } from '../pki/errors.js';
import { signPkiRequest, verifyPkiEnrollment, type PkiIdentity } from '../pki/index.js';
import type { LocalDevice } from '../storage/device-file.js';
import type { PkiPendingItem } from '../transport/commands-pki.js';
import { expectOk, type AnonymousTransport } from '../transport/transport.js';
import type { ClientContext } from './context.js';
import { sendWithFreshTimestamp } from './send-certificate.js';

/** A pending request as an ADMIN sees it, verified on its own device. */
export interface PkiPendingEnrollment {
  readonly enrollmentId: UserId;
  readonly identity: PkiIdentity;
  readonly deviceLabel: string;
  readonly submittedOn: number;
}

/** The ADMIN side of PKI enrollment. Get it from `Client.pki`. */
export class PkiAdminApi {
  /** @internal */
  constructor(private readonly ctx: ClientContext) {}

  /** Sets the X.509 roots (DER) the server checks requests against. ADMIN only. @throws `TransportError`. */
  async setTrustAnchors(anchors: readonly Uint8Array[]): Promise<void> {
    expectOk(await this.ctx.transport.send({ cmd: 'pki_trust_anchors_set', anchors }));
  }

  async #verify(item: PkiPendingItem, trustAnchors: readonly Uint8Array[]): Promise<PkiPendingEnrollment & { verified: Awaited<ReturnType<typeof verifyPkiEnrollment>> }> {
    const verified = await verifyPkiEnrollment(item, trustAnchors, new Date(this.ctx.clock() / 1000), this.ctx.device.organizationId);
    return { enrollmentId: item.enrollmentId, identity: verified.identity, deviceLabel: verified.request.deviceLabel, submittedOn: item.submittedOn, verified };
  }

  /**
   * The pending requests that verify against `trustAnchors` now (the others are left out: the
   * server is not trusted to have checked). Online.
   */
  async pending(options: { readonly trustAnchors: readonly Uint8Array[] }): Promise<PkiPendingEnrollment[]> {
    const rep = expectOk(await this.ctx.transport.send({ cmd: 'pki_enrollment_list' }));
    const out: PkiPendingEnrollment[] = [];
    for (const item of rep.items) {
      try {
        const { verified: _v, ...p } = await this.#verify(item, options.trustAnchors);
        out.push(p);
      } catch (err) {
        if (!(err instanceof Error && (err as { code?: string }).code?.startsWith('pki/'))) throw err;
      }
    }
    return out;
  }

  /**
   * Accepts a request: verifies it here against `trustAnchors`, then signs the new user (email from
   * the certificate, label its common name, `profile` default STANDARD) and its first device.
   * @throws `PkiError` (every chain and request code), `TransportError` (`invalid_pki`,
   *   `already_exists`, `not_found`).
   */
  async accept(enrollmentId: UserId, options: { readonly trustAnchors: readonly Uint8Array[]; readonly profile?: UserProfile }): Promise<UserId> {
    const ctx = this.ctx;
    await ctx.syncCertificates();
    const rep = expectOk(await ctx.transport.send({ cmd: 'pki_enrollment_list' }));
    const item = rep.items.find((i) => i.enrollmentId === enrollmentId);
    if (item === undefined) throw pkiError('not-pending', `enrollment ${enrollmentId} is not pending`);
    const { verified } = await this.#verify(item, options.trustAnchors);
    const { identity, request } = verified;
    const userId = newId<UserId>();
    await sendWithFreshTimestamp(ctx, async (timestamp) => {
      const link = ctx.certs.nextLink(COMMON_TOPIC);
      const author = ctx.device.deviceId;
      const userCertificate = await signCertificate(
        ctx.device.signingKey,
        { type: 'user', author, timestamp, userId, humanHandle: { email: identity.email, label: identity.commonName ?? identity.email }, publicKey: request.userPublicKey, profile: options.profile ?? 'STANDARD' },
        link,
      );
      const deviceCertificate = await signCertificate(
        ctx.device.signingKey,
        { type: 'device', author, timestamp, userId, deviceId: newId<DeviceId>(), deviceLabel: request.deviceLabel, verifyKey: request.deviceVerifyKey },
        linkAfter(userCertificate, link),
      );
      return { cmd: 'pki_enrollment_accept', enrollmentId, userCertificate, deviceCertificate };
    });
    await ctx.syncCertificates();
    return userId;
  }

  /** Rejects a request. @throws `TransportError` (`not_found`, `invalid_pki` `already-decided`). */
  async reject(enrollmentId: UserId): Promise<void> {
    expectOk(await this.ctx.transport.send({ cmd: 'pki_enrollment_reject', enrollmentId }));
  }

  /**
   * An automatic policy: accepts every pending request that verifies against `trustAnchors` and for
   * which `policy(identity)` gives a profile (or `true` for STANDARD); returns the accepted ids.
   * @example await admin.pki.acceptMatching({ trustAnchors: [rootDer], policy: (id) => id.email.endsWith('@acme.example') });
   */
  async acceptMatching(options: { readonly trustAnchors: readonly Uint8Array[]; readonly policy: (identity: PkiIdentity) => boolean | UserProfile }): Promise<UserId[]> {
    const accepted: UserId[] = [];
    for (const p of await this.pending(options)) {
      const decision = options.policy(p.identity);
      if (decision === false) continue;
      await this.accept(p.enrollmentId, { trustAnchors: options.trustAnchors, ...(decision === true ? {} : { profile: decision }) });
      accepted.push(p.enrollmentId);
    }
    return accepted;
  }
}

/** Options of `submitPkiEnrollment`. */
export interface PkiSubmitOptions {
  readonly transport: AnonymousTransport;
  readonly organizationId: OrganizationId;
  /** The organisation's root verify key, pinned from an out-of-band source (as in an invitation link). */
  readonly rootVerifyKey: VerifyKey;
  /** The X.509 chain, leaf first (DER), and the leaf's private key (WebCrypto). */
  readonly chain: readonly Uint8Array[];
  readonly privateKey: CryptoKey;
  readonly deviceLabel: string;
  readonly clock?: Clock;
  readonly serverUrl?: string;
}

/** A submitted request: poll until an ADMIN decides. */
export class PkiEnrollment {
  /** @internal */
  constructor(
    private readonly options: PkiSubmitOptions,
    readonly enrollmentId: UserId,
    private readonly userPrivateKey: PrivateKey,
    private readonly signingKey: SigningKey,
  ) {}

  /**
   * `null` while pending; the new device once accepted (its certificates checked to be about the
   * keys generated here and about the requested label).
   * @throws `PkiError` `pki/rejected`, `pki/inconsistent`; `TransportError`.
   */
  async poll(): Promise<LocalDevice | null> {
    const rep = expectOk(await this.options.transport.send({ cmd: 'pki_enrollment_info', enrollmentId: this.enrollmentId }));
    if (rep.enrollmentStatus === 'pending') return null;
    if (rep.enrollmentStatus === 'rejected') throw pkiError('rejected', 'an administrator rejected the request');
    if (rep.userCertificate === null || rep.deviceCertificate === null) throw pkiError('inconsistent', 'accepted without certificates');
    const user = readCertificate(rep.userCertificate, 'user').certificate;
    const device = readCertificate(rep.deviceCertificate, 'device').certificate;
    // The chain verifies these signatures once a Client ingests them; here: are they about us?
    if (!user.publicKey.equals(this.userPrivateKey.publicKey) || !device.verifyKey.equals(this.signingKey.verifyKey) || device.userId !== user.userId || device.deviceLabel !== this.options.deviceLabel) {
      throw pkiError('inconsistent', 'the certificates are not about the keys of this request');
    }
    return {
      organizationId: this.options.organizationId,
      userId: user.userId,
      deviceId: device.deviceId,
      deviceLabel: device.deviceLabel,
      humanHandle: user.humanHandle,
      signingKey: this.signingKey,
      userPrivateKey: this.userPrivateKey,
      rootVerifyKey: this.options.rootVerifyKey,
      localStorageKey: SecretKey.generate(),
      ...(this.options.serverUrl !== undefined ? { serverUrl: this.options.serverUrl } : {}),
    };
  }
}

/**
 * Submits a PKI enrollment request: fresh user and device keys (private halves stay here), their
 * public halves signed with the X.509 key. Anonymous.
 * @throws `PkiError` (`unsupported-algorithm`, `malformed`), `TransportError` (`invalid_pki` with
 *   the chain's reason, `already_exists`).
 * @example
 * const pending = await submitPkiEnrollment({ transport, organizationId, rootVerifyKey, chain: [leafDer, caDer], privateKey, deviceLabel: 'laptop' });
 * const device = await pending.poll(); // null until an admin accepts
 */
export async function submitPkiEnrollment(options: PkiSubmitOptions): Promise<PkiEnrollment> {
  const userPrivateKey = PrivateKey.generate();
  const signingKey = SigningKey.generate();
  const signed = await signPkiRequest(options.chain, options.privateKey, {
    organizationId: options.organizationId,
    timestamp: (options.clock ?? systemClock)(),
    userPublicKey: userPrivateKey.publicKey,
    deviceVerifyKey: signingKey.verifyKey,
    deviceLabel: options.deviceLabel,
  });
  const rep = expectOk(await options.transport.send({ cmd: 'pki_enrollment_submit', chain: signed.chain, request: signed.request, signature: signed.signature }));
  return new PkiEnrollment(options, rep.enrollmentId, userPrivateKey, signingKey);
}
