import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelError, type ConversationRef } from '../../../src/index.js';
import { snowflake } from '../../fakes/discord/world.js';
import { type Harness, startHarness } from './harness.js';

/** A 5,000-character answer with prose around a long code block. */
function longAnswer(): string {
  const prose = Array.from({ length: 12 }, (_, i) => `Paragraph ${i}: ${'words and more words '.repeat(6)}`);
  const code = Array.from({ length: 80 }, (_, i) => `  const value${i} = compute(${i}); // step ${i}`);
  return [...prose.slice(0, 6), '```ts', ...code, '```', ...prose.slice(6)].join('\n');
}

describe('discord outbound', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const general = (): ConversationRef => ({
    platform: 'discord',
    workspace: h!.fake.world.guildId,
    channel: h!.fake.world.general.id,
  });

  it('a 5,000-character reply arrives as correctly split messages with code fences intact', async () => {
    h = await startHarness();
    const text = longAnswer();
    expect(text.length).toBeGreaterThan(5000);
    const receipt = await h.channel.send({ conversation: general(), text });
    const posted = h.fake.posted();
    expect(posted.map((message) => message.id)).toEqual(receipt.messageIds);
    expect(posted.length).toBeGreaterThanOrEqual(3);
    for (const message of posted) {
      expect(message.content.length).toBeLessThanOrEqual(2000);
      expect(message.channelId).toBe(h.fake.world.general.id);
      // Every chunk renders on its own: fences are balanced in each message.
      expect((message.content.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    // The code block was cut: the continuation reopens it with its language.
    expect(posted.filter((message) => message.content.includes('```ts')).length).toBeGreaterThanOrEqual(2);
    // Nothing lost: every line of the answer is there, in order (Markdown drops trailing spaces).
    const joined = posted.map((message) => message.content).join('\n');
    let from = 0;
    for (const line of text.split('\n').map((l) => l.trimEnd())) {
      const at = joined.indexOf(line, from);
      expect(at, `missing line: ${line}`).toBeGreaterThanOrEqual(0);
      from = at + line.length;
    }
  });

  it('a reply in a thread is posted in the thread', async () => {
    h = await startHarness();
    const { world } = h.fake;
    await h.channel.send({
      conversation: {
        platform: 'discord',
        workspace: world.guildId,
        channel: world.general.id,
        thread: world.joinedThread.id,
      },
      text: 'threaded answer',
    });
    expect(h.fake.posted()).toMatchObject([{ channelId: world.joinedThread.id, content: 'threaded answer' }]);
  });

  it('a 429 from REST on send → delivered once after the wait', async () => {
    h = await startHarness();
    h.fake.injectFault({ status: 429, retryAfterMs: 400, pathIncludes: '/messages' });
    const startedAt = Date.now();
    const receipt = await h.channel.send({ conversation: general(), text: 'patience' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(350);
    expect(h.fake.posted()).toMatchObject([{ content: 'patience' }]);
    expect(receipt.messageIds).toHaveLength(1);
    expect(h.fake.rest.requestsTo('POST', /\/messages$/)).toHaveLength(2);
  });

  it('a long rate limit is handed back to the outbox as rate_limited with the wait', async () => {
    h = await startHarness();
    h.fake.injectFault({ status: 429, retryAfterMs: 30_000, pathIncludes: '/messages' });
    const error = await h.channel.send({ conversation: general(), text: 'later' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'rate_limited' });
    expect((error as ChannelError).retryAfterMs).toBeGreaterThanOrEqual(29_000);
    expect(h.fake.posted()).toHaveLength(0);
  });

  it('a Discord outage (5xx) is a transient error, a missing permission a permanent one', async () => {
    h = await startHarness();
    h.fake.injectFault({ status: 503, pathIncludes: '/messages' });
    await expect(h.channel.send({ conversation: general(), text: 'x' })).rejects.toMatchObject({
      name: 'ChannelError',
      kind: 'transient',
    });
    const missing = await h.channel
      .send({ conversation: { platform: 'discord', channel: '999999999999' }, text: 'x' })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ kind: 'permanent' });
    expect((missing as Error).message).toMatch(/Unknown Channel/);
  });

  it('a retried delivery with the same idempotency key is not posted twice', async () => {
    h = await startHarness();
    const message = {
      conversation: general(),
      text: 'exactly once',
      idempotencyKey: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
    };
    const first = await h.channel.send(message);
    const second = await h.channel.send(message);
    expect(second).toEqual(first);
    expect(h.fake.posted()).toHaveLength(1);
  });

  it("a run's final text edits its draft, and removes a status line a process that died left behind", async () => {
    h = await startHarness();
    const leftOver = (content: string) => {
      const message = {
        id: snowflake(),
        channelId: h!.fake.world.general.id,
        authorId: h!.fake.world.bot.id,
        content,
        components: [],
        attachments: [],
        edits: 0,
        deleted: false,
        createdAt: Date.now(),
        mentionIds: [],
        customIds: [],
      };
      h!.fake.world.messages.push(message);
      return message.id;
    };
    leftOver('-# ⏳ running shell_exec…');
    const draft = leftOver('Half of an');
    const receipt = await h.channel.send({
      conversation: general(),
      text: 'The whole answer.',
      drafts: [draft],
    });
    expect(receipt.messageIds).toEqual([draft]);
    expect(h.fake.posted().map((m) => m.content)).toEqual(['The whole answer.']);
  });

  it('a draft post whose answer was lost is not posted again: the nonce of its stream finds it', async () => {
    h = await startHarness();
    h.fake.rest.injectFault({ status: 500, pathIncludes: '/messages', lostAnswer: true });
    let first: string[] = [];
    try {
      first = await h.channel.showDraft!(general(), 'Hello', [], 'run-1:abc');
    } catch {
      // The stream tries again at its next edit.
    }
    const again = await h.channel.showDraft!(general(), 'Hello there', first, 'run-1:abc');
    expect(h.fake.rest.pendingFaults).toBe(0);
    expect(h.fake.posted().map((m) => [m.id, m.content])).toEqual([[again[0], 'Hello there']]);
    // Another stream (another key) posts a message of its own.
    await h.channel.showDraft!(general(), 'Next reply', [], 'run-2:def');
    expect(h.fake.posted()).toHaveLength(2);
  });

  it('showActivity shows the typing indicator', async () => {
    h = await startHarness();
    await h.channel.showActivity?.(general(), 'thinking');
    expect(
      h.fake.rest.requestsTo('POST', new RegExp(`/channels/${h.fake.world.general.id}/typing$`)),
    ).toHaveLength(1);
    expect(h.fake.posted()).toHaveLength(0);
  });

  it('a run working for more than a few seconds shows a status line, edited in place and removed by the reply', async () => {
    h = await startHarness();
    await h.channel.showActivity?.(general(), 'thinking');
    expect(h.fake.posted()).toHaveLength(0);
    await delay(3_100);
    await h.channel.showActivity?.(general(), 'running shell_exec…');
    await h.channel.showActivity?.(general(), 'running file_read…');
    const [status] = h.fake.posted();
    expect(status).toMatchObject({ content: '-# ⏳ running file_read…', edits: 1 });
    await h.channel.send({ conversation: general(), text: 'done' });
    expect(h.fake.posted().map((message) => message.content)).toEqual(['done']);
  });

  it('a message for one person in a server goes to their DMs', async () => {
    h = await startHarness();
    const alice = h.fake.world.user('alice');
    await h.channel.send({
      conversation: general(),
      text: 'just for you',
      ephemeralTo: `discord:${alice.id}`,
    });
    expect(h.fake.posted()).toMatchObject([
      { channelId: h.fake.world.dmWith(alice.id).id, content: 'just for you' },
    ]);
  });
});
