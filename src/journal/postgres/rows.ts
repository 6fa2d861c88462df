import type {
  Approval,
  ApprovalState,
  ConversationRef,
  DeliveryReceipt,
  JournalEvent,
  OutboxItem,
  OutboxKind,
  Run,
  RunState,
  Session,
  TapeEvent,
  TapeKind,
} from '../../core/types.js';

// Rows as node-postgres returns them with the journal's type parsers: bigint as number, jsonb
// already parsed.

/** A `sessions` row. */
export interface PgSessionRow {
  id: string;
  key: string;
  channel: string;
  device: string;
  conversation: ConversationRef;
  created_at: number;
  closed_at: number | null;
}

/** A `runs` row. */
export interface PgRunRow {
  id: string;
  session_id: string;
  state: RunState;
  principal: string;
  channel: string;
  conversation: ConversationRef;
  text: string;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  reason: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

/** A `tape` row. */
export interface PgTapeRow {
  run_id: string;
  seq: number;
  kind: TapeKind;
  at: number;
  body: unknown;
}

/** An `approvals` row. */
export interface PgApprovalRow {
  id: string;
  run_id: string;
  session_id: string;
  state: ApprovalState;
  tool_call_id: string;
  tool: string;
  args: unknown;
  args_hash: string;
  requester: string;
  conversation: ConversationRef;
  created_at: number;
  expires_at: number;
  decided_by: string | null;
  decided_at: number | null;
  scope: 'once' | 'session';
  reason: string | null;
  card_receipt: DeliveryReceipt | null;
}

/** An `outbox` row. */
export interface PgOutboxRow {
  id: string;
  run_id: string | null;
  channel: string;
  conversation: ConversationRef;
  kind: OutboxKind;
  payload: unknown;
  approval_id: string | null;
  state: OutboxItem['state'];
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  delivered_at: number | null;
  last_error: string | null;
  receipt: DeliveryReceipt | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

/** A `journal_events` row. */
export interface PgEventRow {
  id: string;
  at: number;
  type: string;
  data: Record<string, unknown>;
}

/**
 * Serializes a value for a jsonb parameter; `undefined` is stored as JSON `null`. The NUL
 * character, which PostgreSQL text cannot hold, is refused by the server with a clear error.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Maps a `sessions` row to the domain type. */
export function toSession(row: PgSessionRow): Session {
  return {
    id: row.id,
    key: row.key,
    channel: row.channel,
    device: row.device,
    conversation: row.conversation,
    createdAt: row.created_at,
    closedAt: row.closed_at,
  };
}

/** Maps a `runs` row to the domain type (the lease stays internal). */
export function toRun(row: PgRunRow): Run {
  return {
    id: row.id,
    sessionId: row.session_id,
    state: row.state,
    principal: row.principal,
    channel: row.channel,
    conversation: row.conversation,
    text: row.text,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    reason: row.reason,
  };
}

/** Maps a `tape` row to the domain type. */
export function toTapeEvent(row: PgTapeRow): TapeEvent {
  return { runId: row.run_id, seq: row.seq, kind: row.kind, at: row.at, body: row.body };
}

/** Maps an `approvals` row to the domain type. */
export function toApproval(row: PgApprovalRow): Approval {
  return {
    id: row.id,
    runId: row.run_id,
    sessionId: row.session_id,
    state: row.state,
    toolCallId: row.tool_call_id,
    tool: row.tool,
    args: row.args,
    argsHash: row.args_hash,
    requester: row.requester,
    conversation: row.conversation,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    scope: row.scope,
    reason: row.reason,
    cardReceipt: row.card_receipt,
  };
}

/** Maps an `outbox` row to the domain type (lease and approval link stay internal). */
export function toOutboxItem(row: PgOutboxRow): OutboxItem {
  return {
    id: row.id,
    runId: row.run_id,
    channel: row.channel,
    conversation: row.conversation,
    kind: row.kind,
    payload: row.payload,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
    receipt: row.receipt,
  };
}

/** Maps a `journal_events` row to the domain type. */
export function toJournalEvent(row: PgEventRow): JournalEvent {
  return { id: row.id, at: row.at, type: row.type, data: row.data };
}
