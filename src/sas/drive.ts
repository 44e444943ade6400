/**
 * The thin async shell around a pure machine: executes its effects over an `InviteTransport`,
 * the compute backend and the application's UI callbacks, and feeds the answers back as events.
 * Timeouts and the caller's `AbortSignal` become `timeout` / `cancel` events, so every run ends
 * in a typed terminal state; nothing here decides anything about the protocol.
 * @module
 */
import type { InvitationToken } from '../codec/ids.js';
import { InvitationError, SealsyncError } from '../errors.js';
import { PrivateKey, randomBytes } from '../keys/index.js';
import { executeCompute, type EnrollmentBackend } from './compute.js';
import type { InvitationKind } from './invitation.js';
import { isTerminal, type MachineEvent, type MachineState, type SasMachine, type Transition } from './machine-types.js';
import type { InviteTransport } from './relay.js';
import { defaultAttemptLedger, MAX_SAS_ATTEMPTS, type SasAttemptLedger } from './attempts.js';
import type { RandomSource, SasCode } from './sas-code.js';

/** The application's side: show this side's code, let the human pick the peer's. */
export interface SasUi {
  /** Show this side's own code, which its human reads out to the other human. */
  showCode(code: SasCode): void | Promise<void>;
  /** Resolves with the picked candidate, or `null` for "none of these". */
  pickCode(candidates: readonly SasCode[], signal: AbortSignal): Promise<SasCode | null>;
}

/** Options of `drive`: one side's machine, its relay transport, its computations and its UI. */
export interface DriveOptions {
  /** `GreeterMachine` or `ClaimerMachine`. */
  readonly machine: SasMachine;
  /** What the invitation enrolls (user, device, Shamir recovery). */
  readonly kind: InvitationKind;
  /** The invitation's token (from its link). */
  readonly token: InvitationToken;
  /** The relay of the step parts (the server's invite commands, or a `MemoryInviteRelay`). */
  readonly transport: InviteTransport;
  /** Performs the machine's `compute` requests (crypto and certificate building). */
  readonly backend: EnrollmentBackend;
  /** Shows this side's code and asks the human to pick the peer's. */
  readonly ui: SasUi;
  /** Aborting cancels the attempt (`manual`). */
  readonly signal?: AbortSignal;
  /** Longest wait for the peer's part of one step; default 5 minutes. */
  readonly stepTimeoutMs?: number;
  /** Longest wait for the human's pick; default 10 minutes. */
  readonly pickTimeoutMs?: number;
  /** Source of the ephemeral key, nonce and decoy seed; default the CSPRNG. */
  readonly random?: RandomSource;
  /**
   * Where this side counts its attempts per invitation (default: a process-wide in-memory
   * ledger). Past `MAX_SAS_ATTEMPTS` the run ends `too-many-attempts` without asking the relay.
   */
  readonly attempts?: SasAttemptLedger;
  /** Observer of every transition (logs, tests). */
  readonly onTransition?: (event: MachineEvent, transition: Transition) => void;
}

/** The state a run ends in: `done` (with the outcome) or `cancelled` (with the reason). */
export type TerminalState = Extract<MachineState, { status: 'done' | 'cancelled' }>;

const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_PICK_TIMEOUT_MS = 10 * 60_000;

type Bounded<T> = { type: 'value'; value: T } | { type: 'aborted' } | { type: 'timeout' } | { type: 'refused'; error: SealsyncError };

/** Awaits `make(signal)` unless the caller aborts or `timeoutMs` passes; sealsync errors become `refused`. */
async function bounded<T>(make: (signal: AbortSignal) => Promise<T>, outer: AbortSignal | undefined, timeoutMs: number | undefined): Promise<Bounded<T>> {
  if (outer?.aborted) return { type: 'aborted' };
  const ctrl = new AbortController();
  let timedOut = false;
  const onOuterAbort = (): void => ctrl.abort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), ctrl.abort()), timeoutMs);
  const stopped = new Promise<'stopped'>((resolve) => ctrl.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
  const work = make(ctrl.signal);
  // The work may settle after we stopped listening: never let that be an unhandled rejection.
  work.catch(() => undefined);
  try {
    const r = await Promise.race([work.then((value) => ({ value })), stopped]);
    if (r === 'stopped') return timedOut ? { type: 'timeout' } : { type: 'aborted' };
    return { type: 'value', value: r.value };
  } catch (err) {
    if (ctrl.signal.aborted) return timedOut ? { type: 'timeout' } : { type: 'aborted' };
    if (err instanceof SealsyncError) return { type: 'refused', error: err };
    throw err;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
    ctrl.abort();
  }
}

