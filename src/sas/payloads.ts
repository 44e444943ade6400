/**
 * The documents exchanged inside the encrypted channel (steps 6 and 7), v1. Each is a versioned
 * CBOR document (the encoding rules), encrypted under the channel key with the step's AAD.
 *
 * A new user's claim carries only PUBLIC keys: its private keys never leave the claimer. A new
 * device's confirmation carries the user's private key: that is the only way a second device can
 * read what is sealed to the user, and it travels only inside the SAS-authenticated channel.
 * @module
 */
import { defineDocument, s } from '../codec/index.js';

/** Signed certificates are small; bounds hostile input before any parsing. */
const signedCertificate = s.bytes({ min: 65, max: 64 * 1024 });
/**
 * Largest channel document: two signed certificates of at most 64 KiB each, plus keys and labels.
 * Decoded after decryption, but the peer is not trusted until the enrollment completes.
 */
export const MAX_ENROLLMENT_DOCUMENT_SIZE = 2 * 64 * 1024 + 4096;
const deviceLabel = s.text({ minBytes: 1, maxBytes: 255 });
const humanHandle = s.struct({ email: s.text({ minBytes: 3, maxBytes: 254 }), label: s.text({ minBytes: 1, maxBytes: 255 }) });

/** Step 6 of a user invitation: the new user's public keys and wished labels. */
export const userClaimDocument = defineDocument({
  type: 'invite_user_claim',
  version: 1,
  maxSize: MAX_ENROLLMENT_DOCUMENT_SIZE,
  fields: {
    user_public_key: s.bytes(32),
    device_verify_key: s.bytes(32),
    requested_human_handle: humanHandle,
    requested_device_label: deviceLabel,
  },
});

/** Step 7 of a user invitation: the `user` and first `device` certificates signed by the greeter. */
export const userConfirmationDocument = defineDocument({
  type: 'invite_user_confirmation',
  version: 1,
  maxSize: MAX_ENROLLMENT_DOCUMENT_SIZE,
  fields: { user_certificate: signedCertificate, device_certificate: signedCertificate },
});

/** Step 6 of a device invitation: the new device's verify key and wished label. */
export const deviceClaimDocument = defineDocument({
  type: 'invite_device_claim',
  version: 1,
  maxSize: MAX_ENROLLMENT_DOCUMENT_SIZE,
  fields: { device_verify_key: s.bytes(32), requested_device_label: deviceLabel },
});

/** Step 7 of a device invitation: the user's private key, its certificate, the new device certificate. */
export const deviceConfirmationDocument = defineDocument({
  type: 'invite_device_confirmation',
  version: 1,
  maxSize: MAX_ENROLLMENT_DOCUMENT_SIZE,
  fields: { user_private_key: s.bytes(32), user_certificate: signedCertificate, device_certificate: signedCertificate },
});
