/**
 * Property tests: random valid histories are accepted (and answer like the model); a random
 * mutation of a valid batch is rejected with a CertificateError and leaves the store unchanged.
 * Runs: SEALSYNC_FUZZ_RUNS (default small, to keep the suite fast).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CertificateError } from '../../src/errors.js';
import { CertificateStore, readCertificate, type Certificate, type TopicCertificates } from '../../src/certificates/index.js';
import type { SigningKey } from '../../src/keys/index.js';
import { snapshot } from './fixture.js';
import { checkQueriesAt, generateHistory, ingestHistory, type History } from './history.js';

const RUNS = Number(process.env.SEALSYNC_FUZZ_RUNS ?? 8);
const small = (seed: number) => generateHistory({ seed, admins: 2, users: 8, realms: 3, rounds: 2 });

describe('random valid histories', () => {
  it('are accepted and answer like the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const h = await small(seed);
        const store = await CertificateStore.open({ rootVerifyKey: h.b.root.verifyKey });
        await ingestHistory(store, h);
        for (const t of h.timestamps) checkQueriesAt(store, h, t);
      }),
      { numRuns: Math.max(3, Math.floor(RUNS / 2)), seed: 0x5ea1, verbose: true },
    );
  });
});

type Mutation = 'flip' | 'swap' | 'drop' | 'wrong-signer' | 'revoked-signer' | 'timestamp';

interface Flat {
  topic: TopicCertificates['topic'];
  signed: Uint8Array;
  cert: Certificate;
}

const flatten = (batch: TopicCertificates[]): Flat[] =>
  batch.flatMap(({ topic, certificates }) => certificates.map((signed) => ({ topic, signed, cert: readCertificate(signed).certificate })));

const unflatten = (items: Flat[]): TopicCertificates[] => {
  const out: TopicCertificates[] = [];
  for (const it of items) {
    const lastGroup = out[out.length - 1];
    if (lastGroup && lastGroup.topic === it.topic) (lastGroup.certificates as Uint8Array[]).push(it.signed);
    else out.push({ topic: it.topic, certificates: [it.signed] });
  }
  return out;
};

/** The signing key of `cert`'s author in history `h` (root for bootstrap). */
function keyOf(h: History, cert: Certificate): SigningKey {
  if (cert.author === null) return h.b.root;
  for (const u of h.users.values()) for (const [d] of u.devices) if (d.deviceId === cert.author) return d.key;
  throw new Error('unknown author in test history');
}

/** Applies `kind` to the batch at positions drawn from `r` (in [0,1)); returns null if not applicable. */
async function mutate(h: History, store: CertificateStore, batch: TopicCertificates[], kind: Mutation, r: number[]): Promise<TopicCertificates[] | null> {
  const items = flatten(batch);
  const at = (x: number, n: number) => Math.floor(x * n);
  switch (kind) {
    case 'flip': {
      const it = items[at(r[0]!, items.length)]!;
      const signed = it.signed.slice();
      signed[at(r[1]!, signed.length)]! ^= 1 << at(r[2]!, 8);
      items[items.indexOf(it)] = { ...it, signed };
      return unflatten(items);
    }
    case 'swap': {
      const i = at(r[0]!, items.length);
      const j = at(r[1]!, items.length);
      if (i === j) return null;
      [items[i], items[j]] = [items[j]!, items[i]!];
      return unflatten(items);
    }
    case 'drop': {
      // Only drops a later certificate depends on: a user (its device follows) or its first
      // device, or a realm's first certificate followed by more of that realm.
      const candidates = items.filter((it, i) => {
        if (it.cert.type === 'user') return true;
        if (it.cert.type === 'device' && items[i - 1]?.cert.type === 'user') return true;
        return it.cert.type === 'realm_role' && store.lastTimestamp(it.topic) === null && items.slice(0, i).every((x) => x.topic !== it.topic) && items[i + 1]?.topic === it.topic;
      });
      if (candidates.length === 0) return null;
      items.splice(items.indexOf(candidates[at(r[0]!, candidates.length)]!), 1);
      return unflatten(items);
    }
    case 'wrong-signer': {
      const i = at(r[0]!, items.length);
      const it = items[i]!;
      const others = [...h.users.values()].flatMap((u) => u.devices.map(([d]) => d.key)).filter((k) => k !== keyOf(h, it.cert));
      items[i] = { ...it, signed: await h.b.sign(others[at(r[1]!, others.length)]!, it.cert) };
      return unflatten(items);
    }
    case 'revoked-signer': {
      const revoked = [...h.users.values()].filter((u) => store.isRevoked(u.userId));
      if (revoked.length === 0) return null;
      const i = at(r[0]!, items.length);
      const it = items[i]!;
      if (it.cert.type === 'device' && items[i - 1]?.cert.type === 'user') return null; // covered by first-device rule
      const u = revoked[at(r[1]!, revoked.length)]!;
      const [d] = u.devices[at(r[2]!, u.devices.length)]!;
      items[i] = { ...it, signed: await h.b.sign(d.key, { ...it.cert, author: d.deviceId }) };
      return unflatten(items);
    }
    case 'timestamp': {
      // Move a certificate to or before the previous one of its topic (a gap move stays valid).
      const i = at(r[0]!, items.length);
      const it = items[i]!;
      const prev = [...items.slice(0, i)].reverse().find((x) => x.topic === it.topic)?.cert.timestamp ?? store.lastTimestamp(it.topic);
      if (prev === null) return null;
      const moved = prev - at(r[1]!, 3) * 1000 - (it.cert.type === 'device' ? 1 : 0);
      items[i] = { ...it, signed: await h.b.sign(keyOf(h, it.cert), { ...it.cert, timestamp: moved }) };
      return unflatten(items);
    }
  }
}

describe('mutations of a valid batch', async () => {
  const histories = await Promise.all([11, 12].map(small));

  it('are rejected with a CertificateError and leave the store unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: histories.length - 1 }),
        fc.constantFrom<Mutation>('flip', 'swap', 'drop', 'wrong-signer', 'revoked-signer', 'timestamp'),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 3, maxLength: 3 }),
        async (hi, kind, r) => {
          const h = histories[hi]!;
          const store = await CertificateStore.open({ rootVerifyKey: h.b.root.verifyKey });
          const k = h.batches.length - 1;
          await ingestHistory(store, h, k);
          const mutated = await mutate(h, store, h.batches[k]!, kind, r);
          fc.pre(mutated !== null);
          const before = snapshot(store);
          const err = await store.ingestBatch(mutated!).then(
            () => null,
            (e: unknown) => e,
          );
          expect(err, `mutation ${kind} accepted`).toBeInstanceOf(CertificateError);
          expect(snapshot(store)).toBe(before);
          // the genuine batch still goes through afterwards
          await store.ingestBatch(h.batches[k]!);
        },
      ),
      { numRuns: RUNS * 6, seed: 0xbadc0de, verbose: true },
    );
  });
});
