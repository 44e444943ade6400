/**
 * One seed of the lying-server mode: Alice's two devices (both OWNER) and Bob (CONTRIBUTOR) work
 * on the shared workspace; at a random step Alice removes Bob (revokes him, unshares him, or
 * downgrades him to READER), and around it the server lies to Alice's devices, alone or with Bob's
 * help after his removal (see `liar.ts`). Then the lies stop, the honest devices heal, and the
 * invariants are checked:
 * - every lie told ends in a typed error (`SealsyncError`) or has no effect;
 * - no write by Bob after his removal is ever applied (no forged version reaches a working copy);
 * - no removed member reads data written after its removal took effect: every write the server
 *   accepts from a device whose verified store shows the key rotation after the removal is under
 *   a key Bob never received (writes before the rotation is verified are counted: `windowWrites`);
 * - after healing, the honest devices converge, nothing is pending, the removal is in force.
 * @module
 */
import type { UserId, VlobId } from '../../src/codec/ids.js';
import type { Timestamp } from '../../src/codec/timestamps.js';
import { SealsyncError } from '../../src/errors.js';
import { directTransport, FORGED_SIZE, forgeVersion, LyingServer, memberKeyring, type LieKind } from './liar.js';
import { Rng } from './rng.js';
import { describeTree, MAX_HEAL_ROUNDS, readTree, SimulationFailure, type Tree } from './scenario.js';
import { SimWorld, type SimDevice, type Snapshot } from './sim-world.js';
import type { RealmKeyring } from '../../src/manifests/index.js';

export type RemovalKind = 'revoke' | 'unshare' | 'downgrade';

/** How one lie ended: the operation's error code, or `no-effect`. */
export interface LieOutcome {
  readonly kind: LieKind;
  readonly ended: string;
}

export interface LyingSeedResult {
  readonly seed: number;
  readonly trace: string[];
  readonly removal: RemovalKind;
  readonly lies: LieOutcome[];
  /** Writes accepted under a key Bob holds, by a device that had verified his removal but not yet the rotation after it. */
  readonly windowWrites: number;
}

/** Lies that must end in a typed error: their effect, if the operation succeeded, is the violation itself. */
const MUST_FAIL: ReadonlySet<LieKind> = new Set(['ack-discard', 'clock-hint', 'inflate-checkpoint']);

const FILES = ['a.txt', 'b.txt', 'c.md'];
const REPRODUCE = (seed: number) => `SEALSYNC_LIE_SEED=${seed} npx vitest run test/simulation/lying-simulation.test.ts`;

