/**
 * Membership: who is in the room. {@link SwimMembership} (SWIM + Lifeguard failure detection,
 * SPEC.md section M) for real rooms; {@link TransportMembership} (the transport's connected peers)
 * for tests of the layers above.
 */
export type { MembershipChange, MembershipView } from './types.js';
export { TransportMembership } from './transport-membership.js';
export { SwimMembership, type MemberInfo, type MembershipSend, type SwimEvents, type SwimStats } from './swim.js';
export { SWIM_DEFAULTS, type MemberScope, type MembershipTransport, type SwimOptions, type SwimTunables } from './options.js';
export {
  MEMBERSHIP_MESSAGE_TYPES,
  MembershipWire,
  isMembershipMessage,
  type MembershipEndpoint,
  type MembershipMessage,
  type MembershipWireOptions,
} from './wire.js';
export { type MemberFact, type MemberStatus, FLAG_STANDBY, STATUS_CODE } from './update.js';
