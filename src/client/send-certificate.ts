/**
 * Sending a request that carries certificates signed "now": the server orders each certificate
 * topic on one clock and refuses a timestamp not strictly after the topic's last one
 * (`require_greater_timestamp`, the certificate rules), so a device whose clock lags, or that raced another
 * device, re-signs past the server's bound and tries again.
 * @module
 */
import type { Timestamp } from '../codec/timestamps.js';
import { equalBytes } from '../bytes.js';
import { REASONS } from '../certificates/reasons.js';
import { readCertificate } from '../certificates/sign.js';
import type { CertificateStore } from '../certificates/store.js';
import { certificateTopic } from '../certificates/types.js';
import { TransportError } from '../errors.js';
import type { AuthenticatedRequest, ErrorCode, ErrorReply } from '../transport/commands.js';
import { expectOk, isErrorReply } from '../transport/transport.js';
import type { ClientContext } from './context.js';

/** Retries after the first attempt: bounded so that a server that keeps refusing cannot spin the client forever. */
const MAX_RETRIES = 3;

/**
 * `invalid_certificate` reasons that mean "your chain head is stale" (another device's
 * certificate landed first): sync certificates, re-sign on the new head, retry.
 */
const STALE_HEAD_REASONS: ReadonlySet<string> = new Set([
  REASONS.chainReplaced,
  REASONS.chainPrevMismatch,
  REASONS.chainGap,
  REASONS.commonHeadUnknown,
]);

function staleHead(rep: ErrorReply): boolean {
  return rep.code === 'invalid_certificate' && STALE_HEAD_REASONS.has(rep.reason);
}

/** Extra retry rules of one request. */
export interface ResendOptions {
  /** Further refusals worth a retry (e.g. `realm_members_mismatch`: the member list was stale). */
  readonly alsoRetryOn?: readonly ErrorCode[];
  /** Runs before every retry (e.g. re-sync certificates so that `make` sees the fresh state). */
  readonly beforeRetry?: () => Promise<void>;
}

/**
 * Sends `make(timestamp)` with a fresh timestamp from `ctx.clock`; on a stale chain head
 * (`invalid_certificate` `chain-replaced` / `chain-prev-mismatch` / `chain-gap` /
 * `common-head-unknown`) syncs certificates first; on `require_greater_timestamp`
 * (or a code of `alsoRetryOn`) pushes the clock past the server's bound, runs `beforeRetry` and
 * sends a newly made request, at most 3 more times. Resolves with the accepted request once the
 * server accepts (an acknowledgement is a hint: see `sendAndConfirm`); throws
 * `ErrorReplyError` (a `TransportError`) for any other refusal or when the retries run out, and
 * whatever `make` or the transport throws.
 */
export async function sendWithFreshTimestamp(
  ctx: Pick<ClientContext, 'transport' | 'clock' | 'syncCertificates'>,
  make: (timestamp: Timestamp) => Promise<AuthenticatedRequest>,
  options: ResendOptions = {},
): Promise<AuthenticatedRequest> {
  for (let attempt = 0; ; attempt++) {
    const req = await make(ctx.clock());
    const rep = await ctx.transport.send(req);
    if (isErrorReply(rep) && attempt < MAX_RETRIES && staleHead(rep)) {
      // Another certificate took the position: `make` re-reads the head after this sync.
      await ctx.syncCertificates();
      await options.beforeRetry?.();
      continue;
    }
    if (isErrorReply(rep) && attempt < MAX_RETRIES && (rep.code === 'require_greater_timestamp' || options.alsoRetryOn?.includes(rep.code))) {
      if (rep.code === 'require_greater_timestamp') ctx.clock.bump(rep.strictlyGreaterThan);
      await options.beforeRetry?.();
      continue;
    }
    expectOk(rep);
    return req;
  }
}

/** The signed certificates a certificate-carrying request holds (none for other commands). */
export function certificatesOf(req: AuthenticatedRequest): Uint8Array[] {
  switch (req.cmd) {
    case 'user_create':
      return [req.userCertificate, req.deviceCertificate];
    case 'user_update':
    case 'user_revoke':
    case 'label_certificate':
    case 'device_create':
      return [req.certificate];
    case 'realm_create':
      return [req.roleCertificate, req.keyRotationCertificate];
    case 'realm_share':
    case 'realm_unshare':
      return [req.roleCertificate];
    case 'realm_rotate_key':
      return [req.keyRotationCertificate];
    case 'realm_rename':
      return [req.nameCertificate];
    case 'realm_update_archiving':
      return [req.archivingCertificate];
    default:
      return [];
  }
}

/**
 * Requires every certificate of `signed` at its own position of its topic in the VERIFIED store,
 * byte for byte. Throws `TransportError` `transport/not-confirmed` otherwise.
 *
 * Attack stopped: a server answers `ok` to `user_revoke` / `realm_unshare` and never stores the
 * certificate (or hides it from this device). Reporting success on the acknowledgement would let
 * the caller believe the user is gone while every store, this one included, still lists it.
 */
export function confirmSeen(certs: CertificateStore, signed: readonly Uint8Array[]): void {
  for (const s of signed) {
    const { certificate } = readCertificate(s);
    const topic = certificateTopic(certificate);
    const held = certs.certificateAt(topic, certificate.chain.position);
    if (held === undefined || !equalBytes(held, s)) {
      throw new TransportError(
        'transport/not-confirmed',
        `the server acknowledged a ${certificate.type} certificate (topic ${topic}, position ${certificate.chain.position}) that it does not serve back`,
      );
    }
  }
}

/**
 * Nothing is done until it is seen: `sendWithFreshTimestamp`, then a certificate sync, then the
 * accepted request's certificates must be in the verified chain (`confirmSeen`). Returns the
 * accepted request. Throws `TransportError` `transport/not-confirmed` when the acknowledgement
 * was not backed by the served chain, and whatever the send or the sync throws (`RollbackError`,
 * `CertificateError`, `TransportError`).
 */
export async function sendAndConfirm(
  ctx: Pick<ClientContext, 'transport' | 'clock' | 'syncCertificates' | 'certs'>,
  make: (timestamp: Timestamp) => Promise<AuthenticatedRequest>,
  options: ResendOptions = {},
): Promise<AuthenticatedRequest> {
  const req = await sendWithFreshTimestamp(ctx, make, options);
  await ctx.syncCertificates();
  confirmSeen(ctx.certs, certificatesOf(req));
  return req;
}
