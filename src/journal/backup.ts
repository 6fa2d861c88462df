import { existsSync, renameSync, rmSync } from 'node:fs';
import { extname } from 'node:path';
import Database from 'better-sqlite3';

/** What one copy holds, for the operator. */
export interface BackupResult {
  /** The file written. */
  target: string;
  /** Database pages copied. */
  pages: number;
  /** Runs in the copy (journal copies only). */
  runs?: number;
}

/** Pages per backup step: all of them, so the copy is read in one transaction (one snapshot). */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies a live SQLite database (the journal or the memory file) to `target` with SQLite's
 * online backup API while the daemon keeps writing: the pages are read in one step, so the copy
 * is one consistent snapshot (in WAL mode a reader never blocks the writer), and a write that
 * lands meanwhile restarts that step rather than mixing two states. The copy is written beside
 * `target` and renamed into place only after `PRAGMA integrity_check` passed, with its journal
 * mode set to DELETE so it is one self-contained file. Refuses to overwrite `target`.
 */
export async function backupSqliteFile(source: string, target: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new Error(`nothing to back up: ${source} does not exist`);
  if (existsSync(target))
    throw new Error(`${target} exists; choose a new file name (a backup never overwrites)`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true, timeout: 5000 });
  let pages = 0;
  try {
    const progress = await db.backup(partial, { progress: () => ALL_PAGES });
    pages = progress.totalPages;
  } finally {
    db.close();
  }
  try {
    const runs = checkCopy(partial, source);
    renameSync(partial, target);
    return { target, pages, ...(runs === undefined ? {} : { runs }) };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Makes the copy one self-contained file (journal mode DELETE), checks its integrity and returns
 * how many runs it holds (undefined for a file without runs, the memory file).
 */
function checkCopy(path: string, source: string): number | undefined {
  const copy = new Database(path, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy of ${source} failed its integrity check: ${String(check)}`);
    const hasRuns = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get();
    return hasRuns ? (copy.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n : undefined;
  } finally {
    copy.close();
  }
}

/** Where the memory copy of a backup goes: `backup.sqlite3` → `backup.memory.sqlite3`. */
export function memoryBackupPath(target: string): string {
  const ext = extname(target);
  return ext === '' ? `${target}.memory` : `${target.slice(0, -ext.length)}.memory${ext}`;
}
