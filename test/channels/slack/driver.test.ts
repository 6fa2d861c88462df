import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/index.js';
import { createSlackDriver } from '../../fakes/slack/driver.js';
import type { ChannelDriver } from '../driver.js';
import { StubGateway } from '../stub-gateway.js';

describe('Slack channel driver', () => {
  let driver: ChannelDriver;
  let gateway: StubGateway;
  let channel: Channel;
  beforeEach(async () => {
    driver = createSlackDriver();
    gateway = new StubGateway();
    channel = await driver.start(gateway);
  });
  afterEach(async () => {
    await driver.stop();
  });

  it('delivers what a person says once, even when Slack delivers it again', async () => {
    const eventId = await driver.userSays({ user: 'U0ANN', text: 'hello bot', where: 'group' });
    await driver.redeliverLast();
    expect(gateway.received).toHaveLength(1);
    expect(gateway.received[0]).toMatchObject({
      eventId,
      principal: driver.principalOf('U0ANN'),
      text: 'hello bot',
    });
    await driver.userSays({ user: 'U0ANN', text: 'in private', where: 'dm' });
    expect(gateway.received[1]).toMatchObject({ text: 'in private', conversation: { channel: 'DU0ANN' } });
  });

  it('shows replies and cards as a person sees them, and reports what a refused clicker was told', async () => {
    await driver.userSays({ user: 'U0ANN', text: 'run ls', where: 'group' });
    const conversation = gateway.received[0]!.conversation;
    await channel.send({ conversation, text: 'a < b & c' });
    const { messageIds } = await channel.presentApproval({
      approvalId: 'ap_1',
      runId: 'r1',
      conversation,
      requester: driver.principalOf('U0ANN'),
      tool: 'shell_exec',
      argsPreview: '{"command":"ls"}',
      expiresAt: Date.now() + 60_000,
      state: 'pending',
      decidedBy: null,
      allowSessionScope: false,
    });
    const [reply, card] = driver.posted();
    expect(reply).toMatchObject({ text: 'a < b & c', thread: conversation.thread, buttons: [] });
    expect(card?.buttons.map((b) => b.verb)).toEqual(['approve', 'deny']);
    gateway.decide = () => ({ ok: false, code: 'forbidden', message: 'Only approvers may decide.' });
    const shown = await driver.click({ user: 'U0EVE', messageId: messageIds[0]!, verb: 'approve' });
    expect(shown).toBe('Only approvers may decide.');
    expect(gateway.decisions[0]?.decider).toBe(driver.principalOf('U0EVE'));
  });

  it('returns the ephemeral answer of a slash command', async () => {
    gateway.answer = (request) => ({ ok: true, text: `usage for ${request.args.join(' ')}` });
    expect(await driver.slash({ user: 'U0ADA', name: 'usage', args: ['all', '7'] })).toBe('usage for all 7');
  });
});
