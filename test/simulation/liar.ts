/**
 * The lying server of the simulation's lying-server mode, and what a removed member colluding with
 * it can forge. One lie is armed at a time, for one device; it is "told" when the device sends the
 * request the lie rewrites, and the scenario then records how the operation ended.
 *
 * Lies: `withhold-certificate` (one certificate dropped from a `certificates_get` answer),
 * `ack-discard` (a certificate command acknowledged and never delivered), `clock-hint` (a
 * `require_greater_timestamp` bound ten years ahead, also as every item's result of a batch), `inflate-checkpoint` (a poll's checkpoint
 * a million writes ahead), `backdate-manifest` (a next version signed by the removed member, dated
 * before its removal, announced by a poll and served by the reads).
 * @module
 */
import { readCertificate } from '../../src/certificates/index.js';
import type { LocalDevice } from '../../src/client/index.js';
import type { CertificateStore } from '../../src/certificates/index.js';
import type { RealmId, VlobId } from '../../src/codec/ids.js';
import type { Timestamp } from '../../src/codec/timestamps.js';
import { sha256 } from '../../src/keys/index.js';
import {
  decryptManifest,
  encryptManifest,
  keyRotationsFromStore,
  manifestTrustFromStore,
  openRealmKeysAccess,
  openRealmKeysBundle,
  type Manifest,
  type RealmKeyring,
} from '../../src/manifests/index.js';
import { expectOk, InProcessTransport, type AuthenticatedRequest, type Transport, type VlobItem } from '../../src/transport/index.js';
import type { Liar, SimNetwork } from './faulty-network.js';
import type { Rng } from './rng.js';

export const LIE_KINDS = ['withhold-certificate', 'ack-discard', 'clock-hint', 'inflate-checkpoint', 'backdate-manifest'] as const;
export type LieKind = (typeof LIE_KINDS)[number];

/** Size of a forged file: a sparse file of zeros, which no honest write in the simulation produces. */
export const FORGED_SIZE = 4242;

const TEN_YEARS = 10 * 365 * 24 * 3600 * 1_000_000;
const CERTIFICATE_COMMANDS = new Set(['user_revoke', 'realm_unshare', 'realm_share', 'realm_rotate_key']);

/** An armed lie. */
interface Armed {
  readonly kind: LieKind;
  readonly device: string;
  /** For `backdate-manifest`: the forged version. */
  readonly forged?: VlobItem;
  told: boolean;
}

/** A write the honest server accepted: who sent it and under which key. */
export interface AcceptedWrite {
  readonly device: string;
  readonly cmd: 'vlob_create' | 'vlob_update' | 'block_create' | 'vlob_write_batch' | 'block_create_batch';
  readonly keyIndex: number;
}

/** The lying server: the armed lie, and logs of what the honest server accepted (for the invariants). */
export class LyingServer implements Liar {
  armed: Armed | null = null;
  /** Every write the server accepted, with `onWrite` called first (the invariant check). */
  onWrite: ((w: AcceptedWrite) => void) | null = null;
  /** Key rotations the server accepted: key index and the users it was sealed to. */
  readonly rotations: { keyIndex: number; sealedTo: string[] }[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly now: () => Timestamp,
  ) {}

  /** Arms `kind` for `device`'s next matching request. */
  arm(kind: LieKind, device: string, forged?: VlobItem): void {
    this.armed = { kind, device, told: false, ...(forged === undefined ? {} : { forged }) };
  }

  /** Disarms; returns whether the lie was told. */
  disarm(): boolean {
    const told = this.armed?.told ?? false;
    this.armed = null;
    return told;
  }

  intercept(device: string, req: AuthenticatedRequest): unknown {
    const a = this.armed;
    if (a === null || a.device !== device || a.told) return undefined;
    if (a.kind === 'ack-discard' && CERTIFICATE_COMMANDS.has(req.cmd)) {
      a.told = true;
      return { status: 'ok' };
    }
    if (a.kind === 'clock-hint' && (req.cmd === 'vlob_create' || req.cmd === 'vlob_update')) {
      a.told = true;
      return { status: 'error', code: 'require_greater_timestamp', message: 'later', strictlyGreaterThan: this.now() + TEN_YEARS };
    }
    if (a.kind === 'clock-hint' && req.cmd === 'vlob_write_batch') {
      // The same hint as the per-item results of a batch.
      a.told = true;
      const hint = { status: 'error', code: 'require_greater_timestamp', message: 'later', strictlyGreaterThan: this.now() + TEN_YEARS };
      return { status: 'ok', items: req.items.map((it) => ({ vlobId: it.vlobId, result: hint })) };
    }
    return undefined;
  }

  tamper(device: string, req: AuthenticatedRequest, reply: unknown): unknown {
    const rep = reply as { status: string } & Record<string, unknown>;
    if (rep.status === 'ok') this.log(device, req, rep);
    const a = this.armed;
    if (a === null || a.device !== device || rep.status !== 'ok') return reply;
    switch (a.kind) {
      case 'withhold-certificate':
        return req.cmd === 'certificates_get' ? this.withhold(a, rep) : reply;
      case 'inflate-checkpoint':
        if (req.cmd !== 'vlob_poll_changes' || a.told) return reply;
        a.told = true;
        return { ...rep, currentCheckpoint: (rep.currentCheckpoint as number) + 1_000_000 };
      case 'backdate-manifest':
        return this.serveForged(a, req, rep);
      default:
        return reply;
    }
  }

