import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../../core/errors.js';
import type { GatewayRuntimeState } from '../../gateway/runtime.js';
import type { JournalStore } from '../../journal/store.js';
import { EVERYONE } from '../../policy/engine.js';
import type { ConsoleIdentity } from './tokens.js';

/** What the access check reads. */
export interface ConsoleAccessDeps {
  gateway: GatewayRuntimeState;
  journal: JournalStore;
}

/** What a console principal may see, as decided by the Cedar policies. */
export interface ConsoleAbilities {
  /** `read_admin`: every run, session, approval and the recent events. */
  readAdmin: boolean;
  /** `approve` someone else's request: may list pending approvals. */
  approve: boolean;
}

/** Asks the policy what `principal` may read in the console. */
export function consoleAbilities(gateway: GatewayRuntimeState, principal: string): ConsoleAbilities {
  const { policy } = gateway.deps;
  const readAdmin = policy.authorize({ principal, action: 'read_admin', resource: EVERYONE }).allowed;
  const requester = 'console:someone-else';
  const approve = policy.authorize({
    principal,
    action: 'approve',
    resource: { type: 'Approval', id: 'probe', attrs: { requester, tool: 'shell_exec' } },
    context: { requester, tool: 'shell_exec', argsHash: '' },
  }).allowed;
  return { readAdmin, approve };
}

/**
 * Limits what a per-user console token reads (the admin token reads everything). Writes — chat,
 * cancel, decide, usage — are authorized by the gateway itself; reads of runs, sessions, approvals
 * and recent events need `read_admin`, except a user's own runs and their sessions. Throws
 * `ForbiddenError` saying what is allowed instead.
 */
export async function checkConsoleRead(
  request: FastifyRequest,
  identity: ConsoleIdentity,
  deps: ConsoleAccessDeps,
): Promise<void> {
  if (identity.admin || (request.method !== 'GET' && request.method !== 'HEAD')) return;
  const route = request.routeOptions.url ?? '';
  const { principal } = identity;
  const abilities = consoleAbilities(deps.gateway, principal);
  if (abilities.readAdmin) return;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const params = (request.params ?? {}) as Record<string, string>;
  const ownRun = async (runId: unknown) =>
    typeof runId === 'string' && (await deps.journal.getRun(runId))?.principal === principal;
  switch (route) {
    case '/v1/console/me':
    case '/v1/usage':
      return;
    case '/v1/runs':
      if (query.principal === principal) return;
      throw new ForbiddenError(`${principal} may list only their own runs (add principal=${principal})`);
    case '/v1/runs/:id':
    case '/v1/runs/:id/tape':
    case '/v1/runs/:id/events':
      if (await ownRun(params.id)) return;
      throw new ForbiddenError(`${principal} may read only their own runs`);
    case '/v1/sessions/:id': {
      const own = await deps.journal.listRuns({ sessionId: params.id ?? '', principal, limit: 1 });
      if (own.length > 0) return;
      throw new ForbiddenError(`${principal} may read only sessions they took part in`);
    }
    case '/v1/approvals':
      if (abilities.approve || (await ownRun(query.run_id))) return;
      throw new ForbiddenError(`${principal} may list only the approvals of their own runs (add run_id=)`);
    case '/v1/approvals/:id': {
      const approval = await deps.journal.getApproval(params.id ?? '');
      if (abilities.approve || approval?.requester === principal) return;
      throw new ForbiddenError(`${principal} may read only their own approvals`);
    }
    default:
      throw new ForbiddenError(`${principal} may not read ${route || request.url.split('?')[0]}`);
  }
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
