import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../../core/errors.js';
import type { GatewayRuntimeState } from '../../gateway/runtime.js';
import { checkPrincipalOverride, consoleAbilities } from './access.js';
import { defaultConsoleAssetsDir, registerConsoleAssets } from './assets.js';
import type { ConsoleIdentity, ConsoleTokens } from './tokens.js';

export { defaultConsoleAssetsDir } from './assets.js';
export { ConsoleTokens, type ConsoleUser, loadConsoleUsers } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The console identity of the bearer token (admin or a console user), once authenticated. */
    consoleIdentity?: ConsoleIdentity;
  }
}

/**
 * Authenticates an API request by its bearer token (the admin token or a console user's); throws
 * 401. Sets `principal` and `consoleIdentity`; what the principal may do each route asks Cedar.
 */
export function authenticateConsoleRequest(request: FastifyRequest, tokens: ConsoleTokens): void {
  const identity = tokens.authenticate(request.headers.authorization);
  if (!identity)
    throw new UnauthorizedError(
      'missing or wrong bearer token: send "Authorization: Bearer <admin or console token>"',
    );
  request.principal = identity.principal;
  request.consoleIdentity = identity;
}

/**
 * The web console: its page and assets at `/`, `GET /v1/console/me` (who the token is and what
 * the policy lets them read), and the rule that a user token acts only as its own principal.
 */
export function registerConsole(
  app: FastifyInstance,
  deps: { gateway: GatewayRuntimeState; assetsDir?: string | undefined },
): void {
  registerConsoleAssets(app, deps.assetsDir ?? defaultConsoleAssetsDir());
  app.addHook('preHandler', async (request) => checkPrincipalOverride(request.consoleIdentity, request.body));
  app.get('/v1/console/me', async (request) => {
    const abilities = consoleAbilities(deps.gateway, request.principal);
    return {
      principal: request.principal,
      admin: request.consoleIdentity?.admin ?? false,
      read_admin: abilities.readAdmin,
      approve: abilities.approve,
      read_events: abilities.readEvents,
      read_usage_all: abilities.readUsageAll,
      read_grants: abilities.readGrants,
      read_access: abilities.readAccess,
    };
  });
}
