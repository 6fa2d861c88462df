import { Api } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { TelegramFiles } from '../../../channels/telegram/files.js';
import { ChannelError } from '../../../src/index.js';
import { ALICE, type Harness, startTelegram, WEBHOOK } from './harness.js';

const limits = (maxBytes = 1024) => ({ maxBytes, signal: new AbortController().signal });

describe('Telegram files (fetchAttachment)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** The ChannelError `promise` rejects with; its message never holds the bot token. */
  async function refusal(promise: Promise<unknown> | undefined): Promise<ChannelError> {
    const error = await (promise ?? Promise.resolve()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChannelError);
    const channelError = error as ChannelError;
    expect(channelError.message).not.toContain(h?.fake.token);
    expect(JSON.stringify(channelError.cause ?? null)).not.toContain(h?.fake.token);
    return channelError;
  }

  it('downloads a document a person sent, through getFile', async () => {
    h = await startTelegram();
    const file = h.fake.files.add({ data: 'deploy log: all green', mimeType: 'text/plain' });
    await h.deliver(
      h.fake.makeMessage({
        from: ALICE,
        caption: 'summarize',
        document: { file_id: file.file_id, file_unique_id: file.file_unique_id, file_name: 'deploy.log' },
      }),
    );
    const url = h.gateway.received[0]?.attachments?.[0]?.url ?? '';
    expect(url).toBe(`tg-file:${file.file_id}`);

    const fetched = await h.channel.fetchAttachment?.(url, limits());
    expect(fetched?.data.toString()).toBe('deploy log: all green');
    expect(fetched?.mimeType).toBe('text/plain');
    expect(h.fake.callsTo('getFile').map((c) => c.payload.file_id)).toEqual([file.file_id]);
    expect(h.fake.files.downloads).toEqual([file.file_path]);
  });

  it('refuses a file id Telegram does not know', async () => {
    h = await startTelegram();
    const error = await refusal(h.channel.fetchAttachment?.('tg-file:NOPE', limits()));
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/does not know this file.*invalid file_id/);
  });

  it("relays Telegram's 20 MB getFile limit with how to lift it", async () => {
    h = await startTelegram();
    const file = h.fake.files.add({ data: 'x', declaredSize: 25 * 1024 * 1024 });
    const error = await refusal(
      h.channel.fetchAttachment?.(`tg-file:${file.file_id}`, limits(50 * 1024 * 1024)),
    );
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/at most 20 MB.*TELEGRAM_API_ROOT/);
  });

  it('refuses a file above the cap from its size, without downloading it', async () => {
    h = await startTelegram();
    const file = h.fake.files.add({ data: Buffer.alloc(2048, 1) });
    const error = await refusal(h.channel.fetchAttachment?.(`tg-file:${file.file_id}`, limits(1000)));
    expect(error.message).toBe('it is larger than 1000 bytes');
    expect(h.fake.files.downloads).toEqual([]);
  });

  it('stops reading at the cap when the size Telegram reported was wrong', async () => {
    h = await startTelegram();
    const file = h.fake.files.add({ data: Buffer.alloc(4096, 1), declaredSize: 10 });
    const error = await refusal(h.channel.fetchAttachment?.(`tg-file:${file.file_id}`, limits(1000)));
    expect(error.message).toBe('it is larger than 1000 bytes');
    expect(h.fake.files.downloads).toEqual([file.file_path]);
  });

  it('refuses a download link that no longer works, without naming the token', async () => {
    h = await startTelegram();
    const file = h.fake.files.add({ data: 'x' });
    h.fake.files.expire(file);
    const error = await refusal(h.channel.fetchAttachment?.(`tg-file:${file.file_id}`, limits()));
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/HTTP 404/);
  });

  it('returns undefined for links that are not Telegram files', async () => {
    h = await startTelegram();
    for (const url of ['https://example.com/a.pdf', 'https://files.slack.com/files-pri/T-F/x', 'tg-fil:X']) {
      await expect(h.channel.fetchAttachment?.(url, limits())).resolves.toBeUndefined();
    }
    expect(h.fake.callsTo('getFile')).toEqual([]);
  });

  it('gives up when the run is cancelled', async () => {
    h = await startTelegram();
    const file = h.fake.files.add({ data: 'x' });
    h.fake.files.stallNextMs = 2000;
    const controller = new AbortController();
    const pending = h.channel.fetchAttachment?.(`tg-file:${file.file_id}`, {
      maxBytes: 1024,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const error = await refusal(pending);
    expect(error.message).toBe('the download was cancelled');
  });

  it('gives up after its time limit', async () => {
    h = await startTelegram();
    const file = h.fake.files.add({ data: 'x' });
    h.fake.files.stallNextMs = 2000;
    const files = new TelegramFiles({
      api: new Api(h.fake.token, { apiRoot: h.fake.apiRoot }),
      token: h.fake.token,
      apiRoot: h.fake.apiRoot,
      timeoutMs: 100,
    });
    const error = await refusal(files.fetch(`tg-file:${file.file_id}`, limits()));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/took longer than 100 ms/);
  });

  it('never names the token when Telegram cannot be reached', async () => {
    const token = '123456789:TEST-unreachable-token';
    const files = new TelegramFiles({
      api: new Api(token, { apiRoot: 'http://127.0.0.1:9' }),
      token,
      apiRoot: 'http://127.0.0.1:9',
    });
    const error = await files.fetch('tg-file:ABC', limits()).then(
      () => undefined,
      (e: unknown) => e as ChannelError,
    );
    expect(error).toBeInstanceOf(ChannelError);
    expect(error?.kind).toBe('transient');
    expect(error?.message).not.toContain(token);
    expect(error?.cause).toBeUndefined();
  });
});

describe('Telegram singleton flag', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('is a singleton when long polling (one poller per bot token)', async () => {
    h = await startTelegram({ start: false });
    expect(h.channel.singleton).toBe(true);
  });

  it('is no singleton in webhook mode', async () => {
    h = await startTelegram({ config: WEBHOOK, start: false });
    expect(h.channel.singleton).toBe(false);
  });
});
