import { createSlackChannel, type SlackChannel } from '../../../channels/slack/index.js';
import type { GatewayPort, SessionScope } from '../../../src/index.js';
import type { ChannelDriver, PostedMessage } from '../../channels/driver.js';
import { SlackRequestSender, type WebhookHandler } from './requests.js';
import { type FakeMessage, FakeSlackApi } from './web-api.js';

type Verb = PostedMessage['buttons'][number]['verb'];

const SIGNING_SECRET = 'fake-signing-secret';
const GROUP_CHANNEL = 'C0GENERAL';
const VERBS: Record<string, Verb> = {
  sb_approve: 'approve',
  sb_deny: 'deny',
  sb_approve_session: 'approve_session',
  sb_approve_always: 'approve_always',
};

/** Options of the Slack driver. */
export interface SlackDriverOptions {
  sessionScope?: SessionScope;
}

/** Wraps a gateway so the webhook handler the channel registers is captured (and still registered). */
export function capturingGateway(gateway: GatewayPort, captured: Map<string, WebhookHandler>): GatewayPort {
  return {
    receive: (message) => gateway.receive(message),
    decideApproval: (request) => gateway.decideApproval(request),
    command: (request) => gateway.command(request),
    mayChat: (principal) => gateway.mayChat(principal),
    registerWebhook: (path, handler) => {
      captured.set(path, handler);
      gateway.registerWebhook(path, handler);
    },
    recordEvent: (type, data) => gateway.recordEvent(type, data),
    get logger() {
      return gateway.logger;
    },
  };
}

/**
 * Drives the real Bolt app of `channels/slack` against the fake Web API: people's messages and
 * clicks arrive as correctly signed HTTP requests at the handler the channel registered, and what
 * the bot posted is read back from the fake.
 */
