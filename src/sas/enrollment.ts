/**
 * What an invitation produces (the SAS protocol): the payload semantics behind the state machines.
 *
 * User invitation: the claimer generates the new user's X25519 key pair and its device's Ed25519
 * key and sends only the public halves; the greeter (an ADMIN device) signs the `user` and first
 * `device` certificates with one timestamp; the claimer checks that they describe exactly its keys.
 * Device invitation: the claimer generates a device key; the greeter (a device of the same user)
 * signs a `device` certificate and sends the user's private key inside the channel.
 *
 * The claimer cannot verify the certificates' signatures here (it does not know the greeter's
 * device key yet): it pins the root verify key from the link, and the certificates are verified
 * against the whole chain when its `CertificateStore` ingests them from the server. What it checks
 * here is that the certificates are about its own keys: a greeter that swapped a key would make
 * an unusable device, and the mismatch is reported as `inconsistent-payload`.
 * @module
 */
import { equalBytes, toHex } from '../bytes.js';
import { newId, type DeviceId, type OrganizationId, type UserId } from '../codec/ids.js';
import { systemClock, type Clock } from '../codec/timestamps.js';
import { linkAfter } from '../certificates/chain.js';
import { readCertificate, signCertificate } from '../certificates/sign.js';
import type { ChainLink, DeviceCertificate, HumanHandle, UserCertificate, UserProfile } from '../certificates/types.js';
import { InvitationError } from '../errors.js';
import { PrivateKey, PublicKey, randomBytes, SigningKey, VerifyKey } from '../keys/index.js';
import type { BackendCheck, ClaimerBackend, GreeterBackend } from './compute.js';
import type { InvitationKind } from './invitation.js';
import { deviceClaimDocument, deviceConfirmationDocument, userClaimDocument, userConfirmationDocument } from './payloads.js';
import type { RandomSource } from './sas-code.js';

/** The device that signs the new certificates. */
export interface GreeterAuthor {
  readonly deviceId: DeviceId;
  readonly signingKey: SigningKey;
}

/** Greeter of a user invitation: an ADMIN device invites `email`. */
export interface UserGreeterContext {
  readonly kind: 'user';
  readonly author: GreeterAuthor;
  /** The invited email; the claim must ask for this one (case-insensitive). */
  readonly email: string;
  /** Profile of the new user; default `STANDARD`. */
  readonly profile?: UserProfile;
  /** Clock for the certificates' timestamp; default the system clock. */
  readonly clock?: Clock;
  /** Id generator (tests); default random. */
  readonly newId?: () => string;
  /** Chain link of the next common certificate, read when signing (`() => store.nextLink('common')`). */
  readonly link: () => ChainLink;
}

/** Greeter of a device invitation: one of the user's devices. */
export interface DeviceGreeterContext {
  /** Discriminant: enrolls a new device of an existing user. */
  readonly kind: 'device';
  /** The greeting device, which signs the new device's certificate. */
  readonly author: GreeterAuthor;
  /** The user the new device belongs to (the greeter's own user). */
  readonly userId: UserId;
  /** The user's private key, handed to the new device inside the encrypted confirmation. */
  readonly userPrivateKey: PrivateKey;
  /** The user's signed `user` certificate (sent so the new device can check the private key). */
  readonly userCertificate: Uint8Array;
  readonly clock?: Clock;
  /** Id generator (tests); default random. */
  readonly newId?: () => string;
  /** Chain link of the next common certificate, read when signing (`() => store.nextLink('common')`). */
  readonly link: () => ChainLink;
}

/** What the greeter needs to sign the new user's or new device's certificates. */
export type GreeterContext = UserGreeterContext | DeviceGreeterContext;

/** Greeter outcome: signed certificates to ingest (topic `common`, in order) and upload. */
export type GreeterOutcome =
  | {
      readonly kind: 'user';
      readonly userCertificate: UserCertificate;
      readonly deviceCertificate: DeviceCertificate;
      readonly certificates: readonly Uint8Array[];
    }
  | { readonly kind: 'device'; readonly deviceCertificate: DeviceCertificate; readonly certificates: readonly Uint8Array[] };

/** Claimer setup: what the link gave, plus the labels the new user wishes. */
export interface ClaimerContext {
  readonly kind: InvitationKind;
  readonly organizationId: OrganizationId;
  readonly rootVerifyKey: VerifyKey;
  readonly requestedDeviceLabel: string;
  /** Required for a user invitation. */
  readonly requestedHumanHandle?: HumanHandle;
  /** Source of the new keys (tests); default the CSPRNG. */
  readonly random?: RandomSource;
}

