/**
 * Asking the browser to keep this origin's data. Without it, "best-effort" storage (the default)
 * may be evicted under storage pressure, and with it the device's local state. Evicted state is
 * not lost for good (everything synced is on the server and the device file can be kept
 * elsewhere), but unsynced edits are.
 * @module
 */

/** What `requestPersistentStorage` obtained. */
export type PersistenceResult = 'persisted' | 'not-granted' | 'unsupported';

interface StorageManagerLike {
  persisted?(): Promise<boolean>;
  persist?(): Promise<boolean>;
  estimate?(): Promise<{ usage?: number; quota?: number }>;
}

function manager(nav: unknown): StorageManagerLike | undefined {
  const storage = (nav as { storage?: unknown } | undefined)?.storage;
  return typeof storage === 'object' && storage !== null ? (storage as StorageManagerLike) : undefined;
}

/**
 * Calls `navigator.storage.persist()` unless the origin is persisted already. Browsers decide by
 * their own rules (an installed app, a bookmark, a granted permission, site engagement) and
 * never throw for a refusal, so neither does this.
 * @param nav - the `navigator` to ask (default: the global one).
 * @example
 * ```ts
 * if ((await requestPersistentStorage()) !== 'persisted') showHint('Install the app to keep offline data');
 * ```
 */
export async function requestPersistentStorage(nav: unknown = (globalThis as { navigator?: unknown }).navigator): Promise<PersistenceResult> {
  const m = manager(nav);
  if (m?.persist === undefined) return 'unsupported';
  try {
    if (m.persisted !== undefined && (await m.persisted())) return 'persisted';
    return (await m.persist()) ? 'persisted' : 'not-granted';
  } catch {
    return 'not-granted';
  }
}

/**
 * The origin's storage use and quota in bytes (`navigator.storage.estimate()`), or `undefined`
 * where the platform does not say. Estimates are deliberately imprecise in browsers.
 */
export async function storageEstimate(nav: unknown = (globalThis as { navigator?: unknown }).navigator): Promise<{ usage: number; quota: number } | undefined> {
  const m = manager(nav);
  if (m?.estimate === undefined) return undefined;
  try {
    const e = await m.estimate();
    return typeof e.usage === 'number' && typeof e.quota === 'number' ? { usage: e.usage, quota: e.quota } : undefined;
  } catch {
    return undefined;
  }
}
