import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeWorld } from '../../fakes/discord/index.js';
import { type Harness, startHarness } from './harness.js';

/** Long enough for the adapter to have handled an event it was going to handle. */
const SETTLE_MS = 300;

describe('discord inbound', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const received = (count: number) =>
    h!.fake.waitFor(() => h!.gateway.calls.length >= count && h!.gateway.calls);

  it('DM → InboundMessage with the right principal, session key and text', async () => {
    h = await startHarness();
    const alice = h.fake.world.user('alice');
    const id = h.fake.say({ user: 'alice', text: 'hello there', where: 'dm' });
    const [message] = await received(1);
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
    expect(message?.attachments).toBeUndefined();
  });

  it('guild mention → mention stripped, session key per channel scope', async () => {
    h = await startHarness({ sessionScope: 'channel' });
    const { world } = h.fake;
    const bob = world.user('bob');
    h.fake.say({ user: 'bob', text: 'what time is it?', where: 'general', mention: true });
    h.fake.say({ user: 'bob', text: `and now <@${world.bot.id}> ?`, where: 'joinedThread' });
    const [inChannel, inThread] = await received(2);
    expect(inChannel).toMatchObject({
      principal: `discord:${bob.id}`,
      sessionKey: `discord:${world.guildId}:${world.general.id}`,
      conversation: { platform: 'discord', workspace: world.guildId, channel: world.general.id },
      text: 'what time is it?',
    });
    expect(inChannel?.conversation.thread).toBeUndefined();
    expect(inThread).toMatchObject({
      sessionKey: `discord:${world.guildId}:${world.general.id}`,
      conversation: { workspace: world.guildId, channel: world.general.id, thread: world.joinedThread.id },
      text: 'and now ?',
    });
  });

  it('thread scope keys sessions by thread, falling back to the channel outside threads', async () => {
    h = await startHarness({ sessionScope: 'thread' });
    const { world } = h.fake;
    h.fake.say({ user: 'bob', text: 'in the thread', where: 'joinedThread' });
    await received(1);
    h.fake.say({ user: 'bob', text: 'in the channel', where: 'general', mention: true });
    const [inThread, inChannel] = await received(2);
    expect(inThread?.sessionKey).toBe(`discord:${world.guildId}:${world.joinedThread.id}`);
    expect(inChannel?.sessionKey).toBe(`discord:${world.guildId}:${world.general.id}`);
  });

  it('user scope keys sessions by guild and person', async () => {
    h = await startHarness({ sessionScope: 'user' });
    const { world } = h.fake;
    const carol = world.user('carol');
    h.fake.say({ user: 'carol', text: 'mine', where: 'general', mention: true });
    const [message] = await received(1);
    expect(message?.sessionKey).toBe(`discord:${world.guildId}:user:${carol.id}`);
  });

  it('in a server, chatter not addressed to the bot is ignored, a reply to the bot is not', async () => {
    h = await startHarness({ channelIds: [] });
    const { fake } = h;
    fake.say({ user: 'dave', text: 'just chatting', where: 'general' });
    fake.say({ user: 'dave', text: 'not with the bot', where: 'otherThread' });
    fake.say({ user: 'dave', text: 'no mention here', where: 'agent' });
    await delay(SETTLE_MS);
    expect(h.gateway.calls).toHaveLength(0);

    const botPost = await h.channel.send({
      conversation: { platform: 'discord', workspace: fake.world.guildId, channel: fake.world.general.id },
      text: 'I am here',
    });
    fake.say({ user: 'dave', text: 'replying to you', where: 'general', replyTo: botPost.messageIds[0]! });
    const [reply] = await received(1);
    expect(reply?.text).toBe('replying to you');
  });

  it('every message in a configured channel (and its threads) and in a joined thread reaches the agent', async () => {
    const world = new FakeWorld();
    h = await startHarness({ channelIds: [world.agent.id] }, { world });
    h.fake.say({ user: 'gina', text: 'no mention needed', where: 'agent' });
    h.fake.say({ user: 'gina', text: 'the bot is in this thread', where: 'joinedThread' });
    const [inAgent, inThread] = await received(2);
    expect(inAgent).toMatchObject({ text: 'no mention needed', conversation: { channel: world.agent.id } });
    expect(inThread).toMatchObject({
      text: 'the bot is in this thread',
      conversation: { thread: world.joinedThread.id },
    });
  });

  it('a message from a bot is ignored, and so are the bot’s own posts', async () => {
    h = await startHarness();
    h.fake.say({ user: 'otherbot', bot: true, text: 'beep', where: 'dm' });
    h.fake.say({ user: 'otherbot', bot: true, text: 'beep', where: 'general', mention: true });
    await h.channel.send({
      conversation: {
        platform: 'discord',
        workspace: h.fake.world.guildId,
        channel: h.fake.world.general.id,
      },
      text: `<@${h.fake.world.bot.id}> talking to myself`,
    });
    await delay(SETTLE_MS);
    expect(h.gateway.calls).toHaveLength(0);
  });

  it('attachments are handed over as metadata', async () => {
    h = await startHarness();
    h.fake.say({
      user: 'erin',
      text: 'see file',
      where: 'dm',
      attachments: [{ filename: 'notes.txt', size: 42, contentType: 'text/plain' }],
    });
    const [message] = await received(1);
    expect(message?.attachments).toEqual([
      { name: 'notes.txt', url: expect.stringContaining('/notes.txt'), size: 42, mimeType: 'text/plain' },
    ]);
  });

  it('duplicate MESSAGE_CREATE → the same event id every time (the gateway dedupes)', async () => {
    h = await startHarness();
    const id = h.fake.say({ user: 'frank', text: 'once please', where: 'dm' });
    await received(1);
    h.fake.redeliver(id);
    await received(2);
    expect(h.gateway.calls.map((call) => call.eventId)).toEqual([id, id]);
    expect(h.gateway.received).toHaveLength(1);
  });

  it('a refused principal gets one polite reply', async () => {
    h = await startHarness();
    const mallory = h.fake.world.user('mallory');
    h.gateway.refused.add(`discord:${mallory.id}`);
    const id = h.fake.say({ user: 'mallory', text: 'let me in', where: 'general', mention: true });
    await received(1);
    const [reply] = await h.fake.waitFor(() => h!.fake.posted().length > 0 && h!.fake.posted());
    await delay(SETTLE_MS);
    expect(h.fake.posted()).toHaveLength(1);
    expect(reply).toMatchObject({ channelId: h.fake.world.general.id, referenceId: id });
    expect(reply?.content).toMatch(/not allowed/);
    expect(h.gateway.received).toHaveLength(0);
  });
});
