import { describe, expect, it } from 'vitest';
import { benchReplicas } from '../../bench/replicas.js';
import { noteLeftOut, TEST_DATABASE_URL } from './database.js';

noteLeftOut('the replica bench smoke test (test/replicas/bench.test.ts)');

describe('bench replicas', () => {
  it('without a database it returns one note figure saying how to run it', async () => {
    const figures = await benchReplicas({ databaseUrl: '' });
    expect(figures).toEqual([expect.objectContaining({ bench: 'replicas', skipped: true })]);
    expect(String(figures[0]?.note)).toContain('SWITCHBOARD_TEST_DATABASE_URL');
  });

  // The one accepted conditional skip: this needs a real PostgreSQL server.
  it.skipIf(!TEST_DATABASE_URL)(
    'measures SQLite and PostgreSQL side by side (needs SWITCHBOARD_TEST_DATABASE_URL)',
    async () => {
      const figures = await benchReplicas({ messages: 20, concurrency: 4, replicas: [1] });
      expect(figures.map((f) => [f.bench, f.journal])).toEqual([
        ['replicas_e2e', 'sqlite'],
        ['replicas_e2e', 'postgres'],
        ['replicas_claim', 'sqlite'],
        ['replicas_claim', 'postgres'],
      ]);
      for (const f of figures.slice(0, 2)) expect(f.messages_per_sec).toBeGreaterThan(0);
      for (const f of figures.slice(2)) expect(f.claim_p99_ms).toBeGreaterThan(0);
    },
    120_000,
  );
});
