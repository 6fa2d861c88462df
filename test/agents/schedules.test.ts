/**
 * `schedules:`: a run per tick into the bound conversation, once per tick — on SQLite through
 * the real core, and across three replicas sharing one PostgreSQL journal — and once (not once
 * per missed tick) after a restart that missed ticks.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ScheduleRunner, schedulePrincipal } from '../../src/agents/schedules.js';
import { parseConfig } from '../../src/config/load.js';
import type { InboundMessage } from '../../src/core/types.js';
import { openPostgresJournal, type PostgresJournal } from '../../src/journal/postgres/index.js';
import type { JournalStore } from '../../src/journal/store.js';
import type { ReceiveResult } from '../../src/ports/gateway.js';
import { noteLeftOut, TEST_DATABASE_URL, TestSchemas } from '../replicas/database.js';
import { type CoreHarness, startCoreHarness } from '../support/core-harness.js';
import { RecordingChannel } from '../support/recording-channel.js';

const MINUTE = 60_000;
/** 09:00:00 UTC on a Monday. */
const MONDAY_9 = Date.UTC(2026, 10, 30, 9, 0, 0);
const quiet = { info: () => {}, warn: () => {} };

const schedules = parseConfig({
  schedules: {
    standup: {
      cron: '*/5 * * * *',
      timezone: 'UTC',
      prompt: 'What is on today?',
      channel: 'test',
      conversation: 'C-standup',
    },
  },
}).schedules;

/** A runner on `journal` with a clock the test moves. */
function runnerOn(
  journal: Pick<JournalStore, 'lastScheduleTick' | 'claimScheduleTick'>,
  receive: (message: InboundMessage) => Promise<ReceiveResult>,
) {
  let now = MONDAY_9 + 1000;
  const runner = new ScheduleRunner({
    schedules,
    journal,
    receive,
    owner: `owner-${Math.random()}`,
    clock: () => now,
    logger: quiet,
  });
  return {
    runner,
    at: (ms: number) => {
      now = ms;
    },
  };
}

describe('schedules on SQLite, through the core', () => {
  let core: CoreHarness | undefined;
  afterEach(async () => {
    await core?.stop();
    core = undefined;
  });

  it('runs once per tick into the bound conversation, as the schedule principal, and once after missed ticks', async () => {
    core = await startCoreHarness({
      groups: { admins: ['console:admin'], members: ['schedule:*'] },
    });
    const channel = new RecordingChannel('test');
    core.channels.set('test', channel);
    const received: InboundMessage[] = [];
    const gateway = core.gateway;
    const receive = async (message: InboundMessage) => {
      received.push(message);
      return gateway.receive(message);
    };
    const first = runnerOn(core.journal, receive);
    // First start: where the schedule stands is recorded, nothing runs for the 09:00 tick.
    await first.runner.start();
    first.runner.stop();
    expect(received).toHaveLength(0);

    // 09:05 and 09:10 come; each runs once, however often the runner looks.
    first.at(MONDAY_9 + 5 * MINUTE);
    await first.runner.check();
    await first.runner.check();
    first.at(MONDAY_9 + 10 * MINUTE + 30_000);
    await first.runner.check();
    expect(received.map((m) => m.eventId)).toEqual([
      `schedule:standup:${MONDAY_9 + 5 * MINUTE}`,
      `schedule:standup:${MONDAY_9 + 10 * MINUTE}`,
    ]);
    expect(received[0]).toMatchObject({
      principal: schedulePrincipal('standup'),
      conversation: { platform: 'test', channel: 'C-standup' },
      text: 'What is on today?',
    });
    await expect.poll(() => channel.texts().length, { timeout: 5000 }).toBe(2);
    expect(channel.texts()[0]).toContain('What is on today?');

    // Down from 09:11 to 09:47: seven ticks missed; at start the latest runs, once.
    const restarted = runnerOn(core.journal, receive);
    restarted.at(MONDAY_9 + 47 * MINUTE);
    await restarted.runner.start();
    restarted.runner.stop();
    expect(received.map((m) => m.eventId).slice(2)).toEqual([`schedule:standup:${MONDAY_9 + 45 * MINUTE}`]);
    const runs = await core.journal.listRuns({ limit: 10 });
    expect(runs.filter((r) => r.principal === 'schedule:standup')).toHaveLength(3);
  });

  it('a schedule principal no policy lets in is refused and logged, not run', async () => {
    core = await startCoreHarness({ groups: { admins: ['console:admin'], members: ['console:*'] } });
    const warnings: string[] = [];
    const runner = new ScheduleRunner({
      schedules,
      journal: core.journal,
      receive: (message) => core!.gateway.receive(message),
      owner: 'o',
      clock: () => MONDAY_9 + 6 * MINUTE,
      logger: { info: () => {}, warn: (_obj, msg) => warnings.push(msg) },
    });
    await core.journal.claimScheduleTick({ name: 'standup', tick: MONDAY_9, owner: 'o', now: MONDAY_9 });
    await runner.check();
    expect(warnings.some((w) => w.includes('put schedule:standup in a group that may chat'))).toBe(true);
    expect(await core.journal.listRuns({ limit: 5 })).toEqual([]);
  });
});

noteLeftOut('the schedules-across-replicas suite (test/agents/schedules.test.ts)');

describe.skipIf(!TEST_DATABASE_URL)('schedules across three replicas on PostgreSQL', () => {
  const schemas = new TestSchemas(TEST_DATABASE_URL ?? '');
  const journals: PostgresJournal[] = [];
  afterAll(async () => {
    for (const journal of journals) await journal.close();
    await schemas.dropAll();
  });

  it('each tick is claimed by exactly one replica, also when all three look at once', async () => {
    const schema = schemas.fresh();
    for (let i = 0; i < 3; i++) {
      const journal = await openPostgresJournal({ url: TEST_DATABASE_URL ?? '', schema, poolMax: 2 });
      await journal.migrate();
      journals.push(journal);
    }
    const received: string[] = [];
    const replicas = journals.map((journal) =>
      runnerOn(journal, async (message) => {
        received.push(message.eventId);
        return { status: 'accepted', sessionId: 's', runId: 'r' } as const;
      }),
    );
    await Promise.all(replicas.map((r) => r.runner.start()));
    for (const r of replicas) r.runner.stop();
    expect(received).toEqual([]);
    for (let tick = 1; tick <= 6; tick++) {
      for (const r of replicas) r.at(MONDAY_9 + tick * 5 * MINUTE + 10);
      await Promise.all(replicas.flatMap((r) => [r.runner.check(), r.runner.check()]));
    }
    expect(received).toHaveLength(6);
    expect(new Set(received).size).toBe(6);
    // All three restart after missing ten ticks: the latest runs once, on one of them.
    const after = MONDAY_9 + 80 * MINUTE;
    const restarted = journals.map((journal) =>
      runnerOn(journal, async (message) => {
        received.push(message.eventId);
        return { status: 'accepted', sessionId: 's', runId: 'r' } as const;
      }),
    );
    for (const r of restarted) r.at(after);
    await Promise.all(restarted.map((r) => r.runner.start()));
    for (const r of restarted) r.runner.stop();
    expect(received.slice(6)).toEqual([`schedule:standup:${MONDAY_9 + 80 * MINUTE}`]);
  });
});
