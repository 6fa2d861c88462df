import type Database from 'better-sqlite3';
import type { PruneRequest, RetentionKind } from '../store.js';

/** A row of a run that is waiting for a human: nothing of it is pruned. */
const AWAITING_APPROVAL = (runId: string) =>
  `EXISTS (SELECT 1 FROM approvals a WHERE a.run_id = ${runId} AND a.state = 'pending')`;

/** Pages given back to the file system per `reclaimSpace` step (1 MiB at the default page size). */
const VACUUM_PAGES = 256;

/**
 * The pruning statements of the SQLite journal (`retention:`), prepared once on the journal's
 * connection. Each kind deletes one bounded batch, oldest first, through an indexed range.
 */
export function preparePruning(db: Database.Database) {
  const st = {
    events: db.prepare<{ before: number; limit: number }>(
      `DELETE FROM journal_events WHERE (at, id) IN (
         SELECT at, id FROM journal_events WHERE at < @before ORDER BY at LIMIT +@limit)`,
    ),
    inbox: db.prepare<{ before: number; limit: number }>(
      `DELETE FROM inbox WHERE (channel, event_id) IN (
         SELECT i.channel, i.event_id FROM inbox i WHERE i.received_at < @before
           AND (i.run_id IS NULL OR NOT ${AWAITING_APPROVAL('i.run_id')})
         ORDER BY i.received_at LIMIT +@limit)`,
    ),
    usage: db.prepare<{ before: number; limit: number }>(
      `DELETE FROM usage_events WHERE id IN (
         SELECT u.id FROM usage_events u WHERE u.at < @before
           AND (u.run_id IS NULL OR NOT ${AWAITING_APPROVAL('u.run_id')})
         ORDER BY u.at LIMIT +@limit)`,
    ),
    // Finished, every outbox item settled, no pending approval, not pruned yet.
    prunableRuns: db.prepare<{ before: number; limit: number }, { id: string }>(
      `SELECT r.id FROM runs r
       WHERE r.finished_at IS NOT NULL AND r.tape_pruned_at IS NULL AND r.finished_at < @before
         AND r.state IN ('succeeded', 'failed', 'cancelled')
         AND NOT ${AWAITING_APPROVAL('r.id')}
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.run_id = r.id AND o.state = 'pending')
       ORDER BY r.finished_at LIMIT +@limit`,
    ),
    deleteTape: db.prepare<[string]>('DELETE FROM tape WHERE run_id = ?'),
    deleteOutbox: db.prepare<[string]>(
      "DELETE FROM outbox WHERE run_id = ? AND state IN ('delivered', 'failed')",
    ),
    deleteDraft: db.prepare<[string]>('DELETE FROM reply_drafts WHERE run_id = ?'),
    markPruned: db.prepare<[number, string]>('UPDATE runs SET tape_pruned_at = ? WHERE id = ?'),
  };

  const pruneTapes = (request: PruneRequest): number => {
    const runs = st.prunableRuns.all(request);
    for (const { id } of runs) {
      st.deleteTape.run(id);
      st.deleteOutbox.run(id);
      st.deleteDraft.run(id);
      st.markPruned.run(request.now, id);
    }
    return runs.length;
  };
  const deleters: Record<
    Exclude<RetentionKind, 'tapes'>,
    Database.Statement<{ before: number; limit: number }>
  > = { events: st.events, inbox: st.inbox, usage: st.usage };
  const prune = db.transaction((request: PruneRequest): number =>
    request.kind === 'tapes'
      ? pruneTapes(request)
      : deleters[request.kind].run({ before: request.before, limit: request.limit }).changes,
  );

  return {
    /** One batch of one kind, in its own `BEGIN IMMEDIATE` transaction. */
    prune: (request: PruneRequest): number => (request.limit <= 0 ? 0 : prune.immediate(request)),
    /**
     * One step of incremental vacuum: frees up to `VACUUM_PAGES` pages and returns the free pages
     * left. A database created before incremental vacuum (auto_vacuum NONE) keeps its free pages
     * for reuse and reports 0: converting it needs one VACUUM with the daemon stopped (README).
     */
    reclaimSpace: (): number => {
      if (db.pragma('auto_vacuum', { simple: true }) !== 2) return 0;
      db.pragma(`incremental_vacuum(${VACUUM_PAGES})`);
      return Number(db.pragma('freelist_count', { simple: true }));
    },
  };
}