function limitEvent(r: { type: 'aborted' } | { type: 'timeout' } | { type: 'refused'; error: SealsyncError }): MachineEvent {
  if (r.type === 'aborted') return { type: 'cancel' };
  if (r.type === 'timeout') return { type: 'timeout' };
  return { type: 'relay-refused', detail: `${r.error.code}: ${r.error.message}` };
}

/**
 * Runs one attempt of `machine` to its end. Resolves with the terminal state (`done` with the
 * outcome, or `cancelled` with a reason); it does not reject for anything the peer, the relay or
 * the human does. It rethrows only non-sealsync errors (bugs) from the backend or UI callbacks.
 */
export async function drive(options: DriveOptions): Promise<TerminalState> {
  const { machine, transport, signal } = options;
  const random = options.random ?? randomBytes;
  const stepTimeout = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const pickTimeout = options.pickTimeoutMs ?? DEFAULT_PICK_TIMEOUT_MS;
  let state = machine.initial({ kind: options.kind, token: options.token });

  const apply = (event: MachineEvent): Transition => {
    const t = machine.transition(state, event);
    state = t.state;
    options.onTransition?.(event, t);
    return t;
  };

  let transition: Transition;
  const ledger = options.attempts ?? defaultAttemptLedger;
  if (ledger.count(options.token) >= MAX_SAS_ATTEMPTS) {
    apply({ type: 'too-many-attempts', by: 'self' });
    return state as TerminalState;
  }
  const joined = await bounded((s) => transport.join(s), signal, stepTimeout);
  if (joined.type === 'value') {
    transition = apply({
      type: 'start',
      attempt: joined.value,
      localAttempt: ledger.record(options.token),
      ephemeral: PrivateKey.fromBytes(random(32)),
      nonce: random(32),
      decoySeed: random(32),
    });
  } else if (joined.type === 'refused' && joined.error instanceof InvitationError && joined.error.code === 'invitation/too-many-attempts') {
    transition = apply({ type: 'too-many-attempts' });
  } else {
    transition = apply(limitEvent(joined));
  }

  for (;;) {
    let next: MachineEvent | undefined;
    for (const effect of transition.effects) {
      switch (effect.type) {
        case 'send': {
          const r = await bounded((s) => transport.send(effect.step, effect.data, s), signal, stepTimeout);
          if (r.type !== 'value') next = limitEvent(r);
          else if (r.value.type === 'cancelled') next = { type: 'peer-cancelled', ...(r.value.reason ? { peerReason: r.value.reason } : {}) };
          break;
        }
        case 'wait': {
          const r = await bounded((s) => transport.waitPeer(effect.step, s), signal, stepTimeout);
          if (r.type !== 'value') next = limitEvent(r);
          else if (r.value.type === 'cancelled') next = { type: 'peer-cancelled', ...(r.value.reason ? { peerReason: r.value.reason } : {}) };
          else next = { type: 'peer', step: effect.step, data: r.value.data };
          break;
        }
        case 'compute':
          next = { type: 'computed', result: await executeCompute(effect.request, options.backend) };
          break;
        case 'show-code':
          await options.ui.showCode(effect.code);
          break;
        case 'pick-code': {
          const r = await bounded((s) => options.ui.pickCode(effect.candidates, s), signal, pickTimeout);
          next = r.type === 'value' ? { type: 'picked', code: r.value } : r.type === 'refused' ? { type: 'cancel' } : limitEvent(r);
          break;
        }
        case 'notify-cancel':
          // Best effort: the relay may already have dropped the attempt.
          await transport.cancel(effect.reason).catch(() => undefined);
          break;
      }
      if (next !== undefined) break;
    }
    if (isTerminal(state)) return state;
    if (next === undefined) {
      throw new InvitationError('invitation/invariant', `machine in state ${state.status} emitted no blocking effect`);
    }
    transition = apply(next);
  }
}
