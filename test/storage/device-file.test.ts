import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { decodeCbor, encodeCbor } from '../../src/codec/index.js';
import type { CborMap } from '../../src/codec/index.js';
import { ArgumentError, StorageError, UnsupportedFormatError } from '../../src/errors.js';
import { MIN_ARGON2_PARAMS } from '../../src/keys/index.js';
import { type LocalDevice, loadDeviceFile, saveDeviceFile } from '../../src/storage/device-file.js';
import { VECTOR_ARGON2, VECTOR_PASSWORD, fixedDevice } from './device-file-fixture.js';

const WEAK = { argon2: { memoryKiB: 64, iterations: 1, parallelism: 1 }, allowWeak: true } as const;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
}

async function expectCode(p: Promise<unknown>, cls: new (...a: never[]) => Error, code: string): Promise<void> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(cls);
  expect((e as { code: string }).code).toBe(code);
}

function expectSameDevice(a: LocalDevice, b: LocalDevice): void {
  expect(a.organizationId).toBe(b.organizationId);
  expect(a.userId).toBe(b.userId);
  expect(a.deviceId).toBe(b.deviceId);
  expect(a.deviceLabel).toBe(b.deviceLabel);
  expect(a.humanHandle).toEqual(b.humanHandle);
  expect(a.serverUrl).toBe(b.serverUrl);
  expect(a.signingKey.exportSecretBytes()).toEqual(b.signingKey.exportSecretBytes());
  expect(a.userPrivateKey.exportSecretBytes()).toEqual(b.userPrivateKey.exportSecretBytes());
  expect(a.rootVerifyKey.toBytes()).toEqual(b.rootVerifyKey.toBytes());
  expect(a.localStorageKey.exportSecretBytes()).toEqual(b.localStorageKey.exportSecretBytes());
}

/** Re-encodes a device file after `edit` changes its decoded map. */
function editFile(file: Uint8Array, edit: (m: CborMap) => void): Uint8Array {
  const m = decodeCbor(file) as CborMap;
  edit(m);
  return encodeCbor(m);
}

