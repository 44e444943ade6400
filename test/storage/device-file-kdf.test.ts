/**
 * Device-file KDF caps (issue 19): a device file naming extreme Argon2id parameters is refused
 * from its header, before any KDF work. If the KDF ran, the extreme cases below would take
 * minutes and gigabytes and this file would time out; no timing is asserted.
 */
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborMap } from '../../src/codec/index.js';
import { StorageError } from '../../src/errors.js';
import { loadDeviceFile, saveDeviceFile } from '../../src/storage/device-file.js';
import { checkDeviceFileKdf, MAX_DEVICE_FILE_ARGON2, MAX_DEVICE_FILE_ARGON2_WORK } from '../../src/storage/device-file-kdf.js';
import { fixedDevice } from './device-file-fixture.js';

const WEAK = { argon2: { memoryKiB: 64, iterations: 1, parallelism: 1 }, allowWeak: true } as const;

function withArgon2(file: Uint8Array, m: number, t: number, p: number): Uint8Array {
  const doc = decodeCbor(file) as CborMap;
  const a = doc.get('argon2') as CborMap;
  a.set('m', m);
  a.set('t', t);
  a.set('p', p);
  return encodeCbor(doc);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(StorageError);
  return (e as StorageError).code;
}

describe('device file Argon2id caps', () => {
  it('extreme stored parameters are refused with storage/excessive-kdf-params before any work', async () => {
    const file = await saveDeviceFile(fixedDevice(), 'pw', WEAK);
    const extreme: [number, number, number][] = [
      [0xffffffff, 0xffffffff, 0xffffffff],
      [1 << 20, 64, 16], // the old structural maximum: minutes of CPU, 1 GiB
      [MAX_DEVICE_FILE_ARGON2.memoryKiB + 1, 1, 1],
      [64, MAX_DEVICE_FILE_ARGON2.iterations + 1, 1],
      [64, 1, MAX_DEVICE_FILE_ARGON2.parallelism + 1],
      [MAX_DEVICE_FILE_ARGON2.memoryKiB, 16, 1], // each within its cap, total work beyond
    ];
    for (const [m, t, p] of extreme) {
      expect(await codeOf(loadDeviceFile(withArgon2(file, m, t, p), 'pw', { allowWeak: true })), `${m}/${t}/${p}`).toBe('storage/excessive-kdf-params');
    }
    // The same file with its own parameters still loads (the edit is what was refused).
    expect((await loadDeviceFile(file, 'pw', { allowWeak: true })).deviceId).toBe(fixedDevice().deviceId);
  });

  it('an app can lower the cap; saving beyond the cap is refused too (no file we would not read)', async () => {
    const file = await saveDeviceFile(fixedDevice(), 'pw', WEAK);
    expect(await codeOf(loadDeviceFile(file, 'pw', { allowWeak: true, maxArgon2: { memoryKiB: 32, iterations: 1, parallelism: 1 } }))).toBe(
      'storage/excessive-kdf-params',
    );
    expect(await codeOf(saveDeviceFile(fixedDevice(), 'pw', { argon2: { memoryKiB: 1 << 20, iterations: 3, parallelism: 1 } }))).toBe(
      'storage/excessive-kdf-params',
    );
  });

  it('the default parameters are inside the cap, with room', () => {
    expect(() => checkDeviceFileKdf({ memoryKiB: 65536, iterations: 3, parallelism: 1 })).not.toThrow();
    expect(65536 * 3 * 4).toBe(MAX_DEVICE_FILE_ARGON2_WORK);
  });
});
