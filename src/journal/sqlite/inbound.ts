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
import { type SessionRow, toJson, toRun, toSession } from './rows.js';
import type { JournalContext } from './statements.js';
import { appendTape, recordEvent } from './writes.js';

function resolveSession(ctx: JournalContext, input: AcceptInput): ResolvedSession<'text'> {
  const { message, sessionId, now } = input;
  const open = ctx.st.openSessionByKey.get(message.sessionKey);
  const named = !open && sessionId !== undefined ? ctx.st.sessionById.get(sessionId) : undefined;
  return resolveSessionFrom(input, open, named, () => newId(now));
}

/** `JournalStore.acceptInbound` inside one write transaction. */
export function acceptInbound(ctx: JournalContext, input: AcceptInput): AcceptResult {
  const { message, now } = input;
  const seen = ctx.st.inboxGet.get(message.channel, message.eventId);
  if (seen) return { duplicate: true, runId: seen.run_id };

  const resolved = resolveSession(ctx, input);
  let session: SessionRow;
  if ('existing' in resolved) {
    session = resolved.existing;
    checkBinding(session, message);
  } else {
    session = newSessionRow<'text'>(resolved.createWithId, message, toJson(message.conversation), now);
    ctx.st.insertSession.run(session);
    recordEvent(ctx, 'session.created', sessionCreatedData(session), now);
  }

  const run = newRunRow<'text'>(newId(now), session, message, toJson(message.conversation), now);
  ctx.st.insertRun.run(run);
  appendTape(ctx, run.id, [{ kind: 'input', body: inputTapeBody(message) }], now);
  ctx.st.inboxInsert.run(message.channel, message.eventId, run.id, now);
  recordEvent(ctx, 'run.accepted', runAcceptedData(run), now);
  return {
    duplicate: false,
    session: toSession(session),
    run: toRun(run),
    sessionCreated: 'createWithId' in resolved,
  };
}

/** `JournalStore.claimInboxEvent` inside one write transaction: an inbox row without a run. */
export function claimInboxEvent(ctx: JournalContext, input: InboxClaim): { duplicate: boolean } {
  const { changes } = ctx.st.inboxClaim.run(input.channel, input.eventId, input.now);
  return { duplicate: changes === 0 };
}

/** `JournalStore.resetSession` inside one write transaction. */
export function resetSession(ctx: JournalContext, key: string, now: number): Session | null {
  const open = ctx.st.openSessionByKey.get(key);
  if (!open) return null;
  ctx.st.closeSession.run(now, open.id);
  recordEvent(ctx, 'session.reset', { sessionId: open.id, key }, now);
  return toSession({ ...open, closed_at: now });
}
