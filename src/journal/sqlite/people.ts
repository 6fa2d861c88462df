import type Database from 'better-sqlite3';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { AccessRequest, AccessRequestState, IdentityLink, Membership } from '../../core/people.js';
import type { ConversationRef } from '../../core/types.js';
import {
  type AccessRequestRowOf,
  accessReplayEventId,
  accessSettledData,
  accessUpdateItem,
  boundTo,
  type IdentityLinkRow,
  LINK_FAILURES_KEPT_MS,
  type LinkCodeRow,
  linkCodeRefusal,
  type MembershipRow,
  toAccessRequest,
  toIdentityLink,
  toMembership,
} from '../shared/people-rules.js';
import type {
  AccessDecisionInput,
  AccessDecisionResult,
  LinkCodeRedemption,
  RaiseAccessInput,
  RaiseAccessResult,
} from '../store.js';
import { acceptInbound, claimInboxEvent } from './inbound.js';
import { toJson } from './rows.js';
import type { JournalContext } from './statements.js';
import { enqueueOutbox, recordEvent } from './writes.js';

type RequestRow = AccessRequestRowOf<'text'>;
type Maybe<T> = T | null;

/** The people tables' statements, prepared once per connection. */
function prepare(db: Database.Database) {
  return {
    requestById: db.prepare<[string], RequestRow>('SELECT * FROM access_requests WHERE id = ?'),
    pendingOf: db.prepare<[string], RequestRow>(
      `SELECT * FROM access_requests WHERE principal = ? AND state = 'pending'`,
    ),
    listRequests: db.prepare<{ state: Maybe<string>; limit: number }, RequestRow>(
      `SELECT * FROM access_requests WHERE (@state IS NULL OR state = @state)
       ORDER BY created_at DESC, id DESC LIMIT +@limit`,
    ),
    insertRequest: db.prepare<RequestRow>(
      `INSERT INTO access_requests (id, principal, channel, group_name, message, state, created_at,
         expires_at, decided_by, decided_at, run_id, card_receipt)
       VALUES (@id, @principal, @channel, @group_name, @message, @state, @created_at, @expires_at,
         @decided_by, @decided_at, @run_id, @card_receipt)`,
    ),
    settleRequest: db.prepare<{
      id: string;
      state: string;
      by: Maybe<string>;
      now: number;
      runId: Maybe<string>;
    }>(
      `UPDATE access_requests SET state = @state, decided_by = @by, decided_at = @now, run_id = @runId
       WHERE id = @id AND state = 'pending'`,
    ),
    dueRequests: db.prepare<[number], RequestRow>(
      `SELECT * FROM access_requests WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at`,
    ),
    cardsOf: db.prepare<[string], { channel: string; conversation: string }>(
      `SELECT channel, conversation FROM outbox WHERE approval_id = ? AND kind = 'approval_card'`,
    ),
    openSessionByKey: db.prepare<[string], { channel: string; device: string; key: string }>(
      'SELECT * FROM sessions WHERE key = ? AND closed_at IS NULL',
    ),
    listMemberships: db.prepare<[], MembershipRow>(
      'SELECT * FROM memberships ORDER BY granted_at, principal',
    ),
    upsertMembership: db.prepare<MembershipRow>(
      `INSERT INTO memberships (principal, group_name, granted_by, granted_at, request_id)
       VALUES (@principal, @group_name, @granted_by, @granted_at, @request_id)
       ON CONFLICT (principal, group_name) DO UPDATE SET granted_by = excluded.granted_by,
         granted_at = excluded.granted_at, request_id = excluded.request_id`,
    ),
    membershipsOf: db.prepare<{ principal: string; group: Maybe<string> }, MembershipRow>(
      `SELECT * FROM memberships WHERE principal = @principal AND (@group IS NULL OR group_name = @group)`,
    ),
    deleteMembership: db.prepare<[string, string]>(
      'DELETE FROM memberships WHERE principal = ? AND group_name = ?',
    ),
    listLinks: db.prepare<[], IdentityLinkRow>('SELECT * FROM identity_links ORDER BY linked_at, principal'),
    linkOf: db.prepare<[string], IdentityLinkRow>('SELECT * FROM identity_links WHERE principal = ?'),
    upsertLink: db.prepare<IdentityLinkRow>(
      `INSERT INTO identity_links (principal, person, linked_by, linked_at)
       VALUES (@principal, @person, @linked_by, @linked_at)
       ON CONFLICT (principal) DO UPDATE SET person = excluded.person, linked_by = excluded.linked_by,
         linked_at = excluded.linked_at`,
    ),
    movePerson: db.prepare<[string, string]>('UPDATE identity_links SET person = ? WHERE person = ?'),
    deleteLink: db.prepare<[string]>('DELETE FROM identity_links WHERE principal = ?'),
    insertCode: db.prepare<LinkCodeRow>(
      `INSERT INTO link_codes (code_hash, principal, created_at, expires_at, used_at, used_by)
       VALUES (@code_hash, @principal, @created_at, @expires_at, @used_at, @used_by)`,
    ),
    codeByHash: db.prepare<[string], LinkCodeRow>('SELECT * FROM link_codes WHERE code_hash = ?'),
    useCode: db.prepare<[number, string, string]>(
      'UPDATE link_codes SET used_at = ?, used_by = ? WHERE code_hash = ? AND used_at IS NULL',
    ),
    countCodes: db.prepare<[string, number], { n: number }>(
      'SELECT COUNT(*) AS n FROM link_codes WHERE principal = ? AND created_at >= ?',
    ),
    pruneCodes: db.prepare<[string, number]>('DELETE FROM link_codes WHERE principal = ? AND created_at < ?'),
    insertFailure: db.prepare<[string, number]>('INSERT INTO link_failures (principal, at) VALUES (?, ?)'),
    pruneFailures: db.prepare<[string, number]>('DELETE FROM link_failures WHERE principal = ? AND at < ?'),
    countFailures: db.prepare<[string, number], { n: number }>(
      'SELECT COUNT(*) AS n FROM link_failures WHERE principal = ? AND at >= ?',
    ),
  };
}

