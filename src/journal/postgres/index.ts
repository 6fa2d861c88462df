export { isPostgresUrl, type PostgresJournalOptions } from './connection.js';
export { PG_MIGRATIONS, type PgMigration } from './migrations.js';
export { openPostgresJournal, PostgresJournal } from './postgres-journal.js';
