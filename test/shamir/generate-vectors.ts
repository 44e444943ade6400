/**
 * Writes test/vectors/formats/shamir-v1.json (run once with `npx tsx test/shamir/generate-vectors.ts`;
 * the file is frozen afterwards: later versions must still read it).
 */
import { writeFileSync } from 'node:fs';
import { split } from 'shamir-secret-sharing';
import { toHex } from '../../src/bytes.js';
import type { DeviceId, UserId } from '../../src/codec/ids.js';
import { SigningKey } from '../../src/keys/index.js';
import { encodeShareData, signShamirDocument, type ShamirDocument } from '../../src/shamir/index.js';

const key = SigningKey.fromBytes(new Uint8Array(32).fill(0x16));
const author = 'a1'.repeat(16) as DeviceId;
const userId = 'b2'.repeat(16) as UserId;
const bob = 'c3'.repeat(16) as UserId;
const carol = 'd4'.repeat(16) as UserId;
const timestamp = 1_700_000_000_000_000;
const digest = new Uint8Array(32).fill(0xee);
const docs: ShamirDocument[] = [
  { type: 'shamir_brief', author, timestamp, userId, threshold: 3, recipients: new Map([[bob, 2], [carol, 1]]), secretDigest: digest },
  { type: 'shamir_share', author, timestamp, userId, recipient: bob, briefDigest: digest, cipheredShare: new Uint8Array(90).fill(0x42) },
  { type: 'shamir_deletion', author, timestamp: timestamp + 1, userId, briefDigest: digest },
];
const secret = new Uint8Array(48).map((_, i) => i * 5 + 1);
const shares = await split(secret, 3, 2);
const vectors = {
  description: 'sealsync Shamir recovery formats v1 (signature(64) ‖ deterministic CBOR) and a GF(256) split of shamir-secret-sharing. Frozen: never edit.',
  format: 1,
  verify_key: toHex(key.verifyKey.toBytes()),
  documents: await Promise.all(docs.map(async (d) => ({ type: d.type, signed: toHex(await signShamirDocument(key, d)) }))),
  share_data: toHex(encodeShareData({ userId, recipient: bob, briefDigest: digest, shares: shares.slice(0, 2) })),
  split: { secret: toHex(secret), threshold: 2, shares: shares.map(toHex) },
};
writeFileSync(new URL('../vectors/formats/shamir-v1.json', import.meta.url), `${JSON.stringify(vectors, null, 2)}\n`);
