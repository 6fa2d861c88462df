import { describe, expect, it } from 'vitest';
import { startHousekeeping } from '../../src/app/housekeeping.js';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 2, 3, 10);

describe('housekeeping timer', () => {
  it('prunes on its interval with the injected clock and stops cleanly', async () => {
    const journal = await openSqliteJournal({ path: ':memory:' });
    await journal.recordEvent('test.old', {}, NOW - 10 * DAY);
    await journal.recordEvent('test.new', {}, NOW - DAY);
    const logs: unknown[] = [];
    const stop = startHousekeeping({
      journal,
      retention: { events: 2 * DAY, inbox: null, usage: null, tapes: null, interval: 5, batch: 10 },
      clock: () => NOW,
      logger: { info: (obj: unknown) => logs.push(obj), warn: () => {} } as never,
    });
    while (logs.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await stop();
    expect(logs[0]).toMatchObject({ pruned: { events: 1 } });
    expect((await journal.recentEvents(10)).map((e) => e.type)).toEqual(['test.new']);
    await journal.close();
  });

  it('a failing pass is logged and the timer goes on', async () => {
    const warnings: unknown[] = [];
    let calls = 0;
    const journal = {
      kind: 'broken',
      prune: async () => {
        calls += 1;
        throw new Error('disk on fire');
      },
    };
    const stop = startHousekeeping({
      journal: journal as never,
      retention: { events: DAY, inbox: null, usage: null, tapes: null, interval: 5, batch: 10 },
      clock: () => NOW,
      logger: { info: () => {}, warn: (obj: unknown) => warnings.push(obj) } as never,
    });
    while (calls < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await stop();
    expect(warnings.length).toBeGreaterThanOrEqual(1);
  });
});
