/**
 * Conflict names: `stem (sync conflict N).ext` for the local copy of a file edited on both sides,
 * `stem (name conflict N).ext` for a local entry whose name was taken remotely (the merge rules).
 *
 * The result must itself be a valid entry name (the manifest format) on every platform, so the stem is
 * shortened to keep the whole name within 255 UTF-8 bytes. It is cut between user-perceived
 * characters: a cut between a base letter and its combining accent, inside an emoji ZWJ sequence,
 * or between the two halves of a flag would show a different (or broken) glyph, and a cut inside a
 * surrogate pair would not even be valid UTF-8.
 * @module
 */
import { utf8Encode } from '../bytes.js';
import { ArgumentError } from '../errors.js';
import { entryName, entryNameProblem, MAX_ENTRY_NAME_BYTES, type EntryName } from '../manifests/entry-name.js';

/** Why an entry is renamed: `sync` (both sides changed a file's content: `stem (sync conflict N).ext`) or `name` (a remote entry took its name: `stem (name conflict N).ext`). */
export type ConflictKind = 'sync' | 'name';

const MARKER: Record<ConflictKind, string> = { sync: 'sync conflict', name: 'name conflict' };

/** How many numbers a predicate-based `taken` may refuse before we give up (a set is bounded by its size). */
const MAX_PREDICATE_TRIES = 1_000_000;

/**
 * Splits at the first dot that is not the first character: `a.tar.gz` → `a` + `.tar.gz`,
 * `.bashrc` → `.bashrc` + `` (a leading dot marks a hidden file, not an extension).
 */
export function splitExtension(name: string): { stem: string; ext: string } {
  const i = name.indexOf('.', 1);
  return i < 0 ? { stem: name, ext: '' } : { stem: name.slice(0, i), ext: name.slice(i) };
}

function utf8Length(s: string): number {
  return utf8Encode(s).length;
}

// Code points that attach to the one before them: a cut right before one would split a character.
const ATTACHES_TO_PREVIOUS = /^[\p{M}\u200D\uFE00-\uFE0F\u{E0020}-\u{E007F}\u{1F3FB}-\u{1F3FF}]$/u;
const REGIONAL_INDICATOR = /^[\u{1F1E6}-\u{1F1FF}]$/u;

/**
 * The longest prefix of `s` (whole code points) within `maxBytes` UTF-8 bytes that does not end
 * inside a character: never before a combining mark / ZWJ / variation selector / skin tone, never
 * right after a ZWJ, never in the middle of a regional-indicator pair, and NFC.
 */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (utf8Length(s) <= maxBytes) return s;
  const cps = Array.from(s);
  let used = 0;
  let end = 0;
  while (end < cps.length) {
    const b = utf8Length(cps[end]!);
    if (used + b > maxBytes) break;
    used += b;
    end++;
  }
  for (;;) {
    while (end > 0 && end < cps.length && ATTACHES_TO_PREVIOUS.test(cps[end]!)) end--;
    while (end > 0 && cps[end - 1] === '\u200D') end--;
    let ri = 0;
    while (ri < end && REGIONAL_INDICATOR.test(cps[end - 1 - ri]!)) ri++;
    if (ri % 2 === 1 && end < cps.length && REGIONAL_INDICATOR.test(cps[end]!)) {
      end--;
      continue;
    }
    const prefix = cps.slice(0, end).join('');
    // A prefix of an NFC string is NFC in practice, but checking costs nothing on this rare path.
    if (prefix.normalize('NFC') === prefix) return prefix;
    end--;
  }
}

function isTakenFn(taken: ((name: string) => boolean) | ReadonlySet<string>): (name: string) => boolean {
  if (typeof taken === 'function') return taken;
  if (taken instanceof Set) return (n) => taken.has(n);
  throw new ArgumentError('merge/invalid-taken', '`taken` must be a predicate or a Set of names');
}

/** The last extension: `a.tar.gz` → `.gz`; none for `.bashrc` or a name without a dot. */
function lastExtension(name: string): string {
  const i = name.lastIndexOf('.');
  return i <= 0 ? '' : name.slice(i);
}

