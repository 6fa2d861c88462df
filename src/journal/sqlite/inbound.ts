import { NotFoundError, SessionBindingError, ValidationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { InboundMessage, Session } from '../../core/types.js';
import type { AcceptInput, AcceptResult } from '../store.js';
import { type RunRow, type SessionRow, toJson, toRun, toSession } from './rows.js';
import type { JournalContext } from './statements.js';
import { appendTape, recordEvent } from './writes.js';

/** The session a message goes to, and whether it must be created. */
type Resolved = { existing: SessionRow } | { createWithId: string };

function resolveSession(ctx: JournalContext, input: AcceptInput): Resolved {
  const { message, sessionId, createSession, now } = input;
  const open = ctx.st.openSessionByKey.get(message.sessionKey);
  if (open) {
    if (sessionId !== undefined && sessionId !== open.id) {
      throw new ValidationError(
        `session ${sessionId} is not the open session of key ${message.sessionKey} (that is ${open.id})`,
      );
    }
    return { existing: open };
  }
  if (sessionId !== undefined) {
    const named = ctx.st.sessionById.get(sessionId);
    if (named) {
      const why = named.key === message.sessionKey ? 'was reset' : `belongs to key ${named.key}`;
      throw new ValidationError(`session ${sessionId} ${why}; send to key ${message.sessionKey} without it`);
    }
    if (!createSession) throw new NotFoundError('session', sessionId);
    return { createWithId: sessionId };
  }
  if (!createSession) throw new NotFoundError('session for key', message.sessionKey);
  return { createWithId: newId(now) };
}

function checkBinding(session: SessionRow, message: InboundMessage): void {
  if (session.channel !== message.channel || session.device !== message.device) {
    throw new SessionBindingError(
      session.key,
      `${session.channel} (${session.device})`,
      `${message.channel} (${message.device})`,
    );
  }
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
    session = {
      id: resolved.createWithId,
      key: message.sessionKey,
      channel: message.channel,
      device: message.device,
      conversation: toJson(message.conversation),
      created_at: now,
      closed_at: null,
    };
    ctx.st.insertSession.run(session);
    recordEvent(
      ctx,
      'session.created',
      { sessionId: session.id, key: session.key, channel: session.channel, device: session.device },
      now,
    );
  }

  const run: RunRow = {
    id: newId(now),
    session_id: session.id,
    state: 'accepted',
    principal: message.principal,
    channel: message.channel,
    conversation: toJson(message.conversation),
    text: message.text,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
    reason: null,
    lease_owner: null,
    lease_expires_at: null,
  };
  ctx.st.insertRun.run(run);
  const input_ = {
    text: message.text,
    principal: message.principal,
    eventId: message.eventId,
    ...(message.displayName !== undefined ? { displayName: message.displayName } : {}),
    ...(message.attachments !== undefined ? { attachments: message.attachments } : {}),
  };
  appendTape(ctx, run.id, [{ kind: 'input', body: input_ }], now);
  ctx.st.inboxInsert.run(message.channel, message.eventId, run.id, now);
  recordEvent(
    ctx,
    'run.accepted',
    { runId: run.id, sessionId: session.id, principal: run.principal, channel: run.channel },
    now,
  );
  return {
    duplicate: false,
    session: toSession(session),
    run: toRun(run),
    sessionCreated: 'createWithId' in resolved,
  };
}

/** `JournalStore.resetSession` inside one write transaction. */
export function resetSession(ctx: JournalContext, key: string, now: number): Session | null {
  const open = ctx.st.openSessionByKey.get(key);
  if (!open) return null;
  ctx.st.closeSession.run(now, open.id);
  recordEvent(ctx, 'session.reset', { sessionId: open.id, key }, now);
  return toSession({ ...open, closed_at: now });
}
