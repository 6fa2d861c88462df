import type { ConversationRef, Principal } from '../core/types.js';
import type { PeopleSnapshot } from './people.js';
import type { ToolHints } from './tool-traits.js';

/** The actions of `config/schema.cedarschema`. */
export type PolicyAction =
  | 'chat'
  | 'call_tool'
  | 'request_tool'
  | 'approve'
  | 'approve_for_session'
  | 'grant_always'
  | 'read_grants'
  | 'revoke_grant'
  | 'cancel_run'
  | 'read_usage'
  | 'read_runs'
  | 'read_sessions'
  | 'reset_session'
  | 'read_approvals'
  | 'read_events'
  | 'read_status'
  | 'read_metrics'
  | 'read_tools'
  | 'read_memory'
  | 'write_memory'
  // People (access requests, memberships, linked identities).
  | 'decide_access'
  | 'read_access'
  | 'revoke_access'
  | 'link_identity';

/** A tool call to decide. */
export interface ToolCallQuery {
  principal: Principal;
  tool: string;
  /** Whether the tool is read-only (an attribute of the `Tool` entity). */
  readOnly: boolean;
  /** `builtin` (the default) or `mcp:<server>`. */
  source?: string;
  /** The tool's other annotations; see `toolTraits` for the defaults of those left out. */
  hints?: Partial<ToolHints>;
  /** The agent whose run asks (`context.agent`); `default` when left out. */
  agent?: string;
  /** The program of a simple shell command (`context.program`, see `core/arg-pattern.ts`); "" when left out. */
  program?: string;
  argsHash: string;
  sessionId: string;
  conversation: ConversationRef;
}

/** The three-way decision on a tool call, with the ids of the policies that decided. */
export interface ToolDecision {
  decision: 'allow' | 'ask' | 'deny';
  policyIds: string[];
  /** Evaluation errors (they deny). */
  errors: string[];
}

/** A yes/no authorization of one action on one resource. */
export interface AuthzQuery {
  principal: Principal;
  action: PolicyAction;
  /**
   * The resource entity, e.g. `{ type: 'Run', id, attrs: { owner } }`. Attributes by type: `Run`
   * needs `owner` (a principal), `Tool` needs `read_only` (and takes `source`, `destructive`,
   * `idempotent`, `open_world`, defaults as `toolTraits`), `Approval` needs `requester` and `tool`
   * (taken from the context when absent), `Conversation` and `Session` take `platform` (default:
   * the id up to its first `:`, for a session its conversation's platform). `User` is one person;
   * {@link EVERYONE} is everyone at once (all runs, everyone's usage, workspace memory…).
   */
  resource: {
    type: 'Run' | 'Tool' | 'Conversation' | 'User' | 'Approval' | 'Session' | 'Everyone';
    id: string;
    attrs?: Record<string, unknown>;
  };
  /**
   * Extra request context: for `approve`, `approve_for_session` and `grant_always` an
   * {@link ApprovalContext}; for
   * `read_sessions` and `reset_session` a {@link SessionContext}.
   */
  context?: Record<string, unknown>;
}

/**
 * The context of `approve` / `approve_for_session` / `grant_always`; `is_requester` is derived from it. A type alias
 * (not an interface) so it fits `AuthzQuery.context`.
 */
export type ApprovalContext = {
  /** Who asked for the tool call. */
  requester: Principal;
  tool: string;
  argsHash: string;
};

/**
 * The context of `read_sessions` / `reset_session`: whether the principal started a run in the
 * session (false for {@link EVERYONE}).
 */
export type SessionContext = {
  tookPart: boolean;
};

/** The resource meaning "everyone": every run, session and approval, everyone's usage, workspace memory. */
export const EVERYONE = { type: 'Everyone', id: 'all' } as const satisfies AuthzQuery['resource'];

/** The answer of `authorize`. */
export interface AuthzDecision {
  allowed: boolean;
  policyIds: string[];
  errors: string[];
}

/**
 * Cedar-backed decisions. Code never hard-codes who may do what; it asks here. Evaluation errors
 * deny.
 */
export interface PolicyEngine {
  /** permit `call_tool` → allow; else permit `request_tool` → ask; else deny. */
  decideToolCall(query: ToolCallQuery): ToolDecision;
  /** Whether `principal` may do `action` on `resource`. */
  authorize(query: AuthzQuery): AuthzDecision;
  /**
   * Puts the journal's memberships and linked identities in force at once (absent: the groups are
   * the config's alone).
   */
  setPeople?(people: PeopleSnapshot): void;
}
