/**
 * A tiny typed event emitter (no `node:events`: the SDK also runs in browsers and workers).
 * @module
 */

/** Listener of one event type. */
export type Listener<T> = (value: T) => void;

/**
 * Emits typed events. A listener that throws does not stop the others nor the emitter's caller:
 * the sync engine must not be derailed by an application bug in an event handler.
 */
export class TypedEmitter<E extends { [K in keyof E]: unknown }> {
  readonly #listeners = new Map<keyof E, Set<Listener<never>>>();

  /** Adds `listener` for `type`; returns a function that removes it. */
  on<K extends keyof E>(type: K, listener: Listener<E[K]>): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(type, listener);
  }

  /** Like `on`, but the listener runs at most once. */
  once<K extends keyof E>(type: K, listener: Listener<E[K]>): () => void {
    const off = this.on(type, (v) => {
      off();
      listener(v);
    });
    return off;
  }

  /** Removes `listener` (no-op if absent). */
  off<K extends keyof E>(type: K, listener: Listener<E[K]>): void {
    this.#listeners.get(type)?.delete(listener as Listener<never>);
  }

  /** Calls every listener of `type` with `value`, in registration order. */
  emit<K extends keyof E>(type: K, value: E[K]): void {
    const set = this.#listeners.get(type);
    if (set === undefined) return;
    for (const l of [...set]) {
      try {
        (l as Listener<E[K]>)(value);
      } catch {
        // Application handler bug: isolated on purpose (see class doc).
      }
    }
  }

  /** Number of listeners of `type` (tests, diagnostics). */
  listenerCount(type: keyof E): number {
    return this.#listeners.get(type)?.size ?? 0;
  }
}
