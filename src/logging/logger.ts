import { pino } from 'pino';

/** Keys whose values are secrets wherever they appear in a log object. */
export const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'apiKey',
  'adminToken',
  'signingSecret',
  'webhookSecret',
  'secret',
  'password',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-slack-signature"]',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.apiKey',
  '*.adminToken',
  '*.signingSecret',
  '*.webhookSecret',
  '*.secret',
  '*.password',
  '*.authorization',
  'env.*',
];

/** The structured logger type used across the daemon. */
export type Logger = pino.Logger;

/**
 * Creates the daemon's pino logger with every token-bearing key redacted. Secrets must also never
 * be put inside message strings; redaction only covers object keys.
 */
export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'switchboard' },
    },
    options.destination,
  );
}
