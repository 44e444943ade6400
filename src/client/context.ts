/**
 * What a workspace needs from its client: one object, so the workspace and sync code stay
 * functions of explicit inputs.
 * @module
 */
import type { Clock, Timestamp } from '../codec/timestamps.js';
import type { CertificateStore } from '../certificates/store.js';
import type { IgnoreMatcher } from '../merge/ignore.js';
import type { LocalDevice } from '../storage/device-file.js';
import type { Transport } from '../transport/transport.js';
import type { TypedEmitter } from './emitter.js';
import type { ClientEvents } from './events.js';
import type { LocalStore } from './local-store.js';
import type { RealmKeysManager } from './realm-keys.js';

/** A clock that never repeats and can be pushed past a server-given bound. */
export type IncreasingClock = Clock & { bump(after: Timestamp): void };

/** Tunables of a client. */
export interface ClientSettings {
  /** Block size of new files (bytes, [4 KiB, 64 MiB]); default 512 KiB. */
  readonly blocksize: number;
  /** How far in the future a signed timestamp may be before it is refused, µs; default 10 min. */
  readonly clockTolerance: number;
  /** Blocks uploaded/fetched at once; default 4. */
  readonly concurrency: number;
  /** Scratch-name patterns: matching entries stay on this device (the merge rules). */
  readonly ignore: IgnoreMatcher;
  /** How long a delete tombstone is kept once the delete is on the server, µs (then forgotten). */
  readonly tombstoneRetention: number;
}

export interface ClientContext {
  readonly device: LocalDevice;
  readonly transport: Transport;
  readonly certs: CertificateStore;
  readonly store: LocalStore;
  readonly keys: RealmKeysManager;
  readonly clock: IncreasingClock;
  readonly events: TypedEmitter<ClientEvents>;
  readonly settings: ClientSettings;
  /** Removals (`topic:userId`) an operation of this client is sending right now. */
  readonly removalsInFlight: Set<string>;
  /** Fetches and ingests new certificates (and runs the client's reactions to them). */
  syncCertificates(): Promise<void>;
}
