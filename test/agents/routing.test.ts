/**
 * Several agents through the real core: bindings pick the agent of a new session, each agent
 * answers from its own model with its own prompt and tools, the agent is on the session, the run
 * and the tape, and Cedar sees it (`context.agent`) for tool calls and for who may talk to whom.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationRef, InboundMessage } from '../../src/core/types.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';
import { RecordingChannel } from '../support/recording-channel.js';

const poll = { timeout: 10_000, interval: 20 };
const GROUPS = {
  admins: ['console:admin'],
  approvers: ['console:approver'],
  members: ['discord:*', 'slack:*'],
};
let seq = 0;
const message = (
  channel: string,
  conversation: ConversationRef,
  principal: string,
  text: string,
): InboundMessage => ({
  channel,
  eventId: `ev-${++seq}`,
  device: channel,
  principal,
  sessionKey: `${channel}:${conversation.channel}:${principal}`,
  conversation,
  text,
});
const discord = { platform: 'discord', workspace: 'G1', channel: 'C1' };
const slack = { platform: 'slack', workspace: 'T1', channel: 'CENG' };

let core: CoreHarness | undefined;
afterEach(async () => {
  await core?.stop();
  core = undefined;
});

async function start(extraPolicies?: string) {
  core = await startCoreHarness({
    groups: GROUPS,
    moreAgents: { coder: { tools: ['test_action', 'current_time'], system_prompt: 'You write code.' } },
    bindings: [
      { match: { principal: 'discord:boss' }, agent: 'coder' },
      { match: { channel: 'slack' }, agent: 'coder' },
    ],
    ...(extraPolicies ? { extraPolicies } : {}),
  });
  for (const name of ['discord', 'slack']) core.channels.set(name, new RecordingChannel(name));
  return core;
}

async function finished(runId: string) {
  await expect.poll(async () => (await core!.journal.getRun(runId))?.state, poll).toMatch(/succeeded|failed/);
  return (await core!.journal.getRun(runId))!;
}

describe('agents routed by bindings', () => {
  it('each channel gets its bound agent, answering from its own model with its own prompt', async () => {
    const { providers, gateway, journal } = await start();
    providers.default!.enqueue({ text: 'default here' });
    providers.coder!.enqueue({ text: 'coder here' });
    const a = await gateway.submit(message('discord', discord, 'discord:dev', 'hi'));
    const b = await gateway.submit(message('slack', slack, 'slack:T1:U1', 'hi'));
    expect((await finished(a.runId)).agent).toBe('default');
    expect((await finished(b.runId)).agent).toBe('coder');
    expect(providers.default!.requests).toHaveLength(1);
    expect(providers.coder!.requests).toHaveLength(1);
    expect(providers.coder!.requests[0]?.messages[0]).toMatchObject({
      role: 'system',
      content: 'You write code.',
    });
    expect((await journal.getSession(b.sessionId))?.agent).toBe('coder');
    const tape = await journal.readTape(b.runId);
    expect(tape.find((e) => e.kind === 'provider_request')?.body).toMatchObject({ agent: 'coder' });
    expect(tape.find((e) => e.kind === 'reply')?.body).toMatchObject({ text: 'coder here' });
    // Usage is per agent as well as per person.
    const usage = await gateway.command({
      name: 'usage',
      args: ['all'],
      principal: 'console:admin',
      conversation: { platform: 'console', channel: 'ops' },
    });
    expect(usage.text).toMatch(
      /By agent: (coder 15 tokens, 1 runs; default 15 tokens, 1 runs|default 15 tokens, 1 runs; coder 15 tokens, 1 runs)/,
    );
  });

  it('a binding on a principal listed before the channel binding wins for that person', async () => {
    const { providers, gateway } = await start();
    providers.coder!.enqueue({ text: 'boss gets the coder' });
    const run = await gateway.submit(message('discord', discord, 'discord:boss', 'hi'));
    expect((await finished(run.runId)).agent).toBe('coder');
    expect(providers.default!.requests).toHaveLength(0);
  });

  it('Cedar can forbid one agent a tool that another may use', async () => {
    const { providers, gateway, journal } = await start(`
      @id("coder-never-test-action")
      forbid (principal, action in [Switchboard::Action::"call_tool", Switchboard::Action::"request_tool"],
              resource == Switchboard::Tool::"test_action")
      when { context.agent == Switchboard::Agent::"coder" };
    `);
    providers.coder!.enqueue({ toolCalls: [{ name: 'test_action', args: {} }] }, { text: 'ok, not allowed' });
    providers.default!.enqueue({ toolCalls: [{ name: 'test_action', args: {} }] });
    const denied = await gateway.submit(message('slack', slack, 'slack:T1:U1', 'do it'));
    await finished(denied.runId);
    const output = (await journal.readTape(denied.runId)).find((e) => e.kind === 'tool_output');
    expect(output?.body).toMatchObject({ ok: false, denied: true, policyIds: ['coder-never-test-action'] });
    // The default agent may still ask for it: its call waits for an approval.
    const asked = await gateway.submit(message('discord', discord, 'discord:dev', 'do it'));
    await expect
      .poll(async () => (await journal.listApprovals({ runId: asked.runId, limit: 5 })).length, poll)
      .toBe(1);
    expect(core!.executions()).toBe(0);
  });

  it('Cedar can say who may talk to which agent', async () => {
    const { gateway } = await start(`
      @id("only-slack-people-reach-the-coder")
      forbid (principal, action == Switchboard::Action::"chat", resource)
      when { context.agent == Switchboard::Agent::"coder" }
      unless { resource.platform == "slack" };
    `);
    // discord:boss is bound to the coder, and the coder is for Slack only: refused, politely.
    const refused = await gateway.receive(message('discord', discord, 'discord:boss', 'hi'));
    expect(refused.status).toBe('refused');
    const accepted = await gateway.receive(message('discord', discord, 'discord:dev', 'hi'));
    expect(accepted.status).toBe('accepted');
    const slackAccepted = await gateway.receive(message('slack', slack, 'slack:T1:U1', 'hi'));
    expect(slackAccepted.status).toBe('accepted');
  });

  it('/status names the agent of the conversation and its model', async () => {
    const { gateway } = await start();
    const status = await gateway.command({
      name: 'status',
      args: [],
      principal: 'slack:T1:U1',
      conversation: slack,
    });
    expect(status.text).toContain('Agent: coder');
    expect(status.text).toContain('Model: scripted (coder)');
  });
});
