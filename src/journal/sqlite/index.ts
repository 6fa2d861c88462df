/** The embedded SQLite journal: `openSqliteJournal` and its store class. */

export { MIGRATIONS, type Migration } from './migrations.js';
export { openSqliteJournal, SqliteJournal, type SqliteJournalOptions } from './sqlite-journal.js';