/** `stem + suffix + ext` with the stem shortened to fit, or `null` when not one stem character fits. */
function fitted(stem: string, ext: string, suffix: string): string | null {
  const room = MAX_ENTRY_NAME_BYTES - utf8Length(suffix) - utf8Length(ext);
  const firstChar = Array.from(stem)[0] ?? '';
  if (stem !== '' && utf8Length(firstChar) > room) return null;
  // The marker starts with a space (never composes with what precedes it) and the extension is
  // copied from an NFC name, so this is NFC; keep the guarantee explicit anyway.
  return (truncateUtf8(stem, room) + suffix + ext).normalize('NFC');
}

/**
 * Builds candidate number `n`. The marker goes before the full extension (`a (… 1).tar.gz`); when
 * that extension is too long to keep a stem beside it, before the last extension only
 * (`x.tar (… 1).zzz…`, so the type a program opens the file by survives); when even that cannot
 * fit, at the end of the shortened whole name.
 */
function candidate(stem: string, ext: string, kind: ConflictKind, n: number): string {
  const suffix = ` (${MARKER[kind]} ${n})`;
  if (ext === '') return fitted(stem, '', suffix)!;
  const full = fitted(stem, ext, suffix);
  if (full !== null) return full;
  const name = stem + ext;
  const last = lastExtension(name);
  const withLast = last === '' || last === ext ? null : fitted(name.slice(0, name.length - last.length), last, suffix);
  return withLast ?? fitted(name, '', suffix)!;
}

/**
 * The first free conflict name for `name`: `stem (sync conflict N).ext` or `stem (name conflict N).ext`
 * with the smallest `N ≥ 1` for which `taken` is false. `taken` is a predicate or a set of names in
 * the destination folder. The result is always a valid `EntryName` within 255 UTF-8 bytes.
 *
 * Throws `EntryNameError` when `name` is not a valid entry name, `ArgumentError`
 * (`merge/invalid-conflict-kind`, `merge/invalid-taken`) for bad arguments and
 * (`merge/no-free-name`) when a predicate refuses a million candidates.
 */
export function conflictName(
  name: string,
  kind: ConflictKind,
  taken: ((name: string) => boolean) | ReadonlySet<string>,
): EntryName {
  entryName(name);
  if (kind !== 'sync' && kind !== 'name') throw new ArgumentError('merge/invalid-conflict-kind', `unknown conflict kind ${String(kind)}`);
  const isTaken = isTakenFn(taken);
  // With a set, at most `size` candidates can be taken, so `size + 1` tries always succeed.
  const limit = typeof taken === 'function' ? MAX_PREDICATE_TRIES : taken.size + 1;
  const free = firstFree(name, kind, isTaken, limit);
  if (free === null) throw new ArgumentError('merge/no-free-name', `no free ${kind}-conflict name for ${JSON.stringify(name)}`);
  return free;
}

/** The first of the first `limit` candidates that is valid and not taken, or `null`. */
function firstFree(name: string, kind: ConflictKind, isTaken: (name: string) => boolean, limit: number): EntryName | null {
  const { stem, ext } = splitExtension(name);
  for (let n = 1; n <= limit; n++) {
    const c = candidate(stem, ext, kind, n);
    if (entryNameProblem(c) !== null) continue;
    if (!isTaken(c)) return c as EntryName;
  }
  return null;
}

/**
 * How many candidates `placementName` tries for a name this device does not ignore. A pattern
 * that matches one candidate nearly always matches them all (`*.txt` for `a.txt`), and trying the
 * million a predicate allows took seconds per placement: past this many, any free name will do.
 */
const VISIBLE_TRIES = 1_000;

/**
 * A conflict name for an entry placed by this device (a put-back delete, a moved-away entry, a
 * recovered copy): free in the folder (`taken`) and, if any such candidate exists, not a name this
 * device ignores (`ignored`), so the entry stays in view. When every candidate is ignored (e.g.
 * `*.txt` for `a.txt`; tried for the first 1,000 numbers), any free name: the entry is then hidden here but stays in the shared
 * folder untouched, never lost — whereas refusing would fail the whole sync.
 * @throws ArgumentError `merge/no-free-name` only when no free name exists at all.
 */
export function placementName(name: string, kind: ConflictKind, taken: (name: string) => boolean, ignored: (name: string) => boolean): EntryName {
  entryName(name);
  if (kind !== 'sync' && kind !== 'name') throw new ArgumentError('merge/invalid-conflict-kind', `unknown conflict kind ${String(kind)}`);
  return firstFree(name, kind, (n) => taken(n) || ignored(n), VISIBLE_TRIES) ?? conflictName(name, kind, taken);
}