type PeopleStatements = ReturnType<typeof prepare>;
const prepared = new WeakMap<Database.Database, PeopleStatements>();

/** The people statements of this connection. */
function st(ctx: JournalContext): PeopleStatements {
  let statements = prepared.get(ctx.db);
  if (!statements) {
    statements = prepare(ctx.db);
    prepared.set(ctx.db, statements);
  }
  return statements;
}

function decode(row: RequestRow): AccessRequest {
  return toAccessRequest<'text'>(row, <T>(text: string) => JSON.parse(text) as T);
}

/** `JournalStore.getAccessRequest`. */
export function getAccessRequest(ctx: JournalContext, id: string): AccessRequest | null {
  const row = st(ctx).requestById.get(id);
  return row ? decode(row) : null;
}

/** `JournalStore.listAccessRequests`. */
export function listAccessRequests(
  ctx: JournalContext,
  query: { state?: AccessRequestState; limit: number },
): AccessRequest[] {
  return st(ctx)
    .listRequests.all({ state: query.state ?? null, limit: query.limit })
    .map(decode);
}

/** `JournalStore.raiseAccessRequest` inside one write transaction. */
export function raiseAccessRequest(ctx: JournalContext, input: RaiseAccessInput): RaiseAccessResult {
  if (claimInboxEvent(ctx, input.claim).duplicate) return { duplicate: true };
  const s = st(ctx);
  const open = s.pendingOf.get(input.request.principal);
  if (open && open.expires_at > input.now) return { duplicate: false, request: decode(open), created: false };
  if (open) settle(ctx, open, 'expired', null, null, input.now);
  const { request, now } = input;
  const row: RequestRow = {
    id: request.id,
    principal: request.principal,
    channel: request.channel,
    group_name: request.group,
    message: toJson(request.message),
    state: 'pending',
    created_at: now,
    expires_at: request.expiresAt,
    decided_by: null,
    decided_at: null,
    run_id: null,
    card_receipt: null,
  };
  s.insertRequest.run(row);
  for (const card of input.cards) enqueueOutbox(ctx, null, card, now);
  const created = decode(row);
  recordEvent(ctx, 'access.requested', accessSettledData(created), now);
  return { duplicate: false, request: created, created: true };
}

