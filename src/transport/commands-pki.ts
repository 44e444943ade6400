/**
 * PKI enrollment commands (X.509, see `sealsync/pki`).
 * @module
 */
import type { UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';

/** An ADMIN sets the X.509 roots the server checks enrollment requests against (DER). */
export interface PkiTrustAnchorsSetReq {
  readonly cmd: 'pki_trust_anchors_set';
  readonly anchors: readonly Uint8Array[];
}
/** A newcomer (anonymous) submits a request signed with its X.509 key. */
export interface PkiEnrollmentSubmitReq {
  readonly cmd: 'pki_enrollment_submit';
  readonly chain: readonly Uint8Array[];
  readonly request: Uint8Array;
  readonly signature: Uint8Array;
}
/** Reply of `pki_enrollment_submit`: the id to poll with `pki_enrollment_info`. */
export interface PkiEnrollmentSubmitRep {
  readonly status: 'ok';
  /** 32 hex characters. */
  readonly enrollmentId: UserId;
}
/** A pending request as an ADMIN sees it (to verify again on its own device). */
export interface PkiPendingItem {
  readonly enrollmentId: UserId;
  readonly chain: readonly Uint8Array[];
  readonly request: Uint8Array;
  readonly signature: Uint8Array;
  readonly submittedOn: Timestamp;
}
/** An ADMIN lists the pending enrollment requests. */
export interface PkiEnrollmentListReq {
  readonly cmd: 'pki_enrollment_list';
}
/** Reply of `pki_enrollment_list`: pending requests, unverified (the admin's device verifies each). */
export interface PkiEnrollmentListRep {
  readonly status: 'ok';
  readonly items: readonly PkiPendingItem[];
}
/** An ADMIN accepts: the new user's and first device's certificates, about the request's keys. */
export interface PkiEnrollmentAcceptReq {
  readonly cmd: 'pki_enrollment_accept';
  readonly enrollmentId: UserId;
  readonly userCertificate: Uint8Array;
  readonly deviceCertificate: Uint8Array;
}
/** An ADMIN rejects a pending request; the newcomer's poll then says `rejected`. */
export interface PkiEnrollmentRejectReq {
  readonly cmd: 'pki_enrollment_reject';
  readonly enrollmentId: UserId;
}
/** The newcomer polls (anonymous). */
export interface PkiEnrollmentInfoReq {
  readonly cmd: 'pki_enrollment_info';
  readonly enrollmentId: UserId;
}
/** Reply of `pki_enrollment_info`; once accepted, the certificates (which the newcomer verifies against its keys). */
export interface PkiEnrollmentInfoRep {
  readonly status: 'ok';
  readonly enrollmentStatus: 'pending' | 'accepted' | 'rejected';
  readonly userCertificate: Uint8Array | null;
  readonly deviceCertificate: Uint8Array | null;
}
