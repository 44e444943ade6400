/**
 * PKI enrollment commands (Parsec RFC 1020/1023 on sealsync's formats): an ADMIN sets the
 * organisation's trusted X.509 roots; a newcomer submits a request signed with its X.509 key
 * (anonymous); an ADMIN lists, accepts (with the certificates it signed) or rejects; the newcomer
 * polls. The server checks the chain and the request signature on submission and again on
 * acceptance (a chain may have expired meanwhile), the accepted certificates against the request's
 * keys and the chain's email, and refuses a request submitted again once decided.
 * @module
 */
import { toHex } from '../../bytes.js';
import type { UserId } from '../../codec/ids.js';
import { sha256 } from '../../keys/index.js';
import { parseCertificate, PkiError, verifyPkiEnrollment, type VerifiedPkiEnrollment } from '../../pki/index.js';
import type { OkRep } from '../../transport/commands.js';
import type {
  PkiEnrollmentAcceptReq,
  PkiEnrollmentInfoRep,
  PkiEnrollmentInfoReq,
  PkiEnrollmentListRep,
  PkiEnrollmentRejectReq,
  PkiEnrollmentSubmitRep,
  PkiEnrollmentSubmitReq,
  PkiTrustAnchorsSetReq,
} from '../../transport/commands-pki.js';
import { checkBallpark } from '../checks.js';
import type { AnonymousContext, DeviceContext } from '../context.js';
import type { PkiEnrollmentRecord } from '../records.js';
import { refuse } from '../reply-error.js';
import { accept, one } from './certificates.js';

const OK: OkRep = { status: 'ok' };

async function checked<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof PkiError) refuse({ code: 'invalid_pki', message: err.message, reason: err.code.slice('pki/'.length) });
    throw err;
  }
}

function requireAdmin(ctx: DeviceContext): void {
  if (ctx.store.getProfile(ctx.userId) !== 'ADMIN') refuse({ code: 'not_allowed', message: 'only an ADMIN manages PKI enrollment' });
}

function verify(ctx: AnonymousContext, rec: Pick<PkiEnrollmentRecord, 'chain' | 'request' | 'signature'>): Promise<VerifiedPkiEnrollment> {
  if (ctx.org.pkiAnchors.length === 0) refuse({ code: 'not_allowed', message: 'this organisation trusts no X.509 root' });
  return checked(() => verifyPkiEnrollment(rec, ctx.org.pkiAnchors, new Date(ctx.now / 1000), ctx.org.id));
}

/** `pki_trust_anchors_set`: replaces the trusted roots (each a CA certificate). ADMIN only. */
export function pkiTrustAnchorsSet(ctx: DeviceContext, req: PkiTrustAnchorsSetReq): Promise<OkRep> {
  requireAdmin(ctx);
  return ctx.org.lock.run(async () => {
    for (const der of req.anchors) {
      const c = await checked(() => parseCertificate(der));
      if (c.isCa !== true) refuse({ code: 'invalid_pki', message: `${c.subject} is not a CA certificate`, reason: 'not-a-ca' });
    }
    await ctx.org.storage.batch([ctx.org.pkiAnchorsOp(req.anchors)]);
    ctx.org.pkiAnchors = req.anchors.map((a) => a.slice());
    return OK;
  });
}

/**
 * `pki_enrollment_submit` (anonymous): chain against the trusted roots, request signed by the leaf
 * key, for this organisation, timestamp within the window. The id is derived from the request
 * bytes, so the same request twice is the same enrollment: refused `already_exists` while
 * pending, `invalid_pki` `already-decided` once accepted or rejected (a replay).
 */
export function pkiEnrollmentSubmit(ctx: AnonymousContext, req: PkiEnrollmentSubmitReq): Promise<PkiEnrollmentSubmitRep> {
  return ctx.org.lock.run(async () => {
    const verified = await verify(ctx, req);
    checkBallpark(verified.request.timestamp, ctx.now, ctx.config.timestampWindow);
    const enrollmentId = toHex((await sha256(req.request)).subarray(0, 16)) as UserId;
    const existing = ctx.org.pki.get(enrollmentId);
    if (existing?.status === 'pending') refuse({ code: 'already_exists', message: 'this request is already pending' });
    if (existing !== undefined) refuse({ code: 'invalid_pki', message: `this request was already ${existing.status}`, reason: 'already-decided' });
    let pending = 0;
    for (const r of ctx.org.pki.values()) if (r.status === 'pending') pending++;
    if (pending >= ctx.config.maxOpenInvitations) refuse({ code: 'not_allowed', message: 'too many pending enrollments in this organisation' });
    const rec: PkiEnrollmentRecord = { enrollmentId, chain: req.chain, request: req.request, signature: req.signature, submittedOn: ctx.now, status: 'pending', userCertificate: null, deviceCertificate: null };
    await ctx.org.storage.batch([ctx.org.pkiOp(rec)]);
    ctx.org.pki.set(enrollmentId, rec);
    return { status: 'ok', enrollmentId };
  });
}

