import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { channelSecretKeys } from '../../src/app/channel-registry.js';
import { createLogger } from '../../src/logging/logger.js';

const capture = () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  // As the daemon creates it: with every platform's secret keys from its descriptor.
  return { lines, logger: createLogger({ level: 'info', destination, secretKeys: channelSecretKeys() }) };
};

describe('the logger never writes secrets', () => {
  it('redacts token-bearing keys at the top level and one level down', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        token: 'discord-bot-token-123',
        apiKey: 'sk-live-abc',
        adminToken: 'admin-xyz',
        discord: { token: 'nested-token', applicationId: '42' },
        slack: { signingSecret: 'sig-secret', botToken: 'xoxb-1', appToken: 'xapp-1' },
        telegram: { webhookSecret: 'tg-secret' },
        headers: { authorization: 'Bearer admin-xyz' },
      },
      'starting',
    );
    const out = lines.join('');
    for (const secret of [
      'discord-bot-token-123',
      'sk-live-abc',
      'admin-xyz',
      'nested-token',
      'sig-secret',
      'xoxb-1',
      'xapp-1',
      'tg-secret',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
    expect(out).toContain('"applicationId":"42"');
  });

  it('redacts a request authorization header', () => {
    const { lines, logger } = capture();
    logger.warn({ req: { headers: { authorization: 'Bearer s3cr3t', host: 'x' } } }, 'request');
    expect(lines.join('')).not.toContain('s3cr3t');
    expect(lines.join('')).toContain('"host":"x"');
  });
});
