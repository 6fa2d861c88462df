import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordDriver } from '../../fakes/discord/driver.js';
import type { ChannelDriver } from '../driver.js';
import { RecordingGateway } from './harness.js';

describe('discord contract driver', () => {
  let driver: ChannelDriver | undefined;
  afterEach(async () => {
    await driver?.stop();
    driver = undefined;
  });

  it('drives a conversation, a card click and a slash command through the fake as a person would', async () => {
    driver = createDiscordDriver();
    const gateway = new RecordingGateway();
    const channel = await driver.start(gateway);

    const eventId = await driver.userSays({ user: 'alice', text: 'hi', where: 'group' });
    await expect.poll(() => gateway.calls.length).toBe(1);
    expect(gateway.calls[0]).toMatchObject({ eventId, principal: driver.principalOf('alice'), text: 'hi' });
    await driver.redeliverLast();
    await expect.poll(() => gateway.calls.length).toBe(2);
    expect(gateway.calls[1]?.eventId).toBe(eventId);

    const conversation = gateway.calls[0]!.conversation;
    const receipt = await channel.presentApproval({
      approvalId: '01J0APPROVAL0000000000000A',
      runId: '01J0RUN00000000000000000RR',
      conversation,
      requester: driver.principalOf('alice'),
      tool: 'shell_exec',
      argsPreview: '{"command":"date"}',
      expiresAt: Date.now() + 60_000,
      state: 'pending',
      decidedBy: null,
      allowSessionScope: false,
    });
    const [card] = driver.posted();
    expect(card).toMatchObject({ id: receipt.messageIds[0], channel: conversation.channel, edits: 0 });
    expect(card?.buttons).toEqual([
      { label: 'Approve', verb: 'approve' },
      { label: 'Deny', verb: 'deny' },
    ]);
    gateway.decide = () => ({ ok: false, code: 'forbidden', message: 'You cannot approve this.' });
    expect(await driver.click({ user: 'bob', messageId: card!.id, verb: 'approve' })).toBe(
      'You cannot approve this.',
    );
    expect(driver.posted().find((message) => message.ephemeralTo === 'bob')?.text).toBe(
      'You cannot approve this.',
    );

    gateway.answer = (request) => ({ ok: true, text: `usage ${request.args.join(',')}` });
    expect(await driver.slash({ user: 'alice', name: 'usage', args: ['all', '7'] })).toBe('usage all,7');
    expect(driver.messageLimit).toBe(2000);
  });
});
