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
 *
 * On Node (≥ 20.16), the symmetric families (SHA-256, HMAC, HKDF, AES-GCM) and Ed25519 go to
 * `nodeCryptoProvider` instead, at every size, when it passes the same known-answer probe: the
 * same OpenSSL as Node's WebCrypto, called synchronously, without the threadpool job, the input
 * and output copies and the per-key `CryptoKey` import WebCrypto pays on every call (see
 * node-provider.ts for the measurements). X25519 stays on WebCrypto. Browsers keep the path above.
 * @module
 */
import { equalBytes } from '../bytes.js';
import { nobleProvider } from './noble-provider.js';
import { nodeCrypto, nodeCryptoProvider } from './node-provider.js';
import type { CryptoProvider } from './provider.js';
import { webCryptoProvider } from './webcrypto-provider.js';

/** The primitive families the probe decides on one by one. */
export type PrimitiveFamily = 'sha256' | 'hmacSha256' | 'hkdfSha256' | 'aesGcm' | 'ed25519' | 'x25519';

/**
 * For each primitive family, the implementation the auto provider picked on this platform
 * (`node` only for the symmetric families and Ed25519, on Node).
 */
export type ProviderChoice = Record<PrimitiveFamily, 'node' | 'webcrypto' | 'noble'>;

/** The families `nodeCryptoProvider` implements itself (it delegates X25519 to WebCrypto). */
const NODE_FAMILIES: ReadonlySet<PrimitiveFamily> = new Set(['sha256', 'hmacSha256', 'hkdfSha256', 'aesGcm', 'ed25519']);

const FAMILIES: readonly PrimitiveFamily[] = ['sha256', 'hmacSha256', 'hkdfSha256', 'aesGcm', 'ed25519', 'x25519'];

function fill(n: number, v: number): Uint8Array {
  return new Uint8Array(n).fill(v);
}

/**
 * Known-answer self-test of one family: WebCrypto must run and return exactly what noble returns
 * (a platform that answers differently is not trusted, whatever the reason).
 */
