import type { Pool } from 'pg';
import type { Grant } from '../../core/types.js';
import {
  checkRevocable,
  type GrantRowOf,
  grantCreatedEvent,
  grantInsertParams,
  grantMapper,
} from '../shared/grant-rows.js';
import type { NewGrant } from '../store.js';
import { type PgContext, rows } from './context.js';
import { recordEvent } from './writes.js';

/** A `grants` row as node-postgres returns it (jsonb parsed, bigint as number). */
type PgGrantRow = GrantRowOf<'parsed'>;

const toGrant = grantMapper<'parsed'>((value) => value);

/**
 * Inserts a grant (inside the caller's transaction), links its approval, records the event and
 * signals every replica to reload its generated permits.
 */
export async function insertGrant(ctx: PgContext, grant: NewGrant): Promise<Grant> {
  await ctx.run('insertGrant', grantInsertParams(grant));
  if (grant.approvalId !== null) await ctx.run('linkApprovalGrant', [grant.id, grant.approvalId]);
  await recordEvent(ctx, 'grant.created', grantCreatedEvent(grant), grant.now);
  ctx.signal({ type: 'grants_changed' });
  const [row] = await ctx.q<PgGrantRow>('grantById', [grant.id]);
  if (!row) throw new Error(`grant ${grant.id} vanished after insert`);
  return toGrant(row);
}

/** `JournalStore.revokeGrant` inside one transaction (the row locked, so two revokes do not both win). */
export async function revokeGrant(ctx: PgContext, id: string, by: string, now: number): Promise<Grant> {
  const [row] = await ctx.q<PgGrantRow>('grantByIdForUpdate', [id]);
  checkRevocable(id, row);
  await ctx.run('revokeGrant', [now, by, id]);
  await recordEvent(ctx, 'grant.revoked', { grantId: id, by }, now);
  ctx.signal({ type: 'grants_changed' });
  const [revoked] = await ctx.q<PgGrantRow>('grantById', [id]);
  if (!revoked) throw new Error(`grant ${id} vanished after revoke`);
  return toGrant(revoked);
}

/** One grant by id. */
export async function getGrant(pool: Pool, id: string): Promise<Grant | null> {
  const [row] = await rows<PgGrantRow>(pool, 'grantById', [id]);
  return row ? toGrant(row) : null;
}

/** `JournalStore.listGrants`. */
export async function listGrants(
  pool: Pool,
  query: { now: number; includeInactive?: boolean; limit?: number },
): Promise<Grant[]> {
  const limit = query.limit ?? 1000;
  const found = query.includeInactive
    ? await rows<PgGrantRow>(pool, 'allGrants', [limit])
    : await rows<PgGrantRow>(pool, 'activeGrants', [query.now, limit]);
  return found.map(toGrant);
}
