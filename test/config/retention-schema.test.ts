import { describe, expect, it } from 'vitest';
import { retentionSchema } from '../../src/config/retention-schema.js';

describe('retention: config', () => {
  it('defaults keep every kind bounded and inbox keys past every redelivery', () => {
    const parsed = retentionSchema.parse(undefined);
    expect(parsed).toEqual({
      events: 90 * 86_400_000,
      inbox: 7 * 86_400_000,
      usage: 400 * 86_400_000,
      tapes: 90 * 86_400_000,
      interval: 600_000,
      batch: 500,
    });
  });

  it('"forever" keeps a kind for good', () => {
    expect(retentionSchema.parse({ usage: 'forever', tapes: '30d' })).toMatchObject({
      usage: null,
      tapes: 30 * 86_400_000,
    });
  });

  it('refuses inbox keys kept for less than Telegram redelivers, saying why', () => {
    const result = retentionSchema.safeParse({ inbox: '12h' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/at least 1d: Telegram/);
    expect(retentionSchema.safeParse({ inbox: '1d' }).success).toBe(true);
  });
});
