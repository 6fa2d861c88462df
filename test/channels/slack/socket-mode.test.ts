import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChannel, type SlackChannel } from '../../../channels/slack/index.js';
import { eventEnvelope } from '../../fakes/slack/requests.js';
import { FakeSocketMode } from '../../fakes/slack/socket-mode.js';
import { FakeSlackApi } from '../../fakes/slack/web-api.js';
import { StubGateway } from '../stub-gateway.js';
import { mention } from './harness.js';

async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Slack Socket Mode', () => {
  let fake: FakeSlackApi;
  let socket: FakeSocketMode;
  let gateway: StubGateway;
  let channel: SlackChannel;

  beforeEach(async () => {
    fake = new FakeSlackApi();
    socket = new FakeSocketMode();
    await Promise.all([fake.start(), socket.start()]);
    fake.socketUrl = socket.url;
    gateway = new StubGateway();
    channel = createSlackChannel(
      {
        botToken: 'xoxb-test',
        signingSecret: '',
        appToken: 'xapp-test',
        apiUrl: fake.apiUrl,
        sessionScope: 'thread',
        command: '/switchboard',
      },
      gateway,
    );
    await channel.start();
    await socket.connection();
  });

  afterEach(async () => {
    await channel.stop();
    await Promise.all([socket.stop(), fake.stop()]);
  });

  it('connects through apps.connections.open at the configured API URL with the app token, not the webhook', async () => {
    const open = fake.callsOf('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe('xapp-test');
    expect(gateway.webhooks.size).toBe(0);
  });

  it('receives an app_mention over the socket, acks the envelope, and hands it to the gateway', async () => {
    const ack = await socket.send('events_api', eventEnvelope(mention('over the socket'), 'T0FAKE', 'Ev1'));
    expect(ack.envelope_id).toBe('env-1');
    await eventually(() => gateway.received.length === 1);
    expect(gateway.received[0]).toMatchObject({
      eventId: 'C0GENERAL:1712345678.000100',
      principal: 'slack:T0FAKE:U0ANN',
      text: 'over the socket',
    });
  });

  it('leaves an event unacked when the commit fails, so Slack delivers it again', async () => {
    const receive = gateway.receive.bind(gateway);
    let failures = 1;
    gateway.receive = async (message) => {
      if (failures-- > 0) throw new Error('database is locked');
      return receive(message);
    };
    const envelope = eventEnvelope(mention('again'), 'T0FAKE', 'Ev2');
    const first = await Promise.race([
      socket.send('events_api', envelope),
      new Promise<'no ack'>((resolve) => setTimeout(() => resolve('no ack'), 500)),
    ]);
    expect(first).toBe('no ack');
    const second = await socket.send('events_api', envelope, 1);
    expect(second.envelope_id).toBe('env-2');
    expect(gateway.received).toHaveLength(1);
    expect(gateway.received[0]?.delivery).toEqual({ retryNum: 1, retryReason: 'timeout' });
  });

  it('answers the slash command through its response_url', async () => {
    const responseUrl = fake.responseUrl();
    await socket.send('slash_commands', {
      token: 'legacy',
      team_id: 'T0FAKE',
      channel_id: 'C0GENERAL',
      user_id: 'U0ADA',
      user_name: 'ada',
      command: '/switchboard',
      text: 'status',
      response_url: responseUrl,
      trigger_id: 't',
      api_app_id: 'A0FAKE',
    });
    await eventually(() => fake.responses.length === 1);
    expect(gateway.commands[0]).toMatchObject({ name: 'status', principal: 'slack:T0FAKE:U0ADA' });
    expect(fake.responses[0]?.body).toEqual({ response_type: 'ephemeral', text: 'ran status' });
  });
});
