import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

const schedule = { cron: '0 9 * * 1-5', prompt: 'standup', channel: 'slack', conversation: 'C1' };

describe('the bindings: and schedules: sections', () => {
  it('are empty by default and take a well-formed binding and schedule', () => {
    expect(parseConfig({}).bindings).toEqual([]);
    expect(parseConfig({}).schedules).toEqual({});
    const config = parseConfig({
      bindings: [{ match: { channel: 'slack', principal: 'slack:*' }, agent: 'default' }],
      schedules: { standup: schedule },
    });
    expect(config.bindings[0]?.match).toEqual({ channel: 'slack', principal: 'slack:*' });
    expect(config.schedules.standup).toMatchObject({ ...schedule, enabled: true });
  });

  it.each([
    [
      { schedules: { standup: { ...schedule, cron: 'every morning' } } },
      /schedules\.standup\.cron: not a cron expression/,
    ],
    [{ schedules: { Standup: schedule } }, /lowercase letters, digits/],
    [
      { schedules: { standup: { ...schedule, conversation: undefined } } },
      /schedules\.standup\.conversation/,
    ],
    [{ bindings: [{ match: { room: 'C1' }, agent: 'default' }] }, /unknown key bindings\.0\.match\.room/],
    [{ bindings: [{ match: {} }] }, /bindings\.0\.agent/],
  ])('refuses %j with a clear error', (section, message) => {
    expect(() => parseConfig(section)).toThrow(message);
  });
});
