/**
 * Seeded randomness for the simulation: a small PRNG for decisions, and a deterministic stand-in
 * for `crypto.getRandomValues` so that ids, keys and nonces — and therefore every merge tie-break
 * and conflict name — are the same on every run of a seed.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesFrom, prng, type RandomFn } from '../support/prng.js';

/** The shared seeded PRNG (test/support/prng.ts) with the helpers the scenario needs. */
export class Rng {
  readonly #rand: RandomFn;
  constructor(seed: number) {
    this.#rand = prng(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#rand();
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `n` pseudo-random bytes. */
  bytes(n: number): Uint8Array {
    return bytesFrom(this.#rand, n);
  }
}

/**
 * Replaces `globalThis.crypto.getRandomValues` with a SHA-256 counter-mode stream seeded by
 * `seed` (only for the simulation: these bytes are predictable by design). Returns the restore
 * function.
 */
export function installSeededRandom(seed: number): () => void {
  const c = globalThis.crypto;
  const had = Object.prototype.hasOwnProperty.call(c, 'getRandomValues');
  const original = Object.getOwnPropertyDescriptor(c, 'getRandomValues');
  const prefix = new TextEncoder().encode(`sealsync-sim:${seed}:`);
  let counter = 0;
  let pool = new Uint8Array(0);
  let pos = 0;
  const fill = <T extends ArrayBufferView | null>(view: T): T => {
    if (view === null) return view;
    const out = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < out.length; i++) {
      if (pos === pool.length) {
        const block = new Uint8Array(prefix.length + 8);
        block.set(prefix);
        new DataView(block.buffer).setFloat64(prefix.length, counter++);
        pool = sha256(block);
        pos = 0;
      }
      out[i] = pool[pos++]!;
    }
    return view;
  };
  Object.defineProperty(c, 'getRandomValues', { value: fill, configurable: true, writable: true });
  return () => {
    if (had && original) Object.defineProperty(c, 'getRandomValues', original);
    else delete (c as unknown as Record<string, unknown>).getRandomValues;
  };
}
