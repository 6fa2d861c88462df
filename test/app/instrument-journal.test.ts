import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentJournal } from '../../src/app/instrument-journal.js';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';
import type { JournalStore, OutboxClaim } from '../../src/journal/store.js';

describe('instrumentJournal', () => {
  let dir: string;
  let journal: JournalStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-instrument-'));
    journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite3') });
    await journal.migrate();
  });

  afterEach(async () => {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the journal object itself untouched', () => {
    const commitStep = journal.commitStep;
    const claimOutbox = journal.claimOutbox;
    instrumentJournal(journal, { onCommit: () => {}, heldChannels: () => ['discord'] });
    expect(journal.commitStep).toBe(commitStep);
    expect(journal.claimOutbox).toBe(claimOutbox);
  });

  it('limits outbox claims to the channels held at claim time', async () => {
    const seen: OutboxClaim[] = [];
    const spy = new Proxy(journal, {
      get(target, property) {
        if (property === 'claimOutbox')
          return async (claim: OutboxClaim) => {
            seen.push(claim);
            return target.claimOutbox(claim);
          };
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const held = new Set(['telegram']);
    const wrapped = instrumentJournal(spy, { heldChannels: () => held });
    await wrapped.claimOutbox({ owner: 'o', leaseMs: 1000, now: Date.now(), limit: 5 });
    held.add('discord');
    await wrapped.claimOutbox({ owner: 'o', leaseMs: 1000, now: Date.now(), limit: 5 });
    expect(seen.map((c) => c.channels)).toEqual([['telegram'], ['telegram', 'discord']]);
  });

  it('times step commits and still runs every other method on the real store', async () => {
    const times: number[] = [];
    const wrapped = instrumentJournal(journal, { onCommit: (ms) => times.push(ms) });
    const accepted = await wrapped.acceptInbound({
      message: {
        channel: 'console',
        eventId: 'e1',
        device: 'console',
        principal: 'console:a',
        sessionKey: 'console:k',
        conversation: { platform: 'console', channel: 'k' },
        text: 'hi',
      },
      createSession: true,
      now: Date.now(),
    });
    expect(accepted.duplicate).toBe(false);
    if (accepted.duplicate) return;
    const [claimed] = await wrapped.claimRuns({ owner: 'o', leaseMs: 30_000, now: Date.now(), limit: 1 });
    expect(claimed?.id).toBe(accepted.run.id);
    await wrapped.commitStep(accepted.run.id, {
      now: Date.now(),
      expectState: 'running',
      tape: [{ kind: 'state', body: { note: 'x' } }],
    });
    expect(times).toHaveLength(1);
    expect(times[0]).toBeGreaterThanOrEqual(0);
    expect((await wrapped.readTape(accepted.run.id)).map((e) => e.kind)).toContain('state');
  });
});
