/**
 * The PostgreSQL {@link MemoryStore}, used when the journal is on PostgreSQL so every replica
 * reads and writes the same items: full-text search on a generated `tsvector` ranked by
 * `ts_rank_cd`, and similarity computed in the server, by pgvector when the server has it
 * (`CREATE EXTENSION vector` succeeds) and by a plain SQL dot product over `real[]` otherwise.
 * No state is kept in the process, so an item saved through one replica is found through another.
 */
import pg from 'pg';
import { newId } from '../core/ids.js';
import { resolveSettings } from '../journal/postgres/connection.js';
import { quoteIdent } from '../journal/postgres/migrations.js';
import { contentTerms, tokenize, tsQuery } from './text.js';
import type { MemoryCandidate, MemoryItem, MemoryScope, MemorySearchQuery, MemoryStore } from './types.js';
import { scopeKey } from './types.js';

/**
 * How similarity is computed: pgvector's cosine distance (the extension's schema), or a dot
 * product of `real[]` in SQL.
 */
export type VectorMode = { schema: string } | 'plain';

/** Options of {@link openPostgresMemoryStore}. */
export interface PostgresMemoryStoreOptions {
  /** The journal's `postgres://` URL (its `schema` parameter is honoured). */
  url: string;
  /** The embedder whose vectors are current; rows of another embedder wait for `reembed`. */
  embedder: string;
  /**
   * `auto` (default): pgvector when the server offers it, else plain. `plain` never tries the
   * extension (tests, servers where creating extensions is not allowed).
   */
  vectors?: 'auto' | 'plain';
  /** Connections of this store's own pool (default 4). */
  poolMax?: number;
}

/** A {@link MemoryStore} on PostgreSQL; says which vector mode it runs in. */
export interface PostgresMemoryStore extends MemoryStore {
  readonly vectorMode: VectorMode;
}

