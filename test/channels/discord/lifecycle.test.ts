import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordChannel } from '../../../channels/discord/index.js';
import { ChannelError } from '../../../src/index.js';
import { StubGateway } from '../stub-gateway.js';
import { type Harness, startHarness } from './harness.js';

describe('discord lifecycle', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('is a singleton: one gateway connection per bot, held by one replica', () => {
    const channel = createDiscordChannel(
      { token: 't', applicationId: '1', sessionScope: 'channel', guildIds: [], channelIds: [] },
      new StubGateway(),
    );
    expect(channel.singleton).toBe(true);
  });

  it('bad token → a clear error that says where to get the right one', async () => {
    const error = await startHarness({ token: 'not-the-token' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'permanent' });
    expect((error as Error).message).toMatch(/rejected the bot token \(401\).*DISCORD_BOT_TOKEN/);
    expect((error as Error).message).not.toContain('not-the-token');
  });

  it('missing Message Content intent (close 4014) → a clear error naming the Developer Portal switch', async () => {
    const error = await startHarness({}, { messageContentEnabled: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as Error).message).toMatch(/enable Message Content intent in the Developer Portal → Bot/);
  });

  it('start identifies with exactly the needed intents and records channel.up; stop records channel.down', async () => {
    h = await startHarness();
    expect(h.gateway.events).toEqual([
      {
        type: 'channel.up',
        data: expect.objectContaining({ channel: 'discord', device: `discord:${h.config.applicationId}` }),
      },
    ]);
    const identify = h.fake.gateway.received.filter((payload) => payload.op === 2);
    expect(identify).toHaveLength(1);
    // Guilds | GuildMessages | DirectMessages | MessageContent, nothing else.
    expect(identify[0]?.intents).toBe((1 << 0) | (1 << 9) | (1 << 12) | (1 << 15));
    await h.channel.stop();
    expect(h.gateway.events.map((event) => event.type)).toEqual(['channel.up', 'channel.down']);
    await expect(
      h.channel.send({ conversation: { platform: 'discord', channel: h.fake.world.general.id }, text: 'x' }),
    ).rejects.toMatchObject({ kind: 'transient' });
    await h.fake.stop();
    h = undefined;
  });

  it('a dropped connection resumes and the messages sent meanwhile still arrive', async () => {
    h = await startHarness();
    const { fake, gateway } = h;
    fake.gateway.dropConnection();
    const id = fake.say({ user: 'alice', text: 'while you were away', where: 'dm' });
    await fake.waitFor(() => gateway.calls.length === 1, 10_000);
    expect(gateway.calls[0]?.eventId).toBe(id);
    expect(fake.gateway.received.some((payload) => payload.op === 6)).toBe(true);
  });
});
