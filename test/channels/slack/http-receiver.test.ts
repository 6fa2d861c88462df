import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventEnvelope, signedRequest } from '../../fakes/slack/requests.js';
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

  it('acks an event only after the gateway accepted it, and answers 500 when it failed so Slack retries', async () => {
    h.gateway.receive = async () => {
      throw new Error('database is locked');
    };
    const failed = await h.slack.event(mention('hi'));
    expect(failed.status).toBe(500);
  });
});