export async function runLyingSeed(snap: Snapshot, seed: number): Promise<LyingSeedResult> {
  const rng = new Rng(seed);
  const world = await SimWorld.fromSnapshot(snap, new Rng(seed ^ 0x11e5));
  const liar = new LyingServer(new Rng(seed ^ 0x5eed), () => world.clock.now);
  world.net.liar = liar;
  const trace: string[] = [];
  const lies: LieOutcome[] = [];
  const fail = (what: string): never => {
    throw new SimulationFailure(seed, `[lying server] ${what}`, trace, REPRODUCE(seed));
  };
  const [laptop, desktop, bob] = world.devices as [SimDevice, SimDevice, SimDevice];
  const honest = [laptop, desktop];
  const realmId = world.realmId;
  const bobId = bob.device.userId as UserId;
  const removal: RemovalKind = rng.pick(['revoke', 'unshare', 'downgrade'] as const);
  let removedAt: Timestamp | null = null;
  let bobKeyring: RealmKeyring | null = null;
  let windowWrites = 0;
  const polledAfterRemoval = new Set<string>();
  const byName = (n: string) => world.devices.find((d) => d.name === n)!;
  const bobMaxKey = () => Math.max(1, ...liar.rotations.filter((r) => r.sealedTo.includes(bobId)).map((r) => r.keyIndex));

  liar.onWrite = (w) => {
    if (removedAt === null || removal === 'downgrade' || w.device === bob.name) return;
    const certs = byName(w.device).client.certificates;
    const removedHere = removal === 'revoke' ? certs.isRevoked(bobId) : certs.getRealmRole(realmId, bobId) === null;
    if (!removedHere || w.keyIndex > bobMaxKey()) return;
    const rotatedAfter = (certs.getCurrentKeyRotation(realmId)?.timestamp ?? 0) > removedAt;
    if (rotatedAfter) fail(`${w.device} wrote under key ${w.keyIndex}, which Bob holds, after it verified the rotation that followed his removal`);
    windowWrites++;
  };

  /** Runs `op` with the lie armed; records how it ended if the lie was told. */
  async function withLie(kind: LieKind, target: SimDevice, op: () => Promise<unknown>, forged?: Parameters<LyingServer['arm']>[2]): Promise<void> {
    liar.arm(kind, target.name, forged);
    let ended = 'no-effect';
    try {
      await op();
    } catch (err) {
      if (!(err instanceof SealsyncError)) fail(`${kind} on ${target.name}: not a sealsync error: ${String((err as Error)?.stack ?? err)}`);
      ended = (err as SealsyncError).code;
    }
    const told = liar.disarm();
    trace.push(`lie ${kind} → ${target.name}: ${told ? ended : 'not told'}`);
    if (!told) return;
    if (ended === 'no-effect' && MUST_FAIL.has(kind)) fail(`${kind} told to ${target.name} and the operation succeeded`);
    lies.push({ kind, ended });
    await checkNoForgery();
  }

  async function checkNoForgery(): Promise<void> {
    for (const d of honest) {
      for (const [path, e] of await readTree(d, [])) {
        if (e.type === 'file' && e.content.length === FORGED_SIZE && !e.content.startsWith('[')) fail(`${d.name}: Bob's forged version applied at ${path}`);
      }
    }
  }

  async function write(d: SimDevice, i: number): Promise<void> {
    const path = `/${rng.pick(FILES)}`;
    const content = `[seed ${seed} op ${i} ${d.name}]`.padEnd(rng.int(20, 200), '.');
    await d.ws.writeFile(path, Buffer.from(content, 'latin1'));
    trace.push(`#${i} ${d.name}: write ${path}`);
  }

  async function sync(d: SimDevice, i: number): Promise<void> {
    const sawRemoval = removedAt !== null && (removal === 'revoke' ? d.client.certificates.isRevoked(bobId) : d.client.certificates.getRealmRole(realmId, bobId) !== 'CONTRIBUTOR');
    if (d === bob && removedAt !== null) {
      // Bob, downgraded, may hold edits the server now refuses: his failures are his own.
      const err = await d.client.sync().then(() => null, (e: unknown) => e);
      if (err !== null && !(err instanceof SealsyncError)) fail(`bob: not a sealsync error: ${String(err)}`);
      trace.push(`#${i} bob: sync ${err === null ? 'ok' : (err as SealsyncError).code}`);
      return;
    }
    await d.client.sync();
    if (sawRemoval) polledAfterRemoval.add(d.name);
    trace.push(`#${i} ${d.name}: sync`);
  }

  /** Alice removes Bob with `laptop`, maybe through an acknowledged-and-dropped command; resumed honestly. */
  async function remove(i: number): Promise<void> {
    bobKeyring = await memberKeyring(directTransport(world.net, bob.device, world.clock.read), bob.device, bob.client.certificates, realmId);
    const op =
      removal === 'revoke' ? () => laptop.client.revokeUser(bobId) : removal === 'unshare' ? () => laptop.ws.unshare(bobId) : () => laptop.ws.share(bobId, 'READER');
    if (rng.chance(0.4)) await withLie('ack-discard', laptop, op);
    else await op();
    // Resumed by the next certificate sync (removals), or sent again (a downgrade is no removal).
    await laptop.client.syncCertificates();
    const certs = laptop.client.certificates;
    if (removal === 'downgrade' && certs.getRealmRole(realmId, bobId) !== 'READER') await op();
    if (removal === 'revoke') {
      removedAt = certs.getUser(bobId)?.revokedOn ?? fail('revocation not in force');
    } else {
      if (certs.getRealmRole(realmId, bobId) !== (removal === 'unshare' ? null : 'READER')) fail(`${removal} not in force`);
      removedAt = certs.lastTimestamp(realmId)!;
    }
    // An unshare is followed by a rotation (the client rotates by itself only after a revocation).
    if (removal === 'unshare') await laptop.ws.rotateKey();
    trace.push(`#${i} laptop: ${removal} Bob (at ${removedAt})`);
    for (const d of honest) await sync(d, i);
  }

  /** One lie, chosen among those that make sense now. */
  async function lie(i: number): Promise<void> {
    const target = rng.pick(honest);
    const other = target === laptop ? desktop : laptop;
    const backdateTargets = honest.filter((d) => polledAfterRemoval.has(d.name));
    const kinds: LieKind[] = ['withhold-certificate', 'ack-discard', 'clock-hint', 'inflate-checkpoint'];
    if (bobKeyring !== null && backdateTargets.length > 0) kinds.push('backdate-manifest', 'backdate-manifest', 'backdate-manifest', 'backdate-manifest');
    const kind = rng.pick(kinds);
    trace.push(`#${i} lie ${kind}`);
    switch (kind) {
      case 'withhold-certificate':
        // One or two new realm certificates to deliver (dropping the only one is mere silence).
        for (let k = rng.int(1, 2); k > 0; k--) await other.ws.rotateKey();
        return withLie(kind, target, () => target.client.sync());
      case 'ack-discard':
        return withLie(kind, target, () => target.ws.rotateKey());
      case 'clock-hint':
        await target.ws.writeFile(`/${rng.pick(FILES)}`, Buffer.from(`[seed ${seed} op ${i} ${target.name} hint]`, 'latin1'));
        return withLie(kind, target, () => target.client.sync());
      case 'inflate-checkpoint':
        await write(other, i);
        await other.client.sync();
        return withLie(kind, target, () => target.client.sync());
      case 'backdate-manifest': {
        const reader = rng.pick(backdateTargets);
        const files = (await reader.ws.list('/')).filter((e) => e.type === 'file');
        if (files.length === 0) return;
        const id = (await reader.ws.stat(`/${rng.pick(files).name}`)).id as VlobId;
        const forged = await forgeVersion({
          reader: directTransport(world.net, laptop.device, world.clock.read),
          certs: laptop.client.certificates,
          realmId,
          vlobId: id,
          member: bob.device,
          keyring: bobKeyring!,
          // Just before the removal, and after the version it follows when that is possible.
          timestamp: (base) => Math.max(base.timestamp + 1, removedAt! - rng.int(1, 500)),
        });
        if (forged === null) return;
        return withLie(kind, reader, () => reader.client.sync(), forged);
      }
    }
  }

  try {
    const steps = rng.int(5, 8);
    const removalStep = rng.int(1, steps - 3);
    for (let i = 0; i < steps; i++) {
      if (i === removalStep) {
        await remove(i);
        continue;
      }
      const roll = rng.int(0, 99);
      const active = removedAt === null || removal === 'downgrade' ? world.devices : honest;
      if (roll < 30) await write(rng.pick(removedAt === null ? world.devices : honest), i);
      else if (roll < 55) await sync(rng.pick(active), i);
      else await lie(i);
    }

    // Heal: no more lies; every honest device syncs until a whole round changes nothing.
    liar.armed = null;
    let quiet = false;
    for (let round = 0; !quiet; round++) {
      if (round === MAX_HEAL_ROUNDS) fail(`no quiescence after ${MAX_HEAL_ROUNDS} healing rounds`);
      quiet = true;
      for (const d of honest) {
        let reports;
        try {
          reports = await d.client.sync();
        } catch (err) {
          fail(`${d.name}: sync failed once the server stopped lying: ${String((err as Error)?.stack ?? err)}`);
        }
        if (reports!.some((r) => r.uploaded > 0 || r.downloaded > 0 || r.conflicts.length > 0)) quiet = false;
      }
    }
    await checkNoForgery();
    const trees: Tree[] = [];
    for (const d of honest) {
      if (await d.ws.hasPendingChanges()) fail(`${d.name} still has pending changes`);
      trees.push(await readTree(d, []));
    }
    if (describeTree(trees[0]!) !== describeTree(trees[1]!)) fail(`honest devices diverge:\n  ${describeTree(trees[0]!)}\n  ${describeTree(trees[1]!)}`);
    for (const d of honest) {
      const certs = d.client.certificates;
      const inForce = removal === 'revoke' ? certs.isRevoked(bobId) : certs.getRealmRole(realmId, bobId) === (removal === 'unshare' ? null : 'READER');
      if (!inForce) fail(`${d.name}: Bob's ${removal} is not in force after healing`);
      if (removal !== 'downgrade' && certs.getKeyIndex(realmId) <= bobMaxKey()) fail(`${d.name}: no key rotation after Bob's ${removal}`);
    }
    return { seed, trace, removal, lies, windowWrites };
  } catch (err) {
    if (err instanceof SimulationFailure) throw err;
    throw new SimulationFailure(seed, `[lying server] unexpected error: ${String((err as Error)?.stack ?? err)}`, trace, REPRODUCE(seed));
  } finally {
    world.net.liar = null;
    await world.close().catch(() => undefined);
  }
}
