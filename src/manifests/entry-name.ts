/**
 * Entry names (the manifest format): Unicode NFC, 1–255 UTF-8 bytes, not `.` or `..`, no `/` or NUL.
 *
 * Why each rule: NFC so that two devices that typed "é" differently (precomposed vs combining)
 * do not create two entries that look identical; 255 bytes is the common file-system limit
 * (ext4, APFS, NTFS in UTF-16 units is laxer), so every name syncs to every platform; `.`, `..`
 * and `/` would let a name escape its folder when materialised on disk (path traversal); NUL
 * truncates names in C APIs.
 * @module
 */
import { utf8Encode } from '../bytes.js';
import type { Branded } from '../codec/ids.js';
import { EntryNameError } from '../errors.js';

/** A valid entry name (checked by `entryName` / `isEntryName`): the name of a file or folder inside its parent folder. */
export type EntryName = Branded<string, 'EntryName'>;

/** Longest entry name, in UTF-8 bytes (the common file-system limit, so every name materialises everywhere). */
export const MAX_ENTRY_NAME_BYTES = 255;

// Printable ASCII without `/`: already NFC, one UTF-8 byte per character, no surrogates. Most
// names are like this, and a folder of 100,000 children checks every name on every read.
const PLAIN_ASCII = /^[\x20-\x2e\x30-\x7e]+$/;

/**
 * Why `name` is not a valid entry name, as a stable `entry-name/*` code (the `code` `EntryNameError`
 * would carry), or `null` when it is valid. Never throws.
 */
export function entryNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'entry-name/not-a-string';
  if (name.length === 0) return 'entry-name/empty';
  if (name === '.' || name === '..') return 'entry-name/dot';
  if (PLAIN_ASCII.test(name)) return name.length > MAX_ENTRY_NAME_BYTES ? 'entry-name/too-long' : null;
  if (name.includes('/')) return 'entry-name/slash';
  if (name.includes('\u0000')) return 'entry-name/nul';
  if (!name.isWellFormed()) return 'entry-name/lone-surrogate';
  if (name.normalize('NFC') !== name) return 'entry-name/not-nfc';
  if (utf8Encode(name).length > MAX_ENTRY_NAME_BYTES) return 'entry-name/too-long';
  return null;
}

/** True when `name` is a valid {@link EntryName}. Never throws. */
export function isEntryName(name: unknown): name is EntryName {
  return entryNameProblem(name) === null;
}

/** Brands `name` after checking it; throws `EntryNameError` with the rule it breaks. */
export function entryName(name: string): EntryName {
  const problem = entryNameProblem(name);
  if (problem !== null) throw new EntryNameError(problem, `invalid entry name ${JSON.stringify(name)}: ${problem}`);
  return name as EntryName;
}
