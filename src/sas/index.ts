/**
 * `sealsync/sas`: invitations, SAS derivation, the greeter/claimer state machines, the relay.
 * @module
 */
export * from './invitation.js';
export * from './sas-code.js';
export * from './derivation.js';
export * from './machine-types.js';
export { stepPartProblem, TRUST_MARK, MIN_SEALED_LENGTH, MAX_SEALED_LENGTH } from './machine-common.js';
export { INVITE_ACK } from './ack.js';
export { GreeterMachine } from './greeter-machine.js';
export { ClaimerMachine } from './claimer-machine.js';
export { executeCompute, type BackendCheck, type ClaimerBackend, type EnrollmentBackend, type GreeterBackend } from './compute.js';
export * from './payloads.js';
export * from './enrollment.js';
export * from './relay.js';
export * from './drive.js';
export * from './attempts.js';
export * from './enroll.js';