/** `pki_enrollment_list`: the pending requests. ADMIN only. */
export async function pkiEnrollmentList(ctx: DeviceContext): Promise<PkiEnrollmentListRep> {
  requireAdmin(ctx);
  const items = [...ctx.org.pki.values()].filter((r) => r.status === 'pending').map(({ enrollmentId, chain, request, signature, submittedOn }) => ({ enrollmentId, chain, request, signature, submittedOn }));
  return { status: 'ok', items };
}

function pending(ctx: AnonymousContext, enrollmentId: UserId): PkiEnrollmentRecord {
  const rec = ctx.org.pki.get(enrollmentId);
  if (rec === undefined) refuse({ code: 'not_found', message: 'no such enrollment' });
  if (rec.status !== 'pending') refuse({ code: 'invalid_pki', message: `this request was already ${rec.status}`, reason: 'already-decided' });
  return rec;
}

/**
 * `pki_enrollment_accept`: the chain is checked again now; the `user` certificate must carry the
 * request's user key and the chain's email, the `device` certificate the request's device key and
 * label; both are ingested with the record's new state in one batch. ADMIN only.
 */
export function pkiEnrollmentAccept(ctx: DeviceContext, req: PkiEnrollmentAcceptReq): Promise<OkRep> {
  requireAdmin(ctx);
  return ctx.org.lock.run(async () => {
    const rec = pending(ctx, req.enrollmentId);
    const { identity, request } = await verify(ctx, rec);
    const user = one(req.userCertificate, 'user');
    const device = one(req.deviceCertificate, 'device');
    const mismatch =
      !user.cert.publicKey.equals(request.userPublicKey) ||
      !device.cert.verifyKey.equals(request.deviceVerifyKey) ||
      device.cert.deviceLabel !== request.deviceLabel ||
      user.cert.humanHandle.email.toLowerCase() !== identity.email.toLowerCase();
    if (mismatch) refuse({ code: 'invalid_pki', message: 'the certificates are not about the request', reason: 'inconsistent' });
    if (ctx.store.listUsers().some((u) => u.revokedOn === null && u.humanHandle.email.toLowerCase() === identity.email.toLowerCase())) {
      refuse({ code: 'already_exists', message: 'an active user has this email' });
    }
    const done: PkiEnrollmentRecord = { ...rec, status: 'accepted', userCertificate: req.userCertificate, deviceCertificate: req.deviceCertificate };
    await accept(ctx, ctx.store, [user, device], { author: ctx.deviceId, extra: () => [ctx.org.pkiOp(done)] });
    ctx.org.pki.set(rec.enrollmentId, done);
    return OK;
  });
}

/** `pki_enrollment_reject`. ADMIN only. */
export function pkiEnrollmentReject(ctx: DeviceContext, req: PkiEnrollmentRejectReq): Promise<OkRep> {
  requireAdmin(ctx);
  return ctx.org.lock.run(async () => {
    const rec = pending(ctx, req.enrollmentId);
    const done: PkiEnrollmentRecord = { ...rec, status: 'rejected' };
    await ctx.org.storage.batch([ctx.org.pkiOp(done)]);
    ctx.org.pki.set(rec.enrollmentId, done);
    return OK;
  });
}

/** `pki_enrollment_info` (anonymous): the status and, once accepted, the certificates (public). */
export async function pkiEnrollmentInfo(ctx: AnonymousContext, req: PkiEnrollmentInfoReq): Promise<PkiEnrollmentInfoRep> {
  const rec = ctx.org.pki.get(req.enrollmentId);
  if (rec === undefined) refuse({ code: 'not_found', message: 'no such enrollment' });
  return { status: 'ok', enrollmentStatus: rec.status, userCertificate: rec.userCertificate, deviceCertificate: rec.deviceCertificate };
}
