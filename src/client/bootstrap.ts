/**
 * Creating an organisation from a client (the data model, the certificate rules): generate the root key and the first
 * admin, have the server record them with the one-time bootstrap token, forget the root key.
 * @module
 */
import type { OrganizationId } from '../codec/ids.js';
import type { Clock } from '../codec/timestamps.js';
import { bootstrapOrganization } from '../certificates/bootstrap.js';
import type { HumanHandle } from '../certificates/types.js';
import { SecretKey } from '../keys/index.js';
import type { LocalDevice } from '../storage/device-file.js';
import { expectOk, type AnonymousTransport } from '../transport/transport.js';

/** Options of `bootstrapDevice`. */
export interface BootstrapDeviceOptions {
  /** Anonymous transport of the organisation to bootstrap. */
  readonly transport: AnonymousTransport;
  readonly organizationId: OrganizationId;
  /** The secret the server operator got when creating the organisation. */
  readonly bootstrapToken: Uint8Array;
  readonly humanHandle: HumanHandle;
  readonly deviceLabel: string;
  readonly clock?: Clock;
  readonly serverUrl?: string;
}

/**
 * Bootstraps the organisation and returns the first admin's device (fresh local storage key).
 * The root signing key is created, used and forgotten here: keep the device (e.g. in a
 * `DeviceFileStore`), it is the only way into the organisation.
 * @throws {@link TransportError} `transport/already_bootstrapped`, `transport/authentication_failed`
 *   (wrong token), `transport/organization_not_found`, `transport/network`, ….
 * @throws {@link CodecError} for an invalid human handle or device label.
 * @example
 * ```ts
 * const device = await bootstrapDevice({
 *   transport: new HttpAnonymousTransport({ url, organizationId }),
 *   organizationId,
 *   bootstrapToken: fromBase64Url(printedToken),           // printed by sealsync-server
 *   humanHandle: { email: 'alice@example.org', label: 'Alice' },
 *   deviceLabel: 'laptop',
 *   serverUrl: url,
 * });
 * ```
 */
export async function bootstrapDevice(options: BootstrapDeviceOptions): Promise<LocalDevice> {
  const r = await bootstrapOrganization({
    humanHandle: options.humanHandle,
    deviceLabel: options.deviceLabel,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  expectOk(
    await options.transport.send({
      cmd: 'organization_bootstrap',
      bootstrapToken: options.bootstrapToken,
      rootVerifyKey: r.rootVerifyKey.toBytes(),
      userCertificate: r.certificates[0]!,
      deviceCertificate: r.certificates[1]!,
    }),
  );
  return {
    organizationId: options.organizationId,
    userId: r.user.userId,
    deviceId: r.device.deviceId,
    deviceLabel: options.deviceLabel,
    humanHandle: { email: options.humanHandle.email, label: options.humanHandle.label },
    signingKey: r.device.signingKey,
    userPrivateKey: r.user.privateKey,
    rootVerifyKey: r.rootVerifyKey,
    localStorageKey: SecretKey.generate(),
    ...(options.serverUrl !== undefined ? { serverUrl: options.serverUrl } : {}),
  };
}
