import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNEL_DESCRIPTORS, channelSecretKeys } from '../../src/app/channel-registry.js';
import { createPlatformChannels, parseChannelSettings } from '../../src/app/channels.js';
import { StubGateway } from '../channels/stub-gateway.js';

const ROOT = resolve(import.meta.dirname, '../..');
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

describe('the channel registry', () => {
  it('lists one descriptor for every adapter folder, named after it', () => {
    const folders = readdirSync(join(ROOT, 'channels'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(CHANNEL_DESCRIPTORS.map((d) => d.name).sort()).toEqual(folders);
  });

  it("documents every platform's environment variables in the README", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const missing = CHANNEL_DESCRIPTORS.flatMap((d) => d.env.map((v) => v.name)).filter(
      (n) => !readme.includes(n),
    );
    expect(missing).toEqual([]);
  });

  it("redacts the log keys of every platform's secrets", () => {
    expect(channelSecretKeys()).toEqual(
      expect.arrayContaining(['token', 'botToken', 'appToken', 'signingSecret', 'webhookSecret']),
    );
  });

  it('fills in every default when a platform has no section', () => {
    const settings = parseChannelSettings({ console: { enabled: true, users: [] } }, 'test');
    expect(settings.get('slack')).toEqual({ session_scope: 'thread', command: '/switchboard' });
    expect(settings.get('discord')).toMatchObject({ session_scope: 'channel' });
    expect(settings.get('telegram')).toEqual({ session_scope: 'channel' });
  });

  it('builds no channel without tokens, and keeps a half-configured platform off with the reason', async () => {
    const settings = parseChannelSettings({ console: { enabled: true, users: [] } }, 'test');
    const gateway = new StubGateway();
    expect(await createPlatformChannels(settings, {}, gateway, quiet)).toEqual([]);
    const warnings: string[] = [];
    const logger = { ...quiet, warn: (_obj: object, msg?: string) => void warnings.push(msg ?? '') };
    const env = { DISCORD_BOT_TOKEN: 'x', SLACK_BOT_TOKEN: 'xoxb-1' };
    expect(await createPlatformChannels(settings, env, gateway, logger)).toEqual([]);
    expect(warnings).toEqual([
      expect.stringContaining('DISCORD_APPLICATION_ID is not'),
      expect.stringContaining('neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN'),
    ]);
  });

  it('builds a configured platform through its adapter, with its settings', async () => {
    const settings = parseChannelSettings(
      { console: { enabled: true, users: [] }, telegram: { session_scope: 'user' } },
      'test',
    );
    const channels = await createPlatformChannels(
      settings,
      { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_API_ROOT: 'http://127.0.0.1:9' },
      new StubGateway(),
      quiet,
    );
    expect(channels.map((c) => c.name)).toEqual(['telegram']);
  });
});
