/**
 * How IndexedDB failures become `StorageError`s. IndexedDB reports through `DOMException` names
 * (and, in some engines, `Error`s with the same names); the mapping is by name so it holds for
 * every browser and for IndexedDB shims.
 * @module
 */
import { StorageError } from '../../errors.js';

/**
 * The `StorageError` code for an IndexedDB failure:
 * - `storage/quota-exceeded`: the origin's quota is used up (`QuotaExceededError`). Nothing of
 *   the failed transaction is applied; free space or ask for persistence and retry.
 * - `storage/newer-schema`: the database was created by a newer sealsync (`VersionError`).
 * - `storage/corrupt`: the stored data cannot be read back (`DataError`, `DataCloneError`,
 *   `NotReadableError`).
 * - `storage/io`: anything else the medium reports (`UnknownError`, `AbortError`, …).
 */
export function idbErrorCode(err: unknown): string {
  const name = typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : '';
  switch (name) {
    case 'QuotaExceededError':
      return 'storage/quota-exceeded';
    case 'VersionError':
      return 'storage/newer-schema';
    case 'DataError':
    case 'DataCloneError':
    case 'NotReadableError':
      return 'storage/corrupt';
    default:
      return 'storage/io';
  }
}

/** Wraps an IndexedDB failure (or `null` when the platform gave none) in a `StorageError`. */
export function idbError(err: unknown, doing: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = idbErrorCode(err);
  const detail = err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err) ? `: ${String((err as { message: unknown }).message)}` : '';
  return new StorageError(code, `IndexedDB ${doing} failed${detail}`, err === null || err === undefined ? undefined : { cause: err });
}

/** Resolves with the request's result, or rejects with a `StorageError` for its error. */
export function request<T>(req: IDBRequest<T>, doing: string): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    // No preventDefault: a failed request must abort its transaction (that is what makes a
    // batch all-or-nothing).
    req.onerror = () => reject(idbError(req.error, doing));
  });
}

/** Resolves when `tx` commits; rejects with a `StorageError` when it aborts or fails. */
export function committed(tx: IDBTransaction, doing: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    // `error` bubbles from requests to the transaction; `abort` always follows. Report once,
    // with the request's error when there is one (e.g. QuotaExceededError).
    tx.onabort = () => reject(idbError(tx.error, doing));
  });
}
