import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_GROUP } from '../../fakes/telegram/updates.js';
import { ALICE, BOB, type Harness, startTelegram } from './harness.js';

describe('telegram inbound', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('maps a private message to an InboundMessage', async () => {
    h = await startTelegram();
    const update = h.fake.makeMessage({ from: ALICE, text: 'What time is it?' });
    await h.deliver(update);
    expect(h.gateway.received).toEqual([
      {
        channel: 'telegram',
        eventId: String(update.update_id),
        device: `telegram:${h.fake.bot.id}`,
        principal: 'telegram:1001',
        displayName: 'Alice',
        sessionKey: 'telegram:1001',
        conversation: { platform: 'telegram', channel: '1001' },
        text: 'What time is it?',
      },
    ]);
  });

  it('ignores a group message that does not mention the bot', async () => {
    h = await startTelegram();
    await h.deliver(h.fake.makeMessage({ from: ALICE, chat: FAKE_GROUP, text: 'lunch anyone?' }));
    await h.deliver(h.fake.makeMessage({ from: ALICE, chat: FAKE_GROUP, text: 'ping @someone_else please' }));
    expect(h.gateway.received).toEqual([]);
    expect(h.fake.callsTo('sendMessage')).toEqual([]);
  });

  it('handles a group message that mentions the bot, with the mention stripped', async () => {
    h = await startTelegram();
    const text = `@${h.fake.bot.username} summarize the thread`;
    await h.deliver(h.fake.makeMessage({ from: ALICE, chat: FAKE_GROUP, text }));
    expect(h.gateway.received).toHaveLength(1);
    expect(h.gateway.received[0]).toMatchObject({
      text: 'summarize the thread',
      sessionKey: `telegram:${FAKE_GROUP.id}`,
      conversation: { platform: 'telegram', channel: String(FAKE_GROUP.id) },
    });
  });

  it('handles a group message that replies to the bot', async () => {
    h = await startTelegram();
    await h.channel.send({
      conversation: { platform: 'telegram', channel: String(FAKE_GROUP.id) },
      text: 'Hi all',
    });
    const botMessage = h.fake.messages[0];
    if (!botMessage) throw new Error('no bot message');
    await h.deliver(
      h.fake.makeMessage({ from: BOB, chat: FAKE_GROUP, text: 'and tomorrow?', replyTo: botMessage }),
    );
    expect(h.gateway.received.map((m) => m.text)).toEqual(['and tomorrow?']);
  });

  it('gives a forum topic its own session key', async () => {
    h = await startTelegram();
    const mention = `@${h.fake.bot.username}`;
    await h.deliver(
      h.fake.makeMessage({ from: ALICE, chat: FAKE_GROUP, topicId: 77, text: `${mention} deploy?` }),
    );
    await h.deliver(h.fake.makeMessage({ from: ALICE, chat: FAKE_GROUP, text: `${mention} deploy?` }));
    const [inTopic, inGroup] = h.gateway.received;
    expect(inTopic?.sessionKey).toBe(`telegram:${FAKE_GROUP.id}:77`);
    expect(inTopic?.conversation).toEqual({
      platform: 'telegram',
      channel: String(FAKE_GROUP.id),
      thread: '77',
    });
    expect(inGroup?.sessionKey).toBe(`telegram:${FAKE_GROUP.id}`);
  });

  it('does not take the topic header for a reply to the bot', async () => {
    h = await startTelegram();
    await h.deliver(
      h.fake.makeMessage({ from: ALICE, chat: FAKE_GROUP, topicId: 77, text: 'just chatting' }),
    );
    expect(h.gateway.received).toEqual([]);
  });

  it('keys sessions per person in a group with user scope', async () => {
    h = await startTelegram({ config: { sessionScope: 'user' } });
    const text = `@${h.fake.bot.username} hi`;
    await h.deliver(h.fake.makeMessage({ from: ALICE, chat: FAKE_GROUP, text }));
    await h.deliver(h.fake.makeMessage({ from: BOB, chat: FAKE_GROUP, topicId: 5, text }));
    await h.deliver(h.fake.makeMessage({ from: BOB, text: 'hi' }));
    expect(h.gateway.received.map((m) => m.sessionKey)).toEqual([
      `telegram:${FAKE_GROUP.id}:user:1001`,
      `telegram:${FAKE_GROUP.id}:5:user:1002`,
      'telegram:1002',
    ]);
  });

  it('passes documents and photos as metadata without the token in any link', async () => {
    h = await startTelegram();
    await h.deliver(
      h.fake.makeMessage({
        from: ALICE,
        caption: 'what is in these?',
        document: {
          file_id: 'DOC1',
          file_unique_id: 'u1',
          file_name: 'report.pdf',
          mime_type: 'application/pdf',
          file_size: 1234,
        },
        photo: [
          { file_id: 'small', file_unique_id: 'p0', width: 90, height: 90 },
          { file_id: 'large', file_unique_id: 'p1', width: 1280, height: 1280, file_size: 99_000 },
        ],
      }),
    );
    const message = h.gateway.received[0];
    expect(message?.text).toBe('what is in these?');
    expect(message?.attachments).toEqual([
      { name: 'report.pdf', url: 'tg-file:DOC1', mimeType: 'application/pdf', size: 1234 },
      { name: 'photo-p1.jpg', url: 'tg-file:large', mimeType: 'image/jpeg', size: 99_000 },
    ]);
    expect(JSON.stringify(message)).not.toContain(h.fake.token);
  });

  it('answers a refused person once, politely, and does nothing else', async () => {
    h = await startTelegram();
    h.gateway.refused.add('telegram:1002');
    const update = h.fake.makeMessage({ from: BOB, text: 'hello?' });
    await h.deliver(update);
    expect(h.gateway.received).toEqual([]);
    expect(h.fake.messages.map((m) => ({ chat: m.chat_id, text: m.text }))).toEqual([
      { chat: 1002, text: 'Sorry, you are not allowed to talk to this agent. Ask an admin to add you.' },
    ]);
    expect(h.fake.callsTo('sendChatAction')).toEqual([]);
  });

  it('ignores messages from other bots', async () => {
    h = await startTelegram();
    await h.deliver(h.fake.makeMessage({ from: { id: 5, first_name: 'Other', is_bot: true }, text: 'beep' }));
    expect(h.gateway.received).toEqual([]);
  });
});
