/**
 * The strongest Argon2id parameters a device file may ask for. A device file is something anyone
 * can hand you, and its KDF runs before the password is checked: without a cap, a file naming
 * m = 1 GiB, t = 64, p = 16 costs minutes of CPU and ~1 GiB of memory before "wrong password".
 * The cap is checked on the decoded header, before any KDF work.
 * @module
 */
import { StorageError } from '../errors.js';
import type { Argon2Costs } from '../keys/index.js';

export type { Argon2Costs };

/**
 * Default cap of a device file's Argon2id parameters: m ≤ 256 MiB, t ≤ 16, p ≤ 4, and a total work
 * m × t ≤ `MAX_DEVICE_FILE_ARGON2_WORK`. The default (m = 64 MiB, t = 3) is well inside.
 */
export const MAX_DEVICE_FILE_ARGON2: Readonly<Argon2Costs> = Object.freeze({ memoryKiB: 256 * 1024, iterations: 16, parallelism: 4 });

/**
 * Most memory × passes (KiB × t) a device file may ask for: 4× the default's 64 MiB × 3
 * (about 8 s with the pure-TypeScript Argon2id measured here, ~2 s for the default).
 */
export const MAX_DEVICE_FILE_ARGON2_WORK = 4 * 64 * 1024 * 3;

/**
 * Throws `StorageError` `storage/excessive-kdf-params` when `params` ask for more than `max`
 * (default `MAX_DEVICE_FILE_ARGON2`) or more than `maxWork` memory × passes. Pure and instant:
 * called before any KDF work.
 */
export function checkDeviceFileKdf(
  params: Argon2Costs,
  max: Readonly<Argon2Costs> = MAX_DEVICE_FILE_ARGON2,
  maxWork = MAX_DEVICE_FILE_ARGON2_WORK,
): void {
  const { memoryKiB: m, iterations: t, parallelism: p } = params;
  if (m > max.memoryKiB || t > max.iterations || p > max.parallelism || m * t > maxWork) {
    throw new StorageError(
      'storage/excessive-kdf-params',
      `device file asks for Argon2id m=${m} KiB, t=${t}, p=${p}: beyond the cap m≤${max.memoryKiB} KiB, t≤${max.iterations}, p≤${max.parallelism}, m×t≤${maxWork}`,
    );
  }
}
