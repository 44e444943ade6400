/**
 * What a Shamir setup protects (sealsync's recovery data, v1): a recovery device of the user (a
 * `device` certificate signed by one of the user's devices when the setup is made) and the user's
 * private key. Whoever gathers enough shares opens it and, as that device, signs a certificate for
 * a new device of the same user (the certificate rule "later devices are signed by one of that
 * user's own devices" holds as for any other new device).
 * @module
 */
import { defineDocument, s } from '../codec/index.js';
import type { DeviceId, UserId } from '../codec/ids.js';
import { SealsyncError } from '../errors.js';
import { PrivateKey, SigningKey } from '../keys/index.js';
import { shamirError } from './errors.js';

/** The recovery device of a setup, as opened by the user who recovers. */
export interface ShamirRecoveryDevice {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly signingKey: SigningKey;
  readonly userPrivateKey: PrivateKey;
}

const recoveryDeviceCodec = defineDocument({
  type: 'shamir_recovery_device',
  version: 1,
  fields: { user_id: s.id<UserId>(), device_id: s.id<DeviceId>(), signing_key: s.bytes(32), user_private_key: s.bytes(32) },
});

/** Encodes the recovery data of a setup (secret bytes: encrypt them at once and wipe). */
export function encodeRecoveryDevice(d: ShamirRecoveryDevice): Uint8Array {
  return recoveryDeviceCodec.encode({
    user_id: d.userId,
    device_id: d.deviceId,
    signing_key: d.signingKey.exportSecretBytes(),
    user_private_key: d.userPrivateKey.exportSecretBytes(),
  });
}

/** Decodes opened recovery data. Throws `ShamirError` `shamir/recovery-data`. */
export function decodeRecoveryDevice(bytes: Uint8Array): ShamirRecoveryDevice {
  try {
    const v = recoveryDeviceCodec.decode(bytes, { maxSize: 1024 });
    return { userId: v.user_id, deviceId: v.device_id, signingKey: SigningKey.fromBytes(v.signing_key), userPrivateKey: PrivateKey.fromBytes(v.user_private_key) };
  } catch (err) {
    if (!(err instanceof SealsyncError)) throw err;
    throw shamirError('recovery-data', 'the recovery data is not a recovery device', err);
  }
}
