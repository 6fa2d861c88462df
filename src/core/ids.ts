import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

/** A new ULID: sortable by creation time, unique across processes. Used for every primary key. */
export function newId(now: number = Date.now()): string {
  return next(now);
}
