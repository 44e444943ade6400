/**
 * Blocks (the block format): streaming chunking, per-block encryption with SHA-256 integrity, bounded
 * concurrency and memory, range reads.
 * @module
 */
export {
  AEAD_OVERHEAD,
  DEFAULT_BLOCKSIZE,
  DEFAULT_CONCURRENCY,
  MAX_BLOCKSIZE,
  MAX_CONCURRENCY,
  MIN_BLOCKSIZE,
} from './constants.js';
export type { BlockSource } from './source.js';
export { chunkBlocks } from './chunker.js';
export type { BlockKeyOptions, EncryptedBlock } from './block-crypto.js';
export { blockAad, decryptBlock, encryptBlock } from './block-crypto.js';
export type { ByteRange } from './block-list.js';
export { blocksForRange, resolveRange, validateBlockList } from './block-list.js';
export type { EncodedFile, EncodeFileOptions, UploadBlock } from './encode.js';
export { encodeFile } from './encode.js';
export type { DecodeFileOptions, FetchBlock } from './decode.js';
export { decodeFile, decodeFileIterable, readAll } from './decode.js';