/** Settles a pending request (CAS), queues its card updates and records the journal event. */
function settle(
  ctx: JournalContext,
  row: RequestRow,
  state: Exclude<AccessRequestState, 'pending'>,
  by: string | null,
  runId: string | null,
  now: number,
): AccessRequest | null {
  const s = st(ctx);
  if (s.settleRequest.run({ id: row.id, state, by, now, runId }).changes === 0) return null;
  for (const card of s.cardsOf.all(row.id)) {
    enqueueOutbox(
      ctx,
      null,
      accessUpdateItem(card.channel, JSON.parse(card.conversation) as ConversationRef, row.id),
      now,
    );
  }
  const settled = s.requestById.get(row.id);
  if (!settled) throw new NotFoundError('access request', row.id);
  const request = decode(settled);
  recordEvent(ctx, `access.${state}`, accessSettledData(request), now);
  return request;
}

/** Accepts an approved request's message as a run, unless its session now belongs elsewhere. */
function acceptReplay(ctx: JournalContext, request: AccessRequest, now: number): string | null {
  const message = { ...request.message, eventId: accessReplayEventId(request.id) };
  const open = st(ctx).openSessionByKey.get(message.sessionKey);
  if (open && !boundTo(open, message)) return null;
  const accepted = acceptInbound(ctx, { message, createSession: true, now });
  return accepted.duplicate ? accepted.runId : accepted.run.id;
}

/** `JournalStore.decideAccessRequest` inside one write transaction. */
export function decideAccessRequest(ctx: JournalContext, input: AccessDecisionInput): AccessDecisionResult {
  const s = st(ctx);
  const row = s.requestById.get(input.requestId);
  if (!row) throw new NotFoundError('access request', input.requestId);
  if (row.state !== 'pending')
    throw new ConflictError(
      `access request ${row.id} was already ${row.state}`,
      'already_decided',
      row.state,
    );
  // Thrown inside the transaction; the store then marks it expired in a transaction of its own.
  if (row.expires_at <= input.now)
    throw new ConflictError(`access request ${row.id} expired`, 'expired', 'expired');
  let runId: string | null = null;
  if (input.decision === 'approved') {
    s.upsertMembership.run({
      principal: row.principal,
      group_name: row.group_name,
      granted_by: input.decider,
      granted_at: input.now,
      request_id: row.id,
    });
    runId = acceptReplay(ctx, decode(row), input.now);
  }
  const request = settle(ctx, row, input.decision, input.decider, runId, input.now);
  if (!request) throw new ConflictError(`access request ${row.id} was already decided`, 'already_decided');
  return { request, runId };
}

/** `JournalStore.expireAccessRequests` inside one write transaction. */
export function expireAccessRequests(ctx: JournalContext, now: number): AccessRequest[] {
  const expired: AccessRequest[] = [];
  for (const row of st(ctx).dueRequests.all(now)) {
    const settled = settle(ctx, row, 'expired', null, null, now);
    if (settled) expired.push(settled);
  }
  return expired;
}

/** `JournalStore.listMemberships`. */
export function listMemberships(ctx: JournalContext): Membership[] {
  return st(ctx).listMemberships.all().map(toMembership);
}

/** `JournalStore.grantMembership` inside one write transaction. */
export function grantMembership(
  ctx: JournalContext,
  input: { principal: string; group: string; by: string; now: number },
): Membership {
  const row: MembershipRow = {
    principal: input.principal,
    group_name: input.group,
    granted_by: input.by,
    granted_at: input.now,
    request_id: null,
  };
  st(ctx).upsertMembership.run(row);
  recordEvent(
    ctx,
    'access.granted',
    { principal: input.principal, group: input.group, by: input.by },
    input.now,
  );
  return toMembership(row);
}

/** `JournalStore.revokeMemberships` inside one write transaction. */
export function revokeMemberships(
  ctx: JournalContext,
  input: { principal: string; group?: string; by: string; now: number },
): Membership[] {
  const s = st(ctx);
  const rows = s.membershipsOf.all({ principal: input.principal, group: input.group ?? null });
  for (const row of rows) {
    s.deleteMembership.run(row.principal, row.group_name);
    recordEvent(
      ctx,
      'access.revoked',
      { principal: row.principal, group: row.group_name, by: input.by },
      input.now,
    );
  }
  return rows.map(toMembership);
}

