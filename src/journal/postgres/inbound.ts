import { newId } from '../../core/ids.js';
import type { Session } from '../../core/types.js';
import {
  checkBinding,
  inputTapeBody,
  newRunRow,
  newSessionRow,
  type ResolvedSession,
  resolveSessionFrom,
  runAcceptedData,
  sessionCreatedData,
} from '../shared/inbound-rules.js';
import type { AcceptInput, AcceptResult, InboxClaim } from '../store.js';
import type { PgContext } from './context.js';
import { type PgSessionRow, toJson, toRun, toSession } from './rows.js';
import { appendTape, recordEvent } from './writes.js';

async function resolveSession(
  ctx: PgContext,
  input: AcceptInput,
  freshId: string,
): Promise<ResolvedSession<'parsed'>> {
  const { message, sessionId } = input;
  const [open] = await ctx.q<PgSessionRow>('openSessionByKeyShared', [message.sessionKey]);
  const [named] =
    !open && sessionId !== undefined ? await ctx.q<PgSessionRow>('sessionById', [sessionId]) : [];
  return resolveSessionFrom(input, open, named, () => freshId);
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
    session = newSessionRow<'parsed'>(resolved.createWithId, message, message.conversation, now);
    await ctx.run('insertSession', [
      session.id,
      session.key,
      session.channel,
      session.device,
      toJson(session.conversation),
      now,
      session.agent,
    ]);
    await recordEvent(ctx, 'session.created', sessionCreatedData(session), now);
  }

  const run = newRunRow<'parsed'>(runId, session, message, message.conversation, now);
  await ctx.run('insertRun', [
    run.id,
    run.session_id,
    run.principal,
    run.channel,
    toJson(run.conversation),
    run.text,
    now,
    run.agent,
  ]);
  await appendTape(ctx, run.id, [{ kind: 'input', body: inputTapeBody(message) }], now);
  await recordEvent(ctx, 'run.accepted', runAcceptedData(run), now);
  ctx.signal({ type: 'run_accepted', runId: run.id });
  return {
    duplicate: false,
    session: toSession(session),
    run: toRun(run),
    sessionCreated: 'createWithId' in resolved,
  };
}

/**
 * `JournalStore.claimInboxEvent` inside one transaction: an inbox row without a run. Like
 * `acceptInbound`, a concurrent claim or acceptance of the same event makes this one wait and
 * then answer `duplicate`.
 */
export async function claimInboxEvent(ctx: PgContext, input: InboxClaim): Promise<{ duplicate: boolean }> {
  const inserted = await ctx.run('inboxInsert', [input.channel, input.eventId, null, input.now]);
  return { duplicate: inserted === 0 };
}

/** `JournalStore.resetSession` inside one transaction (the open session's row is locked). */
export async function resetSession(ctx: PgContext, key: string, now: number): Promise<Session | null> {
  const [open] = await ctx.q<PgSessionRow>('openSessionByKeyLocked', [key]);
  if (!open) return null;
  await ctx.run('closeSession', [now, open.id]);
  await recordEvent(ctx, 'session.reset', { sessionId: open.id, key }, now);
  return toSession({ ...open, closed_at: now });
}
