import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_GROUP } from '../../fakes/telegram/updates.js';
import { ALICE, type Harness, startTelegram } from './harness.js';

describe('telegram commands', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('registers /cancel, /usage, /status, /approvals, /new, /grants, /help, /access and /link on start', async () => {
    h = await startTelegram();
    expect(h.fake.commands.map((c) => c.command)).toEqual([
      'cancel',
      'usage',
      'status',
      'approvals',
      'new',
      'grants',
      'help',
      'access',
      'link',
    ]);
  });

  it('answers /status in a private chat as a reply, with the gateway text', async () => {
    h = await startTelegram();
    h.gateway.answer = () => ({ ok: true, text: 'Nothing is running here.' });
    const update = h.fake.makeMessage({ from: ALICE, text: '/status' });
    await h.deliver(update);
    expect(h.gateway.commands).toEqual([
      {
        name: 'status',
        args: [],
        principal: 'telegram:1001',
        sessionKey: 'telegram:1001',
        conversation: { platform: 'telegram', channel: '1001' },
        eventId: String(update.update_id),
      },
    ]);
    expect(h.fake.messages.map((m) => [m.text, m.replyTo])).toEqual([
      ['Nothing is running here.', update.message?.message_id],
    ]);
    expect(h.gateway.received).toEqual([]);
  });

  it('replies to the caller in a group topic and parses arguments', async () => {
    h = await startTelegram();
    const update = h.fake.makeMessage({
      from: ALICE,
      chat: FAKE_GROUP,
      topicId: 9,
      text: `/usage@${h.fake.bot.username} all 7`,
    });
    await h.deliver(update);
    expect(h.gateway.commands[0]).toMatchObject({
      name: 'usage',
      args: ['all', '7'],
      sessionKey: `telegram:${FAKE_GROUP.id}:9`,
    });
    expect(h.fake.messages[0]).toMatchObject({
      text: 'ran usage',
      thread: 9,
      replyTo: update.message?.message_id,
    });
  });

  it('ignores a command addressed to another bot', async () => {
    h = await startTelegram();
    await h.deliver(h.fake.makeMessage({ from: ALICE, chat: FAKE_GROUP, text: '/cancel@other_bot' }));
    expect(h.gateway.commands).toEqual([]);
    expect(h.gateway.received).toEqual([]);
  });

  it('a command update delivered again is answered once', async () => {
    h = await startTelegram();
    const update = h.fake.makeMessage({ from: ALICE, text: '/status' });
    await h.deliver(update);
    // A poller sees a confirmed update again only after a crash before confirming: model that.
    await h.channel.stop();
    h.fake.requeue(update);
    await h.channel.start();
    await h.fake.waitForConfirmed(update.update_id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.gateway.commands.map((c) => c.eventId)).toEqual([
      String(update.update_id),
      String(update.update_id),
    ]);
    expect(h.fake.messages.map((m) => m.text)).toEqual(['ran status']);
  });

  it('shows help for /start', async () => {
    h = await startTelegram();
    await h.deliver(h.fake.makeMessage({ from: ALICE, text: '/start' }));
    expect(h.gateway.commands.map((c) => c.name)).toEqual(['help']);
  });
});
