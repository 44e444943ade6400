/**
 * The claimer's side of the exchange (the SAS protocol) as a pure state machine.
 *
 * The claimer commits to its nonce (step 1) before the greeter reveals its own (step 2) and
 * reveals it only after (step 3); its human checks the greeter's code before anything secret is
 * sent; the claim (step 6) is built only after the greeter's human confirmed the claimer's code
 * (step 5); the local device is reported only after the confirmation decrypted, made sense, was
 * acknowledged, and the greeter completed step 8.
 * @module
 */
import { INVITE_ACK } from './ack.js';
import { payloadAad } from './derivation.js';
import { cancel, candidatesFor, compute, defineMachine, EMPTY, need, sendAndWait, TRUST_MARK, unexpected, type ComputedHandler, type StepHandler } from './machine-common.js';
import type { SasMachine } from './machine-types.js';

const onStep: StepHandler = (session, step, data) => {
  switch (step) {
    case 0:
      return sendAndWait({ ...session, peerPublicKey: data }, 1, need(session.ownCommitment, 'commitment'));
    case 1:
      return sendAndWait(session, 2, EMPTY);
    case 2:
      return sendAndWait({ ...session, peerNonce: data }, 3, need(session.ownNonce, 'nonce'));
    case 3:
      return compute(session, {
        op: 'derive',
        ephemeral: need(session.ephemeral, 'ephemeral key'),
        peerPublicKey: need(session.peerPublicKey, 'greeter key'),
        transcript: {
          token: session.token,
          greeterPublicKey: need(session.peerPublicKey, 'greeter key'),
          claimerPublicKey: need(session.ownPublicKey, 'own key'),
          greeterNonce: need(session.peerNonce, 'greeter nonce'),
          claimerNonce: need(session.ownNonce, 'own nonce'),
        },
      });
    case 4:
      return sendAndWait(session, 5, EMPTY);
    case 5:
      return compute(session, { op: 'prepare-claim', kind: session.kind });
    case 6:
      return sendAndWait(session, 7, EMPTY);
    case 7:
      return compute(session, {
        op: 'open',
        key: need(session.secrets, 'secrets').channelKey,
        aad: payloadAad(session.token, session.attempt, 7),
        ciphertext: data,
      });
    case 8:
      return { state: { status: 'done', outcome: session.outcome, session }, effects: [] };
  }
};

const onComputed: ComputedHandler = (state, event) => {
  if (state.status !== 'computing' || event.result.op !== state.op) return unexpected(state, event);
  const session = state.session;
  const result = event.result;
  switch (result.op) {
    case 'commit': {
      const next = { ...session, ownCommitment: result.commitment };
      return sendAndWait(next, 0, need(session.ownPublicKey, 'own key'));
    }
    case 'derive': {
      if (!result.ok) return cancel(session, 'protocol-error', 'self', result.detail);
      const next = { ...session, secrets: result.secrets };
      const expected = result.secrets.greeterCode;
      const candidates = candidatesFor(next, expected);
      return { state: { status: 'picking', expected, candidates, session: next }, effects: [{ type: 'pick-code', candidates }] };
    }
    case 'prepare-claim':
      return compute(
        { ...session, pending: result.pending },
        { op: 'seal', key: need(session.secrets, 'secrets').channelKey, aad: payloadAad(session.token, session.attempt, 6), plaintext: result.claim },
      );
    case 'seal':
      // Steps 0–5 completed → this is the claim (step 6); steps 0–7 → the acknowledgement (step 8).
      return sendAndWait(session, session.received.length === 6 ? 6 : 8, result.ciphertext);
    case 'open':
      if (!result.ok) return cancel(session, 'undecipherable-payload', 'self', `step 7 payload: ${result.detail}`);
      return compute(session, { op: 'process-confirmation', kind: session.kind, confirmation: result.plaintext, pending: session.pending });
    case 'process-confirmation':
      if (!result.ok) return cancel(session, 'inconsistent-payload', 'self', result.detail);
      return compute(
        { ...session, outcome: result.outcome },
        { op: 'seal', key: need(session.secrets, 'secrets').channelKey, aad: payloadAad(session.token, session.attempt, 8), plaintext: INVITE_ACK },
      );
    default:
      return unexpected(state, event);
  }
};

/** The claimer's pure state machine. `transition` throws only `ArgumentError` for a malformed start event. */
export const ClaimerMachine: SasMachine = defineMachine('claimer', {
  onStart: (session) => compute(session, { op: 'commit', nonce: need(session.ownNonce, 'nonce'), publicKey: need(session.ownPublicKey, 'own key') }),
  onStep,
  onComputed,
  onCodeConfirmed: (session) => sendAndWait(session, 4, TRUST_MARK, [{ type: 'show-code', code: need(session.secrets, 'secrets').claimerCode }]),
});
