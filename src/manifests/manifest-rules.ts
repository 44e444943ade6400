/**
 * Structural rules of manifests (the manifest format) as small pure functions, applied both when writing
 * (a device never signs a manifest that a reader would refuse) and when reading (a hostile writer
 * with a valid key can still sign nonsense: overlapping blocks would let two readers materialise
 * different bytes for one file).
 * @module
 */
import { CodecError, ManifestError } from '../errors.js';
import type { RealmId } from '../codec/ids.js';
import type { BlockRef, Manifest } from './types.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Why a block list is invalid for a file of `size` bytes, or `null`. Blocks must be sorted by
 * offset, non-empty, non-overlapping and inside `[0, size)`; gaps are allowed (sparse files read
 * as zeros there).
 */
export function blocksProblem(blocks: readonly BlockRef[], size: number): string | null {
  let start = 0;
  let end = 0;
  for (const b of blocks) {
    if (b.size < 1) return 'codec/empty-block';
    if (b.offset < start) return 'codec/blocks-unsorted';
    if (b.offset < end) return 'codec/blocks-overlap';
    // Compared by subtraction: offset + size of two safe integers may exceed 2^53 and round.
    if (b.size > MAX_SAFE - b.offset || b.offset + b.size > size) return 'codec/block-outside-size';
    start = b.offset;
    end = b.offset + b.size;
  }
  return null;
}

/** Throws `CodecError` if the file's block list breaks a rule of `blocksProblem`. */
export function checkBlocks(blocks: readonly BlockRef[], size: number): void {
  const problem = blocksProblem(blocks, size);
  if (problem !== null) throw new CodecError(problem, `invalid block list: ${problem}`);
}

/**
 * The root rule (the manifest format): a workspace root is the folder whose id is the realm id, and it is
 * its own parent. Anything else claiming to be its own parent, or a file using the realm id,
 * would create a cycle or a second root. Throws `ManifestError` `manifest/bad-root`.
 */
export function checkRootRule(m: Manifest, realmId: RealmId): void {
  const isRootId = (m.id as string) === (realmId as string);
  if (isRootId && (m.type !== 'folder' || (m.parent as string) !== (realmId as string))) {
    throw new ManifestError('manifest/bad-root', 'the root of a realm is a folder whose parent is itself');
  }
  if (!isRootId && m.id === m.parent) {
    throw new ManifestError('manifest/bad-root', 'only the realm root may be its own parent');
  }
}
