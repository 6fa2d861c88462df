import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/core/types.js';
import { ChannelError } from '../../src/ports/channel.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';
import { RecordingChannel } from '../support/recording-channel.js';

const poll = { timeout: 10_000, interval: 20 };
let seq = 0;
const message = (key: string, text: string): InboundMessage => ({
  channel: 'test',
  eventId: `ev-${++seq}`,
  device: 'test',
  principal: 'console:alice',
  sessionKey: key,
  conversation: { platform: 'test', channel: key },
  text,
});

describe('delivery without waiting for a poll', () => {
  it('a reply and an approval card reach the channel right after their commit', async () => {
    const core = await startCoreHarness({
      groups: { admins: ['console:admin'], members: ['console:*'] },
      pollMs: 60_000,
    });
    try {
      const channel = new RecordingChannel('test');
      core.channels.set('test', channel);
      core.provider.enqueue(
        { text: 'fast' },
        { toolCalls: [{ name: 'test_action', args: {} }] },
        { text: 'after' },
      );
      await core.gateway.submit(message('k:fast', 'one'));
      await expect.poll(() => channel.texts(), { timeout: 2000, interval: 10 }).toEqual(['fast']);
      await core.gateway.submit(message('k:fast', 'two'));
      await expect.poll(() => channel.cards.length, { timeout: 2000, interval: 10 }).toBe(1);
      await core.gateway.decideApproval({
        approvalId: channel.cards[0]!.approvalId,
        decision: 'approve',
        decider: 'console:admin',
      });
      await expect.poll(() => channel.texts(), { timeout: 2000, interval: 10 }).toEqual(['fast', 'after']);
      await expect.poll(() => channel.updates.length, { timeout: 2000, interval: 10 }).toBe(1);
    } finally {
      await core.stop();
    }
  });
});

