import type { Update } from 'grammy/types';
import { createTelegramChannel } from '../../../channels/telegram/index.js';
import type {
  Channel,
  GatewayPort,
  SessionScope,
  WebhookRequest,
  WebhookResponse,
} from '../../../src/index.js';
import type { ChannelDriver, PostedMessage } from '../../channels/driver.js';
import { FakeBotApi, type FakeButton, type FakeMessage } from './fake-bot-api.js';
import { FAKE_GROUP, type FakeUser } from './updates.js';

type Verb = PostedMessage['buttons'][number]['verb'];
type WebhookHandler = (request: WebhookRequest) => Promise<WebhookResponse>;

const VERB_OF_LETTER: Record<string, Verb> = {
  a: 'approve',
  d: 'deny',
  s: 'approve_session',
  w: 'approve_always',
};
const WEBHOOK_URL = 'https://switchboard.example.com/telegram/webhook';
const WEBHOOK_SECRET = 'driver-webhook-secret';

/** Options of the Telegram driver. */
export interface TelegramDriverOptions {
  sessionScope?: SessionScope;
  /** `polling` (the default) reads updates from the fake's queue; `webhook` posts them to the handler. */
  transport?: 'polling' | 'webhook';
}

function verbOf(button: FakeButton): Verb | undefined {
  const letter = /^sb:([adsw]):/.exec(button.callback_data ?? '')?.[1];
  return letter === undefined ? undefined : VERB_OF_LETTER[letter];
}

/**
 * Drives the real grammY bot of `channels/telegram` against the fake Bot API as people would:
 * messages and clicks become updates — fetched by the adapter's long poll, or posted to its webhook
 * — and what the bot posted is read back from the fake. Non-numeric user names are given stable
 * numeric Telegram ids.
 */
