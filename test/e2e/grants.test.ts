import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import { type DaemonProcess, startDaemonProcess, tempDataDir } from '../support/daemon-process.js';

interface Approval {
  id: string;
  state: string;
  grant_id: string | null;
}
interface Tape {
  events: { kind: string; body: Record<string, unknown> }[];
}

const CONFIG = `
groups:
  admins: ["console:admin"]
  approvers: []
  members: ["console:*"]
`;

/**
 * "Always allow" through the real daemon with the real sandboxed shell_exec: the grant is stored
 * in the journal, so it survives a SIGKILL and restart, and revoking it makes the next call ask.
 */
describe('grants through the real daemon', () => {
  let fake: FakeOpenAI;
  let daemon: DaemonProcess;
  let data: { dir: string; cleanup: () => void };
  let configPath: string;

  const start = () =>
    startDaemonProcess({
      dataDir: data.dir,
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        SWITCHBOARD_MODEL: 'fake-model',
        SWITCHBOARD_CONFIG: configPath,
      },
    });

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    data = tempDataDir();
    configPath = join(data.dir, 'switchboard.yaml');
    writeFileSync(configPath, CONFIG);
    daemon = await start();
  });
  afterAll(async () => {
    await daemon?.stop();
    await fake?.close();
    data?.cleanup();
  });

  /** bob asks for `command`; resolves with the run and its pending approval, if it asked one. */
  const shell = async (command: string) => {
    fake.enqueue({ toolCalls: [{ name: 'shell_exec', arguments: { command } }] }, { text: `ran ${command}` });
    const sent = await daemon.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: 'console:grants-e2e',
      text: `please ${command}`,
      principal: 'console:bob',
    });
    expect(sent.status).toBe(202);
    const runId = sent.body.run_id;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const list = await daemon.api<{ approvals: Approval[] }>(
        'GET',
        `/v1/approvals?run_id=${runId}&state=pending`,
      );
      const approval = list.body.approvals[0];
      if (approval) return { runId, approval };
      const run = await daemon.api<{ state: string }>('GET', `/v1/runs/${runId}`);
      if (run.body.state === 'succeeded') return { runId, approval: undefined };
      if (Date.now() > deadline) throw new Error(`run ${runId} neither asked nor finished`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const outputOf = async (runId: string) => {
    const tape = await daemon.api<Tape>('GET', `/v1/runs/${runId}/tape`);
    return tape.body.events.find((e) => e.kind === 'tool_output')?.body;
  };

  it('Always allow on "echo" survives SIGKILL and restart, and revoking it makes the next echo ask', async () => {
    const first = await shell('echo first');
    expect(first.approval).toBeDefined();
    const decided = await daemon.api<Approval>('POST', `/v1/approvals/${first.approval!.id}/decision`, {
      decision: 'approve',
      scope: 'always',
    });
    expect(decided.status).toBe(200);
    const grantId = decided.body.grant_id;
    expect(grantId).toBeTruthy();
    await daemon.waitForRun(first.runId);
    expect(String((await outputOf(first.runId))?.output)).toContain('first');

    await daemon.kill();
    daemon = await start();

    const second = await shell('echo second');
    expect(second.approval, 'covered by the grant after the restart').toBeUndefined();
    expect((await outputOf(second.runId))?.ok).toBe(true);
    expect(String((await outputOf(second.runId))?.output)).toContain('second');
    const different = await shell('date');
    expect(different.approval, 'another program still asks').toBeDefined();
    await daemon.api('POST', `/v1/approvals/${different.approval!.id}/decision`, { decision: 'deny' });

    const revoked = await daemon.api('DELETE', `/v1/grants/${grantId}`);
    expect(revoked.status).toBe(200);
    const third = await shell('echo third');
    expect(third.approval, 'asks again once revoked').toBeDefined();
  });
});
