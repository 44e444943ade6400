/**
 * The claimer's step-8 acknowledgement plaintext. A constant is enough: it is encrypted under the
 * channel key with the step-8 AAD, so only the claimer holding that key can produce it, and only
 * for this invitation, attempt and step.
 * @module
 */
import { utf8Encode } from '../bytes.js';

/** UTF-8 `sealsync/1/invite-ack`: the plaintext the claimer seals at step 8. */
export const INVITE_ACK: Uint8Array = utf8Encode('sealsync/1/invite-ack');
