import {
  createSlackChannel,
  type SlackChannel,
  type SlackChannelConfig,
} from '../../../channels/slack/index.js';
import { SlackRequestSender } from '../../fakes/slack/requests.js';
import { FakeSlackApi } from '../../fakes/slack/web-api.js';
import { StubGateway } from '../stub-gateway.js';

/** The signing secret the harness configures and signs with. */
export const SECRET = 'test-signing-secret';

/** A started Slack channel wired to a StubGateway and the fake Web API. */
export interface SlackHarness {
  fake: FakeSlackApi;
  gateway: StubGateway;
  channel: SlackChannel;
  slack: SlackRequestSender;
  stop(): Promise<void>;
}

/** Starts the fake Web API and a Slack channel in HTTP mode against it. */
export async function startSlack(overrides: Partial<SlackChannelConfig> = {}): Promise<SlackHarness> {
  const fake = new FakeSlackApi();
  await fake.start();
  const gateway = new StubGateway();
  const channel = createSlackChannel(
    {
      botToken: 'xoxb-test',
      signingSecret: SECRET,
      apiUrl: fake.apiUrl,
      sessionScope: 'thread',
      command: '/switchboard',
      ...overrides,
    },
    gateway,
  );
  await channel.start();
  const slack = new SlackRequestSender(SECRET, () => {
    const handler = gateway.webhooks.get('/slack/events');
    if (!handler) throw new Error('no /slack/events webhook registered');
    return handler;
  });
  return {
    fake,
    gateway,
    channel,
    slack,
    async stop() {
      await channel.stop();
      await fake.stop();
    },
  };
}

/** A person's `app_mention` in #general. */
export function mention(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'app_mention',
    channel: 'C0GENERAL',
    user: 'U0ANN',
    team: 'T0FAKE',
    text: `<@U0BOT> ${text}`,
    ts: '1712345678.000100',
    event_ts: '1712345678.000100',
    ...extra,
  };
}

/** A person's `message` in #general (channel_type channel). */
export function channelMessage(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    channel_type: 'channel',
    channel: 'C0GENERAL',
    user: 'U0ANN',
    team: 'T0FAKE',
    text,
    ts: '1712345678.000100',
    event_ts: '1712345678.000100',
    ...extra,
  };
}
