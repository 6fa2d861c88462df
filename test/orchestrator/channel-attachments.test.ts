import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelError, type FetchedFile } from '../../src/ports/channel.js';
import { RecordingChannel } from '../support/recording-channel.js';
import { type InputHarness, startInputHarness } from './harness.js';

/** A channel whose files need its credentials (like Slack's url_private or Telegram file ids). */
class CredentialedChannel extends RecordingChannel {
  readonly asked: string[] = [];
  async fetchAttachment(url: string, limits: { maxBytes: number }): Promise<FetchedFile | undefined> {
    this.asked.push(url);
    if (!url.startsWith('platform-file:')) return undefined;
    if (url === 'platform-file:gone') throw new ChannelError('permanent', 'the file was deleted');
    if (url === 'platform-file:huge')
      return { data: Buffer.alloc(limits.maxBytes + 1), mimeType: 'text/plain' };
    return { data: Buffer.from('deploy log: all green'), mimeType: 'text/plain' };
  }
}

describe('attachments a platform serves only with its credentials', () => {
  let core: InputHarness;
  const channel = new CredentialedChannel('console');

  beforeAll(async () => {
    core = await startInputHarness({ attachments: { max_bytes: 1024 } }, new Map([['console', channel]]));
  });
  afterAll(async () => core?.stop());

  const lastUser = () =>
    core.provider.requests
      .at(-1)!
      .messages.filter((m) => m.role === 'user')
      .at(-1)!.content as string;

  it('are downloaded through the channel and given to the model', async () => {
    const run = await core.send('summarize', {
      attachments: [{ name: 'deploy.log', url: 'platform-file:abc', mimeType: 'text/plain' }],
    });
    expect(run.state).toBe('succeeded');
    expect(channel.asked).toContain('platform-file:abc');
    expect(lastUser()).toContain('deploy log: all green');
  });

  it('a file the platform cannot provide is named, not dropped', async () => {
    const run = await core.send('read it', {
      attachments: [{ name: 'old.txt', url: 'platform-file:gone', mimeType: 'text/plain' }],
    });
    expect(run.state).toBe('succeeded');
    expect(lastUser()).toMatch(/old\.txt.*could not provide it: the file was deleted/);
  });

  it('an oversized file from the platform is refused with a reason', async () => {
    await core.send('read it', {
      attachments: [{ name: 'big.txt', url: 'platform-file:huge', mimeType: 'text/plain' }],
    });
    expect(lastUser()).toMatch(/big\.txt.*larger than the 1 KB limit/);
  });
});
