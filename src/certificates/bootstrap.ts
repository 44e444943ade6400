/**
 * Organisation bootstrap (the data model, the certificate rules): the root key signs the first ADMIN user and its first
 * device, and is then thrown away.
 * @module
 */
import { newId, type DeviceId, type UserId } from '../codec/ids.js';
import { systemClock, type Clock } from '../codec/timestamps.js';
import { PrivateKey, SigningKey, type VerifyKey } from '../keys/index.js';
import { linkAfter, nextLink } from './chain.js';
import { signCertificate } from './sign.js';
import type { DeviceCertificate, HumanHandle, UserCertificate } from './types.js';

/** Options of {@link bootstrapOrganization}: who the first admin is and what its first device is called. */
export interface BootstrapOptions {
  /** The first admin's email and name. */
  readonly humanHandle: HumanHandle;
  /** The first device's label (shown in device lists). */
  readonly deviceLabel: string;
  /** Source of the certificates' timestamp; default the system clock. */
  readonly clock?: Clock;
}

/** What {@link bootstrapOrganization} creates: the trust anchor, the signed certificates to upload, and the first admin's keys. */
export interface BootstrapResult {
  /** The trust anchor to pin (and to put in invitation links). */
  readonly rootVerifyKey: VerifyKey;
  /** Signed user then device certificate: ingest them in topic `common`. */
  readonly certificates: readonly Uint8Array[];
  readonly userCertificate: UserCertificate;
  readonly deviceCertificate: DeviceCertificate;
  readonly user: { readonly userId: UserId; readonly privateKey: PrivateKey };
  readonly device: { readonly deviceId: DeviceId; readonly signingKey: SigningKey };
}

/**
 * Creates an organisation: a fresh root key, the first ADMIN user (fresh X25519 key pair) and
 * its first device (fresh Ed25519 key), both signed by the root at one timestamp. The root
 * signing key is neither returned nor stored: nobody can use it again, so the only way into the
 * organisation is through its admins. Throws `CodecError` if the handle or label is invalid.
 */
export async function bootstrapOrganization(options: BootstrapOptions): Promise<BootstrapResult> {
  const root = SigningKey.generate();
  const privateKey = PrivateKey.generate();
  const signingKey = SigningKey.generate();
  const userId = newId<UserId>();
  const deviceId = newId<DeviceId>();
  const timestamp = (options.clock ?? systemClock)();
  const userCertificate: UserCertificate = {
    type: 'user',
    author: null,
    timestamp,
    chain: nextLink(null, null),
    userId,
    humanHandle: { email: options.humanHandle.email, label: options.humanHandle.label },
    publicKey: privateKey.publicKey,
    profile: 'ADMIN',
  };
  const deviceLink = linkAfter(await signCertificate(root, userCertificate, userCertificate.chain), userCertificate.chain);
  const deviceCertificate: DeviceCertificate = {
    type: 'device',
    author: null,
    timestamp,
    chain: deviceLink,
    userId,
    deviceId,
    deviceLabel: options.deviceLabel,
    verifyKey: signingKey.verifyKey,
  };
  const certificates = [await signCertificate(root, userCertificate, userCertificate.chain), await signCertificate(root, deviceCertificate, deviceCertificate.chain)];
  return {
    rootVerifyKey: root.verifyKey,
    certificates,
    userCertificate,
    deviceCertificate,
    user: { userId, privateKey },
    device: { deviceId, signingKey },
  };
}
