import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { FakeBotApi } from '../fakes/telegram/fake-bot-api.js';
import { CLUSTER_CONFIG, eventually, startCluster } from './cluster.js';
import { noteLeftOut, TEST_DATABASE_URL, TestSchemas } from './database.js';

noteLeftOut('the Telegram poller fail-over suite (test/replicas/telegram-singleton.test.ts)');

const HOLDS = 'this replica now holds telegram';
const alice = { id: 4242, first_name: 'Alice' };

// The one accepted conditional skip: these suites need a real PostgreSQL server.
describe.skipIf(!TEST_DATABASE_URL)(
  'the Telegram poller on replicas (needs SWITCHBOARD_TEST_DATABASE_URL)',
  () => {
    const schemas = new TestSchemas(TEST_DATABASE_URL ?? '');
    afterAll(async () => schemas.dropAll());

    it('one replica polls the token; when it dies another takes over and people still get answers', async () => {
      const model = await startFakeOpenAI();
      const telegram = await FakeBotApi.start();
      telegram.maxWaitMs = 200;
      const cluster = await startCluster({
        size: 2,
        fake: model,
        schemas,
        leaseMs: 2000,
        config: `${CLUSTER_CONFIG.replace('members: ["console:*"]', 'members: ["console:*", "telegram:*"]')}`,
        env: { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot },
      });
      try {
        const holder = await eventually('a replica holding the poller', async () =>
          cluster.replicas.find((r) => r.output().includes(HOLDS)),
        );
        await new Promise((r) => setTimeout(r, 1000));
        expect(cluster.replicas.filter((r) => r.output().includes(HOLDS))).toHaveLength(1);

        model.enqueue({ text: 'first answer' });
        telegram.enqueue(telegram.makeMessage({ from: alice, text: 'hello' }));
        await eventually('the first answer', async () =>
          telegram.messages.some((m) => m.text.includes('first answer')) ? true : undefined,
        );
        // The streamed draft shows the answer before the run commits; a kill in between makes the
        // standby re-run it (the crash loses nothing), which would take the second scripted answer.
        await eventually('the first reply delivered', async () => {
          const rows = await cluster.query<{ n: string }>(
            "select count(*) as n from outbox where kind = 'reply' and state = 'delivered'",
          );
          return Number(rows[0]?.n) === 1 ? true : undefined;
        });

        await holder.kill();
        const standby = cluster.replicas.find((r) => r !== holder)!;
        await eventually(
          'the standby taking over',
          async () => (standby.output().includes(HOLDS) ? true : undefined),
          15_000,
        );

        model.enqueue({ text: 'second answer' });
        telegram.enqueue(telegram.makeMessage({ from: alice, text: 'are you still there?' }));
        await eventually('the answer after the take-over', async () =>
          telegram.messages.some((m) => m.text.includes('second answer')) ? true : undefined,
        );
        expect(telegram.messages.filter((m) => m.text.includes('first answer'))).toHaveLength(1);
      } finally {
        await cluster.stop();
        await telegram.stop();
        await model.close();
      }
    });
  },
);
