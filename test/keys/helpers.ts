/** Shared test helpers for the keys module. */
import { readFileSync } from 'node:fs';
import { fromHex } from '../../src/bytes.js';
import { SealsyncError } from '../../src/errors.js';
import { nobleProvider } from '../../src/keys/noble-provider.js';
import { nodeCrypto, nodeCryptoProvider } from '../../src/keys/node-provider.js';
import type { CryptoProvider } from '../../src/keys/provider.js';
import { webCryptoProvider } from '../../src/keys/webcrypto-provider.js';

/**
 * Every provider the platform has: the node:crypto one only on Node (these suites also run in
 * Chromium); it delegates the curves to WebCrypto, its own code is the symmetric half.
 */
export const PROVIDERS: readonly CryptoProvider[] = [nobleProvider, webCryptoProvider, ...(nodeCrypto() === undefined ? [] : [nodeCryptoProvider])];

export const h = fromHex;

export interface WycheproofFile<T> {
  algorithm: string;
  numberOfTests: number;
  testGroups: (Record<string, unknown> & { tests: T[] })[];
}

export function loadWycheproof<T>(name: string): WycheproofFile<T> {
  const url = new URL(`../vectors/wycheproof/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as WycheproofFile<T>;
}

/** Runs `fn` and returns the sealsync error code it threw, or `null` if it did not throw. */
export async function errorCode(fn: () => unknown): Promise<string | null> {
  try {
    await fn();
    return null;
  } catch (e) {
    if (e instanceof SealsyncError) return e.code;
    throw e;
  }
}

/** A tiny deterministic PRNG (mulberry32) for reproducible "random" inputs. */
export function prng(seed: number): (n: number) => Uint8Array {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
    return out;
  };
}
