import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL the replica suites run on (`SWITCHBOARD_TEST_DATABASE_URL`), or undefined when it
 * is not set; then those suites are left out with a note (the one accepted conditional skip).
 */
export const TEST_DATABASE_URL = process.env.SWITCHBOARD_TEST_DATABASE_URL || undefined;

/** Says once, on the console, which suites were left out and how to run them. */
export function noteLeftOut(what: string): void {
  if (TEST_DATABASE_URL) return;
  console.warn(
    `[postgres] ${what} left out: SWITCHBOARD_TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test; .ci/run sets it)`,
  );
}

/**
 * Hands out fresh schema names (`sb_t_<random>`) on the test database and drops every one of
 * them again in `dropAll`, so test files running in parallel never see each other's rows.
 */
export class TestSchemas {
  private readonly names: string[] = [];

  constructor(private readonly url: string) {}

  /** A new, unused schema name; the journal creates the schema when it migrates. */
  fresh(prefix = 'sb_t'): string {
    const name = `${prefix}_${randomBytes(6).toString('hex')}`;
    this.names.push(name);
    return name;
  }

  /** The test URL pointing at `schema` (the journal reads `?schema=`). */
  urlFor(schema: string): string {
    const url = new URL(this.url);
    url.searchParams.set('schema', schema);
    return url.toString();
  }

  /** Runs one SQL statement with `search_path` set to `schema`. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    schema: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** Drops every schema handed out. */
  async dropAll(): Promise<void> {
    if (this.names.length === 0) return;
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      for (const name of this.names.splice(0))
        await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`);
    } finally {
      await client.end();
    }
  }
}