export function createSlackDriver(options: SlackDriverOptions = {}): ChannelDriver {
  const fake = new FakeSlackApi();
  const handlers = new Map<string, WebhookHandler>();
  const sender = new SlackRequestSender(SIGNING_SECRET, () => {
    const handler = handlers.get('/slack/events');
    if (!handler) throw new Error('the Slack channel registered no /slack/events webhook');
    return handler;
  });
  const buttonValues = new Map<string, Partial<Record<Verb, string>>>();
  let channel: SlackChannel | undefined;
  let last: { event: Record<string, unknown>; eventId: string; retries: number } | undefined;
  let eventIds = 0;
  /** Each slash command gets its own trigger id, as on Slack. */
  let triggerIds = 0;
  let lastSlashPrivate: boolean | undefined;
  /** The last slash command's form and its response URL's id, for a replay. */
  let lastSlash: { form: Record<string, string>; responseId: string | undefined } | undefined;
  /** Where each person last wrote: slash commands are typed there. */
  const lastChannel = new Map<string, string>();

  const deliver = async (event: Record<string, unknown>, eventId: string, retryNum?: number) => {
    const response = await sender.event(event, {
      team: fake.team,
      eventId,
      ...(retryNum ? { retryNum, retryReason: 'http_timeout' } : {}),
    });
    if (response.status !== 200)
      throw new Error(`Slack event answered ${response.status}: ${response.body ?? ''}`);
  };

  const render = (message: FakeMessage): PostedMessage => {
    const buttons = buttonsOf(message);
    const remembered = buttonValues.get(message.ts) ?? {};
    for (const button of buttons) remembered[button.verb] = button.value;
    buttonValues.set(message.ts, remembered);
    return {
      id: message.ts,
      channel: message.channel,
      ...(message.thread_ts ? { thread: message.thread_ts } : {}),
      text: visibleText(message),
      buttons: buttons.map(({ label, verb }) => ({ label, verb })),
      edits: message.edits,
      ...(message.editedAt ? { editedAt: [...message.editedAt] } : {}),
      ...(message.files ? { files: message.files.map(({ name, size }) => ({ name, size })) } : {}),
      ...(message.ephemeralTo ? { ephemeralTo: message.ephemeralTo } : {}),
    };
  };

  const posted = () =>
    fake
      .botMessages()
      .filter((message) => !message.deleted)
      .map(render);

  return {
    platform: 'slack',
    messageLimit: 40_000,
    recognisesRepost: true,
    rateLimitNextEdit(retryAfterMs) {
      fake.failNext('chat.update', { status: 429, retryAfter: Math.ceil(retryAfterMs / 1000) });
    },
    pendingFaults: () => fake.pendingFaults,
    loseNextPostAnswer() {
      // A reply part (its metadata says so), not a status line posted while the run works.
      fake.failNext('chat.postMessage', {
        lostAnswer: true,
        onlyIf: (args) =>
          (args.metadata as { event_type?: string } | undefined)?.event_type === 'switchboard_reply',
      });
    },
    async start(gateway) {
      await fake.start();
      channel = createSlackChannel(
        {
          botToken: 'xoxb-fake-token',
          signingSecret: SIGNING_SECRET,
          apiUrl: fake.apiUrl,
          sessionScope: options.sessionScope ?? 'thread',
          command: '/switchboard',
        },
        capturingGateway(gateway, handlers),
      );
      await channel.start();
      return channel;
    },
    async stop() {
      await channel?.stop();
      channel = undefined;
      await fake.stop();
    },
    async userSays({ user, text, where }) {
      const ts = fake.nextTs();
      const dm = where === 'dm';
      const channelId = dm ? `D${user}` : GROUP_CHANNEL;
      const messageText = dm ? text : `<@${fake.botUserId}> ${text}`;
      fake.addUserMessage({ channel: channelId, user, text: messageText, ts });
      lastChannel.set(user, channelId);
      const event: Record<string, unknown> = dm
        ? {
            type: 'message',
            channel_type: 'im',
            channel: channelId,
            user,
            text,
            ts,
            team: fake.team,
            event_ts: ts,
          }
        : {
            type: 'app_mention',
            channel: channelId,
            user,
            text: messageText,
            ts,
            team: fake.team,
            event_ts: ts,
          };
      eventIds += 1;
      last = { event, eventId: `EvDriver${eventIds}`, retries: 0 };
      await deliver(event, last.eventId);
      return `${channelId}:${ts}`;
    },
    async redeliverLast() {
      if (!last) throw new Error('nothing was said yet');
      last.retries += 1;
      await deliver(last.event, last.eventId, last.retries);
    },
    posted,
    async click({ user, messageId, verb }) {
      const message = fake.messages.find((m) => m.ts === messageId);
      if (!message) throw new Error(`no message ${messageId}`);
      render(message);
      const value = buttonValues.get(messageId)?.[verb];
      if (!value) throw new Error(`message ${messageId} never showed a ${verb} button`);
      const before = fake.messages.length;
      const responsesBefore = fake.responses.length;
      const actionId = Object.entries(VERBS).find(([, v]) => v === verb)?.[0] ?? 'sb_approve';
      const response = await sender.interaction({
        type: 'block_actions',
        team: { id: fake.team, domain: 'fake' },
        user: { id: user, username: user, name: user, team_id: fake.team },
        api_app_id: 'A0FAKE',
        token: 'legacy',
        container: {
          type: 'message',
          message_ts: messageId,
          channel_id: message.channel,
          is_ephemeral: false,
        },
        trigger_id: 'trigger-1',
        channel: { id: message.channel, name: 'general' },
        message: {
          type: 'message',
          ts: messageId,
          text: message.text,
          ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
        },
        response_url: fake.responseUrl(),
        actions: [
          {
            type: 'button',
            action_id: actionId,
            block_id: 'sb_approval',
            value,
            action_ts: String(Date.now() / 1000),
          },
        ],
      });
      if (response.status !== 200) throw new Error(`click answered ${response.status}`);
      await channel?.settled();
      const shown = fake.messages.slice(before).filter((m) => m.ephemeralTo === user);
      const responded = fake.responses.slice(responsesBefore).map((r) => r.body.text);
      const text = shown.at(-1) ? visibleText(shown.at(-1) as FakeMessage) : responded.at(-1);
      return typeof text === 'string' ? text : undefined;
    },
    async slash({ user, name, args = [], where }) {
      const responseUrl = fake.responseUrl();
      const id = responseUrl.split('/').at(-1);
      const channelId =
        where === 'dm'
          ? `D${user}`
          : where === 'group'
            ? GROUP_CHANNEL
            : (lastChannel.get(user) ?? GROUP_CHANNEL);
      const postedBefore = fake.messages.length;
      triggerIds += 1;
      const form = {
        token: 'legacy',
        team_id: fake.team,
        team_domain: 'fake',
        channel_id: channelId,
        channel_name: 'general',
        user_id: user,
        user_name: user,
        command: '/switchboard',
        text: [name, ...args].join(' '),
        api_app_id: 'A0FAKE',
        response_url: responseUrl,
        trigger_id: `trigger-${triggerIds}`,
      };
      lastSlash = { form, responseId: id };
      const response = await sender.slash(form);
      if (response.status !== 200) throw new Error(`slash command answered ${response.status}`);
      await channel?.settled();
      const answered = fake.responses.filter((r) => r.id === id).at(-1)?.body;
      // Private: answered through the response URL as ephemeral, and nothing posted in the channel.
      const postedInChannel = fake.messages.slice(postedBefore).some((m) => m.ephemeralTo !== user);
      lastSlashPrivate = answered !== undefined && answered.response_type === 'ephemeral' && !postedInChannel;
      const answer = answered?.text;
      return typeof answer === 'string' ? unescapeMrkdwn(answer) : (response.body ?? '');
    },
    privateSlashAnswers: true,
    lastSlashWasPrivate() {
      if (lastSlashPrivate === undefined) throw new Error('no command was run yet');
      return lastSlashPrivate;
    },
    // Slack itself does not retry a slash command (a late ack shows the caller an error), but the
    // same signed request can arrive twice: a reverse proxy or load balancer retrying a request
    // it thought timed out. Same trigger id, same response URL, as the proxy would replay it.
    async redeliverLastSlash() {
      if (!lastSlash) throw new Error('no command was run yet');
      const response = await sender.slash(lastSlash.form);
      if (response.status !== 200) throw new Error(`replayed slash command answered ${response.status}`);
      await channel?.settled();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answers = fake.responses.filter((r) => r.id === lastSlash?.responseId).map((r) => r.body.text);
      return answers.map((text) => (typeof text === 'string' ? unescapeMrkdwn(text) : ''));
    },
    principalOf: (user) => `slack:${fake.team}:${user}`,
    groupConversation: () => ({ workspace: fake.team, channel: GROUP_CHANNEL }),
  };
}

