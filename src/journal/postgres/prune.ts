import type { Pool, PoolClient } from 'pg';
import type { PruneRequest, RetentionKind } from '../store.js';

/** A row of a run that is waiting for a human: nothing of it is pruned. */
const AWAITING_APPROVAL = (runId: string) =>
  `EXISTS (SELECT 1 FROM approvals a WHERE a.run_id = ${runId} AND a.state = 'pending')`;

/** One batch per kind, oldest first through an indexed range; $1 = before, $2 = limit. */
const DELETE_BATCH: Record<Exclude<RetentionKind, 'tapes'>, string> = {
  events: `DELETE FROM journal_events WHERE (at, id) IN (
             SELECT at, id FROM journal_events WHERE at < $1 ORDER BY at LIMIT $2)`,
  inbox: `DELETE FROM inbox i USING (
            SELECT channel, event_id FROM inbox x WHERE x.received_at < $1
              AND (x.run_id IS NULL OR NOT ${AWAITING_APPROVAL('x.run_id')})
            ORDER BY x.received_at LIMIT $2) d
          WHERE i.channel = d.channel AND i.event_id = d.event_id`,
  usage: `DELETE FROM usage_events WHERE id IN (
            SELECT u.id FROM usage_events u WHERE u.at < $1
              AND (u.run_id IS NULL OR NOT ${AWAITING_APPROVAL('u.run_id')})
            ORDER BY u.at LIMIT $2)`,
};

/** Finished, every outbox item settled, no pending approval, not pruned yet; rows locked. */
const PRUNABLE_RUNS = `SELECT r.id FROM runs r
  WHERE r.finished_at IS NOT NULL AND r.tape_pruned_at IS NULL AND r.finished_at < $1
    AND r.state IN ('succeeded', 'failed', 'cancelled')
    AND NOT ${AWAITING_APPROVAL('r.id')}
    AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.run_id = r.id AND o.state = 'pending')
  ORDER BY r.finished_at LIMIT $2
  FOR UPDATE OF r SKIP LOCKED`;

/** The tables retention deletes from, vacuumed after a pass that deleted something. */
const PRUNED_TABLES = 'journal_events, inbox, usage_events, tape, outbox, reply_drafts';

async function pruneTapes(client: PoolClient, request: PruneRequest): Promise<number> {
  const runs = await client.query<{ id: string }>(PRUNABLE_RUNS, [request.before, request.limit]);
  const ids = runs.rows.map((r) => r.id);
  if (ids.length === 0) return 0;
  await client.query('DELETE FROM tape WHERE run_id = ANY($1)', [ids]);
  await client.query("DELETE FROM outbox WHERE run_id = ANY($1) AND state IN ('delivered', 'failed')", [ids]);
  await client.query('DELETE FROM reply_drafts WHERE run_id = ANY($1)', [ids]);
  await client.query('UPDATE runs SET tape_pruned_at = $2 WHERE id = ANY($1)', [ids, request.now]);
  return ids.length;
}

/**
 * Prunes one batch of one kind in its own short transaction. Replicas take turns: one that finds
 * another's pass holding the schema's retention lock prunes nothing and returns 0.
 */
export async function prunePgBatch(pool: Pool, lockKey: string, request: PruneRequest): Promise<number> {
  if (request.limit <= 0) return 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [
      lockKey,
    ]);
    const pruned = !lock.rows[0]?.ok
      ? 0
      : request.kind === 'tapes'
        ? await pruneTapes(client, request)
        : ((await client.query(DELETE_BATCH[request.kind], [request.before, request.limit])).rowCount ?? 0);
    await client.query('COMMIT');
    return pruned;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Lets PostgreSQL reuse the space of pruned rows now rather than at autovacuum's next visit:
 * a plain VACUUM (no exclusive lock, turns keep flowing) that skips a table another replica is
 * vacuuming. Returns 0: one step does it all.
 */
export async function reclaimPgSpace(pool: Pool): Promise<number> {
  await pool.query(`VACUUM (SKIP_LOCKED) ${PRUNED_TABLES}`);
  return 0;
}
