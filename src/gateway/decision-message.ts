import type { Approval, Principal } from '../core/types.js';
import type { GrantDraft } from '../journal/store.js';
import { grantTerms } from './grant-commands.js';

/** What the person who decided an approval is told: the outcome, and for "Always allow" the grant. */
export function decisionMessage(
  decided: Approval,
  decider: Principal,
  grant: GrantDraft | undefined,
): string {
  if (decided.state !== 'approved') return `Denied by ${decider}.`;
  if (decided.scope === 'session') return `Approved for this session by ${decider}.`;
  if (!grant) return `Approved by ${decider}.`;
  return `Always allowed by ${decider}: ${grantTerms(grant)} (grant ${grant.id}).`;
}