  private log(device: string, req: AuthenticatedRequest, reply: Record<string, unknown>): void {
    if (req.cmd === 'vlob_create' || req.cmd === 'vlob_update' || req.cmd === 'block_create') {
      this.onWrite?.({ device, cmd: req.cmd, keyIndex: req.keyIndex });
    } else if (req.cmd === 'vlob_write_batch' || req.cmd === 'block_create_batch') {
      // Each item the server accepted is one write (the honest server's results, in request order).
      const results = reply.items as { result: { status: string } }[];
      req.items.forEach((it, i) => {
        if (results[i]?.result.status === 'ok') this.onWrite?.({ device, cmd: req.cmd, keyIndex: it.keyIndex });
      });
    } else if (req.cmd === 'realm_rotate_key') {
      const cert = readCertificate(req.keyRotationCertificate).certificate;
      if (cert.type === 'realm_key_rotation') this.rotations.push({ keyIndex: cert.keyIndex, sealedTo: [...req.keysBundleAccesses.keys()] });
    }
  }

  /** Drops one certificate of a non-empty answer (any topic, any position). */
  private withhold(a: Armed, rep: Record<string, unknown>): unknown {
    if (a.told) return rep;
    const topics = [...(rep.topics as Map<string, Uint8Array[]>)];
    const candidates = topics.filter(([, certs]) => certs.length > 0);
    if (candidates.length === 0) return rep;
    const [topic, certs] = this.rng.pick(candidates);
    const drop = this.rng.int(0, certs.length - 1);
    a.told = true;
    return { ...rep, topics: new Map(topics.map(([t, c]) => [t, t === topic ? c.filter((_, i) => i !== drop) : c])) };
  }

  /** Announces the forged version in polls and serves it from the reads. */
  private serveForged(a: Armed, req: AuthenticatedRequest, rep: Record<string, unknown>): unknown {
    const f = a.forged!;
    if (req.cmd === 'vlob_poll_changes' && req.realmId !== undefined) {
      const changes = (rep.changes as { vlobId: VlobId; version: number }[]).filter((c) => c.vlobId !== f.vlobId);
      return { ...rep, currentCheckpoint: (rep.currentCheckpoint as number) + 1, changes: [...changes, { vlobId: f.vlobId, version: f.version }] };
    }
    if (req.cmd === 'vlob_read_batch' && req.at === undefined && req.vlobIds.includes(f.vlobId)) {
      a.told = true;
      return { ...rep, items: [...(rep.items as VlobItem[]).filter((it) => it.vlobId !== f.vlobId), f] };
    }
    if (req.cmd === 'vlob_read_versions' && req.items.some((it) => it.vlobId === f.vlobId && it.version === f.version)) {
      a.told = true;
      return { ...rep, items: [...(rep.items as VlobItem[]).filter((it) => !(it.vlobId === f.vlobId && it.version === f.version)), f] };
    }
    return rep;
  }
}

/** A device's own transport straight to the server (what the colluding server and member use). */
export function directTransport(net: SimNetwork, device: LocalDevice, clock: () => Timestamp): Transport {
  return new InProcessTransport(net, { organizationId: device.organizationId, deviceId: device.deviceId, signingKey: device.signingKey }, { clock });
}

/** The realm keys `device` (a member) can open now, as its user. */
export async function memberKeyring(t: Transport, device: LocalDevice, certs: CertificateStore, realmId: RealmId): Promise<RealmKeyring> {
  const rep = expectOk(await t.send({ cmd: 'realm_get_keys_bundle', realmId, keyIndex: certs.getKeyIndex(realmId) }));
  const bundleKey = await openRealmKeysAccess({ access: rep.keysBundleAccess, realmId, userId: device.userId, privateKey: device.userPrivateKey });
  return (await openRealmKeysBundle({ bundle: rep.keysBundle, bundleKey, realmId, trust: manifestTrustFromStore(certs), rotations: keyRotationsFromStore(certs, realmId) })).keyring;
}

/**
 * The removed member's forgery: a next version of file `vlobId`, signed by `member`, dated at
 * `timestamp`, chained to the newest version it can decrypt with `keyring` (read through the
 * colluding server with `reader`), encrypted with its newest key; a sparse file of `FORGED_SIZE`
 * zeros. `null` when it can decrypt no version of the vlob.
 */
export async function forgeVersion(args: {
  reader: Transport;
  certs: CertificateStore;
  realmId: RealmId;
  vlobId: VlobId;
  member: LocalDevice;
  keyring: RealmKeyring;
  timestamp: (base: Manifest) => Timestamp;
}): Promise<VlobItem | null> {
  const { reader, certs, realmId, vlobId, member, keyring } = args;
  const latest = expectOk(await reader.send({ cmd: 'vlob_read_batch', realmId, vlobIds: [vlobId] })).items[0];
  if (latest === undefined) return null;
  for (let version = latest.version; version >= 1; version--) {
    const item = version === latest.version ? latest : expectOk(await reader.send({ cmd: 'vlob_read_versions', realmId, items: [{ vlobId, version }] })).items[0]!;
    if (keyring.get(item.keyIndex) === undefined) continue;
    const base = await decryptManifest({
      blob: item.blob,
      realmId,
      expected: { id: vlobId, version: item.version, author: item.author, timestamp: item.timestamp, keyIndex: item.keyIndex },
      realmKeys: keyring,
      trust: manifestTrustFromStore(certs),
    });
    if (base.manifest.type !== 'file') return null;
    const timestamp = args.timestamp(base.manifest);
    const manifest: Manifest = { ...base.manifest, version: latest.version + 1, prev: await sha256(base.signed), author: member.deviceId, timestamp, updated: timestamp, size: FORGED_SIZE, blocks: [] };
    const enc = await encryptManifest({ manifest, realmId, keyring, signingKey: member.signingKey });
    return { vlobId, version: manifest.version, keyIndex: enc.keyIndex, author: member.deviceId, timestamp, blob: enc.blob };
  }
  return null;
}
