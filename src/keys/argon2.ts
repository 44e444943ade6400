/**
 * Password-based keys: Argon2id v1.3 (RFC 9106) via @noble/hashes, with the parameters stored
 * beside the ciphertext (crypto suite v1).
 * @module
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { utf8Encode } from '../bytes.js';
import { assertBytes, cryptoError } from './errors.js';
import { randomBytes } from './random.js';
import { SecretKey } from './secret-key.js';

/** Argon2id cost parameters and salt, stored next to whatever the derived key protects. */
export interface Argon2Params {
  /** Memory in KiB (RFC 9106 `m`). */
  memoryKiB: number;
  /** Passes over memory (RFC 9106 `t`). */
  iterations: number;
  /** Lanes (RFC 9106 `p`). */
  parallelism: number;
  salt: Uint8Array;
}

/** The cost parameters of {@link Argon2Params}, without the salt (for defaults and bounds). */
export type Argon2Costs = Omit<Argon2Params, 'salt'>;

/** What new secrets are protected with: m = 64 MiB, t = 3, p = 1 (RFC 9106 §4 second choice). */
export const DEFAULT_ARGON2_PARAMS: Readonly<Argon2Costs> = Object.freeze({ memoryKiB: 65536, iterations: 3, parallelism: 1 });
/** The weakest parameters accepted on read (OWASP's Argon2id floor: m = 19 MiB, t = 2, p = 1). */
export const MIN_ARGON2_PARAMS: Readonly<Argon2Costs> = Object.freeze({ memoryKiB: 19456, iterations: 2, parallelism: 1 });

/**
 * Upper bounds on stored parameters: they come from a file an attacker may have written, and
 * m = 2^32 KiB or t = 2^32 would exhaust memory or time before any password is checked.
 */
export const MAX_ARGON2_PARAMS: Readonly<Argon2Costs> = Object.freeze({ memoryKiB: 1 << 20, iterations: 64, parallelism: 16 });

/** Length in bytes of the random salt `newArgon2Params` draws (RFC 9106 §3.1 recommends 16). */
export const ARGON2_SALT_LENGTH = 16;
/** RFC 9106 §3.1: salt at least 8 bytes. */
const MIN_SALT_LENGTH = 8;

/** Fresh parameters: the defaults, any `overrides`, and a new random 16-byte salt. */
export function newArgon2Params(overrides: Partial<Argon2Params> = {}): Argon2Params {
  return { ...DEFAULT_ARGON2_PARAMS, salt: randomBytes(ARGON2_SALT_LENGTH), ...overrides };
}

function isUint(n: unknown, min: number, max: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}

/**
 * Structural checks (always) and strength checks (unless `allowWeak`). Throws
 * `crypto/invalid-input` for malformed or absurd parameters, `crypto/weak-kdf-params` for
 * parameters below `MIN_ARGON2_PARAMS`.
 */
export function checkArgon2Params(params: Argon2Params, allowWeak = false): void {
  if (typeof params !== 'object' || params === null) throw cryptoError('crypto/invalid-input', 'Argon2 params must be an object');
  const { memoryKiB, iterations, parallelism, salt } = params;
  if (!isUint(parallelism, 1, MAX_ARGON2_PARAMS.parallelism)) {
    throw cryptoError('crypto/invalid-input', `Argon2 parallelism must be 1..${MAX_ARGON2_PARAMS.parallelism}`);
  }
  // RFC 9106 §3.1: m >= 8 * p.
  if (!isUint(memoryKiB, 8 * parallelism, MAX_ARGON2_PARAMS.memoryKiB)) {
    throw cryptoError('crypto/invalid-input', `Argon2 memory must be ${8 * parallelism}..${MAX_ARGON2_PARAMS.memoryKiB} KiB`);
  }
  if (!isUint(iterations, 1, MAX_ARGON2_PARAMS.iterations)) {
    throw cryptoError('crypto/invalid-input', `Argon2 iterations must be 1..${MAX_ARGON2_PARAMS.iterations}`);
  }
  assertBytes(salt, 'Argon2 salt');
  if (salt.length < MIN_SALT_LENGTH) throw cryptoError('crypto/invalid-input', `Argon2 salt must be at least ${MIN_SALT_LENGTH} bytes`);
  if (!allowWeak && (memoryKiB < MIN_ARGON2_PARAMS.memoryKiB || iterations < MIN_ARGON2_PARAMS.iterations)) {
    throw cryptoError(
      'crypto/weak-kdf-params',
      `Argon2 parameters m=${memoryKiB} KiB, t=${iterations} are weaker than m=${MIN_ARGON2_PARAMS.memoryKiB}, t=${MIN_ARGON2_PARAMS.iterations}`,
    );
  }
}

/** Raw Argon2id v1.3 with the optional RFC 9106 secret `K` and associated data `X`. */
export async function argon2idRaw(
  password: Uint8Array,
  params: Argon2Params,
  opts: { secret?: Uint8Array; associatedData?: Uint8Array; length?: number; allowWeak?: boolean } = {},
): Promise<Uint8Array> {
  assertBytes(password, 'password');
  checkArgon2Params(params, opts.allowWeak === true);
  const length = opts.length ?? 32;
  if (!isUint(length, 4, 1024)) throw cryptoError('crypto/invalid-input', 'Argon2 output length must be 4..1024');
  try {
    return await argon2idAsync(password, params.salt, {
      m: params.memoryKiB,
      t: params.iterations,
      p: params.parallelism,
      dkLen: length,
      version: 0x13,
      maxmem: (MAX_ARGON2_PARAMS.memoryKiB + 1) * 1024,
      ...(opts.secret === undefined ? {} : { key: opts.secret }),
      ...(opts.associatedData === undefined ? {} : { personalization: opts.associatedData }),
    });
  } catch (cause) {
    throw cryptoError('crypto/invalid-input', 'Argon2id refused its input', cause);
  }
}

/**
 * Derives a `SecretKey` from a password with Argon2id. The password is NFC-normalised first so
 * that the same password typed on different systems gives the same key.
 * Throws `crypto/weak-kdf-params` when `params` are weaker than `MIN_ARGON2_PARAMS` unless
 * `opts.allowWeak` (tests only), `crypto/invalid-input` for malformed parameters.
 */
export async function deriveKeyFromPassword(
  password: string,
  params: Argon2Params,
  opts: { allowWeak?: boolean } = {},
): Promise<SecretKey> {
  if (typeof password !== 'string') throw cryptoError('crypto/invalid-input', 'password must be a string');
  const raw = await argon2idRaw(utf8Encode(password.normalize('NFC')), params, { allowWeak: opts.allowWeak === true });
  return SecretKey.fromBytes(raw);
}
