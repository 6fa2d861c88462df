import { PEOPLE_SQL } from './people-sql.js';

/**
 * Every SQL statement of the PostgreSQL journal by name. node-postgres prepares a named statement
 * once per connection, so the names double as prepared-statement names. Optional filters take
 * `null` for "any"; JSON goes in as text cast to jsonb; times are bigint milliseconds.
 */
export const SQL = {
  // ── sessions ──────────────────────────────────────────────────────────────────────
  sessionById: 'SELECT * FROM sessions WHERE id = $1',
  openSessionByKey: 'SELECT * FROM sessions WHERE key = $1 AND closed_at IS NULL',
  // Shares the row with other messages of the session, but makes a concurrent reset wait.
  openSessionByKeyShared: 'SELECT * FROM sessions WHERE key = $1 AND closed_at IS NULL FOR SHARE',
  openSessionByKeyLocked: 'SELECT * FROM sessions WHERE key = $1 AND closed_at IS NULL FOR UPDATE',
  listSessions: `SELECT * FROM sessions WHERE ($1::text IS NULL OR key = $1)
    ORDER BY created_at DESC, id DESC LIMIT $2`,
  insertSession: `INSERT INTO sessions (id, key, channel, device, conversation, created_at, closed_at, agent)
    VALUES ($1, $2, $3, $4, $5::jsonb, $6, NULL, $7)`,
  closeSession: 'UPDATE sessions SET closed_at = $1 WHERE id = $2',

  // ── inbox ─────────────────────────────────────────────────────────────────────────
  // Waits for a concurrent insert of the same key: a duplicate delivered to two replicas at once
  // starts one run, and the loser sees the winner's row.
  inboxInsert: `INSERT INTO inbox (channel, event_id, run_id, received_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (channel, event_id) DO NOTHING`,
  inboxGet: 'SELECT run_id FROM inbox WHERE channel = $1 AND event_id = $2',

  // ── runs ──────────────────────────────────────────────────────────────────────────
  runById: 'SELECT * FROM runs WHERE id = $1',
  runByIdLocked: 'SELECT * FROM runs WHERE id = $1 FOR UPDATE',
  listRuns: `SELECT * FROM runs
    WHERE ($1::text IS NULL OR session_id = $1) AND ($2::text IS NULL OR state = $2)
      AND ($3::text IS NULL OR principal = $3)
    ORDER BY created_at DESC, id DESC LIMIT $4`,
  insertRun: `INSERT INTO runs (id, session_id, state, principal, channel, conversation, text, created_at,
      updated_at, started_at, finished_at, reason, lease_owner, lease_expires_at, agent)
    VALUES ($1, $2, 'accepted', $3, $4, $5::jsonb, $6, $7, $7, NULL, NULL, NULL, NULL, NULL, $8)`,
  updateRun: `UPDATE runs SET state = $2, updated_at = $3, started_at = $4, finished_at = $5, reason = $6,
      lease_owner = $7, lease_expires_at = $8
    WHERE id = $1`,
  touchRun: 'UPDATE runs SET updated_at = $1 WHERE id = $2',
  // The oldest accepted run of each session without a running one. Rows another claimer holds are
  // skipped; the older-accepted check keeps a session's later run out while its first is claimed.
  claimableRuns: `SELECT r.* FROM runs r
    WHERE r.state = 'accepted'
      AND NOT EXISTS (SELECT 1 FROM runs x WHERE x.session_id = r.session_id AND x.state = 'running')
      AND NOT EXISTS (SELECT 1 FROM runs y WHERE y.session_id = r.session_id AND y.state = 'accepted'
                        AND (y.created_at, y.id) < (r.created_at, r.id))
    ORDER BY r.created_at, r.id LIMIT $1
    FOR UPDATE OF r SKIP LOCKED`,
  leaseRun: `UPDATE runs SET lease_owner = $2, lease_expires_at = $4
    WHERE id = $1 AND state = 'running' AND (lease_owner IS NULL OR lease_owner = $2 OR lease_expires_at <= $3)
    RETURNING *`,
  renewLease: `UPDATE runs SET lease_expires_at = $3
    WHERE id = $1 AND state = 'running' AND lease_owner = $2`,
  releaseRun:
    'UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2',
  recoverableRuns: `SELECT id FROM runs
    WHERE state = 'running' AND ($1::boolean OR lease_owner IS NULL OR lease_expires_at <= $2)
    ORDER BY created_at, id`,
  runCounts: 'SELECT state, COUNT(*) AS n FROM runs GROUP BY state',

  // ── tape ──────────────────────────────────────────────────────────────────────────
  // Appends after the run's last seq in one statement; the caller holds the run's row lock.
  insertTape: `INSERT INTO tape (run_id, seq, kind, at, body)
    SELECT $1, (SELECT COALESCE(MAX(seq), -1) FROM tape WHERE run_id = $1) + t.i::int, t.kind, $2, t.body
    FROM unnest($3::text[], $4::jsonb[]) WITH ORDINALITY AS t(kind, body, i)
    RETURNING *`,
  readTape: 'SELECT * FROM tape WHERE run_id = $1 AND seq > $2 ORDER BY seq',
  lastTapeKind: 'SELECT kind FROM tape WHERE run_id = $1 ORDER BY seq DESC LIMIT 1',
  sessionHistory: `WITH picked AS (
      SELECT r.id, r.created_at FROM runs r, runs b
      WHERE b.id = $2 AND r.session_id = $1 AND (r.created_at, r.id) < (b.created_at, b.id)
      ORDER BY r.created_at DESC, r.id DESC LIMIT $3)
    SELECT t.* FROM tape t JOIN picked p ON p.id = t.run_id
    WHERE t.kind = ANY($4::text[])
    ORDER BY p.created_at, p.id, t.seq`,

  // ── approvals ─────────────────────────────────────────────────────────────────────
  approvalById: 'SELECT * FROM approvals WHERE id = $1',
  insertApproval: `INSERT INTO approvals (id, run_id, session_id, state, tool_call_id, tool, args, args_hash,
      requester, conversation, created_at, expires_at, scope)
    VALUES ($1, $2, $3, 'pending', $4, $5, $6::jsonb, $7, $8, $9::jsonb, $10, $11, 'once')`,
  listApprovals: `SELECT * FROM approvals
    WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR run_id = $2)
      AND ($4::text IS NULL OR requester = $4)
    ORDER BY created_at DESC, id DESC LIMIT $3`,
  pendingApprovalsOfRun:
    "SELECT * FROM approvals WHERE run_id = $1 AND state = 'pending' ORDER BY created_at, id",
  // Compare-and-set: a concurrent settle waits for the row, re-checks `pending` and changes nothing.
  settleApproval: `UPDATE approvals SET state = $2, decided_by = $3, decided_at = $4, scope = $5, reason = $6
    WHERE id = $1 AND state = 'pending' RETURNING *`,
  dueApprovals:
    "SELECT * FROM approvals WHERE state = 'pending' AND expires_at <= $1 ORDER BY expires_at, id",
  sessionGrant: `SELECT * FROM approvals
    WHERE session_id = $1 AND tool = $2 AND state = 'approved' AND scope = 'session'
    ORDER BY decided_at DESC, id DESC LIMIT 50`,
  nextExpiry: "SELECT MIN(expires_at) AS at FROM approvals WHERE state = 'pending'",
  // Only the card in the approval's own conversation; a copy routed elsewhere keeps its receipt on its outbox row.
  setCardReceipt: 'UPDATE approvals SET card_receipt = $1::jsonb WHERE id = $2 AND conversation = $3::jsonb',
  cardConversations: `SELECT conversation FROM outbox WHERE approval_id = $1 AND kind = 'approval_card'
    ORDER BY created_at, id`,
  approvalCounts: 'SELECT state, COUNT(*) AS n FROM approvals GROUP BY state',

  // ── outbox ────────────────────────────────────────────────────────────────────────
  insertOutbox: `INSERT INTO outbox (id, run_id, channel, conversation, kind, payload, approval_id, state,
      attempts, next_attempt_at, created_at)
    VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, 'pending', 0, $8, $8)`,
  outboxById: 'SELECT * FROM outbox WHERE id = $1',
  listOutbox: `SELECT * FROM outbox
    WHERE ($1::text IS NULL OR run_id = $1) AND ($2::text IS NULL OR state = $2)
    ORDER BY created_at, id LIMIT $3`,
  // One statement claims and leases: due rows, oldest first, skipping rows another sender is
  // claiming right now. An approval_update waits for its card (see the SQLite store); `$3` limits
  // the claim to the channels given. RETURNING order is unspecified: the caller sorts.
  claimOutbox: `WITH picked AS (
      SELECT o.id FROM outbox o
      WHERE o.state = 'pending' AND o.next_attempt_at <= $1
        AND (o.lease_owner IS NULL OR o.lease_expires_at <= $1)
        AND ($3::text[] IS NULL OR o.channel = ANY($3::text[]))
        AND (o.kind <> 'approval_update' OR o.approval_id IS NULL
          OR EXISTS (SELECT 1 FROM approvals a WHERE a.id = o.approval_id AND a.card_receipt IS NOT NULL)
          OR EXISTS (SELECT 1 FROM outbox c WHERE c.approval_id = o.approval_id
                       AND c.kind = 'approval_card' AND c.state IN ('delivered', 'failed'))
          OR NOT EXISTS (SELECT 1 FROM outbox c WHERE c.approval_id = o.approval_id
                           AND c.kind = 'approval_card'))
      ORDER BY o.created_at, o.id LIMIT $2
      FOR UPDATE OF o SKIP LOCKED)
    UPDATE outbox SET lease_owner = $4, lease_expires_at = $5, attempts = outbox.attempts + 1
    FROM picked WHERE outbox.id = picked.id
    RETURNING outbox.*`,
  completeOutbox: `UPDATE outbox SET state = 'delivered', delivered_at = $3, receipt = $2::jsonb,
      lease_owner = NULL, lease_expires_at = NULL
    WHERE id = $1 RETURNING kind, approval_id, conversation`,
  upsertDraft: `INSERT INTO reply_drafts (run_id, receipt, updated_at) VALUES ($1, $2::jsonb, $3)
    ON CONFLICT (run_id) DO UPDATE SET receipt = excluded.receipt, updated_at = excluded.updated_at`,
  deleteDraft: 'DELETE FROM reply_drafts WHERE run_id = $1',
  draftOf: 'SELECT receipt FROM reply_drafts WHERE run_id = $1',
  recordOutboxProgress: `UPDATE outbox SET receipt = CASE WHEN state = 'pending' THEN $2::jsonb ELSE receipt END
    WHERE id = $1`,
  failOutbox: `UPDATE outbox SET state = CASE WHEN $3::bigint IS NULL THEN 'failed' ELSE 'pending' END,
      next_attempt_at = COALESCE($3::bigint, next_attempt_at), last_error = $2,
      lease_owner = NULL, lease_expires_at = NULL
    WHERE id = $1`,

  // ── journal events and usage ──────────────────────────────────────────────────────
  insertEvent: 'INSERT INTO journal_events (id, at, type, data) VALUES ($1, $2, $3, $4::jsonb)',
  recentEvents: 'SELECT * FROM journal_events ORDER BY at DESC, id DESC LIMIT $1',
  insertUsage: `INSERT INTO usage_events (at, principal, run_id, prompt_tokens, completion_tokens,
      total_tokens, tool_count, tool_ms, tool_source, agent)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  lastScheduleTick: 'SELECT last_tick FROM schedule_ticks WHERE name = $1',
  claimScheduleTick: `INSERT INTO schedule_ticks (name, last_tick, claimed_by, claimed_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (name) DO UPDATE SET last_tick = excluded.last_tick, claimed_by = excluded.claimed_by,
      claimed_at = excluded.claimed_at
    WHERE schedule_ticks.last_tick < excluded.last_tick
    RETURNING name`,
  usageByAgent: `SELECT agent, SUM(prompt_tokens)::bigint AS prompt_tokens,
      SUM(completion_tokens)::bigint AS completion_tokens, SUM(total_tokens)::bigint AS total_tokens,
      SUM(tool_count)::bigint AS tool_executions, SUM(tool_ms)::bigint AS tool_ms
    FROM usage_events WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR principal = $3) GROUP BY agent`,
  runsByAgent: `SELECT agent, COUNT(*)::bigint AS runs FROM runs
    WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR principal = $3) GROUP BY agent`,
  usageByToolSource: `SELECT tool_source AS source, SUM(tool_count)::bigint AS executions, SUM(tool_ms)::bigint AS ms
    FROM usage_events WHERE tool_source IS NOT NULL AND at >= $1 AND at < $2
      AND ($3::text IS NULL OR principal = $3) GROUP BY tool_source`,
  usageSummary: `WITH parts AS (
      SELECT principal, (at / $1::bigint) * $1::bigint AS bucket_start, prompt_tokens, completion_tokens,
             total_tokens, 0::bigint AS runs, tool_count, tool_ms
      FROM usage_events
      WHERE at >= $2 AND at < $3 AND ($4::text IS NULL OR principal = $4)
      UNION ALL
      SELECT principal, (created_at / $1::bigint) * $1::bigint, 0, 0, 0, 1, 0, 0
      FROM runs
      WHERE created_at >= $2 AND created_at < $3 AND ($4::text IS NULL OR principal = $4))
    SELECT principal, bucket_start, SUM(prompt_tokens)::bigint AS prompt_tokens,
           SUM(completion_tokens)::bigint AS completion_tokens, SUM(total_tokens)::bigint AS total_tokens,
           SUM(runs)::bigint AS runs, SUM(tool_count)::bigint AS tool_executions, SUM(tool_ms)::bigint AS tool_ms
    FROM parts GROUP BY principal, bucket_start ORDER BY bucket_start, principal`,

  // ── singletons ────────────────────────────────────────────────────────────────────
  // Takes the lease when it is free, expired or already ours; returns a row only on success.
  acquireSingleton: `INSERT INTO singletons (name, owner, expires_at) VALUES ($1, $2, $3::bigint + $4::bigint)
    ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
    WHERE singletons.owner = EXCLUDED.owner OR singletons.expires_at <= $3
    RETURNING owner`,
  releaseSingleton: 'DELETE FROM singletons WHERE name = $1 AND owner = $2',

  // ── grants ("Always allow") ───────────────────────────────────────────────────────
  insertGrant: `INSERT INTO grants (id, tool, pattern, scope, principal, conversation, created_by, created_at,
      expires_at, approval_id) VALUES ($1, $2, $3::jsonb, $4, $5, $6::jsonb, $7, $8, $9, $10)`,
  grantById: 'SELECT * FROM grants WHERE id = $1',
  grantByIdForUpdate: 'SELECT * FROM grants WHERE id = $1 FOR UPDATE',
  activeGrants: `SELECT * FROM grants WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
    ORDER BY created_at DESC, id DESC LIMIT $2`,
  allGrants: 'SELECT * FROM grants ORDER BY created_at DESC, id DESC LIMIT $1',
  revokeGrant: 'UPDATE grants SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL',
  linkApprovalGrant: 'UPDATE approvals SET grant_id = $1 WHERE id = $2',
  // ── people ────────────────────────────────────────────────────────────────────────
  ...PEOPLE_SQL,
} as const;

/** The name of a journal statement. */
export type SqlName = keyof typeof SQL;
