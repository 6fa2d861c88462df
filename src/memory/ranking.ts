/**
 * The ranking blend of memory retrieval (documented in docs/memory.md):
 *
 *   keyword    = (bm25 / best bm25 among the candidates) × (share of query terms the item contains)
 *   similarity = max(0, cosine(query vector, item vector))
 *   relevance  = w_keyword × keyword + w_vector × similarity
 *   recency    = 0.5 ^ (age / half-life)
 *   score      = relevance × (1 − w_recency + w_recency × recency)
 *
 * Recency only scales relevance, so a new but unrelated item never passes the threshold.
 */
import { termCoverage } from './text.js';
import type { MemoryCandidate, MemoryItem } from './types.js';

/** The weights and limits of the blend. */
export interface RankingOptions {
  keywordWeight: number;
  vectorWeight: number;
  /** How much of the score recency may take away from an old item, in [0, 1]. */
  recencyWeight: number;
  /** Age at which an item's recency factor is one half, in milliseconds. */
  recencyHalfLifeMs: number;
}

/** The default blend: vectors 0.6, keywords 0.4, recency 0.2 with a 30-day half-life. */
export const DEFAULT_RANKING: RankingOptions = {
  keywordWeight: 0.4,
  vectorWeight: 0.6,
  recencyWeight: 0.2,
  recencyHalfLifeMs: 30 * 86_400_000,
};

/** A ranked item with its score and the signals behind it (kept for the tape and debugging). */
export interface RankedItem {
  item: MemoryItem;
  score: number;
  keyword: number;
  similarity: number;
  recency: number;
}

/** Scores `candidates` for a query with content terms `terms`, best first. */
export function rankCandidates(
  candidates: readonly MemoryCandidate[],
  terms: readonly string[],
  now: number,
  options: RankingOptions = DEFAULT_RANKING,
): RankedItem[] {
  const best = candidates.reduce((max, c) => Math.max(max, c.bm25), 0);
  const ranked = candidates.map((c): RankedItem => {
    const keyword = best > 0 && c.bm25 > 0 ? (c.bm25 / best) * termCoverage(terms, c.item.text) : 0;
    const similarity = Math.max(0, c.similarity);
    const age = Math.max(0, now - c.item.createdAt);
    const recency = options.recencyHalfLifeMs > 0 ? 0.5 ** (age / options.recencyHalfLifeMs) : 1;
    const relevance = options.keywordWeight * keyword + options.vectorWeight * similarity;
    const score = relevance * (1 - options.recencyWeight + options.recencyWeight * recency);
    return { item: c.item, score, keyword, similarity, recency };
  });
  return ranked.sort((a, b) => b.score - a.score || b.item.createdAt - a.item.createdAt);
}
