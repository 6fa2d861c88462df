import { createHash } from 'node:crypto';
import pg from 'pg';
import { ConfigError } from '../../core/errors.js';

/** Options of `openPostgresJournal`. */
export interface PostgresJournalOptions {
  /**
   * `postgres://` or `postgresql://` URL. Three query parameters are the journal's, not the
   * driver's: `schema` puts the tables in that schema (created when missing) instead of the
   * default search path, `pool_max` and `statement_timeout_ms` set the options below.
   */
  url: string;
  /** Schema for the tables; overrides the URL's `schema` parameter. */
  schema?: string;
  /**
   * Most connections the pool opens (default 20, so 24 requests in flight rarely queue). The
   * LISTEN connection comes on top: keep replicas × (poolMax + 1) under the server's
   * `max_connections`.
   */
  poolMax?: number;
  /** Server-side `statement_timeout` of every connection, in ms (default 10 s). */
  statementTimeoutMs?: number;
  /** How long to wait for a connection from the pool or the server, in ms (default 5 s). */
  connectionTimeoutMs?: number;
  /** Told about errors on idle connections (a restarting server); they are otherwise dropped. */
  onError?: (error: Error) => void;
}

/** The resolved connection settings of a journal. */
export interface PgSettings {
  /** Settings of every connection (pool members and the listener). */
  client: pg.ClientConfig;
  /** Pool settings on top. */
  pool: pg.PoolConfig;
  schema: string | undefined;
  /** NOTIFY channel name, unique per schema. */
  channel: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const INT8_OID = 20;

/** bigint (ms, counts) comes back as a JS number; ours stay far below 2^53. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Whether a `SWITCHBOARD_DATABASE_URL` names PostgreSQL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Turns the options into pool and client settings: the schema is taken out of the URL (pg would
 * not understand it) and applied as the connection's `search_path`; the URL's own parameters
 * (sslmode, options…) are left as they are. Throws `ConfigError` on a URL or schema it cannot use.
 */
export function resolveSettings(options: PostgresJournalOptions): PgSettings {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ConfigError(
      'SWITCHBOARD_DATABASE_URL is not a valid URL; expected postgres://user@host:5432/db',
    );
  }
  if (!isPostgresUrl(options.url))
    throw new ConfigError(`SWITCHBOARD_DATABASE_URL must start with postgres:// or postgresql://`);
  const schema = options.schema ?? url.searchParams.get('schema') ?? undefined;
  const poolMax = options.poolMax ?? positive(url.searchParams.get('pool_max'), 'pool_max');
  const statementTimeoutMs =
    options.statementTimeoutMs ??
    positive(url.searchParams.get('statement_timeout_ms'), 'statement_timeout_ms');
  // The driver lets the URL's `options` win over ours, so merge them here: theirs, then the schema.
  const urlOptions = url.searchParams.get('options');
  for (const name of ['schema', 'pool_max', 'statement_timeout_ms', 'options']) url.searchParams.delete(name);
  const serverOptions = [urlOptions, schema !== undefined ? `-c search_path=${schema}` : null]
    .filter((o): o is string => o !== null && o !== '')
    .join(' ');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new ConfigError(`schema "${schema}" is not a plain identifier (letters, digits, _; at most 63)`);
  }
  const client: pg.ClientConfig = {
    connectionString: url.toString(),
    application_name: 'switchboard',
    statement_timeout: statementTimeoutMs ?? 10_000,
    idle_in_transaction_session_timeout: 60_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    keepAlive: true,
    types,
    ...(serverOptions !== '' ? { options: serverOptions } : {}),
  };
  const pool: pg.PoolConfig = {
    ...client,
    max: poolMax ?? 20,
    idleTimeoutMillis: 30_000,
  };
  return { client, pool, schema, channel: channelName(schema) };
}

/** The NOTIFY channel of a schema: readable when it fits PostgreSQL's 63-byte names, else hashed. */
function channelName(schema: string | undefined): string {
  const name = `switchboard:${schema ?? 'default'}`;
  return name.length <= 63 ? name : `switchboard:${createHash('sha1').update(name).digest('hex')}`;
}

/** A whole number from a URL parameter, or undefined when absent. */
function positive(value: string | null, name: string): number | undefined {
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${name}=${value} in the database URL is not a whole number`);
  return n;
}
