import { NotFoundError } from '../../core/errors.js';
import type { DeliveryReceipt, OutboxItem } from '../../core/types.js';
import type { Claim } from '../store.js';
import { toJson, toOutboxItem } from './rows.js';
import type { JournalContext } from './statements.js';

/** `JournalStore.claimOutbox` inside one write transaction. Each claim counts as an attempt. */
export function claimOutbox(ctx: JournalContext, claim: Claim): OutboxItem[] {
  if (claim.limit <= 0) return [];
  const expires = claim.now + claim.leaseMs;
  return ctx.st.claimableOutbox.all({ now: claim.now, limit: claim.limit }).map((row) => {
    ctx.st.leaseOutbox.run({ id: row.id, owner: claim.owner, expires });
    return toOutboxItem({
      ...row,
      attempts: row.attempts + 1,
      lease_owner: claim.owner,
      lease_expires_at: expires,
    });
  });
}

/** `JournalStore.completeOutbox` inside one write transaction. */
export function completeOutbox(ctx: JournalContext, id: string, receipt: DeliveryReceipt, now: number): void {
  const row = ctx.st.outboxById.get(id);
  if (!row) throw new NotFoundError('outbox item', id);
  const json = toJson(receipt);
  ctx.st.completeOutbox.run({ id, receipt: json, now });
  if (row.kind === 'approval_card' && row.approval_id !== null) {
    ctx.st.setCardReceipt.run(json, row.approval_id, row.conversation);
    // The card of an access request (the same outbox kind, another subject).
    ctx.st.setAccessCardReceipt.run(json, row.approval_id);
  }
}

/** `JournalStore.recordOutboxProgress` inside one write transaction; a delivered item keeps its receipt. */
export function recordOutboxProgress(ctx: JournalContext, id: string, receipt: DeliveryReceipt): void {
  if (!ctx.st.outboxById.get(id)) throw new NotFoundError('outbox item', id);
  ctx.st.recordOutboxProgress.run({ id, receipt: toJson(receipt) });
}

/** `JournalStore.recordDraft` inside one write transaction. */
export function recordDraft(
  ctx: JournalContext,
  runId: string,
  receipt: DeliveryReceipt | null,
  now: number,
): void {
  if (receipt === null) ctx.st.deleteDraft.run(runId);
  else ctx.st.upsertDraft.run({ runId, receipt: toJson(receipt), now });
}

/** `JournalStore.failOutbox` inside one write transaction. */
export function failOutbox(ctx: JournalContext, id: string, error: string, retryAt: number | null): void {
  if (ctx.st.failOutbox.run({ id, error, retryAt }).changes === 0) throw new NotFoundError('outbox item', id);
}
