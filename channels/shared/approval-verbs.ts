/**
 * What the buttons of an approval card mean, shared by every adapter. Not an adapter itself: it
 * imports only `src/index.ts` and no platform SDK. (Proposed for `src/index.ts`, where it belongs
 * next to `DecisionRequest`; until then the adapters import it from here.)
 */
import type { DecisionRequest, Principal } from '../../src/index.js';

/** A button on an approval card: approve once, deny, or approve for the rest of the session. */
export type ApprovalVerb = 'approve' | 'deny' | 'approve_session';

/** Every button verb, in the order the cards show them when all are offered. */
export const APPROVAL_VERBS: readonly ApprovalVerb[] = ['approve', 'approve_session', 'deny'];

/** Whether `value` is one of the button verbs (for parsing a platform's button payload). */
export function isApprovalVerb(value: string | undefined): value is ApprovalVerb {
  return APPROVAL_VERBS.some((verb) => verb === value);
}

/**
 * The decision a click on the button `verb` asks for, on behalf of `decider`: `approve` → approve
 * once, `approve_session` → approve for the session, `deny` → deny (no scope).
 */
export function decisionRequestOf(
  verb: ApprovalVerb,
  approvalId: string,
  decider: Principal,
): DecisionRequest {
  if (verb === 'deny') return { approvalId, decision: 'deny', decider };
  return { approvalId, decision: 'approve', scope: verb === 'approve_session' ? 'session' : 'once', decider };
}
