/**
 * Telegram as the daemon sees it before grammY is loaded: `TELEGRAM_*` variables,
 * `channels.telegram.*` settings, the secrets to redact, and the lazy build.
 */
import { z } from 'zod';
import { type ChannelDescriptor, SESSION_SCOPES } from '../../src/index.js';

const settings = z
  .strictObject({
    session_scope: z.enum(SESSION_SCOPES).default('channel'),
  })
  .default({ session_scope: 'channel' });

/** The Telegram platform: long polling, or a webhook when a public URL is set. */
export const telegramDescriptor: ChannelDescriptor = {
  name: 'telegram',
  settings,
  env: [
    { name: 'TELEGRAM_BOT_TOKEN', secret: true, description: 'the bot token from @BotFather' },
    {
      name: 'TELEGRAM_API_ROOT',
      secret: false,
      description: 'another Bot API server (default the public one)',
    },
    {
      name: 'TELEGRAM_WEBHOOK_URL',
      secret: false,
      description: 'a public HTTPS URL: webhook instead of polling',
    },
    {
      name: 'TELEGRAM_WEBHOOK_SECRET',
      secret: true,
      description: 'the secret Telegram echoes to the webhook',
    },
  ],
  redact: ['token', 'webhookSecret'],
  async build({ settings: raw, env, gateway }) {
    const s = settings.parse(raw);
    const token = env.TELEGRAM_BOT_TOKEN || undefined;
    if (!token) return { absent: true };
    const { createTelegramChannel } = await import('./index.js');
    const apiRoot = env.TELEGRAM_API_ROOT || undefined;
    const webhookUrl = env.TELEGRAM_WEBHOOK_URL || undefined;
    const webhookSecret = env.TELEGRAM_WEBHOOK_SECRET || undefined;
    return {
      channel: createTelegramChannel(
        {
          token,
          ...(apiRoot ? { apiRoot } : {}),
          ...(webhookUrl ? { webhookUrl } : {}),
          ...(webhookSecret ? { webhookSecret } : {}),
          sessionScope: s.session_scope,
        },
        gateway,
      ),
    };
  },
};
