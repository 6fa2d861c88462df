import { afterEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../../src/index.js';
import { FAKE_GROUP } from '../../fakes/telegram/updates.js';
import { type Harness, startTelegram } from './harness.js';

const DM = { platform: 'telegram', channel: '1001' };

describe('telegram outbound', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('sends Markdown formatted as HTML and returns the message id', async () => {
    h = await startTelegram();
    const receipt = await h.channel.send({
      conversation: DM,
      text: '**Done**: see `a<b` & [docs](https://x.dev/?a=1&b=2)',
    });
    const [message] = h.fake.messages;
    expect(receipt).toEqual({ messageIds: [String(message?.message_id)] });
    expect(message?.parse_mode).toBe('HTML');
    expect(message?.raw).toBe(
      '<b>Done</b>: see <code>a&lt;b</code> &amp; <a href="https://x.dev/?a=1&amp;b=2">docs</a>',
    );
    expect(message?.text).toBe('Done: see a<b & docs');
  });

  it('delivers an 8,000-character answer as two messages', async () => {
    h = await startTelegram();
    const line = `${'x'.repeat(39)}\n`;
    const text = line.repeat(200).slice(0, 8000);
    expect(text).toHaveLength(8000);
    const receipt = await h.channel.send({ conversation: DM, text });
    expect(receipt.messageIds).toHaveLength(2);
    expect(h.fake.messages).toHaveLength(2);
    for (const message of h.fake.messages) expect(message.text.length).toBeLessThanOrEqual(4096);
    // Split between two lines: the line break between the messages is the one not repeated.
    expect(h.fake.messages.map((m) => m.text).join('\n')).toBe(text.trimEnd());
  });

  it('still delivers a message whose entities Telegram cannot parse, as plain text', async () => {
    h = await startTelegram();
    h.fake.failNextParse();
    const receipt = await h.channel.send({ conversation: DM, text: 'Use **bold** and *italics* & <more>' });
    expect(h.fake.callsTo('sendMessage')).toHaveLength(2);
    expect(h.fake.messages).toHaveLength(1);
    // The same words a person would have seen formatted, without the formatting.
    const visible = 'Use bold and italics & <more>';
    expect(h.fake.messages[0]).toMatchObject({ text: visible, raw: visible });
    expect(h.fake.messages[0]?.parse_mode).toBeUndefined();
    expect(receipt.messageIds).toEqual([String(h.fake.messages[0]?.message_id)]);
  });

  it('badly nested emphasis still renders as HTML that Telegram accepts', async () => {
    h = await startTelegram();
    await h.channel.send({ conversation: DM, text: 'oops **a *b** c*' });
    expect(h.fake.callsTo('sendMessage')).toHaveLength(1);
    expect(h.fake.messages[0]?.parse_mode).toBe('HTML');
    expect(h.fake.messages.map((m) => m.text)).toEqual(['oops a b c']);
  });

  it('keeps a long code block rendered in every chunk', async () => {
    h = await startTelegram();
    const code = Array.from({ length: 300 }, (_, i) => `const v${i} = ${i}; // a line of code`).join('\n');
    await h.channel.send({ conversation: DM, text: `Here:\n\`\`\`ts\n${code}\n\`\`\`` });
    expect(h.fake.messages.length).toBeGreaterThan(1);
    for (const message of h.fake.messages) {
      expect(message.parse_mode).toBe('HTML');
      expect(message.text).not.toContain('```');
    }
  });

  it('honours a 429 and then delivers the message once', async () => {
    h = await startTelegram();
    h.fake.rateLimitNext('sendMessage', 1);
    const started = Date.now();
    await h.channel.send({ conversation: DM, text: 'after the flood' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(h.fake.callsTo('sendMessage')).toHaveLength(2);
    expect(h.fake.messages.map((m) => m.text)).toEqual(['after the flood']);
  });

  it('hands a 429 longer than the bounded wait to the outbox as rate_limited', async () => {
    h = await startTelegram();
    h.fake.rateLimitNext('sendMessage', 60);
    const error = await h.channel.send({ conversation: DM, text: 'later' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 60_000 });
    expect(h.fake.messages).toEqual([]);
  });

  it('maps 5xx to transient and other 4xx to permanent errors', async () => {
    h = await startTelegram();
    h.fake.failNext('sendMessage', 502, 'Bad Gateway');
    await expect(h.channel.send({ conversation: DM, text: 'a' })).rejects.toMatchObject({
      kind: 'transient',
    });
    h.fake.failNext('sendMessage', 403, 'Forbidden: bot was blocked by the user');
    await expect(h.channel.send({ conversation: DM, text: 'b' })).rejects.toMatchObject({
      kind: 'permanent',
    });
  });

  it('resumes a split reply after a failed chunk instead of repeating the first', async () => {
    h = await startTelegram();
    const text = `${'a'.repeat(4000)}\n${'b'.repeat(4000)}`;
    h.fake.failNext('sendMessage', 500, 'Internal Server Error', { skip: 1 });
    // What the outbox row records durably between attempts.
    let recorded: string[] = [];
    const message = () => ({
      conversation: DM,
      text,
      idempotencyKey: 'outbox-1',
      delivered: recorded,
      recordProgress: async (ids: string[]) => {
        recorded = [...ids];
      },
    });
    await expect(h.channel.send(message())).rejects.toMatchObject({ kind: 'transient' });
    expect(recorded).toEqual([String(h.fake.messages[0]?.message_id)]);
    const receipt = await h.channel.send(message());
    expect(h.fake.messages.map((m) => m.text[0])).toEqual(['a', 'b']);
    expect(receipt.messageIds).toEqual(h.fake.messages.map((m) => String(m.message_id)));
  });

  it('sends a picture as a photo and anything else as a document, with the caption', async () => {
    h = await startTelegram();
    const png = { name: 'chart.png', data: Buffer.alloc(1000, 7), mimeType: 'image/png' };
    const csv = { name: 'data.csv', data: Buffer.from('a,b\n1,2\n'), mimeType: 'text/csv' };
    const photo = await h.channel.send({ conversation: DM, text: 'the chart', file: png });
    await h.channel.send({ conversation: DM, text: '', file: csv });
    expect(h.fake.messages.map((m) => [m.file?.kind, m.file?.filename, m.file?.size, m.text])).toEqual([
      ['photo', 'chart.png', 1000, 'the chart'],
      ['document', 'data.csv', 8, ''],
    ]);
    expect(photo.messageIds).toEqual([String(h.fake.messages[0]?.message_id)]);
  });

  it('posts into a forum topic and shows typing there', async () => {
    h = await startTelegram();
    const conversation = { platform: 'telegram', channel: String(FAKE_GROUP.id), thread: '77' };
    await h.channel.send({ conversation, text: 'in the topic' });
    await h.channel.showActivity?.(conversation, 'thinking');
    expect(h.fake.messages[0]).toMatchObject({ chat_id: FAKE_GROUP.id, thread: 77 });
    expect(h.fake.chatActions).toEqual([{ chat_id: FAKE_GROUP.id, action: 'typing', message_thread_id: 77 }]);
  });
});
