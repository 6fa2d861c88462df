import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackFiles } from '../../../channels/slack/files.js';
import { ChannelError } from '../../../src/index.js';
import { mention, type SlackHarness, startSlack } from './harness.js';

const TOKEN = 'xoxb-test';
const limits = (maxBytes = 1024) => ({ maxBytes, signal: new AbortController().signal });

/** The ChannelError `promise` rejects with (fails the test when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  const channelError = error as ChannelError;
  expect(channelError.message).not.toContain(TOKEN);
  return channelError;
}

describe('Slack private files (fetchAttachment)', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlack();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('downloads a file shared in a message with the bot token', async () => {
    const file = h.fake.fileHost.add({
      name: 'deploy.log',
      data: 'deploy log: all green',
      mimetype: 'text/plain',
    });
    const { data: _bytes, ...shared } = file;
    await h.slack.event(mention('summarize', { files: [shared] }));
    const attachment = h.gateway.received[0]?.attachments?.[0];
    expect(attachment?.url).toBe(file.url_private);

    const fetched = await h.channel.fetchAttachment?.(file.url_private, limits());
    expect(fetched?.data.toString()).toBe('deploy log: all green');
    expect(fetched?.mimeType).toBe('text/plain');
    expect(h.fake.fileHost.downloads).toEqual([{ id: file.id, token: TOKEN }]);
  });

  it('the file host refuses a request without the bot token', async () => {
    const file = h.fake.fileHost.add({ name: 'secret.txt', data: 'x' });
    const response = await fetch(file.url_private, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^https:\/\/fake-team\.slack\.test\//);
  });

  it('refuses with how to fix it when the token may not read files (sign-in redirect)', async () => {
    const file = h.fake.fileHost.add({ name: 'secret.txt', data: 'x' });
    h.fake.botToken = 'xoxb-reinstalled';
    const error = await refusal(h.channel.fetchAttachment?.(file.url_private, limits()) ?? Promise.resolve());
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/files:read/);
    expect(h.fake.fileHost.downloads).toHaveLength(1); // the sign-in page was not followed
  });

  it('maps 403 to a permanent error naming the files:read scope', async () => {
    const file = h.fake.fileHost.add({ name: 'a.txt', data: 'x' });
    h.fake.fileHost.failNext(file, { status: 403 });
    const error = await refusal(h.channel.fetchAttachment?.(file.url_private, limits()) ?? Promise.resolve());
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/HTTP 403.*files:read/);
  });

  it('maps a deleted file (404) to a permanent error', async () => {
    const file = h.fake.fileHost.add({ name: 'a.txt', data: 'x' });
    h.fake.fileHost.files.length = 0;
    const error = await refusal(h.channel.fetchAttachment?.(file.url_private, limits()) ?? Promise.resolve());
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/no such file.*deleted/);
  });

  it('stops reading an oversized file at the cap and refuses it', async () => {
    const file = h.fake.fileHost.add({ name: 'big.bin', data: Buffer.alloc(4096, 7) });
    const error = await refusal(
      h.channel.fetchAttachment?.(file.url_private, limits(1000)) ?? Promise.resolve(),
    );
    expect(error.kind).toBe('permanent');
    expect(error.message).toBe('it is larger than 1000 bytes');
  });

  it('does not carry the token along a redirect to another host', async () => {
    const file = h.fake.fileHost.add({ name: 'a.txt', data: 'x' });
    h.fake.fileHost.failNext(file, { redirectTo: 'https://elsewhere.example/steal' });
    const error = await refusal(h.channel.fetchAttachment?.(file.url_private, limits()) ?? Promise.resolve());
    expect(error.kind).toBe('permanent');
  });

  it('returns undefined for links that are not Slack files, without downloading', async () => {
    for (const url of [
      'https://example.com/report.pdf',
      'https://files.slack.com.evil.example/files-pri/T-F/x',
      'http://files.slack.com/files-pri/T-F/x',
      'tg-file:ABC',
      'not a url',
    ]) {
      await expect(h.channel.fetchAttachment?.(url, limits())).resolves.toBeUndefined();
    }
    expect(h.fake.fileHost.downloads).toEqual([]);
  });

  it('gives up when the run is cancelled', async () => {
    const file = h.fake.fileHost.add({ name: 'slow.txt', data: 'x' });
    h.fake.fileHost.failNext(file, { stallMs: 2000 });
    const controller = new AbortController();
    const pending = h.channel.fetchAttachment?.(file.url_private, {
      maxBytes: 1024,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const error = await refusal(pending ?? Promise.resolve());
    expect(error.message).toBe('the download was cancelled');
  });

  it('gives up after its time limit', async () => {
    const file = h.fake.fileHost.add({ name: 'slow.txt', data: 'x' });
    h.fake.fileHost.failNext(file, { stallMs: 2000 });
    const files = new SlackFiles({ botToken: TOKEN, apiUrl: h.fake.apiUrl, timeoutMs: 100 });
    const error = await refusal(files.fetch(file.url_private, limits()));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/took longer than 100 ms/);
  });

  it('is no singleton: Slack connections may run on every replica', () => {
    expect(h.channel.singleton).toBeUndefined();
  });
});

describe('Slack file hosts', () => {
  it('treats files.slack.com over https as Slack, and nothing else without an apiUrl', () => {
    const files = new SlackFiles({ botToken: TOKEN });
    expect(files.isSlackFile(new URL('https://files.slack.com/files-pri/T1-F1/a.png'))).toBe(true);
    expect(files.isSlackFile(new URL('https://files.slack-gov.com/files-pri/T1-F1/a.png'))).toBe(true);
    expect(files.isSlackFile(new URL('https://slack.com/files-pri/T1-F1/a.png'))).toBe(false);
    expect(files.isSlackFile(new URL('https://u:p@files.slack.com/files-pri/T1-F1/a.png'))).toBe(false);
  });
});
