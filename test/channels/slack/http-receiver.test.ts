import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChannel } from '../../../channels/slack/index.js';
import { eventEnvelope, signedRequest } from '../../fakes/slack/requests.js';
import { StubGateway } from '../stub-gateway.js';
import { mention, SECRET, type SlackHarness, startSlack } from './harness.js';

describe('Slack HTTP receiver', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlack();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('refuses a request signed with the wrong secret with 401 and hands nothing over', async () => {
    const response = await h.slack.event(mention('hi'), { secret: 'not-the-secret' });
    expect(response.status).toBe(401);
    expect(h.gateway.received).toHaveLength(0);
  });

  it('refuses a correctly signed request whose timestamp is older than five minutes with 401', async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const response = await h.slack.event(mention('hi'), { timestamp: sixMinutesAgo });
    expect(response.status).toBe(401);
    expect(h.gateway.received).toHaveLength(0);
  });

  it('refuses a body changed after signing', async () => {
    const body = JSON.stringify(eventEnvelope(mention('hi'), 'T0FAKE', 'Ev1'));
    const request = signedRequest(SECRET, body, 'application/json');
    const tampered = { ...request, rawBody: Buffer.from(body.replace('hi', 'rm -rf /')) };
    const handler = h.gateway.webhooks.get('/slack/events');
    expect((await handler?.(tampered))?.status).toBe(401);
  });

  it('answers url_verification with the challenge', async () => {
    const response = await h.slack.json({ type: 'url_verification', token: 'x', challenge: 'c-123' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body ?? '{}')).toEqual({ challenge: 'c-123' });
  });

  it('answers 200 to requests nothing listens to (an unknown button, app_rate_limited)', async () => {
    const unknown = await h.slack.interaction({
      type: 'block_actions',
      team: { id: 'T0FAKE' },
      user: { id: 'U0ANN', team_id: 'T0FAKE' },
      container: { type: 'message', message_ts: '1.1', channel_id: 'C0GENERAL' },
      channel: { id: 'C0GENERAL' },
      actions: [{ type: 'button', action_id: 'someone_elses_button', value: 'x', action_ts: '1.2' }],
      response_url: h.fake.responseUrl(),
      trigger_id: 't',
    });
    expect(unknown.status).toBe(200);
    const limited = await h.slack.json({
      type: 'app_rate_limited',
      team_id: 'T0FAKE',
      minute_rate_limited: 1,
    });
    expect(limited.status).toBe(200);
  });

  it('answers 503 once the channel stopped', async () => {
    await h.channel.stop();
    expect((await h.slack.event(mention('late'))).status).toBe(503);
    await h.channel.start();
    expect((await h.slack.event(mention('back'))).status).toBe(200);
  });

  it('acks an event only after the gateway accepted it, and answers 500 when it failed so Slack retries', async () => {
    h.gateway.receive = async () => {
      throw new Error('database is locked');
    };
    const failed = await h.slack.event(mention('hi'));
    expect(failed.status).toBe(500);
  });
});

describe('Slack channel configuration', () => {
  it('refuses to start over HTTP without a signing secret, saying how to fix it', () => {
    expect(() =>
      createSlackChannel(
        { botToken: 'xoxb-x', signingSecret: '', sessionScope: 'thread', command: '/switchboard' },
        new StubGateway(),
      ),
    ).toThrow(/SLACK_SIGNING_SECRET.*SLACK_APP_TOKEN/);
  });
});
