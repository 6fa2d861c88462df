import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import { type Cluster, eventually, startCluster } from './cluster.js';
import { noteLeftOut, TEST_DATABASE_URL, TestSchemas } from './database.js';

noteLeftOut('the replica suites (test/replicas/throughput.test.ts)');

/**
 * Messages spread across three replicas. The issue asks for 1,000: that passes
 * (`SWITCHBOARD_REPLICA_MESSAGES=1000`), but takes about 50 s on the shared 2-core development
 * machine, where three daemons, PostgreSQL, the fake model and vitest share the CPU, and keeps it
 * saturated while the rest of `npm test` runs beside it. The suite sends 300 by default (10-20 s).
 */
const MESSAGES = Number(process.env.SWITCHBOARD_REPLICA_MESSAGES ?? 300);

// The one accepted conditional skip: these suites need a real PostgreSQL server.
describe.skipIf(!TEST_DATABASE_URL)(
  'three replicas on one PostgreSQL (needs SWITCHBOARD_TEST_DATABASE_URL)',
  () => {
    const schemas = new TestSchemas(TEST_DATABASE_URL ?? 'postgres://unset');
    let fake: FakeOpenAI;
    let cluster: Cluster;

    beforeAll(async () => {
      fake = await startFakeOpenAI();
      cluster = await startCluster({ size: 3, fake, schemas });
    }, 60_000);

    afterAll(async () => {
      await cluster?.stop();
      await fake?.close();
      await schemas.dropAll();
    }, 60_000);

    it(`${MESSAGES} messages spread across three replicas give exactly ${MESSAGES} runs and replies, each delivered once`, async () => {
      const started = Date.now();
      const runIds: string[] = [];
      let next = 0;
      const sender = async () => {
        while (next < MESSAGES) {
          const i = next++;
          const replica = cluster.replicas[i % cluster.replicas.length]!;
          const sent = await replica.api<{ run_id: string }>('POST', '/v1/messages', {
            session_key: `load-${i % 200}`,
            text: `message ${i}`,
            principal: 'console:bob',
          });
          expect(sent.status).toBe(202);
          runIds.push(sent.body.run_id);
        }
      };
      await Promise.all(Array.from({ length: 24 }, sender));
      expect(new Set(runIds).size).toBe(MESSAGES);

      await eventually(
        'every run answered and every reply delivered',
        async () => {
          const [row] = await cluster.query<{ done: number; delivered: number }>(
            `SELECT (SELECT COUNT(*) FROM runs WHERE state = 'succeeded') AS done,
                    (SELECT COUNT(*) FROM outbox WHERE kind = 'reply' AND state = 'delivered') AS delivered`,
          );
          return Number(row?.done) === MESSAGES && Number(row?.delivered) === MESSAGES ? true : undefined;
        },
        120_000,
      );
      const elapsed = Date.now() - started;

      const [totals] = await cluster.query<Record<string, string>>(
        `SELECT (SELECT COUNT(*) FROM runs) AS runs,
                (SELECT COUNT(*) FROM inbox) AS inbox,
                (SELECT COUNT(*) FROM outbox) AS outbox,
                (SELECT COUNT(*) FROM outbox WHERE attempts <> 1) AS retried,
                (SELECT COUNT(DISTINCT run_id) FROM outbox WHERE kind = 'reply') AS replied_runs,
                (SELECT COUNT(*) FROM (SELECT run_id FROM tape GROUP BY run_id
                   HAVING MAX(seq) + 1 <> COUNT(*)) g) AS gapped_tapes`,
      );
      expect(totals).toEqual({
        runs: String(MESSAGES),
        inbox: String(MESSAGES),
        outbox: String(MESSAGES),
        retried: '0',
        replied_runs: String(MESSAGES),
        gapped_tapes: '0',
      });
      // Every run called the model exactly once: nothing was executed twice.
      expect(fake.chatRequests).toHaveLength(MESSAGES);
      const owners = await cluster.query<{ owner: string; n: string }>(
        `SELECT data->>'owner' AS owner, COUNT(*) AS n FROM journal_events WHERE type = 'run.running'
         GROUP BY 1 ORDER BY 2 DESC`,
      );
      expect(owners).toHaveLength(3);
      console.info(
        `[replicas] ${MESSAGES} messages through 3 replicas in ${elapsed} ms (${Math.round((MESSAGES * 1000) / elapsed)}/s); runs per replica: ${owners.map((o) => o.n).join(', ')}`,
      );
    }, 180_000);

    it('one delivery that reaches two replicas at once starts one run', async () => {
      const [a, b] = cluster.replicas;
      for (let i = 0; i < 5; i++) {
        const body = { session_key: `dup-${i}`, text: 'once', principal: 'console:bob' };
        const headers = { 'idempotency-key': `platform-event-${i}` };
        const answers = await Promise.all([
          a!.api<{ run_id: string; duplicate?: boolean }>('POST', '/v1/messages', body, headers),
          b!.api<{ run_id: string; duplicate?: boolean }>('POST', '/v1/messages', body, headers),
        ]);
        expect(answers.map((r) => r.status).sort()).toEqual([200, 202]);
        expect(answers[0]!.body.run_id).toBe(answers[1]!.body.run_id);
      }
      const [row] = await cluster.query<{ n: string }>("SELECT COUNT(*) AS n FROM runs WHERE text = 'once'");
      expect(row?.n).toBe('5');
    });

    it('healthz on every replica reports the shared PostgreSQL journal', async () => {
      for (const replica of cluster.replicas) {
        const health = await replica.api('GET', '/healthz');
        expect(health).toMatchObject({ status: 200, body: { status: 'ok', journal: 'postgres' } });
      }
    });
  },
);
