/**
 * Memory retrieval bench: `MemoryService.retrieve` (offline embedding, policy-filtered scopes,
 * FTS5 + vector scan + blend) p50/p99 at 10k and 100k items, next to a plain FTS5 `MATCH … ORDER
 * BY rank LIMIT 5` on the same rows in the same run; and hit@1 / nDCG@5 on the labelled set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createOfflineEmbedder, OFFLINE_DIMENSION, offlineEmbedding } from '../src/memory/embedding.js';
import { type MemoryAsker, MemoryService } from '../src/memory/service.js';
import { openSqliteMemoryStore, type SqliteMemoryStore } from '../src/memory/sqlite-memory-store.js';
import { contentTerms, ftsQuery } from '../src/memory/text.js';
import type { NewMemoryItem } from '../src/memory/types.js';
import { loadPolicyEngine } from '../src/policy/cedar-engine.js';
import { LABELLED_ITEMS, LABELLED_QUERIES, UNRELATED_QUERIES } from './memory-labelled.js';

const ROOT = resolve(import.meta.dirname, import.meta.dirname.includes('/dist/') ? '../..' : '..');
const PRINCIPALS = 50;
const QUERIES = 150;

/** A deterministic pseudo-random generator (mulberry32), so every run measures the same rows. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A vocabulary of 3,000 pseudo-words, drawn with a Zipf-like skew (a few common, many rare). */
function vocabulary(rand: () => number): { word: () => string } {
  const syllables = [
    'ka',
    'lo',
    'mi',
    'ren',
    'to',
    'sa',
    'vel',
    'dor',
    'ni',
    'pu',
    'zar',
    'qui',
    'ben',
    'fa',
    'ro',
  ];
  const words: string[] = [];
  while (words.length < 3000) {
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += syllables[Math.floor(rand() * syllables.length)];
    words.push(w);
  }
  return { word: () => words[Math.floor(words.length * rand() ** 2.5)]! };
}

