/**
 * States, events and effects of the greeter and claimer state machines (the SAS protocol).
 *
 * The machines are pure: `transition(state, event) → { state, effects }` never performs I/O,
 * never reads a clock and never draws randomness. Randomness arrives in the `start` event; every
 * cryptographic or application computation is requested as a `compute` effect whose answer comes
 * back as a `computed` event. A shell (`drive`) executes the effects. Every transition emits at
 * most one *blocking* effect (`wait`, `compute`, `pick-code`) and it is the last one, so a shell
 * always knows what the machine is waiting for.
 * @module
 */
import type { InvitationToken } from '../codec/ids.js';
import type { PrivateKey, SecretKey } from '../keys/index.js';
import type { SasSecrets, SasTranscript } from './derivation.js';
import type { InvitationKind } from './invitation.js';
import type { SasCode } from './sas-code.js';

/** The two sides of an enrollment: the greeter (already a member, signs) and the claimer (joining). */
export type Role = 'greeter' | 'claimer';

/** First step of the SAS protocol. Both sides post a part at every step (empty when the table has nothing). */
export const FIRST_STEP = 0;
/** Last step of the SAS protocol (8: the claimer's encrypted acknowledgement). */
export const LAST_STEP = 8;
/** Steps 0–8 of the SAS protocol. */
export type Step = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * Why an attempt ended without enrolment. `protocol-error` covers peer data that breaks the
 * public format (wrong length, a step out of order, a small-order ephemeral key): the relay or the
 * peer is misbehaving, and no human decision is involved.
 */
export const CANCEL_REASONS = [
  'manual',
  'invalid-nonce-commitment',
  'invalid-sas-code',
  'undecipherable-payload',
  'inconsistent-payload',
  'peer-cancelled',
  'timeout',
  'too-many-attempts',
  'protocol-error',
] as const;
/** One of {@link CANCEL_REASONS}. */
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** True for a known cancel reason (the relay passes reasons as plain strings). */
export function isCancelReason(x: unknown): x is CancelReason {
  return typeof x === 'string' && (CANCEL_REASONS as readonly string[]).includes(x);
}

/** Work the shell performs for the machine; the answer comes back as a `computed` event. */
export type ComputeRequest =
  | { readonly op: 'commit'; readonly nonce: Uint8Array; readonly publicKey: Uint8Array }
  | { readonly op: 'derive'; readonly ephemeral: PrivateKey; readonly peerPublicKey: Uint8Array; readonly transcript: SasTranscript }
  | { readonly op: 'seal'; readonly key: SecretKey; readonly aad: Uint8Array; readonly plaintext: Uint8Array }
  | { readonly op: 'open'; readonly key: SecretKey; readonly aad: Uint8Array; readonly ciphertext: Uint8Array }
  /** Claimer: build the claim document (generating the new keys); `pending` is kept for later. */
  | { readonly op: 'prepare-claim'; readonly kind: InvitationKind }
  /** Greeter: check the decrypted claim, build (sign) the certificates and the confirmation document. */
  | { readonly op: 'process-claim'; readonly kind: InvitationKind; readonly claim: Uint8Array }
  /** Claimer: check the decrypted confirmation against `pending`, build the local device. */
  | { readonly op: 'process-confirmation'; readonly kind: InvitationKind; readonly confirmation: Uint8Array; readonly pending: unknown };

/** The answer to a `ComputeRequest` (same `op`). `ok: false` results carry a human-readable detail. */
export type ComputeResult =
  | { readonly op: 'commit'; readonly commitment: Uint8Array }
  | { readonly op: 'derive'; readonly ok: true; readonly secrets: SasSecrets }
  | { readonly op: 'derive'; readonly ok: false; readonly detail: string }
  | { readonly op: 'seal'; readonly ciphertext: Uint8Array }
  | { readonly op: 'open'; readonly ok: true; readonly plaintext: Uint8Array }
  | { readonly op: 'open'; readonly ok: false; readonly detail: string }
  | { readonly op: 'prepare-claim'; readonly claim: Uint8Array; readonly pending: unknown }
  | { readonly op: 'process-claim'; readonly ok: true; readonly confirmation: Uint8Array; readonly outcome: unknown }
  | { readonly op: 'process-claim'; readonly ok: false; readonly detail: string }
  | { readonly op: 'process-confirmation'; readonly ok: true; readonly outcome: unknown }
  | { readonly op: 'process-confirmation'; readonly ok: false; readonly detail: string };

