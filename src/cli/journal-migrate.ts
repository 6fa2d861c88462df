import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { readEnvironment } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { SQLITE_JOURNAL_FILE } from '../journal/open.js';
import { resolveSettings } from '../journal/postgres/connection.js';
import { isPostgresUrl, openPostgresJournal } from '../journal/postgres/index.js';
import { MIGRATIONS } from '../journal/sqlite/index.js';

/** One journal table to copy: its columns in order and which of them hold JSON. */
interface TableCopy {
  name: string;
  columns: readonly string[];
  json: readonly string[];
}

/** Every journal table, parents before children, so foreign keys hold at each insert. */
export const JOURNAL_TABLES: readonly TableCopy[] = [
  {
    name: 'sessions',
    columns: ['id', 'key', 'channel', 'device', 'conversation', 'created_at', 'closed_at', 'agent'],
    json: ['conversation'],
  },
  {
    name: 'runs',
    columns: [
      'id',
      'session_id',
      'state',
      'principal',
      'channel',
      'conversation',
      'text',
      'created_at',
      'updated_at',
      'started_at',
      'finished_at',
      'reason',
      'lease_owner',
      'lease_expires_at',
      'agent',
    ],
    json: ['conversation'],
  },
  { name: 'tape', columns: ['run_id', 'seq', 'kind', 'at', 'body'], json: ['body'] },
  {
    name: 'approvals',
    columns: [
      'id',
      'run_id',
      'session_id',
      'state',
      'tool_call_id',
      'tool',
      'args',
      'args_hash',
      'requester',
      'conversation',
      'created_at',
      'expires_at',
      'decided_by',
      'decided_at',
      'scope',
      'reason',
      'card_receipt',
    ],
    json: ['args', 'conversation', 'card_receipt'],
  },
  { name: 'inbox', columns: ['channel', 'event_id', 'run_id', 'received_at'], json: [] },
  {
    name: 'outbox',
    columns: [
      'id',
      'run_id',
      'channel',
      'conversation',
      'kind',
      'payload',
      'approval_id',
      'state',
      'attempts',
      'next_attempt_at',
      'created_at',
      'delivered_at',
      'last_error',
      'receipt',
      'lease_owner',
      'lease_expires_at',
    ],
    json: ['conversation', 'payload', 'receipt'],
  },
  { name: 'journal_events', columns: ['id', 'at', 'type', 'data'], json: ['data'] },
  {
    name: 'usage_events',
    columns: [
      'id',
      'at',
      'principal',
      'run_id',
      'prompt_tokens',
      'completion_tokens',
      'total_tokens',
      'tool_count',
      'tool_ms',
    ],
    json: [],
  },
];

const BATCH = 500;

/** What `migrateJournal` copied: rows per table. */
export type MigrationReport = Record<string, number>;

/**
 * Copies an SQLite journal into an empty PostgreSQL one: every table, ids, seq numbers and times
 * as they are, in one transaction (all or nothing). Refuses a target that already holds a journal
 * and a source whose schema is older or newer than this version's. Stop the daemon first: the
 * source is read as it is at the start.
 */
export async function migrateJournal(options: { from: string; to: string }): Promise<MigrationReport> {
  if (!isPostgresUrl(options.to)) throw new ConfigError('--to must be a postgres:// or postgresql:// URL');
  if (!existsSync(options.from)) throw new ConfigError(`no SQLite journal at ${options.from}`);
  const source = new Database(options.from, { readonly: true, fileMustExist: true });
  try {
    const version = source.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
      v: number | null;
    };
    const expected = Math.max(...MIGRATIONS.map((m) => m.version));
    if (version.v !== expected) {
      throw new ConfigError(
        `the SQLite journal is at schema version ${version.v ?? 0}, this switchboard expects ${expected}: start the daemon on it once (or use the matching version), then migrate`,
      );
    }
    // Creates the schema and tables on the target (once, under the migration lock).
    await (await openPostgresJournal({ url: options.to })).close();
    const client = new pg.Client(resolveSettings({ url: options.to, statementTimeoutMs: 0 }).client);
    await client.connect();
    try {
      await client.query('BEGIN');
      for (const table of JOURNAL_TABLES) {
        const { rows } = await client.query<{ present: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM ${table.name}) AS present`,
        );
        if (rows[0]?.present) {
          throw new ConfigError(
            `the PostgreSQL journal is not empty (table ${table.name} has rows); migrate into a new database or schema`,
          );
        }
      }
      const report: MigrationReport = {};
      for (const table of JOURNAL_TABLES) report[table.name] = await copyTable(source, client, table);
      await client.query(
        "SELECT setval(pg_get_serial_sequence('usage_events', 'id'), GREATEST((SELECT MAX(id) FROM usage_events), 1))",
      );
      await client.query('COMMIT');
      return report;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      await client.end();
    }
  } finally {
    source.close();
  }
}

/** Copies one table in batches of multi-row INSERTs; JSON text goes in as jsonb. */
async function copyTable(source: Database.Database, client: pg.Client, table: TableCopy): Promise<number> {
  const columns = table.columns.join(', ');
  const select = source.prepare(`SELECT ${columns} FROM ${table.name}`).raw(true);
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const cells = row.map((cell, i) => {
        values.push(cell);
        const column = table.columns[i] ?? '';
        return table.json.includes(column) ? `$${values.length}::jsonb` : `$${values.length}`;
      });
      return `(${cells.join(', ')})`;
    });
    await client.query(`INSERT INTO ${table.name} (${columns}) VALUES ${tuples.join(', ')}`, values);
    copied += batch.length;
    batch = [];
  };
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    batch.push(row);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return copied;
}

/** `switchboard journal migrate --to <url> [--from <journal.sqlite3>]`. Returns the exit code. */
export async function journalCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'migrate') {
    process.stderr.write(
      'usage: switchboard journal migrate --to postgres://… [--from data/journal.sqlite3]\n',
    );
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { to: { type: 'string' }, from: { type: 'string' } } });
  if (!values.to) {
    process.stderr.write(
      'switchboard journal migrate: give the target with --to postgres://user@host:5432/db\n',
    );
    return 2;
  }
  const from = values.from ?? join(readEnvironment(process.env).dataDir, SQLITE_JOURNAL_FILE);
  const report = await migrateJournal({ from, to: values.to });
  const total = Object.values(report).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `copied ${total} rows from ${from}: ${Object.entries(report)
      .map(([table, n]) => `${table} ${n}`)
      .join(', ')}\nset SWITCHBOARD_DATABASE_URL to the target and start the replicas\n`,
  );
  return 0;
}