/** The buttons of a message's actions blocks. */
function buttonsOf(message: FakeMessage): { label: string; verb: Verb; value: string }[] {
  const out: { label: string; verb: Verb; value: string }[] = [];
  for (const block of message.blocks ?? []) {
    const b = block as {
      type?: string;
      elements?: { action_id?: string; value?: string; text?: { text?: string } }[];
    };
    if (b.type !== 'actions') continue;
    for (const element of b.elements ?? []) {
      const verb = VERBS[element.action_id ?? ''];
      if (verb) out.push({ label: element.text?.text ?? '', verb, value: element.value ?? '' });
    }
  }
  return out;
}

/** The text a person reads: the blocks' texts when there are blocks, the message text otherwise, unescaped. */
export function visibleText(message: FakeMessage): string {
  if (!message.blocks || message.blocks.length === 0) return unescapeMrkdwn(message.text);
  const parts: string[] = [];
  for (const block of message.blocks) {
    const b = block as { type?: string; text?: { text?: string }; elements?: { text?: string }[] };
    if (b.type === 'section' && b.text?.text) parts.push(b.text.text);
    if (b.type === 'context')
      for (const element of b.elements ?? []) if (element.text) parts.push(element.text);
  }
  let text = '';
  for (const part of parts) text += text === '' || text.endsWith('\n') ? part : `\n${part}`;
  return unescapeMrkdwn(text);
}

function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