/** What the shell feeds the machine: the start of an attempt, relayed data, computed answers, human decisions, limits. */
export type MachineEvent =
  /**
   * Begin attempt `attempt` (the relay's number) with fresh randomness (ephemeral key, 32-byte
   * nonce, decoy seed). `localAttempt` is this side's own count of attempts for the invitation,
   * this one included (`drive` keeps it); the machine refuses either beyond `MAX_SAS_ATTEMPTS`.
   */
  | {
      readonly type: 'start';
      readonly attempt: number;
      readonly localAttempt?: number;
      readonly ephemeral: PrivateKey;
      readonly nonce: Uint8Array;
      readonly decoySeed: Uint8Array;
    }
  /** The peer's part of `step`, as relayed. */
  | { readonly type: 'peer'; readonly step: number; readonly data: Uint8Array }
  | { readonly type: 'computed'; readonly result: ComputeResult }
  /** The human's pick among the candidates; `null` = "none of these". */
  | { readonly type: 'picked'; readonly code: SasCode | null }
  /** The local user gives up. */
  | { readonly type: 'cancel' }
  | { readonly type: 'peer-cancelled'; readonly peerReason?: string }
  | { readonly type: 'timeout' }
  /** The relay refused a new attempt (`by: 'relay'`, default), or this side's own count is spent (`'self'`). */
  | { readonly type: 'too-many-attempts'; readonly by?: 'self' | 'relay' }
  /** The relay refused a post or poll (changed step, step too early, unknown attempt…). */
  | { readonly type: 'relay-refused'; readonly detail: string };

/** What the machine asks the shell to do; at most one blocking effect (`wait`, `compute`, `pick-code`) per transition, last. */
export type MachineEffect =
  | { readonly type: 'send'; readonly step: Step; readonly data: Uint8Array }
  | { readonly type: 'wait'; readonly step: Step }
  | { readonly type: 'compute'; readonly request: ComputeRequest }
  /** Show this side's own code to its human (who reads it to the other human). */
  | { readonly type: 'show-code'; readonly code: SasCode }
  /** Ask the human to pick the code the other human reads out. */
  | { readonly type: 'pick-code'; readonly candidates: readonly SasCode[] }
  /** Tell the peer (through the relay) that this side cancelled. */
  | { readonly type: 'notify-cancel'; readonly reason: CancelReason };

/** What a side has learnt so far in the current attempt. Filled progressively. */
export interface Session {
  readonly role: Role;
  readonly kind: InvitationKind;
  readonly token: InvitationToken;
  readonly attempt: number;
  readonly ephemeral?: PrivateKey;
  readonly ownPublicKey?: Uint8Array;
  readonly ownNonce?: Uint8Array;
  readonly ownCommitment?: Uint8Array;
  readonly decoySeed?: Uint8Array;
  readonly peerPublicKey?: Uint8Array;
  readonly peerCommitment?: Uint8Array;
  readonly peerNonce?: Uint8Array;
  readonly secrets?: SasSecrets;
  readonly pending?: unknown;
  readonly outcome?: unknown;
  /** The peer's part of each completed step, to recognise a duplicated delivery. */
  readonly received: readonly Uint8Array[];
}

/** Where one side is in an attempt; `done` and `cancelled` are terminal and absorb every event. */
export type MachineState =
  | { readonly status: 'idle'; readonly session: Session }
  | { readonly status: 'waiting-peer'; readonly step: Step; readonly session: Session }
  | { readonly status: 'computing'; readonly op: ComputeRequest['op']; readonly session: Session }
  | { readonly status: 'picking'; readonly expected: SasCode; readonly candidates: readonly SasCode[]; readonly session: Session }
  | { readonly status: 'done'; readonly outcome: unknown; readonly session: Session }
  | {
      readonly status: 'cancelled';
      readonly reason: CancelReason;
      /** `self`: this side decided; `peer`: the peer cancelled; `relay`: the relay refused. */
      readonly by: 'self' | 'peer' | 'relay';
      readonly detail: string;
      readonly session: Session;
    };

/** The result of one pure step of a machine. */
export interface Transition {
  /** The new state. */
  readonly state: MachineState;
  /** Effects for the shell to run in order. */
  readonly effects: readonly MachineEffect[];
}

/** A pure state machine for one side of the exchange. */
export interface SasMachine {
  readonly role: Role;
  /** The state before `start`. */
  initial(params: { kind: InvitationKind; token: InvitationToken }): MachineState;
  /** Pure: same state and event, same result. Terminal states absorb every event. */
  transition(state: MachineState, event: MachineEvent): Transition;
}

/** True once the machine is `done` or `cancelled`. */
export function isTerminal(state: MachineState): state is Extract<MachineState, { status: 'done' | 'cancelled' }> {
  return state.status === 'done' || state.status === 'cancelled';
}
