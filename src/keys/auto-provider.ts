/**
 * The default provider: WebCrypto per primitive where the platform has it and it gives the same
 * answer as noble on a known input (probed once, lazily), noble otherwise. Some browsers lack
 * WebCrypto Ed25519/X25519; Node 20 has everything.
 *
 * On top of that choice, SHA-256, HMAC-SHA256 and HKDF-SHA256 on SMALL inputs are computed by
 * noble synchronously, whatever the probe said (see `SMALL_HASH_THRESHOLD`). Why: sealsync runs
 * many tiny hashes (per-object key derivations, request body digests, commitments, canaries,
 * `prev` hashes of small manifests), and through WebCrypto each is a threadpool round trip of
 * tens of µs, while the hash itself costs a few µs in pure JS. Only latency changes: both
 * implementations return the same bytes (tested across the threshold, plus Wycheproof through
 * this provider), so every device still reaches the same verdict on the same input.
 *
 * Deliberately NOT done for AES-GCM (noble's AES is table-based, not constant-time: keys would
 * leak through cache timing) nor Ed25519/X25519 (noble is ~10× slower there than the round trip
 * it would save). `nobleProvider` and `webCryptoProvider` stay pure; only this one dispatches.
 * @module
 */
import { equalBytes } from '../bytes.js';
import { nobleProvider } from './noble-provider.js';
import type { CryptoProvider } from './provider.js';
import { webCryptoProvider } from './webcrypto-provider.js';

/** The primitive families the probe decides on one by one. */
export type PrimitiveFamily = 'sha256' | 'hmacSha256' | 'hkdfSha256' | 'aesGcm' | 'ed25519' | 'x25519';

/** For each primitive family, the implementation the auto provider picked on this platform. */
export type ProviderChoice = Record<PrimitiveFamily, 'webcrypto' | 'noble'>;

const FAMILIES: readonly PrimitiveFamily[] = ['sha256', 'hmacSha256', 'hkdfSha256', 'aesGcm', 'ed25519', 'x25519'];

function fill(n: number, v: number): Uint8Array {
  return new Uint8Array(n).fill(v);
}

/**
 * Known-answer self-test of one family: WebCrypto must run and return exactly what noble returns
 * (a platform that answers differently is not trusted, whatever the reason).
 */
async function probeFamily(f: PrimitiveFamily): Promise<boolean> {
  const w = webCryptoProvider;
  const n = nobleProvider;
  const msg = fill(33, 7);
  switch (f) {
    case 'sha256':
      return equalBytes(await w.sha256(msg), await n.sha256(msg));
    case 'hmacSha256':
      return equalBytes(await w.hmacSha256(fill(32, 1), msg), await n.hmacSha256(fill(32, 1), msg));
    case 'hkdfSha256':
      return equalBytes(await w.hkdfSha256(fill(32, 1), fill(8, 2), msg, 42), await n.hkdfSha256(fill(32, 1), fill(8, 2), msg, 42));
    case 'aesGcm': {
      const key = fill(32, 3);
      const nonce = fill(12, 4);
      const ct = await w.aesGcmEncrypt(key, nonce, msg, fill(5, 5));
      return equalBytes(ct, await n.aesGcmEncrypt(key, nonce, msg, fill(5, 5))) && equalBytes(await w.aesGcmDecrypt(key, nonce, ct, fill(5, 5)), msg);
    }
    case 'ed25519': {
      const seed = fill(32, 6);
      const pk = await w.ed25519PublicKey(seed);
      const sig = await w.ed25519Sign(seed, msg);
      return (
        equalBytes(pk, await n.ed25519PublicKey(seed)) &&
        equalBytes(sig, await n.ed25519Sign(seed, msg)) &&
        (await w.ed25519Verify(pk, msg, sig)) &&
        !(await w.ed25519Verify(pk, fill(33, 8), sig))
      );
    }
    case 'x25519': {
      const a = fill(32, 9);
      const b = fill(32, 10);
      const pa = await w.x25519PublicKey(a);
      const pb = await n.x25519PublicKey(b);
      return equalBytes(pa, await n.x25519PublicKey(a)) && equalBytes(await w.x25519(a, pb), await n.x25519(b, pa));
    }
  }
}

let probed: Promise<ProviderChoice> | undefined;

