import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { openSqliteJournal } from './sqlite/sqlite-journal.js';
import type { JournalStore } from './store.js';

/** Where the journal lives: the data folder, or a PostgreSQL URL shared by several replicas. */
export interface OpenJournalOptions {
  /** Data folder (`SWITCHBOARD_DATA_DIR`); holds `journal.sqlite3`. Created when missing. */
  dataDir: string;
  /** `SWITCHBOARD_DATABASE_URL`: a `postgres://` URL to use instead of the SQLite file. */
  databaseUrl?: string;
}

/** The file name of the embedded journal inside the data folder. */
export const SQLITE_JOURNAL_FILE = 'journal.sqlite3';

/**
 * Opens the journal the configuration asks for, migrated and ready: the embedded SQLite file
 * `<dataDir>/journal.sqlite3` by default. Throws `ConfigError` naming the folder when it cannot be
 * created or written, so the daemon stops at start rather than on the first message.
 */
export async function openJournal(options: OpenJournalOptions): Promise<JournalStore> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    throw new ConfigError(
      'PostgreSQL journal not available yet: unset SWITCHBOARD_DATABASE_URL to use the embedded SQLite journal',
    );
  }
  const dir = resolve(options.dataDir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `data folder ${dir} is not writable (${reason}); set SWITCHBOARD_DATA_DIR to a folder the daemon can write`,
    );
  }
  try {
    return await openSqliteJournal({ path: join(dir, SQLITE_JOURNAL_FILE) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cannot open the journal ${join(dir, SQLITE_JOURNAL_FILE)}: ${reason}`);
  }
}
