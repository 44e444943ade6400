/**
 * The fixed device of the frozen device-file vector, and the generator that wrote
 * test/vectors/formats/device-file-v1.json (run once: `npx tsx test/storage/device-file-fixture.ts`;
 * the vector is frozen, so never regenerate it for an existing format version).
 */
import { writeFileSync } from 'node:fs';
import { fromHex, toHex } from '../../src/bytes.js';
import type { DeviceId, OrganizationId, UserId } from '../../src/codec/ids.js';
import { PrivateKey, SecretKey, SigningKey } from '../../src/keys/index.js';
import { type LocalDevice, saveDeviceFile } from '../../src/storage/device-file.js';

const seq = (start: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (start + i) & 0xff);

export const VECTOR_PASSWORD = 'correct horse battery staple ✓';
/** Deliberately tiny Argon2 parameters so the vector loads fast (with `allowWeak`). */
export const VECTOR_ARGON2 = { memoryKiB: 64, iterations: 1, parallelism: 1, salt: fromHex('000102030405060708090a0b0c0d0e0f') };

export function fixedDevice(): LocalDevice {
  return {
    organizationId: '0123456789abcdef0123456789abcdef' as OrganizationId,
    userId: '11111111111111111111111111111111' as UserId,
    deviceId: '22222222222222222222222222222222' as DeviceId,
    deviceLabel: 'Alice’s laptop',
    humanHandle: { email: 'alice@example.com', label: 'Alice Liddell' },
    signingKey: SigningKey.fromBytes(seq(0x10)),
    userPrivateKey: PrivateKey.fromBytes(seq(0x40)),
    rootVerifyKey: SigningKey.fromBytes(seq(0x70)).verifyKey,
    localStorageKey: SecretKey.fromBytes(seq(0xa0)),
    serverUrl: 'https://sync.example.com/org',
  };
}

async function main(): Promise<void> {
  const d = fixedDevice();
  const file = await saveDeviceFile(d, VECTOR_PASSWORD, { argon2: VECTOR_ARGON2, allowWeak: true });
  const vector = {
    description:
      'sealsync device file format v1 (src/storage/device-file.ts). Argon2id m=64 KiB, t=1, p=1 (below the minimum: load with allowWeak). Frozen: later versions must still read it.',
    password: VECTOR_PASSWORD,
    argon2: { m: VECTOR_ARGON2.memoryKiB, t: VECTOR_ARGON2.iterations, p: VECTOR_ARGON2.parallelism, salt: toHex(VECTOR_ARGON2.salt) },
    device: {
      organizationId: d.organizationId,
      userId: d.userId,
      deviceId: d.deviceId,
      deviceLabel: d.deviceLabel,
      humanHandle: d.humanHandle,
      signingKey: toHex(d.signingKey.exportSecretBytes()),
      userPrivateKey: toHex(d.userPrivateKey.exportSecretBytes()),
      rootVerifyKey: toHex(d.rootVerifyKey.toBytes()),
      localStorageKey: toHex(d.localStorageKey.exportSecretBytes()),
      serverUrl: d.serverUrl,
    },
    file: toHex(file),
  };
  writeFileSync(new URL('../vectors/formats/device-file-v1.json', import.meta.url), `${JSON.stringify(vector, null, 2)}\n`);
}

if (process.argv[1]?.endsWith('device-file-fixture.ts')) await main();
