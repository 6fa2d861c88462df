import type { Update } from 'grammy/types';
import { createTelegramChannel, type TelegramChannelConfig } from '../../../channels/telegram/index.js';
import type { Channel, GatewayPort } from '../../../src/index.js';
import { FakeBotApi } from '../../fakes/telegram/fake-bot-api.js';
import type { FakeUser } from '../../fakes/telegram/updates.js';
import { StubGateway } from '../stub-gateway.js';

/** One log line the adapter wrote. */
export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  obj: object;
  msg: string | undefined;
}

/** The stub gateway plus a logger that remembers what the adapter logged. */
export class RecordingGateway extends StubGateway {
  readonly logs: LogLine[] = [];
  // Parameters are optional so this stays assignable to the stub's no-argument logger type.
  override readonly logger = {
    info: (obj: object = {}, msg?: string) => void this.logs.push({ level: 'info', obj, msg }),
    warn: (obj: object = {}, msg?: string) => void this.logs.push({ level: 'warn', obj, msg }),
    error: (obj: object = {}, msg?: string) => void this.logs.push({ level: 'error', obj, msg }),
    debug: (obj: object = {}, msg?: string) => void this.logs.push({ level: 'debug', obj, msg }),
  };
}

export const ALICE: FakeUser = { id: 1001, first_name: 'Alice', username: 'alice' };
export const BOB: FakeUser = { id: 1002, first_name: 'Bob', username: 'bob' };

/** The webhook settings used by webhook-mode tests. */
export const WEBHOOK = {
  webhookUrl: 'https://bot.example.com/telegram/webhook',
  webhookSecret: 'correct-Secret_42',
};

/** A running adapter on a fresh fake. */
export interface Harness {
  fake: FakeBotApi;
  gateway: RecordingGateway;
  channel: Channel;
  /** Creates another adapter on the same fake (e.g. after a restart). */
  newChannel(gateway?: GatewayPort): Channel;
  /** Queues an update and waits until the adapter confirmed it. */
  deliver(update: Update): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a fake Bot API and a Telegram channel wired to a recording stub gateway. */
export async function startTelegram(
  options: { config?: Partial<TelegramChannelConfig>; gateway?: RecordingGateway; start?: boolean } = {},
): Promise<Harness> {
  const fake = await FakeBotApi.start();
  const gateway = options.gateway ?? new RecordingGateway();
  const newChannel = (g: GatewayPort = gateway) =>
    createTelegramChannel(
      { token: fake.token, apiRoot: fake.apiRoot, sessionScope: 'channel', ...options.config },
      g,
    );
  const channel = newChannel();
  if (options.start !== false) await channel.start();
  return {
    fake,
    gateway,
    channel,
    newChannel,
    async deliver(update) {
      fake.enqueue(update);
      await fake.waitForConfirmed(update.update_id);
    },
    async stop() {
      await channel.stop();
      await fake.stop();
    },
  };
}
