/**
 * Frozen format vectors (DESIGN §3) of the SAS channel payloads: test/vectors/formats/
 * sas-payloads-v1.json was generated once by generate-payload-vectors.ts and is committed data.
 * Every later version of sealsync must still open, decode and accept it; the writers must still
 * produce the same canonical bytes. Never regenerate it to make this test pass.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import type { InvitationToken, OrganizationId } from '../../src/codec/ids.js';
import { PrivateKey, SecretKey, SigningKey } from '../../src/keys/index.js';
import {
  claimerBackend,
  deviceClaimDocument,
  deviceConfirmationDocument,
  executeCompute,
  INVITE_ACK,
  payloadAad,
  userClaimDocument,
  userConfirmationDocument,
} from '../../src/sas/index.js';

const V = JSON.parse(readFileSync(new URL('../vectors/formats/sas-payloads-v1.json', import.meta.url), 'utf8'));
const token = V.token as InvitationToken;
const channelKey = SecretKey.fromBytes(fromHex(V.channel_key));
const claimerSigning = SigningKey.fromBytes(fromHex(V.keys.claimer_signing_seed));
const claimerUser = PrivateKey.fromBytes(fromHex(V.keys.claimer_user_private_key));
const docs = { invite_user_claim: userClaimDocument, invite_user_confirmation: userConfirmationDocument, invite_device_claim: deviceClaimDocument, invite_device_confirmation: deviceConfirmationDocument } as const;

async function opened(name: keyof typeof docs): Promise<Uint8Array> {
  const d = V.documents[name];
  const plain = await channelKey.decrypt(fromHex(d.sealed), payloadAad(token, V.attempt, d.step));
  expect(toHex(plain)).toBe(d.encoded);
  return plain;
}

describe('frozen vectors: sas-payloads-v1.json', () => {
  it('the sas-v1 channel key it is sealed under is unchanged', () => {
    const schedule = JSON.parse(readFileSync(new URL('../vectors/formats/sas-v1.json', import.meta.url), 'utf8')).cases[0];
    expect(V.channel_key).toBe(schedule.channel_key);
  });

  it('the acknowledgement opens to the ack constant at step 8', async () => {
    expect(toHex(INVITE_ACK)).toBe(V.ack.plaintext);
    expect(await channelKey.decrypt(fromHex(V.ack.sealed), payloadAad(token, V.attempt, 8))).toEqual(INVITE_ACK);
  });

  it('claims decode to the recorded fields, and the writer still produces the same bytes', async () => {
    const user = userClaimDocument.decode(await opened('invite_user_claim'));
    expect(user.user_public_key).toEqual(claimerUser.publicKey.toBytes());
    expect(user.device_verify_key).toEqual(claimerSigning.verifyKey.toBytes());
    expect(user.requested_human_handle).toEqual(V.fields.human_handle);
    expect(user.requested_device_label).toBe(V.fields.device_label);
    expect(toHex(userClaimDocument.encode(user))).toBe(V.documents.invite_user_claim.encoded);
    const device = deviceClaimDocument.decode(await opened('invite_device_claim'));
    expect(device.device_verify_key).toEqual(claimerSigning.verifyKey.toBytes());
    expect(toHex(deviceClaimDocument.encode(device))).toBe(V.documents.invite_device_claim.encoded);
  });

  for (const kind of ['user', 'device'] as const) {
    // The payload documents are unchanged; the certificates they carry were frozen in certificate
    // format v1, which is now refused (no chain position, see test/certificates/vectors.test.ts).
    it(`${kind} confirmation: decodes, re-encodes identically; the claimer backend refuses its v1 certificates`, async () => {
      const name = kind === 'user' ? 'invite_user_confirmation' : 'invite_device_confirmation';
      const plain = await opened(name);
      const doc = docs[name].decode(plain);
      expect(toHex(doc.user_certificate)).toBe(V.user_certificate);
      expect(toHex(doc.device_certificate)).toBe(V.device_certificate);
      expect(toHex((docs[name] as typeof deviceConfirmationDocument).encode(doc as never))).toBe(V.documents[name].encoded);
      const backend = claimerBackend({
        kind,
        organizationId: '0123456789abcdef0123456789abcdef' as OrganizationId,
        rootVerifyKey: SigningKey.fromBytes(new Uint8Array(32).fill(1)).verifyKey,
        requestedDeviceLabel: V.fields.device_label,
        ...(kind === 'user' ? { requestedHumanHandle: V.fields.human_handle } : {}),
      });
      const pending = kind === 'user' ? { userPrivateKey: claimerUser, signingKey: claimerSigning } : { signingKey: claimerSigning };
      const r = await executeCompute({ op: 'process-confirmation', kind, confirmation: plain, pending }, backend);
      expect(r).toMatchObject({ op: 'process-confirmation', ok: false });
      expect(JSON.stringify(r)).toMatch(/format|unsupported|v1/i);
    });
  }
});
