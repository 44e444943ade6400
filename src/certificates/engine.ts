/**
 * The validation engine: runs a batch of decoded certificates, in order, through the rules
 * against a copy-on-write draft of the state. Pure and synchronous; the store wraps it with
 * decoding, concurrent signature verification and storage.
 * @module
 */
import type { VerifyKey } from '../keys/index.js';
import { certificateError, REASONS } from './reasons.js';
import {
  applyCommon,
  applyDevice,
  applyRealm,
  checkCommonTimestamp,
  checkFirstDevice,
  resolveAuthor,
  type ResolvedAuthor,
} from './rules.js';
import { Draft, type TrustState } from './state.js';
import { checkLink } from './chain.js';
import { certificateTopic, COMMON_TOPIC, isCommonCertificate, type Certificate, type Topic, type UserCertificate } from './types.js';

/** One certificate of a batch, with the topic it was delivered in and its chain digest. */
export interface BatchItem {
  readonly topic: Topic;
  readonly certificate: Certificate;
  /** `certificateDigest` of its signed bytes. */
  readonly digest: Uint8Array;
}

/**
 * Validates the certificates of one batch one at a time (so the caller can verify signatures of
 * earlier ones while later ones are checked). `state` is never modified: everything goes to
 * `draft`, which the caller commits only once the whole batch passed.
 */
export class BatchValidator {
  readonly draft: Draft;
  private index = 0;
  // A user certificate waiting for its first device, with the author it was checked against.
  private pending: { user: UserCertificate; author: ResolvedAuthor; topic: Topic } | null = null;

  constructor(
    state: TrustState,
    private readonly root: VerifyKey,
  ) {
    this.draft = new Draft(state);
  }

  /**
   * Checks the next certificate and records it in the draft. Returns the key its signature must
   * verify with; throws `CertificateError` (message names its index in the batch).
   */
  add({ topic, certificate: cert, digest }: BatchItem): VerifyKey {
    const index = this.index++;
    const draft = this.draft;
    const own = certificateTopic(cert);
    if (topic !== own) throw certificateError(REASONS.topicMismatch, `a ${cert.type} certificate belongs to topic ${own}, not ${topic}`, index);
    // The generic chain envelope first, whatever the type: position, prev, common head.
    const entry = checkLink(draft, topic, cert.chain, digest, cert.timestamp, index);
    const key = this.addRules(topic, cert, index);
    draft.appendChain(topic, entry);
    return key;
  }

  private addRules(topic: Topic, cert: Certificate, index: number): VerifyKey {
    const draft = this.draft;
    if (this.pending !== null) {
      // The first device is part of its user's creation: same author, same timestamp, so the
      // author checked for the user (possibly the root, at bootstrap) signs it too.
      const { user, author, topic: userTopic } = this.pending;
      const device = checkFirstDevice(cert, user, index);
      if (topic !== userTopic) throw certificateError(REASONS.topicMismatch, 'a device certificate belongs to topic common', index);
      applyDevice(draft, device, author, true, index);
      this.pending = null;
      return author.key;
    }
    if (isCommonCertificate(cert)) {
      if (topic !== COMMON_TOPIC) {
        throw certificateError(REASONS.topicMismatch, `a ${cert.type} certificate belongs to topic common, not ${topic}`, index);
      }
      checkCommonTimestamp(draft, cert.timestamp, index);
      const author = resolveAuthor(draft, cert, this.root, index);
      applyCommon(draft, cert, author, index);
      draft.commonLast = cert.timestamp;
      if (cert.type === 'user') this.pending = { user: cert, author, topic };
      return author.key;
    }
    if (topic !== cert.realmId) {
      throw certificateError(REASONS.topicMismatch, `a certificate of realm ${cert.realmId} delivered in topic ${topic}`, index);
    }
    const realm = draft.realm(cert.realmId);
    if (realm && cert.timestamp <= realm.last) {
      throw certificateError(REASONS.timestampNotIncreasing, `timestamp ${cert.timestamp} is not after ${realm.last} in realm ${cert.realmId}`, index);
    }
    const author = resolveAuthor(draft, cert, this.root, index);
    // A realm this device already follows gets a certificate by a user whose revocation it had
    // already verified: with an honest server that cannot happen (a realm certificate is always
    // later than every common one), so it is a revoked author back-dating with the server's help.
    // A device reading a realm for the first time accepts its older history (checked by dates).
    if (author.user !== null && draft.realmCommitted(cert.realmId) && draft.committedRevocation(author.user.certificate.userId) !== null) {
      throw certificateError(REASONS.revokedAuthorAlreadySeen, `author's user was revoked before this certificate of realm ${cert.realmId} appeared`, index);
    }
    applyRealm(draft, cert, author, index);
    return author.key;
  }

  /** Ends the batch: throws `first-device-mismatch` if it ends with a user without its device. */
  finish(): Draft {
    if (this.pending !== null) {
      throw certificateError(REASONS.firstDeviceMismatch, 'the batch ends with a user certificate without its first device', this.index);
    }
    return this.draft;
  }
}

/** A validated batch: the draft to commit, and per item the key its signature must verify with. */
export interface ValidatedBatch {
  readonly draft: Draft;
  readonly authorKeys: readonly VerifyKey[];
}

/**
 * Validates `items` in order against `state` (not modified). Throws the first rule broken as a
 * `CertificateError`; otherwise returns the draft and the author keys. Signatures are not checked.
 */
export function validateBatch(state: TrustState, root: VerifyKey, items: readonly BatchItem[]): ValidatedBatch {
  const v = new BatchValidator(state, root);
  const authorKeys = items.map((it) => v.add(it));
  return { draft: v.finish(), authorKeys };
}
