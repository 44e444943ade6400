/**
 * Ignore patterns: names of scratch files (editor backups, Office lock files, Finder metadata)
 * that must never leave the device. A merge neither uploads them nor deletes them, so a lock file
 * held open by an application is not removed under its feet because another device never saw it.
 *
 * Patterns are a deliberately tiny glob over the whole entry name: `*` matches any run of
 * characters (including none), `?` exactly one code point, everything else is literal
 * (case-sensitive, no character classes, no `/` since patterns apply to one entry name).
 * @module
 */
import { ArgumentError } from '../errors.js';

/** `*.tmp`, `~$*` (Office lock files), `.DS_Store` (macOS Finder), `*~` (editor backups). */
export const DEFAULT_IGNORE_PATTERNS: readonly string[] = Object.freeze(['*.tmp', '~$*', '.DS_Store', '*~']);

/** A compiled set of ignore patterns. */
export interface IgnoreMatcher {
  readonly patterns: readonly string[];
  /** True when `name` matches at least one pattern. */
  matches(name: string): boolean;
}

function globToRegexSource(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    // Escape exactly the regex syntax characters (ECMA-262 SyntaxCharacter, plus `/`): with the
    // `u` flag any other escaped character, such as `\-`, is a SyntaxError, so a pattern like
    // `my-file*` would crash compilation instead of matching literally.
    else out += ch.replace(/[\\^$.*+?()[\]{}|/]/gu, '\\$&');
  }
  return out;
}

/**
 * Compiles glob patterns into one matcher. Throws `ArgumentError` (`merge/invalid-ignore-pattern`)
 * for a pattern that is not a non-empty string or contains `/` or NUL (it could never match an
 * entry name, which is almost certainly a configuration mistake worth reporting).
 */
export function compileIgnorePatterns(patterns: readonly string[]): IgnoreMatcher {
  if (!Array.isArray(patterns)) throw new ArgumentError('merge/invalid-ignore-pattern', 'ignore patterns must be an array of strings');
  for (const p of patterns) {
    if (typeof p !== 'string' || p.length === 0 || p.includes('/') || p.includes('\u0000') || !p.isWellFormed()) {
      throw new ArgumentError('merge/invalid-ignore-pattern', `invalid ignore pattern ${JSON.stringify(p)}`);
    }
  }
  const frozen = Object.freeze([...patterns]);
  if (frozen.length === 0) return { patterns: frozen, matches: () => false };
  // `s` so that `*` also spans line breaks (legal in entry names); `u` so `?` is one code point.
  const re = new RegExp(`^(?:${frozen.map(globToRegexSource).join('|')})$`, 'su');
  return { patterns: frozen, matches: (name: string) => re.test(name) };
}

let defaultMatcher: IgnoreMatcher | undefined;

/** The matcher for `DEFAULT_IGNORE_PATTERNS`, compiled once. */
export function defaultIgnoreMatcher(): IgnoreMatcher {
  defaultMatcher ??= compileIgnorePatterns(DEFAULT_IGNORE_PATTERNS);
  return defaultMatcher;
}

/** Normalises the `ignore` option of the merge functions: a matcher, a pattern list, or the defaults. */
export function resolveIgnore(ignore: IgnoreMatcher | readonly string[] | undefined): IgnoreMatcher {
  if (ignore === undefined) return defaultIgnoreMatcher();
  if (Array.isArray(ignore)) return compileIgnorePatterns(ignore);
  return ignore as IgnoreMatcher;
}
