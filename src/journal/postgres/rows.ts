import {
  type ApprovalRowOf,
  type EventRowOf,
  type OutboxRowOf,
  type RunRowOf,
  rowMappers,
  type SessionRowOf,
  type TapeRowOf,
} from '../shared/rows.js';

// Rows as node-postgres returns them with the journal's type parsers: bigint as number, jsonb
// already parsed.

export { toJson } from '../shared/rows.js';

/** A `sessions` row. */
export type PgSessionRow = SessionRowOf<'parsed'>;
/** A `runs` row. */
export type PgRunRow = RunRowOf<'parsed'>;
/** A `tape` row. */
export type PgTapeRow = TapeRowOf<'parsed'>;
/** An `approvals` row. */
export type PgApprovalRow = ApprovalRowOf<'parsed'>;
/** An `outbox` row. */
export type PgOutboxRow = OutboxRowOf<'parsed'>;
/** A `journal_events` row. */
export type PgEventRow = EventRowOf<'parsed'>;

function asParsed<T>(value: T): T {
  return value;
}

/** The row→domain mappers for PostgreSQL rows, whose jsonb columns arrive parsed. */
export const { toSession, toRun, toTapeEvent, toApproval, toOutboxItem, toJournalEvent } =
  rowMappers<'parsed'>(asParsed);
