/**
 * Embeddings: the `Embedder` port, the built-in offline embedding that needs no model, and the
 * vector helpers the store uses (L2 normalisation, dot product, BLOB encoding).
 */
import { contentTerms } from './text.js';

/** Turns texts into L2-normalised vectors of one fixed dimension. */
export interface Embedder {
  /** Identifies the vector space (`offline-hash-256`, `openai:text-embedding-3-small`); stored per item. */
  readonly id: string;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** Scales `v` to unit length in place (a zero vector stays zero) and returns it. */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] ?? 0) * (v[i] ?? 0);
  if (sum === 0) return v;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * scale;
  return v;
}

/** Dot product of `a` and `b[offset .. offset + a.length)`; the cosine for unit vectors. */
export function dot(a: Float32Array, b: Float32Array, offset = 0): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[offset + i]!;
  return sum;
}

/** A vector as a BLOB (little-endian Float32, as SQLite stores it). */
export function vectorToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** A BLOB back to a vector (copied, so it is aligned and owned). */
export function blobToVector(blob: Buffer): Float32Array {
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

/** 32-bit FNV-1a. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Dimension of the offline embedding. */
export const OFFLINE_DIMENSION = 256;

/**
 * Feature hashing of words and character trigrams into 256 signed buckets, L2-normalised. Words
 * carry exact matches; trigrams (`#de`, `dep`, … `oy#`) make "deploy" and "deployment" close.
 * Stopwords are dropped, so two unrelated sentences land near 0. Deterministic, offline, ~µs per
 * text; good enough to rank notes, not a substitute for a real embedding model.
 */
export function offlineEmbedding(text: string, dimension = OFFLINE_DIMENSION): Float32Array {
  const v = new Float32Array(dimension);
  const add = (feature: string, weight: number): void => {
    const h = fnv1a(feature);
    v[h % dimension] = (v[h % dimension] ?? 0) + (h & 0x80000000 ? -weight : weight);
  };
  for (const term of contentTerms(text, 512)) {
    add(`w:${term}`, 1);
    const padded = `#${term}#`;
    const grams = padded.length - 2;
    const weight = 1 / Math.sqrt(grams);
    for (let i = 0; i < grams; i++) add(`g:${padded.slice(i, i + 3)}`, weight);
  }
  return normalize(v);
}

/** The built-in embedder: {@link offlineEmbedding}, no network, no model. */
export function createOfflineEmbedder(): Embedder {
  return {
    id: `offline-hash-${OFFLINE_DIMENSION}`,
    embed: async (texts) => texts.map((t) => offlineEmbedding(t)),
  };
}
