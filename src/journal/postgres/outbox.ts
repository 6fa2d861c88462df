import { NotFoundError } from '../../core/errors.js';
import type { DeliveryReceipt, OutboxItem } from '../../core/types.js';
import type { OutboxClaim } from '../store.js';
import type { PgContext } from './context.js';
import { type PgOutboxRow, toJson, toOutboxItem } from './rows.js';

/**
 * `JournalStore.claimOutbox` inside one transaction. Rows are locked `FOR UPDATE SKIP LOCKED`, so
 * senders on several replicas split the due items between them; each claim counts as an attempt.
 */
export async function claimOutbox(ctx: PgContext, claim: OutboxClaim): Promise<OutboxItem[]> {
  if (claim.limit <= 0 || claim.channels?.length === 0) return [];
  const expires = claim.now + claim.leaseMs;
  const rows = await ctx.q<PgOutboxRow>('claimableOutbox', [claim.now, claim.limit, claim.channels ?? null]);
  if (rows.length === 0) return [];
  await ctx.run('leaseOutbox', [rows.map((r) => r.id), claim.owner, expires]);
  return rows.map((row) =>
    toOutboxItem({ ...row, attempts: row.attempts + 1, lease_owner: claim.owner, lease_expires_at: expires }),
  );
}

/** `JournalStore.completeOutbox` inside one transaction; a card's receipt goes on its approval. */
export async function completeOutbox(
  ctx: PgContext,
  id: string,
  receipt: DeliveryReceipt,
  now: number,
): Promise<void> {
  const json = toJson(receipt);
  const [row] = await ctx.q<{ kind: string; approval_id: string | null }>('completeOutbox', [id, json, now]);
  if (!row) throw new NotFoundError('outbox item', id);
  if (row.kind === 'approval_card' && row.approval_id !== null)
    await ctx.run('setCardReceipt', [json, row.approval_id]);
}

/** `JournalStore.failOutbox` inside one transaction. */
export async function failOutbox(
  ctx: PgContext,
  id: string,
  error: string,
  retryAt: number | null,
): Promise<void> {
  if ((await ctx.run('failOutbox', [id, error, retryAt])) === 0) throw new NotFoundError('outbox item', id);
}
