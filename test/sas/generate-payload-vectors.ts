/**
 * One-off generator of test/vectors/formats/sas-payloads-v1.json (run: `npx tsx
 * test/sas/generate-payload-vectors.ts`): the four channel payload documents of DESIGN §5 steps
 * 6–7 and the step-8 acknowledgement, encoded and sealed under the channel key of sas-v1.json
 * case 0. The file is committed data that later versions must still read (DESIGN §3): this script
 * REFUSES to overwrite it. A new format version gets a new file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fromHex, toHex } from '../../src/bytes.js';
import type { DeviceId, InvitationToken, UserId } from '../../src/codec/ids.js';
import { signCertificate } from '../../src/certificates/sign.js';
import { PrivateKey, SecretKey, SigningKey } from '../../src/keys/index.js';
import { deviceClaimDocument, deviceConfirmationDocument, INVITE_ACK, payloadAad, userClaimDocument, userConfirmationDocument } from '../../src/sas/index.js';

const OUT = new URL('../vectors/formats/sas-payloads-v1.json', import.meta.url);
if (existsSync(OUT)) {
  console.error(`${OUT.pathname} exists: frozen vectors are never regenerated`);
  process.exit(1);
}

const schedule = JSON.parse(readFileSync(new URL('../vectors/formats/sas-v1.json', import.meta.url), 'utf8')).cases[0];
const token = schedule.token as InvitationToken;
const channelKey = SecretKey.fromBytes(fromHex(schedule.channel_key));
const fill = (n: number, len = 32) => new Uint8Array(len).fill(n);

const claimerSigning = SigningKey.fromBytes(fill(0x61));
const claimerUser = PrivateKey.fromBytes(fill(0x62));
const greeterSigning = SigningKey.fromBytes(fill(0x63));
const greeterDevice = toHex(fill(0x64, 16)) as DeviceId;
const userId = toHex(fill(0x65, 16)) as UserId;
const deviceId = toHex(fill(0x66, 16)) as DeviceId;
const timestamp = 1_700_000_000_000_000;
const handle = { email: 'bob@example.com', label: 'Bob' };
const label = 'bob-phone';
/** The committed file was generated with certificate format v1; the script now writes v2 links. */
const LINK = { position: 3, prev: new Uint8Array(32).fill(0x67), commonHead: null };

const userCertificate = await signCertificate(greeterSigning, {
  type: 'user', author: greeterDevice, timestamp, userId, humanHandle: handle, publicKey: claimerUser.publicKey, profile: 'STANDARD',
}, LINK);
const deviceCertificate = await signCertificate(greeterSigning, {
  type: 'device', author: greeterDevice, timestamp, userId, deviceId, deviceLabel: label, verifyKey: claimerSigning.verifyKey,
}, LINK);

const documents = {
  invite_user_claim: userClaimDocument.encode({
    user_public_key: claimerUser.publicKey.toBytes(),
    device_verify_key: claimerSigning.verifyKey.toBytes(),
    requested_human_handle: handle,
    requested_device_label: label,
  }),
  invite_user_confirmation: userConfirmationDocument.encode({ user_certificate: userCertificate, device_certificate: deviceCertificate }),
  invite_device_claim: deviceClaimDocument.encode({ device_verify_key: claimerSigning.verifyKey.toBytes(), requested_device_label: label }),
  invite_device_confirmation: deviceConfirmationDocument.encode({
    user_private_key: claimerUser.exportSecretBytes(),
    user_certificate: userCertificate,
    device_certificate: deviceCertificate,
  }),
};
const stepOf = { invite_user_claim: 6, invite_user_confirmation: 7, invite_device_claim: 6, invite_device_confirmation: 7 } as const;

const out: Record<string, unknown> = {
  description:
    'sealsync SAS channel payloads v1 (DESIGN §5 steps 6-8, src/sas/payloads.ts, src/sas/ack.ts), sealed under the channel key of sas-v1.json case 0, attempt 1. Generated once; never regenerate.',
  token,
  attempt: 1,
  channel_key: schedule.channel_key,
  keys: {
    claimer_signing_seed: toHex(fill(0x61)),
    claimer_user_private_key: toHex(fill(0x62)),
    greeter_signing_seed: toHex(fill(0x63)),
  },
  fields: { greeter_device: greeterDevice, user_id: userId, device_id: deviceId, timestamp, human_handle: handle, device_label: label },
  user_certificate: toHex(userCertificate),
  device_certificate: toHex(deviceCertificate),
  documents: {} as Record<string, unknown>,
  ack: { plaintext: toHex(INVITE_ACK), step: 8, sealed: toHex(await channelKey.encrypt(INVITE_ACK, payloadAad(token, 1, 8))) },
};
for (const [name, bytes] of Object.entries(documents)) {
  const step = stepOf[name as keyof typeof stepOf];
  (out.documents as Record<string, unknown>)[name] = { step, encoded: toHex(bytes), sealed: toHex(await channelKey.encrypt(bytes, payloadAad(token, 1, step))) };
}
writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${OUT.pathname}`);
