/**
 * The three input shapes `encodeFile` accepts, reduced to one async iterable of byte pieces.
 * @module
 */
import { ArgumentError } from '../errors.js';

/** File content to encode: one buffer, an async iterable of pieces, or a WHATWG byte stream. */
export type BlockSource = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

function isReadableStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof x === 'object' && x !== null && typeof (x as { getReader?: unknown }).getReader === 'function';
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Uint8Array> {
  return typeof x === 'object' && x !== null && typeof (x as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/**
 * Pieces of `source` in order. A `ReadableStream` is read through `getReader()` (not its async
 * iterator, which Safari lacks) and cancelled as soon as `signal` aborts, so a pending read does
 * not keep the operation alive. Pieces are not copied: the caller must not modify a piece after
 * handing it over. Throws `ArgumentError` (`blocks/invalid-source`) for anything else, or for a
 * piece that is not a `Uint8Array`.
 */
export function sourcePieces(source: BlockSource, signal?: AbortSignal): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) return single(source);
  if (isReadableStream(source)) return readStream(source, signal);
  if (isAsyncIterable(source)) return checked(source);
  throw new ArgumentError('blocks/invalid-source', 'source must be a Uint8Array, an AsyncIterable<Uint8Array> or a ReadableStream<Uint8Array>');
}

async function* single(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

function checkPiece(piece: unknown): Uint8Array {
  if (!(piece instanceof Uint8Array)) {
    throw new ArgumentError('blocks/invalid-source', 'every piece of the source must be a Uint8Array');
  }
  return piece;
}

async function* checked(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const piece of source) yield checkPiece(piece);
}

async function* readStream(stream: ReadableStream<Uint8Array>, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  const onAbort = (): void => {
    reader.cancel(signal?.reason).catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) return;
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield checkPiece(value);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
