import { describe, expect, it } from 'vitest';
import { dot, offlineEmbedding } from '../../src/memory/embedding.js';
import { memoryContract } from './contract.js';
import { memoryService } from './support.js';

describe('offline embeddings', () => {
  it('work with no model: deterministic unit vectors, related texts closer than unrelated ones', () => {
    const a = offlineEmbedding('Production deployments happen on Tuesday');
    expect(offlineEmbedding('Production deployments happen on Tuesday')).toEqual(a);
    expect(dot(a, a)).toBeCloseTo(1, 5);
    const related = dot(a, offlineEmbedding('when do we deploy to production'));
    const unrelated = dot(a, offlineEmbedding('the coffee machine is descaled on Friday'));
    expect(related).toBeGreaterThan(0.2);
    expect(related).toBeGreaterThan(unrelated + 0.15);
    expect(dot(offlineEmbedding(''), offlineEmbedding(''))).toBe(0);
  });
});

memoryContract('sqlite', async (options) => memoryService(options));