/** A complete local device, ready to be saved in a device file. */
export interface ClaimedDevice {
  readonly organizationId: OrganizationId;
  readonly rootVerifyKey: VerifyKey;
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly deviceLabel: string;
  readonly humanHandle: HumanHandle;
  readonly profile: UserProfile;
  readonly userPrivateKey: PrivateKey;
  readonly signingKey: SigningKey;
  /** The signed certificates received (user then device), as the server will serve them. */
  readonly certificates: readonly Uint8Array[];
}

interface ClaimerPending {
  readonly userPrivateKey?: PrivateKey;
  readonly signingKey: SigningKey;
}

function fail(detail: string): { ok: false; detail: string } {
  return { ok: false, detail };
}

function wrongKind(expected: InvitationKind, got: InvitationKind): InvitationError {
  return new InvitationError('invitation/wrong-kind', `this backend handles ${expected} invitations, not ${got}`);
}

/** The greeter's backend. Certificates are signed by `ctx.author` with one timestamp from `ctx.clock`. */
export function greeterBackend(ctx: GreeterContext): GreeterBackend {
  const clock = ctx.clock ?? systemClock;
  const makeId = ctx.newId ?? (() => newId());
  return {
    async processClaim(kind, claimBytes): Promise<BackendCheck<{ confirmation: Uint8Array; outcome: unknown }>> {
      if (kind !== ctx.kind) throw wrongKind(ctx.kind, kind);
      if (ctx.kind === 'user') {
        const claim = userClaimDocument.decode(claimBytes);
        // The invitation was issued for one email: a claimer asking for another identity is
        // either confused or someone else who got hold of the link.
        if (claim.requested_human_handle.email.normalize('NFC').toLowerCase() !== ctx.email.normalize('NFC').toLowerCase()) {
          return fail('the claim asks for another email than the invited one');
        }
        const publicKey = PublicKey.fromBytes(claim.user_public_key);
        const verifyKey = VerifyKey.fromBytes(claim.device_verify_key);
        const timestamp = clock();
        const userId = makeId() as UserId;
        const userLink = ctx.link();
        const userContent = {
          type: 'user' as const,
          author: ctx.author.deviceId,
          timestamp,
          userId,
          humanHandle: { email: ctx.email, label: claim.requested_human_handle.label },
          publicKey,
          profile: ctx.profile ?? 'STANDARD',
        };
        const userSigned = await signCertificate(ctx.author.signingKey, userContent, userLink);
        const userCertificate: UserCertificate = { ...userContent, chain: userLink };
        const deviceCertificate: DeviceCertificate = {
          type: 'device',
          author: ctx.author.deviceId,
          timestamp,
          chain: linkAfter(userSigned, userLink),
          userId,
          deviceId: makeId() as DeviceId,
          deviceLabel: claim.requested_device_label,
          verifyKey,
        };
        const certificates = [userSigned, await signCertificate(ctx.author.signingKey, deviceCertificate, deviceCertificate.chain)];
        const confirmation = userConfirmationDocument.encode({ user_certificate: certificates[0]!, device_certificate: certificates[1]! });
        const outcome: GreeterOutcome = { kind: 'user', userCertificate, deviceCertificate, certificates };
        return { ok: true, confirmation, outcome };
      }
      const claim = deviceClaimDocument.decode(claimBytes);
      const deviceCertificate: DeviceCertificate = {
        type: 'device',
        author: ctx.author.deviceId,
        timestamp: clock(),
        chain: ctx.link(),
        userId: ctx.userId,
        deviceId: makeId() as DeviceId,
        deviceLabel: claim.requested_device_label,
        verifyKey: VerifyKey.fromBytes(claim.device_verify_key),
      };
      const signed = await signCertificate(ctx.author.signingKey, deviceCertificate, deviceCertificate.chain);
      const confirmation = deviceConfirmationDocument.encode({
        user_private_key: ctx.userPrivateKey.exportSecretBytes(),
        user_certificate: ctx.userCertificate,
        device_certificate: signed,
      });
      const outcome: GreeterOutcome = { kind: 'device', deviceCertificate, certificates: [signed] };
      return { ok: true, confirmation, outcome };
    },
  };
}

