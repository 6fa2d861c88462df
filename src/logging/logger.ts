import { pino } from 'pino';

/** The daemon's own keys whose values are secrets, at the top of a log object or one level down. */
const SECRET_KEYS = ['token', 'apiKey', 'adminToken', 'secret', 'password', 'authorization'];

/** Paths of secrets that are not plain keys: request headers, and the environment. */
const SECRET_PATHS = [
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-slack-signature"]',
  'env.*',
];

/**
 * The redaction paths for the daemon's secret keys plus `secretKeys` (each platform's, from its
 * descriptor): every key at the top of a log object and one level down.
 */
export function redactPaths(secretKeys: readonly string[] = []): string[] {
  const keys = [...new Set([...SECRET_KEYS, ...secretKeys])];
  return [...keys, ...SECRET_PATHS, ...keys.map((key) => `*.${key}`)];
}

/** The structured logger type used across the daemon. */
export type Logger = pino.Logger;

/**
 * Creates the daemon's pino logger with every token-bearing key redacted. Secrets must also never
 * be put inside message strings; redaction only covers object keys.
 */
export function createLogger(options: {
  level: string;
  destination?: pino.DestinationStream;
  /** More keys that hold secrets (the platforms', from their descriptors). */
  secretKeys?: readonly string[];
}): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: redactPaths(options.secretKeys), censor: '[redacted]' },
      base: { service: 'switchboard' },
    },
    options.destination,
  );
}
