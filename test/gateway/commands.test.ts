import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRequest } from '../../src/ports/gateway.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';
import { RecordingChannel } from '../support/recording-channel.js';

const poll = { timeout: 10_000, interval: 25 };
const ALICE = 'telegram:1';
const BOB = 'telegram:2';
const APPROVER = 'telegram:3';
const STRANGER = 'telegram:666';
const group = { platform: 'telegram', channel: '-100' };

describe('chat commands ask Cedar before they read anything', () => {
  let core: CoreHarness;
  let approvalId: string;

  beforeEach(async () => {
    core = await startCoreHarness({
      groups: { admins: [], approvers: [APPROVER], members: [ALICE, BOB] },
    });
    core.channels.set('telegram', new RecordingChannel('telegram'));
    // Alice asks for a tool that needs approval, so something is pending.
    core.provider.enqueue({ toolCalls: [{ name: 'test_action', args: { note: 'x' } }] }, { text: 'done' });
    await core.gateway.receive({
      channel: 'telegram',
      eventId: 'u-1',
      device: 'telegram:bot',
      principal: ALICE,
      sessionKey: 'telegram:-100',
      conversation: group,
      text: 'please act',
    });
    await expect
      .poll(async () => (await core.journal.listApprovals({ state: 'pending', limit: 5 })).length, poll)
      .toBe(1);
    approvalId = (await core.journal.listApprovals({ state: 'pending', limit: 5 }))[0]!.id;
  });

  afterEach(async () => {
    await core.stop();
  });

  const command = (principal: string, name: CommandRequest['name'], extra: Partial<CommandRequest> = {}) =>
    core.gateway.command({
      name,
      args: [],
      principal,
      conversation: group,
      sessionKey: 'telegram:-100',
      ...extra,
    });

  it('a stranger gets the polite refusal for every command, and nothing about the agent', async () => {
    for (const name of ['status', 'approvals', 'help', 'usage', 'cancel'] as const) {
      const answer = await command(STRANGER, name);
      expect([name, answer.ok]).toEqual([name, false]);
      expect(answer.text).toMatch(/not on the list/);
      expect(answer.text).not.toContain(approvalId);
      expect(answer.text).not.toContain('test_action');
      expect(answer.text).not.toContain(ALICE);
      expect(answer.text).not.toMatch(/Model:|Runs:|Commands:/);
    }
  });

  it('/approvals shows a member only their own pending requests and an approver all of them', async () => {
    const alice = await command(ALICE, 'approvals');
    expect(alice.ok).toBe(true);
    expect(alice.text).toContain(approvalId);
    const bob = await command(BOB, 'approvals');
    expect(bob.ok).toBe(true);
    expect(bob.text).not.toContain(approvalId);
    const approver = await command(APPROVER, 'approvals');
    expect(approver.text).toContain('Pending approvals:');
    expect(approver.text).toContain(approvalId);
  });

  it('/status answers a member with the model and the counts', async () => {
    const status = await command(BOB, 'status');
    expect(status.ok).toBe(true);
    expect(status.text).toContain('Model: scripted');
    expect(status.text).toContain('Approvals pending: 1');
  });

  it("/cancel of someone else's run is refused without telling its state", async () => {
    const [run] = await core.journal.listRuns({ limit: 1 });
    const answer = await command(BOB, 'cancel', { args: [run!.id] });
    expect(answer.ok).toBe(false);
    expect(answer.text).toMatch(/may not cancel/);
    expect(answer.text).not.toMatch(/running|succeeded|accepted/);
    expect((await core.journal.getRun(run!.id))?.state).not.toBe('cancelled');
  });

  it('a command event delivered twice is answered once', async () => {
    const first = await command(BOB, 'status', { eventId: 'update-77' });
    expect(first.ok).toBe(true);
    expect(first.duplicate).toBeUndefined();
    const again = await command(BOB, 'status', { eventId: 'update-77' });
    expect(again).toEqual({ ok: true, text: '', duplicate: true });
    const stranger = await command(STRANGER, 'help', { eventId: 'update-78' });
    expect(stranger.text).toMatch(/not on the list/);
    expect((await command(STRANGER, 'help', { eventId: 'update-78' })).duplicate).toBe(true);
  });
});
