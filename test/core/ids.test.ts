import { describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';

describe('ids', () => {
  it('are 26-character ULIDs, strictly increasing within a millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId(1_700_000_000_000));
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sort by creation time across milliseconds', () => {
    expect(newId(1_000) < newId(2_000)).toBe(true);
  });

  it('spread their random part over the whole alphabet', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const c = newId(Date.now() + i * 10).slice(10, 11);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(32);
  });
});
