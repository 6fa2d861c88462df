import { ForbiddenError } from '../../core/errors.js';
import type { GatewayRuntimeState } from '../../gateway/runtime.js';
import { EVERYONE } from '../../policy/engine.js';
import type { ConsoleIdentity } from './tokens.js';

/**
 * What a console principal may see across everyone, as decided by the Cedar policies; the web
 * console shows its pages by it. Each door still asks for itself: this only shapes the page.
 */
export interface ConsoleAbilities {
  /** `read_runs` and `read_sessions` of everyone: every run and session. */
  readAdmin: boolean;
  /** `read_access`: the Access page (requests to decide, memberships, links). */
  readAccess: boolean;
  /** `read_approvals` of everyone: the approvals page. */
  approve: boolean;
  /** `read_events`: the recent journal events. */
  readEvents: boolean;
  /** `read_usage` of everyone. */
  readUsageAll: boolean;
  /** `read_grants`: the grants page ("Always allow"). */
  readGrants: boolean;
}

/** Asks the policy what `principal` may read across everyone. */
export function consoleAbilities(gateway: GatewayRuntimeState, principal: string): ConsoleAbilities {
  const everyone = (
    action: 'read_runs' | 'read_approvals' | 'read_events' | 'read_usage' | 'read_grants' | 'read_access',
  ) => gateway.access.allows({ actor: principal, action, resource: EVERYONE });
  const sessions = gateway.access.allows({
    actor: principal,
    action: 'read_sessions',
    resource: EVERYONE,
    context: { tookPart: false },
  });
  return {
    readAdmin: everyone('read_runs') && sessions,
    approve: everyone('read_approvals'),
    readEvents: everyone('read_events'),
    readUsageAll: everyone('read_usage'),
    readGrants: everyone('read_grants'),
    readAccess: everyone('read_access'),
  };
}

/**
 * A per-user token acts only as its own principal: a `principal` field naming someone else in a
 * JSON body (messages, decisions) is refused. Runs after the body is parsed.
 */
export function checkPrincipalOverride(identity: ConsoleIdentity | undefined, body: unknown): void {
  if (!identity || identity.admin || typeof body !== 'object' || body === null) return;
  const named = (body as Record<string, unknown>).principal;
  if (named !== undefined && named !== identity.principal)
    throw new ForbiddenError(`${identity.principal} may act only as themselves, not as ${String(named)}`);
}
