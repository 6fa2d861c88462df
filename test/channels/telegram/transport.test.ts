import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../../channels/telegram/index.js';
import type { Channel, InboundMessage, ReceiveResult } from '../../../src/index.js';
import { FakeBotApi } from '../../fakes/telegram/fake-bot-api.js';
import { ALICE, type Harness, RecordingGateway, startTelegram, WEBHOOK } from './harness.js';

/** A gateway that can run a hook around `receive`, to model a stop or a crash at a chosen update. */
class HookedGateway extends RecordingGateway {
  readonly attempts: string[] = [];
  hook: ((message: InboundMessage, commit: () => Promise<ReceiveResult>) => Promise<ReceiveResult>) | null =
    null;
  override async receive(message: InboundMessage): Promise<ReceiveResult> {
    this.attempts.push(message.eventId);
    const commit = () => super.receive(message);
    return this.hook ? this.hook(message, commit) : commit();
  }
}

/** Runs `then` only once `release` resolves: a frozen (crashed) process until the test lets go. */
const whenReleased = <T>(release: Promise<void>, then: () => Promise<T>) => release.then(then);

describe('telegram transports', () => {
  let h: Harness | undefined;
  const extra: Channel[] = [];
  afterEach(async () => {
    for (const channel of extra.splice(0)) await channel.stop();
    await h?.stop();
    h = undefined;
  });

  function queueBatch(fake: FakeBotApi, n: number): string[] {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      // Update ids jump (gap) as Telegram's may: dedupe is on the id, never on "greater than".
      const update = fake.makeMessage({ from: ALICE, text: `message ${i + 1}`, gap: i === 2 ? 1000 : 0 });
      fake.enqueue(update);
      ids.push(String(update.update_id));
    }
    return ids;
  }

  it('a stop in the middle of a batch and a new adapter process every update exactly once', async () => {
    const gateway = new HookedGateway();
    h = await startTelegram({ gateway, start: false });
    const ids = queueBatch(h.fake, 5);
    let stopping: Promise<void> | undefined;
    gateway.hook = async (message, commit) => {
      const result = await commit();
      if (message.eventId === ids[1]) stopping = h?.channel.stop();
      return result;
    };
    await h.channel.start();
    await h.fake.until(() => stopping !== undefined);
    await stopping;
    expect(gateway.received.map((m) => m.eventId)).toEqual(ids.slice(0, 2));
    expect(h.fake.pending().map((u) => String(u.update_id))).toEqual(ids.slice(2));

    gateway.hook = null;
    const next = h.newChannel();
    extra.push(next);
    await next.start();
    await h.fake.waitForConfirmed(Number(ids[4]));
    expect(gateway.received.map((m) => m.eventId)).toEqual(ids);
  });

  it('a crash right after the inbox commit redelivers the batch and each update is processed exactly once', async () => {
    const gateway = new HookedGateway();
    h = await startTelegram({ gateway, start: false });
    const ids = queueBatch(h.fake, 5);
    let release!: () => void;
    const frozen = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The process "dies" after committing update 3: it never returns, never polls, never confirms.
    gateway.hook = async (message, commit) => {
      const result = await commit();
      return message.eventId === ids[2] ? whenReleased(frozen, async () => result) : result;
    };
    const crashed = h.channel;
    await crashed.start();
    await h.fake.until(() => gateway.received.length === 3);
    expect(h.fake.pending()).toHaveLength(5); // nothing was confirmed before the crash

    gateway.hook = null;
    const next = h.newChannel();
    extra.push(next);
    await next.start();
    await h.fake.waitForConfirmed(Number(ids[4]));
    expect(gateway.received.map((m) => m.eventId)).toEqual(ids);
    expect(gateway.attempts).toEqual([...ids.slice(0, 3), ...ids]); // redelivered, deduped by the gateway

    const stopping = crashed.stop();
    release();
    await stopping;
  });

  it('a crash before the inbox commit loses nothing: the update is processed once by the next adapter', async () => {
    const gateway = new HookedGateway();
    h = await startTelegram({ gateway, start: false });
    const ids = queueBatch(h.fake, 4);
    let release!: () => void;
    const frozen = new Promise<void>((resolve) => {
      release = resolve;
    });
    gateway.hook = async (message, commit) =>
      message.eventId === ids[1] ? whenReleased(frozen, commit) : commit();
    const crashed = h.channel;
    await crashed.start();
    await h.fake.until(() => gateway.attempts.length === 2);

    gateway.hook = null;
    const next = h.newChannel();
    extra.push(next);
    await next.start();
    await h.fake.waitForConfirmed(Number(ids[3]));
    expect(gateway.received.map((m) => m.eventId)).toEqual(ids);

    const stopping = crashed.stop();
    release();
    await stopping;
    expect(gateway.received.map((m) => m.eventId)).toEqual(ids); // the frozen attempt is a duplicate
  });

  it('retries an update the gateway could not store before anything newer', async () => {
    const gateway = new HookedGateway();
    h = await startTelegram({ gateway, start: false });
    const ids = queueBatch(h.fake, 2);
    let failures = 1;
    gateway.hook = async (_message, commit) => {
      if (failures-- > 0) throw new Error('journal is busy');
      return commit();
    };
    await h.channel.start();
    await h.fake.waitForConfirmed(Number(ids[1]));
    expect(gateway.attempts).toEqual([ids[0], ids[0], ids[1]]);
    expect(gateway.received.map((m) => m.eventId)).toEqual(ids);
  });

  it('stops polling with a clear error on 409 Conflict instead of looping', async () => {
    h = await startTelegram({ start: false });
    h.fake.failNext(
      'getUpdates',
      409,
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      { times: 1000 },
    );
    await h.channel.start();
    await h.fake.until(() => h?.gateway.logs.some((l) => l.level === 'error') ?? false);
    const polls = h.fake.callsTo('getUpdates').length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(h.fake.callsTo('getUpdates')).toHaveLength(polls);
    expect(polls).toBe(1);
    const errors = h.gateway.logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/409 Conflict: another process is polling with the same bot token/);
    expect(h.gateway.events).toContainEqual({
      type: 'channel.down',
      data: { channel: 'telegram', device: `telegram:${h.fake.bot.id}`, reason: 'conflict' },
    });
  });

  it('a second instance on the same token makes one of them stop, not crash-loop', async () => {
    h = await startTelegram();
    const first = h.gateway;
    const other = new RecordingGateway();
    const second = h.newChannel(other);
    extra.push(second);
    await second.start();
    // Telegram answers the older of two concurrent polls with 409; which one is older is a race.
    const down = (g: RecordingGateway) => g.events.some((e) => e.type === 'channel.down');
    await h.fake.until(() => down(first) || down(other));
    const [loser, survivor] = down(first) ? [first, other] : [other, first];
    const polls = h.fake.callsTo('getUpdates').length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.fake.callsTo('getUpdates').length - polls).toBeLessThanOrEqual(3); // only the survivor polls
    expect(loser.logs.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(survivor.logs.filter((l) => l.level === 'error')).toHaveLength(0);
    expect(down(survivor)).toBe(false);
    await h.deliver(h.fake.makeMessage({ from: ALICE, text: 'still there?' }));
    expect(survivor.received.map((m) => m.text)).toEqual(['still there?']);
    expect(loser.received).toEqual([]);
  });

  it('webhook: a wrong or missing secret gets 401, the right one is handled once', async () => {
    h = await startTelegram({ config: WEBHOOK });
    expect(h.fake.webhook).toEqual({ url: WEBHOOK.webhookUrl, secret_token: WEBHOOK.webhookSecret });
    const handler = h.gateway.webhooks.get('/telegram/webhook');
    if (!handler) throw new Error('webhook not registered');
    const update = h.fake.makeMessage({ from: ALICE, text: 'via webhook' });
    expect((await h.fake.deliverToWebhook(handler, update, 'wrong-secret')).status).toBe(401);
    expect((await h.fake.deliverToWebhook(handler, update, null)).status).toBe(401);
    expect(h.gateway.received).toEqual([]);
    expect((await h.fake.deliverToWebhook(handler, update)).status).toBe(200);
    expect((await h.fake.deliverToWebhook(handler, update)).status).toBe(200); // Telegram's retry
    expect(h.gateway.received.map((m) => m.text)).toEqual(['via webhook']);
    expect(h.fake.callsTo('getUpdates')).toEqual([]);
  });

  it('webhook: answers 503 before start and 500 when the gateway cannot store the update', async () => {
    const gateway = new HookedGateway();
    h = await startTelegram({ config: WEBHOOK, gateway, start: false });
    const handler = gateway.webhooks.get('/telegram/webhook');
    if (!handler) throw new Error('webhook not registered');
    const update = h.fake.makeMessage({ from: ALICE, text: 'early' });
    expect((await h.fake.deliverToWebhook(handler, update, WEBHOOK.webhookSecret)).status).toBe(503);
    await h.channel.start();
    gateway.hook = async () => {
      throw new Error('journal is down');
    };
    expect((await h.fake.deliverToWebhook(handler, update)).status).toBe(500);
    gateway.hook = null;
    expect((await h.fake.deliverToWebhook(handler, update)).status).toBe(200);
    expect(gateway.received.map((m) => m.text)).toEqual(['early']);
  });

  it('refuses webhook mode without a secret', async () => {
    const gateway = new RecordingGateway();
    expect(() =>
      createTelegramChannel(
        { token: '1:x', sessionScope: 'channel', webhookUrl: WEBHOOK.webhookUrl },
        gateway,
      ),
    ).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });

  it('fails to start with a clear error on a bad token, without echoing it', async () => {
    const fake = await FakeBotApi.start();
    try {
      const token = '999:not-the-right-token';
      const channel = createTelegramChannel(
        { token, apiRoot: fake.apiRoot, sessionScope: 'channel' },
        new RecordingGateway(),
      );
      const error = await channel.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/rejected the bot token.*TELEGRAM_BOT_TOKEN/);
      expect((error as Error).message).not.toContain(token);
    } finally {
      await fake.stop();
    }
  });

  it('records channel.up on start and channel.down on a clean stop', async () => {
    h = await startTelegram();
    const device = `telegram:${h.fake.bot.id}`;
    expect(h.gateway.events).toEqual([
      {
        type: 'channel.up',
        data: { channel: 'telegram', device, transport: 'polling', bot: h.fake.bot.username },
      },
    ]);
    await h.channel.stop();
    expect(h.gateway.events.at(-1)).toEqual({
      type: 'channel.down',
      data: { channel: 'telegram', device, reason: 'stopped' },
    });
    expect(h.fake.callsTo('deleteWebhook')).toHaveLength(1);
  });
});
