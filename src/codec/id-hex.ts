/**
 * The hot path of id encoding: a canonical id string (32 lowercase hex characters) to its 16
 * bytes in one pass, with no regular expression and no substring per byte. Large manifests
 * encode one id per child, and this conversion dominated encoding them. Internal to the codec.
 * @module
 */
/** Bytes in an id (`ID_LENGTH` in ids.ts, which imports this file). */
const ID_LENGTH = 16;

/** Char code → nibble for `0-9a-f`, −1 for every other ASCII code (uppercase included). */
const NIBBLE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let c = 0; c < 10; c++) t[0x30 + c] = c;
  for (let c = 0; c < 6; c++) t[0x61 + c] = 10 + c;
  return t;
})();

/**
 * The 16 bytes of `s` if it is exactly 32 lowercase hex characters (what `isId` accepts), else
 * `undefined`. Never throws.
 */
export function idHexToBytes(s: unknown): Uint8Array | undefined {
  if (typeof s !== 'string' || s.length !== 2 * ID_LENGTH) return undefined;
  const out = new Uint8Array(ID_LENGTH);
  for (let i = 0; i < ID_LENGTH; i++) {
    const hi = s.charCodeAt(2 * i);
    const lo = s.charCodeAt(2 * i + 1);
    // Non-ASCII code units (and NaN never occurs: i < length) are not hex.
    const h = hi < 128 ? NIBBLE[hi]! : -1;
    const l = lo < 128 ? NIBBLE[lo]! : -1;
    if (h < 0 || l < 0) return undefined;
    out[i] = (h << 4) | l;
  }
  return out;
}
