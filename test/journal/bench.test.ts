import { describe, expect, it } from 'vitest';
import { benchTapeAppend } from '../../bench/tape-append.js';

describe('bench tape-append', () => {
  it('reports journal and raw append rates and their ratio', async () => {
    const figures = await benchTapeAppend({ durationMs: 100, warmup: 10 });
    expect(figures).toHaveLength(3);
    for (const f of figures) expect(f.bench).toBe('tape_append');
    expect(figures[0]?.ops_per_sec).toBeGreaterThan(0);
    expect(figures[1]?.ops_per_sec).toBeGreaterThan(0);
    expect(figures[2]?.ratio).toBeGreaterThan(0);
  });
});
