import type Database from 'better-sqlite3';
import type { Grant } from '../../core/types.js';
import {
  checkRevocable,
  type GrantRowOf,
  grantCreatedEvent,
  grantInsertParams,
  grantMapper,
} from '../shared/grant-rows.js';
import type { NewGrant } from '../store.js';
import type { JournalContext } from './statements.js';
import { recordEvent } from './writes.js';

/** A `grants` row as better-sqlite3 returns it. */
type GrantRow = GrantRowOf<'text'>;

const toGrant = grantMapper<'text'>((text) => JSON.parse(text as string));

function prepare(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO grants (id, tool, pattern, scope, principal, conversation, created_by, created_at,
         expires_at, approval_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    byId: db.prepare<[string], GrantRow>('SELECT * FROM grants WHERE id = ?'),
    active: db.prepare<[number, number], GrantRow>(
      `SELECT * FROM grants WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
       ORDER BY created_at DESC, id DESC LIMIT +?`,
    ),
    all: db.prepare<[number], GrantRow>('SELECT * FROM grants ORDER BY created_at DESC, id DESC LIMIT +?'),
    revoke: db.prepare<[number, string, string]>(
      'UPDATE grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL',
    ),
    link: db.prepare<[string, string]>('UPDATE approvals SET grant_id = ? WHERE id = ?'),
  };
}

const prepared = new WeakMap<Database.Database, ReturnType<typeof prepare>>();

/** The grant statements of this connection, prepared on first use. */
function statements(db: Database.Database): ReturnType<typeof prepare> {
  let st = prepared.get(db);
  if (!st) {
    st = prepare(db);
    prepared.set(db, st);
  }
  return st;
}

/** Inserts a grant (inside the caller's write transaction), links its approval, records the event. */
export function insertGrant(ctx: JournalContext, grant: NewGrant): Grant {
  const st = statements(ctx.db);
  st.insert.run(...grantInsertParams(grant));
  if (grant.approvalId !== null) st.link.run(grant.id, grant.approvalId);
  recordEvent(ctx, 'grant.created', grantCreatedEvent(grant), grant.now);
  const row = st.byId.get(grant.id);
  if (!row) throw new Error(`grant ${grant.id} vanished after insert`);
  return toGrant(row);
}

/** `JournalStore.revokeGrant` inside one write transaction. */
export function revokeGrant(ctx: JournalContext, id: string, by: string, now: number): Grant {
  const st = statements(ctx.db);
  checkRevocable(id, st.byId.get(id));
  st.revoke.run(now, by, id);
  recordEvent(ctx, 'grant.revoked', { grantId: id, by }, now);
  const row = st.byId.get(id);
  if (!row) throw new Error(`grant ${id} vanished after revoke`);
  return toGrant(row);
}

/** One grant by id. */
export function getGrant(ctx: JournalContext, id: string): Grant | null {
  const row = statements(ctx.db).byId.get(id);
  return row ? toGrant(row) : null;
}

/** `JournalStore.listGrants`. */
export function listGrants(
  ctx: JournalContext,
  query: { now: number; includeInactive?: boolean; limit?: number },
): Grant[] {
  const st = statements(ctx.db);
  const limit = query.limit ?? 1000;
  const rows = query.includeInactive ? st.all.all(limit) : st.active.all(query.now, limit);
  return rows.map(toGrant);
}
