import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('discord inbound', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('DM → InboundMessage with the right principal, session key and text', async () => {
    h = await startHarness();
    const alice = h.fake.world.user('alice');
    const id = h.fake.say({ user: 'alice', text: 'hello there', where: 'dm' });
    const [message] = await h.fake.waitFor(() => h?.gateway.received.length === 1 && h.gateway.received);
    const dm = h.fake.world.dmWith(alice.id);
    expect(message).toMatchObject({
      channel: 'discord',
      eventId: id,
      device: `discord:${h.fake.world.applicationId}`,
      principal: `discord:${alice.id}`,
      displayName: 'alice',
      sessionKey: `discord:dm:${alice.id}`,
      conversation: { platform: 'discord', channel: dm.id },
      text: 'hello there',
    });
    expect(message?.conversation.workspace).toBeUndefined();
  });
});
