import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateJournal } from '../../src/cli/journal-migrate.js';
import { ConfigError } from '../../src/core/errors.js';
import { openPostgresJournal } from '../../src/journal/postgres/index.js';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';
import type { JournalStore } from '../../src/journal/store.js';
import { accept, askApproval, MINUTE, snapshot, startRun, T0 } from '../journal/contract/fixtures.js';
import { noteLeftOut, TEST_DATABASE_URL, TestSchemas } from './database.js';

noteLeftOut('the journal migration suite (test/replicas/journal-migrate.test.ts)');

/** A journal with a bit of everything: sessions, finished and waiting runs, approvals, outbox, usage. */
async function fill(store: JournalStore): Promise<string> {
  const done = await startRun(store, { sessionKey: 'a', text: 'hello' }, T0);
  await store.commitStep(done.id, {
    now: T0 + 10,
    tape: [
      { kind: 'provider_request', body: { messages: 2 } },
      { kind: 'reply', body: { text: 'hi ✓', nested: { list: [1, null, 'x'] } } },
    ],
    transition: { to: 'succeeded' },
    outbox: [
      { channel: 'discord', conversation: done.conversation, kind: 'reply', payload: { text: 'hi ✓' } },
    ],
    usage: { promptTokens: 12, completionTokens: 3, totalTokens: 15 },
  });
  const [item] = await store.claimOutbox({ owner: 'w', leaseMs: MINUTE, now: T0 + 20, limit: 1 });
  await store.completeOutbox(item!.id, { messageIds: ['m-1'] }, T0 + 21);
  const waiting = await startRun(store, { sessionKey: 'b' }, T0 + 30);
  await askApproval(store, waiting, { id: 'ap-1', now: T0 + 31, expiresAt: T0 + 10 * MINUTE });
  await store.commitStep(waiting.id, { now: T0 + 32, toolExecution: { ms: 40 } });
  await accept(store, { sessionKey: 'a', text: 'queued' }, T0 + 40);
  await store.resetSession('b', T0 + 50);
  await store.recordEvent('channel.up', { channel: 'discord' }, T0 + 60);
  return waiting.id;
}

// The one accepted conditional skip: these suites need a real PostgreSQL server.
describe.skipIf(!TEST_DATABASE_URL)(
  'journal migrate: SQLite → PostgreSQL (needs SWITCHBOARD_TEST_DATABASE_URL)',
  () => {
    const schemas = new TestSchemas(TEST_DATABASE_URL ?? 'postgres://unset');
    const dir = mkdtempSync(join(tmpdir(), 'sb-migrate-'));
    afterAll(async () => {
      rmSync(dir, { recursive: true, force: true });
      await schemas.dropAll();
    });

    it('copies every table with ids, seq and times intact, and the copy keeps working', async () => {
      const from = join(dir, 'one', 'journal.sqlite3');
      const sqlite = await openSqliteJournal({ path: from });
      const waitingId = await fill(sqlite);
      const before = await snapshot(sqlite);
      await sqlite.close();

      const to = schemas.urlFor(schemas.fresh());
      const report = await migrateJournal({ from, to });
      expect(report).toMatchObject({ sessions: 2, runs: 3, approvals: 1, outbox: 2, usage_events: 2 });

      const postgres = await openPostgresJournal({ url: to });
      expect(await snapshot(postgres)).toEqual(before);
      // The copy is a live journal: tape seq continues, the approval is still clickable.
      await postgres.decideApproval({
        approvalId: 'ap-1',
        decision: 'approved',
        decider: 'discord:boss',
        scope: 'once',
        now: T0 + 70,
      });
      const tape = await postgres.readTape(waitingId);
      expect(tape.map((e) => e.seq)).toEqual(tape.map((_, i) => i));
      expect(tape.at(-1)?.kind).toBe('approval_decision');
      await postgres.commitStep(waitingId, { now: T0 + 80, toolExecution: { ms: 5 } });
      await postgres.close();
    });

    it('refuses a target that already holds a journal, and changes nothing there', async () => {
      const from = join(dir, 'two', 'journal.sqlite3');
      const sqlite = await openSqliteJournal({ path: from });
      await fill(sqlite);
      await sqlite.close();
      const to = schemas.urlFor(schemas.fresh());
      await migrateJournal({ from, to });
      const target = await openPostgresJournal({ url: to });
      const before = await snapshot(target);
      const error = await migrateJournal({ from, to }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/not empty/);
      expect(await snapshot(target)).toEqual(before);
      await target.close();
    });

    it('`switchboard journal migrate --to` copies the data folder’s journal', async () => {
      const dataDir = join(dir, 'cli');
      const sqlite = await openSqliteJournal({ path: join(dataDir, 'journal.sqlite3') });
      await fill(sqlite);
      await sqlite.close();
      const to = schemas.urlFor(schemas.fresh());
      const cli = resolve(import.meta.dirname, '../../dist/src/cli/main.js');
      const result = spawnSync(process.execPath, [cli, 'journal', 'migrate', '--to', to], {
        env: { PATH: process.env.PATH ?? '', SWITCHBOARD_DATA_DIR: dataDir },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/copied \d+ rows .*sessions 2, runs 3, tape \d+/);
      const copied = await openPostgresJournal({ url: to });
      expect(await copied.listRuns({ limit: 10 })).toHaveLength(3);
      await copied.close();
    });
  },
);
