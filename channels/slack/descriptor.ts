/**
 * Slack as the daemon sees it before Bolt is loaded: `SLACK_*` variables, `channels.slack.*`
 * settings, the secrets to redact, and the lazy build.
 */
import { z } from 'zod';
import { type ChannelDescriptor, SESSION_SCOPES } from '../../src/index.js';

const settings = z
  .strictObject({
    session_scope: z.enum(SESSION_SCOPES).default('thread'),
    /** The slash command, as created in the app's manifest. */
    command: z.string().default('/switchboard'),
  })
  .default({ session_scope: 'thread', command: '/switchboard' });

/** The Slack platform: Events API over HTTP with a signing secret, or Socket Mode with an app token. */
export const slackDescriptor: ChannelDescriptor = {
  name: 'slack',
  settings,
  env: [
    { name: 'SLACK_BOT_TOKEN', secret: true, description: 'the bot token (xoxb-…)' },
    { name: 'SLACK_SIGNING_SECRET', secret: true, description: 'verifies Events API requests over HTTP' },
    { name: 'SLACK_APP_TOKEN', secret: true, description: 'an app-level token (xapp-…): Socket Mode' },
    {
      name: 'SLACK_API_URL',
      secret: false,
      description: 'the Web API base URL (default https://slack.com/api/)',
    },
  ],
  redact: ['botToken', 'appToken', 'signingSecret'],
  async build({ settings: raw, env, gateway }) {
    const s = settings.parse(raw);
    const botToken = env.SLACK_BOT_TOKEN || undefined;
    if (!botToken) return { absent: true };
    const signingSecret = env.SLACK_SIGNING_SECRET || undefined;
    const appToken = env.SLACK_APP_TOKEN || undefined;
    if (!signingSecret && !appToken) {
      return {
        off: 'SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN; Slack stays off',
      };
    }
    const { createSlackChannel } = await import('./index.js');
    const apiUrl = env.SLACK_API_URL || undefined;
    return {
      channel: createSlackChannel(
        {
          botToken,
          signingSecret: signingSecret ?? '',
          ...(appToken ? { appToken } : {}),
          ...(apiUrl ? { apiUrl } : {}),
          sessionScope: s.session_scope,
          command: s.command,
        },
        gateway,
      ),
    };
  },
};
