/**
 * File content on this device: new content is encrypted into blocks stored locally (marked for
 * upload, so writes work offline); reads take blocks from the local store or the server and
 * return only bytes that passed every integrity check (the block format).
 * @module
 */
import { allocUninitialised } from '../bytes-alloc.js';
import type { BlockId, RealmId } from '../codec/ids.js';
import { throwIfAborted, IntegrityError } from '../errors.js';
import type { SecretKey } from '../keys/index.js';
import { decryptBlock } from '../blocks/block-crypto.js';
import { blocksForRange, resolveRange, validateBlockList } from '../blocks/block-list.js';
import { MAX_BLOCKSIZE } from '../blocks/constants.js';
import { encodeFile, type EncodedFile } from '../blocks/encode.js';
import type { BlockSource } from '../blocks/source.js';
import type { BlockRef, FileManifest } from '../manifests/types.js';
import { expectOk, isErrorReply, type Transport } from '../transport/transport.js';
import { fetchBlock } from './block-fetch.js';
import type { LocalStore } from './local-store.js';

/**
 * Encrypts `source` with the realm's newest key and stores every block locally as it is produced
 * (memory stays bounded whatever the size). They are uploaded by the sync after the entry that
 * references them is committed (see `blocksToUpload`); until then they are orphans, harmless.
 */
export async function storeContent(args: {
  store: LocalStore;
  realmId: RealmId;
  key: { keyIndex: number; key: SecretKey };
  source: BlockSource;
  blocksize: number;
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | undefined) => void;
}): Promise<EncodedFile> {
  const { store, realmId, key } = args;
  return encodeFile(args.source, {
    realmId,
    realmKey: key.key,
    keyIndex: key.keyIndex,
    blocksize: args.blocksize,
    concurrency: args.concurrency,
    ...(args.signal ? { signal: args.signal } : {}),
    ...(args.onProgress ? { onProgress: args.onProgress } : {}),
    upload: async (b) => {
      await store.storage.batch(store.blockOps(realmId, b.id, { keyIndex: key.keyIndex, ciphertext: b.ciphertext }));
    },
  });
}

/** Gives the realm key of an index, refreshing keys once if needed; `undefined` if unknown. */
export type KeyOf = (keyIndex: number) => Promise<SecretKey | undefined>;

/**
 * One block's plaintext, checked against `ref` (size, AEAD bound to realm/id/key index, SHA-256).
 * From the local store when present; else from the server (`fetchBlock`), and the checked
 * ciphertext is cached.
 * Throws `IntegrityError` (`integrity/block-*`, also for a key index no key exists for) or
 * `TransportError`.
 */
export async function readBlock(args: { store: LocalStore; transport: Transport; realmId: RealmId; ref: BlockRef; keyOf: KeyOf }): Promise<Uint8Array> {
  const { store, transport, realmId, ref } = args;
  const local = await store.getBlock(realmId, ref.id);
  let ciphertext: Uint8Array;
  let keyIndex: number;
  if (local !== undefined) {
    ({ ciphertext, keyIndex } = local);
  } else {
    // Coalesced with the other blocks asked in this turn (one `block_read_batch`): same answer, same checks.
    const rep = await fetchBlock(transport, realmId, ref.id as BlockId, ref.size);
    if (isErrorReply(rep) && rep.code === 'not_found') throw new IntegrityError('integrity/block-missing', `block ${ref.id} is not on the server`);
    const ok = expectOk(rep);
    ciphertext = ok.block;
    keyIndex = ok.keyIndex;
  }
  const key = Number.isSafeInteger(keyIndex) && keyIndex >= 1 ? await args.keyOf(keyIndex) : undefined;
  if (key === undefined) throw new IntegrityError('integrity/block-decrypt', `block ${ref.id}: no realm key ${keyIndex}`);
  const plaintext = await decryptBlock(ref, ciphertext, { realmId, realmKey: key, keyIndex });
  if (local === undefined) await store.storage.batch(store.blockOps(realmId, ref.id, { keyIndex, ciphertext }));
  return plaintext;
}

/**
 * The bytes `[offset, offset + length)` of `file`, in order, fetching up to `concurrency` blocks
 * ahead. Throws `IntegrityError` `integrity/block-list` before any fetch for a malformed block
 * list, `ArgumentError` `blocks/invalid-range` for a bad range; a bad block rejects after exactly
 * the bytes before it were yielded.
 */
export async function* readContent(args: {
  file: FileManifest;
  offset?: number;
  length?: number;
  concurrency: number;
  signal?: AbortSignal;
  fetch: (ref: BlockRef) => Promise<Uint8Array>;
}): AsyncGenerator<Uint8Array, void, undefined> {
  const { file } = args;
  validateBlockList(file.blocks, file.size, Math.min(MAX_BLOCKSIZE, Math.max(file.blocksize, 1)));
  const range = resolveRange(file.size, args.offset, args.length);
  const { first, end } = blocksForRange(file.blocks, range);
  const refs = file.blocks.slice(first, end);
  const window: Promise<Uint8Array>[] = [];
  let next = 0;
  const start = (): void => {
    const p = args.fetch(refs[next++]!);
    p.catch(() => undefined); // observed in order below
    window.push(p);
  };
  while (next < refs.length && window.length < args.concurrency) start();
  const rangeEnd = range.offset + range.length;
  for (const ref of refs) {
    throwIfAborted(args.signal);
    const plain = await window.shift()!;
    if (next < refs.length) start();
    const from = Math.max(range.offset - ref.offset, 0);
    const to = Math.min(rangeEnd - ref.offset, ref.size);
    yield from === 0 && to === ref.size ? plain : plain.subarray(from, to);
  }
}

/** Collects an async iterable of pieces into one buffer of `length` bytes. */
export async function collect(pieces: AsyncIterable<Uint8Array>, length: number): Promise<Uint8Array> {
  // Every byte is written before `out` is returned (a short read returns a copy of the written
  // part): no zero-fill of a 64 MiB file that is overwritten at once.
  const out = allocUninitialised(length);
  let at = 0;
  for await (const p of pieces) {
    if (at + p.length > length) throw new IntegrityError('integrity/length', 'more bytes than the manifest announced');
    out.set(p, at);
    at += p.length;
  }
  return at === length ? out : out.slice(0, at);
}
