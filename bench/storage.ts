/**
 * `EncryptedStorage` micro-benchmark: put (new key, overwrite), get, list and a 100-op batch for
 * 1 KiB and 8 KiB values, each next to two baselines measured in the same run: the bare
 * `MemoryStorage` it wraps (what the encryption layer costs on top) and a raw node:crypto loop
 * doing the same crypto per item (name HMAC + key-derivation HMAC + AES-256-GCM into a `Map`),
 * i.e. what the layer would cost with no WebCrypto round trips and no storage abstraction.
 *
 * Calls are awaited one at a time, as the client issues them: per-call latency is the point.
 * `SEALSYNC_BENCH_STORAGE_ITEMS` (default 2000) sets the items per run.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { SecretKey } from '../src/keys/index.js';
import { EncryptedStorage } from '../src/storage/encrypted.js';
import { MemoryStorage } from '../src/storage/memory.js';
import type { Storage } from '../src/storage/storage.js';
import { measure, recordGoal, report, section } from './util.js';

const ITEMS = Number(process.env.SEALSYNC_BENCH_STORAGE_ITEMS ?? 2000);
const BATCH = 100;
const NS = 'manifests';

/** Best of `runs` alternating measurements of each candidate (the machine is shared). */
async function best(runs: number, units: number, fns: (() => unknown | Promise<unknown>)[]): Promise<number[]> {
  const out = fns.map(() => 0);
  for (let i = 0; i < runs; i++) {
    for (const [j, fn] of fns.entries()) out[j] = Math.max(out[j]!, (await measure(units, fn, i === 0 ? 1 : 0)).rate);
  }
  return out;
}

/**
 * The same per-item work as `EncryptedStorage`, with node:crypto and a `Map`: a keyed HMAC names
 * the item, another derives its key, AES-256-GCM (random nonce, AAD) seals the value, and on a
 * new key a second AES-GCM seals the index entry.
 */
class NodeCryptoStore {
  readonly #nameKey = randomBytes(32);
  readonly #prk = randomBytes(32);
  readonly #data = new Map<string, Buffer>();
  readonly #index = new Map<string, Buffer>();

