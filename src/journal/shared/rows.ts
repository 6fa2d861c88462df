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
import { parseOutboxContent } from './outbox-content.js';

/**
 * How a driver hands over JSON columns: `text` as stored (SQLite) or `parsed` by the driver
 * (node-postgres with jsonb).
 */
export type JsonForm = 'text' | 'parsed';

/** A JSON column holding a `T`, as it arrives in form `F`. */
export type JsonColumn<F extends JsonForm, T> = F extends 'text' ? string : T;

/** Turns a JSON column as it arrives into its value; the caller names the type it holds. */
export type DecodeJson<F extends JsonForm> = <T>(value: JsonColumn<F, T>) => T;

/** A `sessions` row. */
export interface SessionRowOf<F extends JsonForm> {
  id: string;
  key: string;
  channel: string;
  device: string;
  conversation: JsonColumn<F, ConversationRef>;
  created_at: number;
  closed_at: number | null;
  agent: string | null;
}

/** A `runs` row. */
export interface RunRowOf<F extends JsonForm> {
  id: string;
  session_id: string;
  state: RunState;
  principal: string;
  channel: string;
  conversation: JsonColumn<F, ConversationRef>;
  text: string;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  reason: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  agent: string | null;
}

/** A `tape` row. */
export interface TapeRowOf<F extends JsonForm> {
  run_id: string;
  seq: number;
  kind: TapeKind;
  at: number;
  body: JsonColumn<F, unknown>;
}

/** An `approvals` row. */
export interface ApprovalRowOf<F extends JsonForm> {
  id: string;
  run_id: string;
  session_id: string;
  state: ApprovalState;
  tool_call_id: string;
  tool: string;
  args: JsonColumn<F, unknown>;
  args_hash: string;
  requester: string;
  conversation: JsonColumn<F, ConversationRef>;
  created_at: number;
  expires_at: number;
  decided_by: string | null;
  decided_at: number | null;
  scope: 'once' | 'session';
  reason: string | null;
  card_receipt: JsonColumn<F, DeliveryReceipt> | null;
  grant_id: string | null;
}

/** An `outbox` row. */
export interface OutboxRowOf<F extends JsonForm> {
  id: string;
  run_id: string | null;
  channel: string;
  conversation: JsonColumn<F, ConversationRef>;
  kind: OutboxKind;
  payload: JsonColumn<F, unknown>;
  approval_id: string | null;
  state: OutboxItem['state'];
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  delivered_at: number | null;
  last_error: string | null;
  receipt: JsonColumn<F, DeliveryReceipt> | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

/** A `journal_events` row. */
export interface EventRowOf<F extends JsonForm> {
  id: string;
  at: number;
  type: string;
  data: JsonColumn<F, Record<string, unknown>>;
}

/** The row→domain mappers of one JSON form. */
export interface RowMappers<F extends JsonForm> {
  /** Maps a `sessions` row to the domain type. */
  toSession(row: SessionRowOf<F>): Session;
  /** Maps a `runs` row to the domain type (the lease stays internal). */
  toRun(row: RunRowOf<F>): Run;
  /** Maps a `tape` row to the domain type. */
  toTapeEvent(row: TapeRowOf<F>): TapeEvent;
  /** Maps an `approvals` row to the domain type. */
  toApproval(row: ApprovalRowOf<F>): Approval;
  /**
   * Maps an `outbox` row to the domain type, its payload checked against its kind (lease and
   * approval link stay internal).
   */
  toOutboxItem(row: OutboxRowOf<F>): OutboxItem;
  /** Maps a `journal_events` row to the domain type. */
  toJournalEvent(row: EventRowOf<F>): JournalEvent;
}

/** Builds the row→domain mappers for a driver, given how it decodes its JSON columns. */
export function rowMappers<F extends JsonForm>(decode: DecodeJson<F>): RowMappers<F> {
  /** Maps a `sessions` row to the domain type. */
  function toSession(row: SessionRowOf<F>): Session {
    return {
      id: row.id,
      key: row.key,
      channel: row.channel,
      device: row.device,
      conversation: decode<ConversationRef>(row.conversation),
      createdAt: row.created_at,
      closedAt: row.closed_at,
      agent: row.agent ?? null,
    };
  }

  /** Maps a `runs` row to the domain type (the lease stays internal). */
  function toRun(row: RunRowOf<F>): Run {
    return {
      id: row.id,
      sessionId: row.session_id,
      state: row.state,
      principal: row.principal,
      channel: row.channel,
      conversation: decode<ConversationRef>(row.conversation),
      text: row.text,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      reason: row.reason,
      agent: row.agent ?? null,
    };
  }

  /** Maps a `tape` row to the domain type. */
  function toTapeEvent(row: TapeRowOf<F>): TapeEvent {
    return { runId: row.run_id, seq: row.seq, kind: row.kind, at: row.at, body: decode<unknown>(row.body) };
  }

  /** Maps an `approvals` row to the domain type. */
  function toApproval(row: ApprovalRowOf<F>): Approval {
    return {
      id: row.id,
      runId: row.run_id,
      sessionId: row.session_id,
      state: row.state,
      toolCallId: row.tool_call_id,
      tool: row.tool,
      args: decode<unknown>(row.args),
      argsHash: row.args_hash,
      requester: row.requester,
      conversation: decode<ConversationRef>(row.conversation),
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      decidedBy: row.decided_by,
      decidedAt: row.decided_at,
      scope: row.scope,
      reason: row.reason,
      cardReceipt: row.card_receipt === null ? null : decode<DeliveryReceipt>(row.card_receipt),
      grantId: row.grant_id ?? null,
    };
  }

  /** Maps an `outbox` row to the domain type (lease and approval link stay internal). */
  function toOutboxItem(row: OutboxRowOf<F>): OutboxItem {
    return {
      id: row.id,
      runId: row.run_id,
      channel: row.channel,
      conversation: decode<ConversationRef>(row.conversation),
      ...parseOutboxContent(row.id, row.kind, decode<unknown>(row.payload)),
      state: row.state,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at,
      createdAt: row.created_at,
      deliveredAt: row.delivered_at,
      lastError: row.last_error,
      receipt: row.receipt === null ? null : decode<DeliveryReceipt>(row.receipt),
    };
  }

  /** Maps a `journal_events` row to the domain type. */
  function toJournalEvent(row: EventRowOf<F>): JournalEvent {
    return { id: row.id, at: row.at, type: row.type, data: decode<Record<string, unknown>>(row.data) };
  }

  return { toSession, toRun, toTapeEvent, toApproval, toOutboxItem, toJournalEvent };
}

/**
 * Serializes a value for a JSON column or jsonb parameter; `undefined` is stored as JSON `null`.
 * PostgreSQL refuses the NUL character, which its text cannot hold, with a clear error.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}
