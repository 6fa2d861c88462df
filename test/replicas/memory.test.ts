import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import { type Cluster, startCluster } from './cluster.js';
import { noteLeftOut, TEST_DATABASE_URL, TestSchemas } from './database.js';

noteLeftOut('the shared memory suite (test/replicas/memory.test.ts)');

// The one accepted conditional skip: these suites need a real PostgreSQL server.
describe.skipIf(!TEST_DATABASE_URL)('memory shared by replicas (needs SWITCHBOARD_TEST_DATABASE_URL)', () => {
  const schemas = new TestSchemas(TEST_DATABASE_URL ?? 'postgres://unset');
  let fake: FakeOpenAI;
  let cluster: Cluster;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    cluster = await startCluster({ size: 2, fake, schemas });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await fake?.close();
    await schemas.dropAll();
  });

  it('memory saved through one replica is retrieved through another, into the prompt', async () => {
    const [first, second] = cluster.replicas;
    const saved = await first!.api<{ id: string }>('POST', '/v1/memory', {
      text: 'The staging database is restored from backup every Sunday night.',
      scope: 'workspace',
    });
    expect(saved.status).toBe(201);
    expect((await second!.api('GET', `/v1/memory/${saved.body.id}`)).status).toBe(200);

    const sent = await second!.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:memory-replicas',
      text: 'When is the staging database restored?',
      principal: 'console:bob',
    });
    expect(sent.status).toBe(202);
    const run = await second!.waitForRun(sent.body.run_id);
    expect(run.state).toBe('succeeded');
    const prompt = JSON.stringify(fake.chatRequests.at(-1)?.body?.messages);
    expect(prompt).toContain('restored from backup every Sunday night');
    const rows = await cluster.query<{ n: string }>('SELECT count(*) AS n FROM memory_items');
    expect(Number(rows[0]?.n)).toBe(1);
  });
});
