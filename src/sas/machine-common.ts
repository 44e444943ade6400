/**
 * Rules shared by both state machines: the public format of each step's parts, duplicate and
 * out-of-order deliveries, cancellation, the start event, and the event dispatch of a machine.
 * @module
 */
import { concatBytes, equalBytes, u32be } from '../bytes.js';
import { ArgumentError, InvitationError } from '../errors.js';
import { SAS_COMMITMENT_LENGTH, SAS_NONCE_LENGTH, SAS_PUBLIC_KEY_LENGTH } from './derivation.js';
import type { CancelReason, MachineEffect, MachineEvent, MachineState, Role, SasMachine, Session, Step, Transition } from './machine-types.js';
import { codeCandidates, seededRandom, type SasCode } from './sas-code.js';
import { MAX_SAS_ATTEMPTS } from './attempts.js';

/** Part posted for "trust" (steps 4 and 5): one byte, so an empty part can never be mistaken for it. */
export const TRUST_MARK = new Uint8Array([1]);
export const EMPTY = new Uint8Array(0);
/** AES-GCM overhead: nonce 12 + tag 16. */
export const MIN_SEALED_LENGTH = 28;
/** Payloads are a few certificates; anything bigger is refused before decryption. */
export const MAX_SEALED_LENGTH = 64 * 1024;

type PartFormat = { kind: 'exact'; length: number } | { kind: 'trust' } | { kind: 'sealed' };
const exact = (length: number): PartFormat => ({ kind: 'exact', length });
const NONE = exact(0);

/** What each side posts at each step (the SAS protocol table). */
const FORMATS: Record<Role, readonly PartFormat[]> = {
  greeter: [exact(SAS_PUBLIC_KEY_LENGTH), NONE, exact(SAS_NONCE_LENGTH), NONE, NONE, { kind: 'trust' }, NONE, { kind: 'sealed' }, NONE],
  claimer: [
    exact(SAS_PUBLIC_KEY_LENGTH),
    exact(SAS_COMMITMENT_LENGTH),
    NONE,
    exact(SAS_NONCE_LENGTH),
    { kind: 'trust' },
    NONE,
    { kind: 'sealed' },
    NONE,
    { kind: 'sealed' },
  ],
};

/** Why `data` is not a valid part of `step` posted by `sender`, or `null` if it is. */
export function stepPartProblem(sender: Role, step: number, data: Uint8Array): string | null {
  const format = FORMATS[sender][step];
  if (format === undefined) return `no step ${step}`;
  if (!(data instanceof Uint8Array)) return 'part is not bytes';
  switch (format.kind) {
    case 'exact':
      return data.length === format.length ? null : `${sender} part of step ${step} must be ${format.length} bytes, got ${data.length}`;
    case 'trust':
      return equalBytes(data, TRUST_MARK) ? null : `${sender} part of step ${step} must be the trust mark`;
    case 'sealed':
      return data.length >= MIN_SEALED_LENGTH && data.length <= MAX_SEALED_LENGTH
        ? null
        : `${sender} part of step ${step} must be ${MIN_SEALED_LENGTH}–${MAX_SEALED_LENGTH} bytes, got ${data.length}`;
  }
}

export function peerOf(role: Role): Role {
  return role === 'greeter' ? 'claimer' : 'greeter';
}

/** A transition to `cancelled`; a self-decided cancel tells the peer through the relay. */
export function cancel(session: Session, reason: CancelReason, by: 'self' | 'peer' | 'relay', detail: string, notify = by === 'self'): Transition {
  const effects: MachineEffect[] = notify ? [{ type: 'notify-cancel', reason }] : [];
  return { state: { status: 'cancelled', reason, by, detail, session }, effects };
}

/** Post our part of `step` and wait for the peer's. */
export function sendAndWait(session: Session, step: Step, data: Uint8Array, before: MachineEffect[] = []): Transition {
  return {
    state: { status: 'waiting-peer', step, session },
    effects: [...before, { type: 'send', step, data }, { type: 'wait', step }],
  };
}

