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
import type { PgContext } from './context.js';
import { acceptInbound, claimInboxEvent } from './inbound.js';
import { toJson } from './rows.js';
import { enqueueOutbox, recordEvent } from './writes.js';

type RequestRow = AccessRequestRowOf<'parsed'>;

function decode(row: RequestRow): AccessRequest {
  return toAccessRequest<'parsed'>(row, <T>(value: T) => value);
}

/** `JournalStore.getAccessRequest` (also outside a transaction: the pool is a context too). */
export async function getAccessRequest(ctx: PgContext, id: string): Promise<AccessRequest | null> {
  const [row] = await ctx.q<RequestRow>('accessRequestById', [id]);
  return row ? decode(row) : null;
}

/** `JournalStore.listAccessRequests`. */
export async function listAccessRequests(
  ctx: PgContext,
  query: { state?: AccessRequestState; limit: number },
): Promise<AccessRequest[]> {
  return (await ctx.q<RequestRow>('listAccessRequests', [query.state ?? null, query.limit])).map(decode);
}

/** `JournalStore.raiseAccessRequest` inside one transaction. */
export async function raiseAccessRequest(
  ctx: PgContext,
  input: RaiseAccessInput,
): Promise<RaiseAccessResult> {
  if ((await claimInboxEvent(ctx, input.claim)).duplicate) return { duplicate: true };
  const { request, now } = input;
  const [open] = await ctx.q<RequestRow>('pendingAccessRequestOf', [request.principal]);
  if (open && open.expires_at > now) return { duplicate: false, request: decode(open), created: false };
  if (open) await settle(ctx, open, 'expired', null, null, now);
  const inserted = await ctx.run('insertAccessRequest', [
    request.id,
    request.principal,
    request.channel,
    request.group,
    toJson(request.message),
    now,
    request.expiresAt,
  ]);
  if (inserted === 0) {
    // Another replica raised this person's request a moment ago.
    const [theirs] = await ctx.q<RequestRow>('pendingAccessRequestOf', [request.principal]);
    if (!theirs) throw new ConflictError(`the access request of ${request.principal} changed meanwhile`);
    return { duplicate: false, request: decode(theirs), created: false };
  }
  for (const card of input.cards) await enqueueOutbox(ctx, null, card, now);
  const [row] = await ctx.q<RequestRow>('accessRequestById', [request.id]);
  if (!row) throw new NotFoundError('access request', request.id);
  const created = decode(row);
  await recordEvent(ctx, 'access.requested', accessSettledData(created), now);
  return { duplicate: false, request: created, created: true };
}

/** Settles a pending request (CAS), queues its card updates and records the journal event. */
async function settle(
  ctx: PgContext,
  row: RequestRow,
  state: Exclude<AccessRequestState, 'pending'>,
  by: string | null,
  runId: string | null,
  now: number,
): Promise<AccessRequest | null> {
  if ((await ctx.run('settleAccessRequest', [row.id, state, by, now, runId])) === 0) return null;
  const cards = await ctx.q<{ channel: string; conversation: ConversationRef }>('accessCardsOf', [row.id]);
  for (const card of cards)
    await enqueueOutbox(ctx, null, accessUpdateItem(card.channel, card.conversation, row.id), now);
  const [settled] = await ctx.q<RequestRow>('accessRequestById', [row.id]);
  if (!settled) throw new NotFoundError('access request', row.id);
  const request = decode(settled);
  await recordEvent(ctx, `access.${state}`, accessSettledData(request), now);
  if (state === 'approved') ctx.signal({ type: 'people' });
  return request;
}

/** Accepts an approved request's message as a run, unless its session now belongs elsewhere. */
async function acceptReplay(ctx: PgContext, request: AccessRequest, now: number): Promise<string | null> {
  const message = { ...request.message, eventId: accessReplayEventId(request.id) };
  const [open] = await ctx.q<{ channel: string; device: string }>('openSessionByKey', [message.sessionKey]);
  if (open && !boundTo(open, message)) return null;
  const accepted = await acceptInbound(ctx, { message, createSession: true, now });
  return accepted.duplicate ? accepted.runId : accepted.run.id;
}

/** `JournalStore.decideAccessRequest` inside one transaction (the request's row is locked). */
export async function decideAccessRequest(
  ctx: PgContext,
  input: AccessDecisionInput,
): Promise<AccessDecisionResult> {
  const [row] = await ctx.q<RequestRow>('accessRequestByIdLocked', [input.requestId]);
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
    await ctx.run('upsertMembership', [row.principal, row.group_name, input.decider, input.now, row.id]);
    runId = await acceptReplay(ctx, decode(row), input.now);
  }
  const request = await settle(ctx, row, input.decision, input.decider, runId, input.now);
  if (!request) throw new ConflictError(`access request ${row.id} was already decided`, 'already_decided');
  return { request, runId };
}

/** `JournalStore.expireAccessRequests` inside one transaction. */
export async function expireAccessRequests(ctx: PgContext, now: number): Promise<AccessRequest[]> {
  const expired: AccessRequest[] = [];
  for (const row of await ctx.q<RequestRow>('dueAccessRequests', [now])) {
    const settled = await settle(ctx, row, 'expired', null, null, now);
    if (settled) expired.push(settled);
  }
  return expired;
}

/** `JournalStore.listMemberships`. */
export async function listMemberships(ctx: PgContext): Promise<Membership[]> {
  return (await ctx.q<MembershipRow>('listMemberships')).map(toMembership);
}