describe('the run loop', () => {
  let core: CoreHarness;
  let channel: RecordingChannel;
  beforeEach(async () => {
    core = await startCoreHarness({
      groups: { admins: ['console:admin'], approvers: ['console:approver'], members: ['console:*'] },
    });
    channel = new RecordingChannel('test');
    core.channels.set('test', channel);
  });
  afterEach(async () => core.stop());

  const finished = async (runId: string) => {
    await expect
      .poll(async () => (await core.journal.getRun(runId))?.state, poll)
      .toMatch(/succeeded|failed|cancelled/);
    return (await core.journal.getRun(runId))!;
  };

  it('a model failure ends the run failed with a reason and tells the person', async () => {
    core.provider.complete = async () => {
      const { ProviderError } = await import('../../src/providers/provider.js');
      throw new ProviderError('server', 'upstream 502');
    };
    const { runId } = await core.gateway.submit(message('k:fail', 'hello'));
    const run = await finished(runId);
    expect(run.state).toBe('failed');
    expect(run.reason).toBe('model call failed (server)');
    await expect.poll(() => channel.texts().join('\n'), poll).toMatch(/could not answer/);
    const tape = await core.journal.readTape(runId);
    expect(tape.map((e) => e.kind)).toContain('error');
  });

  it('malformed tool arguments go back to the model as a tool error and the run goes on', async () => {
    core.provider.complete = (() => {
      let call = 0;
      return async () => {
        call++;
        if (call === 1) {
          return {
            text: '',
            toolCalls: [{ id: 'c1', name: 'current_time', arguments: '{"oops": ' }],
            usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
            finishReason: 'tool_calls',
            model: 'm',
          };
        }
        return {
          text: 'recovered',
          toolCalls: [],
          usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
          finishReason: 'stop',
          model: 'm',
        };
      };
    })();
    const { runId } = await core.gateway.submit(message('k:bad-args', 'time?'));
    expect((await finished(runId)).state).toBe('succeeded');
    const output = (await core.journal.readTape(runId)).find((e) => e.kind === 'tool_output')!;
    expect(output.body).toMatchObject({ ok: false });
    expect(String((output.body as { output: string }).output)).toMatch(/not valid JSON/);
  });

  it('shows the person what the run is doing while it works', async () => {
    core.provider.enqueue({ toolCalls: [{ name: 'current_time', args: {} }] }, { text: 'it is now' });
    const { runId } = await core.gateway.submit(message('k:activity', 'time?'));
    expect((await finished(runId)).state).toBe('succeeded');
    expect(channel.activity).toEqual(['thinking…', 'running current_time…', 'thinking…']);
  });

  it('an unknown tool is reported to the model, not run', async () => {
    core.provider.enqueue({ toolCalls: [{ name: 'rm_rf', args: {} }] }, { text: 'ok' });
    const { runId } = await core.gateway.submit(message('k:unknown', 'x'));
    expect((await finished(runId)).state).toBe('succeeded');
    const output = (await core.journal.readTape(runId)).find((e) => e.kind === 'tool_output')!;
    expect(String((output.body as { output: string }).output)).toMatch(/unknown tool/);
  });

  it('a model that keeps calling tools is stopped by the step budget', async () => {
    for (let i = 0; i < 20; i++) core.provider.enqueue({ toolCalls: [{ name: 'current_time', args: {} }] });
    const { runId } = await core.gateway.submit(message('k:loop', 'loop'));
    const run = await finished(runId);
    expect(run.state).toBe('failed');
    expect(run.reason).toMatch(/step limit/);
    await expect.poll(() => channel.texts().join('\n'), poll).toMatch(/I had to stop/);
  });

  it('a rate-limited delivery is retried after the platform wait and delivered once', async () => {
    channel.failNext(new ChannelError('rate_limited', 'slow down', 200));
    core.provider.enqueue({ text: 'eventually' });
    const { runId } = await core.gateway.submit(message('k:429', 'hi'));
    await finished(runId);
    await expect.poll(() => channel.texts().filter((t) => t === 'eventually').length, poll).toBe(1);
    expect(channel.attempts).toBe(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(channel.texts().filter((t) => t === 'eventually')).toHaveLength(1);
  });

  it('an approval card that cannot be shown counts as a denial and the tool never runs', async () => {
    channel.failCards(new ChannelError('permanent', 'missing permissions'));
    core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: {} }] }, { text: 'could not ask' });
    const { runId } = await core.gateway.submit(message('k:card', 'act'));
    expect((await finished(runId)).state).toBe('succeeded');
    const [approval] = await core.journal.listApprovals({ runId, limit: 1 });
    expect(approval?.state).toBe('denied');
    expect(approval?.reason).toMatch(/could not be shown/);
    expect(core.executions()).toBe(0);
  });

  it('approve for the session lets later calls with the same arguments run without asking, not others', async () => {
    core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: { n: 1 } }] }, { text: 'one' });
    const first = await core.gateway.submit(message('k:grant', 'first'));
    await expect
      .poll(async () => (await core.journal.listApprovals({ runId: first.runId, limit: 1 }))[0]?.state, poll)
      .toBe('pending');
    const [approval] = await core.journal.listApprovals({ runId: first.runId, limit: 1 });
    const denied = await core.gateway.decideApproval({
      approvalId: approval!.id,
      decision: 'approve',
      scope: 'session',
      decider: 'console:approver',
    });
    expect(denied.ok).toBe(false);
    const granted = await core.gateway.decideApproval({
      approvalId: approval!.id,
      decision: 'approve',
      scope: 'session',
      decider: 'console:admin',
    });
    expect(granted.ok).toBe(true);
    await finished(first.runId);
    core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: { n: 1 } }] }, { text: 'again' });
    const second = await core.gateway.submit(message('k:grant', 'second'));
    expect((await finished(second.runId)).state).toBe('succeeded');
    expect(await core.journal.listApprovals({ runId: second.runId, limit: 1 })).toHaveLength(0);
    expect(core.executions()).toBe(2);
    const call = (await core.journal.readTape(second.runId)).find((e) => e.kind === 'tool_call')!;
    expect(call.body).toMatchObject({ via: 'session_grant' });
    // Other arguments are another call: the grant does not cover it, a human is asked again.
    core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: { n: 2 } }] });
    const third = await core.gateway.submit(message('k:grant', 'third'));
    await expect
      .poll(async () => (await core.journal.listApprovals({ runId: third.runId, limit: 1 }))[0]?.state, poll)
      .toBe('pending');
    expect(core.executions()).toBe(2);
  });
});