export function compute(session: Session, request: Extract<MachineEffect, { type: 'compute' }>['request']): Transition {
  return { state: { status: 'computing', op: request.op, session }, effects: [{ type: 'compute', request }] };
}

/** The candidates for `code`, drawn from the start event's decoy seed so the transition stays pure. */
export function candidatesFor(session: Session, code: SasCode): SasCode[] {
  const seed = concatBytes(session.decoySeed ?? EMPTY, u32be(session.attempt));
  return codeCandidates(code, 4, seededRandom(seed));
}

/**
 * Reads a session field that the protocol order guarantees is set. Throws `InvitationError`
 * `invitation/invariant` only if a caller forged a state by hand.
 */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new InvitationError('invitation/invariant', `sas machine invariant broken: ${what} missing`);
  return value;
}

/** Handler of the step-specific logic, called once the peer's valid part of `step` is in. */
export type StepHandler = (session: Session, step: Step, data: Uint8Array) => Transition;

/**
 * Events every state handles the same way: terminal states absorb everything; cancel, timeout,
 * peer cancellation and relay refusal end the attempt; a peer part is accepted only for the step
 * being waited for, an identical re-delivery of a completed step is ignored (relays retry), and
 * anything else (a future step, a changed past step) is a protocol error. Returns `null` when the
 * event is state-specific.
 */
export function commonTransition(role: Role, state: MachineState, event: MachineEvent, onStep: StepHandler): Transition | null {
  if (state.status === 'done' || state.status === 'cancelled') return { state, effects: [] };
  const session = state.session;
  switch (event.type) {
    case 'cancel':
      return cancel(session, 'manual', 'self', 'cancelled by the local user', state.status !== 'idle');
    case 'timeout':
      return cancel(session, 'timeout', 'self', 'the peer did not answer in time', state.status !== 'idle');
    case 'peer-cancelled':
      return cancel(session, 'peer-cancelled', 'peer', `the peer cancelled${event.peerReason ? ` (${event.peerReason})` : ''}`);
    case 'too-many-attempts':
      return event.by === 'self'
        ? cancel(session, 'too-many-attempts', 'self', `this side already ran ${MAX_SAS_ATTEMPTS} attempts of this invitation`, false)
        : cancel(session, 'too-many-attempts', 'relay', 'the invitation has no attempt left');
    case 'relay-refused':
      // Still notify: the peer must not wait forever on an attempt this side has left.
      return cancel(session, 'protocol-error', 'relay', `the relay refused: ${event.detail}`, state.status !== 'idle');
    case 'peer': {
      const previous = session.received[event.step];
      if (previous !== undefined) {
        if (event.data instanceof Uint8Array && equalBytes(previous, event.data)) return { state, effects: [] };
        return cancel(session, 'protocol-error', 'self', `step ${event.step} delivered again with different content`);
      }
      if (state.status !== 'waiting-peer' || event.step !== state.step) {
        return cancel(session, 'protocol-error', 'self', `unexpected peer step ${event.step} while ${describeState(state)}`);
      }
      const problem = stepPartProblem(peerOf(role), event.step, event.data);
      if (problem !== null) return cancel(session, 'protocol-error', 'self', problem);
      const received = [...session.received];
      received[event.step] = event.data;
      return onStep({ ...session, received }, state.step, event.data);
    }
    default:
      return null;
  }
}

export function describeState(state: MachineState): string {
  switch (state.status) {
    case 'waiting-peer':
      return `waiting for step ${state.step}`;
    case 'computing':
      return `computing ${state.op}`;
    default:
      return state.status;
  }
}

/** The answer to an event the current state does not expect: a shell bug or a hostile shell. */
export function unexpected(state: MachineState, event: MachineEvent): Transition {
  const what = event.type === 'computed' ? `computed ${event.result.op}` : event.type;
  return cancel(state.session, 'protocol-error', 'self', `unexpected event ${what} while ${describeState(state)}`, state.status !== 'idle');
}

