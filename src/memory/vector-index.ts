/**
 * An in-memory copy of the store's vectors in one contiguous Float32Array, so a query is one
 * linear scan (100k × 256 floats ≈ 25M multiply-adds) instead of reading BLOBs from SQLite.
 */
import { dot } from './embedding.js';

/** One scan result: a store row id and its cosine similarity to the query. */
export interface VectorHit {
  rowid: number;
  similarity: number;
}

/** Vectors of one dimension, each tagged with its row id and scope key. */
export class VectorIndex {
  private vectors: Float32Array;
  private rowids: number[] = [];
  private scopes: number[] = [];
  private readonly positions = new Map<number, number>();
  private readonly scopeIds = new Map<string, number>();
  private readonly scopeNames: string[] = [];

  constructor(readonly dimension: number) {
    this.vectors = new Float32Array(dimension * 1024);
  }

  /** How many vectors are held. */
  get size(): number {
    return this.rowids.length;
  }

  /** Adds (or replaces) the vector of `rowid`; vectors of another dimension are ignored. */
  add(rowid: number, scopeKey: string, vector: Float32Array): void {
    if (vector.length !== this.dimension) return;
    this.remove(rowid);
    const position = this.rowids.length;
    if ((position + 1) * this.dimension > this.vectors.length) {
      const grown = new Float32Array(this.vectors.length * 2);
      grown.set(this.vectors);
      this.vectors = grown;
    }
    this.vectors.set(vector, position * this.dimension);
    let scope = this.scopeIds.get(scopeKey);
    if (scope === undefined) {
      scope = this.scopeNames.length;
      this.scopeNames.push(scopeKey);
      this.scopeIds.set(scopeKey, scope);
    }
    this.rowids.push(rowid);
    this.scopes.push(scope);
    this.positions.set(rowid, position);
  }

  /** Removes the vector of `rowid` (swap with the last one). */
  remove(rowid: number): void {
    const position = this.positions.get(rowid);
    if (position === undefined) return;
    const last = this.rowids.length - 1;
    if (position !== last) {
      const lastRow = this.rowids[last]!;
      this.vectors.copyWithin(position * this.dimension, last * this.dimension, (last + 1) * this.dimension);
      this.rowids[position] = lastRow;
      this.scopes[position] = this.scopes[last]!;
      this.positions.set(lastRow, position);
    }
    this.rowids.pop();
    this.scopes.pop();
    this.positions.delete(rowid);
  }

  /** Cosine similarity of `rowid`'s vector and `query`, or undefined when it has none here. */
  similarity(rowid: number, query: Float32Array): number | undefined {
    const position = this.positions.get(rowid);
    if (position === undefined || query.length !== this.dimension) return undefined;
    return dot(query, this.vectors, position * this.dimension);
  }

  /** The `k` most similar vectors among those whose scope key is in `scopeKeys` (or all), best first. */
  top(query: Float32Array, scopeKeys: ReadonlySet<string> | 'all', k: number): VectorHit[] {
    if (query.length !== this.dimension || k <= 0) return [];
    const allowed = new Uint8Array(this.scopeNames.length);
    for (const [index, name] of this.scopeNames.entries())
      if (scopeKeys === 'all' || scopeKeys.has(name)) allowed[index] = 1;
    const hits: VectorHit[] = [];
    let floor = Number.NEGATIVE_INFINITY;
    const dim = this.dimension;
    for (let p = 0; p < this.rowids.length; p++) {
      if (allowed[this.scopes[p]!] !== 1) continue;
      const similarity = dot(query, this.vectors, p * dim);
      if (hits.length >= k && similarity <= floor) continue;
      let i = hits.length;
      hits.push({ rowid: this.rowids[p]!, similarity });
      while (i > 0 && hits[i - 1]!.similarity < similarity) {
        hits[i] = hits[i - 1]!;
        i--;
      }
      hits[i] = { rowid: this.rowids[p]!, similarity };
      if (hits.length > k) hits.pop();
      if (hits.length >= k) floor = hits[hits.length - 1]!.similarity;
    }
    return hits;
  }
}
