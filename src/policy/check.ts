import type { Principal } from '../core/types.js';
import { compilePolicies, type PolicySources } from './compile.js';
import { type AuthzQuery, EVERYONE, type PolicyAction, type PolicyEngine } from './engine.js';

/** Every action of the schema, for argument checking and help texts. */
export const POLICY_ACTIONS: readonly PolicyAction[] = [
  'chat',
  'call_tool',
  'request_tool',
  'approve',
  'approve_for_session',
  'grant_always',
  'read_grants',
  'revoke_grant',
  'cancel_run',
  'read_usage',
  'read_runs',
  'read_sessions',
  'reset_session',
  'read_approvals',
  'read_events',
  'read_status',
  'read_metrics',
  'read_tools',
  'read_memory',
  'write_memory',
  // People.
  'decide_access',
  'read_access',
  'revoke_access',
  'link_identity',
];

/** The answer of {@link checkPolicies}. */
export interface PolicyCheckResult {
  ok: boolean;
  /** Each as `file:line:column: reason`. */
  errors: string[];
  /** Validator warnings; they do not make the check fail. */
  warnings: string[];
  policyCount: number;
}

/**
 * Validates the schema and every policy file in strict mode without starting anything; for
 * `switchboard policy check`. Reports every problem, not only the first.
 */
export function checkPolicies(sources: PolicySources): PolicyCheckResult {
  const result = compilePolicies(sources);
  if (!result.ok) return { ok: false, errors: result.errors, warnings: [], policyCount: 0 };
  const { ids, warnings } = result.compiled;
  return { ok: true, errors: [], warnings, policyCount: ids.length };
}

/** A question for {@link explainDecision}, as `switchboard policy explain` takes it. */
export interface ExplainQuery {
  principal: Principal;
  /** One of {@link POLICY_ACTIONS}. */
  action: string;
  /** The tool, for `call_tool` / `request_tool` (and the tool named in an `approve` context). */
  tool?: string;
  /** Whether the tool is read-only; default false (pass the tool registry's answer). */
  readOnly?: boolean;
  /** The tool's source; default `mcp:<server>` for a name `<server>__<tool>`, else `builtin`. */
  source?: string;
  /**
   * The other party: the run's owner for `cancel_run` and `read_runs`, the requester for
   * `approve`, `approve_for_session` and `read_approvals`, whose usage for `read_usage`; `all` means
   * everyone (every run, every approval, everyone's usage, the session list). For `read_sessions`
   * and `reset_session`, `took-part` asks about a session the principal took part in. Default:
   * someone else (`explain:someone-else`), the principal themself for `read_usage`.
   */
  subject?: string;
}

/** The answer of {@link explainDecision}: `allow`, `ask` (tool calls only) or `deny`, and why. */
export interface Explanation {
  decision: 'allow' | 'ask' | 'deny';
  policyIds: string[];
  errors: string[];
}

const SOMEONE_ELSE = 'explain:someone-else';

/** The source a tool name implies: `mcp:<server>` for `<server>__<tool>`, else `builtin`. */
function sourceOfName(tool: string): string {
  const cut = tool.indexOf('__');
  return cut > 0 ? `mcp:${tool.slice(0, cut)}` : 'builtin';
}

function isAction(action: string): action is PolicyAction {
  return (POLICY_ACTIONS as readonly string[]).includes(action);
}

