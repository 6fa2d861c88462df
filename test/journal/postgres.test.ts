import { afterAll, describe } from 'vitest';
import { openPostgresJournal } from '../../src/journal/postgres/index.js';
import { noteLeftOut, TEST_DATABASE_URL, TestSchemas } from '../replicas/database.js';
import { journalContract } from './contract.js';

noteLeftOut('the PostgreSQL journal suites (test/journal/postgres.test.ts)');

// The one accepted conditional skip: these suites need a real PostgreSQL server.
describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL journal (needs SWITCHBOARD_TEST_DATABASE_URL)', () => {
  const schemas = new TestSchemas(TEST_DATABASE_URL ?? 'postgres://unset');
  afterAll(() => schemas.dropAll());

  journalContract('postgres (fresh schema per test)', () =>
    openPostgresJournal({ url: TEST_DATABASE_URL ?? '', schema: schemas.fresh() }),
  );
});