/**
 * Which implementation the auto provider uses for each family. Runs the probe on first call and
 * memoises it; never rejects (a failing probe means noble).
 */
export function probeProviders(): Promise<ProviderChoice> {
  probed ??= (async () => {
    const choice = {} as ProviderChoice;
    for (const f of FAMILIES) {
      let ok = false;
      try {
        ok = globalThis.crypto?.subtle !== undefined && (await probeFamily(f));
      } catch {
        ok = false;
      }
      choice[f] = ok ? 'webcrypto' : 'noble';
    }
    return choice;
  })();
  return probed;
}

async function pick(f: PrimitiveFamily): Promise<CryptoProvider> {
  return (await probeProviders())[f] === 'webcrypto' ? webCryptoProvider : nobleProvider;
}

/**
 * Inputs whose hashing work is below this many bytes go to noble synchronously (see the module
 * comment). Measured on Node 20 here (best of 7, sequential): a WebCrypto SHA-256 / HMAC costs a
 * ~9–13 µs round trip at any size up to 4 KiB; noble takes 1.3 / 3.9 µs at 64 B, 6.6 / 9.2 µs at
 * 1 KiB, and breaks even around 1.5–2 KiB. The threshold sits below the break-even on purpose:
 * under concurrency WebCrypto hashes on the threadpool beside the main thread, while noble holds
 * the event loop (≤ ~7 µs per call at this size).
 */
export const SMALL_HASH_THRESHOLD = 1024;

// Byte counts below are what each input feeds the compression function; non-bytes give
// Infinity so the call falls through to the large path, whose provider raises the usual
// `crypto/invalid-input` (never a TypeError from reading `.length` of null).
function len(b: unknown): number {
  return b instanceof Uint8Array ? b.length : Infinity;
}

/** HMAC hashes the key (when longer than a block) and the data. */
function hmacWork(key: unknown, data: unknown): number {
  return len(key) + len(data);
}

/**
 * HKDF: Extract hashes ikm (keyed by salt); Expand runs one HMAC per 32-byte output block over
 * `T(i-1) ‖ info ‖ i` plus the outer hash block (RFC 5869 §2.3). A non-integer or out-of-range
 * length still goes to a provider, which refuses it with the same code on either path.
 */
function hkdfWork(ikm: unknown, salt: unknown, info: unknown, length: unknown): number {
  const blocks = typeof length === 'number' && length > 0 ? Math.ceil(length / 32) : 1;
  return len(ikm) + len(salt) + blocks * (len(info) + 33 + 64);
}

/**
 * Default `CryptoProvider`: per-family choice between WebCrypto and noble (see `probeProviders`),
 * except that SHA-256 / HMAC-SHA256 / HKDF-SHA256 under `SMALL_HASH_THRESHOLD` bytes of work
 * always run on noble (same bytes, lower latency). Same errors as either provider.
 */
export const autoProvider: CryptoProvider = {
  name: 'auto',
  sha256: async (data) => (len(data) < SMALL_HASH_THRESHOLD ? nobleProvider : await pick('sha256')).sha256(data),
  hmacSha256: async (key, data) =>
    (hmacWork(key, data) < SMALL_HASH_THRESHOLD ? nobleProvider : await pick('hmacSha256')).hmacSha256(key, data),
  hkdfSha256: async (ikm, salt, info, length) =>
    (hkdfWork(ikm, salt, info, length) < SMALL_HASH_THRESHOLD ? nobleProvider : await pick('hkdfSha256')).hkdfSha256(ikm, salt, info, length),
  aesGcmEncrypt: async (key, nonce, pt, aad) => (await pick('aesGcm')).aesGcmEncrypt(key, nonce, pt, aad),
  aesGcmDecrypt: async (key, nonce, ct, aad) => (await pick('aesGcm')).aesGcmDecrypt(key, nonce, ct, aad),
  ed25519PublicKey: async (seed) => (await pick('ed25519')).ed25519PublicKey(seed),
  ed25519Sign: async (seed, msg) => (await pick('ed25519')).ed25519Sign(seed, msg),
  ed25519Verify: async (pk, msg, sig) => (await pick('ed25519')).ed25519Verify(pk, msg, sig),
  x25519PublicKey: async (priv) => (await pick('x25519')).x25519PublicKey(priv),
  x25519: async (priv, pub) => (await pick('x25519')).x25519(priv, pub),
};
