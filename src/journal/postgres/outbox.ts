import { NotFoundError } from '../../core/errors.js';
import type { DeliveryReceipt } from '../../core/types.js';
import type { PgContext } from './context.js';
import { toJson } from './rows.js';

/** `JournalStore.completeOutbox` inside one transaction; a card's receipt goes on its approval. */
export async function completeOutbox(
  ctx: PgContext,
  id: string,
  receipt: DeliveryReceipt,
  now: number,
): Promise<void> {
  const json = toJson(receipt);
  const [row] = await ctx.q<{ kind: string; approval_id: string | null; conversation: unknown }>(
    'completeOutbox',
    [id, json, now],
  );
  if (!row) throw new NotFoundError('outbox item', id);
  if (row.kind === 'approval_card' && row.approval_id !== null) {
    await ctx.run('setCardReceipt', [json, row.approval_id, JSON.stringify(row.conversation)]);
    // The card of an access request (the same outbox kind, another subject).
    await ctx.run('setAccessCardReceipt', [json, row.approval_id]);
  }
}

/** `JournalStore.recordOutboxProgress`; a delivered item keeps its receipt. */
export async function recordOutboxProgress(
  ctx: PgContext,
  id: string,
  receipt: DeliveryReceipt,
): Promise<void> {
  if ((await ctx.run('recordOutboxProgress', [id, toJson(receipt)])) === 0)
    throw new NotFoundError('outbox item', id);
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
