/**
 * A small labelled set of memory items and questions, shared by the retrieval tests and the memory
 * bench: each question names the items that answer it (grade 2) or help (grade 1); the questions
 * under `unrelated` have no answer in the set and should retrieve nothing.
 */

/** One item of the labelled set. */
export interface LabelledItem {
  key: string;
  text: string;
}

/** One question with its graded relevant items (key → grade). */
export interface LabelledQuery {
  query: string;
  relevant: Record<string, number>;
}

/** The items, all saved to the workspace. */
export const LABELLED_ITEMS: readonly LabelledItem[] = [
  {
    key: 'deploy',
    text: 'Production deployments happen every Tuesday at 14:00 UTC through the release pipeline in GitHub Actions.',
  },
  {
    key: 'oncall',
    text: 'The on-call rotation is managed in PagerDuty; Maria covers the weekends in March.',
  },
  {
    key: 'db',
    text: 'The staging database is PostgreSQL 16 at db-staging.internal, port 5432; credentials are in Vault.',
  },
  {
    key: 'style',
    text: 'Our TypeScript style: strict mode, no default exports, Biome for formatting and linting.',
  },
  { key: 'coffee', text: 'The office coffee machine on floor 3 is descaled every Friday morning.' },
  {
    key: 'vpn',
    text: 'To reach internal services from home, connect to the WireGuard VPN profile named corp-wg.',
  },
  {
    key: 'expenses',
    text: 'Expense reports must be filed in Expensify within 30 days, with the receipts attached.',
  },
  { key: 'standup', text: 'The daily standup is at 9:30 in the Zoom room team-sync.' },
  {
    key: 'backups',
    text: 'Nightly backups of the journal are copied to the S3 bucket sb-backups and kept for 35 days.',
  },
  {
    key: 'notes',
    text: 'Release notes are drafted by the product team in Notion before each production deployment.',
  },
  { key: 'holiday', text: 'Alice is on holiday from 3 to 14 June; Bob is her backup for code reviews.' },
  {
    key: 'ratelimit',
    text: 'The partner API allows 100 requests per minute per token; going over returns HTTP 429.',
  },
];

/** Questions with their relevant items. */
export const LABELLED_QUERIES: readonly LabelledQuery[] = [
  { query: 'When do we deploy to production?', relevant: { deploy: 2, notes: 1 } },
  { query: 'Who is on call this weekend?', relevant: { oncall: 2 } },
  { query: 'How do I connect to the staging Postgres database?', relevant: { db: 2 } },
  { query: 'Which formatter do we use for TypeScript?', relevant: { style: 2 } },
  { query: 'How can I access internal services when working from home?', relevant: { vpn: 2 } },
  { query: 'What is the deadline for filing an expense report?', relevant: { expenses: 2 } },
  { query: 'What time is the daily standup?', relevant: { standup: 2 } },
  { query: 'Where are the backups stored and for how long?', relevant: { backups: 2 } },
  { query: 'Who does code reviews while Alice is away?', relevant: { holiday: 2 } },
  { query: 'What is the rate limit of the partner API?', relevant: { ratelimit: 2 } },
];

/** Questions nothing in the set answers: retrieval should inject no item for them. */
export const UNRELATED_QUERIES: readonly string[] = [
  'Write a haiku about autumn leaves.',
  'Translate good morning into French.',
  'What is the capital of Australia?',
];
