import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import type { DaemonProcess } from '../support/daemon-process.js';
import { type Cluster, eventually, startCluster } from './cluster.js';
import { noteLeftOut, TEST_DATABASE_URL, TestSchemas } from './database.js';

noteLeftOut('the grants-on-replicas suite (test/replicas/grants.test.ts)');

interface Approval {
  id: string;
  grant_id: string | null;
}

// The one accepted conditional skip: these suites need a real PostgreSQL server.
describe.skipIf(!TEST_DATABASE_URL)('grants on replicas (needs SWITCHBOARD_TEST_DATABASE_URL)', () => {
  const schemas = new TestSchemas(TEST_DATABASE_URL ?? 'postgres://unset');
  let fake: FakeOpenAI;
  let cluster: Cluster;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    cluster = await startCluster({ size: 3, fake, schemas, leaseMs: 2000 });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
    await fake?.close();
    await schemas.dropAll();
  }, 60_000);

  /** bob asks for `command` through `via`; resolves with the run and its pending approval, if any. */
  const shell = async (via: DaemonProcess, command: string) => {
    fake.enqueue({ toolCalls: [{ name: 'shell_exec', arguments: { command } }] }, { text: `ran ${command}` });
    const sent = await via.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: `console:grants-${command.replaceAll(' ', '-')}`,
      text: `please ${command}`,
      principal: 'console:bob',
    });
    expect(sent.status).toBe(202);
    const runId = sent.body.run_id;
    return eventually(`run ${runId} to ask or finish`, async () => {
      const [row] = await cluster.query<{ state: string }>('SELECT state FROM runs WHERE id = $1', [runId]);
      const list = await via.api<{ approvals: Approval[] }>(
        'GET',
        `/v1/approvals?run_id=${runId}&state=pending`,
      );
      if (list.body.approvals[0]) return { runId, approval: list.body.approvals[0] as Approval | undefined };
      return row?.state === 'succeeded' ? { runId, approval: undefined } : undefined;
    });
  };

  it('a grant made on one replica is in force on the others at once, and so is its revocation', async () => {
    const [r0, r1, r2] = cluster.replicas as [DaemonProcess, DaemonProcess, DaemonProcess];
    const first = await shell(r0, 'echo one');
    expect(first.approval).toBeDefined();
    const decided = await r0.api<Approval>('POST', `/v1/approvals/${first.approval!.id}/decision`, {
      decision: 'approve',
      scope: 'always',
    });
    expect(decided.status).toBe(200);
    const grantId = decided.body.grant_id!;
    await eventually('the first run done', async () => {
      const [row] = await cluster.query<{ state: string }>('SELECT state FROM runs WHERE id = $1', [
        first.runId,
      ]);
      return row?.state === 'succeeded' ? true : undefined;
    });
    // Only the replicas that were running when the grant was made are left to run the next calls.
    await r0.stop();
    for (const command of ['echo two', 'echo three', 'echo four']) {
      const next = await shell(r1, command);
      expect(
        next.approval,
        `${command} runs unasked on the replicas that heard of the grant`,
      ).toBeUndefined();
    }

    const revoked = await r1.api('DELETE', `/v1/grants/${grantId}`);
    expect(revoked.status).toBe(200);
    await r1.stop();
    const after = await shell(r2, 'echo five');
    expect(after.approval, 'the replica that heard of the revocation asks again').toBeDefined();
  }, 90_000);
});