describe('device files', () => {
  it('round trip (with and without serverUrl), usable keys', async () => {
    const d = fixedDevice();
    const file = await saveDeviceFile(d, 'pw', WEAK);
    const back = await loadDeviceFile(file, 'pw', { allowWeak: true });
    expectSameDevice(back, d);
    const msg = new Uint8Array([1, 2, 3]);
    expect(await back.rootVerifyKey.verify(msg, await fixedDevice().signingKey.sign(msg))).toBe(false);
    expect(await back.signingKey.verifyKey.verify(msg, await back.signingKey.sign(msg))).toBe(true);

    const { serverUrl: _omit, ...noUrl } = d;
    const back2 = await loadDeviceFile(await saveDeviceFile(noUrl, 'pw', WEAK), 'pw', { allowWeak: true });
    expect(back2.serverUrl).toBeUndefined();
    expect('serverUrl' in back2).toBe(false);
  });

  it('the file holds no plaintext secrets or identities', async () => {
    const d = fixedDevice();
    const hex = toHex(await saveDeviceFile(d, 'pw', WEAK));
    for (const secret of [d.signingKey.exportSecretBytes(), d.userPrivateKey.exportSecretBytes(), d.localStorageKey.exportSecretBytes(), fromHex(d.userId)]) {
      expect(hex.includes(toHex(secret).slice(0, 16))).toBe(false);
    }
    expect(hex.includes(toHex(new TextEncoder().encode('alice@')))).toBe(false);
  });

  it('the password is NFC-normalised: composed and decomposed spellings both open the file', async () => {
    const file = await saveDeviceFile(fixedDevice(), 'caf\u00e9', WEAK);
    expect((await loadDeviceFile(file, 'cafe\u0301', { allowWeak: true })).deviceId).toBe(fixedDevice().deviceId);
  });

  it('a wrong password is storage/wrong-password', async () => {
    const file = await saveDeviceFile(fixedDevice(), 'right', WEAK);
    await expectCode(loadDeviceFile(file, 'wrong', { allowWeak: true }), StorageError, 'storage/wrong-password');
    await expectCode(loadDeviceFile(file, 'Right', { allowWeak: true }), StorageError, 'storage/wrong-password');
  });

  it('stored parameters weaker than the minimum are refused on read ', async () => {
    const file = await saveDeviceFile(fixedDevice(), 'pw', WEAK);
    await expectCode(loadDeviceFile(file, 'pw'), StorageError, 'storage/weak-kdf-params');
    // Only t too low, with m at the minimum:
    const tLow = await saveDeviceFile(fixedDevice(), 'pw', { argon2: { memoryKiB: MIN_ARGON2_PARAMS.memoryKiB, iterations: 1 }, allowWeak: true });
    await expectCode(loadDeviceFile(tLow, 'pw'), StorageError, 'storage/weak-kdf-params');
  });

  it('saving with weak parameters is refused unless allowWeak', async () => {
    await expectCode(saveDeviceFile(fixedDevice(), 'pw', { argon2: { memoryKiB: 64, iterations: 1 } }), StorageError, 'storage/weak-kdf-params');
  });

  it('the minimum parameters are accepted without allowWeak', async () => {
    const file = await saveDeviceFile(fixedDevice(), 'pw', { argon2: { ...MIN_ARGON2_PARAMS } });
    expectSameDevice(await loadDeviceFile(file, 'pw'), fixedDevice());
  });

  it('lowering the stored parameters of a strong file is refused, and cannot pass as valid', async () => {
    const file = await saveDeviceFile(fixedDevice(), 'pw', WEAK);
    // An attacker edits m (still accepted with allowWeak): the derived key changes, so the check fails.
    const edited = editFile(file, (m) => (m.get('argon2') as CborMap).set('m', 72));
    await expectCode(loadDeviceFile(edited, 'pw', { allowWeak: true }), StorageError, 'storage/wrong-password');
    // Absurd parameters are refused before anything runs (beyond the cap: device-file-kdf.test.ts).
    const absurd = editFile(file, (m) => (m.get('argon2') as CborMap).set('m', 0xffffffff));
    await expectCode(loadDeviceFile(absurd, 'pw', { allowWeak: true }), StorageError, 'storage/excessive-kdf-params');
    const zeroP = editFile(file, (m) => (m.get('argon2') as CborMap).set('p', 0));
    await expectCode(loadDeviceFile(zeroP, 'pw', { allowWeak: true }), StorageError, 'storage/corrupt');
  });

  it('an altered ciphertext or check under the right password is storage/corrupt', async () => {
    const file = await saveDeviceFile(fixedDevice(), 'pw', WEAK);
    const ct = editFile(file, (m) => {
      const c = (m.get('ciphertext') as Uint8Array).slice();
      c[20] = c[20]! ^ 1;
      m.set('ciphertext', c);
    });
    await expectCode(loadDeviceFile(ct, 'pw', { allowWeak: true }), StorageError, 'storage/corrupt');
    const check = editFile(file, (m) => {
      const c = (m.get('check') as Uint8Array).slice();
      c[0] = c[0]! ^ 1;
      m.set('check', c);
    });
    await expectCode(loadDeviceFile(check, 'pw', { allowWeak: true }), StorageError, 'storage/wrong-password');
  });

  it('malformed bytes are storage/corrupt, a newer version is UnsupportedFormatError', async () => {
    const file = await saveDeviceFile(fixedDevice(), 'pw', WEAK);
    for (const bad of [new Uint8Array(0), new Uint8Array([0xff]), file.subarray(0, file.length - 1), new Uint8Array([...file, 0])]) {
      await expectCode(loadDeviceFile(bad, 'pw', { allowWeak: true }), StorageError, 'storage/corrupt');
    }
    await expectCode(loadDeviceFile('nope' as unknown as Uint8Array, 'pw'), StorageError, 'storage/corrupt');
    await expectCode(loadDeviceFile(editFile(file, (m) => m.set('type', 'device')), 'pw'), StorageError, 'storage/corrupt');
    await expectCode(loadDeviceFile(editFile(file, (m) => m.delete('check')), 'pw'), StorageError, 'storage/corrupt');
    await expectCode(loadDeviceFile(editFile(file, (m) => m.set('v', 2)), 'pw'), UnsupportedFormatError, 'format/unsupported-version');
    // Every single-byte truncation is refused with a sealsync error, never a crash.
    for (let n = 0; n < file.length; n += 7) {
      const e = await rejection(loadDeviceFile(file.subarray(0, n), 'pw', { allowWeak: true }));
      expect(e).toBeInstanceOf(StorageError);
    }
  });

  it('a file larger than any device file (padded with an unknown field) is storage/corrupt before any Argon2 work', async () => {
    // Unknown fields are ignored by format evolution, so only the size bound stops a planted
    // multi-megabyte "device file" from being parsed and kept in memory.
    const file = await saveDeviceFile(fixedDevice(), 'pw', WEAK);
    const padded = editFile(file, (m) => m.set('zz_padding', new Uint8Array(70 * 1024)));
    await expectCode(loadDeviceFile(padded, 'pw', { allowWeak: true }), StorageError, 'storage/corrupt');
    const small = editFile(file, (m) => m.set('zz_extra', new Uint8Array(16)));
    expectSameDevice(await loadDeviceFile(small, 'pw', { allowWeak: true }), fixedDevice());
  });

  it('refuses an empty password and keys of the wrong class', async () => {
    await expectCode(saveDeviceFile(fixedDevice(), '', WEAK), ArgumentError, 'argument/invalid');
    await expectCode(loadDeviceFile(new Uint8Array(1), ''), ArgumentError, 'argument/invalid');
    const bad = { ...fixedDevice(), signingKey: new Uint8Array(32) } as unknown as LocalDevice;
    await expectCode(saveDeviceFile(bad, 'pw', WEAK), ArgumentError, 'argument/invalid');
  });

  it('frozen vector device-file-v1.json still decodes', async () => {
    const v = JSON.parse(readFileSync(new URL('../vectors/formats/device-file-v1.json', import.meta.url), 'utf8')) as {
      password: string;
      argon2: { m: number; t: number; p: number; salt: string };
      device: Record<string, unknown>;
      file: string;
    };
    expect(v.password).toBe(VECTOR_PASSWORD);
    expect(v.argon2).toEqual({ m: VECTOR_ARGON2.memoryKiB, t: VECTOR_ARGON2.iterations, p: VECTOR_ARGON2.parallelism, salt: toHex(VECTOR_ARGON2.salt) });
    const file = fromHex(v.file);
    const d = await loadDeviceFile(file, v.password, { allowWeak: true });
    expectSameDevice(d, fixedDevice());
    expect(toHex(d.signingKey.exportSecretBytes())).toBe(v.device.signingKey);
    expect(toHex(d.rootVerifyKey.toBytes())).toBe(v.device.rootVerifyKey);
    expect(toHex(d.localStorageKey.exportSecretBytes())).toBe(v.device.localStorageKey);
    const header = decodeCbor(file) as CborMap;
    expect([...header.keys()].sort()).toEqual(['argon2', 'check', 'ciphertext', 'type', 'v']);
    await expectCode(loadDeviceFile(file, v.password), StorageError, 'storage/weak-kdf-params');
    await expectCode(loadDeviceFile(file, 'not it', { allowWeak: true }), StorageError, 'storage/wrong-password');
  });
});