/** `JournalStore.listIdentityLinks`. */
export function listIdentityLinks(ctx: JournalContext): IdentityLink[] {
  return st(ctx).listLinks.all().map(toIdentityLink);
}

/** Links `principal` to `person`'s person inside the caller's transaction. */
function link(ctx: JournalContext, principal: string, person: string, by: string, now: number): IdentityLink {
  const s = st(ctx);
  const root = s.linkOf.get(person)?.person ?? person;
  const current = s.linkOf.get(principal)?.person ?? principal;
  if (root === current)
    throw new ConflictError(`${principal} and ${person} are already one person`, 'same_person');
  // The identities of `principal`'s person follow it; `principal` itself then points at root.
  s.movePerson.run(root, current);
  if (current !== principal)
    s.upsertLink.run({ principal: current, person: root, linked_by: by, linked_at: now });
  const row: IdentityLinkRow = { principal, person: root, linked_by: by, linked_at: now };
  s.upsertLink.run(row);
  recordEvent(ctx, 'identity.linked', { principal, person: root, by }, now);
  return toIdentityLink(row);
}

/** `JournalStore.linkIdentity` inside one write transaction. */
export function linkIdentity(
  ctx: JournalContext,
  input: { principal: string; person: string; by: string; now: number },
): IdentityLink {
  return link(ctx, input.principal, input.person, input.by, input.now);
}

/** `JournalStore.unlinkIdentity` inside one write transaction. */
export function unlinkIdentity(
  ctx: JournalContext,
  input: { principal: string; by: string; now: number },
): IdentityLink | null {
  const s = st(ctx);
  const row = s.linkOf.get(input.principal);
  if (!row) return null;
  s.deleteLink.run(input.principal);
  recordEvent(
    ctx,
    'identity.unlinked',
    { principal: row.principal, person: row.person, by: input.by },
    input.now,
  );
  return toIdentityLink(row);
}

/** `JournalStore.createLinkCode` inside one write transaction. */
export function createLinkCode(
  ctx: JournalContext,
  input: { codeHash: string; principal: string; expiresAt: number; now: number },
): void {
  // The person's codes from long ago are of no use any more: each person keeps a handful at most.
  st(ctx).pruneCodes.run(input.principal, input.now - LINK_FAILURES_KEPT_MS);
  st(ctx).insertCode.run({
    code_hash: input.codeHash,
    principal: input.principal,
    created_at: input.now,
    expires_at: input.expiresAt,
    used_at: null,
    used_by: null,
  });
}

/** `JournalStore.countLinkCodes`. */
export function countLinkCodes(ctx: JournalContext, principal: string, since: number): number {
  return st(ctx).countCodes.get(principal, since)?.n ?? 0;
}

/** `JournalStore.recordLinkFailure` inside one write transaction (older failures of the person go). */
export function recordLinkFailure(ctx: JournalContext, principal: string, now: number): void {
  st(ctx).pruneFailures.run(principal, now - LINK_FAILURES_KEPT_MS);
  st(ctx).insertFailure.run(principal, now);
}

/** `JournalStore.countLinkFailures`. */
export function countLinkFailures(ctx: JournalContext, principal: string, since: number): number {
  return st(ctx).countFailures.get(principal, since)?.n ?? 0;
}

/** `JournalStore.redeemLinkCode` inside one write transaction. */
export function redeemLinkCode(
  ctx: JournalContext,
  input: { codeHash: string; principal: string; now: number },
): LinkCodeRedemption {
  const s = st(ctx);
  const row = s.codeByHash.get(input.codeHash);
  const refusal = linkCodeRefusal(row, input.now);
  if (refusal || !row) return { ok: false, reason: refusal ?? 'unknown' };
  const personOf = (p: string) => s.linkOf.get(p)?.person ?? p;
  if (personOf(row.principal) === personOf(input.principal)) return { ok: false, reason: 'same_person' };
  s.useCode.run(input.now, input.principal, input.codeHash);
  return { ok: true, link: link(ctx, input.principal, row.principal, input.principal, input.now) };
}