function sentence(word: () => string, rand: () => number, min: number, spread: number): string {
  const n = min + Math.floor(rand() * spread);
  return Array.from({ length: n }, word).join(' ');
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Adds `count` synthetic items (half workspace, half spread over 50 people) in one transaction. */
function fill(store: SqliteMemoryStore, count: number, rand: () => number, word: () => string): void {
  const now = Date.now();
  const batch: { item: NewMemoryItem; vector: Float32Array }[] = [];
  for (let i = 0; i < count; i++) {
    const text = sentence(word, rand, 8, 16);
    const personal = rand() < 0.5;
    batch.push({
      item: {
        scope: personal ? 'principal' : 'workspace',
        owner: personal ? `console:u${Math.floor(rand() * PRINCIPALS)}` : '',
        conversation: '',
        text,
        createdBy: 'bench',
        source: 'bench',
        createdAt: now - Math.floor(rand() * 365 * 86_400_000),
      },
      vector: offlineEmbedding(text),
    });
  }
  store.insertMany(batch);
}

async function latency(
  service: MemoryService,
  store: SqliteMemoryStore,
  asker: MemoryAsker,
  queries: readonly string[],
  items: number,
): Promise<Record<string, unknown>[]> {
  const plain = store.db.prepare<[string], { n: number }>(
    'SELECT rowid AS n FROM memory_fts WHERE memory_fts MATCH ? ORDER BY rank LIMIT 5',
  );
  const full: number[] = [];
  const fts: number[] = [];
  let injected = 0;
  for (const q of queries.slice(0, 10)) await service.retrieve(q, asker);
  for (const q of queries) {
    let start = performance.now();
    injected += (await service.retrieve(q, asker)).length;
    full.push(performance.now() - start);
    start = performance.now();
    plain.all(ftsQuery(contentTerms(q)));
    fts.push(performance.now() - start);
  }
  full.sort((a, b) => a - b);
  fts.sort((a, b) => a - b);
  return [
    {
      bench: 'memory_retrieval',
      impl: 'memory_service',
      items,
      queries: queries.length,
      p50_ms: round(percentile(full, 0.5)),
      p99_ms: round(percentile(full, 0.99)),
      mean_injected: round(injected / queries.length),
    },
    {
      bench: 'memory_retrieval',
      impl: 'plain_fts5',
      items,
      queries: queries.length,
      p50_ms: round(percentile(fts, 0.5)),
      p99_ms: round(percentile(fts, 0.99)),
    },
  ];
}

/** hit@1 and nDCG@5 of `retrieve` on the labelled set, and what unrelated questions inject. */
async function quality(
  service: MemoryService,
  asker: MemoryAsker,
  keyOf: ReadonlyMap<string, string>,
  corpus: string,
): Promise<Record<string, unknown>> {
  let hits = 0;
  let ndcg = 0;
  for (const q of LABELLED_QUERIES) {
    const ranked = await service.retrieve(q.query, asker, { limit: 5, minScore: 0 });
    const grades = ranked.map((r) => q.relevant[keyOf.get(r.item.id) ?? ''] ?? 0);
    if ((grades[0] ?? 0) > 0) hits++;
    const dcg = grades.reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
    const ideal = Object.values(q.relevant)
      .sort((a, b) => b - a)
      .slice(0, 5)
      .reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
    ndcg += ideal > 0 ? dcg / ideal : 0;
  }
  let unrelated = 0;
  for (const q of UNRELATED_QUERIES) unrelated += (await service.retrieve(q, asker)).length;
  return {
    bench: 'memory_quality',
    corpus,
    queries: LABELLED_QUERIES.length,
    hit_at_1: round(hits / LABELLED_QUERIES.length),
    ndcg_at_5: round(ndcg / LABELLED_QUERIES.length),
    unrelated_queries: UNRELATED_QUERIES.length,
    unrelated_injected: unrelated,
  };
}

/** Runs the memory bench (about 20–40 s); one figure per object. */
export async function benchMemory(): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-memory-'));
  const rand = random(42);
  const { word } = vocabulary(rand);
  const embedder = createOfflineEmbedder();
  const policy = loadPolicyEngine({
    dir: join(ROOT, 'config/policies'),
    schemaPath: join(ROOT, 'config/schema.cedarschema'),
    groups: { admins: ['console:root'], approvers: [], members: ['console:*'] },
  });
  const store = openSqliteMemoryStore({
    path: join(dir, 'memory.sqlite3'),
    embedder: embedder.id,
    dimension: OFFLINE_DIMENSION,
  });
  const service = new MemoryService({
    store,
    embedder,
    policy,
    minScore: 0.25,
    maxItems: 5,
    maxItemChars: 2000,
  });
  const asker: MemoryAsker = {
    principal: 'console:u1',
    sessionId: 'bench-session',
    conversation: { platform: 'console', channel: 'bench' },
  };
  const root: MemoryAsker = { ...asker, principal: 'console:root' };
  const figures: Record<string, unknown>[] = [];
  try {
    const keyOf = new Map<string, string>();
    for (const item of LABELLED_ITEMS) {
      const saved = await service.save({ text: item.text, scope: 'workspace', source: 'bench' }, root);
      keyOf.set(saved.id, item.key);
    }
    figures.push(await quality(service, asker, keyOf, 'labelled_only'));
    const queries = Array.from({ length: QUERIES }, () => sentence(word, rand, 3, 4));
    let started = performance.now();
    fill(store, 10_000 - LABELLED_ITEMS.length, rand, word);
    figures.push({ bench: 'memory_build', items: 10_000, ms: Math.round(performance.now() - started) });
    figures.push(...(await latency(service, store, asker, queries, 10_000)));
    started = performance.now();
    fill(store, 90_000, rand, word);
    figures.push({ bench: 'memory_build', items: 100_000, ms: Math.round(performance.now() - started) });
    figures.push(...(await latency(service, store, asker, queries, 100_000)));
    figures.push(await quality(service, asker, keyOf, 'labelled_in_100k'));
    return figures;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const figure of await benchMemory()) console.log(JSON.stringify(figure));
}
