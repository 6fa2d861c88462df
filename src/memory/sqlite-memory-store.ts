/**
 * The SQLite {@link MemoryStore}: its own connection to `memory.sqlite3` beside the journal (WAL),
 * an FTS5 index kept in step by triggers, and vectors as Float32 BLOBs mirrored in a
 * {@link VectorIndex} for the similarity scan.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { newId } from '../core/ids.js';
import { blobToVector, vectorToBlob } from './embedding.js';
import { contentTerms, ftsQuery } from './text.js';
import type {
  MemoryCandidate,
  MemoryItem,
  MemoryScope,
  MemorySearchQuery,
  MemoryStore,
  NewMemoryItem,
} from './types.js';
import { scopeKey } from './types.js';
import { VectorIndex } from './vector-index.js';

/** The file name of the memory database inside the data folder. */
export const MEMORY_FILE = 'memory.sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS memory_items (
  n INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL CHECK (scope IN ('principal', 'session', 'workspace')),
  owner TEXT NOT NULL,
  scope_key TEXT NOT NULL,
  conversation TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  embedder TEXT NOT NULL,
  vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS memory_items_scope ON memory_items (scope_key, n);
CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts USING fts5 (
  text, content = 'memory_items', content_rowid = 'n', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS memory_items_ai AFTER INSERT ON memory_items BEGIN
  INSERT INTO memory_fts (rowid, text) VALUES (new.n, new.text);
END;
CREATE TRIGGER IF NOT EXISTS memory_items_ad AFTER DELETE ON memory_items BEGIN
  INSERT INTO memory_fts (memory_fts, rowid, text) VALUES ('delete', old.n, old.text);
END;
`;

interface Row {
  n: number;
  id: string;
  scope: MemoryScope;
  owner: string;
  scope_key: string;
  conversation: string;
  text: string;
  created_by: string;
  created_at: number;
  source: string;
}

const COLUMNS = 'n, id, scope, owner, scope_key, conversation, text, created_by, created_at, source';

function toItem(row: Row): MemoryItem {
  return {
    id: row.id,
    scope: row.scope,
    owner: row.owner,
    conversation: row.conversation,
    text: row.text,
    createdBy: row.created_by,
    createdAt: row.created_at,
    source: row.source,
  };
}

/** Options of {@link openSqliteMemoryStore}. */
export interface SqliteMemoryStoreOptions {
  /** Database file (its folder is created), or `:memory:`. */
  path: string;
  /** The embedder whose vectors the index holds; rows of another embedder wait for `reembed`. */
  embedder: string;
  /** Dimension of that embedder's vectors. */
  dimension: number;
}

/** A {@link MemoryStore} on SQLite, with extras for bulk loads (bench, import). */
export interface SqliteMemoryStore extends MemoryStore {
  /** Inserts many items in one transaction (imports, benchmarks). */
  insertMany(items: readonly { item: NewMemoryItem; vector: Float32Array }[]): void;
  /** The underlying connection, for the benchmark's plain FTS5 comparison. */
  readonly db: Database.Database;
}

/** Opens (and creates) the memory database and loads its vectors into memory. */
export function openSqliteMemoryStore(options: SqliteMemoryStoreOptions): SqliteMemoryStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -32000');
  db.exec(SCHEMA);

  const index = new VectorIndex(options.dimension);
  let lastSeen = 0;
  const st = {
    insert: db.prepare(
      `INSERT INTO memory_items (id, scope, owner, scope_key, conversation, text, created_by, created_at, source, embedder, vector)
       VALUES (@id, @scope, @owner, @scope_key, @conversation, @text, @created_by, @created_at, @source, @embedder, @vector)`,
    ),
    get: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM memory_items WHERE id = ?`),
    delete: db.prepare<[string], { n: number }>('DELETE FROM memory_items WHERE id = ? RETURNING n'),
    deleteScope: db.prepare<[string], { n: number }>(
      'DELETE FROM memory_items WHERE scope_key = ? RETURNING n',
    ),
    since: db.prepare<[string, number], { n: number; scope_key: string; vector: Buffer }>(
      'SELECT n, scope_key, vector FROM memory_items WHERE embedder = ? AND n > ? ORDER BY n',
    ),
    maxN: db.prepare<[], { n: number | null }>('SELECT max(n) AS n FROM memory_items'),
    fts: db.prepare<[string, string, number], Row & { score: number }>(
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `m.${c}`)
        .join(', ')}, -bm25(memory_fts) AS score
       FROM memory_fts JOIN memory_items m ON m.n = memory_fts.rowid
       WHERE memory_fts MATCH ? AND m.scope_key IN (SELECT value FROM json_each(?))
       ORDER BY rank LIMIT +?`,
    ),
    ftsAll: db.prepare<[string, number], Row & { score: number }>(
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `m.${c}`)
        .join(', ')}, -bm25(memory_fts) AS score
       FROM memory_fts JOIN memory_items m ON m.n = memory_fts.rowid
       WHERE memory_fts MATCH ? ORDER BY rank LIMIT +?`,
    ),
    byRowids: db.prepare<[string], Row>(
      `SELECT ${COLUMNS} FROM memory_items WHERE n IN (SELECT value FROM json_each(?))`,
    ),
    principals: db.prepare<[], { scope_key: string }>(
      "SELECT DISTINCT scope_key FROM memory_items WHERE scope = 'principal'",
    ),
    count: db.prepare<[], { c: number }>('SELECT count(*) AS c FROM memory_items'),
    stale: db.prepare<[string, number], { id: string; text: string }>(
      'SELECT id, text FROM memory_items WHERE embedder <> ? LIMIT +?',
    ),
    updateVector: db.prepare<[string, Buffer, string], { n: number; scope_key: string }>(
      'UPDATE memory_items SET embedder = ?, vector = ? WHERE id = ? RETURNING n, scope_key',
    ),
  };

  /**
   * Loads vectors written since the last look (by this or another connection); returns the
   * highest row number, 0 when the store holds no item.
   */
  const refresh = (): number => {
    const max = st.maxN.get()?.n ?? 0;
    if (max <= lastSeen) return max;
    for (const row of st.since.iterate(options.embedder, lastSeen)) {
      index.add(row.n, row.scope_key, blobToVector(row.vector));
    }
    lastSeen = max;
    return max;
  };
  refresh();

  const insertOne = (item: NewMemoryItem, vector: Float32Array): MemoryItem => {
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
    const key = scopeKey(stored.scope, stored.owner);
    const result = st.insert.run({
      id: stored.id,
      scope: stored.scope,
      owner: stored.owner,
      scope_key: key,
      conversation: stored.conversation,
      text: stored.text,
      created_by: stored.createdBy,
      created_at: createdAt,
      source: stored.source,
      embedder: options.embedder,
      vector: vectorToBlob(vector),
    });
    const n = Number(result.lastInsertRowid);
    index.add(n, key, vector);
    if (n === lastSeen + 1) lastSeen = n;
    return stored;
  };
  const insertMany = db.transaction((items: readonly { item: NewMemoryItem; vector: Float32Array }[]) => {
    for (const { item, vector } of items) insertOne(item, vector);
  });

  return {
    db,
    insert: async (item, vector) => insertOne(item, vector),
    insertMany: (items) => insertMany.immediate(items),
    get: async (id) => {
      const row = st.get.get(id);
      return row ? toItem(row) : undefined;
    },
    delete: async (id) => {
      const row = st.delete.get(id);
      if (row) index.remove(row.n);
      return row !== undefined;
    },
    deleteScope: async (scope, owner) => {
      const rows = st.deleteScope.all(scopeKey(scope, owner));
      for (const row of rows) index.remove(row.n);
      return rows.length;
    },
    list: async (query) => {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (query.scope) {
        where.push('scope = ?');
        params.push(query.scope);
      }
      if (query.owner !== undefined) {
        where.push('owner = ?');
        params.push(query.owner);
      }
      if (query.before) {
        where.push('id < ?');
        params.push(query.before);
      }
      const sql = `SELECT ${COLUMNS} FROM memory_items ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT +?`;
      return db
        .prepare<(string | number)[], Row>(sql)
        .all(...params, query.limit)
        .map(toItem);
    },
    principalScopeKeys: async () => st.principals.all().map((r) => r.scope_key),
    candidates: async (query: MemorySearchQuery): Promise<MemoryCandidate[]> => {
      // Most daemons hold no memory yet: then every turn's search is answered without one.
      if (refresh() === 0) return [];
      const found = new Map<number, MemoryCandidate>();
      const match = ftsQuery(contentTerms(query.text));
      if (match !== '') {
        const rows =
          query.scopeKeys === 'all'
            ? st.ftsAll.all(match, query.candidates)
            : st.fts.all(match, JSON.stringify([...query.scopeKeys]), query.candidates);
        for (const row of rows) {
          const similarity = index.similarity(row.n, query.vector) ?? 0;
          found.set(row.n, { item: toItem(row), bm25: row.score, similarity });
        }
      }
      const hits = index
        .top(query.vector, query.scopeKeys, query.candidates)
        .filter((h) => !found.has(h.rowid));
      if (hits.length > 0) {
        const similarity = new Map(hits.map((h) => [h.rowid, h.similarity]));
        for (const row of st.byRowids.all(JSON.stringify(hits.map((h) => h.rowid)))) {
          found.set(row.n, { item: toItem(row), bm25: 0, similarity: similarity.get(row.n) ?? 0 });
        }
      }
      return [...found.values()];
    },
    count: async () => st.count.get()?.c ?? 0,
    staleItems: async (limit) => st.stale.all(options.embedder, limit),
    updateVector: async (id, vector) => {
      const row = st.updateVector.get(options.embedder, vectorToBlob(vector), id);
      if (row) index.add(row.n, row.scope_key, vector);
    },
    close: async () => {
      db.close();
    },
  };
}
