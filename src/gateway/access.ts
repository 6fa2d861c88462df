import { ForbiddenError } from '../core/errors.js';
import type { Principal } from '../core/types.js';
import type { PolicyAction, PolicyEngine } from '../policy/engine.js';
import type { Resource } from './resources.js';

/** One authorization question: who wants to do what to which resource. */
export interface AccessQuestion {
  actor: Principal;
  action: PolicyAction;
  resource: Resource;
  context?: Record<string, unknown>;
}

/** The one polite answer to a person the policy does not let talk to the agent. */
export const NOT_LET_IN =
  'Sorry, you are not on the list of people who may talk to me here. Please ask an admin to add you.';

/** How a refusal names each action, as a verb before the thing refused. */
const VERBS: Partial<Record<PolicyAction, string>> = {
  chat: 'talk to the agent in',
  cancel_run: 'cancel',
  reset_session: 'reset',
  write_memory: 'change',
  approve: 'decide',
  approve_for_session: 'approve for the session',
  grant_always: 'always allow',
  revoke_grant: 'revoke',
};

/**
 * The gateway's one way of asking Cedar whether an actor may pass a door. `require` throws a
 * `ForbiddenError` saying what was refused; `allows` answers yes or no for filtering.
 */
export class Access {
  constructor(private readonly policy: PolicyEngine) {}

  /** Whether the policies permit the question (evaluation errors deny). */
  allows(question: AccessQuestion): boolean {
    return this.policy.authorize({
      principal: question.actor,
      action: question.action,
      resource: question.resource,
      ...(question.context ? { context: question.context } : {}),
    }).allowed;
  }

  /**
   * Throws unless the policies permit the question. `what` names the thing in words for the
   * refusal ("the runs of everyone"), defaulting to the resource's type and id.
   */
  require(question: AccessQuestion, what?: string): void {
    if (this.allows(question)) return;
    const { type, id } = question.resource;
    const thing = what ?? (type === 'Everyone' ? 'everyone' : `${type} ${id}`);
    const verb = VERBS[question.action] ?? 'read';
    throw new ForbiddenError(
      `${question.actor} may not ${verb} ${thing} (Cedar action ${question.action}; see switchboard policy explain)`,
    );
  }
}
