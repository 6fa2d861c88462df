import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { backupSqliteFile } from '../../src/journal/backup.js';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';
import { accept } from './contract/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'switchboard-backup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Another writer on the journal file, as the daemon is to the backup command: a thread of its
 * own that commits one run (session, run, tape) per transaction as fast as it can and reports
 * each id after its commit, until told to stop.
 */
const WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 5000 });
db.pragma('busy_timeout = 5000');
const insert = db.transaction((i) => {
  const id = 'load-' + String(i).padStart(8, '0');
  const conv = JSON.stringify({ platform: 'console', channel: 'c' });
  db.prepare("INSERT INTO sessions (id, key, channel, device, conversation, created_at) VALUES (?, ?, 'console', 'console', ?, ?)")
    .run('s-' + id, 'k-' + id, conv, Date.now());
  db.prepare("INSERT INTO runs (id, session_id, state, principal, channel, conversation, text, created_at, updated_at) VALUES (?, ?, 'accepted', 'console:load', 'console', ?, ?, ?, ?)")
    .run(id, 's-' + id, conv, 'x'.repeat(2000), Date.now(), Date.now());
  db.prepare("INSERT INTO tape (run_id, seq, kind, at, body) VALUES (?, 0, 'input', ?, '{}')").run(id, Date.now());
  return id;
});
let stop = false;
parentPort.on('message', () => { stop = true; });
let i = 0;
const loop = () => {
  for (let n = 0; n < 20 && !stop; n++) parentPort.postMessage(insert(i++));
  if (stop) { db.close(); parentPort.postMessage('stopped'); } else setImmediate(loop);
};
loop();
`;

describe('backupSqliteFile', () => {
  it('a backup taken under load opens, passes integrity_check and holds every run committed before it', async () => {
    const path = join(root, 'load', 'journal.sqlite3');
    const journal = await openSqliteJournal({ path });
    for (let i = 0; i < 200; i++) await accept(journal, { sessionKey: `pre-${i}`, text: 'y'.repeat(2000) });
    const committed: string[] = [];
    const worker = new Worker(WRITER, {
      eval: true,
      workerData: { path, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    const stopped = new Promise<void>((resolve) =>
      worker.on('message', (m: string) => (m === 'stopped' ? resolve() : committed.push(m))),
    );
    while (committed.length < 300) await new Promise((resolve) => setTimeout(resolve, 5));
    const before = [...committed];
    const target = join(root, 'load-backup.sqlite3');
    const result = await backupSqliteFile(path, target);
    worker.postMessage('stop');
    await stopped;
    await journal.close();

    const copy = new Database(target, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    const ids = new Set(
      copy
        .prepare<[], { id: string }>("SELECT id FROM runs WHERE id LIKE 'load-%'")
        .all()
        .map((r) => r.id),
    );
    expect(before.filter((id) => !ids.has(id))).toEqual([]);
    expect(copy.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: result.runs });
    // Every copied run is whole: its session and its tape came with it.
    expect(
      copy
        .prepare(
          'SELECT COUNT(*) AS n FROM runs r WHERE NOT EXISTS (SELECT 1 FROM tape t WHERE t.run_id = r.id)',
        )
        .get(),
    ).toEqual({ n: 0 });
    copy.close();
    // The writer kept committing until it was stopped after the copy: the load was real.
    expect(committed.length).toBeGreaterThan(before.length);
    expect(existsSync(`${target}.partial`)).toBe(false);
  });
});
