import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError, type ConversationRef } from '../../../src/index.js';
import { visibleText } from '../../fakes/slack/driver.js';
import { type SlackHarness, startSlack } from './harness.js';

const thread: ConversationRef = {
  platform: 'slack',
  workspace: 'T0FAKE',
  channel: 'C0GENERAL',
  thread: '1712345678.000100',
};

interface Section {
  type: string;
  text?: { text: string };
}

function sectionsOf(args: Record<string, unknown>): string[] {
  return (args.blocks as Section[]).filter((b) => b.type === 'section').map((b) => b.text?.text ?? '');
}

function fencesBalanced(text: string): boolean {
  return (text.match(/^\s*```/gm) ?? []).length % 2 === 0;
}

/** A reply of ~90k characters with a long code block in the middle. */
function longReply(): string {
  const prose = Array.from(
    { length: 600 },
    (_, i) => `Line ${i}: the quick brown fox jumps over the lazy dog.`,
  ).join('\n');
  const code = Array.from({ length: 400 }, (_, i) => `  const value${i} = compute(${i}); // step ${i}`).join(
    '\n',
  );
  return `${prose}\n\`\`\`ts\n${code}\n\`\`\`\n${prose}\n${prose}`;
}

describe('Slack outbound', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlack();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('posts a reply in the thread and returns its ts', async () => {
    const receipt = await h.channel.send({ conversation: thread, text: 'Hello <world> & you' });
    const [call] = h.fake.callsOf('chat.postMessage');
    expect(call?.args).toMatchObject({ channel: 'C0GENERAL', thread_ts: '1712345678.000100' });
    expect(receipt.messageIds).toEqual([h.fake.botMessages()[0]?.ts]);
    // Escaped for mrkdwn, so a model cannot ping @channel; a person reads the original text.
    expect(sectionsOf(call?.args ?? {})).toEqual(['Hello &lt;world&gt; &amp; you']);
    expect(visibleText(h.fake.botMessages()[0]!)).toBe('Hello <world> & you');
  });

  it('splits a long reply under 3,000 characters per section and 40,000 per message, fences intact, nothing lost', async () => {
    const text = longReply();
    const receipt = await h.channel.send({ conversation: thread, text });
    const calls = h.fake.callsOf('chat.postMessage');
    expect(calls.length).toBeGreaterThan(2);
    expect(receipt.messageIds).toHaveLength(calls.length);
    for (const call of calls) {
      expect(String(call.args.text).length).toBeLessThanOrEqual(40_000);
      const sections = sectionsOf(call.args);
      expect(sections.length).toBeLessThanOrEqual(50);
      for (const section of sections) {
        expect(section.length).toBeLessThanOrEqual(3_000);
        expect(fencesBalanced(section)).toBe(true);
      }
    }
    const shown = calls.flatMap((call) => sectionsOf(call.args)).join('');
    const withoutAddedFences = shown.replace(/\n```\n?```ts\n/g, '\n').replace(/\n```(?=\n|$)/g, '');
    for (const line of text.split('\n').filter((l) => !l.startsWith('```')))
      expect(withoutAddedFences).toContain(line);
  });

  it('maps a 429 from chat.postMessage to ChannelError rate_limited with Slack’s Retry-After', async () => {
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const error = await h.channel.send({ conversation: thread, text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7_000 });
    // One retry layer: the Web API client did not retry on its own.
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('delivers a split reply once when the outbox retries after a 429 halfway through', async () => {
    const text = longReply();
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 1);
    // What the outbox row records durably between attempts.
    let recorded: string[] = [];
    const started = Date.now();
    let receipt: { messageIds: string[] } | undefined;
    for (let attempt = 1; attempt <= 3 && !receipt; attempt++) {
      try {
        receipt = await h.channel.send({
          conversation: thread,
          text,
          idempotencyKey: 'outbox-1',
          attempt,
          delivered: recorded,
          recordProgress: async (ids) => {
            recorded = [...ids];
          },
        });
      } catch (error) {
        if (!(error instanceof ChannelError) || error.kind !== 'rate_limited') throw error;
        await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
      }
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    const posted = h.fake.botMessages();
    expect(receipt?.messageIds).toEqual(posted.map((m) => m.ts));
    const texts = posted.map((m) => m.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(posted.length + 1);
    expect(recorded).toEqual(receipt?.messageIds);
  });

  it('after a crash before anything was recorded, the retry finds the posted parts by their metadata', async () => {
    const text = longReply();
    // The first attempt posts every part; the daemon dies before the outbox records any of it.
    const first = await h.channel.send({
      conversation: thread,
      text,
      idempotencyKey: 'outbox-9',
      attempt: 1,
    });
    expect(first.messageIds.length).toBeGreaterThan(1);
    expect(h.fake.callsOf('conversations.replies')).toHaveLength(0);
    const posts = h.fake.callsOf('chat.postMessage').length;
    const recorded: string[][] = [];
    const again = await h.channel.send({
      conversation: thread,
      text,
      idempotencyKey: 'outbox-9',
      attempt: 2,
      recordProgress: async (ids) => {
        recorded.push(ids);
      },
    });
    expect(again.messageIds).toEqual(first.messageIds);
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(posts);
    expect(String(h.fake.callsOf('conversations.replies')[0]?.args.include_all_metadata)).toBe('true');
    expect(recorded.at(-1)).toEqual(first.messageIds);
  });

  it('a retry that finds only the first part posts the rest', async () => {
    const text = longReply();
    const first = await h.channel.send({
      conversation: thread,
      text,
      idempotencyKey: 'outbox-8',
      attempt: 1,
    });
    // Only the first part had reached Slack before the crash.
    for (const message of h.fake.botMessages().slice(1)) message.deleted = true;
    const again = await h.channel.send({
      conversation: thread,
      text,
      idempotencyKey: 'outbox-8',
      attempt: 2,
    });
    expect(again.messageIds[0]).toBe(first.messageIds[0]);
    expect(again.messageIds.slice(1)).not.toEqual(first.messageIds.slice(1));
    expect(h.fake.botMessages().filter((m) => !m.deleted)).toHaveLength(first.messageIds.length);
  });

  it('maps 5xx to transient and a platform error to permanent with how to fix it', async () => {
    h.fake.failNext('chat.postMessage', { status: 503 });
    await expect(h.channel.send({ conversation: thread, text: 'a' })).rejects.toMatchObject({
      kind: 'transient',
    });
    h.fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    await expect(h.channel.send({ conversation: thread, text: 'b' })).rejects.toMatchObject({
      kind: 'permanent',
      message: expect.stringMatching(/invite the bot/),
    });
  });

  it('posts ephemerally when the message is for one person only', async () => {
    await h.channel.send({ conversation: thread, text: 'only you', ephemeralTo: 'slack:T0FAKE:U0ANN' });
    expect(h.fake.callsOf('chat.postEphemeral')[0]?.args).toMatchObject({
      channel: 'C0GENERAL',
      user: 'U0ANN',
    });
  });

  it('shows activity as the assistant thread status', async () => {
    await h.channel.showActivity?.(thread, 'is thinking…');
    expect(h.fake.callsOf('assistant.threads.setStatus')[0]?.args).toMatchObject({
      channel_id: 'C0GENERAL',
      thread_ts: '1712345678.000100',
      status: 'is thinking…',
    });
  });

  it('falls back to a status message edited in place, removed when the reply arrives', async () => {
    h.fake.failNext('assistant.threads.setStatus', { error: 'not_allowed_token_type' });
    await h.channel.showActivity?.(thread, 'is thinking…');
    await h.channel.showActivity?.(thread, 'is running shell_exec…');
    const status = h.fake.botMessages()[0];
    expect(status).toMatchObject({ text: '_is running shell_exec…_', edits: 1 });
    await h.channel.send({ conversation: thread, text: 'done' });
    expect(status?.deleted).toBe(true);
    expect(
      h.fake
        .botMessages()
        .filter((m) => !m.deleted)
        .map((m) => m.text),
    ).toEqual(['done']);
  });
});