/** `JournalStore.grantMembership` inside one transaction. */
export async function grantMembership(
  ctx: PgContext,
  input: { principal: string; group: string; by: string; now: number },
): Promise<Membership> {
  await ctx.run('upsertMembership', [input.principal, input.group, input.by, input.now, null]);
  await recordEvent(
    ctx,
    'access.granted',
    { principal: input.principal, group: input.group, by: input.by },
    input.now,
  );
  ctx.signal({ type: 'people' });
  return {
    principal: input.principal,
    group: input.group,
    grantedBy: input.by,
    grantedAt: input.now,
    requestId: null,
  };
}

/** `JournalStore.revokeMemberships` inside one transaction. */
export async function revokeMemberships(
  ctx: PgContext,
  input: { principal: string; group?: string; by: string; now: number },
): Promise<Membership[]> {
  const rows = await ctx.q<MembershipRow>('deleteMemberships', [input.principal, input.group ?? null]);
  for (const row of rows) {
    await recordEvent(
      ctx,
      'access.revoked',
      { principal: row.principal, group: row.group_name, by: input.by },
      input.now,
    );
  }
  if (rows.length > 0) ctx.signal({ type: 'people' });
  return rows.map(toMembership);
}

/** `JournalStore.listIdentityLinks`. */
export async function listIdentityLinks(ctx: PgContext): Promise<IdentityLink[]> {
  return (await ctx.q<IdentityLinkRow>('listIdentityLinks')).map(toIdentityLink);
}

async function personOf(ctx: PgContext, principal: string): Promise<string> {
  const [row] = await ctx.q<IdentityLinkRow>('identityLinkOf', [principal]);
  return row?.person ?? principal;
}

/** Links `principal` to `person`'s person inside the caller's transaction (links locked). */
async function link(
  ctx: PgContext,
  principal: string,
  person: string,
  by: string,
  now: number,
): Promise<IdentityLink> {
  await ctx.run('lockIdentityLinks');
  const root = await personOf(ctx, person);
  const current = await personOf(ctx, principal);
  if (root === current)
    throw new ConflictError(`${principal} and ${person} are already one person`, 'same_person');
  // The identities of `principal`'s person follow it; `principal` itself then points at root.
  await ctx.run('moveIdentityPerson', [root, current]);
  if (current !== principal) await ctx.run('upsertIdentityLink', [current, root, by, now]);
  await ctx.run('upsertIdentityLink', [principal, root, by, now]);
  await recordEvent(ctx, 'identity.linked', { principal, person: root, by }, now);
  ctx.signal({ type: 'people' });
  return { principal, person: root, linkedBy: by, linkedAt: now };
}

/** `JournalStore.linkIdentity` inside one transaction. */
export async function linkIdentity(
  ctx: PgContext,
  input: { principal: string; person: string; by: string; now: number },
): Promise<IdentityLink> {
  return link(ctx, input.principal, input.person, input.by, input.now);
}

/** `JournalStore.unlinkIdentity` inside one transaction. */
export async function unlinkIdentity(
  ctx: PgContext,
  input: { principal: string; by: string; now: number },
): Promise<IdentityLink | null> {
  const [row] = await ctx.q<IdentityLinkRow>('deleteIdentityLink', [input.principal]);
  if (!row) return null;
  await recordEvent(
    ctx,
    'identity.unlinked',
    { principal: row.principal, person: row.person, by: input.by },
    input.now,
  );
  ctx.signal({ type: 'people' });
  return toIdentityLink(row);
}

/** `JournalStore.createLinkCode`. */
export async function createLinkCode(
  ctx: PgContext,
  input: { codeHash: string; principal: string; expiresAt: number; now: number },
): Promise<void> {
  // The person's codes from long ago are of no use any more: each person keeps a handful at most.
  await ctx.run('pruneLinkCodes', [input.principal, input.now - LINK_FAILURES_KEPT_MS]);
  await ctx.run('insertLinkCode', [input.codeHash, input.principal, input.now, input.expiresAt]);
}

/** `JournalStore.countLinkCodes`. */
export async function countLinkCodes(ctx: PgContext, principal: string, since: number): Promise<number> {
  const [row] = await ctx.q<{ n: number }>('countLinkCodes', [principal, since]);
  return row?.n ?? 0;
}

/** `JournalStore.recordLinkFailure` (older failures of the person go). */
export async function recordLinkFailure(ctx: PgContext, principal: string, now: number): Promise<void> {
  await ctx.run('pruneLinkFailures', [principal, now - LINK_FAILURES_KEPT_MS]);
  await ctx.run('insertLinkFailure', [principal, now]);
}

/** `JournalStore.countLinkFailures`. */
export async function countLinkFailures(ctx: PgContext, principal: string, since: number): Promise<number> {
  const [row] = await ctx.q<{ n: number }>('countLinkFailures', [principal, since]);
  return row?.n ?? 0;
}

/** `JournalStore.redeemLinkCode` inside one transaction (the code's row is locked). */
export async function redeemLinkCode(
  ctx: PgContext,
  input: { codeHash: string; principal: string; now: number },
): Promise<LinkCodeRedemption> {
  const [row] = await ctx.q<LinkCodeRow>('linkCodeByHashLocked', [input.codeHash]);
  const refusal = linkCodeRefusal(row, input.now);
  if (refusal || !row) return { ok: false, reason: refusal ?? 'unknown' };
  if ((await personOf(ctx, row.principal)) === (await personOf(ctx, input.principal)))
    return { ok: false, reason: 'same_person' };
  await ctx.run('useLinkCode', [input.now, input.principal, input.codeHash]);
  return { ok: true, link: await link(ctx, input.principal, row.principal, input.principal, input.now) };
}
