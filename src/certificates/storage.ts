/**
 * The storage a `CertificateStore` persists to: accepted certificates as the signed bytes
 * received, per topic, in ingestion order. Implement it over any durable store; the in-memory
 * one is the default.
 * @module
 */
import type { Topic } from './types.js';

/** Signed certificates of one topic, in order. */
export interface TopicCertificates {
  readonly topic: Topic;
  readonly certificates: readonly Uint8Array[];
}

/** Where a `CertificateStore` keeps accepted certificates (the client uses its encrypted local storage). Implement it to persist a store elsewhere. */
export interface CertificateStoreStorage {
  /** Every stored certificate, per topic in append order (any topic order; the store sorts). */
  load(): Promise<readonly TopicCertificates[]>;
  /**
   * Appends a validated batch. Must be atomic: either every certificate of the batch is stored
   * or none (throw a `StorageError` then; the store stays as before the batch).
   */
  append(batch: readonly TopicCertificates[]): Promise<void>;
}

/** In-memory storage (the default): nothing survives the process. */
export class MemoryCertificateStoreStorage implements CertificateStoreStorage {
  private readonly topics = new Map<Topic, Uint8Array[]>();

  async load(): Promise<readonly TopicCertificates[]> {
    return [...this.topics].map(([topic, certificates]) => ({ topic, certificates: [...certificates] }));
  }

  async append(batch: readonly TopicCertificates[]): Promise<void> {
    for (const { topic, certificates } of batch) {
      let list = this.topics.get(topic);
      if (!list) this.topics.set(topic, (list = []));
      list.push(...certificates.map((c) => c.slice()));
    }
  }
}