  #name(key: string): string {
    return createHmac('sha256', this.#nameKey).update(`key\0${NS}\0${key}`).digest('hex');
  }
  #itemKey(purpose: string, id: string): Buffer {
    return createHmac('sha256', this.#prk).update(`sealsync/1/${purpose}\0${NS}\0${id}\x01`).digest();
  }
  static #seal(key: Buffer, pt: Uint8Array, aad: string): Buffer {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(Buffer.from(aad));
    return Buffer.concat([nonce, c.update(pt), c.final(), c.getAuthTag()]);
  }
  static #open(key: Buffer, blob: Buffer, aad: string): Buffer {
    const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(blob.subarray(blob.length - 16));
    return Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]);
  }

  put(key: string, value: Uint8Array): void {
    const ik = this.#name(key);
    this.#data.set(ik, NodeCryptoStore.#seal(this.#itemKey('storage-item', key), value, `${NS}\0${key}`));
    if (!this.#index.has(ik)) this.#index.set(ik, NodeCryptoStore.#seal(this.#itemKey('storage-name', ik), Buffer.from(key), ik));
  }
  get(key: string): Buffer | undefined {
    const blob = this.#data.get(this.#name(key));
    return blob && NodeCryptoStore.#open(this.#itemKey('storage-item', key), blob, `${NS}\0${key}`);
  }
  list(): string[] {
    return [...this.#index].map(([ik, blob]) => NodeCryptoStore.#open(this.#itemKey('storage-name', ik), blob, ik).toString()).sort();
  }
}

const keyOf = (i: number): string => `realm/4f1c9a0d2b7e4c55/vlob/${i.toString(16).padStart(8, '0')}`;

async function putAll(s: Storage, values: Uint8Array[]): Promise<void> {
  for (const [i, v] of values.entries()) await s.put(NS, keyOf(i), v);
}
async function getAll(s: Storage, n: number): Promise<void> {
  for (let i = 0; i < n; i++) if ((await s.get(NS, keyOf(i))) === undefined) throw new Error('bench: missing item');
}
async function batchAll(s: Storage, values: Uint8Array[]): Promise<void> {
  for (let off = 0; off < values.length; off += BATCH) {
    await s.batch(values.slice(off, off + BATCH).map((value, j) => ({ op: 'put', ns: NS, key: keyOf(off + j), value })));
  }
}

/** Ratios to the node:crypto baseline of the put and get rows (the goal's figures). */
const putGet: number[] = [];

function rows(label: string, [enc, mem, node]: number[], unit: string): void {
  report(label, enc!, mem!, unit, 'MemoryStorage');
  report('', enc!, node!, unit, 'node:crypto  ');
  if (label.startsWith('put') || label.startsWith('get')) putGet.push(enc! / node!);
}

/** See the module comment. */
export async function run(): Promise<void> {
  section(`storage: EncryptedStorage(MemoryStorage), ${ITEMS} items, calls awaited one by one`);
  const localKey = SecretKey.generate();
  for (const size of [1024, 8192]) {
    const tag = `${size / 1024} KiB`;
    const values = Array.from({ length: ITEMS }, () => new Uint8Array(randomBytes(size)));
    const fresh = (): EncryptedStorage => new EncryptedStorage(new MemoryStorage(), localKey);

    rows(
      `put, new key, ${tag}`,
      await best(3, ITEMS, [
        () => putAll(fresh(), values),
        () => putAll(new MemoryStorage(), values),
        () => {
          const s = new NodeCryptoStore();
          for (const [i, v] of values.entries()) s.put(keyOf(i), v);
        },
      ]),
      'ops/s',
    );

    const enc = fresh();
    const mem = new MemoryStorage();
    const node = new NodeCryptoStore();
    await putAll(enc, values);
    await putAll(mem, values);
    for (const [i, v] of values.entries()) node.put(keyOf(i), v);

    rows(
      `put, existing key, ${tag}`,
      await best(3, ITEMS, [
        () => putAll(enc, values),
        () => putAll(mem, values),
        () => {
          for (const [i, v] of values.entries()) node.put(keyOf(i), v);
        },
      ]),
      'ops/s',
    );

    rows(
      `get, ${tag}`,
      await best(3, ITEMS, [
        () => getAll(enc, ITEMS),
        () => getAll(mem, ITEMS),
        () => {
          for (let i = 0; i < ITEMS; i++) if (node.get(keyOf(i)) === undefined) throw new Error('bench: missing item');
        },
      ]),
      'ops/s',
    );

    rows(
      `batch×${BATCH} puts, new keys, ${tag}`,
      await best(3, ITEMS, [
        () => batchAll(fresh(), values),
        () => batchAll(new MemoryStorage(), values),
        () => {
          const s = new NodeCryptoStore();
          for (const [i, v] of values.entries()) s.put(keyOf(i), v);
        },
      ]),
      'items/s',
    );

    if (size === 1024) {
      // list only reads the index: the value size does not matter, one size is enough. "Warm":
      // the instance that wrote the keys; "cold": a fresh instance over the same inner storage.
      const inner = new MemoryStorage();
      const writer = new EncryptedStorage(inner, localKey);
      await putAll(writer, values);
      rows(`list ${ITEMS} keys, warm`, await best(3, ITEMS, [() => writer.list(NS), () => mem.list(NS), () => node.list()]), 'keys/s');
      rows(
        `list ${ITEMS} keys, cold`,
        await best(3, ITEMS, [() => new EncryptedStorage(inner, localKey).list(NS), () => mem.list(NS), () => node.list()]),
        'keys/s',
      );
    }
    await enc.close();
  }
  const lo = Math.min(...putGet);
  const hi = Math.max(...putGet);
  recordGoal({ label: 'EncryptedStorage put / get vs node:crypto', now: `${lo.toFixed(2)}–${hi.toFixed(2)}`, goal: '≥ 0.6', met: lo >= 0.6 });
  putGet.length = 0;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
