/**
 * AbortSignal plumbing shared by encode and decode: one internal controller per operation that
 * follows the caller's signal, and a race that turns an abort into a prompt `AbortError` even when
 * the awaited promise (a caller's upload, a slow fetch) ignores its signal.
 * @module
 */
import { AbortError } from '../errors.js';

/** An internal controller aborted when `outer` aborts; `dispose()` removes the listener. */
export interface LinkedAbort {
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * Links a fresh controller to the caller's optional signals: it aborts (with that signal's reason)
 * as soon as any of them does, at once if one already has.
 */
export function linkAbort(...outer: readonly (AbortSignal | undefined)[]): LinkedAbort {
  const controller = new AbortController();
  const sources = outer.filter((s): s is AbortSignal => s !== undefined);
  const listeners: (() => void)[] = [];
  const dispose = (): void => {
    sources.forEach((s, i) => {
      const l = listeners[i];
      if (l) s.removeEventListener('abort', l);
    });
  };
  for (const s of sources) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    const l = (): void => {
      controller.abort(s.reason);
      dispose();
    };
    listeners.push(l);
    s.addEventListener('abort', l, { once: true });
  }
  if (controller.signal.aborted) dispose();
  return { controller, signal: controller.signal, dispose };
}

/** The error an aborted operation rejects with: the caller's `AbortError` carrying `signal.reason`. */
export function abortErrorOf(signal: AbortSignal): AbortError {
  return signal.reason instanceof AbortError ? signal.reason : new AbortError('operation aborted', { cause: signal.reason });
}

/**
 * Resolves like `promise`, or rejects with `onAbort(signal)` as soon as `signal` aborts. The
 * listener is removed when settled: an operation over thousands of blocks must not pile up
 * listeners on one signal.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, onAbort: (s: AbortSignal) => unknown = abortErrorOf): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(onAbort(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const listener = (): void => {
      promise.catch(() => undefined);
      reject(onAbort(signal));
    };
    signal.addEventListener('abort', listener, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', listener);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', listener);
        reject(e);
      },
    );
  });
}
