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
 * `<dataDir>/journal.sqlite3` by default, PostgreSQL when `databaseUrl` is a `postgres://` or
 * `postgresql://` URL. Throws `ConfigError` naming the folder when it cannot be
 * created or written, so the daemon stops at start rather than on the first message.
 */
export async function openJournal(options: OpenJournalOptions): Promise<JournalStore> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return openSharedJournal(options.databaseUrl);
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

/**
 * Opens the PostgreSQL journal at `url`. Throws `ConfigError` for another scheme, and when the
 * server cannot be reached or migrated, naming the server but never the password.
 */
async function openSharedJournal(url: string): Promise<JournalStore> {
  // node-postgres is loaded only by a daemon that uses it (it costs memory and start time).
  const { isPostgresUrl, openPostgresJournal } = await import('./postgres/index.js');
  if (!isPostgresUrl(url)) {
    throw new ConfigError(
      'SWITCHBOARD_DATABASE_URL must be a postgres:// or postgresql:// URL; unset it to use the embedded SQLite journal',
    );
  }
  try {
    return await openPostgresJournal({ url });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `cannot open the PostgreSQL journal at ${redactUrl(url)}: ${reason}; check SWITCHBOARD_DATABASE_URL and that the server is up`,
    );
  }
}

/** The URL without its password, for error messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}
