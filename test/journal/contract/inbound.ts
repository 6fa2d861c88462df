import { describe, expect, it } from 'vitest';
import { NotFoundError, SessionBindingError, ValidationError } from '../../../src/core/errors.js';
import {
  accept,
  eventTypes,
  message,
  type OpenStore,
  rejection,
  snapshot,
  T0,
  useStore,
} from './fixtures.js';

/** Inbound messages and sessions: dedupe, binding, session ids, reset. */
export function inboundContract(open: OpenStore): void {
  describe('inbound messages and sessions', () => {
    const store = useStore(open);

    it('a first message creates a session, an accepted run and its input on tape seq 0', async () => {
      const msg = message({ text: 'what time is it?', displayName: 'Ann' });
      const result = await store().acceptInbound({ message: msg, createSession: true, now: T0 });
      if (result.duplicate) throw new Error('unexpected duplicate');
      expect(result.sessionCreated).toBe(true);
      expect(result.session).toEqual({
        id: result.session.id,
        key: 'discord:g1:c1',
        channel: 'discord',
        device: 'discord:app1',
        conversation: msg.conversation,
        createdAt: T0,
        closedAt: null,
        agent: null,
      });
      expect(result.run).toMatchObject({
        sessionId: result.session.id,
        state: 'accepted',
        principal: 'discord:u1',
        channel: 'discord',
        conversation: msg.conversation,
        text: 'what time is it?',
        createdAt: T0,
        updatedAt: T0,
        startedAt: null,
        finishedAt: null,
        reason: null,
        agent: null,
      });
      const tape = await store().readTape(result.run.id);
      expect(tape).toHaveLength(1);
      expect(tape[0]).toMatchObject({ runId: result.run.id, seq: 0, kind: 'input', at: T0 });
      expect(tape[0]?.body).toMatchObject({ text: 'what time is it?', principal: 'discord:u1' });
      expect(await store().getRun(result.run.id)).toEqual(result.run);
      expect(await store().getSession(result.session.id)).toEqual(result.session);
      expect(await eventTypes(store())).toEqual(['session.created', 'run.accepted']);
    });

    it("records the agent on a new session and its runs; a later message keeps the session's agent", async () => {
      const first = await store().acceptInbound({
        message: message({ agent: 'coder' }),
        createSession: true,
        now: T0,
      });
      if (first.duplicate) throw new Error('unexpected duplicate');
      expect(first.session.agent).toBe('coder');
      expect(first.run.agent).toBe('coder');
      // The binding changed meanwhile: the open session still belongs to its agent.
      const second = await store().acceptInbound({
        message: message({ agent: 'support', text: 'and now?' }),
        createSession: true,
        now: T0 + 1,
      });
      if (second.duplicate) throw new Error('unexpected duplicate');
      expect(second.session.id).toBe(first.session.id);
      expect(second.run.agent).toBe('coder');
      expect((await store().getRun(second.run.id))?.agent).toBe('coder');
      expect((await store().getSession(first.session.id))?.agent).toBe('coder');
    });

    it('a second message on the same key joins the open session', async () => {
      const first = await accept(store(), { principal: 'discord:u1' });
      const second = await accept(store(), { principal: 'discord:u2', text: 'me too' }, T0 + 1000);
      expect(second.sessionCreated).toBe(false);
      expect(second.session.id).toBe(first.session.id);
      expect(second.run.principal).toBe('discord:u2');
      expect(await store().listRuns({ sessionId: first.session.id, limit: 10 })).toHaveLength(2);
    });

    it('a duplicate platform event starts one run', async () => {
      const msg = message();
      const first = await store().acceptInbound({ message: msg, createSession: true, now: T0 });
      if (first.duplicate) throw new Error('unexpected duplicate');
      const before = await snapshot(store());
      const again = await store().acceptInbound({
        message: { ...msg, delivery: { retryNum: 1 } },
        createSession: true,
        now: T0 + 5000,
      });
      expect(again).toEqual({ duplicate: true, runId: first.run.id });
      expect(await snapshot(store())).toEqual(before);
      expect(await store().listRuns({ limit: 10 })).toHaveLength(1);
    });

    it('the same event id on another channel is a different event', async () => {
      await accept(store(), { eventId: 'same' });
      const other = await store().acceptInbound({
        message: message({
          eventId: 'same',
          channel: 'slack',
          device: 'slack:T1',
          sessionKey: 'slack:T1:C1',
        }),
        createSession: true,
        now: T0,
      });
      expect(other.duplicate).toBe(false);
    });

    it('a session key from another device is refused and writes nothing', async () => {
      await accept(store());
      const before = await snapshot(store());
      const intruder = message({ device: 'discord:other-app', eventId: 'intrusion' });
      const error = await rejection(
        store().acceptInbound({ message: intruder, createSession: true, now: T0 + 1 }),
      );
      expect(error).toBeInstanceOf(SessionBindingError);
      expect(error.code).toBe('session_bound_elsewhere');
      expect(error.message).toContain('discord:g1:c1');
      expect(await snapshot(store())).toEqual(before);
      // The refused event left no inbox row: the same id through the bound device is accepted.
      const retried = await store().acceptInbound({
        message: { ...intruder, device: 'discord:app1' },
        createSession: true,
        now: T0 + 2,
      });
      expect(retried.duplicate).toBe(false);
    });

    it('a session key arriving through another channel is refused', async () => {
      await accept(store(), { sessionKey: 'shared-key' });
      const error = await rejection(
        store().acceptInbound({
          message: message({ sessionKey: 'shared-key', channel: 'console', device: 'discord:app1' }),
          createSession: true,
          now: T0,
        }),
      );
      expect(error).toBeInstanceOf(SessionBindingError);
    });

    it('a session id that is not the key’s open session is refused and writes nothing', async () => {
      await accept(store(), { sessionKey: 'discord:g1:c1' });
      const other = await accept(store(), { sessionKey: 'discord:g1:c2' });
      const before = await snapshot(store());
      const error = await rejection(
        store().acceptInbound({
          message: message({ sessionKey: 'discord:g1:c1' }),
          sessionId: other.session.id,
          createSession: true,
          now: T0,
        }),
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect(await snapshot(store())).toEqual(before);
    });

    it('a session id that names the key’s open session is accepted', async () => {
      const first = await accept(store());
      const result = await store().acceptInbound({
        message: message(),
        sessionId: first.session.id,
        createSession: false,
        now: T0 + 1,
      });
      if (result.duplicate) throw new Error('unexpected duplicate');
      expect(result.session.id).toBe(first.session.id);
      expect(result.sessionCreated).toBe(false);
    });

    it('an unknown session id is not found when sessions may not be created', async () => {
      const error = await rejection(
        store().acceptInbound({ message: message(), sessionId: 'nope', createSession: false, now: T0 }),
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect(await store().listRuns({ limit: 10 })).toEqual([]);
    });

    it('a new key with a chosen session id creates the session under that id', async () => {
      const result = await store().acceptInbound({
        message: message({ sessionKey: 'console:new', channel: 'console', device: 'console' }),
        sessionId: '01JNEWSESSION0000000000000',
        createSession: true,
        now: T0,
      });
      if (result.duplicate) throw new Error('unexpected duplicate');
      expect(result.session.id).toBe('01JNEWSESSION0000000000000');
      expect(result.sessionCreated).toBe(true);
    });

    it('a message for a key without a session is refused when sessions may not be created', async () => {
      const error = await rejection(
        store().acceptInbound({ message: message(), createSession: false, now: T0 }),
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect(await snapshot(store())).toMatchObject({ sessions: [], runs: [], events: [] });
    });

    it('a reset session stays readable and the next message starts a new one', async () => {
      const first = await accept(store());
      const closed = await store().resetSession('discord:g1:c1', T0 + 1000);
      expect(closed).toMatchObject({ id: first.session.id, closedAt: T0 + 1000 });
      expect(await store().getSessionByKey('discord:g1:c1')).toBeNull();
      expect(await store().getSession(first.session.id)).toMatchObject({ closedAt: T0 + 1000 });
      const next = await accept(store(), {}, T0 + 2000);
      expect(next.sessionCreated).toBe(true);
      expect(next.session.id).not.toBe(first.session.id);
      expect(await store().getSessionByKey('discord:g1:c1')).toEqual(next.session);
      const listed = await store().listSessions({ key: 'discord:g1:c1', limit: 10 });
      expect(listed.map((s) => s.id)).toEqual([next.session.id, first.session.id]);
      const error = await rejection(
        store().acceptInbound({
          message: message(),
          sessionId: first.session.id,
          createSession: true,
          now: T0 + 3000,
        }),
      );
      expect(error).toBeInstanceOf(ValidationError);
    });

    it('resetting a key without a session changes nothing', async () => {
      expect(await store().resetSession('discord:nothing', T0)).toBeNull();
    });

    it('sessions are listed newest first and limited', async () => {
      await accept(store(), { sessionKey: 'a' }, T0);
      await accept(store(), { sessionKey: 'b' }, T0 + 1);
      await accept(store(), { sessionKey: 'c' }, T0 + 2);
      const listed = await store().listSessions({ limit: 2 });
      expect(listed.map((s) => s.key)).toEqual(['c', 'b']);
    });
  });
}
