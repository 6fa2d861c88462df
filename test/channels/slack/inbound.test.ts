import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelMessage, mention, type SlackHarness, startSlack } from './harness.js';

describe('Slack inbound messages', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlack();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('maps an app_mention to an InboundMessage with the principal, thread session key and the mention stripped', async () => {
    const response = await h.slack.event(mention('what is  <@U0BOT> up?'));
    expect(response.status).toBe(200);
    expect(h.gateway.received).toEqual([
      {
        channel: 'slack',
        eventId: 'C0GENERAL:1712345678.000100',
        device: 'slack:T0FAKE',
        principal: 'slack:T0FAKE:U0ANN',
        sessionKey: 'slack:T0FAKE:C0GENERAL:1712345678.000100',
        conversation: {
          platform: 'slack',
          workspace: 'T0FAKE',
          channel: 'C0GENERAL',
          thread: '1712345678.000100',
        },
        text: 'what is up?',
      },
    ]);
  });

  it('starts one run for a message delivered both as message and app_mention', async () => {
    await h.slack.event(channelMessage('<@U0BOT> deploy please'), { eventId: 'EvMessage' });
    await h.slack.event(mention('deploy please'), { eventId: 'EvMention' });
    expect(h.gateway.received).toHaveLength(1);
    expect(h.gateway.received[0]?.text).toBe('deploy please');
  });

  it('starts one run when Slack retries an event, and passes the retry metadata along', async () => {
    const seen: (number | undefined)[] = [];
    const receive = h.gateway.receive.bind(h.gateway);
    h.gateway.receive = async (message) => {
      seen.push(message.delivery?.retryNum);
      return receive(message);
    };
    await h.slack.event(mention('hello'), { eventId: 'Ev1' });
    const retried = await h.slack.event(mention('hello'), {
      eventId: 'Ev1',
      retryNum: 1,
      retryReason: 'http_timeout',
    });
    expect(retried.status).toBe(200);
    expect(seen).toEqual([undefined, 1]);
    expect(h.gateway.received).toHaveLength(1);
  });

  it('keeps replies in a thread in the thread’s session, without a mention once the bot takes part', async () => {
    await h.slack.event(mention('start'));
    await h.slack.event(
      channelMessage('and another thing', { ts: '1712345690.000200', thread_ts: '1712345678.000100' }),
    );
    expect(h.gateway.received.map((m) => m.sessionKey)).toEqual([
      'slack:T0FAKE:C0GENERAL:1712345678.000100',
      'slack:T0FAKE:C0GENERAL:1712345678.000100',
    ]);
    expect(h.gateway.received[1]?.conversation.thread).toBe('1712345678.000100');
  });

  it('finds out after a restart that the bot takes part in a thread (conversations.replies)', async () => {
    h.fake.addUserMessage({ channel: 'C0GENERAL', user: 'U0ANN', text: 'q', ts: '1712340000.000001' });
    h.fake.addUserMessage({
      channel: 'C0GENERAL',
      user: h.fake.botUserId,
      text: 'a',
      thread_ts: '1712340000.000001',
    });
    await h.slack.event(
      channelMessage('follow-up', { ts: '1712340001.000001', thread_ts: '1712340000.000001' }),
    );
    expect(h.gateway.received.map((m) => m.sessionKey)).toEqual(['slack:T0FAKE:C0GENERAL:1712340000.000001']);
  });

  it('ignores thread replies in threads the bot is not part of, and plain channel chatter', async () => {
    h.fake.addUserMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'lunch?', ts: '1712340000.000009' });
    await h.slack.event(channelMessage('yes', { ts: '1712340001.000009', thread_ts: '1712340000.000009' }));
    await h.slack.event(channelMessage('good morning all', { ts: '1712340002.000009' }));
    expect(h.gateway.received).toHaveLength(0);
  });

  it('ignores edits, deletions, joins and bot messages', async () => {
    await h.slack.event(
      channelMessage('', {
        subtype: 'message_changed',
        message: { text: '<@U0BOT> edited', user: 'U0ANN', ts: '1712345678.000100' },
      }),
    );
    await h.slack.event(channelMessage('', { subtype: 'message_deleted', deleted_ts: '1712345678.000100' }));
    await h.slack.event(
      channelMessage('<@U0ANN> has joined', { subtype: 'channel_join', ts: '1712345679.000001' }),
    );
    await h.slack.event(
      channelMessage('<@U0BOT> from a bot', {
        subtype: 'bot_message',
        bot_id: 'B0OTHER',
        ts: '1712345680.000001',
      }),
    );
    await h.slack.event(
      channelMessage('<@U0BOT> bot with user', { bot_id: 'B0OTHER', ts: '1712345681.000001' }),
    );
    await h.slack.event({
      type: 'message',
      channel_type: 'im',
      channel: 'D0ANN',
      user: 'U0BOT',
      text: 'my own reply',
      ts: '1712345682.000001',
    });
    expect(h.gateway.received).toHaveLength(0);
  });

  it('takes every DM, one session per DM outside threads, replying at the top of the DM', async () => {
    await h.slack.event({
      type: 'message',
      channel_type: 'im',
      channel: 'D0ANN',
      user: 'U0ANN',
      team: 'T0FAKE',
      text: 'hi there',
      ts: '1712345700.000001',
    });
    expect(h.gateway.received[0]).toMatchObject({
      eventId: 'D0ANN:1712345700.000001',
      sessionKey: 'slack:T0FAKE:D0ANN',
      conversation: { platform: 'slack', workspace: 'T0FAKE', channel: 'D0ANN' },
      text: 'hi there',
    });
    expect(h.gateway.received[0]?.conversation.thread).toBeUndefined();
  });

  it('answers a refused person once, politely, in the thread', async () => {
    h.gateway.refused.add('slack:T0FAKE:U0EVE');
    await h.slack.event(mention('let me in', { user: 'U0EVE' }), { eventId: 'Ev1' });
    await h.slack.event(mention('let me in', { user: 'U0EVE' }), { eventId: 'Ev1', retryNum: 1 });
    await h.channel.settled();
    const replies = h.fake.callsOf('chat.postMessage');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.args).toMatchObject({ channel: 'C0GENERAL', thread_ts: '1712345678.000100' });
    expect(String(replies[0]?.args.text)).toMatch(/not allowed/);
    expect(h.gateway.received).toHaveLength(0);
  });
});

describe('Slack session scopes', () => {
  it('uses one session per channel or per user when configured', async () => {
    for (const [scope, key] of [
      ['channel', 'slack:T0FAKE:C0GENERAL'],
      ['user', 'slack:T0FAKE:user:U0ANN'],
    ] as const) {
      const h = await startSlack({ sessionScope: scope });
      try {
        await h.slack.event(mention('hi'));
        expect(h.gateway.received[0]?.sessionKey).toBe(key);
        expect(h.gateway.received[0]?.conversation.thread).toBe('1712345678.000100');
      } finally {
        await h.stop();
      }
    }
  });
});
