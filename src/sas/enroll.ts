/**
 * Typed entry points: run one attempt as greeter or claimer and get the enrolment outcome.
 * @module
 */
import type { InvitationToken } from '../codec/ids.js';
import type { HumanHandle } from '../certificates/types.js';
import { ClaimerMachine } from './claimer-machine.js';
import { drive, type DriveOptions, type TerminalState } from './drive.js';
import { claimerBackend, greeterBackend, type GreeterContext, type GreeterOutcome, type ClaimedDevice } from './enrollment.js';
import { GreeterMachine } from './greeter-machine.js';
import type { InvitationLink } from './invitation.js';
import type { CancelReason } from './machine-types.js';

/** How an attempt ended without enrolment. */
export interface Cancelled {
  readonly status: 'cancelled';
  readonly reason: CancelReason;
  readonly by: 'self' | 'peer' | 'relay';
  readonly detail: string;
}

/** How a greeter attempt ended: `done` with the certificates to ingest and upload, or `cancelled`. */
export type GreetResult = { readonly status: 'done'; readonly outcome: GreeterOutcome } | Cancelled;
/** How a claimer attempt ended: `done` with the new local device, or `cancelled`. */
export type ClaimResult = { readonly status: 'done'; readonly device: ClaimedDevice } | Cancelled;

/** Options shared by {@link greet} and {@link claim}: relay transport, UI, abort signal, time limits, randomness, attempt ledger. */
export type EnrollRunOptions = Pick<DriveOptions, 'transport' | 'ui' | 'signal' | 'stepTimeoutMs' | 'pickTimeoutMs' | 'random' | 'onTransition' | 'attempts'>;

function cancelled(s: Extract<TerminalState, { status: 'cancelled' }>): Cancelled {
  return { status: 'cancelled', reason: s.reason, by: s.by, detail: s.detail };
}

/**
 * Runs one greeter attempt for invitation `token`. Resolves `done` with the signed certificates
 * (ingest them, then upload) or `cancelled` with a reason; a new attempt is a new call. Never
 * rejects for what the peer or relay does: that is a `cancelled` result. The `Client` wraps this
 * as `GreeterInvitation.greet`.
 * @example
 * ```ts
 * const r = await greet({ token, transport: relay, ui, context });
 * if (r.status === 'cancelled') console.log(r.reason, r.by); else upload(r.outcome.certificates);
 * ```
 */
export async function greet(options: EnrollRunOptions & { readonly token: InvitationToken; readonly context: GreeterContext }): Promise<GreetResult> {
  const end = await drive({ ...options, machine: GreeterMachine, kind: options.context.kind, backend: greeterBackend(options.context) });
  return end.status === 'done' ? { status: 'done', outcome: end.outcome as GreeterOutcome } : cancelled(end);
}

/**
 * Runs one claimer attempt for the invitation in `link`. Resolves `done` with a complete local
 * device (its private keys generated here, or received inside the channel for a device
 * invitation) or `cancelled` with a reason. The `Client` wraps this as `claimInvitation`.
 * @example
 * ```ts
 * const r = await claim({ link: parseInvitationLink(text), transport: relay, ui, requestedDeviceLabel: 'phone' });
 * if (r.status === 'done') keep(r.device);
 * ```
 */
export async function claim(
  options: EnrollRunOptions & {
    readonly link: InvitationLink;
    readonly requestedDeviceLabel: string;
    readonly requestedHumanHandle?: HumanHandle;
  },
): Promise<ClaimResult> {
  const { link } = options;
  const backend = claimerBackend({
    kind: link.kind,
    organizationId: link.organizationId,
    rootVerifyKey: link.rootVerifyKey,
    requestedDeviceLabel: options.requestedDeviceLabel,
    ...(options.requestedHumanHandle ? { requestedHumanHandle: options.requestedHumanHandle } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  const end = await drive({ ...options, machine: ClaimerMachine, kind: link.kind, token: link.token, backend });
  return end.status === 'done' ? { status: 'done', device: end.outcome as ClaimedDevice } : cancelled(end);
}
