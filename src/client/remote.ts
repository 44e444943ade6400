/**
 * Reading vlobs from the server and verifying them (the manifest format read checks, §9 rollback/fork):
 * every answer is checked completely before the caller applies any of it.
 * @module
 */
import type { RealmId, VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { CertificateStore } from '../certificates/store.js';
import { ManifestError, RollbackError } from '../errors.js';
import { manifestTrustFromStore } from '../manifests/certificate-trust.js';
import type { RealmKeyLookup } from '../manifests/realm-keyring.js';
import { decryptManifest } from '../manifests/vlob-crypto.js';
import type { VlobItem } from '../transport/commands.js';
import { MAX_BATCH_ITEMS } from '../transport/limits.js';
import { expectOk, type Transport } from '../transport/transport.js';
import { checkNotAppearedAfterRemoval, type PollMark } from './appeared-after.js';
import { checkHeads } from './manifest-heads.js';
import type { BaseVersion } from './local-entry.js';
import { mapLimit } from './pool.js';
import { checkVlobVersion } from './rollback.js';
import { checkSameAsVerified, isMark, verifiedTimestamp, verifiedVersion, type CollectedMark, type Verified } from './verified.js';

/** What reading a realm's vlobs needs. */
export interface RemoteContext {
  readonly realmId: RealmId;
  readonly transport: Transport;
  readonly certs: CertificateStore;
  /** Keys by index (the realm's keyring). */
  readonly keys: RealmKeyLookup;
  /** Local clock, to refuse documents dated in the future. */
  readonly now: Timestamp;
  /** How far in the future a signed timestamp may be, µs. */
  readonly tolerance: number;
}

/** Served versions verified at once (signature and decryption run off the main thread). */
const VERIFY_CONCURRENCY = 8;

function chunks<T>(items: readonly T[], size = MAX_BATCH_ITEMS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Verifies one served version: every read check of `decryptManifest` (with the certificate store
 * as trust at the manifest's own timestamp), the certificate heads it binds (`checkHeads`:
 * `manifest/heads-unknown`, `heads-fork`, `older-than-heads`, `heads-contradict-role`,
 * `heads-regressed`), the link to `previous` when given (a broken link
 * there is a fork: `RollbackError` `rollback/fork`), a signed timestamp strictly after
 * `previous`'s (`ManifestError` `manifest/timestamp-not-increasing`) and not beyond
 * `now + tolerance` (`ManifestError` `manifest/timestamp-in-future`).
 *
 * Why increasing: without it a writer revoked or downgraded at `R` (with the server's help) signs
 * a next version dated before `R`, where its role still allowed it; along a chain whose last
 * version is dated after `R`, it cannot.
 */
export async function verifyItem(ctx: RemoteContext, item: VlobItem, previous?: BaseVersion): Promise<BaseVersion> {
  const previousSigned = previous?.signed;
  let verified;
  try {
    verified = await decryptManifest({
      blob: item.blob,
      realmId: ctx.realmId,
      expected: { id: item.vlobId, version: item.version, author: item.author, timestamp: item.timestamp, keyIndex: item.keyIndex },
      realmKeys: ctx.keys,
      trust: manifestTrustFromStore(ctx.certs),
      ...(previousSigned === undefined ? {} : { previousSigned }),
    });
  } catch (err) {
    if (err instanceof ManifestError && err.code === 'manifest/prev-mismatch') {
      throw new RollbackError('rollback/fork', `vlob ${item.vlobId} version ${item.version} does not continue the history we verified`, { cause: err });
    }
    throw err;
  }
  checkHeads(ctx.certs, ctx.realmId, verified.manifest, previous?.manifest);
  if (previous !== undefined && verified.manifest.timestamp <= previous.manifest.timestamp) {
    throw new ManifestError(
      'manifest/timestamp-not-increasing',
      `vlob ${item.vlobId} version ${item.version} is dated ${verified.manifest.timestamp}, not after version ${previous.manifest.version} (${previous.manifest.timestamp})`,
    );
  }
  if (verified.manifest.timestamp > ctx.now + ctx.tolerance) {
    throw new ManifestError('manifest/timestamp-in-future', `vlob ${item.vlobId} version ${item.version} is dated ${verified.manifest.timestamp}, after now + tolerance`);
  }
  return { manifest: verified.manifest, signed: verified.signed, keyIndex: item.keyIndex };
}

function checkAnswered(items: readonly VlobItem[], asked: ReadonlySet<string>): void {
  const seen = new Set<string>();
  for (const it of items) {
    const key = `${it.vlobId}`;
    if (!asked.has(key) || seen.has(key)) {
      throw new ManifestError('manifest/unexpected-vlob', `the server answered with vlob ${it.vlobId}, which was not asked (or twice)`);
    }
    seen.add(key);
  }
}

/**
 * Versions `from..to` of `id` (inclusive) as served, unverified, in version order, read in
 * batches as the caller consumes them (so a caller that stops on a bad version reads no further).
 * Throws `ManifestError` `manifest/unexpected-vlob` for an answer that was not asked (another
 * vlob, a version twice) and `RollbackError` `rollback/missing-version` for a version left out.
 */
async function* readVersions(ctx: RemoteContext, id: VlobId, from: number, to: number): AsyncGenerator<VlobItem> {
  const wanted = [];
  for (let v = from; v <= to; v++) wanted.push({ vlobId: id, version: v });
  for (const part of chunks(wanted)) {
    const rep = expectOk(await ctx.transport.send({ cmd: 'vlob_read_versions', realmId: ctx.realmId, items: part }));
    const byVersion = new Map<number, VlobItem>();
    for (const it of rep.items) {
      if (it.vlobId !== id || byVersion.has(it.version)) throw new ManifestError('manifest/unexpected-vlob', 'the server answered a version that was not asked');
      byVersion.set(it.version, it);
    }
    for (const w of part) {
      const it = byVersion.get(w.version);
      // A version missing from the middle of a chain: the server hides part of the history.
      if (it === undefined) throw new RollbackError('rollback/missing-version', `vlob ${id} version ${w.version} is missing`);
      yield it;
    }
  }
}

/** Fetches and verifies versions `from..to` of `id` (inclusive), linked from `previous`; each new since `mark`. */
async function fetchChain(ctx: RemoteContext, id: VlobId, from: number, to: number, previous: BaseVersion, mark: PollMark | null): Promise<BaseVersion> {
  let prev = previous;
  for await (const it of readVersions(ctx, id, from, to)) prev = newSince(ctx, mark, await verifyItem(ctx, it, prev));
  return prev;
}

/** `v`, after `checkNotAppearedAfterRemoval` (a version this device had not seen at `mark`). */
function newSince(ctx: RemoteContext, mark: PollMark | null, v: BaseVersion): BaseVersion {
  checkNotAppearedAfterRemoval(ctx.certs, ctx.realmId, mark, v.manifest);
  return v;
}

/**
 * A collected vlob served at `item` (not older than its `known` mark): the version itself when it
 * is the marked one (its bytes must hash to the mark's digest, else `rollback/fork`); otherwise
 * the marked version is read again and checked the same way, and the served one must chain from
 * it like any newer version.
 */
async function fromMark(ctx: RemoteContext, item: VlobItem, known: CollectedMark, mark: PollMark | null): Promise<BaseVersion> {
  if (item.version === known.version) {
    const same = await verifyItem(ctx, item);
    await checkSameAsVerified(item.vlobId, known, same.signed);
    return same;
  }
  let previous = await fetchVersion(ctx, item.vlobId, known.version);
  await checkSameAsVerified(item.vlobId, known, previous.signed);
  if (item.version > known.version + 1) previous = await fetchChain(ctx, item.vlobId, known.version + 1, item.version - 1, previous, mark);
  return newSince(ctx, mark, await verifyItem(ctx, item, previous));
}

/**
 * Latest versions of `ids`, verified. For a vlob this device already verified (`known`: a kept
 * entry's base version, or a collected entry's mark), the served version must not be older
 * (`rollback/vlob-version`), an equal version must be byte-identical (`rollback/fork`), and a
 * newer one must link to the known one through every intermediate version (fetched with
 * `vlob_read_versions` when versions were skipped). `minVersion` (from a change poll, or a
 * collected entry's mark) must be reached too, and a vlob in it must be served
 * (`rollback/missing-version`). Other vlobs the server does not return are left out (not yet
 * uploaded). Every version newer than what is known was stored after this device's last complete
 * poll of the realm (`mark`, `null` before the first): `checkNotAppearedAfterRemoval` applies to
 * it (`ManifestError` `manifest/appeared-after-removal`).
 * Returns the vlobs whose version is newer than what is known, and collected vlobs (their entry
 * is gone from this device) at their known version too.
 */
export async function fetchLatest(
  ctx: RemoteContext,
  ids: readonly VlobId[],
  known: (id: VlobId) => Verified | null,
  minVersion: ReadonlyMap<VlobId, number> = new Map(),
  mark: PollMark | null = null,
): Promise<BaseVersion[]> {
  const items: VlobItem[] = [];
  for (const part of chunks(ids)) {
    const rep = expectOk(await ctx.transport.send({ cmd: 'vlob_read_batch', realmId: ctx.realmId, vlobIds: part }));
    checkAnswered(rep.items, new Set(part));
    items.push(...rep.items);
  }
  const returned = new Set(items.map((it) => it.vlobId));
  // A Set, not `ids.includes`: a poll of 10,000 changes made this check quadratic (16 % of a sync).
  const asked = new Set(ids);
  for (const id of minVersion.keys()) {
    // A change the poll announced but the read does not deliver: applying the poll's checkpoint
    // anyway would make this device skip that write for good.
    if (asked.has(id) && !returned.has(id)) throw new RollbackError('rollback/missing-version', `vlob ${id} was announced but not served`);
  }
  // Cheap checks of every item first: a rollback is reported before any crypto is spent.
  for (const item of items) {
    checkVlobVersion(item.vlobId, Math.max(verifiedVersion(known(item.vlobId)), minVersion.get(item.vlobId) ?? 0), item.version);
  }
  // Each vlob is verified on its own, so they can go concurrently; the reported error is the one
  // of the first failing item in answer order, whatever the scheduling.
  const verified = await mapLimit(items, VERIFY_CONCURRENCY, async (item): Promise<BaseVersion | null> => {
    const base = known(item.vlobId);
    if (base === null) return newSince(ctx, mark, await verifyItem(ctx, item));
    if (isMark(base)) return fromMark(ctx, item, base, mark);
    if (item.version === base.manifest.version) {
      const again = await verifyItem(ctx, item);
      await checkSameAsVerified(item.vlobId, base, again.signed);
      return null;
    }
    let previous = base;
    if (item.version > base.manifest.version + 1) {
      previous = await fetchChain(ctx, item.vlobId, base.manifest.version + 1, item.version - 1, base, mark);
    }
    return newSince(ctx, mark, await verifyItem(ctx, item, previous));
  });
  return verified.filter((v): v is BaseVersion => v !== null);
}

/** Fetches and verifies every version of `id` from 1 to `latest`, as one hash chain. */
export async function fetchHistory(ctx: RemoteContext, id: VlobId, latest: number): Promise<BaseVersion[]> {
  const out: BaseVersion[] = [];
  let prev: BaseVersion | undefined;
  for await (const it of readVersions(ctx, id, 1, latest)) {
    const v = await verifyItem(ctx, it, prev);
    if (v.manifest.version === 1 && v.manifest.prev !== null) throw new RollbackError('rollback/fork', 'version 1 has a predecessor');
    out.push(v);
    prev = v;
  }
  return out;
}

/**
 * The version of `id` current at time `at`, verified (or `undefined` if none existed then).
 * `known` is the newest version of `id` this device verified (its sync base, or its collected
 * entry's mark), if any.
 *
 * Refuses (`RollbackError`):
 * - a version signed after `at` (`rollback/not-at-time`: the server answered another question);
 * - nothing, when `known` or the first version is dated at or before `at`, or a version older
 *   than `known` whose successor is not shown to be dated after `at`
 *   (`rollback/older-than-verified`): the successor is fetched and must chain to the served version
 *   and be dated after `at`, so a server cannot serve, for time `t`, a version this device already
 *   knows was superseded by `t` (e.g. the one before a correction, or before a removal);
 * - `known` itself served with other bytes (`rollback/fork`).
 * A server can still stay silent about versions newer than `known`: no client alone can see that.
 */
export async function fetchAt(ctx: RemoteContext, id: VlobId, at: Timestamp, known: Verified | null = null): Promise<BaseVersion | undefined> {
  const rep = expectOk(await ctx.transport.send({ cmd: 'vlob_read_batch', realmId: ctx.realmId, vlobIds: [id], at }));
  checkAnswered(rep.items, new Set([id]));
  const item = rep.items[0];
  if (item === undefined) {
    // "Did not exist then": only right if its first version is dated after `at`.
    if (known !== null && (verifiedTimestamp(known) <= at || (await fetchVersion(ctx, id, 1)).manifest.timestamp <= at)) {
      throw new RollbackError('rollback/older-than-verified', `vlob ${id}: nothing served at ${at}, but a version dated before was verified`);
    }
    return undefined;
  }
  const v = await verifyItem(ctx, item);
  if (v.manifest.timestamp > at) throw new RollbackError('rollback/not-at-time', `vlob ${id} version ${v.manifest.version} is dated after ${at}`);
  if (known === null || v.manifest.version > verifiedVersion(known)) return v;
  if (v.manifest.version === verifiedVersion(known)) {
    await checkSameAsVerified(id, known, v.signed);
    return v;
  }
  // Older than what this device verified: only right if the next version is dated after `at`.
  if (verifiedTimestamp(known) <= at) {
    throw new RollbackError('rollback/older-than-verified', `vlob ${id}: version ${v.manifest.version} served at ${at}, but version ${verifiedVersion(known)} (dated ${verifiedTimestamp(known)}) was verified`);
  }
  const successor = await fetchVersion(ctx, id, v.manifest.version + 1, v);
  if (successor.manifest.timestamp <= at) {
    throw new RollbackError('rollback/older-than-verified', `vlob ${id}: version ${v.manifest.version} served at ${at}, but version ${successor.manifest.version} is dated ${successor.manifest.timestamp}`);
  }
  return v;
}

/** Version `version` of `id`, verified (linked to `previous` when given). */
async function fetchVersion(ctx: RemoteContext, id: VlobId, version: number, previous?: BaseVersion): Promise<BaseVersion> {
  const it = readVersions(ctx, id, version, version);
  try {
    return await verifyItem(ctx, (await it.next()).value as VlobItem, previous);
  } finally {
    await it.return(undefined);
  }
}
