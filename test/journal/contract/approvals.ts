import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../src/core/errors.js';
import {
  accept,
  askApproval,
  MINUTE,
  type OpenStore,
  rejection,
  startRun,
  T0,
  useStore,
} from './fixtures.js';

/** Approvals, cancelling and recovery after a crash. */
export function approvalsContract(open: OpenStore): void {
  describe('approvals', () => {
    const store = useStore(open);

    it('a tool call that needs a human creates a pending approval without a card yet', async () => {
      const run = await startRun(store());
      const approval = await askApproval(store(), run, {
        id: 'ap-1',
        now: T0 + 1,
        expiresAt: T0 + 10 * MINUTE,
      });
      expect(approval).toEqual({
        id: 'ap-1',
        runId: run.id,
        sessionId: run.sessionId,
        state: 'pending',
        toolCallId: 'call-ap-1',
        tool: 'shell_exec',
        args: { command: 'ls' },
        argsHash: 'hash-ap-1',
        requester: run.principal,
        conversation: run.conversation,
        createdAt: T0 + 1,
        expiresAt: T0 + 10 * MINUTE,
        decidedBy: null,
        decidedAt: null,
        scope: 'once',
        reason: null,
        cardReceipt: null,
        grantId: null,
      });
      expect(await store().nextApprovalExpiry()).toBe(T0 + 10 * MINUTE);
      expect((await store().listApprovals({ state: 'pending', limit: 10 })).map((a) => a.id)).toEqual([
        'ap-1',
      ]);
    });

    it('an approval decision is written to the tape, the card and the journal', async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0 + 1, expiresAt: T0 + 10 * MINUTE });
      const decided = await store().decideApproval({
        approvalId: 'ap-1',
        decision: 'approved',
        decider: 'discord:boss',
        scope: 'once',
        now: T0 + 2000,
      });
      expect(decided).toMatchObject({
        state: 'approved',
        decidedBy: 'discord:boss',
        decidedAt: T0 + 2000,
        scope: 'once',
      });
      const last = (await store().readTape(run.id)).at(-1);
      expect(last).toMatchObject({ kind: 'approval_decision', at: T0 + 2000 });
      expect(last?.body).toMatchObject({ approvalId: 'ap-1', decision: 'approved', by: 'discord:boss' });
      const updates = (await store().listOutbox({ runId: run.id, limit: 10 })).filter(
        (o) => o.kind === 'approval_update',
      );
      expect(updates).toHaveLength(1);
      expect(updates[0]?.payload).toEqual({ approvalId: 'ap-1', allowSessionScope: false });
      expect((await store().recentEvents(1))[0]).toMatchObject({ type: 'approval.approved' });
      expect(await store().nextApprovalExpiry()).toBeNull();
    });

    it('a card also sent to another conversation keeps its own receipt, and both copies are edited once decided', async () => {
      const run = await startRun(store());
      const admins = { platform: run.conversation.platform, channel: 'admins-room' };
      await store().commitStep(run.id, {
        now: T0 + 1,
        expectState: 'running',
        tape: [{ kind: 'approval_request', body: { approvalId: 'ap-r' } }],
        approvals: [
          {
            id: 'ap-r',
            toolCallId: 'call-r',
            tool: 'shell_exec',
            args: { command: 'ls' },
            argsHash: 'hash-r',
            requester: run.principal,
            conversation: run.conversation,
            expiresAt: T0 + 10 * MINUTE,
          },
        ],
        outbox: [run.conversation, admins].map((conversation) => ({
          channel: run.channel,
          conversation,
          kind: 'approval_card' as const,
          payload: { approvalId: 'ap-r', allowSessionScope: true },
        })),
      });
      const cards = await store().claimOutbox({ owner: 'w', leaseMs: MINUTE, now: T0 + 2, limit: 10 });
      expect(cards).toHaveLength(2);
      for (const card of cards)
        await store().completeOutbox(
          card.id,
          { messageIds: [card.conversation.channel === 'admins-room' ? 'routed-card' : 'own-card'] },
          T0 + 3,
        );
      expect((await store().getApproval('ap-r'))?.cardReceipt).toEqual({ messageIds: ['own-card'] });
      await store().decideApproval({
        approvalId: 'ap-r',
        decision: 'approved',
        decider: 'discord:boss',
        scope: 'once',
        now: T0 + 4,
      });
      const updates = (await store().listOutbox({ runId: run.id, limit: 10 })).filter(
        (o) => o.kind === 'approval_update',
      );
      expect(updates.map((u) => u.conversation.channel).sort()).toEqual(
        ['admins-room', run.conversation.channel].sort(),
      );
    });

    it('a second approval decision is refused and says the first outcome', async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0, expiresAt: T0 + 10 * MINUTE });
      await store().decideApproval({
        approvalId: 'ap-1',
        decision: 'denied',
        decider: 'discord:a',
        scope: 'once',
        now: T0 + 1,
      });
      const tapeBefore = await store().readTape(run.id);
      const error = await rejection(
        store().decideApproval({
          approvalId: 'ap-1',
          decision: 'approved',
          decider: 'discord:b',
          scope: 'once',
          now: T0 + 2,
        }),
      );
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.code).toBe('already_decided');
      expect(error.state).toBe('denied');
      expect(await store().getApproval('ap-1')).toMatchObject({ state: 'denied', decidedBy: 'discord:a' });
      expect(await store().readTape(run.id)).toEqual(tapeBefore);
    });

    it('two simultaneous clicks decide an approval once', async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0, expiresAt: T0 + 10 * MINUTE });
      const results = await Promise.allSettled(
        ['discord:a', 'discord:b'].map((decider) =>
          store().decideApproval({
            approvalId: 'ap-1',
            decision: 'approved',
            decider,
            scope: 'once',
            now: T0 + 1,
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const decisions = (await store().readTape(run.id)).filter((e) => e.kind === 'approval_decision');
      expect(decisions).toHaveLength(1);
    });

    it('an approval clicked after it expired is refused and marked expired', async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0, expiresAt: T0 + MINUTE });
      const error = await rejection(
        store().decideApproval({
          approvalId: 'ap-1',
          decision: 'approved',
          decider: 'discord:a',
          scope: 'once',
          now: T0 + MINUTE,
        }),
      );
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.code).toBe('expired');
      expect(await store().getApproval('ap-1')).toMatchObject({
        state: 'expired',
        decidedBy: null,
        decidedAt: T0 + MINUTE,
      });
      expect((await store().readTape(run.id)).at(-1)?.body).toMatchObject({
        approvalId: 'ap-1',
        decision: 'expired',
      });
      const kinds = (await store().listOutbox({ runId: run.id, limit: 10 })).map((o) => o.kind);
      expect(kinds).toEqual(['approval_card', 'approval_update']);
    });

    it('unanswered approvals expire on schedule and the others stay pending', async () => {
      const run = await startRun(store(), { sessionKey: 'a' });
      const other = await startRun(store(), { sessionKey: 'b' });
      await askApproval(store(), run, { id: 'ap-soon', now: T0, expiresAt: T0 + MINUTE });
      await askApproval(store(), other, { id: 'ap-late', now: T0, expiresAt: T0 + 5 * MINUTE });
      expect(await store().nextApprovalExpiry()).toBe(T0 + MINUTE);
      expect(await store().expireApprovals(T0 + MINUTE - 1)).toEqual([]);
      const expired = await store().expireApprovals(T0 + MINUTE);
      expect(expired.map((a) => [a.id, a.state])).toEqual([['ap-soon', 'expired']]);
      expect((await store().readTape(run.id)).at(-1)).toMatchObject({ kind: 'approval_decision' });
      expect(await store().getApproval('ap-late')).toMatchObject({ state: 'pending' });
      expect(await store().nextApprovalExpiry()).toBe(T0 + 5 * MINUTE);
      expect((await store().recentEvents(10)).some((e) => e.type === 'approval.expired')).toBe(true);
    });

    it('"approve for this session" grants the same tool in that session only, newest first', async () => {
      const run = await startRun(store(), { sessionKey: 'a' });
      await askApproval(store(), run, { id: 'ap-1', now: T0, expiresAt: T0 + MINUTE, tool: 'shell_exec' });
      await askApproval(store(), run, { id: 'ap-2', now: T0, expiresAt: T0 + MINUTE, tool: 'shell_exec' });
      expect(await store().listSessionGrants(run.sessionId, 'shell_exec')).toEqual([]);
      await store().decideApproval({
        approvalId: 'ap-1',
        decision: 'approved',
        decider: 'discord:a',
        scope: 'session',
        now: T0 + 1,
      });
      await store().decideApproval({
        approvalId: 'ap-2',
        decision: 'approved',
        decider: 'discord:a',
        scope: 'session',
        now: T0 + 2,
      });
      const grants = await store().listSessionGrants(run.sessionId, 'shell_exec');
      expect(grants.map((g) => [g.id, g.scope])).toEqual([
        ['ap-2', 'session'],
        ['ap-1', 'session'],
      ]);
      expect(await store().listSessionGrants(run.sessionId, 'file_write')).toEqual([]);
      const other = await accept(store(), { sessionKey: 'b' });
      expect(await store().listSessionGrants(other.session.id, 'shell_exec')).toEqual([]);
    });

    it('an approval for one call only, or a denial, is no session grant', async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0, expiresAt: T0 + MINUTE });
      await askApproval(store(), run, { id: 'ap-2', now: T0, expiresAt: T0 + MINUTE });
      await store().decideApproval({
        approvalId: 'ap-1',
        decision: 'approved',
        decider: 'discord:a',
        scope: 'once',
        now: T0 + 1,
      });
      await store().decideApproval({
        approvalId: 'ap-2',
        decision: 'denied',
        decider: 'discord:a',
        scope: 'session',
        now: T0 + 1,
      });
      expect(await store().listSessionGrants(run.sessionId, 'shell_exec')).toEqual([]);
    });

    it('deciding an unknown approval is not found', async () => {
      const error = await rejection(
        store().decideApproval({
          approvalId: 'nope',
          decision: 'approved',
          decider: 'discord:a',
          scope: 'once',
          now: T0,
        }),
      );
      expect(error).toBeInstanceOf(NotFoundError);
    });

    it('approvals are listed by state and run', async () => {
      const a = await startRun(store(), { sessionKey: 'a' });
      const b = await startRun(store(), { sessionKey: 'b' });
      await askApproval(store(), a, { id: 'ap-a', now: T0, expiresAt: T0 + MINUTE });
      await askApproval(store(), b, { id: 'ap-b', now: T0 + 1, expiresAt: T0 + MINUTE });
      await store().decideApproval({
        approvalId: 'ap-a',
        decision: 'denied',
        decider: 'discord:x',
        scope: 'once',
        now: T0 + 2,
      });
      expect((await store().listApprovals({ limit: 10 })).map((x) => x.id)).toEqual(['ap-b', 'ap-a']);
      expect((await store().listApprovals({ state: 'pending', limit: 10 })).map((x) => x.id)).toEqual([
        'ap-b',
      ]);
      expect((await store().listApprovals({ runId: a.id, limit: 10 })).map((x) => x.id)).toEqual(['ap-a']);
    });

    it('lists the approvals one person asked for, with the other filters', async () => {
      const mine = await startRun(store(), { sessionKey: 'm', principal: 'discord:me', eventId: 'e-m' });
      const theirs = await startRun(store(), { sessionKey: 't', principal: 'discord:them', eventId: 'e-t' });
      await askApproval(store(), mine, { id: 'ap-m1', now: T0, expiresAt: T0 + MINUTE });
      await askApproval(store(), theirs, { id: 'ap-t', now: T0 + 1, expiresAt: T0 + MINUTE });
      const ids = async (query: { requester: string; state?: 'pending' | 'denied' }) =>
        (await store().listApprovals({ ...query, limit: 10 })).map((x) => x.id);
      expect(await ids({ requester: 'discord:me' })).toEqual(['ap-m1']);
      expect(await ids({ requester: 'discord:them', state: 'pending' })).toEqual(['ap-t']);
      expect(await ids({ requester: 'discord:me', state: 'denied' })).toEqual([]);
      expect(await ids({ requester: 'discord:nobody' })).toEqual([]);
    });
  });

  describe('cancelling runs', () => {
    const store = useStore(open);

    it('cancelling a finished run says its state', async () => {
      const run = await startRun(store());
      await store().commitStep(run.id, { now: T0 + 1, transition: { to: 'succeeded' } });
      const error = await rejection(store().cancelRun(run.id, 'discord:admin', 'stop', T0 + 2));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.state).toBe('succeeded');
      expect(error.message).toContain('succeeded');
      expect(await store().getRun(run.id)).toMatchObject({ state: 'succeeded', reason: null });
    });

    it('cancelling a run waiting for a human cancels the approval and updates its card', async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0 + 1, expiresAt: T0 + MINUTE });
      const result = await store().cancelRun(run.id, 'discord:admin', 'cancelled by an admin', T0 + 2);
      expect(result.run).toMatchObject({
        state: 'cancelled',
        reason: 'cancelled by an admin',
        finishedAt: T0 + 2,
      });
      expect(result.cancelledApprovals.map((a) => [a.id, a.state])).toEqual([['ap-1', 'cancelled']]);
      expect(await store().getApproval('ap-1')).toMatchObject({
        state: 'cancelled',
        decidedBy: 'discord:admin',
      });
      const tape = await store().readTape(run.id);
      expect(tape.slice(-2).map((e) => e.kind)).toEqual(['approval_decision', 'state']);
      expect(tape.at(-1)?.body).toMatchObject({
        from: 'running',
        to: 'cancelled',
        reason: 'cancelled by an admin',
      });
      const update = (await store().listOutbox({ runId: run.id, limit: 10 })).find(
        (o) => o.kind === 'approval_update',
      );
      expect(update?.payload).toEqual({ approvalId: 'ap-1', allowSessionScope: false });
      const types = (await store().recentEvents(10)).map((e) => e.type);
      expect(types).toContain('run.cancelled');
      expect(types).toContain('approval.cancelled');
      const click = await rejection(
        store().decideApproval({
          approvalId: 'ap-1',
          decision: 'approved',
          decider: 'discord:a',
          scope: 'once',
          now: T0 + 3,
        }),
      );
      expect(click).toMatchObject({ code: 'already_decided', state: 'cancelled' });
    });

    it('a run that has not started yet can be cancelled', async () => {
      const { run } = await accept(store());
      const result = await store().cancelRun(run.id, 'discord:u1', 'changed my mind', T0 + 1);
      expect(result.run.state).toBe('cancelled');
      expect(await store().claimRuns({ owner: 'w', leaseMs: MINUTE, now: T0 + 2, limit: 10 })).toEqual([]);
    });

    it('cancelling an unknown run is not found', async () => {
      expect(await rejection(store().cancelRun('missing', 'discord:a', 'x', T0))).toBeInstanceOf(
        NotFoundError,
      );
    });
  });

  describe('recovery after a crash', () => {
    const store = useStore(open);
    const later = T0 + 10 * MINUTE;
    const recover = (all = false) =>
      store().recoverRuns({
        owner: 'worker-new',
        leaseMs: MINUTE,
        now: later,
        reason: 'the daemon restarted',
        all,
      });

    it('recovery fails an interrupted run and tells the user', async () => {
      const run = await startRun(store());
      const { failed, resumable } = await recover();
      expect(resumable).toEqual([]);
      expect(failed.map((r) => [r.id, r.state, r.reason])).toEqual([
        [run.id, 'failed', 'the daemon restarted'],
      ]);
      expect((await store().readTape(run.id)).at(-1)?.body).toMatchObject({ from: 'running', to: 'failed' });
      const notices = (await store().listOutbox({ runId: run.id, limit: 10 })).filter(
        (o) => o.kind === 'notice',
      );
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({
        channel: run.channel,
        conversation: run.conversation,
        state: 'pending',
      });
      expect(notices[0]?.payload).toEqual({ text: expect.stringContaining('interrupted') });
      expect((await store().recentEvents(10)).some((e) => e.type === 'run.failed')).toBe(true);
    });

    it('recovery leaves a run waiting for a human alone, its approval still clickable', async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0, expiresAt: later + MINUTE });
      await store().releaseRun(run.id, 'worker-1');
      expect(await recover(true)).toEqual({ failed: [], resumable: [] });
      expect(await store().getRun(run.id)).toMatchObject({ state: 'running' });
      const decided = await store().decideApproval({
        approvalId: 'ap-1',
        decision: 'approved',
        decider: 'discord:a',
        scope: 'once',
        now: later + 1,
      });
      expect(decided.state).toBe('approved');
    });

    it('recovery resumes a run whose approval was decided while nobody held it', async () => {
      const run = await startRun(store());
      await askApproval(store(), run, { id: 'ap-1', now: T0, expiresAt: later + MINUTE });
      await store().decideApproval({
        approvalId: 'ap-1',
        decision: 'approved',
        decider: 'discord:a',
        scope: 'once',
        now: T0 + 1,
      });
      const { failed, resumable } = await recover();
      expect(failed).toEqual([]);
      expect(resumable.map((r) => [r.id, r.state])).toEqual([[run.id, 'running']]);
      expect(
        await store().leaseRun(run.id, { owner: 'someone-else', leaseMs: MINUTE, now: later + 1 }),
      ).toBeNull();
      expect(
        await store().renewLeases([run.id], { owner: 'worker-new', leaseMs: MINUTE, now: later + 1 }),
      ).toEqual([run.id]);
    });

    it('recovery leaves a run with a live lease to its worker unless asked for all', async () => {
      const run = await startRun(store(), {}, later - 1000, 'worker-alive');
      expect(await recover(false)).toEqual({ failed: [], resumable: [] });
      const { failed } = await recover(true);
      expect(failed.map((r) => r.id)).toEqual([run.id]);
    });

    it('recovery does not touch runs that have not started or have finished', async () => {
      await accept(store(), { sessionKey: 'waiting' });
      const done = await startRun(store(), { sessionKey: 'done' });
      await store().commitStep(done.id, { now: T0 + 1, transition: { to: 'succeeded' } });
      expect(await recover(true)).toEqual({ failed: [], resumable: [] });
    });
  });
}
