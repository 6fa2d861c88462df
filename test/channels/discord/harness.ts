import { createDiscordChannel, type DiscordChannelConfig } from '../../../channels/discord/index.js';
import type { Channel, InboundMessage, ReceiveResult } from '../../../src/index.js';
import { FakeDiscord, type FakeDiscordOptions } from '../../fakes/discord/index.js';
import { StubGateway } from '../stub-gateway.js';

/** The stub gateway, also remembering every message handed over (duplicates included). */
export class RecordingGateway extends StubGateway {
  readonly calls: InboundMessage[] = [];

  override async receive(message: InboundMessage): Promise<ReceiveResult> {
    this.calls.push(message);
    return super.receive(message);
  }
}

/** A started fake Discord with the real adapter connected to it through a stub gateway. */
export interface Harness {
  fake: FakeDiscord;
  gateway: RecordingGateway;
  channel: Channel;
  config: DiscordChannelConfig;
  stop(): Promise<void>;
}

/** Starts the fake and the adapter; `config` overrides the adapter settings. */
export async function startHarness(
  config: Partial<DiscordChannelConfig> = {},
  fakeOptions: FakeDiscordOptions = {},
): Promise<Harness> {
  const fake = await FakeDiscord.start(fakeOptions);
  const gateway = new RecordingGateway();
  const full: DiscordChannelConfig = {
    token: fake.token,
    applicationId: fake.world.applicationId,
    apiUrl: fake.apiUrl,
    sessionScope: 'channel',
    guildIds: [],
    channelIds: [],
    ...config,
  };
  const channel = createDiscordChannel(full, gateway);
  try {
    await channel.start();
  } catch (error) {
    await fake.stop();
    throw error;
  }
  return {
    fake,
    gateway,
    channel,
    config: full,
    async stop() {
      await channel.stop();
      await fake.stop();
    },
  };
}
