import type Database from 'better-sqlite3';
import type { ApprovalState, RunState } from '../../core/types.js';
import type { AgentRunsRow, AgentUsageRow, ToolSourceRow, UsageSummaryRow } from '../shared/usage.js';
import type { ApprovalRow, EventRow, OutboxRow, RunRow, SessionRow, TapeRow, TapeTuple } from './rows.js';

/** Named parameters of an optional filter: `null` means "any". */
type Maybe<T> = T | null;

/**
 * Every SQL statement of the SQLite journal, prepared once per connection after migrations.
 * Keeping them in one place makes the schema's users easy to review next to `migrations.ts`.
 *
 * A LIMIT is always `+@param`, never a bare parameter: SQLite reads a bare one's value while
 * planning, so every new binding made it prepare the statement again (~60–100 µs for the claim
 * and history queries, on every turn); the unary plus keeps the plan prepared once.
 */
export function prepareStatements(db: Database.Database) {
  return {
    // ── sessions ──────────────────────────────────────────────────────────────────────
    sessionById: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
    openSessionByKey: db.prepare<[string], SessionRow>(
      'SELECT * FROM sessions WHERE key = ? AND closed_at IS NULL',
    ),
    listSessions: db.prepare<{ key: Maybe<string>; limit: number }, SessionRow>(
      `SELECT * FROM sessions WHERE (@key IS NULL OR key = @key)
       ORDER BY created_at DESC, id DESC LIMIT +@limit`,
    ),
    insertSession: db.prepare<SessionRow>(
      `INSERT INTO sessions (id, key, channel, device, conversation, created_at, closed_at, agent)
       VALUES (@id, @key, @channel, @device, @conversation, @created_at, @closed_at, @agent)`,
    ),
    closeSession: db.prepare<[number, string]>('UPDATE sessions SET closed_at = ? WHERE id = ?'),

    // ── inbox ─────────────────────────────────────────────────────────────────────────
    inboxGet: db.prepare<[string, string], { run_id: string | null }>(
      'SELECT run_id FROM inbox WHERE channel = ? AND event_id = ?',
    ),
    inboxInsert: db.prepare<[string, string, string, number]>(
      'INSERT INTO inbox (channel, event_id, run_id, received_at) VALUES (?, ?, ?, ?)',
    ),
    // An event handled without a run (a refusal, a command): no row changes when it was seen.
    inboxClaim: db.prepare<[string, string, number]>(
      `INSERT INTO inbox (channel, event_id, run_id, received_at) VALUES (?, ?, NULL, ?)
       ON CONFLICT (channel, event_id) DO NOTHING`,
    ),

    // ── runs ──────────────────────────────────────────────────────────────────────────
    runById: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
    listRuns: db.prepare<
      { sessionId: Maybe<string>; state: Maybe<RunState>; principal: Maybe<string>; limit: number },
      RunRow
    >(
      `SELECT * FROM runs
       WHERE (@sessionId IS NULL OR session_id = @sessionId)
         AND (@state IS NULL OR state = @state)
         AND (@principal IS NULL OR principal = @principal)
       ORDER BY created_at DESC, id DESC LIMIT +@limit`,
    ),
    insertRun: db.prepare<RunRow>(
      `INSERT INTO runs (id, session_id, state, principal, channel, conversation, text, created_at,
         updated_at, started_at, finished_at, reason, lease_owner, lease_expires_at, agent)
       VALUES (@id, @session_id, @state, @principal, @channel, @conversation, @text, @created_at,
         @updated_at, @started_at, @finished_at, @reason, @lease_owner, @lease_expires_at, @agent)`,
    ),
    updateRun: db.prepare<RunRow>(
      `UPDATE runs SET state = @state, updated_at = @updated_at, started_at = @started_at,
         finished_at = @finished_at, reason = @reason, lease_owner = @lease_owner,
         lease_expires_at = @lease_expires_at
       WHERE id = @id`,
    ),
    touchRun: db.prepare<[number, string]>('UPDATE runs SET updated_at = ? WHERE id = ?'),
    claimableRuns: db.prepare<[number], RunRow>(
      `SELECT r.* FROM runs r
       WHERE r.state = 'accepted'
         AND NOT EXISTS (SELECT 1 FROM runs x WHERE x.session_id = r.session_id AND x.state = 'running')
         AND NOT EXISTS (SELECT 1 FROM runs y WHERE y.session_id = r.session_id AND y.state = 'accepted'
                           AND (y.created_at, y.id) < (r.created_at, r.id))
       ORDER BY r.created_at, r.id LIMIT +?`,
    ),
    leaseRun: db.prepare<{ id: string; owner: string; now: number; expires: number }>(
      `UPDATE runs SET lease_owner = @owner, lease_expires_at = @expires
       WHERE id = @id AND state = 'running'
         AND (lease_owner IS NULL OR lease_owner = @owner OR lease_expires_at <= @now)`,
    ),
    renewLease: db.prepare<{ id: string; owner: string; expires: number }>(
      `UPDATE runs SET lease_expires_at = @expires
       WHERE id = @id AND state = 'running' AND lease_owner = @owner`,
    ),
    releaseRun: db.prepare<[string, string]>(
      'UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?',
    ),
    recoverableRuns: db.prepare<{ all: number; now: number }, { id: string }>(
      `SELECT id FROM runs
       WHERE state = 'running' AND (@all = 1 OR lease_owner IS NULL OR lease_expires_at <= @now)
       ORDER BY created_at, id`,
    ),
    runCounts: db.prepare<[], { state: RunState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM runs GROUP BY state',
    ),

    // ── tape ──────────────────────────────────────────────────────────────────────────
    nextSeq: db.prepare<[string], { next: number }>(
      'SELECT COALESCE(MAX(seq), -1) + 1 AS next FROM tape WHERE run_id = ?',
    ),
    insertTape: db.prepare<TapeRow>(
      'INSERT INTO tape (run_id, seq, kind, at, body) VALUES (@run_id, @seq, @kind, @at, @body)',
    ),
    // The two tape reads of every turn return arrays (`raw`): better-sqlite3 builds a row object
    // property by property, which cost more than reading the rows.
    readTape: db
      .prepare<[string, number], TapeTuple>(
        'SELECT run_id, seq, kind, at, body FROM tape WHERE run_id = ? AND seq > ? ORDER BY seq',
      )
      .raw(),
    lastTapeKind: db.prepare<[string], { kind: string }>(
      'SELECT kind FROM tape WHERE run_id = ? ORDER BY seq DESC LIMIT 1',
    ),
    sessionHistory: db
      .prepare<{ sessionId: string; before: string; maxRuns: number; kinds: string }, TapeTuple>(
        `WITH picked AS (
         SELECT r.id, r.created_at FROM runs r, runs b
         WHERE b.id = @before AND r.session_id = @sessionId
           AND (r.created_at, r.id) < (b.created_at, b.id)
         ORDER BY r.created_at DESC, r.id DESC LIMIT +@maxRuns)
       SELECT t.run_id, t.seq, t.kind, t.at, t.body FROM tape t JOIN picked p ON p.id = t.run_id
       WHERE t.kind IN (SELECT value FROM json_each(@kinds))
       ORDER BY p.created_at, p.id, t.seq`,
      )
      .raw(),

    // ── approvals ─────────────────────────────────────────────────────────────────────
    approvalById: db.prepare<[string], ApprovalRow>('SELECT * FROM approvals WHERE id = ?'),
    insertApproval: db.prepare<Omit<ApprovalRow, 'grant_id'>>(
      `INSERT INTO approvals (id, run_id, session_id, state, tool_call_id, tool, args, args_hash,
         requester, conversation, created_at, expires_at, decided_by, decided_at, scope, reason,
         card_receipt)
       VALUES (@id, @run_id, @session_id, @state, @tool_call_id, @tool, @args, @args_hash,
         @requester, @conversation, @created_at, @expires_at, @decided_by, @decided_at, @scope,
         @reason, @card_receipt)`,
    ),
    listApprovals: db.prepare<
      { state: Maybe<ApprovalState>; runId: Maybe<string>; requester: Maybe<string>; limit: number },
      ApprovalRow
    >(
      `SELECT * FROM approvals
       WHERE (@state IS NULL OR state = @state) AND (@runId IS NULL OR run_id = @runId)
         AND (@requester IS NULL OR requester = @requester)
       ORDER BY created_at DESC, id DESC LIMIT +@limit`,
    ),
    pendingApprovalsOfRun: db.prepare<[string], ApprovalRow>(
      "SELECT * FROM approvals WHERE run_id = ? AND state = 'pending' ORDER BY created_at, id",
    ),
    settleApproval: db.prepare<{
      id: string;
      state: ApprovalState;
      by: Maybe<string>;
      now: number;
      scope: 'once' | 'session';
      reason: Maybe<string>;
    }>(
      `UPDATE approvals SET state = @state, decided_by = @by, decided_at = @now, scope = @scope,
         reason = @reason
       WHERE id = @id AND state = 'pending'`,
    ),
    dueApprovals: db.prepare<[number], ApprovalRow>(
      "SELECT * FROM approvals WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at, id",
    ),
    sessionGrant: db.prepare<[string, string], ApprovalRow>(
      `SELECT * FROM approvals
       WHERE session_id = ? AND tool = ? AND state = 'approved' AND scope = 'session'
       ORDER BY decided_at DESC, id DESC LIMIT 50`,
    ),
    nextExpiry: db.prepare<[], { at: number | null }>(
      "SELECT MIN(expires_at) AS at FROM approvals WHERE state = 'pending'",
    ),
    // Only the card in the approval's own conversation; a copy routed elsewhere keeps its receipt on its outbox row.
    setCardReceipt: db.prepare<[string, string, string]>(
      'UPDATE approvals SET card_receipt = ? WHERE id = ? AND conversation = ?',
    ),
    cardConversations: db.prepare<[string], { conversation: string }>(
      "SELECT conversation FROM outbox WHERE approval_id = ? AND kind = 'approval_card' ORDER BY created_at, id",
    ),
    setAccessCardReceipt: db.prepare<[string, string]>(
      'UPDATE access_requests SET card_receipt = ? WHERE id = ?',
    ),
    approvalCounts: db.prepare<[], { state: ApprovalState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM approvals GROUP BY state',
    ),

    // ── outbox ────────────────────────────────────────────────────────────────────────
    insertOutbox: db.prepare<OutboxRow>(
      `INSERT INTO outbox (id, run_id, channel, conversation, kind, payload, approval_id, state,
         attempts, next_attempt_at, created_at, delivered_at, last_error, receipt, lease_owner,
         lease_expires_at)
       VALUES (@id, @run_id, @channel, @conversation, @kind, @payload, @approval_id, @state,
         @attempts, @next_attempt_at, @created_at, @delivered_at, @last_error, @receipt,
         @lease_owner, @lease_expires_at)`,
    ),
    outboxById: db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE id = ?'),
    listOutbox: db.prepare<
      { runId: Maybe<string>; state: Maybe<OutboxRow['state']>; limit: number },
      OutboxRow
    >(
      `SELECT * FROM outbox
       WHERE (@runId IS NULL OR run_id = @runId) AND (@state IS NULL OR state = @state)
       ORDER BY created_at, id LIMIT +@limit`,
    ),
    // An approval_update waits for its card: until the approval has a receipt or the card item is
    // settled (delivered or failed for good). With no card item at all there is nothing to wait for.
    claimableOutbox: db.prepare<{ now: number; limit: number }, OutboxRow>(
      `SELECT o.* FROM outbox o
       WHERE o.state = 'pending' AND o.next_attempt_at <= @now
         AND (o.lease_owner IS NULL OR o.lease_expires_at <= @now)
         AND (o.kind <> 'approval_update' OR o.approval_id IS NULL
           OR EXISTS (SELECT 1 FROM approvals a WHERE a.id = o.approval_id AND a.card_receipt IS NOT NULL)
           OR EXISTS (SELECT 1 FROM outbox c WHERE c.approval_id = o.approval_id
                        AND c.kind = 'approval_card' AND c.state IN ('delivered', 'failed'))
           OR NOT EXISTS (SELECT 1 FROM outbox c WHERE c.approval_id = o.approval_id
                            AND c.kind = 'approval_card'))
       ORDER BY o.created_at, o.id LIMIT +@limit`,
    ),
    leaseOutbox: db.prepare<{ id: string; owner: string; expires: number }>(
      `UPDATE outbox SET lease_owner = @owner, lease_expires_at = @expires, attempts = attempts + 1
       WHERE id = @id`,
    ),
    completeOutbox: db.prepare<{ id: string; receipt: string; now: number }>(
      `UPDATE outbox SET state = 'delivered', delivered_at = @now, receipt = @receipt,
         lease_owner = NULL, lease_expires_at = NULL
       WHERE id = @id`,
    ),
    upsertDraft: db.prepare<{ runId: string; receipt: string; now: number }>(
      `INSERT INTO reply_drafts (run_id, receipt, updated_at) VALUES (@runId, @receipt, @now)
       ON CONFLICT (run_id) DO UPDATE SET receipt = excluded.receipt, updated_at = excluded.updated_at`,
    ),
    deleteDraft: db.prepare<[string]>('DELETE FROM reply_drafts WHERE run_id = ?'),
    draftOf: db.prepare<[string], { receipt: string }>('SELECT receipt FROM reply_drafts WHERE run_id = ?'),
    recordOutboxProgress: db.prepare<{ id: string; receipt: string }>(
      `UPDATE outbox SET receipt = @receipt WHERE id = @id AND state = 'pending'`,
    ),
    failOutbox: db.prepare<{ id: string; error: string; retryAt: Maybe<number> }>(
      `UPDATE outbox SET state = CASE WHEN @retryAt IS NULL THEN 'failed' ELSE 'pending' END,
         next_attempt_at = COALESCE(@retryAt, next_attempt_at), last_error = @error,
         lease_owner = NULL, lease_expires_at = NULL
       WHERE id = @id`,
    ),

    // ── journal events and usage ──────────────────────────────────────────────────────
    insertEvent: db.prepare<EventRow>(
      'INSERT INTO journal_events (id, at, type, data) VALUES (@id, @at, @type, @data)',
    ),
    recentEvents: db.prepare<[number], EventRow>(
      'SELECT * FROM journal_events ORDER BY at DESC, id DESC LIMIT +?',
    ),
    insertUsage: db.prepare<{
      at: number;
      principal: string;
      runId: string;
      prompt: number;
      completion: number;
      total: number;
      tools: number;
      toolMs: number;
      toolSource: string | null;
      agent: string | null;
    }>(
      `INSERT INTO usage_events (at, principal, run_id, prompt_tokens, completion_tokens,
         total_tokens, tool_count, tool_ms, tool_source, agent)
       VALUES (@at, @principal, @runId, @prompt, @completion, @total, @tools, @toolMs, @toolSource, @agent)`,
    ),
    lastScheduleTick: db.prepare<[string], { last_tick: number }>(
      'SELECT last_tick FROM schedule_ticks WHERE name = ?',
    ),
    claimScheduleTick: db.prepare<{ name: string; tick: number; owner: string; now: number }>(
      `INSERT INTO schedule_ticks (name, last_tick, claimed_by, claimed_at) VALUES (@name, @tick, @owner, @now)
       ON CONFLICT (name) DO UPDATE SET last_tick = excluded.last_tick, claimed_by = excluded.claimed_by,
         claimed_at = excluded.claimed_at
       WHERE schedule_ticks.last_tick < excluded.last_tick`,
    ),
    usageByAgent: db.prepare<{ since: number; until: number; principal: Maybe<string> }, AgentUsageRow>(
      `SELECT agent, SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
              SUM(total_tokens) AS total_tokens, SUM(tool_count) AS tool_executions, SUM(tool_ms) AS tool_ms
       FROM usage_events
       WHERE at >= @since AND at < @until AND (@principal IS NULL OR principal = @principal)
       GROUP BY agent`,
    ),
    runsByAgent: db.prepare<{ since: number; until: number; principal: Maybe<string> }, AgentRunsRow>(
      `SELECT agent, COUNT(*) AS runs FROM runs
       WHERE created_at >= @since AND created_at < @until AND (@principal IS NULL OR principal = @principal)
       GROUP BY agent`,
    ),
    usageByToolSource: db.prepare<{ since: number; until: number; principal: Maybe<string> }, ToolSourceRow>(
      `SELECT tool_source AS source, SUM(tool_count) AS executions, SUM(tool_ms) AS ms FROM usage_events
       WHERE tool_source IS NOT NULL AND at >= @since AND at < @until
         AND (@principal IS NULL OR principal = @principal)
       GROUP BY tool_source`,
    ),
    usageSummary: db.prepare<
      { size: number; since: number; until: number; principal: Maybe<string> },
      UsageSummaryRow
    >(
      `WITH parts AS (
         SELECT principal, (at / CAST(@size AS INTEGER)) * CAST(@size AS INTEGER) AS bucket_start, prompt_tokens, completion_tokens,
                total_tokens, 0 AS runs, tool_count, tool_ms
         FROM usage_events
         WHERE at >= @since AND at < @until AND (@principal IS NULL OR principal = @principal)
         UNION ALL
         SELECT principal, (created_at / CAST(@size AS INTEGER)) * CAST(@size AS INTEGER), 0, 0, 0, 1, 0, 0
         FROM runs
         WHERE created_at >= @since AND created_at < @until
           AND (@principal IS NULL OR principal = @principal))
       SELECT principal, bucket_start, SUM(prompt_tokens) AS prompt_tokens,
              SUM(completion_tokens) AS completion_tokens, SUM(total_tokens) AS total_tokens,
              SUM(runs) AS runs, SUM(tool_count) AS tool_executions, SUM(tool_ms) AS tool_ms
       FROM parts GROUP BY principal, bucket_start ORDER BY bucket_start, principal`,
    ),
  };
}

/** The prepared statements of one connection. */
export type Statements = ReturnType<typeof prepareStatements>;

/** What every journal operation works with: the connection and its prepared statements. */
export interface JournalContext {
  db: Database.Database;
  st: Statements;
}