export function createTelegramDriver(options: TelegramDriverOptions = {}): ChannelDriver {
  const transport = options.transport ?? 'polling';
  const userIds = new Map<string, number>();
  const webhooks = new Map<string, WebhookHandler>();
  let fake: FakeBotApi | undefined;
  let channel: Channel | undefined;
  let last: Update | undefined;
  let lastCommand: Update | undefined;

  const live = (): { fake: FakeBotApi; channel: Channel } => {
    if (!fake || !channel) throw new Error('the Telegram driver is not started');
    return { fake, channel };
  };
  const idOf = (user: string): number => {
    if (/^\d+$/.test(user)) return Number(user);
    const known = userIds.get(user);
    if (known !== undefined) return known;
    const id = 2_000_001 + userIds.size;
    userIds.set(user, id);
    return id;
  };
  const userOf = (user: string): FakeUser => ({ id: idOf(user), first_name: user });

  /** Hands an update to the adapter and resolves once it was handled. */
  const deliver = async (update: Update): Promise<void> => {
    const { fake } = live();
    if (transport === 'polling') {
      fake.enqueue(update);
      await fake.waitForConfirmed(update.update_id);
      return;
    }
    const handler = webhooks.get('/telegram/webhook');
    if (!handler) throw new Error('the Telegram channel registered no /telegram/webhook');
    const response = await fake.deliverToWebhook(handler, update);
    if (response.status !== 200) throw new Error(`Telegram webhook answered ${response.status}`);
  };

  /** Delivers an update again: a webhook retry, or a poller that restarts before confirming it. */
  const redeliver = async (update: Update): Promise<void> => {
    const { fake, channel } = live();
    if (transport === 'webhook') {
      await deliver(update); // Telegram retries a webhook delivery with the same update
      return;
    }
    // A poller only sees a confirmed update again after a crash: model exactly that.
    await channel.stop();
    fake.requeue(update);
    await channel.start();
    await fake.waitForConfirmed(update.update_id);
  };

  /** The texts of the bot's replies to a person's message, in order. */
  const repliesTo = (update: Update): string[] => {
    const asked = update.message?.message_id;
    return live()
      .fake.messages.filter((m) => m.replyTo === asked)
      .map((m) => m.text);
  };

  const render = (message: FakeMessage): PostedMessage => ({
    id: String(message.message_id),
    channel: String(message.chat_id),
    ...(message.thread === undefined ? {} : { thread: String(message.thread) }),
    text: message.text,
    buttons: message.buttons.flat().flatMap((button) => {
      const verb = verbOf(button);
      return verb === undefined ? [] : [{ label: button.text, verb }];
    }),
    edits: message.edits,
    ...(message.editedAt ? { editedAt: [...message.editedAt] } : {}),
    ...(message.file ? { files: [{ name: message.file.filename, size: message.file.size }] } : {}),
  });

  return {
    platform: 'telegram',
    messageLimit: 4096,
    recognisesRepost: false,
    rateLimitNextEdit(retryAfterMs) {
      live().fake.rateLimitNext('editMessageText', Math.ceil(retryAfterMs / 1000));
    },
    pendingFaults: () => live().fake.pendingFaults,
    loseNextPostAnswer() {
      live().fake.loseNextAnswer('sendMessage');
    },
    async start(gateway: GatewayPort) {
      fake = await FakeBotApi.start();
      const capturing: GatewayPort = {
        receive: (message) => gateway.receive(message),
        decideApproval: (request) => gateway.decideApproval(request),
        command: (request) => gateway.command(request),
        mayChat: (principal) => gateway.mayChat(principal),
        registerWebhook: (path, handler) => {
          webhooks.set(path, handler);
          gateway.registerWebhook(path, handler);
        },
        recordEvent: (type, data) => gateway.recordEvent(type, data),
        get logger() {
          return gateway.logger;
        },
      };
      channel = createTelegramChannel(
        {
          token: fake.token,
          apiRoot: fake.apiRoot,
          sessionScope: options.sessionScope ?? 'channel',
          ...(transport === 'webhook' ? { webhookUrl: WEBHOOK_URL, webhookSecret: WEBHOOK_SECRET } : {}),
        },
        capturing,
      );
      await channel.start();
      return channel;
    },
    async stop() {
      await channel?.stop();
      await fake?.stop();
      channel = undefined;
      fake = undefined;
    },
    async userSays({ user, text, where }) {
      const { fake } = live();
      const update =
        where === 'dm'
          ? fake.makeMessage({ from: userOf(user), text })
          : fake.makeMessage({ from: userOf(user), chat: FAKE_GROUP, text: `@${fake.bot.username} ${text}` });
      last = update;
      await deliver(update);
      return String(update.update_id);
    },
    async redeliverLast() {
      if (!last) throw new Error('nothing was said yet');
      await redeliver(last);
    },
    posted() {
      return live()
        .fake.messages.filter((m) => !m.deleted)
        .map(render);
    },
    async click({ user, messageId, verb }) {
      const { fake } = live();
      const message = fake.messages.find((m) => String(m.message_id) === messageId);
      if (!message) throw new Error(`no message ${messageId}`);
      // A stale client may still show buttons the bot already removed: use what was first shown.
      const buttons = message.buttons.length > 0 ? message.buttons : message.firstButtons;
      const button = buttons.flat().find((b) => verbOf(b) === verb);
      if (!button?.callback_data) throw new Error(`message ${messageId} never showed a ${verb} button`);
      const update = fake.makeCallback({ from: userOf(user), message, data: button.callback_data });
      await deliver(update);
      const id = update.callback_query?.id;
      const text = fake.answers.find((a) => a.callback_query_id === id)?.text;
      return text === undefined || text === '' ? undefined : text;
    },
    async slash({ user, name, args = [], where = 'dm' }) {
      const { fake } = live();
      const text = [`/${name}`, ...args].join(' ');
      const update =
        where === 'dm'
          ? fake.makeMessage({ from: userOf(user), text })
          : fake.makeMessage({ from: userOf(user), chat: FAKE_GROUP, text });
      lastCommand = update;
      await deliver(update);
      return repliesTo(update).join('\n');
    },
    // Telegram has no ephemeral messages: a command is answered with a reply in its chat.
    privateSlashAnswers: false,
    lastSlashWasPrivate: () => false,
    async redeliverLastSlash() {
      if (!lastCommand) throw new Error('no command was run yet');
      await redeliver(lastCommand);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return repliesTo(lastCommand);
    },
    principalOf(user) {
      return `telegram:${idOf(user)}`;
    },
    groupConversation: () => ({ channel: String(FAKE_GROUP.id) }),
  };
}
