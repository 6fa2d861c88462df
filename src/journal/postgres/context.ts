import pg, { type Pool, type PoolClient, type QueryResultRow } from 'pg';
import type { JournalSignal } from '../store.js';
import { SQL, type SqlName } from './sql.js';

/**
 * What every journal operation works with inside one transaction: named statements (prepared once
 * per connection by node-postgres) and the signals to publish when the transaction commits.
 */
export interface PgContext {
  /** Runs the named statement and returns its rows. */
  q<R extends QueryResultRow>(name: SqlName, params?: readonly unknown[]): Promise<R[]>;
  /** Runs the named statement and returns how many rows it changed. */
  run(name: SqlName, params?: readonly unknown[]): Promise<number>;
  /** Queues a signal for other processes; sent with NOTIFY inside the transaction, so only on commit. */
  signal(signal: JournalSignal): void;
}

/** SQLSTATEs after which the whole transaction is retried: serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);
/** A unique violation worth a retry: two processes opened the same session key at once. */
const RETRYABLE_CONSTRAINTS = new Set(['sessions_open_key']);
const MAX_ATTEMPTS = 5;

/** The SQLSTATE and constraint of a driver error, when it has them. */
function pgError(error: unknown): { code?: string; constraint?: string } {
  return typeof error === 'object' && error !== null ? (error as { code?: string; constraint?: string }) : {};
}

function isRetryable(error: unknown): boolean {
  const { code, constraint } = pgError(error);
  if (code === undefined) return false;
  return (
    RETRYABLE.has(code) ||
    (code === '23505' && constraint !== undefined && RETRYABLE_CONSTRAINTS.has(constraint))
  );
}

function contextOf(client: PoolClient, signals: JournalSignal[]): PgContext {
  return {
    async q<R extends QueryResultRow>(name: SqlName, params: readonly unknown[] = []): Promise<R[]> {
      const result = await client.query<R>({ name, text: SQL[name], values: [...params] });
      return result.rows;
    },
    async run(name: SqlName, params: readonly unknown[] = []): Promise<number> {
      const result = await client.query({ name, text: SQL[name], values: [...params] });
      return result.rowCount ?? 0;
    },
    signal(signal: JournalSignal): void {
      if (!signals.some((s) => JSON.stringify(s) === JSON.stringify(signal))) signals.push(signal);
    },
  };
}

/**
 * Runs `fn` in one READ COMMITTED transaction on a pooled connection: queued signals are sent
 * with `pg_notify` just before COMMIT (so listeners hear of committed changes only), a deadlock,
 * serialization failure or a race on a session key retries the whole function, and any other
 * throw rolls everything back and is rethrown.
 */
export async function inTransaction<T>(
  pool: Pool,
  channel: string,
  fn: (ctx: PgContext) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const signals: JournalSignal[] = [];
      const result = await fn(contextOf(client, signals));
      // NOTIFY and COMMIT in one round trip (simple protocol, so the values are quoted literals).
      const notify = signals.map(
        (signal) =>
          `SELECT pg_notify(${pg.escapeLiteral(channel)}, ${pg.escapeLiteral(JSON.stringify(signal))}); `,
      );
      await client.query(`${notify.join('')}COMMIT`);
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      if (attempt < MAX_ATTEMPTS && isRetryable(error)) {
        await new Promise((r) => setTimeout(r, 2 ** attempt + Math.random() * 10));
        continue;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** Runs one named statement on its own (autocommit) and returns its rows. */
export async function rows<R extends QueryResultRow>(
  pool: Pool,
  name: SqlName,
  params: readonly unknown[] = [],
): Promise<R[]> {
  const result = await pool.query<R>({ name, text: SQL[name], values: [...params] });
  return result.rows;
}

/** Runs one named write statement on its own (autocommit); returns how many rows it changed. */
export async function changes(pool: Pool, name: SqlName, params: readonly unknown[] = []): Promise<number> {
  const result = await pool.query({ name, text: SQL[name], values: [...params] });
  return result.rowCount ?? 0;
}

/**
 * A context outside any transaction: each statement autocommits on a pooled connection, and no
 * signal is sent. For reads that share their code with transactions.
 */
export function poolContext(pool: Pool): PgContext {
  return {
    q: (name, params = []) => rows(pool, name, params),
    run: (name, params = []) => changes(pool, name, params),
    signal(): void {
      throw new Error('a signal needs a transaction: use inTransaction');
    },
  };
}
