/** The embedded SQLite journal: `openSqliteJournal` and its store class. */
export { openSqliteJournal, SqliteJournal, type SqliteJournalOptions } from './sqlite-journal.js';
export { MIGRATIONS, type Migration } from './migrations.js';
