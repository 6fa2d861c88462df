import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { openJournal } from '../../src/journal/open.js';
import { pruneJournal } from '../../src/journal/retention.js';
import { MIGRATIONS, openSqliteJournal } from '../../src/journal/sqlite/index.js';
import { applyMigrations } from '../../src/journal/sqlite/migrations.js';
import { accept, startRun, T0 } from './contract/fixtures.js';
import { journalContract } from './contract.js';

const root = mkdtempSync(join(tmpdir(), 'switchboard-journal-'));
let counter = 0;
const freshPath = () => {
  counter += 1;
  return join(root, `t${counter}`, 'journal.sqlite3');
};

afterAll(() => rmSync(root, { recursive: true, force: true }));

journalContract('sqlite (temp file)', () => openSqliteJournal({ path: freshPath() }));

describe('SqliteJournal specifics', () => {
  it('runs in WAL mode with foreign keys on', async () => {
    const path = freshPath();
    const journal = await openSqliteJournal({ path });
    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    expect(journal.kind).toBe('sqlite');
    await journal.close();
  });

  it('refuses UPDATE and DELETE on the tape with a trigger', async () => {
    const path = freshPath();
    const journal = await openSqliteJournal({ path });
    const run = await startRun(journal);
    const raw = new Database(path);
    expect(() => raw.prepare('UPDATE tape SET body = ? WHERE run_id = ?').run('{}', run.id)).toThrow(
      /append-only/,
    );
    expect(() => raw.prepare('DELETE FROM tape WHERE run_id = ?').run(run.id)).toThrow(/append-only/);
    raw.close();
    expect(await journal.readTape(run.id)).toHaveLength(2);
    await journal.close();
  });

  it('gives the space retention freed back to the file system (incremental vacuum)', async () => {
    const path = freshPath();
    const journal = await openSqliteJournal({ path });
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('auto_vacuum', { simple: true })).toBe(2);
    const pages = () => Number(raw.pragma('page_count', { simple: true }));
    const filler = 'x'.repeat(2000);
    for (let i = 0; i < 2000; i++) await journal.recordEvent('test.bulk', { i, filler }, T0 - 2 * 86_400_000);
    const full = pages();
    const counts = await pruneJournal(
      journal,
      { events: 86_400_000, inbox: null, usage: null, tapes: null, batch: 500 },
      T0,
    );
    expect(counts.events).toBe(2000);
    expect(pages()).toBeLessThan(full / 4);
    expect(raw.pragma('freelist_count', { simple: true })).toBe(0);
    raw.close();
    await journal.close();
  });

  it('lets retention delete the tape of a finished run only', async () => {
    const path = freshPath();
    const journal = await openSqliteJournal({ path });
    const live = await startRun(journal);
    const done = await startRun(journal, { sessionKey: 'other' });
    await journal.commitStep(done.id, { now: T0, expectState: 'running', transition: { to: 'failed' } });
    const raw = new Database(path);
    expect(() => raw.prepare('DELETE FROM tape WHERE run_id = ?').run(live.id)).toThrow(/append-only/);
    expect(raw.prepare('DELETE FROM tape WHERE run_id = ?').run(done.id).changes).toBe(3);
    raw.close();
    await journal.close();
  });

  it('keeps its data across a reopen without re-running migrations', async () => {
    const path = freshPath();
    const first = await openSqliteJournal({ path, synchronous: 'FULL' });
    const { run } = await accept(first);
    await first.close();
    const applied = () => {
      const raw = new Database(path, { readonly: true });
      const rows = raw.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all();
      raw.close();
      return rows;
    };
    const before = applied();
    expect(before).toHaveLength(MIGRATIONS.length);
    const second = await openSqliteJournal({ path });
    await second.migrate();
    expect(await second.getRun(run.id)).toEqual(run);
    await second.close();
    expect(applied()).toEqual(before);
  });

  it('keeps journal events and inbox rows through step 9, which rebuilds their tables', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    const raw = new Database(path);
    applyMigrations(
      raw,
      MIGRATIONS.filter((m) => m.version < 9),
    );
    raw
      .prepare('INSERT INTO journal_events (id, at, type, data) VALUES (?, ?, ?, ?)')
      .run('01JEVENT0000000000000000AA', T0, 'admin.note', '{"n":1}');
    raw
      .prepare('INSERT INTO inbox (channel, event_id, run_id, received_at) VALUES (?, ?, NULL, ?)')
      .run('discord', 'evt-kept', T0);
    raw.close();
    const journal = await openSqliteJournal({ path });
    expect(await journal.recentEvents(10)).toContainEqual(
      expect.objectContaining({ id: '01JEVENT0000000000000000AA', type: 'admin.note', data: { n: 1 } }),
    );
    expect(await journal.claimInboxEvent({ channel: 'discord', eventId: 'evt-kept', now: T0 })).toEqual({
      duplicate: true,
    });
    await journal.close();
  });

  it('prepares each statement once: no LIMIT is a bare parameter, which SQLite re-plans at every binding', () => {
    const files = [
      ...readdirSync('src/journal/sqlite').map((f) => join('src/journal/sqlite', f)),
      'src/memory/sqlite-memory-store.ts',
    ];
    for (const file of files) {
      const bare = readFileSync(file, 'utf8').match(/LIMIT\s+[@?:$]\w*/g) ?? [];
      expect({ file, bare }).toEqual({ file, bare: [] });
    }
  });

  it('works in memory', async () => {
    const journal = await openSqliteJournal({ path: ':memory:' });
    const { run } = await accept(journal, {}, T0);
    expect(await journal.getRun(run.id)).toEqual(run);
    await journal.close();
    await journal.close();
  });

  it('a closed journal fails its health check', async () => {
    const journal = await openSqliteJournal({ path: freshPath() });
    await journal.healthCheck();
    await journal.close();
    await expect(journal.healthCheck()).rejects.toThrow();
  });
});

describe('openJournal', () => {
  it('opens journal.sqlite3 in the data folder, creating it', async () => {
    const dataDir = join(root, 'data-new', 'nested');
    const journal = await openJournal({ dataDir });
    expect(journal.kind).toBe('sqlite');
    await journal.healthCheck();
    await journal.close();
    const raw = new Database(join(dataDir, 'journal.sqlite3'), { readonly: true });
    expect(raw.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({
      n: MIGRATIONS.length,
    });
    raw.close();
  });

  it('an unwritable data folder is a clear error naming the folder', async () => {
    const blocker = join(root, 'not-a-folder');
    writeFileSync(blocker, 'a file where the data folder should be');
    const dataDir = join(blocker, 'data');
    const error = await openJournal({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(dataDir);
    expect((error as Error).message).toMatch(/not writable/);
  });

  it('a database URL that is not PostgreSQL is refused', async () => {
    const error = await openJournal({
      dataDir: join(root, 'pg'),
      databaseUrl: 'mysql://x@localhost/db',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('postgres://');
  });
});
