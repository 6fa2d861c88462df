import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommandText } from '../../../channels/slack/commands.js';
import { type SlackHarness, startSlack } from './harness.js';

function slash(h: SlackHarness, text: string, responseUrl: string, triggerId = 't2') {
  return h.slack.slash({
    token: 'legacy',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: 'U0ADA',
    user_name: 'ada',
    command: '/switchboard',
    text,
    api_app_id: 'A0FAKE',
    response_url: responseUrl,
    trigger_id: triggerId,
  });
}

describe('Slack slash command', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlack();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('acks within 3 s even when the command takes 2 s+, then answers at the response_url', async () => {
    const gateway = h.gateway;
    gateway.command = async (request) => {
      gateway.commands.push(request);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      return { ok: true, text: 'Cancelled run r1.' };
    };
    const responseUrl = h.fake.responseUrl();
    const started = Date.now();
    const response = await slash(h, 'cancel r1', responseUrl);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(h.fake.responses).toHaveLength(0);
    await h.channel.settled();
    expect(gateway.commands).toEqual([
      {
        name: 'cancel',
        args: ['r1'],
        principal: 'slack:T0FAKE:U0ADA',
        conversation: { platform: 'slack', workspace: 'T0FAKE', channel: 'C0GENERAL' },
        eventId: 't2',
      },
    ]);
    expect(h.fake.responses).toEqual([
      { id: responseUrl.split('/').at(-1), body: { response_type: 'ephemeral', text: 'Cancelled run r1.' } },
    ]);
  });

  it('asks the gateway for help on an unknown sub-command and names /switchboard before its text', async () => {
    h.gateway.answer = () => ({ ok: true, text: 'Commands:\n  cancel [run]  cancel a run' });
    await slash(h, 'launch rockets', h.fake.responseUrl());
    await h.channel.settled();
    expect(h.gateway.commands.map(({ name, args }) => ({ name, args }))).toEqual([
      { name: 'help', args: [] },
    ]);
    expect(h.fake.responses.map((r) => r.body)).toEqual([
      {
        response_type: 'ephemeral',
        text: 'Type `/switchboard <command>`, for example `/switchboard status`.\nCommands:\n  cancel [run]  cancel a run',
      },
    ]);
  });

  it('passes on a refused help as the gateway worded it, without the command line', async () => {
    h.gateway.answer = () => ({ ok: false, text: 'Sorry, you are not on the list.' });
    await slash(h, 'help', h.fake.responseUrl());
    await h.channel.settled();
    expect(h.fake.responses.map((r) => r.body)).toEqual([
      { response_type: 'ephemeral', text: 'Sorry, you are not on the list.' },
    ]);
  });

  it('answers nothing when the gateway has seen the trigger id before', async () => {
    await slash(h, 'status', h.fake.responseUrl(), 'trigger-once');
    await h.channel.settled();
    await slash(h, 'status', h.fake.responseUrl(), 'trigger-once');
    await h.channel.settled();
    expect(h.gateway.commands.map((c) => c.eventId)).toEqual(['trigger-once', 'trigger-once']);
    expect(h.fake.responses.map((r) => r.body.text)).toEqual(['ran status']);
  });

  it('reads a user mention in usage as a principal', () => {
    expect(parseCommandText('usage <@U0BOB|bob> 7', 'T0FAKE')).toEqual({
      name: 'usage',
      args: ['slack:T0FAKE:U0BOB', '7'],
    });
    expect(parseCommandText('USAGE all', 'T0FAKE')).toEqual({ name: 'usage', args: ['all'] });
    expect(parseCommandText('', 'T0FAKE')).toEqual({ name: 'help' });
  });
});
