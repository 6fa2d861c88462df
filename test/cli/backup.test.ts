import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { backupCommand } from '../../src/cli/backup.js';
import { memoryBackupPath } from '../../src/journal/backup.js';
import { openSqliteJournal } from '../../src/journal/sqlite/index.js';
import { openSqliteMemoryStore } from '../../src/memory/sqlite-memory-store.js';
import { accept } from '../journal/contract/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'switchboard-backup-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('switchboard backup', () => {
  it('copies the journal and the memory file of the data folder, and never overwrites', async () => {
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { recursive: true });
    const journal = await openSqliteJournal({ path: join(dataDir, 'journal.sqlite3') });
    const { run } = await accept(journal);
    const memory = openSqliteMemoryStore({
      path: join(dataDir, 'memory.sqlite3'),
      embedder: 'offline',
      dimension: 8,
    });
    const lines: string[] = [];
    const target = join(root, 'nightly.sqlite3');
    const env = { SWITCHBOARD_DATA_DIR: dataDir };
    expect(await backupCommand([target], env, (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toMatch(/^journal: 1 runs, \d+ pages → .*nightly\.sqlite3 \(integrity ok\)$/);
    expect(lines[1]).toMatch(/^memory: .*nightly\.memory\.sqlite3/);
    const copy = new Database(target, { readonly: true });
    expect(copy.prepare('SELECT id FROM runs').all()).toEqual([{ id: run.id }]);
    copy.close();
    expect(existsSync(memoryBackupPath(target))).toBe(true);
    expect(await backupCommand([target], env, () => {})).toBe(1);
    await memory.close();
    await journal.close();
  });

  it('on PostgreSQL it points to pg_dump', async () => {
    const code = await backupCommand(['x.dump'], { SWITCHBOARD_DATABASE_URL: 'postgres://db/sb' }, () => {});
    expect(code).toBe(1);
  });
});
