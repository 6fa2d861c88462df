import type Database from 'better-sqlite3';
import type { Migration } from '../shared/migration.js';

export type { Migration } from '../shared/migration.js';

/** The schema of the SQLite journal, as numbered steps applied in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial journal schema',
    sql: `
CREATE TABLE sessions (
  id            TEXT PRIMARY KEY,
  key           TEXT NOT NULL,
  channel       TEXT NOT NULL,
  device        TEXT NOT NULL,
  conversation  TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  closed_at     INTEGER
);
CREATE UNIQUE INDEX sessions_open_key ON sessions (key) WHERE closed_at IS NULL;
CREATE INDEX sessions_created ON sessions (created_at, id);
CREATE INDEX sessions_key ON sessions (key, created_at);

CREATE TABLE runs (
  id                TEXT PRIMARY KEY,
  session_id        TEXT NOT NULL REFERENCES sessions (id),
  state             TEXT NOT NULL
                    CHECK (state IN ('accepted', 'running', 'succeeded', 'failed', 'cancelled')),
  principal         TEXT NOT NULL,
  channel           TEXT NOT NULL,
  conversation      TEXT NOT NULL,
  text              TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  started_at        INTEGER,
  finished_at       INTEGER,
  reason            TEXT,
  lease_owner       TEXT,
  lease_expires_at  INTEGER
);
CREATE INDEX runs_session ON runs (session_id, created_at, id);
CREATE INDEX runs_state ON runs (state, created_at, id);
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_principal ON runs (principal, created_at);

CREATE TABLE tape (
  run_id  TEXT NOT NULL REFERENCES runs (id),
  seq     INTEGER NOT NULL CHECK (seq >= 0),
  kind    TEXT NOT NULL CHECK (kind IN ('input', 'provider_request', 'provider_response', 'tool_call',
            'tool_output', 'approval_request', 'approval_decision', 'reply', 'state', 'error')),
  at      INTEGER NOT NULL,
  body    TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER tape_no_update BEFORE UPDATE ON tape
BEGIN SELECT RAISE(ABORT, 'the tape is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER tape_no_delete BEFORE DELETE ON tape
BEGIN SELECT RAISE(ABORT, 'the tape is append-only: DELETE is not allowed'); END;

CREATE TABLE approvals (
  id            TEXT PRIMARY KEY,
  run_id        TEXT NOT NULL REFERENCES runs (id),
  session_id    TEXT NOT NULL REFERENCES sessions (id),
  state         TEXT NOT NULL
                CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
  tool_call_id  TEXT NOT NULL,
  tool          TEXT NOT NULL,
  args          TEXT NOT NULL,
  args_hash     TEXT NOT NULL,
  requester     TEXT NOT NULL,
  conversation  TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  decided_by    TEXT,
  decided_at    INTEGER,
  scope         TEXT NOT NULL DEFAULT 'once' CHECK (scope IN ('once', 'session')),
  reason        TEXT,
  card_receipt  TEXT
);
CREATE INDEX approvals_state_expiry ON approvals (state, expires_at);
CREATE INDEX approvals_run ON approvals (run_id, state);
CREATE INDEX approvals_grant ON approvals (session_id, tool, state, scope);
CREATE INDEX approvals_created ON approvals (created_at, id);

CREATE TABLE inbox (
  channel      TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  run_id       TEXT REFERENCES runs (id),
  received_at  INTEGER NOT NULL,
  UNIQUE (channel, event_id)
);

CREATE TABLE outbox (
  id                TEXT PRIMARY KEY,
  run_id            TEXT REFERENCES runs (id),
  channel           TEXT NOT NULL,
  conversation      TEXT NOT NULL,
  kind              TEXT NOT NULL
                    CHECK (kind IN ('reply', 'approval_card', 'approval_update', 'notice')),
  payload           TEXT NOT NULL,
  approval_id       TEXT,
  state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  delivered_at      INTEGER,
  last_error        TEXT,
  receipt           TEXT,
  lease_owner       TEXT,
  lease_expires_at  INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_approval ON outbox (approval_id, kind);
CREATE INDEX outbox_run ON outbox (run_id, created_at);

CREATE TABLE journal_events (
  id    TEXT PRIMARY KEY,
  at    INTEGER NOT NULL,
  type  TEXT NOT NULL,
  data  TEXT NOT NULL
);
CREATE INDEX journal_events_at ON journal_events (at, id);

CREATE TABLE usage_events (
  id                 INTEGER PRIMARY KEY,
  at                 INTEGER NOT NULL,
  principal          TEXT NOT NULL,
  run_id             TEXT REFERENCES runs (id),
  prompt_tokens      INTEGER NOT NULL DEFAULT 0,
  completion_tokens  INTEGER NOT NULL DEFAULT 0,
  total_tokens       INTEGER NOT NULL DEFAULT 0,
  tool_count         INTEGER NOT NULL DEFAULT 0,
  tool_ms            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX usage_events_principal_at ON usage_events (principal, at);
CREATE INDEX usage_events_at ON usage_events (at);
`,
  },
  {
    version: 2,
    name: 'reply drafts',
    sql: `
-- The messages showing a run's reply while the model streams it, so the final reply edits them
-- in place (also after a restart) instead of leaving a half message behind.
CREATE TABLE reply_drafts (
  run_id      TEXT PRIMARY KEY REFERENCES runs (id),
  receipt     TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'file deliveries in the outbox',
    sql: `
-- SQLite cannot change a CHECK constraint: the outbox is rebuilt with the new kind 'file'.
CREATE TABLE outbox_v3 (
  id                TEXT PRIMARY KEY,
  run_id            TEXT REFERENCES runs (id),
  channel           TEXT NOT NULL,
  conversation      TEXT NOT NULL,
  kind              TEXT NOT NULL
                    CHECK (kind IN ('reply', 'approval_card', 'approval_update', 'notice', 'file')),
  payload           TEXT NOT NULL,
  approval_id       TEXT,
  state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  delivered_at      INTEGER,
  last_error        TEXT,
  receipt           TEXT,
  lease_owner       TEXT,
  lease_expires_at  INTEGER
);
INSERT INTO outbox_v3 SELECT * FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_approval ON outbox (approval_id, kind);
CREATE INDEX outbox_run ON outbox (run_id, created_at);
`,
  },
  {
    version: 4,
    name: 'agents on sessions and runs, schedule ticks',
    sql: `
-- The agent a binding chose when the session was created; its runs carry it too. NULL: rows
-- from before agents were routed, which belong to the default agent.
ALTER TABLE sessions ADD COLUMN agent TEXT;
ALTER TABLE runs ADD COLUMN agent TEXT;
-- Usage per agent, and tool time per tool source (builtin, mcp:<server>).
ALTER TABLE usage_events ADD COLUMN agent TEXT;
ALTER TABLE usage_events ADD COLUMN tool_source TEXT;
-- The last tick of each schedule that was claimed (by any replica), so a tick runs once and the
-- ticks missed while the daemon was down run once at start.
CREATE TABLE schedule_ticks (
  name        TEXT PRIMARY KEY,
  last_tick   INTEGER NOT NULL,
  claimed_by  TEXT NOT NULL,
  claimed_at  INTEGER NOT NULL
);
`,
  },
  {
    version: 5,
    name: 'retention',
    sql: `
-- Retention may delete the tape of a finished run; a live run's tape stays append-only.
DROP TRIGGER tape_no_delete;
CREATE TRIGGER tape_no_delete BEFORE DELETE ON tape
WHEN (SELECT state FROM runs WHERE id = OLD.run_id) NOT IN ('succeeded', 'failed', 'cancelled')
BEGIN SELECT RAISE(ABORT, 'the tape is append-only: DELETE is not allowed while its run is live'); END;
-- When the run's tape was pruned (the run row stays), so a pass never looks at it again.
ALTER TABLE runs ADD COLUMN tape_pruned_at INTEGER;
CREATE INDEX runs_prunable ON runs (finished_at) WHERE finished_at IS NOT NULL AND tape_pruned_at IS NULL;
CREATE INDEX inbox_received ON inbox (received_at);
`,
  },
  {
    version: 6,
    name: 'summary tape events',
    sql: `
-- SQLite cannot change a CHECK constraint: the tape is rebuilt with the new kind 'summary', and
-- its append-only triggers (as migration 5 left them) are made again.
CREATE TABLE tape_v6 (
  run_id  TEXT NOT NULL REFERENCES runs (id),
  seq     INTEGER NOT NULL CHECK (seq >= 0),
  kind    TEXT NOT NULL CHECK (kind IN ('input', 'provider_request', 'provider_response', 'tool_call',
            'tool_output', 'approval_request', 'approval_decision', 'reply', 'state', 'error', 'summary')),
  at      INTEGER NOT NULL,
  body    TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
INSERT INTO tape_v6 (run_id, seq, kind, at, body) SELECT run_id, seq, kind, at, body FROM tape;
DROP TABLE tape;
ALTER TABLE tape_v6 RENAME TO tape;
CREATE TRIGGER tape_no_update BEFORE UPDATE ON tape
BEGIN SELECT RAISE(ABORT, 'the tape is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER tape_no_delete BEFORE DELETE ON tape
WHEN (SELECT state FROM runs WHERE id = OLD.run_id) NOT IN ('succeeded', 'failed', 'cancelled')
BEGIN SELECT RAISE(ABORT, 'the tape is append-only: DELETE is not allowed while its run is live'); END;
`,
  },
  {
    version: 7,
    name: 'grants',
    sql: `
-- "Always allow": remembered approvals, each one generated Cedar permit (policy/grants.ts).
CREATE TABLE grants (
  id            TEXT PRIMARY KEY,
  tool          TEXT NOT NULL,
  pattern       TEXT NOT NULL,
  scope         TEXT NOT NULL CHECK (scope IN ('requester', 'conversation', 'everyone')),
  principal     TEXT,
  conversation  TEXT,
  created_by    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER,
  approval_id   TEXT,
  revoked_at    INTEGER,
  revoked_by    TEXT
);
CREATE INDEX grants_created ON grants (created_at, id);
ALTER TABLE approvals ADD COLUMN grant_id TEXT;
`,
  },
  {
    version: 8,
    name: 'access requests, memberships and linked identities',
    sql: `
CREATE TABLE access_requests (
  id           TEXT PRIMARY KEY,
  principal    TEXT NOT NULL,
  channel      TEXT NOT NULL,
  group_name   TEXT NOT NULL,
  message      TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired')),
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  decided_by   TEXT,
  decided_at   INTEGER,
  run_id       TEXT,
  card_receipt TEXT
);
-- One open request per person: a second message while it waits raises no second card.
CREATE UNIQUE INDEX access_requests_pending ON access_requests (principal) WHERE state = 'pending';
CREATE INDEX access_requests_state ON access_requests (state, expires_at);
CREATE INDEX access_requests_created ON access_requests (created_at, id);

CREATE TABLE memberships (
  principal   TEXT NOT NULL,
  group_name  TEXT NOT NULL,
  granted_by  TEXT NOT NULL,
  granted_at  INTEGER NOT NULL,
  request_id  TEXT,
  PRIMARY KEY (principal, group_name)
) WITHOUT ROWID;

CREATE TABLE identity_links (
  principal  TEXT PRIMARY KEY,
  person     TEXT NOT NULL,
  linked_by  TEXT NOT NULL,
  linked_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX identity_links_person ON identity_links (person);

-- One-time link codes, stored as their sha256 only.
CREATE TABLE link_codes (
  code_hash   TEXT PRIMARY KEY,
  principal   TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  used_by     TEXT
) WITHOUT ROWID;
CREATE INDEX link_codes_principal ON link_codes (principal, created_at);

-- Wrong link codes typed, for the lock-out every replica shares.
CREATE TABLE link_failures (
  principal  TEXT NOT NULL,
  at         INTEGER NOT NULL
);
CREATE INDEX link_failures_principal ON link_failures (principal, at);
`,
  },
  {
    version: 9,
    name: 'fewer pages written per turn',
    sql: `
-- Each B-tree a turn's rows touch is one more page in the WAL at every commit (issue 18).
-- No query reads these two: usage and run lists take the created_at / at range and filter the
-- principal there.
DROP INDEX runs_principal;
DROP INDEX usage_events_principal_at;
-- Only rows that belong to an approval are looked up by it; replies and notices leave it alone.
DROP INDEX outbox_approval;
CREATE INDEX outbox_approval ON outbox (approval_id, kind) WHERE approval_id IS NOT NULL;
-- Journal events and inbox rows were a rowid table plus a unique index; each becomes one
-- B-tree keyed the way it is read (recent events by time, the inbox by channel and event id).
CREATE TABLE journal_events_v9 (
  id    TEXT NOT NULL,
  at    INTEGER NOT NULL,
  type  TEXT NOT NULL,
  data  TEXT NOT NULL,
  PRIMARY KEY (at, id)
) WITHOUT ROWID;
INSERT INTO journal_events_v9 (id, at, type, data) SELECT id, at, type, data FROM journal_events;
DROP TABLE journal_events;
ALTER TABLE journal_events_v9 RENAME TO journal_events;
CREATE TABLE inbox_v9 (
  channel      TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  run_id       TEXT REFERENCES runs (id),
  received_at  INTEGER NOT NULL,
  PRIMARY KEY (channel, event_id)
) WITHOUT ROWID;
INSERT INTO inbox_v9 (channel, event_id, run_id, received_at)
  SELECT channel, event_id, run_id, received_at FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_v9 RENAME TO inbox;
CREATE INDEX inbox_received ON inbox (received_at);
`,
  },
];

/**
 * Applies every migration newer than the database's recorded version, each in its own
 * `BEGIN IMMEDIATE` transaction together with its `schema_migrations` row, so a crash leaves the
 * schema at a whole step. Returns the versions applied (empty when already current).
 */
export function applyMigrations(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  INTEGER NOT NULL
  )`);
  const current = db.prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const step = db.transaction(() => {
      // Re-read inside the write lock: another process may have applied it meanwhile.
      if ((current.get()?.v ?? 0) >= migration.version) return false;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      return true;
    });
    if (step.immediate()) applied.push(migration.version);
  }
  return applied;
}
