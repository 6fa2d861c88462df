import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const pool = new Uint8Array(4096);
let used = pool.length;

/**
 * Cryptographic randomness for ULIDs, one byte per character drawn from a pooled buffer. The
 * library's default asks the system for each byte, which showed up in the per-turn profile.
 * 256 is a multiple of the 32-letter alphabet, so characters stay uniform.
 */
function pooledRandom(): number {
  if (used >= pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]! / 256;
}

const next = monotonicFactory(pooledRandom);

/** A new ULID: sortable by creation time, unique across processes. Used for every primary key. */
export function newId(now: number = Date.now()): string {
  return next(now);
}
