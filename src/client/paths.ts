/**
 * Workspace paths: `/`-separated entry names from the workspace root (the manifest format entry names).
 * @module
 */
import { entryName, type EntryName } from '../manifests/entry-name.js';

/**
 * Splits `path` into entry names. A leading and a trailing `/` are optional; `/` (or the empty
 * string) is the root. Each name is normalised to NFC first (two keyboards typing "é" must reach
 * the same entry), then checked: an empty component (`a//b`), `.`, `..`, NUL or an over-long name
 * throws `EntryNameError` — so no path can climb out of the workspace.
 */
export function parsePath(path: string): EntryName[] {
  let p = path;
  if (p.startsWith('/')) p = p.slice(1);
  if (p.endsWith('/')) p = p.slice(0, -1);
  if (p === '') return [];
  return p.split('/').map((n) => entryName(n.normalize('NFC')));
}

/** The canonical spelling of a path: `/` + names joined by `/`. */
export function formatPath(names: readonly string[]): string {
  return `/${names.join('/')}`;
}
