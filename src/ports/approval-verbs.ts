/**
 * What the buttons of an approval card mean, for every adapter: each platform renders the verbs
 * its own way and turns a click into the same `DecisionRequest`.
 */
import type { Principal } from '../core/types.js';
import type { DecisionRequest } from './gateway.js';

/**
 * A button on an approval card: approve once, deny, approve for the rest of the session, or
 * "Always allow" (approve and remember a grant for the requester).
 */
export type ApprovalVerb = 'approve' | 'deny' | 'approve_session' | 'approve_always';

/** Every button verb, in the order the cards show them when all are offered. */
export const APPROVAL_VERBS: readonly ApprovalVerb[] = [
  'approve',
  'approve_session',
  'approve_always',
  'deny',
];

/** Whether `value` is one of the button verbs (for parsing a platform's button payload). */
export function isApprovalVerb(value: string | undefined): value is ApprovalVerb {
  return APPROVAL_VERBS.some((verb) => verb === value);
}

/**
 * The decision a click on the button `verb` asks for, on behalf of `decider`: `approve` → approve
 * once, `approve_session` → approve for the session, `approve_always` → approve and grant it to the
 * requester until revoked (the console and the API offer the other choices), `deny` → deny.
 */
export function decisionRequestOf(
  verb: ApprovalVerb,
  approvalId: string,
  decider: Principal,
): DecisionRequest {
  if (verb === 'deny') return { approvalId, decision: 'deny', decider };
  const scope = verb === 'approve_session' ? 'session' : verb === 'approve_always' ? 'always' : 'once';
  return { approvalId, decision: 'approve', scope, decider };
}
