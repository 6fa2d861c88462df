import { describePattern } from '../core/arg-pattern.js';
import type { Grant, Principal } from '../core/types.js';
import type { CommandResponse } from '../ports/gateway.js';
import type { GatewayGrants } from './grants-access.js';

/** How many grants `/grants` lists; the console and `GET /v1/grants` show them all. */
const LISTED = 20;

/** Who a grant covers, in words. */
export function grantAudience(grant: Pick<Grant, 'scope'>): string {
  switch (grant.scope.kind) {
    case 'requester':
      return grant.scope.principal;
    case 'conversation':
      return `anyone in ${grant.scope.conversation.platform}:${grant.scope.conversation.channel}`;
    case 'everyone':
      return 'everyone';
  }
}

/** What a grant lets run, for whom and until when, in words (`/grants`, the decision's answer). */
export function grantTerms(grant: Pick<Grant, 'tool' | 'pattern' | 'scope' | 'expiresAt'>): string {
  const until =
    grant.expiresAt === null ? 'until revoked' : `until ${new Date(grant.expiresAt).toISOString()}`;
  return `${grant.tool} with ${describePattern(grant.pattern)} for ${grantAudience(grant)}, ${until}`;
}

/** One line of `/grants`. */
function grantLine(grant: Grant): string {
  return `${grant.id}: ${grantTerms(grant)} (by ${grant.createdBy})`;
}

/**
 * `/grants` lists the grants in force ("Always allow", `read_grants`); `/grants revoke <id>`
 * revokes one (`revoke_grant`), and its calls ask again at once.
 */
export async function grantsCommand(
  grants: Pick<GatewayGrants, 'list' | 'revoke'>,
  principal: Principal,
  args: readonly string[],
): Promise<CommandResponse> {
  const [verb, id, ...rest] = args;
  if (verb === undefined) {
    const listed = await grants.list(principal);
    if (listed.length === 0)
      return { ok: true, text: 'No grants: every call the policy asks about is asked.' };
    const more = listed.length > LISTED ? [`…and ${listed.length - LISTED} more (GET /v1/grants)`] : [];
    return {
      ok: true,
      text: [`Grants in force (${listed.length}):`, ...listed.slice(0, LISTED).map(grantLine), ...more].join(
        '\n',
      ),
    };
  }
  if (verb !== 'revoke' || id === undefined || rest.length > 0)
    return { ok: false, text: 'Use "grants" to list them, or "grants revoke <id>" to revoke one.' };
  const revoked = await grants.revoke(id, principal);
  return { ok: true, text: `Revoked grant ${revoked.id}: ${revoked.tool} asks again.` };
}
