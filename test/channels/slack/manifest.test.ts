import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Manifest {
  features: { slash_commands: { command: string; url: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
  };
}

describe('Slack app manifest', () => {
  it('asks for the scopes and events the channel uses and routes everything to /slack/events', () => {
    const manifest = parse(readFileSync('config/slack-manifest.yaml', 'utf8')) as Manifest;
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        'app_mentions:read',
        'chat:write',
        'channels:history',
        'im:history',
        'commands',
        'files:read',
      ]),
    );
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(['app_mention', 'message.im', 'message.channels', 'message.groups']),
    );
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/switchboard']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    for (const url of [
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      ...manifest.features.slash_commands.map((c) => c.url),
    ]) {
      expect(url).toMatch(/\/slack\/events$/);
    }
  });
});