/** The claimer's backend: generates its keys, checks the confirmation is about them. */
export function claimerBackend(ctx: ClaimerContext): ClaimerBackend {
  const random = ctx.random ?? randomBytes;
  return {
    async prepareClaim(kind) {
      if (kind !== ctx.kind) throw wrongKind(ctx.kind, kind);
      const signingKey = SigningKey.fromBytes(random(32));
      if (kind === 'user') {
        if (ctx.requestedHumanHandle === undefined) {
          throw new InvitationError('invitation/missing-human-handle', 'a user invitation needs the requested human handle');
        }
        const userPrivateKey = PrivateKey.fromBytes(random(32));
        const claim = userClaimDocument.encode({
          user_public_key: userPrivateKey.publicKey.toBytes(),
          device_verify_key: signingKey.verifyKey.toBytes(),
          requested_human_handle: { email: ctx.requestedHumanHandle.email, label: ctx.requestedHumanHandle.label },
          requested_device_label: ctx.requestedDeviceLabel,
        });
        const pending: ClaimerPending = { userPrivateKey, signingKey };
        return { claim, pending };
      }
      const claim = deviceClaimDocument.encode({
        device_verify_key: signingKey.verifyKey.toBytes(),
        requested_device_label: ctx.requestedDeviceLabel,
      });
      const pending: ClaimerPending = { signingKey };
      return { claim, pending };
    },

    async processConfirmation(kind, bytes, pendingValue): Promise<BackendCheck<{ outcome: unknown }>> {
      if (kind !== ctx.kind) throw wrongKind(ctx.kind, kind);
      const pending = pendingValue as ClaimerPending;
      let userPrivateKey: PrivateKey;
      let userSigned: Uint8Array;
      let deviceSigned: Uint8Array;
      if (kind === 'user') {
        const doc = userConfirmationDocument.decode(bytes);
        userPrivateKey = pending.userPrivateKey!;
        userSigned = doc.user_certificate;
        deviceSigned = doc.device_certificate;
      } else {
        const doc = deviceConfirmationDocument.decode(bytes);
        userPrivateKey = PrivateKey.fromBytes(doc.user_private_key);
        userSigned = doc.user_certificate;
        deviceSigned = doc.device_certificate;
      }
      const user = readCertificate(userSigned, 'user').certificate;
      const device = readCertificate(deviceSigned, 'device').certificate;
      if (!user.publicKey.equals(userPrivateKey.publicKey)) {
        return fail(kind === 'user' ? 'the user certificate is not about our user key' : 'the user private key does not match the user certificate');
      }
      if (!device.verifyKey.equals(pending.signingKey.verifyKey)) return fail('the device certificate is not about our device key');
      if (device.userId !== user.userId) return fail('the device certificate names another user');
      if (device.deviceLabel !== ctx.requestedDeviceLabel) return fail('the device certificate has another label than requested');
      if (device.author === null) return fail('a claimed device is never signed by the root key');
      if (kind === 'user') {
        // the certificate rules: a user's first device has the same author and timestamp as the user.
        if (user.author !== device.author || user.timestamp !== device.timestamp) {
          return fail('the user and first device certificates differ in author or timestamp');
        }
        const asked = ctx.requestedHumanHandle!;
        if (user.humanHandle.email.normalize('NFC').toLowerCase() !== asked.email.normalize('NFC').toLowerCase()) {
          return fail('the user certificate has another email than requested');
        }
      }
      const outcome: ClaimedDevice = {
        organizationId: ctx.organizationId,
        rootVerifyKey: ctx.rootVerifyKey,
        userId: user.userId,
        deviceId: device.deviceId,
        deviceLabel: device.deviceLabel,
        humanHandle: user.humanHandle,
        profile: user.profile,
        userPrivateKey,
        signingKey: pending.signingKey,
        certificates: kind === 'user' ? [userSigned, deviceSigned] : [deviceSigned],
      };
      return { ok: true, outcome };
    },
  };
}

/** Short printable summary of a certificate (examples, logs): never includes key material beyond a fingerprint. */
export function summarizeCertificate(c: UserCertificate | DeviceCertificate): string {
  if (c.type === 'user') {
    return `user ${c.userId} <${c.humanHandle.email}> "${c.humanHandle.label}" ${c.profile} by ${c.author ?? 'root'} at ${c.timestamp} key ${toHex(c.publicKey.toBytes()).slice(0, 16)}…`;
  }
  return `device ${c.deviceId} of ${c.userId} "${c.deviceLabel}" by ${c.author ?? 'root'} at ${c.timestamp} key ${toHex(c.verifyKey.toBytes()).slice(0, 16)}…`;
}

/** True if two signed certificate lists are byte-identical (greeter's and claimer's views agree). */
export function sameCertificates(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((x, i) => equalBytes(x, b[i]!));
}