/** Checks and stores a pick: right code → `onMatch`, anything else → invalid-sas-code. */
export function onPicked(state: MachineState, event: MachineEvent, onMatch: (session: Session) => Transition): Transition | null {
  if (state.status !== 'picking' || event.type !== 'picked') return null;
  if (event.code === null || event.code !== state.expected) {
    return cancel(state.session, 'invalid-sas-code', 'self', 'the code picked is not the one the peer shows');
  }
  return onMatch(state.session);
}

/** Initial session of a role. */
export function initialSession(role: Role, params: { kind: Session['kind']; token: Session['token'] }): Session {
  return { role, kind: params.kind, token: params.token, attempt: 0, received: [] };
}

/** Throws `ArgumentError` for a malformed start event (a shell bug, not hostile data). */
export function checkStartEvent(event: Extract<MachineEvent, { type: 'start' }>): void {
  if (!Number.isSafeInteger(event.attempt) || event.attempt < 1) throw new ArgumentError('argument/invalid', 'attempt numbers start at 1');
  if (event.localAttempt !== undefined && (!Number.isSafeInteger(event.localAttempt) || event.localAttempt < 1)) {
    throw new ArgumentError('argument/invalid', 'local attempt counts start at 1');
  }
  if (!(event.nonce instanceof Uint8Array) || event.nonce.length !== SAS_NONCE_LENGTH) {
    throw new ArgumentError('argument/invalid', `the nonce is ${SAS_NONCE_LENGTH} random bytes`);
  }
  if (!(event.decoySeed instanceof Uint8Array) || event.decoySeed.length < 16) {
    throw new ArgumentError('argument/invalid', 'the decoy seed is at least 16 random bytes');
  }
}

/** Session after a start event (both roles). */
export function startedSession(session: Session, event: Extract<MachineEvent, { type: 'start' }>): Session {
  checkStartEvent(event);
  return {
    ...session,
    attempt: event.attempt,
    ephemeral: event.ephemeral,
    ownPublicKey: event.ephemeral.publicKey.toBytes(),
    ownNonce: event.nonce,
    decoySeed: event.decoySeed,
  };
}

/** Handler of a `computed` event (the role's answers to the results of its crypto requests). */
export type ComputedHandler = (state: MachineState, event: Extract<MachineEvent, { type: 'computed' }>) => Transition;

/** The role-specific parts of a machine; everything else is the same for both roles. */
export interface MachineParts {
  /** First transition after a valid `start` (the session already holds the ephemeral key and nonce). */
  readonly onStart: (session: Session) => Transition;
  readonly onStep: StepHandler;
  readonly onComputed: ComputedHandler;
  /** Transition once this side's human picked the peer's code correctly. */
  readonly onCodeConfirmed: (session: Session) => Transition;
}

/**
 * A pure machine for `role`: common events first (`commonTransition`), then `start` (only from
 * `idle`), `computed` and `picked`; any other event in any other state is `unexpected`.
 * `transition` throws only `ArgumentError` for a malformed start event.
 */
export function defineMachine(role: Role, parts: MachineParts): SasMachine {
  return {
    role,
    initial: (params) => ({ status: 'idle', session: initialSession(role, params) }),
    transition(state, event) {
      const common = commonTransition(role, state, event, parts.onStep);
      if (common !== null) return common;
      switch (event.type) {
        case 'start': {
          if (state.status !== 'idle') return unexpected(state, event);
          const started = startedSession(state.session, event);
          // Counted here, not trusted to the relay: past the limit nothing of this attempt is
          // sent, whatever attempt number the relay handed out (a lying relay says 1 forever).
          const n = Math.max(event.attempt, event.localAttempt ?? 0);
          if (n > MAX_SAS_ATTEMPTS) {
            return cancel(started, 'too-many-attempts', 'self', `attempt ${n} is beyond the limit of ${MAX_SAS_ATTEMPTS}`, true);
          }
          return parts.onStart(started);
        }
        case 'computed':
          return parts.onComputed(state, event);
        case 'picked':
          return onPicked(state, event, parts.onCodeConfirmed) ?? unexpected(state, event);
        default:
          return unexpected(state, event);
      }
    },
  };
}
