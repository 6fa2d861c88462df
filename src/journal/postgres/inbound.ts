import { NotFoundError, SessionBindingError, ValidationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { InboundMessage, Session } from '../../core/types.js';
import type { AcceptInput, AcceptResult } from '../store.js';
import type { PgContext } from './context.js';
import { type PgRunRow, type PgSessionRow, toJson, toRun, toSession } from './rows.js';
import { appendTape, recordEvent } from './writes.js';

/** The session a message goes to, and whether it must be created. */
type Resolved = { existing: PgSessionRow } | { createWithId: string };

async function resolveSession(ctx: PgContext, input: AcceptInput, freshId: string): Promise<Resolved> {
  const { message, sessionId, createSession } = input;
  const [open] = await ctx.q<PgSessionRow>('openSessionByKeyShared', [message.sessionKey]);
  if (open) {
    if (sessionId !== undefined && sessionId !== open.id) {
      throw new ValidationError(
        `session ${sessionId} is not the open session of key ${message.sessionKey} (that is ${open.id})`,
      );
    }
    return { existing: open };
  }
  if (sessionId !== undefined) {
    const [named] = await ctx.q<PgSessionRow>('sessionById', [sessionId]);
    if (named) {
      const why = named.key === message.sessionKey ? 'was reset' : `belongs to key ${named.key}`;
      throw new ValidationError(`session ${sessionId} ${why}; send to key ${message.sessionKey} without it`);
    }
    if (!createSession) throw new NotFoundError('session', sessionId);
    return { createWithId: sessionId };
  }
  if (!createSession) throw new NotFoundError('session for key', message.sessionKey);
  return { createWithId: freshId };
}

function checkBinding(session: PgSessionRow, message: InboundMessage): void {
  if (session.channel !== message.channel || session.device !== message.device) {
    throw new SessionBindingError(
      session.key,
      `${session.channel} (${session.device})`,
      `${message.channel} (${message.device})`,
    );
  }
}

/**
 * `JournalStore.acceptInbound` inside one transaction. The inbox row goes in first (its run
 * reference is checked at commit), so the same event delivered to two replicas at once makes the
 * second wait for the first and then answer `duplicate`. Two first messages of one new key race
 * on the open-key index; the loser's transaction is retried and joins the winner's session.
 */
export async function acceptInbound(ctx: PgContext, input: AcceptInput): Promise<AcceptResult> {
  const { message, now } = input;
  // Same id order as the SQLite store: a created session's id sorts before its first run's.
  const freshSessionId = newId(now);
  const runId = newId(now);
  const inserted = await ctx.run('inboxInsert', [message.channel, message.eventId, runId, now]);
  if (inserted === 0) {
    const [seen] = await ctx.q<{ run_id: string | null }>('inboxGet', [message.channel, message.eventId]);
    return { duplicate: true, runId: seen?.run_id ?? null };
  }

  const resolved = await resolveSession(ctx, input, freshSessionId);
  let session: PgSessionRow;
  if ('existing' in resolved) {
    session = resolved.existing;
    checkBinding(session, message);
  } else {
    session = {
      id: resolved.createWithId,
      key: message.sessionKey,
      channel: message.channel,
      device: message.device,
      conversation: message.conversation,
      created_at: now,
      closed_at: null,
    };
    await ctx.run('insertSession', [
      session.id,
      session.key,
      session.channel,
      session.device,
      toJson(session.conversation),
      now,
    ]);
    await recordEvent(
      ctx,
      'session.created',
      { sessionId: session.id, key: session.key, channel: session.channel, device: session.device },
      now,
    );
  }

  const run: PgRunRow = {
    id: runId,
    session_id: session.id,
    state: 'accepted',
    principal: message.principal,
    channel: message.channel,
    conversation: message.conversation,
    text: message.text,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
    reason: null,
    lease_owner: null,
    lease_expires_at: null,
  };
  await ctx.run('insertRun', [
    run.id,
    run.session_id,
    run.principal,
    run.channel,
    toJson(run.conversation),
    run.text,
    now,
  ]);
  const input_ = {
    text: message.text,
    principal: message.principal,
    eventId: message.eventId,
    ...(message.displayName !== undefined ? { displayName: message.displayName } : {}),
    ...(message.attachments !== undefined ? { attachments: message.attachments } : {}),
  };
  await appendTape(ctx, run.id, [{ kind: 'input', body: input_ }], now);
  await recordEvent(
    ctx,
    'run.accepted',
    { runId: run.id, sessionId: session.id, principal: run.principal, channel: run.channel },
    now,
  );
  ctx.signal({ type: 'run_accepted', runId: run.id });
  return {
    duplicate: false,
    session: toSession(session),
    run: toRun(run),
    sessionCreated: 'createWithId' in resolved,
  };
}

/** `JournalStore.resetSession` inside one transaction (the open session's row is locked). */
export async function resetSession(ctx: PgContext, key: string, now: number): Promise<Session | null> {
  const [open] = await ctx.q<PgSessionRow>('openSessionByKeyLocked', [key]);
  if (!open) return null;
  await ctx.run('closeSession', [now, open.id]);
  await recordEvent(ctx, 'session.reset', { sessionId: open.id, key }, now);
  return toSession({ ...open, closed_at: now });
}
