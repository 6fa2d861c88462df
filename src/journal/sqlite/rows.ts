import type { TapeEvent } from '../../core/types.js';
import {
  type ApprovalRowOf,
  type EventRowOf,
  type OutboxRowOf,
  type RunRowOf,
  rowMappers,
  type SessionRowOf,
  type TapeRowOf,
} from '../shared/rows.js';

// Rows as better-sqlite3 returns them: JSON columns arrive as text.

export { toJson } from '../shared/rows.js';

/** A `sessions` row as better-sqlite3 returns it. */
export type SessionRow = SessionRowOf<'text'>;
/** A `runs` row. */
export type RunRow = RunRowOf<'text'>;
/** A `tape` row. */
export type TapeRow = TapeRowOf<'text'>;
/** A `tape` row as an array (a `raw` statement), columns in table order. */
export type TapeTuple = [run_id: string, seq: number, kind: TapeRow['kind'], at: number, body: string];
/** An `approvals` row. */
export type ApprovalRow = ApprovalRowOf<'text'>;
/** An `outbox` row. */
export type OutboxRow = OutboxRowOf<'text'>;
/** A `journal_events` row. */
export type EventRow = EventRowOf<'text'>;

function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** The row→domain mappers for SQLite rows, parsing JSON text columns. */
export const { toSession, toRun, toTapeEvent, toApproval, toOutboxItem, toJournalEvent } =
  rowMappers<'text'>(parseJson);

/** Maps a `tape` row read as an array to the domain type. */
export function tupleToTapeEvent([run_id, seq, kind, at, body]: TapeTuple): TapeEvent {
  return toTapeEvent({ run_id, seq, kind, at, body });
}
