/**
 * Runs pure machines against each other without a relay or timers: a tiny deterministic
 * scheduler that resolves blocking effects (wait, compute, pick) in a fixed order. Parties are
 * wired by `peer` (who receives what this one sends) and `codeFrom` (whose shown code this
 * party's human compares with), so a man in the middle is just two extra parties.
 */
import { PrivateKey } from '../../src/keys/index.js';
import {
  executeCompute,
  isTerminal,
  type EnrollmentBackend,
  type MachineEffect,
  type MachineEvent,
  type MachineState,
  type RandomSource,
  type SasCode,
  type SasMachine,
} from '../../src/sas/index.js';
import type { InvitationKind } from '../../src/sas/index.js';
import type { InvitationToken } from '../../src/codec/ids.js';

export interface PartySpec {
  readonly name: string;
  readonly machine: SasMachine;
  readonly backend: EnrollmentBackend;
  readonly random: RandomSource;
  readonly attempt?: number;
  /** Who receives this party's posts. */
  readonly peer: string;
  /** Whose shown code this party's human compares against. */
  readonly codeFrom: string;
  /** The human (or attacker) choice; default: pick the shown code if listed, else none. */
  readonly pick?: (candidates: readonly SasCode[], shown: SasCode | undefined, state: MachineState) => SasCode | null;
}

export interface Party extends PartySpec {
  state: MachineState;
  waiting: number | null;
  compute: Extract<MachineEffect, { type: 'compute' }>['request'] | null;
  picking: readonly SasCode[] | null;
  shown: SasCode | undefined;
  cancelledNotified: boolean;
  /** Parts this party posted, by step. */
  posted: Map<number, Uint8Array>;
  /** Parts delivered to this party, by step (after the wire). */
  inbox: Map<number, Uint8Array>;
  events: MachineEvent[];
}

export interface RunOptions {
  readonly kind: InvitationKind;
  readonly token: InvitationToken;
  readonly parties: readonly PartySpec[];
  /** Interceptor of every delivery: return the bytes the receiver gets. */
  readonly wire?: (from: string, to: string, step: number, data: Uint8Array) => Uint8Array;
  /** Extra events to inject (duplicates, replays), called after every delivery. */
  readonly afterDeliver?: (to: Party, step: number, data: Uint8Array, feed: (e: MachineEvent) => void) => void;
  readonly maxRounds?: number;
}

export async function runParties(options: RunOptions): Promise<Map<string, Party>> {
  const parties = new Map<string, Party>();
  for (const spec of options.parties) {
    parties.set(spec.name, {
      ...spec,
      state: spec.machine.initial({ kind: options.kind, token: options.token }),
      waiting: null,
      compute: null,
      picking: null,
      shown: undefined,
      cancelledNotified: false,
      posted: new Map(),
      inbox: new Map(),
      events: [],
    });
  }
  const feed = (p: Party, event: MachineEvent): void => {
    p.events.push(event);
    const t = p.machine.transition(p.state, event);
    // An ignored event (duplicate delivery) returns the same state: the pending effect stands.
    if (t.state === p.state && t.effects.length === 0) return;
    p.state = t.state;
    p.waiting = null;
    p.compute = null;
    p.picking = null;
    for (const e of t.effects) {
      switch (e.type) {
        case 'send': {
          p.posted.set(e.step, e.data);
          const to = parties.get(p.peer)!;
          const data = options.wire ? options.wire(p.name, to.name, e.step, e.data) : e.data;
          to.inbox.set(e.step, data);
          break;
        }
        case 'wait':
          p.waiting = e.step;
          break;
        case 'compute':
          p.compute = e.request;
          break;
        case 'show-code':
          p.shown = e.code;
          break;
        case 'pick-code':
          p.picking = e.candidates;
          break;
        case 'notify-cancel':
          p.cancelledNotified = true;
          break;
      }
    }
  };
  for (const p of parties.values()) {
    const r = p.random;
    feed(p, { type: 'start', attempt: p.attempt ?? 1, ephemeral: PrivateKey.fromBytes(r(32)), nonce: r(32), decoySeed: r(32) });
  }
  const maxRounds = options.maxRounds ?? 200;
  for (let round = 0; round < maxRounds; round++) {
    let progressed = false;
    for (const p of parties.values()) {
      if (isTerminal(p.state)) continue;
      const peer = parties.get(p.peer)!;
      if (peer.state.status === 'cancelled' && peer.cancelledNotified) {
        feed(p, { type: 'peer-cancelled', peerReason: peer.state.reason });
        progressed = true;
      } else if (p.compute) {
        feed(p, { type: 'computed', result: await executeCompute(p.compute, p.backend) });
        progressed = true;
      } else if (p.waiting !== null && p.inbox.has(p.waiting)) {
        const step = p.waiting;
        const data = p.inbox.get(step)!;
        feed(p, { type: 'peer', step, data });
        options.afterDeliver?.(p, step, data, (e) => feed(p, e));
        progressed = true;
      } else if (p.picking) {
        const other = parties.get(p.codeFrom)!;
        const shown = other.shown;
        // Humans are on the phone: if the other human's screen will never show a code (that side
        // ended), this human hears so and answers "none of these".
        if (shown === undefined && !p.pick && !isTerminal(other.state)) continue;
        const pick = p.pick ?? ((c: readonly SasCode[], s: SasCode | undefined) => (s !== undefined && c.includes(s) ? s : null));
        feed(p, { type: 'picked', code: pick(p.picking, shown, p.state) });
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return parties;
}
