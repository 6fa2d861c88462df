import { type Logger, LogLevel } from '@slack/bolt';
import type { ChannelLogger } from '../../src/index.js';

/**
 * Adapts the gateway's structured logger to the logger interface of Bolt and the Web API client,
 * so their lines land in the daemon's log with `channel: slack`. Bolt's own redaction keeps tokens
 * out of its debug lines.
 */
export function boltLogger(logger: ChannelLogger): Logger {
  let level: LogLevel = LogLevel.INFO;
  let name = 'slack';
  const line = (parts: unknown[]) =>
    parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ');
  return {
    debug: (...msg: unknown[]) => logger.debug({ channel: 'slack', component: name }, line(msg)),
    info: (...msg: unknown[]) => logger.info({ channel: 'slack', component: name }, line(msg)),
    warn: (...msg: unknown[]) => logger.warn({ channel: 'slack', component: name }, line(msg)),
    error: (...msg: unknown[]) => logger.error({ channel: 'slack', component: name }, line(msg)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next: string) => {
      name = next;
    },
  };
}