// `search_text` is the item's text folded in JS exactly like a query (diacritics removed,
// lower-cased), so `simple` full-text matching needs no server-side dictionary or unaccent.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS memory_items (
  n             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id            text COLLATE "C" NOT NULL UNIQUE,
  scope         text NOT NULL CHECK (scope IN ('principal', 'session', 'workspace')),
  owner         text COLLATE "C" NOT NULL,
  scope_key     text COLLATE "C" NOT NULL,
  conversation  text NOT NULL DEFAULT '',
  text          text NOT NULL,
  search_text   text NOT NULL,
  tsv           tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
  created_by    text NOT NULL,
  created_at    bigint NOT NULL,
  source        text NOT NULL,
  embedder      text NOT NULL,
  vector        real[] NOT NULL
);
CREATE INDEX IF NOT EXISTS memory_items_scope ON memory_items (scope_key, n);
CREATE INDEX IF NOT EXISTS memory_items_tsv ON memory_items USING gin (tsv);
`;

interface Row {
  id: string;
  scope: MemoryScope;
  owner: string;
  conversation: string;
  text: string;
  created_by: string;
  created_at: number | string;
  source: string;
}

const COLUMNS = 'm.id, m.scope, m.owner, m.conversation, m.text, m.created_by, m.created_at, m.source';

function toItem(row: Row): MemoryItem {
  return {
    id: row.id,
    scope: row.scope,
    owner: row.owner,
    conversation: row.conversation,
    text: row.text,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    source: row.source,
  };
}

/**
 * The similarity of `m.vector` to the query vector `$1`, in [-1, 1] (vectors are unit length);
 * 0 for a vector of another embedder (`$3`) until it is re-embedded. pgvector's type and operator
 * are named with the schema the extension lives in, which need not be on this search path.
 */
function similaritySql(mode: VectorMode): string {
  let similarity = '(SELECT COALESCE(sum(a * b), 0) FROM unnest(m.vector, $1::real[]) AS v(a, b))';
  if (mode !== 'plain') {
    const type = `${quoteIdent(mode.schema)}.vector`;
    similarity = `(1 - (m.vector::${type} OPERATOR(${quoteIdent(mode.schema)}.<=>) $1::real[]::${type}))`;
  }
  return `(CASE WHEN m.embedder = $3 AND cardinality(m.vector) = cardinality($1::real[]) THEN ${similarity} ELSE 0 END)`;
}

/** `$2` is the readable scope keys, or null for all. */
const SCOPE_FILTER = '($2::text[] IS NULL OR m.scope_key = ANY($2::text[]))';

/** Creates the table (once across replicas) and settles the vector mode. */
async function prepare(
  pool: pg.Pool,
  schema: string | undefined,
  vectors: 'auto' | 'plain',
): Promise<VectorMode> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('switchboard.memory.schema'))");
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(SCHEMA);
    const available =
      vectors === 'auto' &&
      ((await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).rowCount ?? 0) > 0;
    if (available) {
      await client.query('SAVEPOINT pgvector');
      // In public, not in this deployment's schema: dropping one schema must not take the
      // extension from the others. Offered but not ours to create (no privilege): the plain scan
      // still answers.
      await client
        .query('CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public')
        .catch(() => client.query('ROLLBACK TO SAVEPOINT pgvector'));
    }
    const installed = await client.query<{ schema: string }>(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
       WHERE e.extname = 'vector'`,
    );
    await client.query('COMMIT');
    const extension = installed.rows[0];
    return vectors === 'auto' && extension ? { schema: extension.schema } : 'plain';
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Opens the store on the journal's database, creating its table when missing. */
export async function openPostgresMemoryStore(
  options: PostgresMemoryStoreOptions,
): Promise<PostgresMemoryStore> {
  const settings = resolveSettings({ url: options.url, poolMax: options.poolMax ?? 4 });
  const pool = new pg.Pool(settings.pool);
  pool.on('error', () => {});
  let mode: VectorMode;
  try {
    mode = await prepare(pool, settings.schema, options.vectors ?? 'auto');
  } catch (error) {
    await pool.end();
    throw error;
  }
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    (await pool.query<R>(text, values)).rows;
  const similarity = similaritySql(mode);

  return {
    vectorMode: mode,
    insert: async (item, vector) => {
      const createdAt = item.createdAt ?? Date.now();
      const stored: MemoryItem = {
        id: newId(createdAt),
        scope: item.scope,
        owner: item.scope === 'workspace' ? '' : item.owner,
        conversation: item.scope === 'session' ? item.conversation : '',
        text: item.text,
        createdBy: item.createdBy,
        createdAt,
        source: item.source,
      };
      await query(
        `INSERT INTO memory_items (id, scope, owner, scope_key, conversation, text, search_text,
           created_by, created_at, source, embedder, vector)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          stored.id,
          stored.scope,
          stored.owner,
          scopeKey(stored.scope, stored.owner),
          stored.conversation,
          stored.text,
          tokenize(stored.text).join(' '),
          stored.createdBy,
          createdAt,
          stored.source,
          options.embedder,
          Array.from(vector),
        ],
      );
      return stored;
    },
    get: async (id) => {
      const [row] = await query<Row>(`SELECT ${COLUMNS} FROM memory_items m WHERE m.id = $1`, [id]);
      return row ? toItem(row) : undefined;
    },
    delete: async (id) => (await pool.query('DELETE FROM memory_items WHERE id = $1', [id])).rowCount === 1,
    deleteScope: async (scope, owner) =>
      (await pool.query('DELETE FROM memory_items WHERE scope_key = $1', [scopeKey(scope, owner)]))
        .rowCount ?? 0,
    list: async (q) => {
      const rows = await query<Row>(
        `SELECT ${COLUMNS} FROM memory_items m
         WHERE ($1::text IS NULL OR m.scope = $1) AND ($2::text IS NULL OR m.owner = $2)
           AND ($3::text IS NULL OR m.id < $3)
         ORDER BY m.id DESC LIMIT $4`,
        [q.scope ?? null, q.owner ?? null, q.before ?? null, q.limit],
      );
      return rows.map(toItem);
    },
    principalScopeKeys: async () =>
      (
        await query<{ scope_key: string }>(
          "SELECT DISTINCT scope_key FROM memory_items WHERE scope = 'principal'",
        )
      ).map((r) => r.scope_key),
    candidates: async (search: MemorySearchQuery): Promise<MemoryCandidate[]> => {
      const scopes = search.scopeKeys === 'all' ? null : [...search.scopeKeys];
      const vector = Array.from(search.vector);
      const found = new Map<string, MemoryCandidate>();
      const match = tsQuery(contentTerms(search.text));
      if (match !== '') {
        const rows = await query<Row & { score: number; similarity: number }>(
          `SELECT ${COLUMNS}, ts_rank_cd(m.tsv, q) AS score, ${similarity} AS similarity
           FROM memory_items m, to_tsquery('simple', $5) q
           WHERE m.tsv @@ q AND ${SCOPE_FILTER}
           ORDER BY score DESC, m.n LIMIT $4`,
          [vector, scopes, options.embedder, search.candidates, match],
        );
        for (const row of rows) {
          found.set(row.id, {
            item: toItem(row),
            bm25: Number(row.score),
            similarity: Number(row.similarity),
          });
        }
      }
      const nearest = await query<Row & { similarity: number }>(
        `SELECT ${COLUMNS}, ${similarity} AS similarity FROM memory_items m
         WHERE ${SCOPE_FILTER} AND m.embedder = $3 AND cardinality(m.vector) = cardinality($1::real[])
         ORDER BY similarity DESC, m.n LIMIT $4`,
        [vector, scopes, options.embedder, search.candidates],
      );
      for (const row of nearest) {
        if (!found.has(row.id))
          found.set(row.id, { item: toItem(row), bm25: 0, similarity: Number(row.similarity) });
      }
      return [...found.values()];
    },
    count: async () =>
      Number((await query<{ c: string }>('SELECT count(*) AS c FROM memory_items'))[0]?.c ?? 0),
    staleItems: async (limit) =>
      query<{ id: string; text: string }>('SELECT id, text FROM memory_items WHERE embedder <> $1 LIMIT $2', [
        options.embedder,
        limit,
      ]),
    updateVector: async (id, vector) => {
      await pool.query('UPDATE memory_items SET embedder = $1, vector = $2 WHERE id = $3', [
        options.embedder,
        Array.from(vector),
        id,
      ]);
    },
    close: async () => {
      await pool.end();
    },
  };
}