async function probeFamily(f: PrimitiveFamily, w: CryptoProvider): Promise<boolean> {
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

/** Options of `createAutoProvider`. */
export interface AutoProviderOptions {
  /**
   * Use `node:crypto` for the symmetric families and Ed25519 where the platform has it (default true). False
   * gives the browser behaviour on Node (tests of the WebCrypto/noble dispatch use it).
   */
  readonly nodeCrypto?: boolean;
}

/** The probe's verdict for one family: the first candidate that runs and agrees with noble. */
async function choose(f: PrimitiveFamily, useNode: boolean): Promise<ProviderChoice[PrimitiveFamily]> {
  const candidates: ['node' | 'webcrypto', CryptoProvider, boolean][] = [
    ['node', nodeCryptoProvider, useNode && NODE_FAMILIES.has(f) && nodeCrypto() !== undefined],
    ['webcrypto', webCryptoProvider, globalThis.crypto?.subtle !== undefined],
  ];
  for (const [name, provider, available] of candidates) {
    if (!available) continue;
    try {
      if (await probeFamily(f, provider)) return name;
    } catch {
      // a candidate that throws on a known answer is not used
    }
  }
  return 'noble';
}

const IMPLEMENTATIONS: Record<ProviderChoice[PrimitiveFamily], CryptoProvider> = {
  node: nodeCryptoProvider,
  webcrypto: webCryptoProvider,
  noble: nobleProvider,
};

/** An auto provider together with its probe (each instance probes once, lazily). */
export interface AutoProvider extends CryptoProvider {
  /** Which implementation the provider uses for each family; runs the probe on first call, never rejects. */
  probe(): Promise<ProviderChoice>;
}

/**
 * Builds an auto provider (see the module comment). `autoProvider` is the default instance;
 * another is useful to get the browser dispatch on Node (`{ nodeCrypto: false }`).
 */
export function createAutoProvider(options: AutoProviderOptions = {}): AutoProvider {
  const useNode = options.nodeCrypto ?? true;
  let probed: Promise<ProviderChoice> | undefined;
  const probe = (): Promise<ProviderChoice> => {
    probed ??= (async () => {
      const choice = {} as ProviderChoice;
      for (const f of FAMILIES) choice[f] = await choose(f, useNode);
      return choice;
    })();
    return probed;
  };
  const pick = async (f: PrimitiveFamily): Promise<CryptoProvider> => IMPLEMENTATIONS[(await probe())[f]];
  /** Small hashing work goes to noble unless node:crypto serves the family (already synchronous there). */
  const hashing = async (f: PrimitiveFamily, work: number): Promise<CryptoProvider> => {
    const p = await pick(f);
    return p === nodeCryptoProvider || work >= SMALL_HASH_THRESHOLD ? p : nobleProvider;
  };
  return {
    name: 'auto',
    probe,
    sha256: async (data) => (await hashing('sha256', len(data))).sha256(data),
    hmacSha256: async (key, data) => (await hashing('hmacSha256', hmacWork(key, data))).hmacSha256(key, data),
    hkdfSha256: async (ikm, salt, info, length) => (await hashing('hkdfSha256', hkdfWork(ikm, salt, info, length))).hkdfSha256(ikm, salt, info, length),
    aesGcmEncrypt: async (key, nonce, pt, aad) => (await pick('aesGcm')).aesGcmEncrypt(key, nonce, pt, aad),
    aesGcmDecrypt: async (key, nonce, ct, aad) => (await pick('aesGcm')).aesGcmDecrypt(key, nonce, ct, aad),
    aesGcmSeal: async (key, nonce, pt, aad) => {
      const p = await pick('aesGcm');
      if (p.aesGcmSeal !== undefined) return p.aesGcmSeal(key, nonce, pt, aad);
      const ct = await p.aesGcmEncrypt(key, nonce, pt, aad);
      const out = new Uint8Array(nonce.length + ct.length);
      out.set(nonce);
      out.set(ct, nonce.length);
      return out;
    },
    ed25519PublicKey: async (seed) => (await pick('ed25519')).ed25519PublicKey(seed),
    ed25519Sign: async (seed, msg) => (await pick('ed25519')).ed25519Sign(seed, msg),
    ed25519Verify: async (pk, msg, sig) => (await pick('ed25519')).ed25519Verify(pk, msg, sig),
    x25519PublicKey: async (priv) => (await pick('x25519')).x25519PublicKey(priv),
    x25519: async (priv, pub) => (await pick('x25519')).x25519(priv, pub),
  };
}

/**
 * Inputs whose hashing work is below this many bytes go to noble synchronously (see the module
 * comment). Measured on Node 20 here (best of 7, sequential): a WebCrypto SHA-256 / HMAC costs a
 * ~9–13 µs round trip at any size up to 4 KiB; noble takes 1.3 / 3.9 µs at 64 B, 6.6 / 9.2 µs at
 * 1 KiB, and breaks even around 1.5–2 KiB. The threshold sits below the break-even on purpose:
 * under concurrency WebCrypto hashes on the threadpool beside the main thread, while noble holds
 * the event loop (≤ ~7 µs per call at this size). Not applied where node:crypto serves the
 * family (synchronous already, and faster than noble from a few dozen bytes).
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
 * Default `CryptoProvider`: per-family choice between node:crypto (Node: symmetric families, Ed25519),
 * WebCrypto and noble (see `probeProviders`), with SHA-256 / HMAC-SHA256 / HKDF-SHA256 under
 * `SMALL_HASH_THRESHOLD` bytes of work on noble where WebCrypto would serve them (same bytes,
 * lower latency). Same errors as either provider.
 */
export const autoProvider: AutoProvider = createAutoProvider();

/**
 * Which implementation the default auto provider uses for each family. Runs the probe on first
 * call and memoises it; never rejects (a failing probe means noble).
 */
export function probeProviders(): Promise<ProviderChoice> {
  return autoProvider.probe();
}
