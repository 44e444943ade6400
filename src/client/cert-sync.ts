/**
 * Certificate synchronisation (the certificate rules, the sync model): fetch each topic since its high-water mark,
 * refuse answers that go backwards, ingest the rest atomically into the persisted store.
 * @module
 */
import { equalBytes } from '../bytes.js';
import type { Timestamp } from '../codec/timestamps.js';
import { readCertificate } from '../certificates/sign.js';
import type { CertificateStore } from '../certificates/store.js';
import { COMMON_TOPIC, type Certificate, type Topic } from '../certificates/types.js';
import type { TopicCertificates } from '../certificates/storage.js';
import { CertificateError } from '../errors.js';
import type { TopicName } from '../transport/commands.js';
import { expectOk, type Transport } from '../transport/transport.js';
import { newCertificates, type KnownCertificates } from './rollback.js';

/** `KnownCertificates` over a `CertificateStore`. */
export function knownFromStore(store: CertificateStore): KnownCertificates {
  return {
    lastTimestamp: (topic) => store.lastTimestamp(topic as Topic),
    has(topic, timestamp, signed) {
      // Certificates at or after `timestamp - 1` only: at most a couple share a timestamp.
      for (const c of store.signedCertificates(topic as Topic, timestamp - 1)) {
        if (equalBytes(c, signed)) return true;
        if (readCertificate(c).certificate.timestamp > timestamp) break;
      }
      return false;
    },
  };
}

/**
 * Plans the ingestion of a `certificates_get` answer: common topic first, then realms; only new
 * certificates. Throws `RollbackError` (see `newCertificates`), `CertificateError` for a
 * malformed certificate or one dated more than `tolerance` µs after `now` (a certificate from the
 * future would let its author act before the rest of the organisation can notice, e.g. pre-date
 * a role before a revocation; the honest server never accepts one).
 */
export function planIngest(
  topics: ReadonlyMap<TopicName, readonly Uint8Array[]>,
  known: KnownCertificates,
  now: Timestamp,
  tolerance: number,
): TopicCertificates[] {
  const order = [...topics.keys()].sort((a, b) => (a === COMMON_TOPIC ? -1 : b === COMMON_TOPIC ? 1 : 0));
  const batch: TopicCertificates[] = [];
  for (const topic of order) {
    const served = topics.get(topic)!.map((signed) => {
      const { certificate } = readCertificate(signed);
      if (certificate.timestamp > now + tolerance) {
        throw new CertificateError('timestamp-in-future', `a ${certificate.type} certificate is dated ${certificate.timestamp}, after ${now} + tolerance`);
      }
      return { signed, timestamp: certificate.timestamp };
    });
    const fresh = newCertificates(topic, served, known);
    if (fresh.length > 0) batch.push({ topic: topic as Topic, certificates: fresh });
  }
  return batch;
}

/**
 * Fetches and ingests new certificates. Atomic: on any error (`RollbackError`,
 * `CertificateError`, `TransportError`) the store is unchanged. Returns the new certificates.
 */
export async function syncCertificates(args: {
  store: CertificateStore;
  transport: Transport;
  now: Timestamp;
  tolerance: number;
}): Promise<Certificate[]> {
  const { store, transport } = args;
  const after = new Map<TopicName, Timestamp>();
  for (const topic of new Set<Topic>([COMMON_TOPIC, ...store.topics()])) {
    const t = store.lastTimestamp(topic);
    if (t !== null) after.set(topic as TopicName, t);
  }
  const rep = expectOk(await transport.send({ cmd: 'certificates_get', after }));
  const batch = planIngest(rep.topics, knownFromStore(store), args.now, args.tolerance);
  if (batch.length === 0) return [];
  return store.ingestBatch(batch);
}
