import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { ArgPattern, ConversationRef, Grant, GrantScope } from '../../core/types.js';
import type { NewGrant } from '../store.js';
import type { DecodeJson, JsonColumn, JsonForm } from './rows.js';

// The `grants` table, the same for both stores: its row, the mapping to `Grant`, and the checks
// of a revocation, free of any SQL.

/** A `grants` row. */
export interface GrantRowOf<F extends JsonForm> {
  id: string;
  tool: string;
  pattern: JsonColumn<F, ArgPattern>;
  scope: GrantScope['kind'];
  principal: string | null;
  conversation: JsonColumn<F, ConversationRef> | null;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  approval_id: string | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

/** The columns of a new grant, in the order of the stores' INSERT statements. */
export function grantInsertParams(grant: NewGrant): unknown[] {
  const { scope } = grant;
  return [
    grant.id,
    grant.tool,
    JSON.stringify(grant.pattern),
    scope.kind,
    scope.kind === 'requester' ? scope.principal : null,
    scope.kind === 'conversation' ? JSON.stringify(scope.conversation) : null,
    grant.createdBy,
    grant.now,
    grant.expiresAt,
    grant.approvalId,
  ];
}

/** The mapper of `grants` rows of one JSON form to the domain type. */
export function grantMapper<F extends JsonForm>(decode: DecodeJson<F>): (row: GrantRowOf<F>) => Grant {
  return (row) => {
    let scope: GrantScope;
    if (row.scope === 'requester') scope = { kind: 'requester', principal: row.principal ?? '' };
    else if (row.scope === 'conversation' && row.conversation !== null)
      scope = { kind: 'conversation', conversation: decode<ConversationRef>(row.conversation) };
    else scope = { kind: 'everyone' };
    return {
      id: row.id,
      tool: row.tool,
      pattern: decode<ArgPattern>(row.pattern),
      scope,
      createdBy: row.created_by,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      approvalId: row.approval_id,
      revokedAt: row.revoked_at,
      revokedBy: row.revoked_by,
    };
  };
}

/** Whether a grant covers calls at `now`: not revoked and not expired. */
export function isActiveGrant(grant: Pick<Grant, 'revokedAt' | 'expiresAt'>, now: number): boolean {
  return grant.revokedAt === null && (grant.expiresAt === null || grant.expiresAt > now);
}

/** Throws unless the grant `id` (its row `row`) can be revoked: it exists and was not revoked. */
export function checkRevocable(
  id: string,
  row: { revoked_at: number | null; revoked_by: string | null } | undefined,
): void {
  if (!row) throw new NotFoundError('grant', id);
  if (row.revoked_at !== null) {
    const who = row.revoked_by ? ` by ${row.revoked_by}` : '';
    throw new ConflictError(`grant ${id} was already revoked${who}`, 'already_revoked', 'revoked');
  }
}

/** The body of the `grant.created` journal event. */
export function grantCreatedEvent(grant: NewGrant): Record<string, unknown> {
  return {
    grantId: grant.id,
    tool: grant.tool,
    pattern: grant.pattern,
    scope: grant.scope,
    by: grant.createdBy,
    expiresAt: grant.expiresAt,
    approvalId: grant.approvalId,
  };
}
