/**
 * Uninitialised allocation of large buffers (internal: not exported from the package, since its
 * arrays start with unspecified bytes and only a caller that overwrites all of them may use it).
 * @module
 */
/** `Buffer.allocUnsafeSlow` on Node (through `process.getBuiltinModule`: no import, so browser bundles carry no reference to Node), `null` elsewhere. */
let unsafeAlloc: ((size: number) => Uint8Array) | null | undefined;

/** Below this size a fresh zeroed array is as cheap: the zero-fill only matters for large buffers. */
const UNINITIALISED_MIN = 4096;

/**
 * A new, unshared `Uint8Array` of `size` bytes whose content is UNSPECIFIED (on Node, memory
 * recycled from freed buffers, which may hold old data). Only for a caller that overwrites every
 * byte before anything else can see the array (or its `.buffer`). Why: a zeroed 512 KiB array
 * is a `calloc`, which the allocator serves with fresh pages of its own that must be faulted in
 * and zeroed, and a copy of a block then costs several times the copy itself (measured on this
 * project's 2-core VM: 256 MiB of 512 KiB blocks, zeroed 210–350 ms, uninitialised 23–70 ms).
 * Elsewhere (browsers), and under 4 KiB, a plain `new Uint8Array(size)`.
 */
export function allocUninitialised(size: number): Uint8Array {
  if (size < UNINITIALISED_MIN) return new Uint8Array(size);
  if (unsafeAlloc === undefined) {
    unsafeAlloc = null;
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    try {
      type BufferModule = { Buffer?: { allocUnsafeSlow?: (n: number) => Uint8Array } };
      const m = typeof proc?.getBuiltinModule === 'function' ? (proc.getBuiltinModule('node:buffer') as BufferModule | undefined) : undefined;
      const B = m?.Buffer;
      // Unpooled: the array owns its whole ArrayBuffer, so `.buffer` exposes nothing else.
      if (typeof B?.allocUnsafeSlow === 'function') {
        unsafeAlloc = (n) => {
          const b = (B as { allocUnsafeSlow: (n: number) => Uint8Array }).allocUnsafeSlow(n);
          return new Uint8Array(b.buffer, b.byteOffset, n);
        };
      }
    } catch {
      unsafeAlloc = null;
    }
  }
  return unsafeAlloc === null ? new Uint8Array(size) : unsafeAlloc(size);
}
