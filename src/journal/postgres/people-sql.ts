/**
 * The statements of the people tables (access requests, memberships, linked identities, link
 * codes) by name; merged into `SQL`, so they are prepared like every other journal statement.
 */
export const PEOPLE_SQL = {
  accessRequestById: 'SELECT * FROM access_requests WHERE id = $1',
  accessRequestByIdLocked: 'SELECT * FROM access_requests WHERE id = $1 FOR UPDATE',
  pendingAccessRequestOf: `SELECT * FROM access_requests WHERE principal = $1 AND state = 'pending' FOR UPDATE`,
  listAccessRequests: `SELECT * FROM access_requests WHERE ($1::text IS NULL OR state = $1)
    ORDER BY created_at DESC, id DESC LIMIT $2`,
  // Two first messages of one stranger on two replicas: the loser's insert does nothing, and it
  // answers with the winner's request.
  insertAccessRequest: `INSERT INTO access_requests (id, principal, channel, group_name, message, state,
      created_at, expires_at)
    VALUES ($1, $2, $3, $4, $5::jsonb, 'pending', $6, $7)
    ON CONFLICT (principal) WHERE state = 'pending' DO NOTHING`,
  settleAccessRequest: `UPDATE access_requests SET state = $2, decided_by = $3, decided_at = $4, run_id = $5
    WHERE id = $1 AND state = 'pending'`,
  dueAccessRequests: `SELECT * FROM access_requests WHERE state = 'pending' AND expires_at <= $1
    ORDER BY expires_at FOR UPDATE SKIP LOCKED`,
  accessCardsOf: `SELECT channel, conversation FROM outbox WHERE approval_id = $1 AND kind = 'approval_card'`,
  setAccessCardReceipt: 'UPDATE access_requests SET card_receipt = $1::jsonb WHERE id = $2',
  listMemberships: 'SELECT * FROM memberships ORDER BY granted_at, principal',
  upsertMembership: `INSERT INTO memberships (principal, group_name, granted_by, granted_at, request_id)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (principal, group_name) DO UPDATE SET granted_by = EXCLUDED.granted_by,
      granted_at = EXCLUDED.granted_at, request_id = EXCLUDED.request_id`,
  deleteMemberships: `DELETE FROM memberships WHERE principal = $1 AND ($2::text IS NULL OR group_name = $2)
    RETURNING *`,
  listIdentityLinks: 'SELECT * FROM identity_links ORDER BY linked_at, principal',
  identityLinkOf: 'SELECT * FROM identity_links WHERE principal = $1',
  upsertIdentityLink: `INSERT INTO identity_links (principal, person, linked_by, linked_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (principal) DO UPDATE SET person = EXCLUDED.person, linked_by = EXCLUDED.linked_by,
      linked_at = EXCLUDED.linked_at`,
  moveIdentityPerson: 'UPDATE identity_links SET person = $1 WHERE person = $2',
  deleteIdentityLink: 'DELETE FROM identity_links WHERE principal = $1 RETURNING *',
  // Links are changed one at a time across replicas, so two merges never cross.
  lockIdentityLinks: 'LOCK TABLE identity_links IN SHARE ROW EXCLUSIVE MODE',
  insertLinkCode: `INSERT INTO link_codes (code_hash, principal, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
  linkCodeByHashLocked: 'SELECT * FROM link_codes WHERE code_hash = $1 FOR UPDATE',
  useLinkCode: 'UPDATE link_codes SET used_at = $1, used_by = $2 WHERE code_hash = $3 AND used_at IS NULL',
  countLinkCodes: 'SELECT COUNT(*)::bigint AS n FROM link_codes WHERE principal = $1 AND created_at >= $2',
  pruneLinkCodes: 'DELETE FROM link_codes WHERE principal = $1 AND created_at < $2',
  insertLinkFailure: 'INSERT INTO link_failures (principal, at) VALUES ($1, $2)',
  pruneLinkFailures: 'DELETE FROM link_failures WHERE principal = $1 AND at < $2',
  countLinkFailures: 'SELECT COUNT(*)::bigint AS n FROM link_failures WHERE principal = $1 AND at >= $2',
} as const;
