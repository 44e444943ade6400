/**
 * The greeter's side of the exchange (the SAS protocol) as a pure state machine.
 *
 * Order of checks, and the attack each one stops:
 * - step 3: the revealed claimer nonce must hash (with the claimer key) to the step-1 commitment,
 *   or a man in the middle could pick its nonce after seeing ours and grind the SAS;
 * - step 4: the greeter's human picks the claimer's code among four; a wrong pick means the two
 *   sides do not share a key (someone is in the middle) and the attempt is cancelled;
 * - step 6: the claim must decrypt under the channel key with the step's AAD (tampering,
 *   replay from another step or attempt), then make sense to the greeter's backend;
 * - step 8: the claimer's acknowledgement must decrypt to the ack constant before the greeter
 *   posts its own step-8 part and reports its certificates: that post is what lets the claimer
 *   finish, so neither side ends enrolled while the other cancelled.
 * @module
 */
import { equalBytes } from '../bytes.js';
import { commitmentMatches, payloadAad } from './derivation.js';
import { cancel, candidatesFor, compute, defineMachine, EMPTY, need, sendAndWait, TRUST_MARK, unexpected, type ComputedHandler, type StepHandler } from './machine-common.js';
import type { SasMachine } from './machine-types.js';
import { INVITE_ACK } from './ack.js';

const onStep: StepHandler = (session, step, data) => {
  switch (step) {
    case 0:
      return sendAndWait({ ...session, peerPublicKey: data }, 1, EMPTY);
    case 1:
      return sendAndWait({ ...session, peerCommitment: data }, 2, need(session.ownNonce, 'nonce'));
    case 2:
      return sendAndWait(session, 3, EMPTY);
    case 3: {
      const next = { ...session, peerNonce: data };
      return compute(next, { op: 'commit', nonce: data, publicKey: need(session.peerPublicKey, 'claimer key') });
    }
    case 4: {
      const expected = need(session.secrets, 'secrets').claimerCode;
      const candidates = candidatesFor(session, expected);
      return { state: { status: 'picking', expected, candidates, session }, effects: [{ type: 'pick-code', candidates }] };
    }
    case 5:
      return sendAndWait(session, 6, EMPTY);
    case 6:
    case 8:
      return compute(session, {
        op: 'open',
        key: need(session.secrets, 'secrets').channelKey,
        aad: payloadAad(session.token, session.attempt, step),
        ciphertext: data,
      });
    case 7:
      // Step 8 is the commit point: the greeter waits for the claimer's acknowledgement BEFORE
      // posting its own part, so the claimer (which finishes on receiving that part) can never
      // end enrolled while the greeter rejected the acknowledgement.
      return { state: { status: 'waiting-peer', step: 8, session }, effects: [{ type: 'wait', step: 8 }] };
  }
};

const onComputed: ComputedHandler = (state, event) => {
  if (state.status !== 'computing' || event.result.op !== state.op) return unexpected(state, event);
  const session = state.session;
  const result = event.result;
  const lastStep = session.received.length - 1;
  switch (result.op) {
    case 'commit':
      if (!commitmentMatches(need(session.peerCommitment, 'commitment'), result.commitment)) {
        return cancel(session, 'invalid-nonce-commitment', 'self', 'the claimer nonce does not match its commitment');
      }
      return compute(session, {
        op: 'derive',
        ephemeral: need(session.ephemeral, 'ephemeral key'),
        peerPublicKey: need(session.peerPublicKey, 'claimer key'),
        transcript: {
          token: session.token,
          greeterPublicKey: need(session.ownPublicKey, 'own key'),
          claimerPublicKey: need(session.peerPublicKey, 'claimer key'),
          greeterNonce: need(session.ownNonce, 'own nonce'),
          claimerNonce: need(session.peerNonce, 'claimer nonce'),
        },
      });
    case 'derive':
      if (!result.ok) return cancel(session, 'protocol-error', 'self', result.detail);
      return sendAndWait({ ...session, secrets: result.secrets }, 4, EMPTY, [{ type: 'show-code', code: result.secrets.greeterCode }]);
    case 'open':
      if (!result.ok) return cancel(session, 'undecipherable-payload', 'self', `step ${lastStep} payload: ${result.detail}`);
      if (lastStep === 6) return compute(session, { op: 'process-claim', kind: session.kind, claim: result.plaintext });
      if (!equalBytes(result.plaintext, INVITE_ACK)) {
        return cancel(session, 'inconsistent-payload', 'self', 'the acknowledgement is not the expected constant');
      }
      return { state: { status: 'done', outcome: session.outcome, session }, effects: [{ type: 'send', step: 8, data: EMPTY }] };
    case 'process-claim':
      if (!result.ok) return cancel(session, 'inconsistent-payload', 'self', result.detail);
      return compute(
        { ...session, outcome: result.outcome },
        {
          op: 'seal',
          key: need(session.secrets, 'secrets').channelKey,
          aad: payloadAad(session.token, session.attempt, 7),
          plaintext: result.confirmation,
        },
      );
    case 'seal':
      return sendAndWait(session, 7, result.ciphertext);
    default:
      return unexpected(state, event);
  }
};

/** The greeter's pure state machine. `transition` throws only `ArgumentError` for a malformed start event. */
export const GreeterMachine: SasMachine = defineMachine('greeter', {
  onStart: (session) => sendAndWait(session, 0, need(session.ownPublicKey, 'own key')),
  onStep,
  onComputed,
  onCodeConfirmed: (session) => sendAndWait(session, 5, TRUST_MARK),
});
