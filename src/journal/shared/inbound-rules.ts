import { NotFoundError, SessionBindingError, ValidationError } from '../../core/errors.js';
import type { ConversationRef, InboundMessage } from '../../core/types.js';
import type { AcceptInput } from '../store.js';
import type { JsonColumn, JsonForm, RunRowOf, SessionRowOf } from './rows.js';

// The decisions both stores make when a message comes in, free of any SQL.

/** The session a message goes to, and whether it must be created. */
export type ResolvedSession<F extends JsonForm> = { existing: SessionRowOf<F> } | { createWithId: string };

/**
 * Resolves the session of a message given its key's open session, if any. Without one, `named`
 * looks up the session the sender asked for, and `freshId` gives the id of a session to create.
 * Throws when the sender named a session that is not the key's open one, or when there is none
 * and creating one was not allowed.
 */
export function resolveSessionFrom<F extends JsonForm>(
  input: AcceptInput,
  open: SessionRowOf<F> | undefined,
  named: SessionRowOf<F> | undefined,
  freshId: () => string,
): ResolvedSession<F> {
  const { message, sessionId, createSession } = input;
  if (open) {
    if (sessionId !== undefined && sessionId !== open.id) {
      throw new ValidationError(
        `session ${sessionId} is not the open session of key ${message.sessionKey} (that is ${open.id})`,
      );
    }
    return { existing: open };
  }
  if (sessionId !== undefined) {
    if (named) {
      const why = named.key === message.sessionKey ? 'was reset' : `belongs to key ${named.key}`;
      throw new ValidationError(`session ${sessionId} ${why}; send to key ${message.sessionKey} without it`);
    }
    if (!createSession) throw new NotFoundError('session', sessionId);
    return { createWithId: sessionId };
  }
  if (!createSession) throw new NotFoundError('session for key', message.sessionKey);
  return { createWithId: freshId() };
}

/** Refuses a message for a session bound to another channel or device. */
export function checkBinding(session: SessionRowOf<JsonForm>, message: InboundMessage): void {
  if (session.channel !== message.channel || session.device !== message.device) {
    throw new SessionBindingError(
      session.key,
      `${session.channel} (${session.device})`,
      `${message.channel} (${message.device})`,
    );
  }
}

/** The row of a session created for a message; `conversation` as the store's column holds it. */
export function newSessionRow<F extends JsonForm>(
  id: string,
  message: InboundMessage,
  conversation: JsonColumn<F, ConversationRef>,
  now: number,
): SessionRowOf<F> {
  return {
    id,
    key: message.sessionKey,
    channel: message.channel,
    device: message.device,
    conversation,
    created_at: now,
    closed_at: null,
    agent: message.agent ?? null,
  };
}

/** The row of the `accepted` run a message starts; `conversation` as the store's column holds it. */
export function newRunRow<F extends JsonForm>(
  id: string,
  session: Pick<SessionRowOf<F>, 'id' | 'agent'>,
  message: InboundMessage,
  conversation: JsonColumn<F, ConversationRef>,
  now: number,
): RunRowOf<F> {
  return {
    id,
    session_id: session.id,
    state: 'accepted',
    principal: message.principal,
    channel: message.channel,
    conversation,
    text: message.text,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
    reason: null,
    lease_owner: null,
    lease_expires_at: null,
    agent: session.agent,
  };
}

/** The body of a run's `input` tape event: the message as the model will see it. */
export function inputTapeBody(message: InboundMessage): Record<string, unknown> {
  return {
    text: message.text,
    principal: message.principal,
    eventId: message.eventId,
    ...(message.displayName !== undefined ? { displayName: message.displayName } : {}),
    ...(message.attachments !== undefined ? { attachments: message.attachments } : {}),
  };
}

/** The data of the `session.created` journal event. */
export function sessionCreatedData(session: SessionRowOf<JsonForm>): Record<string, unknown> {
  return { sessionId: session.id, key: session.key, channel: session.channel, device: session.device };
}

/** The data of the `run.accepted` journal event. */
export function runAcceptedData(run: RunRowOf<JsonForm>): Record<string, unknown> {
  return { runId: run.id, sessionId: run.session_id, principal: run.principal, channel: run.channel };
}
