import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.js';
import { type DaemonProcess, startDaemonProcess, tempDataDir } from '../support/daemon-process.js';

interface Tape {
  events: { seq: number; kind: string; body: Record<string, unknown> }[];
}
interface Approval {
  id: string;
  state: string;
  tool: string;
  decided_by: string | null;
}

const CONFIG = `
groups:
  admins: ["console:admin"]
  approvers: ["console:alice"]
  members: ["console:*"]
approvals:
  timeout: 1500ms
`;

/** A shell command that appends one line per execution, so a test can count executions. */
const COUNTING = (file: string) => ({ command: `echo ran >> ${file} && wc -l < ${file}` });

describe('approvals through the real daemon', () => {
  let fake: FakeOpenAI;
  let daemon: DaemonProcess;
  let data: { dir: string; cleanup: () => void };
  let configPath: string;

  const start = async () =>
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

  const executions = (file: string) => {
    const path = join(daemon.workspaceDir, file);
    return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
  };

  /** Sends a message whose answer is a shell_exec call, and waits for its approval to be pending. */
  const requestShell = async (key: string, file: string, options: { followUp?: boolean } = {}) => {
    const principal = 'console:bob';
    fake.enqueue({ toolCalls: [{ name: 'shell_exec', arguments: COUNTING(file) }] });
    if (options.followUp !== false) fake.enqueue({ text: `done with ${file}` });
    const sent = await daemon.api<{ run_id: string }>('POST', '/v1/messages', {
      session_key: key,
      text: `run ${file}`,
      principal,
    });
    expect(sent.status).toBe(202);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const list = await daemon.api<{ approvals: (Approval & { run_id: string })[] }>(
        'GET',
        `/v1/approvals?run_id=${sent.body.run_id}`,
      );
      const approval = list.body.approvals[0];
      if (approval) return { runId: sent.body.run_id, approval };
      if (Date.now() > deadline) throw new Error('no approval appeared');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const decide = (id: string, decision: 'approve' | 'deny', principal?: string) =>
    daemon.api<Approval & { error?: { code: string; message: string } }>(
      'POST',
      `/v1/approvals/${id}/decision`,
      {
        decision,
        ...(principal ? { principal } : {}),
      },
    );

  it('approve → the tool runs exactly once and the run completes', async () => {
    const { runId, approval } = await requestShell('console:ap-1', 'approve.txt');
    expect(approval.state).toBe('pending');
    expect(executions('approve.txt')).toBe(0);
    const decided = await decide(approval.id, 'approve', 'console:alice');
    expect(decided.status).toBe(200);
    expect(decided.body.state).toBe('approved');
    const run = await daemon.waitForRun(runId);
    expect(run.state).toBe('succeeded');
    expect(executions('approve.txt')).toBe(1);
    const tape = await daemon.api<Tape>('GET', `/v1/runs/${runId}/tape`);
    const kinds = tape.body.events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'tool_call')).toHaveLength(1);
    expect(kinds).toContain('approval_request');
    expect(kinds).toContain('approval_decision');
    const output = tape.body.events.find((e) => e.kind === 'tool_output')!;
    expect(output.body.ok).toBe(true);
  });

  it('deny → the tool never runs and the run finishes', async () => {
    const { runId, approval } = await requestShell('console:ap-2', 'deny.txt');
    const decided = await decide(approval.id, 'deny', 'console:alice');
    expect(decided.body.state).toBe('denied');
    const run = await daemon.waitForRun(runId);
    expect(run.state).toBe('succeeded');
    expect(executions('deny.txt')).toBe(0);
    const tape = await daemon.api<Tape>('GET', `/v1/runs/${runId}/tape`);
    const output = tape.body.events.find((e) => e.kind === 'tool_output')!;
    expect(output.body.denied).toBe(true);
  });

  it('two decisions → the second gets 409 and the tool runs once', async () => {
    const { runId, approval } = await requestShell('console:ap-3', 'twice.txt');
    const [a, b] = await Promise.all([
      decide(approval.id, 'approve', 'console:alice'),
      decide(approval.id, 'approve'),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const late = await decide(approval.id, 'deny', 'console:alice');
    expect(late.status).toBe(409);
    expect(late.body.error?.code).toBe('already_decided');
    await daemon.waitForRun(runId);
    expect(executions('twice.txt')).toBe(1);
  });

  it('a non-approver → 403 and the approval stays pending', async () => {
    const { runId, approval } = await requestShell('console:ap-4', 'nope.txt');
    const refused = await decide(approval.id, 'approve', 'console:mallory');
    expect(refused.status).toBe(403);
    expect(refused.body.error?.message).toMatch(/can't approve/);
    const still = await daemon.api<Approval>('GET', `/v1/approvals/${approval.id}`);
    expect(still.body.state).toBe('pending');
    expect(executions('nope.txt')).toBe(0);
    // The requester cannot approve their own request either (approvers' four-eyes rule).
    const own = await decide(approval.id, 'approve', 'console:bob');
    expect(own.status).toBe(403);
    await decide(approval.id, 'deny', 'console:alice');
    await daemon.waitForRun(runId);
  });

  it('expiry → counts as denied and the run goes on', async () => {
    const { runId, approval } = await requestShell('console:ap-5', 'expire.txt');
    const run = await daemon.waitForRun(runId, undefined, 10_000);
    expect(run.state).toBe('succeeded');
    const after = await daemon.api<Approval>('GET', `/v1/approvals/${approval.id}`);
    expect(after.body.state).toBe('expired');
    expect(executions('expire.txt')).toBe(0);
    const late = await decide(approval.id, 'approve', 'console:alice');
    expect(late.status).toBe(409);
    expect(late.body.error?.code).toBe('expired');
  });

  it('cancel while pending → approval cancelled and nothing runs', async () => {
    const { runId, approval } = await requestShell('console:ap-6', 'cancel.txt', { followUp: false });
    const cancelled = await daemon.api<{ state: string }>('POST', `/v1/runs/${runId}/cancel`);
    expect(cancelled.body.state).toBe('cancelled');
    const after = await daemon.api<Approval>('GET', `/v1/approvals/${approval.id}`);
    expect(after.body.state).toBe('cancelled');
    const late = await decide(approval.id, 'approve', 'console:alice');
    expect(late.status).toBe(409);
    expect(late.body.error?.code).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 200));
    expect(executions('cancel.txt')).toBe(0);
  });

  it('SIGKILL with an approval pending → restart → approve → the run completes', async () => {
    writeFileSync(configPath, CONFIG.replace('1500ms', '10m'));
    await daemon.stop();
    daemon = await start();
    const { runId, approval } = await requestShell('console:ap-7', 'restart.txt');
    await daemon.kill();
    daemon = await start();
    const still = await daemon.api<Approval>('GET', `/v1/approvals/${approval.id}`);
    expect(still.body.state).toBe('pending');
    const decided = await decide(approval.id, 'approve', 'console:alice');
    expect(decided.status).toBe(200);
    const run = await daemon.waitForRun(runId);
    expect(run.state).toBe('succeeded');
    expect(executions('restart.txt')).toBe(1);
  });
});
