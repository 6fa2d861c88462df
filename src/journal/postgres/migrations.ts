import type { Pool } from 'pg';
import type { Migration } from '../shared/migration.js';

/** One numbered PostgreSQL schema step (the SQLite store's `Migration`, in PostgreSQL's dialect). */
export type PgMigration = Migration;

// Ids, keys and principals sort bytewise (COLLATE "C") like SQLite, so `ORDER BY created_at, id`
// gives the same order on both stores whatever the database's locale.
const ID = 'TEXT COLLATE "C"';

/** The schema of the PostgreSQL journal: the SQLite tables, with jsonb and bigint ms. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'initial journal schema',
    sql: `
CREATE TABLE sessions (
  id            ${ID} PRIMARY KEY,
  key           ${ID} NOT NULL,
  channel       TEXT NOT NULL,
  device        TEXT NOT NULL,
  conversation  JSONB NOT NULL,
  created_at    BIGINT NOT NULL,
  closed_at     BIGINT
);
CREATE UNIQUE INDEX sessions_open_key ON sessions (key) WHERE closed_at IS NULL;
CREATE INDEX sessions_created ON sessions (created_at, id);
CREATE INDEX sessions_key ON sessions (key, created_at);

CREATE TABLE runs (
  id                ${ID} PRIMARY KEY,
  session_id        ${ID} NOT NULL REFERENCES sessions (id),
  state             TEXT NOT NULL
                    CHECK (state IN ('accepted', 'running', 'succeeded', 'failed', 'cancelled')),
  principal         ${ID} NOT NULL,
  channel           TEXT NOT NULL,
  conversation      JSONB NOT NULL,
  text              TEXT NOT NULL,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  started_at        BIGINT,
  finished_at       BIGINT,
  reason            TEXT,
  lease_owner       TEXT,
  lease_expires_at  BIGINT
);
CREATE INDEX runs_session ON runs (session_id, created_at, id);
CREATE INDEX runs_state ON runs (state, created_at, id);
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_principal ON runs (principal, created_at);

CREATE TABLE tape (
  run_id  ${ID} NOT NULL REFERENCES runs (id),
  seq     INTEGER NOT NULL CHECK (seq >= 0),
  kind    TEXT NOT NULL CHECK (kind IN ('input', 'provider_request', 'provider_response', 'tool_call',
            'tool_output', 'approval_request', 'approval_decision', 'reply', 'state', 'error')),
  at      BIGINT NOT NULL,
  body    JSONB NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE FUNCTION tape_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the tape is append-only: % is not allowed', TG_OP;
END
$fn$;
CREATE TRIGGER tape_no_update BEFORE UPDATE OR DELETE ON tape
  FOR EACH ROW EXECUTE FUNCTION tape_is_append_only();
CREATE TRIGGER tape_no_truncate BEFORE TRUNCATE ON tape
  FOR EACH STATEMENT EXECUTE FUNCTION tape_is_append_only();

CREATE TABLE approvals (
  id            ${ID} PRIMARY KEY,
  run_id        ${ID} NOT NULL REFERENCES runs (id),
  session_id    ${ID} NOT NULL REFERENCES sessions (id),
  state         TEXT NOT NULL
                CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
  tool_call_id  TEXT NOT NULL,
  tool          TEXT NOT NULL,
  args          JSONB NOT NULL,
  args_hash     TEXT NOT NULL,
  requester     TEXT NOT NULL,
  conversation  JSONB NOT NULL,
  created_at    BIGINT NOT NULL,
  expires_at    BIGINT NOT NULL,
  decided_by    TEXT,
  decided_at    BIGINT,
  scope         TEXT NOT NULL DEFAULT 'once' CHECK (scope IN ('once', 'session')),
  reason        TEXT,
  card_receipt  JSONB
);
CREATE INDEX approvals_state_expiry ON approvals (state, expires_at);
CREATE INDEX approvals_run ON approvals (run_id, state);
CREATE INDEX approvals_grant ON approvals (session_id, tool, state, scope);
CREATE INDEX approvals_created ON approvals (created_at, id);

CREATE TABLE inbox (
  channel      TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  run_id       ${ID} REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED,
  received_at  BIGINT NOT NULL,
  UNIQUE (channel, event_id)
);

CREATE TABLE outbox (
  id                ${ID} PRIMARY KEY,
  run_id            ${ID} REFERENCES runs (id),
  channel           TEXT NOT NULL,
  conversation      JSONB NOT NULL,
  kind              TEXT NOT NULL
                    CHECK (kind IN ('reply', 'approval_card', 'approval_update', 'notice')),
  payload           JSONB NOT NULL,
  approval_id       ${ID},
  state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   BIGINT NOT NULL,
  created_at        BIGINT NOT NULL,
  delivered_at      BIGINT,
  last_error        TEXT,
  receipt           JSONB,
  lease_owner       TEXT,
  lease_expires_at  BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_approval ON outbox (approval_id, kind);
CREATE INDEX outbox_run ON outbox (run_id, created_at);

CREATE TABLE journal_events (
  id    ${ID} PRIMARY KEY,
  at    BIGINT NOT NULL,
  type  TEXT NOT NULL,
  data  JSONB NOT NULL
);
CREATE INDEX journal_events_at ON journal_events (at, id);

CREATE TABLE usage_events (
  id                 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  at                 BIGINT NOT NULL,
  principal          ${ID} NOT NULL,
  run_id             ${ID} REFERENCES runs (id),
  prompt_tokens      BIGINT NOT NULL DEFAULT 0,
  completion_tokens  BIGINT NOT NULL DEFAULT 0,
  total_tokens       BIGINT NOT NULL DEFAULT 0,
  tool_count         BIGINT NOT NULL DEFAULT 0,
  tool_ms            BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX usage_events_principal_at ON usage_events (principal, at);
CREATE INDEX usage_events_at ON usage_events (at);

CREATE TABLE singletons (
  name        TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,
  expires_at  BIGINT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'reply drafts',
    sql: `
CREATE TABLE reply_drafts (
  run_id      ${ID} PRIMARY KEY REFERENCES runs (id),
  receipt     jsonb NOT NULL,
  updated_at  bigint NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'file deliveries in the outbox',
    sql: `
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('reply', 'approval_card', 'approval_update', 'notice', 'file'));
`,
  },
  {
    version: 4,
    name: 'agents on sessions and runs, schedule ticks',
    sql: `
ALTER TABLE sessions ADD COLUMN agent text;
ALTER TABLE runs ADD COLUMN agent text;
ALTER TABLE usage_events ADD COLUMN agent text;
ALTER TABLE usage_events ADD COLUMN tool_source text;
CREATE TABLE schedule_ticks (
  name        text PRIMARY KEY,
  last_tick   bigint NOT NULL,
  claimed_by  text NOT NULL,
  claimed_at  bigint NOT NULL
);
`,
  },
  {
    version: 5,
    name: 'retention',
    sql: `
-- Retention may delete the tape of a finished run; a live run's tape stays append-only.
CREATE OR REPLACE FUNCTION tape_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM runs WHERE id = OLD.run_id
                                   AND state IN ('succeeded', 'failed', 'cancelled')) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the tape is append-only: % is not allowed', TG_OP;
END
$fn$;
-- When the run's tape was pruned (the run row stays), so a pass never looks at it again.
ALTER TABLE runs ADD COLUMN tape_pruned_at bigint;
CREATE INDEX runs_prunable ON runs (finished_at) WHERE finished_at IS NOT NULL AND tape_pruned_at IS NULL;
CREATE INDEX inbox_received ON inbox (received_at);
`,
  },
  {
    version: 6,
    name: 'summary tape events',
    sql: `
ALTER TABLE tape DROP CONSTRAINT tape_kind_check;
ALTER TABLE tape ADD CONSTRAINT tape_kind_check CHECK (kind IN ('input', 'provider_request',
  'provider_response', 'tool_call', 'tool_output', 'approval_request', 'approval_decision', 'reply',
  'state', 'error', 'summary'));
`,
  },
  {
    version: 7,
    name: 'grants',
    sql: `
CREATE TABLE grants (
  id            ${ID} PRIMARY KEY,
  tool          TEXT NOT NULL,
  pattern       JSONB NOT NULL,
  scope         TEXT NOT NULL CHECK (scope IN ('requester', 'conversation', 'everyone')),
  principal     TEXT,
  conversation  JSONB,
  created_by    TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  expires_at    BIGINT,
  approval_id   ${ID},
  revoked_at    BIGINT,
  revoked_by    TEXT
);
CREATE INDEX grants_created ON grants (created_at, id);
ALTER TABLE approvals ADD COLUMN grant_id ${ID};
`,
  },
  {
    version: 8,
    name: 'access requests, memberships and linked identities',
    sql: `
CREATE TABLE access_requests (
  id           ${ID} PRIMARY KEY,
  principal    ${ID} NOT NULL,
  channel      TEXT NOT NULL,
  group_name   TEXT NOT NULL,
  message      JSONB NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired')),
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  decided_by   TEXT,
  decided_at   BIGINT,
  run_id       ${ID},
  card_receipt JSONB
);
-- One open request per person: a second message while it waits raises no second card.
CREATE UNIQUE INDEX access_requests_pending ON access_requests (principal) WHERE state = 'pending';
CREATE INDEX access_requests_state ON access_requests (state, expires_at);
CREATE INDEX access_requests_created ON access_requests (created_at, id);

CREATE TABLE memberships (
  principal   ${ID} NOT NULL,
  group_name  ${ID} NOT NULL,
  granted_by  TEXT NOT NULL,
  granted_at  BIGINT NOT NULL,
  request_id  ${ID},
  PRIMARY KEY (principal, group_name)
);

CREATE TABLE identity_links (
  principal  ${ID} PRIMARY KEY,
  person     ${ID} NOT NULL,
  linked_by  TEXT NOT NULL,
  linked_at  BIGINT NOT NULL
);
CREATE INDEX identity_links_person ON identity_links (person);

-- One-time link codes, stored as their sha256 only.
CREATE TABLE link_codes (
  code_hash   TEXT PRIMARY KEY,
  principal   ${ID} NOT NULL,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  used_at     BIGINT,
  used_by     TEXT
);
CREATE INDEX link_codes_principal ON link_codes (principal, created_at);

-- Wrong link codes typed, for the lock-out every replica shares.
CREATE TABLE link_failures (
  principal  ${ID} NOT NULL,
  at         BIGINT NOT NULL
);
CREATE INDEX link_failures_principal ON link_failures (principal, at);
`,
  },
  {
    version: 9,
    name: 'fewer index entries written per turn',
    sql: `
-- As the SQLite store's step 9 (issue 18): replies and notices leave the approval index alone,
-- and a journal event is one index entry keyed the way it is read. The principal indexes stay
-- here: PostgreSQL plans each query with its values, so a usage query for one principal uses them.
DROP INDEX outbox_approval;
CREATE INDEX outbox_approval ON outbox (approval_id, kind) WHERE approval_id IS NOT NULL;
ALTER TABLE journal_events DROP CONSTRAINT journal_events_pkey;
DROP INDEX journal_events_at;
ALTER TABLE journal_events ADD PRIMARY KEY (at, id);
`,
  },
];

/**
 * Applies every migration newer than the schema's recorded version. All of it runs in one
 * transaction holding a transaction-scoped advisory lock keyed on the schema, so replicas starting
 * together migrate once and the others wait, then see the result. Creates the schema when
 * `schema` is given and missing. Returns the versions applied (empty when already current).
 */
export async function applyPgMigrations(
  pool: Pool,
  schema: string | undefined,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `switchboard.migrate:${schema ?? 'default'}`,
    ]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version     INTEGER PRIMARY KEY,
      name        TEXT NOT NULL,
      applied_at  BIGINT NOT NULL
    )`);
    const current = await client.query<{ v: number | null }>(
      'SELECT MAX(version) AS v FROM schema_migrations',
    );
    const from = current.rows[0]?.v ?? 0;
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= from) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Quotes an SQL identifier (a schema name) for interpolation into DDL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
