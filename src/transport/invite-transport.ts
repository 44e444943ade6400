/**
 * The SAS exchange over a server (the SAS protocol): `InviteTransport`s (the interface the greeter and
 * claimer state machines are driven over, `sealsync/sas`) backed by the invitation commands, so
 * `greet`/`claim` run unchanged against an in-process or HTTP server.
 * @module
 */
import type { InvitationToken } from '../codec/ids.js';
import { AbortError, InvitationError } from '../errors.js';
import type { InviteTransport, PeerAnswer, SendResult } from '../sas/relay.js';
import type { CancelReason, Step } from '../sas/machine-types.js';
import type { ErrorReply, InviteJoinRep, InviteStepRep, OkRep } from './commands.js';
import { MAX_STEP_WAIT_MS } from './limits.js';
import type { AnonymousTransport, Transport } from './transport.js';

/** Relay codes of `MemoryInviteRelay` for the server's error replies, so both relays read alike. */
const RELAY_CODES: Partial<Record<ErrorReply['code'], string>> = {
  invitation_not_found: 'invitation/unknown-token',
  invitation_already_used: 'invitation/already-used',
  too_many_attempts: 'invitation/too-many-attempts',
  invitation_step_conflict: 'invitation/step-changed',
  invitation_out_of_order: 'invitation/step-too-early',
};

function refused(reply: ErrorReply): InvitationError {
  return new InvitationError(RELAY_CODES[reply.code] ?? `invitation/${reply.code}`, reply.message);
}

/** The four calls that differ between greeter (authenticated) and claimer (anonymous). */
interface Calls {
  join(signal?: AbortSignal): Promise<InviteJoinRep | ErrorReply>;
  step(attempt: number, step: number, payload: Uint8Array | null, waitMs: number, signal?: AbortSignal): Promise<InviteStepRep | ErrorReply>;
  cancel(attempt: number, reason: string): Promise<OkRep | ErrorReply>;
}

class ServerInviteTransport implements InviteTransport {
  private attempt = 0;

  constructor(
    private readonly calls: Calls,
    private readonly pollMs: number,
  ) {}

  async join(signal?: AbortSignal): Promise<number> {
    const r = await this.calls.join(signal);
    if (r.status === 'error') throw refused(r);
    this.attempt = r.attempt;
    return r.attempt;
  }

  async send(step: Step, data: Uint8Array, signal?: AbortSignal): Promise<SendResult> {
    const r = await this.calls.step(this.attempt, step, data, 0, signal);
    if (r.status === 'ok') return { type: 'ok' };
    if (r.code === 'invitation_cancelled') return { type: 'cancelled', reason: r.reason };
    throw refused(r);
  }

  async waitPeer(step: Step, signal: AbortSignal): Promise<PeerAnswer> {
    for (;;) {
      if (signal.aborted) throw new AbortError('wait aborted', { cause: signal.reason });
      const r = await this.calls.step(this.attempt, step, null, this.pollMs, signal);
      if (r.status === 'error') {
        if (r.code === 'invitation_cancelled') return { type: 'cancelled', reason: r.reason };
        throw refused(r);
      }
      if (r.peerPayload !== null) return { type: 'data', data: r.peerPayload };
    }
  }

  async cancel(reason: CancelReason): Promise<void> {
    if (this.attempt === 0) return;
    const r = await this.calls.cancel(this.attempt, reason);
    if (r.status === 'error' && r.code !== 'invitation_cancelled') throw refused(r);
  }
}

/** Options of the server-backed invite transports. */
export interface ServerInviteTransportOptions {
  /** Long-poll duration of each wait for the peer (ms); default and maximum 30 s. */
  readonly pollMs?: number;
}

/** The greeter's side of invitation `token`, over an enrolled device's transport. */
export function greeterInviteTransport(transport: Transport, token: InvitationToken, options: ServerInviteTransportOptions = {}): InviteTransport {
  return new ServerInviteTransport(
    {
      join: (signal) => transport.send({ cmd: 'invite_greeter_join', token }, signal ? { signal } : {}),
      step: (attempt, step, payload, waitMs, signal) =>
        transport.send({ cmd: 'invite_greeter_step', token, attempt, step, payload, waitMs }, signal ? { signal } : {}),
      cancel: (attempt, reason) => transport.send({ cmd: 'invite_greeter_cancel', token, attempt, reason }),
    },
    Math.min(options.pollMs ?? MAX_STEP_WAIT_MS, MAX_STEP_WAIT_MS),
  );
}

/** The claimer's side of invitation `token`, over the organisation's anonymous transport. */
export function claimerInviteTransport(transport: AnonymousTransport, token: InvitationToken, options: ServerInviteTransportOptions = {}): InviteTransport {
  return new ServerInviteTransport(
    {
      join: (signal) => transport.send({ cmd: 'invited_join', token }, signal ? { signal } : {}),
      step: (attempt, step, payload, waitMs, signal) =>
        transport.send({ cmd: 'invited_step', token, attempt, step, payload, waitMs }, signal ? { signal } : {}),
      cancel: (attempt, reason) => transport.send({ cmd: 'invited_cancel', token, attempt, reason }),
    },
    Math.min(options.pollMs ?? MAX_STEP_WAIT_MS, MAX_STEP_WAIT_MS),
  );
}