function explainQuery(query: ExplainQuery, action: PolicyAction): AuthzQuery {
  const { principal } = query;
  switch (action) {
    case 'chat':
    case 'read_status':
      return {
        principal,
        action,
        resource: { type: 'Conversation', id: `${principal.split(':')[0]}:explain` },
      };
    case 'call_tool':
    case 'request_tool':
      return {
        principal,
        action,
        resource: {
          type: 'Tool',
          id: query.tool ?? '',
          attrs: {
            read_only: query.readOnly ?? false,
            source: query.source ?? sourceOfName(query.tool ?? ''),
          },
        },
      };
    case 'approve':
    case 'approve_for_session':
    case 'grant_always':
      return {
        principal,
        action,
        resource: { type: 'Approval', id: 'explain' },
        context: { requester: query.subject ?? SOMEONE_ELSE, tool: query.tool ?? 'shell_exec', argsHash: '' },
      };
    case 'cancel_run':
    case 'read_runs':
      if (action === 'read_runs' && query.subject === 'all') return { principal, action, resource: EVERYONE };
      return {
        principal,
        action,
        resource: { type: 'Run', id: 'explain', attrs: { owner: query.subject ?? SOMEONE_ELSE } },
      };
    case 'read_approvals': {
      if (query.subject === 'all') return { principal, action, resource: EVERYONE };
      const requester = query.subject ?? SOMEONE_ELSE;
      return {
        principal,
        action,
        resource: { type: 'Approval', id: 'explain', attrs: { requester, tool: query.tool ?? 'shell_exec' } },
      };
    }
    case 'read_sessions':
    case 'reset_session': {
      const tookPart = query.subject === 'took-part';
      if (action === 'read_sessions' && query.subject === 'all')
        return { principal, action, resource: EVERYONE, context: { tookPart: false } };
      const platform = principal.split(':')[0] ?? 'console';
      return {
        principal,
        action,
        resource: { type: 'Session', id: 'explain', attrs: { platform } },
        context: { tookPart },
      };
    }
    case 'read_events':
    case 'read_metrics':
    case 'read_tools':
    case 'read_grants':
    case 'revoke_grant':
      return { principal, action, resource: EVERYONE };
    case 'read_usage':
      return {
        principal,
        action,
        resource: query.subject === 'all' ? EVERYONE : { type: 'User', id: query.subject ?? principal },
      };
    case 'read_memory':
    case 'write_memory': {
      // subject: `all` = workspace items, `conversation:<id>` = a session's, else a person's.
      const subject = query.subject ?? principal;
      if (subject === 'all') return { principal, action, resource: EVERYONE };
      if (subject.startsWith('conversation:')) {
        return { principal, action, resource: { type: 'Conversation', id: subject.slice(13) || 'explain' } };
      }
      return { principal, action, resource: { type: 'User', id: subject } };
    }
    case 'read_access':
      return { principal, action, resource: EVERYONE };
    case 'decide_access':
    case 'revoke_access':
    case 'link_identity':
      // subject: whose access or identity (default: someone else).
      return { principal, action, resource: { type: 'User', id: query.subject ?? SOMEONE_ELSE } };
  }
}

/**
 * Answers "may this principal do this?" with the deciding policy ids, for
 * `switchboard policy explain`. For `call_tool` / `request_tool` with a tool it reports the
 * three-way tool decision (allow / ask / deny), exactly as a real tool call would be decided.
 */
export function explainDecision(engine: PolicyEngine, query: ExplainQuery): Explanation {
  const { action } = query;
  if (!isAction(action)) {
    return {
      decision: 'deny',
      policyIds: [],
      errors: [`unknown action "${action}"; use one of ${POLICY_ACTIONS.join(', ')}`],
    };
  }
  if (action === 'call_tool' || action === 'request_tool') {
    if (query.tool === undefined) {
      return { decision: 'deny', policyIds: [], errors: [`${action} needs a tool: add --tool <name>`] };
    }
    const platform = query.principal.split(':')[0] ?? 'console';
    return engine.decideToolCall({
      principal: query.principal,
      tool: query.tool,
      readOnly: query.readOnly ?? false,
      source: query.source ?? sourceOfName(query.tool),
      argsHash: '',
      sessionId: 'explain',
      conversation: { platform, channel: 'explain' },
    });
  }
  const answer = engine.authorize(explainQuery(query, action));
  return { decision: answer.allowed ? 'allow' : 'deny', policyIds: answer.policyIds, errors: answer.errors };
}
